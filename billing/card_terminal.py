"""Stripe Terminal, server-driven: the few calls billing makes, through the `stripe` library.

The API base and keys are settings (STRIPE_API_BASE, STRIPE_SECRET_KEY), so tests
point this at a local server that speaks Stripe's API. Every call that creates or
moves money carries an idempotency key derived from our payment row, so a retry
after a lost answer can never create a second charge.
"""

from dataclasses import dataclass

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

# Stripe error codes the waiter is told about in plain words.
READER_MESSAGES = {
    "terminal_reader_busy": lambda: _("The card reader is busy with another payment."),
    "terminal_reader_offline": lambda: _("The card reader is offline: check its power and Wi-Fi."),
    "terminal_reader_timeout": lambda: _("The card reader did not answer in time."),
    "card_declined": lambda: _("The card was declined."),
    "customer_canceled": lambda: _("The guest cancelled on the reader."),
    "expired_card": lambda: _("The card has expired."),
    "insufficient_funds": lambda: _("The card was declined: insufficient funds."),
}


class CardTerminalError(Exception):
    """A call to the card provider failed; `message` is for the waiter."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


def message_for(code: str, fallback: str = "") -> str:
    maker = READER_MESSAGES.get(code)
    return maker() if maker else (fallback or _("The card payment failed."))


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise CardTerminalError(_("Card payments are not set up: the manager sets STRIPE_SECRET_KEY."))
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=0,
    )


def _call(function, *args, **kwargs):
    """Call the library; turn its errors into a CardTerminalError with a message for the waiter."""
    try:
        return function(*args, **kwargs)
    except stripe.StripeError as error:
        code = getattr(error, "code", "") or ""
        raise CardTerminalError(
            message_for(code, _("The card service refused: %(m)s") % {"m": error.user_message or code}), code=code
        ) from error


@dataclass(frozen=True)
class IntentState:
    """What Stripe says of a PaymentIntent, reduced to what billing decides on."""

    id: str
    status: str
    amount: int
    amount_received: int
    tip: int


def _state(intent) -> IntentState:
    details = getattr(intent, "amount_details", None)
    tip_obj = getattr(details, "tip", None) if details is not None else None
    tip = getattr(tip_obj, "amount", None) if tip_obj is not None else None
    return IntentState(
        id=intent.id,
        status=intent.status,
        amount=intent.amount,
        amount_received=getattr(intent, "amount_received", 0) or 0,
        tip=tip or 0,
    )


def create_intent(*, key: str, amount: int, description: str, metadata: dict) -> IntentState:
    intent = _call(
        client().v1.payment_intents.create,
        params={
            "amount": amount,
            "currency": settings.CURRENCY.lower(),
            "allowed_payment_method_types": ["card_present"],
            "capture_method": "manual",
            "description": description,
            "metadata": {k: str(v) for k, v in metadata.items()},
        },
        options={"idempotency_key": f"{key}-create"},
    )
    return _state(intent)


def process_on_reader(*, key: str, reader_id: str, intent_id: str, tip_eligible: int) -> None:
    """Hand the PaymentIntent to the reader; the guest taps and chooses a tip there."""
    # The guest may cancel on the reader; the waiter hears it as a clear failure.
    config: dict = {"enable_customer_cancellation": True}
    if tip_eligible:
        config["tipping"] = {"amount_eligible": tip_eligible}
    else:
        config["skip_tipping"] = True
    params = {"payment_intent": intent_id, "process_config": config}
    _call(
        client().v1.terminal.readers.process_payment_intent,
        reader_id,
        params=params,
        options={"idempotency_key": f"{key}-process"},
    )


def reader_action(reader_id: str) -> tuple[str, str, str, str]:
    """(action status, payment intent on it, failure code, failure message) of a reader."""
    reader = _call(client().v1.terminal.readers.retrieve, reader_id)
    action = getattr(reader, "action", None)
    if action is None:
        return "", "", "", ""
    process = getattr(action, "process_payment_intent", None)
    intent_id = getattr(process, "payment_intent", "") if process is not None else ""
    if not isinstance(intent_id, str):
        intent_id = getattr(intent_id, "id", "")
    return (
        action.status or "",
        intent_id or "",
        getattr(action, "failure_code", "") or "",
        getattr(action, "failure_message", "") or "",
    )


def cancel_reader_action(reader_id: str) -> None:
    try:
        _call(client().v1.terminal.readers.cancel_action, reader_id)
    except CardTerminalError:
        # Nothing to cancel (the action finished or never started): the intent decides.
        return


def retrieve_intent(intent_id: str) -> IntentState:
    return _state(_call(client().v1.payment_intents.retrieve, intent_id))


def capture_intent(*, key: str, intent_id: str) -> IntentState:
    return _state(_call(client().v1.payment_intents.capture, intent_id, options={"idempotency_key": f"{key}-capture"}))


def cancel_intent(*, key: str, intent_id: str) -> IntentState:
    return _state(_call(client().v1.payment_intents.cancel, intent_id, options={"idempotency_key": f"{key}-cancel"}))


def refund(*, key: str, intent_id: str, amount: int) -> str:
    result = _call(
        client().v1.refunds.create,
        params={"payment_intent": intent_id, "amount": amount},
        options={"idempotency_key": key},
    )
    return result.id


def verified_event(*, body: bytes, signature: str):
    """The webhook event, if Stripe's signature over the raw body is right; else ValueError."""
    try:
        return stripe.Webhook.construct_event(body, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise ValueError(str(error)) from error
