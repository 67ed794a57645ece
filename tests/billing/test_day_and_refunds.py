"""Business days, cash drawers with a blind count, refunds and reopening with approval."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import services
from billing.models import BusinessDay, CashMovement, Check, Payment, Refund, Tender
from orders.models import Order
from staff.models import AuditEntry
from tests.billing.stripe_server import StripeServer
from tests.billing.test_checks import first_check, table_for_four

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def cash(world):
    return Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)


def test_a_night_past_midnight_belongs_to_the_day_it_began(settings):
    settings.BUSINESS_DAY_ENDS_AT = "05:00"
    late = datetime.datetime(2026, 12, 5, 1, 30, tzinfo=AMSTERDAM)
    assert services.business_date(late) == datetime.date(2026, 12, 4)
    assert services.business_date(late.replace(hour=6)) == datetime.date(2026, 12, 5)


def test_after_an_early_close_the_next_sales_go_to_the_next_day(db):
    day = services.current_business_day()
    BusinessDay.objects.filter(pk=day.pk).update(closed_at=timezone.now())
    following = services.current_business_day()
    assert following.date == day.date + datetime.timedelta(days=1)


def test_cash_needs_an_open_drawer(world, cash):
    order = table_for_four(world)
    with pytest.raises(ValidationError) as refused:
        services.pay_cash(check=first_check(order, world), tender=cash, cash_given=10000, by=world.waiter)
    assert "drawer" in str(refused.value)


def test_blind_count_gives_the_variance(world, cash, settings):
    settings.CASH_ROUNDING = 5
    drawer = services.open_drawer(outlet=world.outlet, opening_float=15000, by=world.manager)
    with pytest.raises(ValidationError):
        services.open_drawer(outlet=world.outlet, opening_float=0, by=world.manager)
    order = table_for_four(world)
    services.pay_cash(check=first_check(order, world), tender=cash, cash_given=10000, by=world.waiter)  # 78.50
    services.record_cash_movement(
        session=drawer, kind=CashMovement.Kind.PAY_OUT, amount=2000, reason="Bread", by=world.manager
    )
    services.record_cash_movement(
        session=drawer, kind=CashMovement.Kind.PAY_IN, amount=500, reason="Coins", by=world.manager
    )
    closed = services.close_drawer(session=drawer, counted=15000 + 7850 - 2000 + 500 - 10, by=world.manager)
    assert closed.expected == 15000 + 7850 - 2000 + 500
    assert closed.variance == -10
    assert AuditEntry.objects.filter(action="drawer_closed", details__variance=-10).exists()


def test_refund_needs_a_manager_and_never_exceeds_what_was_paid(world, cash):
    services.open_drawer(outlet=world.outlet, opening_float=15000, by=world.manager)
    order = table_for_four(world)
    payment = services.pay_cash(check=first_check(order, world), tender=cash, cash_given=10000, by=world.waiter)
    with pytest.raises(ValidationError):
        services.refund_payment(
            payment=payment, amount=500, reason="Cold soup", by=world.waiter, approver_id=None, approver_pin=None
        )
    refund = services.refund_payment(
        payment=payment,
        amount=500,
        reason="Cold soup",
        by=world.waiter,
        approver_id=world.manager.pk,
        approver_pin="9999",
    )
    assert refund.state == Refund.State.SUCCEEDED and refund.approval.approver == world.manager
    with pytest.raises(ValidationError) as refused:
        services.refund_payment(
            payment=payment,
            amount=payment.amount,
            reason="Again",
            by=world.waiter,
            approver_id=world.manager.pk,
            approver_pin="9999",
        )
    assert "amount" in refused.value.message_dict
    assert Payment.objects.get(pk=payment.pk).refunded == 500


def test_card_refund_goes_back_to_the_card_through_stripe(world, settings):
    with StripeServer(deliver="none") as server:
        settings.STRIPE_API_BASE, settings.STRIPE_SECRET_KEY = server.url, server.api_key
        from billing.models import CardReader

        Tender.objects.create(name="Card", kind=Tender.Kind.CARD)
        reader = CardReader.objects.create(outlet=world.outlet, label="R", stripe_id=server.add_reader())
        order = table_for_four(world)
        payment = services.start_card_payment(check=first_check(order, world), reader=reader, by=world.waiter)
        server.present_card(reader.stripe_id, tip=200)
        payment = services.settle_card_payment(payment=payment)
        refund = services.refund_payment(
            payment=payment,
            amount=1000,
            reason="Wine corked",
            by=world.manager,
            approver_id=world.manager.pk,
            approver_pin="9999",
        )
        assert refund.state == Refund.State.SUCCEEDED
        assert server.refund(refund.provider_id)["amount"] == 1000
        calls = server.requests_to(r"/v1/refunds$", "POST")
        assert calls[0].idempotency_key == f"tafel-refund-{refund.pk}"


def test_reopen_a_paid_check_with_approval_and_never_in_a_closed_day(world, cash):
    services.open_drawer(outlet=world.outlet, opening_float=0, by=world.manager)
    order = table_for_four(world)
    check = first_check(order, world)
    services.pay_cash(check=check, tender=cash, cash_given=10000, by=world.waiter)
    assert Order.objects.get(pk=order.pk).status == Order.Status.CLOSED
    with pytest.raises(ValidationError):
        services.reopen_check(check=check, reason="Wrong tender", by=world.waiter, approver_id=None, approver_pin=None)
    services.reopen_check(
        check=check, reason="Wrong tender", by=world.waiter, approver_id=world.manager.pk, approver_pin="9999"
    )
    assert Check.objects.get(pk=check.pk).status == Check.Status.OPEN
    assert Order.objects.get(pk=order.pk).status == Order.Status.OPEN
    # Paid again, then its day is closed: reopening is refused.
    check.refresh_from_db()
    Check.objects.filter(pk=check.pk).update(status=Check.Status.CLOSED)
    BusinessDay.objects.filter(pk=check.business_day_id).update(closed_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        services.reopen_check(
            check=check, reason="Too late", by=world.waiter, approver_id=world.manager.pk, approver_pin="9999"
        )
    assert "closed business day" in str(refused.value)
