"""Charges to a hotel room through the PMS gateway, and what the gateway answers later."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing import printouts
from billing.models import (
    Check,
    Payment,
    Tender,
)
from billing.revenue_splits import revenue_splits
from billing.selectors import check_total, reserved_towards
from billing.services.business_day import current_business_day
from billing.services.checks import _lock_order, _require_billing_role, _set_check_status, _touch
from billing.services.payments import (
    _announce_payment_on_commit,
    _capture,
    _fail_payment,
    _new_payment,
    _record_payment_state,
    _start_payment,
)
from billing.services.refunds import record_room_refund_answer
from orders import services as order_services
from orders.models import Order
from pms_integration import services as pms_services
from pms_integration.interfaces import ChargeRequest, InHouseGuest, PmsUnreachable
from pms_integration.services import RoomChargeRefused
from staff.models import User
from staff.services import approve_action, record_audit

logger = logging.getLogger(__name__)


def _posting_outlet(order: Order):
    setup = pms_services.posting_outlet_for(order.outlet_id)
    if setup is None:
        raise ValidationError({"tender": _("This outlet does not charge to hotel rooms.")})
    return setup


def find_room_guests(*, check: Check, by: User, room: str = "", name: str = "") -> list[InHouseGuest]:
    """The in-house guests a waiter can charge this check to: by room (sharers too) or by name."""
    _require_billing_role(by)
    setup = _posting_outlet(Order.objects.get(pk=check.order_id))
    try:
        return pms_services.find_in_house_guests(posting_outlet=setup, room=room, name=name)
    except PmsUnreachable as error:
        raise ValidationError({"room": error.message}) from None


def charge_to_room(
    *,
    check: Check,
    room: str,
    guest_id: str,
    by: User,
    amount: int | None = None,
    tip: int = 0,
    approver_id: int | None = None,
    approver_pin: str | None = None,
    client_uuid=None,
    workstation: str = "",
) -> Payment:
    """Charge (part of) the check to a hotel guest's folio; it counts once the PMS confirms it.

    The guest is looked up again right now: a checked-out guest is refused; a no-post
    guest or one over the credit limit only with a manager's PIN (sent with the
    override flag, audited). When the PMS is unreachable the outlet's setting
    decides: refuse, or accept (the check closes now and the posting waits in the
    queue until the PMS takes or refuses it).
    """
    _require_billing_role(by)
    tender = Tender.objects.filter(kind=Tender.Kind.ROOM_CHARGE, is_active=True).first()
    if tender is None:
        raise ValidationError({"tender": _("No room-charge tender is set up.")})
    if client_uuid is not None:
        existing = Payment.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    room, guest_id = (room or "").strip(), str(guest_id or "").strip()
    if not room:
        raise ValidationError({"room": _("Enter the room number.")})
    order = Order.objects.select_related("table", "waiter").get(pk=check.order_id)
    setup = _posting_outlet(order)
    # A first look outside the lock: the PMS may take seconds, and refusals need no lock.
    estimate = check_total(check) - reserved_towards(Check.objects.prefetch_related("payments").get(pk=check.pk))
    wanted = (estimate if amount is None else amount) + (tip if isinstance(tip, int) else 0)
    approval = None
    try:
        guest = pms_services.vet_guest(posting_outlet=setup, room=room, guest_id=guest_id, amount=wanted)
    except RoomChargeRefused as refusal:
        if not refusal.overridable:
            raise
        if not approver_id or not approver_pin:
            raise ValidationError({"guest": refusal.text, "override": refusal.reason}) from None
        approval = approve_action(
            action="room_charge_override",
            approver_id=approver_id,
            pin=approver_pin,
            requested_by=by,
            reason=refusal.text,
        )
        guest = pms_services.vet_guest(posting_outlet=setup, room=room, guest_id=guest_id, amount=wanted, override=True)
    except PmsUnreachable as error:
        raise ValidationError({"room": error.message}) from None
    if guest is not None and not guest_id:
        raise ValidationError({"guest": _("Pick the guest to charge.")})
    with transaction.atomic():
        order, check, left = _start_payment(
            check=check, tender=tender, amount=amount or 1, tip=tip, by=by, client_uuid=client_uuid
        )
        if order is None:
            return left
        applied = left if amount is None else amount
        if applied > left:
            raise ValidationError({"amount": _("That is more than is left to pay.")})
        payment = _new_payment(
            check=check,
            tender=tender,
            by=by,
            client_uuid=client_uuid,
            amount=applied,
            tip=tip,
            reference=_("Room %(room)s") % {"room": room},
        )
        splits, service_charge = revenue_splits(check=check, amount=applied)
        posting = pms_services.request_posting(
            posting_outlet=setup,
            charge=ChargeRequest(
                key=f"tafel-room-{payment.client_uuid}",
                room=room,
                guest_id=str(guest_id),
                guest_name=guest.name if guest else "",
                amount=applied + tip,
                tip=tip,
                service_charge=service_charge,
                revenue=splits,
                taxes_included=check.frozen_totals["prices_include_tax"],
                check_number=check.pk,
                business_date=current_business_day().date,
                check_text=printouts.receipt_as_text(check=check),
                covers=order.covers,
                table=str(order.table.number) if order.table_id else order.room_number or "",
                waiter=str(by),
                waiter_code=str(by.pk),
                workstation=(workstation or "POS")[:16],
                credit_override=approval is not None,
            ),
            offline=guest is None,
            by=by,
        )
        payment.posting = posting
        payment.provider_status = posting.state
        payment.save(update_fields=["posting", "provider_status"])
        if approval is not None:
            record_audit(
                actor=by, action="room_charge_override", subject=payment, approval=approval, reason=approval.reason
            )
        if guest is None:
            # The house's word stands in for the PMS's: the check closes, the posting follows.
            _capture(payment, by=by, order=order)
        pms_services.dispatch_posting(posting=posting)
        _announce_payment_on_commit(payment)
    payment.refresh_from_db()
    return payment


def _room_charge_payment(posting) -> Payment | None:
    return Payment.objects.filter(posting_id=posting.pk).select_related("guest_check").first()


def record_room_charge_posted(*, posting, by: User | None = None) -> Payment | None:
    """The PMS confirmed the posting: its waiting payment is captured (the check may close)."""
    payment = _room_charge_payment(posting)
    if payment is None:
        record_room_refund_answer(posting=posting, posted=True, by=by)
        return None
    order = _lock_order(payment.guest_check.order_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    payment.provider_status = posting.state
    payment.failure_message = ""  # an earlier "no answer" is settled: it is on the folio
    payment.save(update_fields=["provider_status", "failure_message"])
    if payment.state == Payment.State.PENDING:
        _capture(payment, by=by or payment.by, order=order)
    _announce_payment_on_commit(payment)
    return payment


def record_room_charge_refused(*, posting, by: User | None = None) -> Payment | None:
    """The PMS refused the posting: a waiting payment fails with its reason; an accepted one waits for the front desk."""
    payment = _room_charge_payment(posting)
    if payment is None:
        record_room_refund_answer(posting=posting, posted=False, by=by)
        return None
    Payment.objects.filter(pk=payment.pk).update(provider_status=posting.state)
    if payment.state == Payment.State.PENDING:
        return _fail_payment(payment.pk, message=f"{posting.room}: {posting.answer_text}", by=by)
    _announce_payment_on_commit(payment)
    return payment


def note_room_charge_unanswered(*, posting) -> None:
    """No answer from the PMS: the payment keeps waiting; the front desk checks the folio."""
    payment = _room_charge_payment(posting)
    if payment is None:
        return
    Payment.objects.filter(pk=payment.pk).update(
        provider_status=posting.state,
        failure_message=_("No answer from the hotel system: the front desk is checking the folio.")[:200],
    )
    _announce_payment_on_commit(payment)


def follow_redirected_posting(*, old, new) -> None:
    """The front desk sent the charge to another guest: the payment follows the new posting."""
    payment = _room_charge_payment(old)
    if payment is None:
        return
    Payment.objects.filter(pk=payment.pk).update(
        posting=new, provider_status=new.state, reference=(_("Room %(room)s") % {"room": new.room})[:80]
    )
    _announce_payment_on_commit(payment)


def withdraw_room_charge(*, posting, by: User, reason: str) -> Payment | None:
    """The front desk settles a room charge another way: the payment stops counting and the check reopens.

    A waiting payment is cancelled. One the house had accepted offline is reversed
    (the hotel never took it), and its check reopens for the cashier. Refused when
    that check's business day is closed: then the charge must go to another guest.
    """
    payment = _room_charge_payment(posting)
    if payment is None:
        return None
    order = _lock_order(payment.guest_check.order_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.state == Payment.State.PENDING:
        return _fail_payment(payment.pk, message=reason, state=Payment.State.CANCELLED, by=by)
    if payment.state != Payment.State.CAPTURED:
        return payment
    check = Check.objects.select_related("business_day").get(pk=payment.guest_check_id)
    if check.business_day_id and check.business_day.is_closed:
        raise ValidationError(
            {"posting": _("This check's business day is closed: post the charge to another guest or room instead.")}
        )
    _record_payment_state(payment, Payment.State.REVERSED, by=by, note=reason)
    payment.provider_status = posting.state
    payment.save(update_fields=["state", "provider_status"])
    record_audit(actor=by, action="room_charge_reversed", subject=payment, reason=reason[:200])
    if check.status == Check.Status.CLOSED:
        _set_check_status(check=check, to_status=Check.Status.OPEN, by=by, reason=reason)
        check.closed_at = None
        check.save(update_fields=["status", "closed_at"])
        if order.status == Order.Status.CLOSED:
            order_services.reopen_order(order=order, by=by, note=reason)
    _touch(check)
    _announce_payment_on_commit(payment)
    return payment
