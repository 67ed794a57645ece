"""A local Stripe for the tests: the REST API subset that Stripe Terminal's server-driven payments use.

Production code talks to it exactly as it talks to Stripe:

    stripe.StripeClient(server.api_key, base_addresses={"api": server.url})

and the server answers the way api.stripe.com answers stripe-python 16 (API version
2026-10-28.endive): form-encoded requests with nested keys (``a[b][0]=v``), Bearer
authentication, JSON bodies shaped like Stripe's own sample objects (copied from
``shared/specs/stripe/fixtures3.json`` with ids, amounts and statuses overwritten), errors
as ``{"error": {"type", "code", "message", "param"}}`` with Stripe's HTTP statuses, a
``Request-Id`` on every response, idempotent replays, and signed webhook events.

It is strict on purpose: a parameter it does not know is refused with
``parameter_unknown``, as Stripe refuses it, so a typo fails in the tests and not at the
till.

Endpoints (all under /v1):
    GET  /terminal/readers, /terminal/readers/{reader}
    POST /terminal/readers/{reader}/process_payment_intent, .../cancel_action
    POST /test_helpers/terminal/readers/{reader}/present_payment_method
    POST /payment_intents, /payment_intents/{intent}/capture, /payment_intents/{intent}/cancel
    GET  /payment_intents/{intent}
    POST /refunds; GET /refunds/{refund}, /charges/{charge}, /events/{event}

Test controls: add_reader, set_reader_status, present_card, customer_cancels, auto_present,
fail_next, the webhook delivery modes and flush_events. See StripeServer.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import hmac
import json
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import ascii_letters, digits
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

# Stripe's sample objects (stripe/openapi fixtures3.json, MIT), the subset this server uses, kept in
# the repository: CI runs in a clean clone that need not sit beside ../shared/.
FIXTURES_PATH = Path(__file__).resolve().parent / "stripe_fixtures.json"

# stripe-python 16.1.0 pins this version (stripe/_api_version.py) and sends it as Stripe-Version.
API_VERSION = "2026-10-28.endive"

DELIVERY_MODES = ("immediate", "manual", "none")

# https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts, in minor units.
MINIMUM_CHARGE = {
    "aed": 200,
    "aud": 50,
    "bgn": 100,
    "brl": 50,
    "cad": 50,
    "chf": 50,
    "czk": 1500,
    "dkk": 250,
    "eur": 50,
    "gbp": 30,
    "hkd": 400,
    "huf": 17500,
    "jpy": 50,
    "mxn": 1000,
    "myr": 200,
    "nok": 300,
    "nzd": 50,
    "pln": 200,
    "ron": 200,
    "sek": 300,
    "sgd": 50,
    "usd": 50,
}
MAXIMUM_AMOUNT = 99_999_999  # "The amount value supports up to eight digits".

# PaymentIntent statuses from which POST /v1/payment_intents/{intent}/cancel is allowed
# (https://docs.stripe.com/api/payment_intents/cancel).
CANCELABLE_STATUSES = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)


@dataclass(frozen=True)
class Decline:
    """How Stripe's test cards fail: the error code, the issuer's decline code and the message."""

    code: str
    decline_code: str | None
    message: str


@dataclass(frozen=True)
class TestCard:
    """A card from https://docs.stripe.com/terminal/references/testing#standard-test-cards."""

    __test__ = False  # not a pytest test class

    brand: str
    decline: Decline | None = None
    funding: str = "credit"


TEST_CARDS = {
    "4242424242424242": TestCard("visa"),
    "5555555555554444": TestCard("mastercard"),
    "4506445006931933": TestCard("interac", funding="debit"),
    "4000000000000002": TestCard("visa", Decline("card_declined", "generic_decline", "Your card was declined.")),
    "4000000000009995": TestCard(
        "visa", Decline("card_declined", "insufficient_funds", "Your card has insufficient funds.")
    ),
    "4000000000009987": TestCard("visa", Decline("card_declined", "lost_card", "Your card was declined.")),
    "4000000000009979": TestCard("visa", Decline("card_declined", "stolen_card", "Your card was declined.")),
    "4000000000000069": TestCard("visa", Decline("expired_card", "expired_card", "Your card has expired.")),
    "4000000000000119": TestCard(
        "visa",
        Decline(
            "processing_error",
            "processing_error",
            "An error occurred while processing your card. Try again in a little bit.",
        ),
    ),
}
DEFAULT_CARD = {"card_present": "4242424242424242", "interac_present": "4506445006931933"}


# -- ids, time and fixtures ------------------------------------------------------------------


def new_id(prefix: str, length: int = 24) -> str:
    """An id shaped like Stripe's: a type prefix and random letters and digits."""
    alphabet = ascii_letters + digits
    return f"{prefix}_{''.join(secrets.choice(alphabet) for _ in range(length))}"


def _now() -> int:
    return int(time.time())


@functools.cache
def _fixtures() -> dict[str, Any]:
    return json.loads(FIXTURES_PATH.read_text())["resources"]


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of Stripe's sample object `name` (e.g. "payment_intent", "terminal.reader")."""
    return copy.deepcopy(_fixtures()[name])


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:.2f} {currency}"


def _doc_url(code: str) -> str:
    return f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"


# -- errors ----------------------------------------------------------------------------------


class StripeApiError(Exception):
    """An error answer in Stripe's shape.

    stripe-python 16 picks its exception class from the status and ``error.type``
    (``_APIRequestor.specific_v1_api_error``): 400/404 -> InvalidRequestError, except
    ``type == "idempotency_error"`` -> IdempotencyError; 401 -> AuthenticationError;
    402 -> CardError; 403 -> PermissionError; 429 -> RateLimitError; anything else -> APIError.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        type: str = "invalid_request_error",
        **extra: Any,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.type = type
        self.extra = extra

    def body(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, **self.extra}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = _doc_url(self.code)
        if self.param:
            error["param"] = self.param
        error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}?t={_now()}"
        return {"error": dict(sorted(error.items()))}


def _unknown_parameter(name: str) -> StripeApiError:
    return StripeApiError(400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name)


def _missing_parameter(name: str) -> StripeApiError:
    return StripeApiError(400, f"Missing required param: {name}.", code="parameter_missing", param=name)


def _no_such(kind: str, object_id: str, param: str, status: int = 404) -> StripeApiError:
    """Stripe's answer for an unknown id: 404 in the URL, 400 when it came as a parameter."""
    return StripeApiError(status, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


# -- request parameters ------------------------------------------------------------------------

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def parse_params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Decode Stripe's form encoding (stripe/_encode.py `_api_encode`) into nested values.

    ``a[b][c]=v`` becomes {"a": {"b": {"c": "v"}}}; ``a[0]=x&a[1]=y`` (how stripe-python
    sends every list) and ``a[]=x`` become ["x", "y"]. Leaves stay strings, as on the wire.
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if not match:
            raise StripeApiError(400, f"Invalid parameter name: {key}")
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part or str(len(node)), {})
            if not isinstance(child, dict):
                raise StripeApiError(400, f"Invalid hash: {key} mixes a value and nested keys", param=parts[0])
            node = child
        last = parts[-1] or str(len(node))
        if isinstance(node.get(last), dict):
            raise StripeApiError(400, f"Invalid hash: {key} mixes a value and nested keys", param=parts[0])
        node[last] = value
    return _listify(root)


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {key: _listify(child) for key, child in value.items()}
    if items and sorted(items) == sorted(str(i) for i in range(len(items))):
        return [items[str(i)] for i in range(len(items))]
    return items


@dataclass(frozen=True)
class Param:
    """What one parameter accepts: a kind and its constraints (a small schema)."""

    kind: str  # string | integer | boolean | enum | list | metadata | object
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    item: Param | None = None
    fields: dict[str, Param] | None = None


def string(*, required: bool = False) -> Param:
    return Param("string", required=required)


def integer(*, required: bool = False, minimum: int | None = None, maximum: int | None = None) -> Param:
    return Param("integer", required=required, minimum=minimum, maximum=maximum)


def boolean() -> Param:
    return Param("boolean")


def enum(*choices: str) -> Param:
    return Param("enum", choices=choices)


def list_of(item: Param) -> Param:
    return Param("list", item=item)


def metadata() -> Param:
    return Param("metadata")


def obj(**fields: Param) -> Param:
    return Param("object", fields=fields)


def _refuse_removed(raw: dict[str, Any], removed: tuple[str, ...]) -> None:
    """Since API version 2026-09-30.endive, `payment_method_types` is no longer writable on
    PaymentIntents: "Passing payment_method_types on this API version returns a 400 error with
    the code payment_method_types_no_longer_supported" (Stripe changelog, 2026-09-30)."""
    for name in removed:
        if name in raw:
            raise StripeApiError(
                400,
                f"The {name} parameter is no longer supported on this API version ({API_VERSION}). Use "
                "allowed_payment_method_types to specify a set of payment methods, or dynamic payment methods.",
                code=f"{name}_no_longer_supported",
                param=name,
            )


def _qualified(prefix: str, name: str) -> str:
    return f"{prefix}[{name}]" if prefix else name


def validate(raw: dict[str, Any], fields: dict[str, Param], prefix: str = "") -> dict[str, Any]:
    """Check `raw` against `fields` the way Stripe does and return typed values.

    Unknown names -> 400 parameter_unknown; missing required ones -> 400 parameter_missing;
    bad integers -> parameter_invalid_integer; empty strings -> parameter_invalid_empty.
    """
    for name in raw:
        if name not in fields:
            raise _unknown_parameter(_qualified(prefix, name))
    values = {}
    for name, spec in fields.items():
        qualified = _qualified(prefix, name)
        if name in raw:
            values[name] = _coerce(raw[name], spec, qualified)
        elif spec.required:
            raise _missing_parameter(qualified)
    return values


def _coerce(value: Any, spec: Param, name: str) -> Any:
    if spec.kind == "metadata":
        return _coerce_metadata(value, name)
    if spec.kind == "object":
        if not isinstance(value, dict):
            raise StripeApiError(400, f"Invalid object: {name} must be a hash", param=name)
        return validate(value, spec.fields or {}, name)
    if spec.kind == "list":
        if not isinstance(value, list):
            raise StripeApiError(400, f"Invalid array: {name} must be a list", param=name)
        return [_coerce(item, spec.item or string(), f"{name}[{i}]") for i, item in enumerate(value)]
    if not isinstance(value, str):
        raise StripeApiError(400, f"Invalid {spec.kind}: {name} must not be a hash or a list", param=name)
    if value == "":
        raise StripeApiError(
            400,
            f"You passed an empty string for '{name}'. We assume empty values are an attempt to unset a "
            f"parameter; however '{name}' cannot be unset. You should remove '{name}' from your request or "
            "supply a non-empty value.",
            code="parameter_invalid_empty",
            param=name,
        )
    if spec.kind == "integer":
        return _coerce_integer(value, spec, name)
    if spec.kind == "boolean":
        if value not in ("true", "false"):
            raise StripeApiError(400, f"Invalid boolean: {value}", param=name)
        return value == "true"
    if spec.kind == "enum" and value not in spec.choices:
        choices = ", ".join(spec.choices[:-1]) + f", or {spec.choices[-1]}"
        raise StripeApiError(400, f"Invalid {name}: must be one of {choices}", param=name)
    return value


def _coerce_integer(value: str, spec: Param, name: str) -> int:
    if not re.fullmatch(r"-?\d+", value):
        raise StripeApiError(400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=name)
    number = int(value)
    if spec.minimum is not None and number < spec.minimum:
        raise StripeApiError(
            400,
            f"This value must be greater than or equal to {spec.minimum}.",
            code="parameter_invalid_integer",
            param=name,
        )
    if spec.maximum is not None and number > spec.maximum:
        raise StripeApiError(
            400,
            f"This value must be less than or equal to {spec.maximum}.",
            code="parameter_invalid_integer",
            param=name,
        )
    return number


def _coerce_metadata(value: Any, name: str) -> dict[str, str]:
    """Metadata limits from https://docs.stripe.com/metadata: 50 keys, 40-char keys, 500-char values."""
    if value == "":
        return {}
    if isinstance(value, list):  # keys "0", "1", ... came through _listify
        value = {str(i): item for i, item in enumerate(value)}
    if not isinstance(value, dict):
        raise StripeApiError(400, f"Invalid object: {name} must be a hash", param=name)
    if len(value) > 50:
        raise StripeApiError(400, "Metadata can have up to 50 keys.", param=name)
    cleaned = {}
    for key, item in value.items():
        if not isinstance(item, str):
            raise StripeApiError(400, f"Invalid value for {name}[{key}]: metadata values must be strings", param=name)
        if len(key) > 40:
            raise StripeApiError(400, f"Metadata keys can have up to 40 characters ({key}).", param=name)
        if len(item) > 500:
            raise StripeApiError(400, f"Metadata values can have up to 500 characters ({key}).", param=name)
        if item != "":  # an empty value unsets the key
            cleaned[key] = item
    return cleaned


EXPAND = list_of(string())

PAYMENT_INTENT_CREATE = {
    "amount": integer(required=True, minimum=1),
    "currency": string(required=True),
    "allowed_payment_method_types": list_of(string()),
    "capture_method": enum("automatic", "automatic_async", "manual"),
    "description": string(),
    "metadata": metadata(),
    "payment_method_options": obj(
        card_present=obj(
            capture_method=enum("manual", "manual_preferred"),
            request_extended_authorization=boolean(),
            request_incremental_authorization_support=boolean(),
            routing=obj(requested_priority=enum("domestic", "international")),
        )
    ),
    "receipt_email": string(),
    "statement_descriptor_suffix": string(),
}
PAYMENT_INTENT_RETRIEVE = {"client_secret": string()}
PAYMENT_INTENT_CAPTURE = {"amount_to_capture": integer(minimum=1), "metadata": metadata()}
PAYMENT_INTENT_CANCEL = {"cancellation_reason": enum("abandoned", "duplicate", "fraudulent", "requested_by_customer")}
READER_LIST = {
    "device_type": string(),
    "ending_before": string(),
    "limit": integer(minimum=1, maximum=100),
    "location": string(),
    "serial_number": string(),
    "starting_after": string(),
    "status": enum("offline", "online"),
}
PROCESS_PAYMENT_INTENT = {
    "payment_intent": string(required=True),
    "process_config": obj(
        enable_customer_cancellation=boolean(),
        skip_tipping=boolean(),
        tipping=obj(amount_eligible=integer(minimum=1)),
    ),
}
PRESENT_PAYMENT_METHOD = {
    "amount_tip": integer(minimum=0),
    "card_present": obj(number=string()),
    "interac_present": obj(number=string()),
    "type": enum("card_present", "interac_present"),
}
REFUND_CREATE = {
    "amount": integer(minimum=1),
    "charge": string(),
    "payment_intent": string(),
    "metadata": metadata(),
    "reason": enum("duplicate", "fraudulent", "requested_by_customer"),
}
READER_EXPANDABLE = ("action.process_payment_intent.payment_intent",)


# -- what the server records ---------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request as it arrived, and how it was answered."""

    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]
    idempotency_key: str | None
    request_id: str
    status: int | None = None
    replayed: bool = False
    injected: str | None = None  # "status 500", "dropped", ... when fail_next answered it


@dataclass
class Delivery:
    """One webhook POST: which event, and what the receiver answered (status, or error)."""

    event_id: str
    type: str
    status: int | None
    error: str | None = None


@dataclass
class AutoPresent:
    """Present a card on its own `delay` seconds after each process_payment_intent."""

    number: str = "4242424242424242"
    tip: int = 0
    delay: float = 0.05


@dataclass
class _Failure:
    pattern: re.Pattern[str]
    method: str | None
    status: int
    code: str | None
    drop: bool
    after: bool
    remaining: int


@dataclass
class _Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _SavedResponse:
    """What Stripe keeps for an idempotency key: the request it was for and the answer."""

    path: str
    params: dict[str, Any]
    response: _Response
    request_id: str


@dataclass(frozen=True)
class _Context:
    """Where a state change came from, for the event's `request` field."""

    request_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: str
    params: dict[str, Param]
    expandable: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()  # parameters this API version no longer accepts


def _route(method, template, handler, params: dict[str, Param], expandable=(), removed=()) -> _Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    pattern = re.compile(f"^{regex}$")
    return _Route(method, pattern, handler, {**params, "expand": EXPAND}, tuple(expandable), tuple(removed))


ROUTES = (
    _route("GET", "/v1/terminal/readers", "_list_readers", READER_LIST, ["data." + READER_EXPANDABLE[0]]),
    _route("GET", "/v1/terminal/readers/{reader}", "_retrieve_reader", {}, READER_EXPANDABLE),
    _route(
        "POST",
        "/v1/terminal/readers/{reader}/process_payment_intent",
        "_process_payment_intent",
        PROCESS_PAYMENT_INTENT,
        READER_EXPANDABLE,
    ),
    _route("POST", "/v1/terminal/readers/{reader}/cancel_action", "_cancel_action", {}, READER_EXPANDABLE),
    _route(
        "POST",
        "/v1/test_helpers/terminal/readers/{reader}/present_payment_method",
        "_present_payment_method",
        PRESENT_PAYMENT_METHOD,
        READER_EXPANDABLE,
    ),
    _route(
        "POST",
        "/v1/payment_intents",
        "_create_payment_intent",
        PAYMENT_INTENT_CREATE,
        ["latest_charge"],
        removed=["payment_method_types"],
    ),
    _route(
        "GET", "/v1/payment_intents/{intent}", "_retrieve_payment_intent", PAYMENT_INTENT_RETRIEVE, ["latest_charge"]
    ),
    _route(
        "POST",
        "/v1/payment_intents/{intent}/capture",
        "_capture_payment_intent",
        PAYMENT_INTENT_CAPTURE,
        ["latest_charge"],
    ),
    _route(
        "POST",
        "/v1/payment_intents/{intent}/cancel",
        "_cancel_payment_intent",
        PAYMENT_INTENT_CANCEL,
        ["latest_charge"],
    ),
    _route("POST", "/v1/refunds", "_create_refund", REFUND_CREATE, ["charge", "payment_intent"]),
    _route("GET", "/v1/refunds/{refund}", "_retrieve_refund", {}, ["charge", "payment_intent"]),
    _route("GET", "/v1/charges/{charge}", "_retrieve_charge", {}, ["payment_intent"]),
    _route("GET", "/v1/events/{event}", "_retrieve_event", {}),
)


# -- HTTP plumbing -------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    timeout = 10  # an idle keep-alive connection gives its thread back after this

    def do_GET(self) -> None:
        self.server.stripe._serve(self)  # type: ignore[attr-defined]

    do_POST = do_DELETE = do_GET

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: http.server would write a line to stderr for every request of the test run."""


class _HTTPServer(ThreadingHTTPServer):
    def __init__(self, stripe_server: StripeServer):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stripe = stripe_server


# -- the server ------------------------------------------------------------------------------------


class StripeServer:
    """Stripe's API for Terminal server-driven payments, on 127.0.0.1, in a daemon thread.

    Use as a context manager (or start()/stop()). State lives in memory behind one lock;
    `requests` and `events` record everything for the test to inspect.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        webhook_secret: str | None = None,
        webhook_url: str | None = None,
        deliver: str = "immediate",
        auto_present: AutoPresent | tuple | None = None,
    ):
        self.api_key = api_key or f"sk_test_tafel{secrets.token_hex(12)}"
        self.webhook_secret = webhook_secret or f"whsec_{secrets.token_urlsafe(24)}"
        self.webhook_url = webhook_url
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self.events: list[dict[str, Any]] = []
        self.deliveries: list[Delivery] = []
        self._deliver = "immediate"
        self.deliver = deliver
        self._auto_present: AutoPresent | None = None
        self.auto_present = auto_present

        self._lock = threading.RLock()
        self._readers: dict[str, dict[str, Any]] = {}
        self._payment_intents: dict[str, dict[str, Any]] = {}
        self._charges: dict[str, dict[str, Any]] = {}
        self._refunds: dict[str, dict[str, Any]] = {}
        self._events_by_id: dict[str, dict[str, Any]] = {}
        self._idempotency: dict[str, _SavedResponse] = {}
        self._failures: list[_Failure] = []
        self._action_serial: dict[str, int] = {}
        self._timers: list[threading.Timer] = []

        self._outbox: deque[dict[str, Any]] = deque()  # "immediate" deliveries not yet sent
        self._held: list[dict[str, Any]] = []  # "manual" deliveries until flush_events()
        self._outbox_cv = threading.Condition()
        self._sending = False
        self._stopping = False
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> StripeServer:
        self._httpd = _HTTPServer(self)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._stopping = False
        serve = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        sender = threading.Thread(target=self._delivery_loop, daemon=True)
        self._threads = [serve, sender]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        with self._outbox_cv:
            self._stopping = True
            self._outbox_cv.notify_all()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> StripeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- settings ------------------------------------------------------------------------------

    @property
    def deliver(self) -> str:
        """Webhook delivery: "immediate" (a background thread, in creation order), "manual"
        (held until flush_events()) or "none" (only recorded in `events`)."""
        return self._deliver

    @deliver.setter
    def deliver(self, mode: str) -> None:
        if mode not in DELIVERY_MODES:
            raise ValueError(f"deliver must be one of {DELIVERY_MODES}, not {mode!r}")
        self._deliver = mode

    @property
    def auto_present(self) -> AutoPresent | None:
        """Present a card by itself after each process_payment_intent, as a customer would.

        Set to (number, tip), (number, tip, delay_seconds), an AutoPresent, or None.
        """
        return self._auto_present

    @auto_present.setter
    def auto_present(self, value: AutoPresent | tuple | None) -> None:
        self._auto_present = AutoPresent(*value) if isinstance(value, tuple) else value

    # -- test controls -------------------------------------------------------------------------

    def add_reader(
        self,
        reader_id: str | None = None,
        label: str = "Simulated WisePOS E",
        location: str | None = None,
        status: str = "online",
        device_type: str = "simulated_wisepos_e",
    ) -> str:
        """Register a reader, like POST /v1/terminal/readers with registration_code "simulated-wpe"."""
        if status not in ("online", "offline"):
            raise ValueError(f"status must be online or offline, not {status!r}")
        reader_id = reader_id or new_id("tmr")
        reader = fixture("terminal.reader")
        reader.update(
            action=None,
            device_sw_version="",
            device_type=device_type,
            id=reader_id,
            ip_address="0.0.0.0",
            label=label,
            last_seen_at=int(time.time() * 1000),  # Stripe gives milliseconds here
            livemode=False,
            location=location or new_id("tml"),
            metadata={},
            serial_number=f"simulated-wpe-{uuid.uuid4()}",
            status=status,
        )
        with self._lock:
            self._readers[reader_id] = reader
            self._action_serial[reader_id] = 0
        return reader_id

    def set_reader_status(self, reader_id: str, status: str) -> None:
        """Take a reader "offline" or bring it back "online". An action in progress stays as it
        is, as on Stripe when a reader drops off mid-payment."""
        if status not in ("online", "offline"):
            raise ValueError(f"status must be online or offline, not {status!r}")
        with self._lock:
            reader = self._readers[reader_id]
            reader["status"] = status
            if status == "online":
                reader["last_seen_at"] = int(time.time() * 1000)

    def present_card(self, reader_id: str, number: str = "4242424242424242", tip: int = 0) -> dict[str, Any]:
        """The customer taps a card: POST /v1/test_helpers/.../present_payment_method without HTTP.

        Returns the reader. Raises StripeApiError where the endpoint would answer an error.
        """
        with self._lock:
            return copy.deepcopy(self._present(reader_id, "card_present", number, tip, _Context()))

    def customer_cancels(self, reader_id: str) -> dict[str, Any]:
        """The customer presses Cancel on the reader (only shown with enable_customer_cancellation).

        Stripe sends terminal.reader.action_failed with failure_code customer_canceled, and
        the action's api_error is null because the failure came from the reader.
        """
        with self._lock:
            reader = self._readers[reader_id]
            action = reader["action"]
            if not action or action["status"] != "in_progress":
                raise ValueError(f"reader {reader_id} has no action in progress to cancel")
            config = action.get("process_payment_intent", {}).get("process_config", {})
            if not config.get("enable_customer_cancellation"):
                raise ValueError(
                    "the reader shows no cancel button: process_config[enable_customer_cancellation] unset"
                )
            self._fail_action(reader, "customer_canceled", "The customer canceled the transaction.", None, _Context())
            return copy.deepcopy(reader)

    def fail_next(
        self,
        path_regex: str,
        status: int = 500,
        error_code: str | None = None,
        *,
        method: str | None = None,
        drop: bool = False,
        after: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next matching request(s) with an error instead of the real answer.

        status/error_code: the HTTP status and error code to answer (5xx are type api_error).
        drop: close the connection without any answer (stripe raises APIConnectionError).
        after: run the request first (state changes, events, the idempotency key is saved)
            and only then fail: a request that reached Stripe but whose answer was lost.
            Without it the request never reached the API and nothing is saved.
        """
        with self._lock:
            verb = method.upper() if method else None
            failure = _Failure(re.compile(path_regex), verb, status, error_code, drop, after, times)
            self._failures.append(failure)

    def flush_events(self, order: str = "as_created", duplicate: bool = False) -> list[Delivery]:
        """Deliver the events held in "manual" mode, now, from the calling thread.

        order: "as_created" or "reversed". duplicate: send the whole batch twice, as Stripe
        may ("events can come twice and out of order").
        """
        if order not in ("as_created", "reversed"):
            raise ValueError(f"order must be as_created or reversed, not {order!r}")
        if not self.webhook_url:
            raise RuntimeError("set webhook_url before flushing events")
        with self._lock:
            batch, self._held = self._held, []
        if order == "reversed":
            batch.reverse()
        if duplicate:
            batch = batch + batch
        return [self._send_event(event) for event in batch]

    def wait_for_deliveries(self, timeout: float = 5.0) -> bool:
        """Block until the "immediate" deliveries queued so far were sent; False on timeout."""
        with self._outbox_cv:
            return self._outbox_cv.wait_for(lambda: not self._outbox and not self._sending, timeout)

    # -- inspection ---------------------------------------------------------------------------

    def reader(self, reader_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._readers[reader_id])

    def payment_intent(self, intent_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._payment_intents[intent_id])

    def charge(self, charge_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._charges[charge_id])

    def refund(self, refund_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._refunds[refund_id])

    def event_types(self) -> list[str]:
        with self._lock:
            return [event["type"] for event in self.events]

    def requests_to(self, path_regex: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [
                r
                for r in self.requests
                if re.search(path_regex, r.path) and (method is None or r.method == method.upper())
            ]

    # -- serving one request -------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = dict(handler.headers.items())
        method = handler.command
        record = RecordedRequest(
            method=method,
            path=split.path,
            params={},
            headers=headers,
            idempotency_key=handler.headers.get("Idempotency-Key") if method == "POST" else None,
            request_id=new_id("req", 14),
        )
        with self._lock:
            self.requests.append(record)
        failure = self._take_failure(method, split.path)
        if failure and not failure.after:
            self._answer_failure(handler, failure, record)
            return
        response = self._process(record, split.query, body)
        if failure:
            self._answer_failure(handler, failure, record)
            return
        record.status = response.status
        self._write(handler, response, record)

    def _process(self, record: RecordedRequest, query: str, body: bytes) -> _Response:
        """Authenticate, parse, route; then, under the lock, replay or validate and execute."""
        try:
            self._authenticate(record.headers)
            record.params = self._parse(record, query, body)
            route, path_args = self._match_route(record.method, record.path)
        except StripeApiError as error:
            return self._error_response(error, record.request_id)
        with self._lock:
            key = record.idempotency_key
            if key and key in self._idempotency:
                return self._replay(self._idempotency[key], record)
            try:
                _refuse_removed(record.params, route.removed)
                values = validate(record.params, route.params)
                self._check_expand(values.get("expand", []), route)
            except StripeApiError as error:
                # "If incoming parameters failed validation ... no idempotent result is saved."
                return self._error_response(error, record.request_id)
            context = _Context(record.request_id, key)
            try:
                status, result = getattr(self, route.handler)(path_args, values, context)
                response = self._json_response(status, self._expanded(result, values.get("expand", [])))
            except StripeApiError as error:
                response = self._error_response(error, record.request_id)
            except Exception as bug:  # a fault in this fake: answer it loudly, never save it
                error = StripeApiError(500, f"StripeServer bug: {bug!r}", type="api_error")
                return self._error_response(error, record.request_id)
            if key:
                self._idempotency[key] = _SavedResponse(record.path, record.params, response, record.request_id)
                response.headers["Idempotency-Key"] = key
            return response

    def _authenticate(self, headers: dict[str, str]) -> None:
        """401 as Stripe answers it; stripe-python raises AuthenticationError."""
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not authorization:
            raise StripeApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
                "https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
            )
        scheme, _, key = authorization.partition(" ")
        if scheme != "Bearer" or not hmac.compare_digest(key.strip(), self.api_key):
            masked = (key.strip()[:8] + "*" * max(len(key.strip()) - 12, 0) + key.strip()[-4:]) if key else ""
            raise StripeApiError(401, f"Invalid API Key provided: {masked}")

    def _parse(self, record: RecordedRequest, query: str, body: bytes) -> dict[str, Any]:
        """GET parameters come in the query string, POST ones form-encoded in the body."""
        if record.method == "POST":
            content_type = next((v for k, v in record.headers.items() if k.lower() == "content-type"), "")
            if body and not content_type.startswith("application/x-www-form-urlencoded"):
                raise StripeApiError(
                    400,
                    f"Invalid request: unsupported Content-Type {content_type}. If error persists and you need "
                    "assistance, please contact support@stripe.com.",
                )
            if record.idempotency_key is not None and len(record.idempotency_key) > 255:
                raise StripeApiError(
                    400, "Idempotency keys can be up to 255 characters long.", type="idempotency_error"
                )
            text = body.decode("utf-8")
        else:
            text = query
        return parse_params(parse_qsl(text, keep_blank_values=True, strict_parsing=False))

    def _match_route(self, method: str, path: str) -> tuple[_Route, dict[str, str]]:
        for route in ROUTES:
            match = route.pattern.match(path)
            if match and route.method == method:
                return route, {name: unquote(value) for name, value in match.groupdict().items()}
        raise StripeApiError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at "
            "https://support.stripe.com/. (This local Stripe models only the Terminal server-driven subset.)",
        )

    def _replay(self, saved: _SavedResponse, record: RecordedRequest) -> _Response:
        """Stripe's idempotency: the same key and parameters get the first answer again, with
        Idempotent-Replayed: true; the same key with anything else is an idempotency_error."""
        key = record.idempotency_key
        if saved.path != record.path:
            error = StripeApiError(
                400,
                f"Keys for idempotent requests can only be used for the same endpoint they were first used for "
                f"('{saved.path}' vs '{record.path}'). Try using a key other than '{key}' if you meant to execute "
                "a different request.",
                type="idempotency_error",
            )
            return self._error_response(error, record.request_id)
        if saved.params != record.params:
            error = StripeApiError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                f"Try using a key other than '{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
            return self._error_response(error, record.request_id)
        record.replayed = True
        headers = {
            **saved.response.headers,
            "Idempotent-Replayed": "true",
            "Original-Request": saved.request_id,
        }
        return _Response(saved.response.status, saved.response.body, headers)

    def _check_expand(self, paths: list[str], route: _Route) -> None:
        for path in paths:
            if path not in route.expandable:
                raise StripeApiError(400, f"This property cannot be expanded ({path}).", param="expand")

    def _expanded(self, result: dict[str, Any], paths: list[str]) -> dict[str, Any]:
        """Replace ids by copies of their objects along each `expand` path, as Stripe does."""
        result = copy.deepcopy(result)
        for path in paths:
            self._expand_path(result, path.split("."))
        return result

    def _expand_path(self, node: Any, parts: list[str]) -> None:
        if not isinstance(node, dict):
            return
        if parts[0] == "data" and node.get("object") == "list":
            for item in node["data"]:
                self._expand_path(item, parts[1:])
        elif len(parts) == 1:
            value = node.get(parts[0])
            if isinstance(value, str):
                node[parts[0]] = copy.deepcopy(self._lookup(value))
        else:
            self._expand_path(node.get(parts[0]), parts[1:])

    def _lookup(self, object_id: str) -> dict[str, Any]:
        stores = {"pi": self._payment_intents, "ch": self._charges, "re": self._refunds, "tmr": self._readers}
        return stores[object_id.split("_", 1)[0]][object_id]

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.pattern.search(path) and failure.method in (None, method):
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    def _answer_failure(self, handler: BaseHTTPRequestHandler, failure: _Failure, record: RecordedRequest) -> None:
        if failure.drop:
            record.injected = "dropped"
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        record.injected = f"status {failure.status}"
        record.status = failure.status
        if failure.status >= 500:
            error = StripeApiError(
                failure.status,
                "An unknown error occurred",
                type="api_error",
                code=failure.code,
            )
        elif failure.status == 429:
            error = StripeApiError(
                429, "Request rate limit exceeded.", code=failure.code or "rate_limit", type="invalid_request_error"
            )
        else:
            error = StripeApiError(failure.status, f"Injected failure ({failure.code})", code=failure.code)
        self._write(handler, self._error_response(error, record.request_id), record)

    def _json_response(self, status: int, body: dict[str, Any]) -> _Response:
        return _Response(status, json.dumps(body, indent=2).encode())

    def _error_response(self, error: StripeApiError, request_id: str) -> _Response:
        response = self._json_response(error.status, error.body(request_id))
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="Stripe"'
        return response

    def _write(self, handler: BaseHTTPRequestHandler, response: _Response, record: RecordedRequest) -> None:
        version = next((v for k, v in record.headers.items() if k.lower() == "stripe-version"), API_VERSION)
        headers = {
            "Content-Type": "application/json",
            "Cache-Control": "no-cache, no-store",
            "Stripe-Version": version,
            **response.headers,
            "Request-Id": record.request_id,
            "Content-Length": str(len(response.body)),
        }
        try:
            handler.send_response(response.status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(response.body)
        except OSError:
            handler.close_connection = True

    # -- objects ---------------------------------------------------------------------------------

    def _get(self, store: dict[str, dict[str, Any]], kind: str, object_id: str, param: str, status: int = 404):
        if object_id not in store:
            raise _no_such(kind, object_id, param, status)
        return store[object_id]

    def _new_payment_intent(self, values: dict[str, Any]) -> dict[str, Any]:
        intent_id = new_id("pi")
        allowed = values.get("allowed_payment_method_types")
        intent = fixture("payment_intent")
        intent.update(
            allowed_payment_method_types=allowed,
            amount=values["amount"],
            amount_capturable=0,
            amount_details={"tip": {}},
            amount_received=0,
            # Without allowed_payment_method_types Stripe uses dynamic payment methods.
            automatic_payment_methods=None if allowed else {"allow_redirects": "always", "enabled": True},
            canceled_at=None,
            cancellation_reason=None,
            capture_method=values.get("capture_method", "automatic_async"),
            client_secret=f"{intent_id}_secret_{new_id('x', 25)[2:]}",
            confirmation_method="automatic",
            created=_now(),
            currency=values["currency"],
            description=values.get("description"),
            excluded_payment_method_types=None,
            id=intent_id,
            last_payment_error=None,
            latest_charge=None,
            managed_payments=None,
            metadata=values.get("metadata", {}),
            next_action=None,
            payment_method=None,
            payment_method_configuration_details=None,
            payment_method_options=self._payment_method_options(values, allowed or ["card"]),
            payment_method_types=allowed or ["card"],
            processing=None,
            receipt_email=values.get("receipt_email"),
            shipping=None,
            statement_descriptor=None,
            statement_descriptor_suffix=values.get("statement_descriptor_suffix"),
            status="requires_payment_method",
            transfer_data=None,
        )
        return intent

    @staticmethod
    def _payment_method_options(values: dict[str, Any], types: list[str]) -> dict[str, Any]:
        if "card_present" not in types:
            return {}
        given = values.get("payment_method_options", {}).get("card_present", {})
        options = {
            "request_extended_authorization": given.get("request_extended_authorization", False),
            "request_incremental_authorization_support": given.get("request_incremental_authorization_support", False),
        }
        if "capture_method" in given:
            options["capture_method"] = given["capture_method"]
        if "routing" in given:
            options["routing"] = {"requested_priority": given["routing"].get("requested_priority")}
        return {"card_present": options}

    def _new_payment_method(self, payment_type: str, number: str, card: TestCard) -> dict[str, Any]:
        method = fixture("payment_method")
        method.pop("card", None)
        method.update(
            allow_redisplay="limited",
            created=_now(),
            id=new_id("pm"),
            metadata={},
            type=payment_type,
            **{payment_type: self._card_details(number, card)},
        )
        return method

    @staticmethod
    def _card_details(number: str, card: TestCard) -> dict[str, Any]:
        return {
            "brand": card.brand,
            "cardholder_name": None,
            "country": "CA" if card.brand == "interac" else "US",
            "exp_month": 12,
            "exp_year": time.gmtime().tm_year + 3,
            "fingerprint": new_id("fp", 16)[3:],
            "funding": card.funding,
            "last4": number[-4:],
            "networks": {"available": [card.brand], "preferred": None},
            "read_method": "contactless_emv",
        }

    def _new_charge(self, intent, method, card: TestCard, *, captured: bool, decline: Decline | None):
        charge_id = new_id("ch")
        details = method[method["type"]]
        charge = fixture("charge")
        charge.update(
            amount=intent["amount"],
            amount_captured=intent["amount"] if captured else 0,
            amount_refunded=0,
            balance_transaction=new_id("txn") if captured else None,
            billing_details={
                "address": dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state")),
                "email": None,
                "name": None,
                "phone": None,
                "tax_id": None,
            },
            calculated_statement_descriptor="TAFEL",
            captured=captured,
            created=_now(),
            currency=intent["currency"],
            description=intent["description"],
            failure_code=decline.code if decline else None,
            failure_message=decline.message if decline else None,
            id=charge_id,
            metadata=dict(intent["metadata"]),
            outcome=self._outcome(decline),
            paid=decline is None,
            payment_intent=intent["id"],
            payment_method=method["id"],
            payment_method_details={
                "type": method["type"],
                method["type"]: {
                    **details,
                    "amount_authorized": None if decline else intent["amount"],
                    "capture_before": None if captured or decline else _now() + 2 * 86400,
                    "incremental_authorization_supported": False,
                    "network": card.brand,
                    "overcapture_supported": False,
                },
            },
            receipt_email=intent["receipt_email"],
            receipt_url=f"https://pay.stripe.com/receipts/payment/{secrets.token_urlsafe(48)}",
            refunded=False,
            refunds={"data": [], "has_more": False, "object": "list", "url": f"/v1/charges/{charge_id}/refunds"},
            shipping=None,
            source=None,
            status="failed" if decline else "succeeded",
            transfer_data=None,
        )
        return charge

    @staticmethod
    def _outcome(decline: Decline | None) -> dict[str, Any]:
        if decline is None:
            return {
                "advice_code": None,
                "network_advice_code": None,
                "network_decline_code": None,
                "network_status": "approved_by_network",
                "reason": None,
                "risk_level": "normal",
                "seller_message": "Payment complete.",
                "type": "authorized",
            }
        return {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "declined_by_network",
            "reason": decline.decline_code or decline.code,
            "risk_level": "normal",
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined",
        }

    # -- events and webhooks ------------------------------------------------------------------------

    def _emit(self, event_type: str, data_object: dict[str, Any], context: _Context) -> dict[str, Any]:
        """Record a Stripe event whose data.object is `data_object` as it is now, and queue it."""
        event = fixture("event")
        event.update(
            api_version=API_VERSION,
            created=_now(),
            data={"object": copy.deepcopy(data_object)},
            id=new_id("evt"),
            livemode=False,
            pending_webhooks=1 if self.webhook_url and self.deliver != "none" else 0,
            request={"id": context.request_id, "idempotency_key": context.idempotency_key},
            type=event_type,
        )
        self.events.append(event)
        self._events_by_id[event["id"]] = event
        if self.deliver == "manual":
            self._held.append(event)
        elif self.deliver == "immediate" and self.webhook_url:
            with self._outbox_cv:
                self._outbox.append(event)
                self._outbox_cv.notify_all()
        return event

    def signature_header(self, body: str, timestamp: int | None = None) -> str:
        """Stripe-Signature as Stripe computes it: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">."""
        timestamp = _now() if timestamp is None else timestamp
        digest = hmac.new(self.webhook_secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def _send_event(self, event: dict[str, Any]) -> Delivery:
        """POST one event to webhook_url, signed at send time like each Stripe delivery attempt."""
        body = json.dumps(event, indent=2)
        request = urllib.request.Request(
            self.webhook_url or "",
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Cache-Control": "no-cache",
                "Stripe-Signature": self.signature_header(body),
            },
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=5) as answer:
                delivery = Delivery(event["id"], event["type"], answer.status)
        except urllib.error.HTTPError as error:
            delivery = Delivery(event["id"], event["type"], error.code, str(error))
        except OSError as error:
            delivery = Delivery(event["id"], event["type"], None, str(error))
        with self._lock:
            self.deliveries.append(delivery)
        return delivery

    def _delivery_loop(self) -> None:
        while True:
            with self._outbox_cv:
                self._outbox_cv.wait_for(lambda: self._outbox or self._stopping)
                if self._stopping:
                    return
                event = self._outbox.popleft()
                self._sending = True
            try:
                self._send_event(event)
            finally:
                with self._outbox_cv:
                    self._sending = False
                    self._outbox_cv.notify_all()

    # -- terminal readers -------------------------------------------------------------------------

    def _reader_or_404(self, reader_id: str) -> dict[str, Any]:
        return self._get(self._readers, "terminal.reader", reader_id, "reader")

    @staticmethod
    def _require_online(reader: dict[str, Any]) -> None:
        """Stripe: "Attempting to call API methods on a reader that's offline results in a
        terminal_reader_offline error code" (collect-card-payment, server-driven)."""
        if reader["status"] != "online":
            raise StripeApiError(
                400,
                f"Reader {reader['id']} is currently unreachable because it is offline. Please make sure the "
                "reader is powered on and connected to the internet before retrying your request.",
                code="terminal_reader_offline",
            )

    def _list_readers(self, args, values, context):
        readers = list(self._readers.values())[::-1]  # newest first, as Stripe lists
        for name in ("device_type", "location", "serial_number", "status"):
            if name in values:
                readers = [r for r in readers if r[name] == values[name]]
        return 200, self._page(readers, values, "/v1/terminal/readers")

    @staticmethod
    def _page(items: list[dict[str, Any]], values: dict[str, Any], url: str) -> dict[str, Any]:
        """A list object with Stripe's cursor pagination (limit, starting_after, ending_before)."""
        ids = [item["id"] for item in items]
        if "starting_after" in values and values["starting_after"] in ids:
            items = items[ids.index(values["starting_after"]) + 1 :]
        elif "ending_before" in values and values["ending_before"] in ids:
            items = items[: ids.index(values["ending_before"])]
        limit = values.get("limit", 10)
        return {"data": items[:limit], "has_more": len(items) > limit, "object": "list", "url": url}

    def _retrieve_reader(self, args, values, context):
        return 200, self._reader_or_404(args["reader"])

    def _process_payment_intent(self, args, values, context):
        """Start collecting a payment on the reader; Stripe answers 200 at once with the reader
        and an action in_progress, and the PaymentIntent stays requires_payment_method until a
        card is presented ("Processing the payment happens asynchronously")."""
        reader = self._reader_or_404(args["reader"])
        intent = self._get(self._payment_intents, "payment_intent", values["payment_intent"], "payment_intent", 400)
        self._require_online(reader)
        if reader["action"] and reader["action"]["status"] == "in_progress":
            raise StripeApiError(
                400,
                f"Reader {reader['id']} is currently busy processing another request. Please reference the "
                "integration guide at https://stripe.com/docs/terminal/payments/collect-payment?"
                "terminal-sdk-platform=server-driven#handle-errors for details on how to handle this error.",
                code="terminal_reader_busy",
            )
        self._require_processable(intent)
        action = fixture("terminal.reader")["action"]
        action.update(
            api_error=None,
            failure_code=None,
            failure_message=None,
            process_payment_intent={"payment_intent": intent["id"]},
            status="in_progress",
            type="process_payment_intent",
        )
        if "process_config" in values:
            action["process_payment_intent"]["process_config"] = values["process_config"]
        reader["action"] = action
        self._action_serial[reader["id"]] += 1
        self._schedule_auto_present(reader["id"])
        return 200, reader

    @staticmethod
    def _require_processable(intent: dict[str, Any]) -> None:
        """Stripe: "A PaymentIntent must be in the requires_payment_method state before Stripe can
        process it. An authorized, captured, or canceled PaymentIntent can't be processed by a reader
        and results in an intent_invalid_state error" (collect-card-payment, server-driven)."""
        if intent["status"] != "requires_payment_method":
            raise StripeApiError(
                400,
                f"PaymentIntent {intent['id']} has a status of {intent['status']}. Only a PaymentIntent with a "
                "status of requires_payment_method can be processed by a reader.",
                code="intent_invalid_state",
                param="payment_intent",
            )
        if not {"card_present", "interac_present"} & set(intent["payment_method_types"]):
            raise StripeApiError(
                400,
                f"PaymentIntent {intent['id']} cannot be processed by a reader: its payment_method_types "
                f"{intent['payment_method_types']} do not include card_present. Create it with "
                "allowed_payment_method_types=['card_present'].",
                code="intent_invalid_state",
                param="payment_intent",
            )

    def _cancel_action(self, args, values, context):
        """Cancel the reader's action in progress. Stripe's reference answer shows the reader with
        "action": null (https://docs.stripe.com/api/terminal/readers/cancel_action); the
        PaymentIntent is untouched and still requires_payment_method. With no action in
        progress the reader comes back unchanged, a finished action included."""
        reader = self._reader_or_404(args["reader"])
        self._require_online(reader)
        if reader["action"] and reader["action"]["status"] == "in_progress":
            reader["action"] = None
            self._action_serial[reader["id"]] += 1
        return 200, reader

    def _present_payment_method(self, args, values, context):
        self._reader_or_404(args["reader"])
        payment_type = values.get("type", "card_present")
        number = values.get(payment_type, {}).get("number", DEFAULT_CARD[payment_type])
        return 200, self._present(args["reader"], payment_type, number, values.get("amount_tip", 0), context)

    def _present(self, reader_id: str, payment_type: str, number: str, tip: int, context: _Context):
        """A card is tapped on the reader: authorize it against the action's PaymentIntent."""
        reader = self._reader_or_404(reader_id)
        self._require_online(reader)
        action = reader["action"]
        if not action or action["status"] != "in_progress" or action["type"] != "process_payment_intent":
            raise StripeApiError(400, f"Reader {reader_id} has no action in progress to present a payment method to.")
        if number not in TEST_CARDS:
            raise StripeApiError(
                400,
                f"{number} is not one of the simulated test card numbers.",
                code="incorrect_number",
                param=f"{payment_type}[number]",
            )
        if tip < 0:
            raise StripeApiError(400, "This value must be greater than or equal to 0.", param="amount_tip")
        config = action["process_payment_intent"].get("process_config", {})
        if tip and config.get("skip_tipping"):
            raise StripeApiError(400, "amount_tip is not allowed when process_config[skip_tipping] is true.")
        intent = self._payment_intents[action["process_payment_intent"]["payment_intent"]]
        if intent["status"] != "requires_payment_method" or payment_type not in intent["payment_method_types"]:
            message = f"PaymentIntent {intent['id']} cannot accept a payment (status {intent['status']})."
            self._fail_action(reader, "intent_invalid_state", message, None, context)
            return reader
        card = TEST_CARDS[number]
        method = self._new_payment_method(payment_type, number, card)
        if card.decline:
            self._decline(reader, intent, method, card, context)
        else:
            self._authorize(reader, intent, method, card, tip, context)
        return reader

    def _authorize(self, reader, intent, method, card: TestCard, tip: int, context: _Context) -> None:
        """An approved card: the tip is added to the amount and shown in amount_details.tip;
        manual capture leaves the PaymentIntent requires_capture, otherwise it succeeds.
        Events, in this order: charge.succeeded, payment_intent.amount_capturable_updated
        (manual) or payment_intent.succeeded, then terminal.reader.action_succeeded."""
        options = intent["payment_method_options"].get("card_present", {})
        manual = intent["capture_method"] == "manual" or options.get("capture_method") in ("manual", "manual_preferred")
        if tip:
            intent["amount"] += tip
            intent["amount_details"] = {**intent["amount_details"], "tip": {"amount": tip}}
        charge = self._new_charge(intent, method, card, captured=not manual, decline=None)
        self._charges[charge["id"]] = charge
        intent.update(latest_charge=charge["id"], payment_method=method["id"], last_payment_error=None)
        if manual:
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
        else:
            intent.update(status="succeeded", amount_received=intent["amount"])
        reader["action"].update(status="succeeded")
        self._emit("charge.succeeded", charge, context)
        if manual:
            self._emit("payment_intent.amount_capturable_updated", intent, context)
        else:
            self._emit("payment_intent.succeeded", intent, context)
        self._emit("terminal.reader.action_succeeded", reader, context)

    def _decline(self, reader, intent, method, card: TestCard, context: _Context) -> None:
        """A declined card: the reader action fails with failure_code card_declined (and
        api_error, since 2026-05-27.dahlia), the PaymentIntent goes back to requires_payment_method
        with last_payment_error, ready for another card. Events: charge.failed,
        payment_intent.payment_failed, terminal.reader.action_failed."""
        decline = card.decline
        assert decline is not None
        charge = self._new_charge(intent, method, card, captured=False, decline=decline)
        self._charges[charge["id"]] = charge
        error = {
            "charge": charge["id"],
            "code": decline.code,
            "decline_code": decline.decline_code,
            "doc_url": _doc_url(decline.code),
            "message": decline.message,
            "payment_method": method,
            "type": "card_error",
        }
        intent.update(
            last_payment_error=error, latest_charge=charge["id"], payment_method=None, status="requires_payment_method"
        )
        api_error = {key: error[key] for key in ("code", "decline_code", "doc_url", "message", "type")}
        self._emit("charge.failed", charge, context)
        self._emit("payment_intent.payment_failed", intent, context)
        self._fail_action(reader, decline.code, decline.message, {**api_error, "param": None}, context)

    def _fail_action(self, reader, code: str, message: str, api_error, context: _Context) -> None:
        reader["action"].update(status="failed", failure_code=code, failure_message=message, api_error=api_error)
        self._action_serial[reader["id"]] += 1
        self._emit("terminal.reader.action_failed", reader, context)

    def _schedule_auto_present(self, reader_id: str) -> None:
        plan = self.auto_present
        if plan is None:
            return
        serial = self._action_serial[reader_id]

        def present() -> None:
            with self._lock:
                if self._action_serial.get(reader_id) != serial:
                    return  # canceled or replaced meanwhile
                # If the reader went offline meanwhile, the customer's tap never reaches Stripe.
                with contextlib.suppress(StripeApiError):
                    self._present(reader_id, "card_present", plan.number, plan.tip, _Context())

        timer = threading.Timer(plan.delay, present)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    # -- payment intents ----------------------------------------------------------------------------

    def _create_payment_intent(self, args, values, context):
        self._check_amount(values)
        intent = self._new_payment_intent(values)
        self._payment_intents[intent["id"]] = intent
        self._emit("payment_intent.created", intent, context)
        return 200, intent

    @staticmethod
    def _check_amount(values: dict[str, Any]) -> None:
        """Currency and amount checks Stripe makes on create (minimum and maximum charge amounts)."""
        currency = values["currency"].lower()
        if currency not in MINIMUM_CHARGE:
            raise StripeApiError(
                400,
                f"Invalid currency: {values['currency']}. Stripe currently supports these currencies: "
                f"{', '.join(MINIMUM_CHARGE)}",
                param="currency",
            )
        values["currency"] = currency
        if values["amount"] < MINIMUM_CHARGE[currency]:
            raise StripeApiError(
                400,
                f"Amount must be at least {_money(MINIMUM_CHARGE[currency], currency)}",
                code="amount_too_small",
                param="amount",
            )
        if values["amount"] > MAXIMUM_AMOUNT:
            raise StripeApiError(
                400,
                f"Amount must be no more than {_money(MAXIMUM_AMOUNT, currency)}",
                code="amount_too_large",
                param="amount",
            )

    def _retrieve_payment_intent(self, args, values, context):
        intent = self._get(self._payment_intents, "payment_intent", args["intent"], "intent")
        if "client_secret" in values and values["client_secret"] != intent["client_secret"]:
            raise StripeApiError(
                400,
                "The client_secret provided does not match the client_secret associated with the PaymentIntent.",
                param="client_secret",
            )
        return 200, intent

    def _capture_payment_intent(self, args, values, context):
        """Capture an authorized PaymentIntent, fully or partly (amount_to_capture); the rest is
        released. Only from requires_capture. Events: charge.captured, payment_intent.succeeded."""
        intent = self._get(self._payment_intents, "payment_intent", args["intent"], "intent")
        if intent["status"] != "requires_capture":
            raise StripeApiError(
                400,
                f"This PaymentIntent could not be captured because it has a status of {intent['status']}. Only a "
                "PaymentIntent with one of the following statuses may be captured: requires_capture.",
                code="payment_intent_unexpected_state",
                payment_intent=copy.deepcopy(intent),
            )
        amount = values.get("amount_to_capture", intent["amount_capturable"])
        if amount > intent["amount_capturable"]:
            raise StripeApiError(
                400,
                f"The amount_to_capture ({amount}) is greater than the amount_capturable "
                f"({intent['amount_capturable']}) of this PaymentIntent.",
                code="amount_too_large",
                param="amount_to_capture",
            )
        charge = self._charges[intent["latest_charge"]]
        charge.update(amount_captured=amount, balance_transaction=new_id("txn"), captured=True)
        charge["payment_method_details"][charge["payment_method_details"]["type"]]["capture_before"] = None
        intent.update(amount_capturable=0, amount_received=amount, status="succeeded")
        if "metadata" in values:
            intent["metadata"] = {**intent["metadata"], **values["metadata"]}
        self._emit("charge.captured", charge, context)
        self._emit("payment_intent.succeeded", intent, context)
        return 200, intent

    def _cancel_payment_intent(self, args, values, context):
        """Cancel from requires_payment_method, requires_capture (the hold is released),
        requires_confirmation, requires_action or processing. Event: payment_intent.canceled."""
        intent = self._get(self._payment_intents, "payment_intent", args["intent"], "intent")
        if intent["status"] not in CANCELABLE_STATUSES:
            raise StripeApiError(
                400,
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}. Only a "
                f"PaymentIntent with one of the following statuses may be canceled: {', '.join(CANCELABLE_STATUSES)}.",
                code="payment_intent_unexpected_state",
                payment_intent=copy.deepcopy(intent),
            )
        if intent["status"] == "requires_capture":
            charge = self._charges[intent["latest_charge"]]
            charge.update(amount_refunded=charge["amount"], refunded=True)
        intent.update(
            amount_capturable=0,
            canceled_at=_now(),
            cancellation_reason=values.get("cancellation_reason"),
            status="canceled",
        )
        self._emit("payment_intent.canceled", intent, context)
        return 200, intent

    # -- refunds and charges ------------------------------------------------------------------------

    def _create_refund(self, args, values, context):
        """Refund a captured payment, all that is left by default. More than captured minus
        already refunded is refused. Events: refund.created, charge.refunded."""
        charge = self._refundable_charge(values)
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        if remaining <= 0:
            raise StripeApiError(
                400, f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
            )
        amount = values.get("amount", remaining)
        if amount > remaining:
            raise StripeApiError(
                400,
                f"Refund amount ({_money(amount, charge['currency'])}) is greater than unrefunded amount on "
                f"charge ({_money(remaining, charge['currency'])})",
                code="amount_too_large",
                param="amount",
            )
        refund = fixture("refund")
        refund.update(
            amount=amount,
            balance_transaction=new_id("txn"),
            charge=charge["id"],
            created=_now(),
            currency=charge["currency"],
            destination_details={"card": {"reference_status": "pending", "type": "refund"}, "type": "card"},
            id=new_id("re"),
            metadata=values.get("metadata", {}),
            payment_intent=charge["payment_intent"],
            payment_method=charge["payment_method"],
            reason=values.get("reason"),
            status="succeeded",
        )
        self._refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
        charge["refunds"]["data"].insert(0, copy.deepcopy(refund))
        self._emit("refund.created", refund, context)
        self._emit("charge.refunded", charge, context)
        return 200, refund

    def _refundable_charge(self, values: dict[str, Any]) -> dict[str, Any]:
        if "payment_intent" not in values and "charge" not in values:
            raise StripeApiError(
                400,
                "One of the following params should be provided for this request: payment_intent or charge.",
                code="parameter_missing",
                param="payment_intent",
            )
        if "payment_intent" in values:
            intent = self._get(self._payment_intents, "payment_intent", values["payment_intent"], "payment_intent", 400)
            if intent["status"] != "succeeded":
                raise StripeApiError(
                    400,
                    f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund: its status is "
                    f"{intent['status']}. An authorization that is not captured is released by canceling it.",
                    code="payment_intent_unexpected_state",
                    param="payment_intent",
                )
            charge = self._charges[intent["latest_charge"]]
            if "charge" in values and values["charge"] != charge["id"]:
                raise StripeApiError(
                    400, f"Charge {values['charge']} does not belong to PaymentIntent {intent['id']}.", param="charge"
                )
            return charge
        charge = self._get(self._charges, "charge", values["charge"], "charge", 400)
        if not charge["captured"]:
            raise StripeApiError(
                400,
                f"Charge {charge['id']} is not captured; cancel its PaymentIntent to release the authorization.",
                param="charge",
            )
        return charge

    def _retrieve_refund(self, args, values, context):
        return 200, self._get(self._refunds, "refund", args["refund"], "refund")

    def _retrieve_charge(self, args, values, context):
        return 200, self._get(self._charges, "charge", args["charge"], "charge")

    def _retrieve_event(self, args, values, context):
        return 200, self._get(self._events_by_id, "event", args["event"], "id")


__all__ = [
    "API_VERSION",
    "TEST_CARDS",
    "AutoPresent",
    "Delivery",
    "RecordedRequest",
    "StripeApiError",
    "StripeServer",
    "fixture",
    "parse_params",
]
