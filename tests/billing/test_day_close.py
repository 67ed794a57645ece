"""The Z: closing the business day numbers it, stores its report and locks it.

Built on the busy day of test_reports (four tables, splits, discounts, cash, vouchers,
a refund, a part-paid check left open), through the real services.
"""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing import services
from billing.models import BusinessDay, Check, DrawerSession, Payment
from billing.reports import day_report
from orders.models import Order
from staff.models import AuditEntry
from tests.billing.conftest import checks_of, dinner


def count_the_drawer(world) -> DrawerSession:
    drawer = DrawerSession.objects.get(closed_at__isnull=True)
    return services.close_drawer(session=drawer, counted=services.expected_cash(drawer), by=world.manager)


def test_the_z_is_refused_while_a_drawer_is_open_or_an_order_is_open(busy_day, world):
    with pytest.raises(ValidationError) as refused:
        services.close_business_day(by=world.manager)
    assert "Count and close the cash drawer first: Bistro." in refused.value.message_dict["drawers"]

    count_the_drawer(world)
    with pytest.raises(ValidationError) as refused:
        services.close_business_day(by=world.manager)
    assert refused.value.message_dict["open_orders"] == [
        "1 order is still open: settle it, or carry it over to the next day."
    ]
    assert BusinessDay.objects.get().closed_at is None, "a refused Z changes nothing"


def test_only_a_manager_closes_the_day(busy_day, world):
    count_the_drawer(world)
    with pytest.raises(PermissionDenied):
        services.close_business_day(by=world.waiter, carry_over_open_orders=True)


def test_the_z_stores_the_report_numbers_the_day_and_later_money_goes_to_the_next(busy_day, world, voucher):
    count_the_drawer(world)
    x = day_report(day=services.current_business_day())

    day = services.close_business_day(by=world.manager, carry_over_open_orders=True)

    day.refresh_from_db()
    assert (day.z_number, day.closed_by, day.report["kind"], day.report["z_number"]) == (1, world.manager, "Z", 1)
    assert day.report["sales"] == x["sales"] and day.report["by_tender"] == x["by_tender"]
    assert len(day.report["open_checks"]) == 1, "the carried-over check is named in the Z"
    entry = AuditEntry.objects.get(action="business_day_closed")
    assert entry.details == {"z_number": 1, "gross": x["sales"]["gross"], "open_orders_carried_over": 1}

    # The carried-over check is paid after the Z: in the next day, and the stored Z does not move.
    open_check = busy_day["open_check"]
    rest = services.check_total(Check.objects.get(pk=open_check.pk)) - 1000
    payment = services.pay_other(check=open_check, tender=voucher, amount=rest, by=world.other_waiter)
    nxt = payment.business_day
    assert nxt != day and not nxt.is_closed and nxt.date > day.date
    assert Check.objects.get(pk=open_check.pk).business_day == nxt
    stored = BusinessDay.objects.get(pk=day.pk).report
    assert stored == day.report
    assert day_report(day=BusinessDay.objects.get(pk=day.pk))["sales"] == x["sales"], "its rows did not move either"

    # Reopening a check of the closed day is refused; a refund lands in the open day.
    closed_check = Check.objects.filter(business_day=day).first()
    with pytest.raises(ValidationError, match="closed business day"):
        services.reopen_check(
            check=closed_check, reason="Typo", by=world.manager, approver_id=world.manager.pk, approver_pin="9999"
        )
    paid = Payment.objects.filter(business_day=day, state=Payment.State.CAPTURED, tender__kind="other").first()
    refund = services.refund_payment(
        payment=paid, amount=100, reason="Bread", by=world.manager, approver_id=world.manager.pk, approver_pin="9999"
    )
    assert refund.business_day == nxt

    # The next day closes as Z 2; with nothing sold since, there is no day to close.
    second = services.close_business_day(by=world.manager)
    assert second.z_number == 2 and second.report["sales"]["checks"] == 1
    with pytest.raises(ValidationError, match="No business day is open"):
        services.close_business_day(by=world.manager)


def test_a_card_payment_under_way_holds_the_z(world, cash):
    from billing.models import CardReader, Tender

    Tender.objects.create(name="Card", kind=Tender.Kind.CARD)
    order = dinner(world, table=0, waiter=world.waiter, covers=2, lines=[(world.soup, 1, 1)])
    (check,) = checks_of(order)
    # A payment the reader has not answered yet, as `start_card_payment` leaves it.
    reader = CardReader.objects.create(outlet=world.outlet, label="Reader 1", stripe_id="tmr_test")
    Payment.objects.create(
        guest_check=check, tender=Tender.objects.get(kind="card"), amount=750, reader=reader, by=world.waiter
    )
    count_the_drawer(world)
    with pytest.raises(ValidationError) as refused:
        services.close_business_day(by=world.manager, carry_over_open_orders=True)
    assert refused.value.message_dict["payments"] == [
        f"A payment is still under way (Card {order.pk}-1): let it finish or cancel it."
    ]


def test_the_api_closes_the_day_for_managers_only_and_a_retry_returns_the_first_z(busy_day, world, api_as):
    count_the_drawer(world)
    assert api_as(world.waiter).post("/api/billing/days/close/", {}, format="json").status_code == 403

    manager = api_as(world.manager)
    refused = manager.post("/api/billing/days/close/", {}, format="json")
    assert refused.status_code == 400 and "open_orders" in refused.json()

    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    first = manager.post("/api/billing/days/close/", {"carry_over_open_orders": True}, format="json", **key)
    again = manager.post("/api/billing/days/close/", {"carry_over_open_orders": True}, format="json", **key)
    assert first.status_code == 200 and first.json()["z_number"] == 1
    assert again.json() == first.json()
    assert BusinessDay.objects.filter(z_number__isnull=False).count() == 1
    assert manager.post("/api/billing/days/close/", {"carry_over": True}, format="json").status_code == 400


def test_the_page_closes_the_day_and_shows_why_it_cannot(client, busy_day, world):
    client.force_login(world.manager)
    page = client.get("/manager/day/").content.decode()
    assert 'href="/manager/day/close/"' in page, "the day report leads to the close of day wizard"
    wizard = client.get("/manager/day/close/").content.decode()
    assert 'action="/manager/day/close/"' in wizard and 'name="carry_over_open_orders"' in wizard

    refused = client.post("/manager/day/close/", {"carry_over_open_orders": "1"})
    assert refused.status_code == 400
    assert "Count and close the cash drawer first: Bistro." in refused.content.decode()

    count_the_drawer(world)
    done = client.post("/manager/day/close/", {"carry_over_open_orders": "1"})
    day = BusinessDay.objects.get(z_number=1)
    assert done.status_code == 302 and done.url == f"/manager/day/{day.date.isoformat()}/closed/"
    assert "Z report no. 1" in client.get(done.url).content.decode()
    z_page = client.get(f"/manager/day/{day.date.isoformat()}/").content.decode()
    assert "Z report no. 1" in z_page and 'href="/manager/day/close/"' not in z_page

    client.force_login(world.waiter)
    assert client.post("/manager/day/close/").status_code == 403
    assert Order.objects.filter(status=Order.Status.OPEN).count() == 1
