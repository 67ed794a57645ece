"""The Z split per outlet (revenue centre) and for the house: it balances, it is frozen, numbered, printed and a PDF.

Two outlets: the busy bistro of test_reports and a bar with its own drawer, a cash sale,
a voucher sale and a refund, all through the real services.
"""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from billing import services
from billing.models import BusinessDay, Check, DrawerSession, OutletBilling, Payment, Refund
from orders.services import LineRequest, add_lines, open_order, send_to_kitchen
from printing.models import Printer, PrintJob
from printing.services import deliver_print_job
from tests.billing.conftest import APPROVAL, checks_of
from tests.factories import AreaFactory, CategoryFactory, ItemFactory, MenuFactory, OutletFactory, TableFactory, courses
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import FakePrinter


@pytest.fixture
def bar(world, busy_day, cash, voucher):
    """The hotel bar: its own drawer (float 50.00), a cash round with a tip, a voucher round, 2.00 refunded."""
    outlet = OutletFactory(name="Bar")
    courses(outlet)
    table = TableFactory(area=AreaFactory(outlet=outlet, name="Bar"), number="B1", seats=2)
    drinks = CategoryFactory(menu=MenuFactory(outlet=outlet), name="Drinks", default_course=1)
    beer = ItemFactory(category=drinks, name="Beer", price=450, tax_rate=world.salad.tax_rate)
    services.open_drawer(outlet=outlet, opening_float=5000, by=world.manager)

    def round_of(qty):
        order, _ = open_order(client_uuid=uuid.uuid4(), outlet=outlet, waiter=world.waiter, table=table, covers=2)
        add_lines(order=order, requests=[LineRequest(item_id=beer.pk, seat=1, qty=qty)], by=world.waiter)
        send_to_kitchen(order=order, by=world.waiter)
        services.open_bill(order=order, by=world.waiter)
        return checks_of(order)[0]

    paid_cash = services.pay_cash(check=round_of(2), tender=cash, cash_given=1000, tip=100, by=world.waiter)
    services.pay_other(check=round_of(3), tender=voucher, amount=1350, by=world.waiter)
    services.refund_payment(
        payment=paid_cash, amount=200, reason="Flat beer", by=world.manager, approver_id=world.manager.pk, **APPROVAL
    )
    return outlet


def count_every_drawer(world):
    for drawer in DrawerSession.objects.filter(closed_at__isnull=True):
        services.close_drawer(session=drawer, counted=services.expected_cash(drawer) - 50, by=world.manager)


def close(world, bar):
    count_every_drawer(world)
    return services.close_business_day(by=world.manager, carry_over_open_orders=True)


SUMMED = ("checks", "covers", "items", "discounts", "comps", "service_charge", "net", "tax", "gross")


def test_the_house_is_the_sum_of_its_outlets_to_the_cent_and_matches_the_payment_and_refund_rows(world, bar):
    day = close(world, bar)
    report = day.report
    outlets = {section["outlet"]["name"]: section for section in report["outlets"]}
    assert set(outlets) == {"Bistro", "Bar"}
    assert outlets["Bar"]["sales"]["checks"] == 2 and outlets["Bar"]["sales"]["gross"] == 450 * 5

    for key in SUMMED:
        assert report["sales"][key] == sum(s["sales"][key] for s in outlets.values()), key
    for key in ("tips", "cash_rounding", "refunds_total", "voids_total", "open_orders"):
        assert report[key] == sum(s[key] for s in outlets.values()), key
    per_rate = {}
    for section in outlets.values():
        for rate in section["by_tax_rate"]:
            row = per_rate.setdefault(rate["rate"], {"net": 0, "tax": 0, "gross": 0})
            for key in row:
                row[key] += rate[key]
    assert per_rate == {r["rate"]: {k: r[k] for k in ("net", "tax", "gross")} for r in report["by_tax_rate"]}
    per_tender = {}
    for section in outlets.values():
        for tender in section["by_tender"]:
            per_tender[tender["name"]] = per_tender.get(tender["name"], 0) + tender["amount"]
    assert per_tender == {t["name"]: t["amount"] for t in report["by_tender"]}
    assert sorted(d["id"] for s in outlets.values() for d in s["drawers"]) == sorted(d["id"] for d in report["drawers"])
    assert [d["variance"] for d in outlets["Bar"]["drawers"]] == [-50]

    # Against the rows themselves: every captured payment and every refund of the day, to the cent.
    paid = Payment.objects.filter(business_day=day, state=Payment.State.CAPTURED).aggregate(
        amount=Sum("amount"), tips=Sum("tip")
    )
    refunded = Refund.objects.filter(business_day=day, state=Refund.State.SUCCEEDED).aggregate(total=Sum("amount"))
    assert sum(t["amount"] for s in outlets.values() for t in s["by_tender"]) == paid["amount"]
    assert sum(s["tips"] for s in outlets.values()) == paid["tips"]
    assert sum(s["refunds_total"] for s in outlets.values()) == refunded["total"]
    bar_paid = Payment.objects.filter(
        business_day=day, state=Payment.State.CAPTURED, guest_check__order__outlet=bar
    ).aggregate(amount=Sum("amount"))["amount"]
    assert sum(t["amount"] for t in outlets["Bar"]["by_tender"]) == bar_paid == 450 * 5
    assert outlets["Bar"]["refunds_total"] == 200


def test_the_stored_z_never_moves_when_the_rows_change_after_the_close(world, bar, voucher, client):
    day = close(world, bar)
    stored = BusinessDay.objects.get(pk=day.pk).report

    # After the close: the bar's drawer row and a check's frozen figures are changed behind the Z's back,
    # the outlet is renamed and the carried-over check is paid (next day).
    Check.objects.filter(business_day=day).update(frozen_totals=None)
    DrawerSession.objects.filter(outlet=bar).update(counted=0)
    bar.name = "Cocktail bar"
    bar.save()
    open_check = Check.objects.get(status=Check.Status.OPEN)
    services.pay_other(
        check=open_check, tender=voucher, amount=services.check_total(open_check) - 1000, by=world.waiter
    )

    assert BusinessDay.objects.get(pk=day.pk).report == stored
    client.force_login(world.manager)
    page = client.get(f"/manager/day/{day.date.isoformat()}/?outlet={bar.pk}").content.decode()
    assert "Outlet: Bar" in page and "Cocktail bar" not in page, "the page shows the stored Z, not today's rows"
    assert client.get(f"/manager/day/{day.date.isoformat()}/?outlet=999999").status_code == 404
    assert client.get(f"/manager/day/{day.date.isoformat()}/?outlet=bar").status_code == 404
    with pytest.raises(ValidationError, match="closed business day"):
        services.reopen_check(
            check=Check.objects.filter(business_day=day).first(),
            reason="Typo",
            by=world.manager,
            approver_id=world.manager.pk,
            **APPROVAL,
        )


def test_z_numbers_follow_one_another_and_are_never_reused(world, bar, voucher):
    first = close(world, bar)
    open_check = Check.objects.get(status=Check.Status.OPEN)
    services.pay_other(
        check=open_check, tender=voucher, amount=services.check_total(open_check) - 1000, by=world.waiter
    )
    second = services.close_business_day(by=world.manager)
    assert (first.z_number, second.z_number) == (1, 2)
    assert second.report["z_number"] == 2 and [s["outlet"]["name"] for s in second.report["outlets"]] == [
        "Bar",
        "Bistro",
    ]
    with pytest.raises(ValidationError, match="No business day is open"):
        services.close_business_day(by=world.manager)
    assert list(BusinessDay.objects.order_by("z_number").values_list("z_number", flat=True)) == [1, 2]


def test_the_x_report_page_switches_between_the_house_and_each_outlet(world, bar, client):
    client.force_login(world.manager)
    house = client.get("/manager/day/").content.decode()
    assert f'href="?outlet={bar.pk}"' in house and f'href="?outlet={world.outlet.pk}"' in house
    only_bar = client.get(f"/manager/day/?outlet={bar.pk}")
    assert only_bar.status_code == 200
    assert "Outlet: Bar" in only_bar.content.decode()
    assert only_bar.context["report"]["sales"]["gross"] == 450 * 5


@pytest.fixture
def receipt_printers(world, bar, settings):
    """The bistro has a receipt printer (a real TCP ESC/POS printer on 127.0.0.1); the bar has none."""
    settings.PRINTER_TIMEOUT = 0.5
    server = FakePrinter("online").start()
    printer = Printer.objects.create(outlet=world.outlet, name="Kassa", host="127.0.0.1", port=server.port)
    OutletBilling.objects.create(outlet=world.outlet, business_name="Bistro De Tafel", receipt_printer=printer)
    yield server
    server.stop()


def test_the_z_prints_per_outlet_and_for_the_house_and_says_which_outlet_has_no_printer(
    world, bar, receipt_printers, client
):
    day = close(world, bar)
    client.force_login(world.manager)
    page = client.post(f"/manager/day/{day.date.isoformat()}/closed/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "No receipt printer is set up for Bar" in text

    jobs = list(PrintJob.objects.filter(source__startswith=f"billing.z:{day.pk}").order_by("pk"))
    assert [job.source for job in jobs] == [f"billing.z:{day.pk}:{world.outlet.pk}", f"billing.z:{day.pk}"]
    for job in jobs:
        deliver_print_job(job_id=job.pk)
    printed = decode(receipt_printers.received).text
    gross = day.report["sales"]["gross"]
    bistro = next(s for s in day.report["outlets"] if s["outlet"]["name"] == "Bistro")
    assert printed.count("Z report no. 1") == 2
    assert f"{bistro['sales']['gross'] // 100}.{bistro['sales']['gross'] % 100:02d}" in printed
    assert f"{gross // 100}.{gross % 100:02d}" in printed, "the house's gross is on the house Z"
    assert "House" in printed and "Per outlet" in printed

    client.force_login(world.waiter)
    assert client.post(f"/manager/day/{day.date.isoformat()}/closed/").status_code == 403


def test_the_z_pdf_is_a_pdf_with_the_z_number_and_each_outlet(world, bar, client):
    day = close(world, bar)
    client.force_login(world.manager)
    response = client.get(f"/manager/day/{day.date.isoformat()}/z.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    assert b"Z report no. 1" in body and b"/Title (Z report 1)" in body
    assert b"Bistro" in body and b"Bar" in body and b"House" in body
    assert client.get("/manager/day/2001-01-01/z.pdf").status_code == 404
    client.force_login(world.waiter)
    assert client.get(f"/manager/day/{day.date.isoformat()}/z.pdf").status_code == 403


def test_after_the_z_cash_asks_to_open_the_drawer_first_and_the_last_page_lists_the_drawers(world, bar, cash, client):
    day = close(world, bar)
    client.force_login(world.manager)
    page = client.get(f"/manager/day/{day.date.isoformat()}/closed/")
    assert page.status_code == 200
    assert [o.name for o in page.context["drawers_to_open"]] == ["Bar", "Bistro"]
    assert "Z report no. 1" in page.content.decode()

    open_check = Check.objects.get(status=Check.Status.OPEN)
    with pytest.raises(ValidationError) as refused:
        services.pay_cash(check=open_check, tender=cash, cash_given=50000, by=world.waiter)
    assert refused.value.message_dict["tender"] == [
        "Open the cash drawer first: no cash drawer is open at Bistro. "
        "A cashier or manager opens it with the float, then take the cash."
    ]
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    assert services.pay_cash(check=open_check, tender=cash, cash_given=50000, by=world.waiter).state == "captured"
    page = client.get(f"/manager/day/{day.date.isoformat()}/closed/")
    assert [o.name for o in page.context["drawers_to_open"]] == ["Bar"]
