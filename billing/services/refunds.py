"""Money given back on a paid check, to the tender it came on, and a paid check reopened."""

import logging
from decimal import Decimal
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
from pms_integration import services as pms_services
from pms_integration.interfaces import ChargeRequest, RevenueSplit
from pms_integration.models import Posting
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
        payment = (
            # Only the payment row: its posting is an outer join, which PostgreSQL will not lock.
            Payment.objects.select_for_update(of=("self",))
            .select_related("tender", "guest_check__order", "posting")
            .get(pk=payment.pk)
        )
        if payment.state != Payment.State.CAPTURED:
            raise ValidationError({"payment": _("Only a completed payment can be refunded.")})
        room_posting = payment.posting if payment.tender.kind == Tender.Kind.ROOM_CHARGE else None
        if payment.tender.kind == Tender.Kind.ROOM_CHARGE and (
            room_posting is None or room_posting.state != Posting.State.POSTED
        ):
            raise ValidationError(
                {"payment": _("The hotel has not confirmed this room charge yet: refund it once it is on the folio.")}
            )
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
        if room_posting is not None:
            _post_room_refund(refund=refund, original=room_posting, by=by)
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
    elif room_posting is None:
        Refund.objects.filter(pk=refund.pk).update(state=Refund.State.SUCCEEDED)
        if drawer is not None:
            transaction.on_commit(lambda: kick_drawer(outlet_id=drawer.outlet_id), robust=True)
    refund.refresh_from_db()
    return refund


def _post_room_refund(*, refund: Refund, original: Posting, by: User) -> None:
    """The refund as a negative posting to the folio the charge went to, through the same outbox and adapter.

    The built-in ledger takes it at once; FIAS and OPERA answer later (`record_room_refund_answer`).
    """
    first = (original.revenue or [{}])[0]
    posting = pms_services.request_posting(
        posting_outlet=original.posting_outlet,
        charge=ChargeRequest(
            key=f"tafel-room-refund-{refund.pk}",
            room=original.room,
            guest_id=original.guest_id,
            guest_name=original.guest_name,
            amount=-refund.amount,
            tip=0,
            service_charge=0,
            revenue=(
                RevenueSplit(
                    category=first.get("category", ""),
                    tax_percent=Decimal(str(first.get("tax_percent", "0"))),
                    amount=-refund.amount,
                ),
            ),
            taxes_included=True,
            check_number=original.check_number,
            business_date=refund.business_day.date,
            check_text=refund.reason,
            covers=original.covers,
            table=original.table,
            waiter=str(by),
            waiter_code=str(by.pk),
            workstation=original.workstation,
        ),
        offline=False,
        by=by,
    )
    Refund.objects.filter(pk=refund.pk).update(posting=posting)
    pms_services.dispatch_posting(posting=posting)


def record_room_refund_answer(*, posting: Posting, posted: bool, by: User | None = None) -> Refund | None:
    """The PMS took the negative posting (the refund succeeded) or refused it (it failed; nothing was given back)."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().filter(posting_id=posting.pk).first()
        if refund is None or refund.state != Refund.State.PENDING:
            return refund
        if posted:
            refund.state = Refund.State.SUCCEEDED
            refund.provider_id = posting.pms_reference[:80]
            refund.save(update_fields=["state", "provider_id"])
        else:
            refund.state = Refund.State.FAILED
            refund.failure_message = (posting.answer_text or posting.answer_code or _("Refused by the hotel."))[:200]
            refund.save(update_fields=["state", "failure_message"])
            Payment.objects.filter(pk=refund.payment_id).update(refunded=F("refunded") - refund.amount)
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
