"""Money given back on a paid check, to the tender it came on, and a paid check reopened."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from billing import card_terminal
from billing.models import (
    Check,
    Payment,
    Refund,
    Tender,
)
from billing.selectors import open_drawer_for
from billing.services.adjustments import _approval_if_needed
from billing.services.business_day import _day_taking_money
from billing.services.checks import _lock_order, _require_billing_role, _set_check_status, _touch
from billing.services.drawers import kick_drawer
from orders import services as order_services
from orders.models import Order
from staff.models import User
from staff.services import record_audit

logger = logging.getLogger(__name__)


def refund_payment(
    *, payment: Payment, amount: int, reason: str, by: User, approver_id: int | None, approver_pin: str | None
) -> Refund:
    """Give money back on a captured payment, to the same tender, with a manager's approval.

    Cards are refunded through Stripe (keyed by the refund row); cash comes out of the open drawer.
    """
    _require_billing_role(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": _("An amount is a whole number of cents, at least 1.")})
    approval = _approval_if_needed(
        needed=True, action="refund", by=by, reason=reason, approver_id=approver_id, approver_pin=approver_pin
    )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("tender", "guest_check__order").get(pk=payment.pk)
        if payment.state != Payment.State.CAPTURED:
            raise ValidationError({"payment": _("Only a completed payment can be refunded.")})
        if payment.tender.kind == Tender.Kind.ROOM_CHARGE:
            raise ValidationError({"payment": _("A room charge is corrected on the guest's folio by the front desk.")})
        refundable = payment.amount + payment.tip - payment.refunded
        if amount > refundable:
            raise ValidationError(
                {"amount": _("At most %(left)s can still be refunded on this payment.") % {"left": refundable}}
            )
        drawer = None
        if payment.tender.kind == Tender.Kind.CASH:
            drawer = open_drawer_for(payment.guest_check.order.outlet_id)
            if drawer is None:
                raise ValidationError({"payment": _("Open the cash drawer to give cash back.")})
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            reason=reason,
            approval=approval,
            by=by,
            business_day=_day_taking_money(),
            drawer_session=drawer,
        )
        payment.refunded += amount
        payment.save(update_fields=["refunded"])
        record_audit(actor=by, action="refund_given", subject=refund, approval=approval, reason=reason)
    if payment.tender.kind == Tender.Kind.CARD:
        try:
            provider_id = card_terminal.refund(
                key=f"tafel-refund-{refund.pk}", intent_id=payment.provider_id, amount=amount
            )
        except card_terminal.CardTerminalError as error:
            with transaction.atomic():
                Refund.objects.filter(pk=refund.pk).update(state=Refund.State.FAILED, failure_message=error.message)
                Payment.objects.filter(pk=payment.pk).update(refunded=F("refunded") - amount)
            refund.refresh_from_db()
            return refund
        Refund.objects.filter(pk=refund.pk).update(state=Refund.State.SUCCEEDED, provider_id=provider_id)
    else:
        Refund.objects.filter(pk=refund.pk).update(state=Refund.State.SUCCEEDED)
        if drawer is not None:
            transaction.on_commit(lambda: kick_drawer(outlet_id=drawer.outlet_id), robust=True)
    refund.refresh_from_db()
    return refund


def reopen_check(*, check: Check, reason: str, by: User, approver_id: int | None, approver_pin: str | None) -> Check:
    """Reopen a paid check with a manager's approval (and its order with it); refused once its day is closed."""
    _require_billing_role(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    approval = _approval_if_needed(
        needed=True, action="reopen_check", by=by, reason=reason, approver_id=approver_id, approver_pin=approver_pin
    )
    with transaction.atomic():
        order = _lock_order(check.order_id)
        check = Check.objects.select_related("business_day").get(pk=check.pk)
        if check.status != Check.Status.CLOSED:
            raise ValidationError({"check": _("Only a paid check can be reopened.")})
        if check.business_day_id and check.business_day.is_closed:
            raise ValidationError(
                {"check": _("This check belongs to a closed business day: refund it instead of reopening it.")}
            )
        _set_check_status(check=check, to_status=Check.Status.OPEN, by=by, reason=reason, approval=approval)
        check.closed_at = None
        check.save(update_fields=["status", "closed_at"])
        record_audit(actor=by, action="check_reopened", subject=check, approval=approval, reason=reason)
        if order.status == Order.Status.CLOSED:
            order_services.reopen_order(order=order, by=by, note=reason)
        _touch(check)
    return check
