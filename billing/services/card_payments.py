"""Card payments through the terminal (Stripe): started, followed, settled or cancelled, and its webhook."""

import contextlib
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import card_terminal
from billing.models import (
    CardReader,
    Check,
    Payment,
    ProviderEvent,
    Tender,
)
from billing.services.checks import _lock_order, _require_billing_role
from billing.services.payments import (
    _announce_payment_on_commit,
    _capture,
    _fail_payment,
    _new_payment,
    _payment_key,
    _start_payment,
)
from staff.models import User

logger = logging.getLogger(__name__)


def start_card_payment(
    *, check: Check, reader: CardReader, by: User, amount: int | None = None, client_uuid=None
) -> Payment:
    """Send (part of) the check to a card reader; the guest taps and picks a tip there.

    The payment row is committed first (it holds its amount against the check, so
    two tablets can never collect twice); then Stripe gets the PaymentIntent, with an
    idempotency key derived from that row, and the reader gets it. The outcome comes
    by webhook or by polling (`settle_card_payment`).
    """
    _require_billing_role(by)
    tender = Tender.objects.filter(kind=Tender.Kind.CARD, is_active=True).first()
    if tender is None:
        raise ValidationError({"tender": _("No card tender is set up.")})
    if not reader.is_active:
        raise ValidationError({"reader": _("This card reader is switched off in the back office.")})
    with transaction.atomic():
        order, check, left = _start_payment(
            check=check, tender=tender, amount=amount or 1, tip=0, by=by, client_uuid=client_uuid
        )
        if order is None:
            return left
        if reader.outlet_id != order.outlet_id:
            raise ValidationError({"reader": _("This card reader belongs to another outlet.")})
        applied = left if amount is None else amount
        if applied > left:
            raise ValidationError({"amount": _("That is more than is left to pay.")})
        payment = _new_payment(
            check=check,
            tender=tender,
            by=by,
            client_uuid=client_uuid,
            amount=applied,
            reader=reader,
        )
    key = _payment_key(payment)
    try:
        intent = card_terminal.create_intent(
            key=key,
            amount=applied,
            description=f"Check {check.order_id}-{check.number}",
            metadata={"payment": payment.pk, "check": check.pk, "order": check.order_id},
        )
        Payment.objects.filter(pk=payment.pk).update(provider_id=intent.id, provider_status=intent.status)
        card_terminal.process_on_reader(
            key=key, reader_id=reader.stripe_id, intent_id=intent.id, tip_eligible=applied if tender.allows_tip else 0
        )
    except card_terminal.CardTerminalError as error:
        payment.refresh_from_db()
        if payment.provider_id:
            # If even the cancel fails, the intent was never on a reader: nothing can capture it.
            with contextlib.suppress(card_terminal.CardTerminalError):
                card_terminal.cancel_intent(key=key, intent_id=payment.provider_id)
        return _fail_payment(payment.pk, message=error.message, by=by)
    Payment.objects.filter(pk=payment.pk).update(provider_status="on_reader")
    follow_card_payment_later(payment.pk)
    payment.refresh_from_db()
    _announce_payment_on_commit(payment)
    return payment


def follow_card_payment_later(payment_id: int) -> None:
    from billing import tasks  # the task module imports this one

    run_after = timezone.now() + timezone.timedelta(seconds=settings.CARD_POLL_SECONDS)
    try:
        tasks.follow_card_payment.using(run_after=run_after).enqueue(payment_id=payment_id)
    except Exception:  # the poll is a fallback: the webhook and the tablet's own refresh remain
        logger.warning("Could not queue the follow-up of card payment %s", payment_id, exc_info=True)


def settle_card_payment(*, payment: Payment, by: User | None = None) -> Payment:
    """Bring a card payment in line with what Stripe says now. Safe to call any time, any number of times.

    Webhooks (in any order, duplicated) and the poll both end here, and each asks
    Stripe for the current state instead of trusting the message: an old event can
    never undo a newer outcome. Captures only when the reader's action succeeded.
    """
    payment = Payment.objects.select_related("reader").get(pk=payment.pk)
    if payment.state != Payment.State.PENDING or not payment.provider_id:
        return payment
    key = _payment_key(payment)
    intent = card_terminal.retrieve_intent(payment.provider_id)
    if intent.status == "requires_capture":
        intent = card_terminal.capture_intent(key=key, intent_id=intent.id)
    if intent.status == "succeeded":
        return _record_card_captured(payment.pk, intent=intent, by=by)
    if intent.status == "canceled":
        return _fail_payment(
            payment.pk, message=_("The card payment was cancelled."), state=Payment.State.CANCELLED, by=by
        )
    if intent.status == "requires_payment_method" and payment.reader is not None:
        status, on_reader, code, text = card_terminal.reader_action(payment.reader.stripe_id)
        if status == "failed" and on_reader == intent.id:
            card_terminal.cancel_intent(key=key, intent_id=intent.id)
            return _fail_payment(payment.pk, message=card_terminal.message_for(code, text), by=by)
    if timezone.now() - payment.created_at > timezone.timedelta(seconds=settings.CARD_PAYMENT_TIMEOUT):
        return cancel_card_payment(payment=payment, by=by, message=_("No card was presented in time."))
    return payment


def _record_card_captured(payment_id: int, *, intent, by: User | None) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_related("guest_check").get(pk=payment_id)
        order = _lock_order(payment.guest_check.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state != Payment.State.PENDING:
            return payment
        payment.tip = max(intent.tip, intent.amount_received - payment.amount, 0)
        payment.provider_status = intent.status
        payment.save(update_fields=["tip", "provider_status"])
        _capture(payment, by=by or payment.by, order=order)
        _announce_payment_on_commit(payment)
    return payment


def cancel_card_payment(*, payment: Payment, by: User | None, message: str = "") -> Payment:
    """Stop a card payment from the tablet (or on time-out): the reader's action and the intent are cancelled.

    If the guest's card went through at that very moment, the payment is captured
    instead: money taken is never dropped.
    """
    if by is not None:
        _require_billing_role(by)
    payment = Payment.objects.select_related("reader").get(pk=payment.pk)
    if payment.state != Payment.State.PENDING:
        return payment
    if payment.reader is not None:
        card_terminal.cancel_reader_action(payment.reader.stripe_id)
    if payment.provider_id:
        key = _payment_key(payment)
        intent = card_terminal.retrieve_intent(payment.provider_id)
        if intent.status == "requires_capture":
            return _record_card_captured(
                payment.pk, intent=card_terminal.capture_intent(key=key, intent_id=intent.id), by=by
            )
        if intent.status == "succeeded":
            return _record_card_captured(payment.pk, intent=intent, by=by)
        if intent.status != "canceled":
            card_terminal.cancel_intent(key=key, intent_id=intent.id)
    return _fail_payment(
        payment.pk, message=message or _("The card payment was cancelled."), state=Payment.State.CANCELLED, by=by
    )


def receive_card_event(*, body: bytes, signature: str) -> str:
    """A webhook from the card provider: verified, kept once, then the payment is settled.

    Returns what happened ("duplicate", "ignored", "settled"). A bad signature raises ValueError.
    """
    event = card_terminal.verified_event(body=body, signature=signature)
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(event_id=event.id, type=event.type, payload=json.loads(body))
    except IntegrityError:
        return "duplicate"
    obj = event.data.object
    intent_id = ""
    if event.type.startswith("payment_intent."):
        intent_id = obj.id
    elif event.type.startswith("terminal.reader."):
        action = getattr(obj, "action", None)
        process = getattr(action, "process_payment_intent", None) if action is not None else None
        intent_id = getattr(process, "payment_intent", "") if process is not None else ""
        if not isinstance(intent_id, str):
            intent_id = getattr(intent_id, "id", "")
    payment = Payment.objects.filter(provider_id=intent_id).first() if intent_id else None
    if payment is None:
        return "ignored"
    settle_card_payment(payment=payment)
    return "settled"
