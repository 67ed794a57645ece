"""The X / Z day report: a day built through the real services, and every figure adding up.

The identities asserted here are the ones `billing.reports` documents:
- gross == net + tax == sum of the tax rates' gross (net and tax likewise);
- items - discounts - comps + service charge (+ tax added on top) == gross;
- the discount and comp lists add up to the sales' discounts and comps;
- categories and items add up to the sales after line discounts and comps, before check discounts;
- tenders == gross + payments on checks not settled in the day - earlier days' payments on the day's checks
  (tenders == gross on a day whose checks all settled the same day), with tips and cash rounding on top;
- waiters add up to the checks, the gross and the tips; refunds per tender to the refund list;
- an open drawer's expected cash is what `services.expected_cash` says, and its parts add up to it.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

import config.urls
from billing import services
from billing.models import BusinessDay, Check, CheckItem, Payment
from billing.reports import day_report
from billing.templatetags.money import money
from orders.services import void_line
from tests.billing.conftest import APPROVAL, checks_of, dinner, line_of, pay_cash_in_full, pay_voucher_in_full

# The page's URLs, for as long as config/urls.py does not mount them itself.
urlpatterns = [path("manager/", include("billing.page_urls")), *config.urls.urlpatterns]


@pytest.fixture
def pages(settings):
    try:
        reverse("billing:day-report", urlconf="config.urls")
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


def test_sales_add_up_by_rate_category_item_and_discount(busy_day):
    report = day_report(day=services.current_business_day())
    sales = report["sales"]
    closed = Check.objects.filter(status=Check.Status.CLOSED)

    assert report["kind"] == "X" and report["z_number"] is None and report["closed_at"] is None
    assert sales["checks"] == closed.count() == 7
    assert sales["covers"] == 4 + 2 + 3 + 2  # every order with a check settled today, once
    assert sales["gross"] == sum(services.check_total(c) for c in closed)
    assert sales["gross"] == sales["net"] + sales["tax"]
    assert sales["tax_added"] == 0  # prices include tax
    for key in ("net", "tax", "gross"):
        assert sum(r[key] for r in report["by_tax_rate"]) == sales[key]
    assert [r["rate"] for r in report["by_tax_rate"]] == ["21.00", "9.00"]
    assert (
        sales["items"] - sales["discounts"] - sales["comps"] + sales["service_charge"] + sales["tax_added"]
        == sales["gross"]
    )
    assert sales["average_check"] == round(sales["gross"] / 7)
    assert sales["average_per_cover"] == round(sales["gross"] / 11)

    # Discounts: 10% of two salads, 5.00 off B, 20% of C (on both halves), D's settled half of 10% of the wine.
    assert sales["line_discounts"] == 190 + 175
    assert sales["check_discounts"] == 500 + 530
    assert sales["discounts"] == sum(d["amount"] for d in report["discounts"]) == 190 + 500 + 530 + 175
    assert sorted((d["level"], d["reason"], d["amount"]) for d in report["discounts"]) == [
        ("check", "Birthday", 500),
        ("check", "Complaint", 265),
        ("check", "Complaint", 265),
        ("line", "Corked", 175),
        ("line", "Regulars", 190),
    ]
    assert next(d for d in report["discounts"] if d["reason"] == "Complaint")["approver"] == "Mila"
    assert sales["comps"] == sum(c["amount"] for c in report["comps"]) == 750
    [comp] = report["comps"]
    assert (comp["item"], comp["reason"], comp["by"], comp["approver"]) == ("Soup", "Cold soup", "Anna", "Mila")

    # What was sold: before check discounts and service charge.
    goods = sales["items"] - sales["line_discounts"] - sales["comps"]
    assert sum(c["gross"] for c in report["by_category"]) == sum(i["gross"] for i in report["by_item"]) == goods
    assert goods - sales["check_discounts"] + sales["service_charge"] == sales["gross"]
    assert sum(i["amount"] for i in report["by_item"]) == sales["items"]
    items = {i["name"]: i for i in report["by_item"]}
    # Wine: A's bottle in three thirds, B's, half of D's (the other half is on the open check).
    assert items["Wine bottle"]["qty"] == "5/2"
    assert items["Wine bottle"]["gross"] == 3500 + 3500 + 1575
    # Soup: A's comped one counts, A's voided one does not, B and C; D's is on the open check.
    assert items["Soup"]["qty"] == "3"
    assert items["Soup"]["discounts"] == 750
    assert items["Salad"]["qty"] == "6"
    assert [c["name"] for c in report["by_category"]] == ["Starters"]  # the wine is filed with the starters here

    json.loads(json.dumps(report))  # JSON-able, as the Z is stored


def test_tenders_waiters_refunds_and_voids_add_up(busy_day, world):
    report = day_report(day=services.current_business_day())
    sales, tenders = report["sales"], report["by_tender"]
    payments = Payment.objects.filter(state=Payment.State.CAPTURED)

    # D's open check has 10.00 paid on it: taken today, not in today's sales.
    assert report["reconciliation"] == {
        "not_in_sales": 1000,
        "from_earlier_days": 0,
        "tendered": sales["gross"] + 1000,
        "sales_gross": sales["gross"],
    }
    assert sum(t["amount"] for t in tenders) == sales["gross"] + 1000
    assert [t["name"] for t in tenders] == ["Cash", "Voucher"]
    assert sum(t["count"] for t in tenders) == payments.count()
    assert report["tips"] == sum(t["tips"] for t in tenders) == 100 + 200
    assert report["cash_rounding"] == sum(p.rounding for p in payments) == sum(t["rounding"] for t in tenders)
    assert any(p.rounding for p in payments), "the day should have a rounded cash payment"
    for tender in tenders:
        assert tender["taken"] == tender["amount"] + tender["tips"] + tender["rounding"]
        assert tender["net"] == tender["taken"] - tender["refunds"]

    assert sum(w["checks"] for w in report["by_waiter"]) == sales["checks"]
    assert sum(w["gross"] for w in report["by_waiter"]) == sales["gross"]
    assert sum(w["tips"] for w in report["by_waiter"]) == report["tips"]
    waiters = {w["name"]: w for w in report["by_waiter"]}
    assert (waiters["Anna"]["checks"], waiters["Anna"]["tips"]) == (5, 100)
    assert (waiters["Bram"]["checks"], waiters["Bram"]["tips"]) == (2, 200)

    [refund] = report["refunds"]
    assert (refund["tender"], refund["amount"], refund["reason"], refund["approver"]) == (
        "Cash",
        300,
        "Overcharged",
        "Mila",
    )
    assert report["refunds_total"] == sum(t["refunds"] for t in tenders) == 300

    [void] = report["voids"]
    assert (void["item"], void["qty"], void["amount"], void["by"], void["reason"], void["approver"]) == (
        "Soup",
        1,
        750,
        "Anna",
        "Wrong table",
        "Mila",
    )
    assert report["voids_total"] == 750

    [open_check] = report["open_checks"]
    assert open_check["id"] == busy_day["open_check"].pk
    assert (open_check["total"], open_check["paid"], open_check["waiter"]) == (750 + 1575, 1000, "Bram")
    assert report["open_orders"] == 1


def test_the_drawer_expects_what_the_service_expects(busy_day):
    report = day_report(day=services.current_business_day())
    [drawer] = report["drawers"]
    session = busy_day["drawer"]
    cash = report["by_tender"][0]

    assert drawer["expected"] == services.expected_cash(session)
    assert drawer["expected"] == (
        drawer["float"]
        + drawer["cash_sales"]
        + drawer["rounding"]
        + drawer["tips"]
        - drawer["refunds"]
        + drawer["pay_ins"]
        - drawer["pay_outs"]
    )
    assert (drawer["float"], drawer["pay_ins"], drawer["pay_outs"], drawer["refunds"]) == (10000, 500, 1000, 300)
    assert (drawer["cash_sales"], drawer["rounding"], drawer["tips"]) == (
        cash["amount"],
        cash["rounding"],
        cash["tips"],
    )
    assert drawer["counted"] is None and drawer["variance"] is None

    closed = services.close_drawer(session=session, counted=drawer["expected"] - 20, by=session.opened_by)
    [drawer] = day_report(day=services.current_business_day())["drawers"]
    assert (drawer["expected"], drawer["counted"], drawer["variance"]) == (closed.expected, closed.counted, -20)


def test_a_day_closed_and_the_next_keep_their_own_figures(busy_day, world, voucher):
    day = services.current_business_day()
    BusinessDay.objects.filter(pk=day.pk).update(closed_at=timezone.now(), z_number=1)
    day.refresh_from_db()
    z = day_report(day=day)
    assert (z["kind"], z["z_number"]) == ("Z", 1)

    # The open check is settled the next day: its earlier part payment is "from an earlier day" there.
    following = services.current_business_day()
    open_check = busy_day["open_check"]
    pay_voucher_in_full_rest = services.check_total(Check.objects.get(pk=open_check.pk)) - 1000
    services.pay_other(check=open_check, tender=voucher, amount=pay_voucher_in_full_rest, by=world.other_waiter)
    nxt = day_report(day=following)
    assert nxt["sales"]["checks"] == 1 and nxt["sales"]["gross"] == 750 + 1575
    assert nxt["reconciliation"]["from_earlier_days"] == 1000
    assert sum(t["amount"] for t in nxt["by_tender"]) == nxt["sales"]["gross"] - 1000
    assert nxt["voids"] == [] and nxt["drawers"] == [] and nxt["open_checks"] == []
    assert day_report(day=day)["sales"] == z["sales"]


def build_orders(world, cash, voucher, wine, count, first_table):
    """`count` orders, each with a void, a discount, a shared bottle, cash and a voucher, one refund in all."""
    approval = {"approver_id": world.manager.pk, **APPROVAL}
    for n in range(count):
        order = dinner(
            world,
            table=first_table + n,
            waiter=world.waiter if n % 2 else world.other_waiter,
            covers=2,
            lines=[(world.soup, 1, 1), (world.salad, 2, 1), (wine, 0, 1)],
        )
        void_line(line=line_of(order, world.soup), by=world.waiter, reason="Sent twice", **approval)
        first = checks_of(order)[0]
        services.give_discount(
            check=first, line=line_of(order, world.salad), by=world.waiter, reason="Late", percent="5"
        )
        services.share_item(item=CheckItem.objects.get(guest_check=first, line__item=wine), ways=2, by=world.waiter)
        one, two = checks_of(order)
        payment = pay_cash_in_full(one, cash, world.waiter, tip=50)
        pay_voucher_in_full(two, voucher, world.waiter)
        if n == 0:
            services.refund_payment(payment=payment, amount=100, reason="Bread", by=world.waiter, **approval)


def test_the_report_costs_the_same_queries_for_1_or_10_orders(world, cash, voucher, wine, settings):
    settings.CASH_ROUNDING = 5
    world.tables.extend(
        world.tables[0].__class__.objects.create(area=world.area, number=f"T{n}", seats=2) for n in range(6)
    )
    counts = []
    for count, first_table in ((1, 0), (9, 1)):
        build_orders(world, cash, voucher, wine, count, first_table)
        day = services.current_business_day()
        with CaptureQueriesContext(connection) as queries:
            report = day_report(day=day)
        counts.append(len(queries))
    assert report["sales"]["checks"] == 20
    assert sum(t["amount"] for t in report["by_tender"]) == report["sales"]["gross"]
    assert counts == [12, 12]


# The manager's page ----------------------------------------------------------------------


def test_only_managers_see_the_day_report(client, world, pages):
    assert client.get("/manager/day/").status_code == 302
    client.force_login(world.waiter)
    assert client.get("/manager/day/").status_code == 403


def test_the_page_shows_the_open_days_x_report(client, busy_day, world, pages):
    client.force_login(world.manager)
    report = day_report(day=services.current_business_day())

    response = client.get("/manager/day/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "X report" in page
    assert money(report["sales"]["gross"]) in page
    assert "Wrong table" in page and "Cold soup" in page and "Overcharged" in page
    assert 'role="alert"' in page, "the open check is a warning"
    assert "billing/day_report.css" in page and 'data-action="print"' in page


def test_a_closed_day_shows_its_stored_z_by_date(client, world, pages):
    day = services.current_business_day()
    BusinessDay.objects.filter(pk=day.pk).update(closed_at=timezone.now(), z_number=7)
    day.refresh_from_db()
    stored = day_report(day=day)
    stored["sales"]["gross"] = 123456  # what was stored is shown, never recomputed
    BusinessDay.objects.filter(pk=day.pk).update(report=stored)
    client.force_login(world.manager)

    page = client.get(f"/manager/day/{day.date.isoformat()}/").content.decode()

    assert "Z report no. 7" in page
    assert money(123456) in page
    assert client.get("/manager/day/").status_code == 200, "no open day: the page says so"
    missing = day.date + datetime.timedelta(days=30)
    assert client.get(f"/manager/day/{missing.isoformat()}/").status_code == 404
    assert client.get("/manager/day/yesterday/").status_code == 404


def test_money_on_the_page_is_formatted_like_the_pages_scripts():
    # As Intl.NumberFormat("en", {style: "currency"}) has it (tests/test_formats.py has Dutch).
    assert money(7850) == "€78.50"
    assert money(-20, "USD") == "-$0.20"
    assert money(None) == ""
