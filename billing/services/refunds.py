"""Money given back on a paid check, to the tender it came on, and a paid check reopened."""

import logging
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from billing import card_terminal
from billing.models import (
    Check,
    CheckItem,
    Payment,
    Refund,
    RefundLine,
    Tender,
)
from billing.selectors import open_drawer_for
from billing.services.adjustments import _approval_if_needed
from billing.services.business_day import _day_taking_money
from billing.services.checks import _lock_order, _require_billing_role, _set_check_status, _touch
from billing.services.drawers import kick_drawer
from billing.totals import round_half_up
from orders import services as order_services
from orders.models import Order
from staff.models import User
from staff.services import record_audit

logger = logging.getLogger(__name__)


def _item_net(item: CheckItem) -> int:
    return (item.frozen_amount or 0) - (item.frozen_discount or 0)


def _units_refunded(item_ids: list[int]) -> dict[int, int]:
    rows = (
        RefundLine.objects.filter(item_id__in=item_ids)
        .exclude(refund__state=Refund.State.FAILED)
        .values("item_id")
        .annotate(qty=Sum("qty"))
    )
    return {row["item_id"]: row["qty"] for row in rows}


def _refund_line_rows(*, check: Check, lines: list[dict]) -> list[RefundLine]:
    """The lines to refund, their quantities checked against what was paid and refunded, amounts from frozen figures."""
    wanted: dict[int, int] = {}
    for line in lines:
        item_id, qty = line.get("item"), line.get("qty")
        if not isinstance(item_id, int) or not isinstance(qty, int) or qty < 1:
            raise ValidationError({"lines": _("Each line names an item and a quantity of at least 1.")})
        wanted[item_id] = wanted.get(item_id, 0) + qty
    items = {i.pk: i for i in CheckItem.objects.filter(guest_check=check, pk__in=wanted).select_related("line")}
    if len(items) != len(wanted):
        raise ValidationError({"lines": _("A line is not on this check.")})
    done = _units_refunded(list(items))
    rows = []
    for item_id, qty in wanted.items():
        item = items[item_id]
        units, before = item.units, done.get(item_id, 0)
        if before + qty > units:
            raise ValidationError(
                {
                    "lines": _("%(name)s: at most %(left)s more can be refunded.")
                    % {"name": item.line.name, "left": units - before}
                }
            )
        net = _item_net(item)
        # The amounts of a line's refunds add up to its net amount exactly, however it is refunded.
        amount = round_half_up(Fraction(net * (before + qty), units)) - round_half_up(Fraction(net * before, units))
        rows.append(RefundLine(item=item, qty=qty, amount=amount))
    return rows


def refund_payment(
    *,
    payment: Payment,
    amount: int | None = None,
    lines: list[dict] | None = None,
    reason: str,
    by: User,
    approver_id: int | None,
    approver_pin: str | None,
) -> Refund:
    """Give money back on a captured payment, to the same tender, with a manager's approval.

    Either an `amount`, or `lines` ([{"item": check item id, "qty": n}]) whose amount the
    server computes from the items' frozen figures; a line is never refunded beyond its quantity.
    Cards are refunded through Stripe (keyed by the refund row); cash comes out of the open drawer.
    """
    _require_billing_role(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if (amount is None) == (not lines):
        raise ValidationError({"amount": _("Give an amount or the lines to refund, not both.")})
    if lines is None and (not isinstance(amount, int) or amount < 1):
        raise ValidationError({"amount": _("An amount is a whole number of cents, at least 1.")})
    approval = _approval_if_needed(
        needed=True, action="refund", by=by, reason=reason, approver_id=approver_id, approver_pin=approver_pin
    )
    with transaction.atomic():
        # The check first: refunds of its lines on its several payments wait for each other.
        Check.objects.select_for_update().filter(pk=payment.guest_check_id).first()
        payment = Payment.objects.select_for_update().select_related("tender", "guest_check__order").get(pk=payment.pk)
        if payment.state != Payment.State.CAPTURED:
            raise ValidationError({"payment": _("Only a completed payment can be refunded.")})
        if payment.tender.kind == Tender.Kind.ROOM_CHARGE:
            raise ValidationError({"payment": _("A room charge is corrected on the guest's folio by the front desk.")})
        line_rows = _refund_line_rows(check=payment.guest_check, lines=lines) if lines else []
        if line_rows:
            amount = sum(row.amount for row in line_rows)
            if amount < 1:
                raise ValidationError({"lines": _("These lines were paid nothing: there is nothing to refund.")})
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
        for row in line_rows:
            row.refund = refund
        RefundLine.objects.bulk_create(line_rows)
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
