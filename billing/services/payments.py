"""Cash and other tenders taken on a check, and the check closed once they cover it."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import broadcasts
from billing.models import (
    PAYMENT_WORKFLOW,
    Check,
    CheckItem,
    Payment,
    PaymentStateChange,
    Tender,
)
from billing.selectors import check_total, open_drawer_for, order_bill, paid_towards, reserved_towards
from billing.services.business_day import _day_taking_money
from billing.services.checks import _announce_bill_on_commit, _open_check, _require_billing_role, _set_check_status
from billing.services.drawers import kick_drawer
from billing.signals import check_closed, payment_captured
from billing.totals import cash_rounded
from orders import services as order_services
from orders.models import Order, OrderLine
from staff.models import User
from staff.services import record_audit

logger = logging.getLogger(__name__)


def _freeze(check: Check, order: Order) -> None:
    """Store the check's figures and its items' amounts: a payment is about to count on them."""
    if check.is_frozen:
        return
    _checks, totals = order_bill(order=order)
    figures = totals[check.pk]
    check.freeze_figures(figures.as_dict())
    check.save(update_fields=["frozen_totals", "frozen_net", "frozen_tax", "frozen_gross"])
    shares = {s.key: s for s in figures.shares}
    items = list(CheckItem.objects.filter(guest_check=check))
    for item in items:
        item.frozen_amount = shares[item.pk].amount
        item.frozen_discount = shares[item.pk].discount
    CheckItem.objects.bulk_update(items, ["frozen_amount", "frozen_discount"])


def _record_payment_state(payment: Payment, to_state: str, *, by: User | None, note: str = "") -> None:
    PAYMENT_WORKFLOW.check(payment.state, to_state)
    PaymentStateChange.objects.create(
        payment=payment, from_state=payment.state, to_state=to_state, by=by, note=note[:200]
    )
    payment.state = to_state


def _close_if_paid(check: Check, order: Order, by: User) -> bool:
    """Close the check when captured payments cover it; the order when all its checks are closed."""
    check = Check.objects.prefetch_related("payments").get(pk=check.pk)
    if check.status != Check.Status.OPEN or paid_towards(check) < check_total(check):
        return False
    _set_check_status(check=check, to_status=Check.Status.CLOSED, by=by)
    check.closed_at = timezone.now()
    check.business_day = _day_taking_money()
    check.save(update_fields=["status", "closed_at", "business_day"])
    check_closed.send(sender=Check, check=check, by=by)
    still_open = Check.objects.filter(order=order, status=Check.Status.OPEN).exists()
    loose = OrderLine.objects.filter(order=order, check_items__isnull=True).exclude(
        status__in=[OrderLine.Status.REMOVED, OrderLine.Status.VOID]
    )
    if not still_open and not loose.exists() and order.status == Order.Status.OPEN:
        order_services.close_order(order=order, by=by)
    return True


def _start_payment(*, check: Check, tender: Tender, amount: int, tip: int, by: User, client_uuid) -> tuple:
    """Lock, freeze and check the amount against what is left; returns (order, check, existing payment)."""
    if client_uuid is not None:
        existing = Payment.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return None, None, existing
    if not tender.is_active:
        raise ValidationError({"tender": _("This tender is not in use.")})
    if not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": _("An amount is a whole number of cents, at least 1.")})
    if not isinstance(tip, int) or tip < 0:
        raise ValidationError({"tip": _("A tip is a whole number of cents, 0 or more.")})
    if tip and not tender.allows_tip:
        raise ValidationError({"tip": _("This tender takes no tips.")})
    order, check = _open_check(check)
    _freeze(check, order)
    check = Check.objects.prefetch_related("payments").get(pk=check.pk)
    left = check_total(check) - reserved_towards(check)
    if left <= 0:
        raise ValidationError({"amount": _("This check is paid (or a payment for it is under way).")})
    return order, check, left


def pay_cash(
    *,
    check: Check,
    tender: Tender,
    cash_given: int,
    by: User,
    tip: int = 0,
    amount: int | None = None,
    client_uuid=None,
) -> Payment:
    """Take cash. Paying off the check rounds what is due to 5 cents (CASH_ROUNDING); returns change.

    `amount` pays part of the check; without it the cash pays what is left.
    """
    _require_billing_role(by)
    if tender.kind != Tender.Kind.CASH:
        raise ValidationError({"tender": _("This is not a cash tender.")})
    if not isinstance(cash_given, int) or cash_given < 1:
        raise ValidationError({"cash_given": _("Type the cash handed over, in cents.")})
    with transaction.atomic():
        order, check, left = _start_payment(
            check=check, tender=tender, amount=amount or 1, tip=tip, by=by, client_uuid=client_uuid
        )
        if order is None:
            return left  # the payment this client_uuid made before
        applied = left if amount is None else amount
        if applied > left:
            raise ValidationError({"amount": _("That is more than is left to pay.")})
        drawer = open_drawer_for(order.outlet_id)
        if drawer is None:
            # After a Z every drawer is counted and closed: the next day starts with opening one.
            raise ValidationError(
                {
                    "tender": _(
                        "Open the cash drawer first: no cash drawer is open at %(outlet)s. "
                        "A cashier or manager opens it with the float, then take the cash."
                    )
                    % {"outlet": order.outlet.name}
                }
            )
        rounding = cash_rounded(applied, settings.CASH_ROUNDING) - applied if applied == left else 0
        due = applied + rounding + tip
        if cash_given < due:
            raise ValidationError({"cash_given": _("The cash handed over does not cover what is due.")})
        payment = _new_payment(
            check=check,
            tender=tender,
            by=by,
            client_uuid=client_uuid,
            amount=applied,
            tip=tip,
            cash_given=cash_given,
            change_due=cash_given - due,
            rounding=rounding,
            drawer_session=drawer,
        )
        _capture(payment, by=by, order=order)
        transaction.on_commit(lambda: kick_drawer(outlet_id=order.outlet_id), robust=True)
    return payment


def pay_other(
    *, check: Check, tender: Tender, amount: int, by: User, tip: int = 0, reference: str = "", client_uuid=None
) -> Payment:
    """Take a payment by another tender the manager set up (voucher, an outside card terminal)."""
    _require_billing_role(by)
    if tender.kind != Tender.Kind.OTHER:
        raise ValidationError({"tender": _("Use the cash, card or room charge flow for this tender.")})
    with transaction.atomic():
        order, check, left = _start_payment(
            check=check, tender=tender, amount=amount, tip=tip, by=by, client_uuid=client_uuid
        )
        if order is None:
            return left
        if amount > left:
            raise ValidationError({"amount": _("That is more than is left to pay.")})
        payment = _new_payment(
            check=check,
            tender=tender,
            by=by,
            client_uuid=client_uuid,
            amount=amount,
            tip=tip,
            reference=(reference or "")[:80],
        )
        _capture(payment, by=by, order=order)
    return payment


def _new_payment(*, check: Check, tender: Tender, by: User, client_uuid, **fields) -> Payment:
    """A pending payment row and its first history entry; the caller captures it or waits for the provider."""
    payment = Payment.objects.create(
        client_uuid=client_uuid or Payment._meta.get_field("client_uuid").default(),
        guest_check=check,
        tender=tender,
        by=by,
        **fields,
    )
    PaymentStateChange.objects.create(payment=payment, from_state="", to_state=Payment.State.PENDING, by=by)
    return payment


def _capture(payment: Payment, *, by: User, order: Order) -> None:
    _record_payment_state(payment, Payment.State.CAPTURED, by=by)
    payment.captured_at = timezone.now()
    payment.business_day = _day_taking_money()
    payment.save(update_fields=["state", "captured_at", "business_day"])
    record_audit(
        actor=by,
        action="payment_captured",
        subject=payment,
        details={"check": payment.guest_check_id, "amount": payment.amount, "tip": payment.tip},
    )
    payment_captured.send(sender=Payment, payment=payment, by=by)
    _close_if_paid(payment.guest_check, order, by)
    _announce_bill_on_commit(order)


def _payment_key(payment: Payment) -> str:
    return f"tafel-payment-{payment.client_uuid}"


def _fail_payment(
    payment_id: int, *, message: str, state: str = Payment.State.FAILED, by: User | None = None
) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state != Payment.State.PENDING:
            return payment
        _record_payment_state(payment, state, by=by, note=message)
        payment.failure_message = message[:200]
        payment.save(update_fields=["state", "failure_message"])
        _announce_payment_on_commit(payment)
    return payment


def _announce_payment_on_commit(payment: Payment) -> None:
    transaction.on_commit(lambda: broadcasts.announce_payment(payment.pk), robust=True)
