"""A strict local OPERA Cloud (OHIP REST) server: the hotel side of our room-charge client.

It speaks the three OHIP operations the POS uses, plus the read-back it needs to
reconcile a posting whose answer never came, and refuses what the published OpenAPI
(Swagger 2.0) files refuse, and then some:

- ``POST /oauth/v1/tokens``: oauth.json getToken
- ``GET /rsv/v1/hotels/{hotelId}/reservations``: rsv.json getHotelReservations
- ``POST /csh/v1/hotels/{hotelId}/reservations/{reservationId}/charges``: csh.json postBillingCharges
- ``GET /csh/v1/hotels/{hotelId}/reservations/{reservationId}/folios``: csh.json getFolio (the
  read-back: ``?fetchInstructions=Postings``, each posting's ``checkNo`` / ``reference`` /
  ``postedAmount`` under ``reservationFolioInformation.folioWindows[].folios[].postings[]``)

Everything is checked against ``/work/shared/specs/opera-cloud/*.json``: header, path
and query parameters against the operation's parameter list (type, enum, pattern,
``collectionFormat``; unknown query parameters are refused), request bodies against
their definitions with every object closed (``additionalProperties: false``), and every
response body *this server* sends against the operation's response schema. A response
of ours that does not match is a bug of the double: it is answered with a 500, kept in
``server.errors`` and makes ``stop()`` raise :class:`SpecViolation`.

It is deliberately independent of ``pms_integration`` (it must not share the client's
mistakes). Typical use from a fixture::

    server = OperaCloudServer(client_id="tafel", client_secret="s3cret", app_key=KEY, hotel_id="TAFEL1")
    server.add_reservation(reservation_id="81234", room="214", given_name="Daniel", surname="Okafor")
    server.start()
    ...  # point the client at server.url (the OHIP gateway: /oauth/v1, /rsv/v1, /csh/v1 below it)
    assert server.posted[0]["checkNumber"] == "4711"
    server.stop()

Error bodies follow ``#/definitions/exceptionDetailType`` of csh.json / rsv.json (the
schema of ``#/responses/400``, ``404`` and ``500``): ``type``, ``title``, ``status``,
``detail``, ``instance``, ``o:errorCode``, ``o:errorPath`` and ``o:errorDetails``. The same
shape is used for the statuses whose spec response has no schema (401, 403, 415, 503,
and all errors of oauth.json), so a client needs one error parser.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import datetime as dt
import itertools
import json
import os
import re
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from email.message import Message
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

SPEC_DIR = Path(os.environ.get("OPERA_CLOUD_SPEC_DIR", "/work/shared/specs/opera-cloud"))

#: The spec's own example application key (oauth.json ``#/parameters/x-app-key`` x-example).
DEFAULT_APP_KEY = "41ecd082-8997-4c69-af34-2f72b83645ff"

#: Transaction codes of the test hotel: F&B revenue splits (2xxx) and tips / misc (9xxx).
DEFAULT_TRANSACTION_CODES = ("2000", "2010", "2100", "9000", "9100")

#: The reservation statuses of rsv.json ``#/definitions/pMS_ResStatusType`` we can hold.
RESERVATION_STATUSES = frozenset({"Reserved", "DueIn", "InHouse", "DueOut", "CheckedOut", "Cancelled", "NoShow"})

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"  # "produces" of every operation


# ----------------------------------------------------------------------------- specs


def _checker() -> FormatChecker:
    """Formats Swagger 2.0 uses; Draft 4's own checker knows neither ``date`` nor, without
    extra packages, ``date-time``."""
    checker = FormatChecker(formats=())

    @checker.checks("date", raises=ValueError)
    def _date(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return False
        dt.date.fromisoformat(value)
        return True

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        # RFC 3339; OPERA also sends local times without an offset, so the offset is optional.
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?", value):
            return False
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    return checker


FORMATS = _checker()


def _tighten(schema: object) -> None:
    """Close every object of a schema tree in place (``additionalProperties: false``).

    Swagger definitions leave objects open; OPERA ignores unknown fields, which is how a
    misspelt ``chekNumber`` silently vanishes. The double refuses them instead.
    Also drops ``maxLength`` below 10 next to ``format: date``: csh.json says
    ``"format": "date", "maxLength": 8`` (e.g. ``incomeAuditDate``), which no full-date
    (``YYYY-MM-DD``, 10 characters) can satisfy: a spec bug, not a rule.
    """
    if not isinstance(schema, dict) or "$ref" in schema:  # Draft 4 ignores $ref's siblings
        return
    if "properties" in schema or schema.get("type") == "object":
        schema.setdefault("additionalProperties", False)
    if schema.get("format") == "date" and schema.get("maxLength", 10) < 10:
        del schema["maxLength"]
    for sub in schema.get("properties", {}).values():
        _tighten(sub)
    items = schema.get("items")
    for sub in items if isinstance(items, list) else [items]:
        _tighten(sub)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            _tighten(sub)
    if isinstance(schema.get("additionalProperties"), dict):
        _tighten(schema["additionalProperties"])


def _rebase(schema: object, uri: str) -> object:
    """Copy of ``schema`` whose local ``#/...`` references point into the document ``uri``."""
    if isinstance(schema, dict):
        return {
            k: (uri + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v, uri))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v, uri) for v in schema]
    return schema


@dataclass(frozen=True)
class Operation:
    """One operation of a spec document, its ``$ref``-resolved parameters included."""

    spec: Spec
    operation_id: str
    method: str
    template: str  # basePath + path, e.g. /csh/v1/hotels/{hotelId}/reservations/{reservationId}/charges
    parameters: tuple[dict, ...]
    responses: dict

    @property
    def pattern(self) -> re.Pattern[str]:
        """Regex of the path template, one named group per path parameter."""
        parts = re.split(r"\{(\w+)\}", self.template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(parts))
        return re.compile(regex + "$")

    def params(self, location: str) -> dict[str, dict]:
        """Parameter definitions of one location (``query``, ``header``, ``path``, ...) by name."""
        return {p["name"]: p for p in self.parameters if p["in"] == location}

    def body_schema(self) -> dict | None:
        """The schema of the ``in: body`` parameter, if the operation takes a body."""
        return next((p["schema"] for p in self.parameters if p["in"] == "body"), None)

    def response_schema(self, status: int) -> dict | None:
        """Schema of the response with that status (``#/responses/...`` followed), or None."""
        response = self.responses.get(str(status))
        if response is None:
            return None
        if "$ref" in response:
            response = self.spec.raw["responses"][response["$ref"].split("/")[-1]]
        return response.get("schema")


class Spec:
    """One OHIP OpenAPI file, with validators over the whole document.

    Two views: ``raw`` is the file as published; the strict view closes every object
    (see :func:`_tighten`). Request bodies are checked against the strict view; our own
    responses against both (valid for any client of the real spec, and no field the
    spec does not know).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.raw: dict = json.loads((SPEC_DIR / f"{name}.json").read_text(encoding="utf-8"))
        self.strict: dict = copy.deepcopy(self.raw)
        for definition in self.strict.get("definitions", {}).values():
            _tighten(definition)
        self._uris = {False: f"urn:opera-cloud:{name}", True: f"urn:opera-cloud:{name}:strict"}
        self._registry = Registry().with_resources(
            [
                (self._uris[False], DRAFT4.create_resource(self.raw)),
                (self._uris[True], DRAFT4.create_resource(self.strict)),
            ]
        )
        self._validators: dict[tuple[str, bool], Draft4Validator] = {}
        self._lock = threading.Lock()

    @property
    def base_path(self) -> str:
        return self.raw["basePath"]

    def validator(self, schema: dict, *, strict: bool) -> Draft4Validator:
        """A Draft 4 validator of ``schema`` (local refs resolved within this document)."""
        key = (json.dumps(schema, sort_keys=True), strict)
        with self._lock:
            if key not in self._validators:
                rebased = _rebase(schema, self._uris[strict])
                self._validators[key] = Draft4Validator(rebased, registry=self._registry, format_checker=FORMATS)
            return self._validators[key]

    def definition(self, name: str) -> dict:
        """A ``{"$ref": "#/definitions/<name>"}`` schema (KeyError if the spec has no such one)."""
        if name not in self.raw["definitions"]:  # fail early on a typo
            raise KeyError(f"{self.name}.json has no definition {name}")
        return {"$ref": f"#/definitions/{name}"}

    def operation(self, operation_id: str) -> Operation:
        """The operation with that operationId."""
        for path, item in self.raw["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and op.get("operationId") == operation_id:
                    shared = item.get("parameters", [])
                    params = tuple(self._resolve_parameter(p) for p in [*shared, *op.get("parameters", [])])
                    return Operation(self, operation_id, method.upper(), self.base_path + path, params, op["responses"])
        raise KeyError(f"{self.name}.json has no operation {operation_id}")

    def match(self, method: str, path: str) -> tuple[bool, str | None]:
        """(does a path of this spec match, operationId for this method there or None)."""
        if not path.startswith(self.base_path + "/"):
            return False, None
        rest = path[len(self.base_path) :]
        # Literal segments win over parameters (/reservations/summary is not a reservationId).
        for template in sorted(self.raw["paths"], key=lambda t: t.count("{")):
            parts = re.split(r"\{\w+\}", template)
            if re.fullmatch("[^/]+".join(re.escape(part) for part in parts), rest):
                op = self.raw["paths"][template].get(method.lower())
                return True, op.get("operationId") if isinstance(op, dict) else None
        return False, None

    def _resolve_parameter(self, param: dict) -> dict:
        if "$ref" in param:
            return self.raw["parameters"][param["$ref"].split("/")[-1]]
        return param


@cache
def spec(name: str) -> Spec:
    """The parsed spec file ``<name>.json`` (oauth, rsv, csh), loaded once per process."""
    return Spec(name)


def billing_charges_errors(body: object, *, strict: bool = True) -> list[str]:
    """What is wrong with a postBillingCharges body per csh.json (empty list: valid).

    ``strict`` closes every object as the server does. For the client's own tests:
    validate what it sends without a round trip.
    """
    op = spec("csh").operation("postBillingCharges")
    schema = op.body_schema()
    assert schema is not None
    errors = spec("csh").validator(schema, strict=strict).iter_errors(body)
    return [f"{_json_path(e.absolute_path) or '<root>'}: {e.message}" for e in errors]


# ------------------------------------------------------------------------ public types


class SpecViolation(AssertionError):
    """The double itself produced a response that does not match the spec."""


class RecordedRequest(NamedTuple):
    """One request as it arrived (``headers`` keys lower-cased, ``query`` as lists)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Reservation:
    """A reservation of the hotel as the double holds it."""

    reservation_id: str
    room: str
    given_name: str
    surname: str
    no_post: bool = False
    balance: Decimal = Decimal(0)
    status: str = "InHouse"
    arrival: dt.date = field(default_factory=lambda: dt.date.today() - dt.timedelta(days=1))
    departure: dt.date = field(default_factory=lambda: dt.date.today() + dt.timedelta(days=1))
    profile_id: str = ""
    confirmation_number: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.surname}".strip()


class ApiError(Exception):
    """An OPERA-style refusal, rendered as an ``exceptionDetailType`` body."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        code: str,
        path: str | None = None,
        details: Iterable[dict] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.code = code
        self.path = path
        self.details = list(details)
        self.headers = dict(headers or {})


@dataclass
class _Response:
    status: int
    body: dict | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Context:
    """What a handler needs from one request."""

    method: str
    path: str
    pairs: list[tuple[str, str]]
    headers: Message
    body: bytes
    op: Operation
    path_params: dict[str, str]


_DROP = object()  # answer: close the connection without any HTTP response
_DEC_ZERO = Decimal(0)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    raise TypeError(f"not JSON serialisable: {value!r}")


def _json_path(parts: Iterable[object]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _money(amount: Decimal, currency: str) -> dict:
    """A ``currencyAmountType``."""
    return {"amount": amount, "currencyCode": currency}


# -------------------------------------------------------------------- parameter checks

# Keywords of a Swagger 2.0 non-body parameter that are JSON Schema validation keywords.
_PARAM_SCHEMA_KEYS = ("type", "enum", "format", "pattern", "minLength", "maxLength", "minimum", "maximum")
_ARRAY_SCHEMA_KEYS = ("maxItems", "minItems", "uniqueItems")
_SEPARATORS = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def _bad_parameter(name: str, detail: str, location: str = "query") -> ApiError:
    return ApiError(400, "Invalid parameter", detail, code="INVALID_PARAMETER", path=f"{location}.{name}")


def _coerce(name: str, schema: dict, text: str) -> object:
    """A query string value as the JSON type its parameter declares."""
    kind = schema.get("type", "string")
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise _bad_parameter(name, f"{name}={text!r} is not an integer")
        return int(text)
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            raise _bad_parameter(name, f"{name}={text!r} is not a number")
        return Decimal(text)
    if kind == "boolean":
        # Only the JSON literals: "1", "yes", "True" are a client bug worth seeing.
        if text not in ("true", "false"):
            raise _bad_parameter(name, f"{name}={text!r} is not a boolean (true or false)")
        return text == "true"
    return text


def _param_schema(param: dict) -> dict:
    schema = {k: param[k] for k in _PARAM_SCHEMA_KEYS if k in param}
    if param.get("type") == "array":
        schema.update({k: param[k] for k in _ARRAY_SCHEMA_KEYS if k in param})
        schema["items"] = {k: param["items"][k] for k in _PARAM_SCHEMA_KEYS if k in param.get("items", {})}
    return schema  # uniqueItems on a scalar (rsv.json searchType) means nothing: dropped


def _check_value(name: str, param: dict, value: object, location: str) -> None:
    for error in Draft4Validator(_param_schema(param), format_checker=FORMATS).iter_errors(value):
        raise _bad_parameter(name, f"{location} parameter {name}: {error.message}", location)


def parse_query(op: Operation, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Query parameters validated against ``op``'s definitions, as typed values.

    Arrays follow their ``collectionFormat``: ``multi`` repeats the parameter
    (``?a=1&a=2``); anything else (``csv`` is Swagger 2.0's default) is one parameter
    split on its separator. A scalar given twice and any name the operation does not
    define are refused.
    """
    definitions = op.params("query")
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    unknown = [name for name in grouped if name not in definitions]
    if unknown:
        raise ApiError(
            400,
            "Invalid parameter",
            f"{op.operation_id} has no query parameter {', '.join(unknown)}",
            code="UNKNOWN_PARAMETER",
            path=f"query.{unknown[0]}",
        )
    values: dict[str, Any] = {}
    for name, raw in grouped.items():
        param = definitions[name]
        if param.get("type") == "array":
            form = param.get("collectionFormat", "csv")
            if form == "multi":
                texts = raw
            elif len(raw) > 1:
                raise _bad_parameter(name, f"{name} is collectionFormat {form}: give it once, items separated")
            else:
                texts = raw[0].split(_SEPARATORS[form])
            value: object = [_coerce(name, param.get("items", {}), t) for t in texts]
        else:
            if len(raw) > 1:
                raise _bad_parameter(name, f"{name} is not an array but was given {len(raw)} times")
            value = _coerce(name, param, raw[0])
        _check_value(name, param, value, "query")
        values[name] = value
    for name, param in definitions.items():
        if param.get("required") and name not in values:
            raise _bad_parameter(name, f"query parameter {name} is required")
    return values


# --------------------------------------------------------------------------- the server


class OperaCloudServer:
    """A strict OHIP gateway for one hotel, on ``127.0.0.1``, port chosen by the OS.

    Thread-safe: the HTTP threads and the test share one lock around all state.
    Faults (:meth:`fail_next`, :meth:`delay_next`, :meth:`drop_after_next_posting`,
    :meth:`expire_tokens`) apply to the requests that arrive after the call.
    """

    def __init__(
        self,
        client_id: str = "tafel",
        client_secret: str = "s3cret",
        app_key: str = DEFAULT_APP_KEY,
        hotel_id: str = "TAFEL1",
        currency: str = "EUR",
        *,
        transaction_codes: Iterable[str] | Mapping[str, str] = DEFAULT_TRANSACTION_CODES,
        token_lifetime: float = 3600,
        username: str = "tafel-int",
        password: str = "int-s3cret",
        scope: str | None = None,
        currency_decimals: int = 2,
        require_check_number: bool = True,
        empty_search_status: int = 200,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
    ) -> None:
        """Configure the hotel.

        ``transaction_codes`` may map codes to descriptions (shown as
        ``transactionDescription``). ``scope`` None accepts any non-empty scope on a
        client_credentials grant. ``require_check_number`` refuses charges without a
        ``checkNumber`` (our reconciliation depends on it, the spec does not require it).
        ``empty_search_status`` 204 answers a lookup without result with rsv.json's
        ``204 HotelReservations not found`` instead of an empty 200. ``clock`` drives
        token expiry (inject a fake one to test it without sleeping).
        """
        if empty_search_status not in (200, 204):
            raise ValueError("empty_search_status must be 200 or 204")
        self.client_id = client_id
        self.client_secret = client_secret
        self.app_key = app_key
        self.hotel_id = hotel_id
        self.currency = currency
        codes = transaction_codes if isinstance(transaction_codes, Mapping) else dict.fromkeys(transaction_codes, "")
        self.transaction_codes: dict[str, str] = dict(codes)
        self.token_lifetime = token_lifetime
        self.username = username
        self.password = password
        self.scope = scope
        self.currency_decimals = currency_decimals
        self.require_check_number = require_check_number
        self.empty_search_status = empty_search_status
        self.clock = clock
        self.host = host
        # The spec's x-app-key pattern (a UUID) is enforced unless the configured key itself
        # breaks it (e.g. "app-key-1"): then no conforming client could ever get in.
        app_key_param = spec("oauth").raw["parameters"]["x-app-key"]
        self.enforce_app_key_pattern = bool(re.search(app_key_param["pattern"], app_key))

        self._lock = threading.RLock()
        self._reservations: dict[str, Reservation] = {}
        self._tokens: dict[str, float] = {}  # token -> expiry on self.clock
        self._revoked: set[str] = set()
        self._tokens_issued = 0
        self._posted: list[dict] = []
        self._requests: list[RecordedRequest] = []
        self._errors: list[str] = []
        self._fail: tuple[int, int] = (0, 0)  # (status, how many more)
        self._delays: deque[tuple[float, bool]] = deque()
        self._drop_next_posting = False
        self._transaction_numbers = itertools.count(5_000_001)
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

        self._routes: list[tuple[Operation, Callable[[_Context], _Response | object]]] = [
            (spec("oauth").operation("getToken"), self._get_token),
            (spec("rsv").operation("getHotelReservations"), self._get_hotel_reservations),
            (spec("csh").operation("postBillingCharges"), self._post_billing_charges),
            (spec("csh").operation("getFolio"), self._get_folio),
        ]

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> OperaCloudServer:
        """Listen on an OS-chosen port and serve from a background thread."""
        if self._httpd is not None:
            raise RuntimeError("already started")
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, 0), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="opera-cloud-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection; raise :class:`SpecViolation` if any
        response of ours broke the spec (so a fixture's teardown fails the test)."""
        if self._httpd is not None:
            self._stopping.set()  # wakes delayed answers
            self._httpd.shutdown()
            self._httpd.server_close()
            with self._lock:
                connections = list(self._connections)
            for conn in connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._httpd = None
            self._thread = None
        if self.errors:
            raise SpecViolation("OperaCloudServer sent responses that break the spec:\n" + "\n".join(self.errors))

    def __enter__(self) -> OperaCloudServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the gateway, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("not started")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    # ------------------------------------------------------------------ hotel data

    def add_reservation(
        self,
        reservation_id: str,
        room: str,
        given_name: str,
        surname: str,
        no_post: bool = False,
        balance: Decimal | int | str = 0,
        *,
        status: str = "InHouse",
        arrival: dt.date | None = None,
        departure: dt.date | None = None,
        profile_id: str | None = None,
        confirmation_number: str | None = None,
    ) -> Reservation:
        """Add a reservation (in house unless ``status`` says otherwise)."""
        if status not in RESERVATION_STATUSES:
            raise ValueError(f"status must be one of {sorted(RESERVATION_STATUSES)}")
        today = dt.date.today()
        reservation = Reservation(
            reservation_id=str(reservation_id),
            room=str(room),
            given_name=given_name,
            surname=surname,
            no_post=no_post,
            balance=Decimal(str(balance)),
            status=status,
            arrival=arrival or today - dt.timedelta(days=1),
            departure=departure or today + dt.timedelta(days=1),
            profile_id=profile_id or f"9{reservation_id}",
            confirmation_number=confirmation_number,
        )
        with self._lock:
            if reservation.reservation_id in self._reservations:
                raise ValueError(f"reservation {reservation_id} exists")
            self._reservations[reservation.reservation_id] = reservation
        return copy.copy(reservation)  # the live record stays behind the lock

    def check_out(self, reservation_id: str) -> None:
        """The guest leaves: the reservation is CheckedOut (no more postings, folio stays)."""
        with self._lock:
            self._reservations[str(reservation_id)].status = "CheckedOut"

    def reservation(self, reservation_id: str) -> Reservation:
        """The reservation as held now (its ``balance`` includes the postings)."""
        with self._lock:
            return copy.copy(self._reservations[str(reservation_id)])

    # ------------------------------------------------------------------ observation

    @property
    def posted(self) -> list[dict]:
        """Every accepted charge, in order: the ground truth of the folios.

        One dict per ``charges[]`` entry: ``hotelId``, ``reservationId``,
        ``transactionNo`` (int), ``transactionCode``, ``price`` (``{"amount": Decimal,
        "currencyCode"}``), ``postingQuantity`` (int), ``checkNumber``,
        ``postingReference``, ``postingRemark``, ``articleCode`` (None when not sent),
        ``folioWindowNo`` (int), ``postedAt`` (aware datetime), ``requestId``
        (the x-request-id header or None), ``charge`` (the entry as sent).
        """
        with self._lock:
            return list(self._posted)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request that arrived, in order (including refused and dropped ones)."""
        with self._lock:
            return list(self._requests)

    @property
    def tokens_issued(self) -> int:
        """How many access tokens getToken handed out."""
        with self._lock:
            return self._tokens_issued

    @property
    def errors(self) -> list[str]:
        """Responses of ours that broke the spec, and handler crashes (empty unless the double has a bug)."""
        with self._lock:
            return list(self._errors)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 2.0) -> bool:
        """Poll ``predicate`` until true or ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()

    # ------------------------------------------------------------------ faults

    def expire_tokens(self) -> None:
        """Every token issued so far becomes invalid (401 on its next use)."""
        with self._lock:
            self._revoked.update(self._tokens)
            self._tokens.clear()

    def fail_next(self, status: int = 503, count: int = 1) -> None:
        """The next ``count`` API (non-token) requests are answered ``status``, unprocessed."""
        HTTPStatus(status)  # ValueError on a status that does not exist
        with self._lock:
            self._fail = (status, count)

    def delay_next(self, seconds: float, *, before: bool = False) -> None:
        """The next request (any) waits ``seconds`` before it is answered.

        By default the request is processed at once and only its answer is late (a posting
        is on the folio while the client times out). ``before=True`` waits first and then
        processes it (the posting lands ``seconds`` later).
        """
        with self._lock:
            self._delays.append((seconds, before))

    def drop_after_next_posting(self) -> None:
        """The next *valid* posting is recorded in ``posted``, then the connection is
        closed without any HTTP response (the client cannot know it went through)."""
        with self._lock:
            self._drop_next_posting = True

    # ------------------------------------------------------------------ HTTP plumbing

    def _handle(self, handler: _Handler) -> None:
        """Entry point of every request (called on the connection's thread)."""
        split = urlsplit(handler.path)
        path = unquote(split.path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
            body, chunked = b"", True  # OHIP wants a Content-Length; we do not parse chunks
        else:
            text = handler.headers.get("Content-Length") or "0"
            length = int(text) if text.isdigit() else 0  # a bad length is answered 400 below
            body, chunked = (handler.rfile.read(length) if length > 0 else b""), False
        query: dict[str, list[str]] = {}
        for k, v in pairs:
            query.setdefault(k, []).append(v)
        with self._lock:
            self._requests.append(
                RecordedRequest(handler.command, path, query, {k.lower(): v for k, v in handler.headers.items()}, body)
            )
            delay, before = self._delays.popleft() if self._delays else (0.0, False)
        if delay and before:
            self._stopping.wait(delay)
        op: Operation | None = None
        try:
            if chunked:
                raise ApiError(411, "Length Required", "send the body with a Content-Length", code="LENGTH_REQUIRED")
            if not (handler.headers.get("Content-Length") or "0").isdigit():
                raise ApiError(400, "Bad Request", "Content-Length is not a number", code="BAD_CONTENT_LENGTH")
            op, path_params, action = self._route(handler.command, split.path)  # raw: params unquoted once
            response = self._fault(op, path) or action(
                _Context(handler.command, path, pairs, handler.headers, body, op, path_params)
            )
        except ApiError as error:
            response = self._error_response(error, path)
        except Exception as error:  # a bug of the double: loud, but still an HTTP answer
            with self._lock:
                self._errors.append(f"{handler.command} {path}: {type(error).__name__}: {error}")
            response = self._error_response(
                ApiError(500, "System Error", f"test double crashed: {error}", code="TEST_DOUBLE_CRASH"), path
            )
        if response is _DROP:
            handler.close_connection = True
            return
        assert isinstance(response, _Response)
        response = self._checked(op, response, f"{handler.command} {path}")
        if delay and not before:
            self._stopping.wait(delay)
        self._send(handler, response)

    def _route(self, method: str, path: str) -> tuple[Operation, dict[str, str], Callable]:
        for op, action in self._routes:
            match = op.pattern.match(path)
            if match and op.method == method:
                params = {k: unquote(v) for k, v in match.groupdict().items()}
                for name, definition in op.params("path").items():
                    _check_value(name, definition, params[name], "path")
                return op, params, action
        for name in ("oauth", "rsv", "csh"):
            known, operation_id = spec(name).match(method, unquote(path))
            if operation_id:
                raise ApiError(
                    501,
                    "Not Implemented",
                    f"{operation_id} ({name}.json) is valid OHIP but not implemented by this test double",
                    code="NOT_IMPLEMENTED",
                )
            if known:
                raise ApiError(
                    405, "Method not allowed", f"{name}.json defines no {method} {path}", code="METHOD_NOT_ALLOWED"
                )
        raise ApiError(404, "Resource not found", f"no OHIP operation {method} {unquote(path)}", code="NOT_FOUND")

    def _fault(self, op: Operation, path: str) -> _Response | None:
        """A pending fail_next() answer for an API request (the token endpoint is exempt)."""
        if op.operation_id == "getToken":
            return None
        with self._lock:
            status, left = self._fail
            if left <= 0:
                return None
            self._fail = (status, left - 1)
        phrase = HTTPStatus(status).phrase
        return self._error_response(
            ApiError(status, phrase, f"injected fault: {status} {phrase}", code="INJECTED_FAULT"), path
        )

    def _error_response(self, error: ApiError, path: str) -> _Response:
        body: dict[str, Any] = {
            "type": f"https://www.rfc-editor.org/rfc/rfc9110#status.{error.status}",
            "title": error.title,
            "status": error.status,
            "detail": error.detail,
            "instance": path,
            "o:errorCode": error.code,
        }
        if error.path:
            body["o:errorPath"] = error.path
        if error.details:
            body["o:errorDetails"] = error.details
        return _Response(error.status, body, dict(error.headers))

    def _checked(self, op: Operation | None, response: _Response, what: str) -> _Response:
        """Validate our own answer against the spec; a mismatch becomes a loud 500."""
        if response.body is None:
            return response
        doc = op.spec if op is not None else spec("csh")
        schema = op.response_schema(response.status) if op is not None else None
        problems: list[str] = []
        if schema is None and response.status < 400:
            problems.append(f"{what}: the spec defines no body for {response.status} but we sent one")
        elif schema is None:
            # 401/403/415/503 and all oauth.json errors have no schema: our one error shape.
            doc = spec("csh") if doc.name == "oauth" else doc
            schema = doc.definition("exceptionDetailType")
        if schema is not None:
            instance = json.loads(json.dumps(response.body, default=_json_default))  # what goes on the wire
            for strict in (False, True):
                for error in doc.validator(schema, strict=strict).iter_errors(instance):
                    where = _json_path(error.absolute_path) or "<root>"
                    view = "strict" if strict else "raw"
                    problems.append(
                        f"{what}: {response.status} body vs {doc.name}.json ({view}) at {where}: {error.message}"
                    )
        if not problems:
            return response
        with self._lock:
            self._errors.extend(problems)
        error = ApiError(
            500, "System Error", "test double broke the spec: " + problems[0], code="TEST_DOUBLE_INVALID_RESPONSE"
        )
        return self._error_response(error, what.split(" ", 1)[1])

    def _send(self, handler: _Handler, response: _Response) -> None:
        payload = b"" if response.body is None else json.dumps(response.body, default=_json_default).encode()
        try:
            handler.send_response(response.status)
            if response.body is not None:
                handler.send_header("Content-Type", JSON_CONTENT_TYPE)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
            handler.wfile.flush()
        except OSError:  # the client gave up (timeout) or the server is stopping
            handler.close_connection = True

    # ------------------------------------------------------------------ common checks

    def _check_app_key(self, headers: Message) -> None:
        """x-app-key: required (400), the spec's pattern (400), ours (401)."""
        key = headers.get("x-app-key")
        if key is None:
            raise ApiError(
                400, "Bad Request", "header x-app-key is required", code="INVALID_PARAMETER", path="header.x-app-key"
            )
        pattern = spec("oauth").raw["parameters"]["x-app-key"]["pattern"]
        if self.enforce_app_key_pattern and not re.search(pattern, key):
            raise _bad_parameter("x-app-key", f"x-app-key does not match {pattern}", "header")
        if not secrets.compare_digest(key.encode(), self.app_key.encode()):
            raise ApiError(401, "Unauthorized", "unknown application key (x-app-key)", code="INVALID_APP_KEY")

    def _check_headers(self, op: Operation, headers: Message, skip: Iterable[str]) -> None:
        """Every other header the operation defines: required ones present, values valid."""
        skipped = {s.lower() for s in skip}
        for name, param in op.params("header").items():
            if name.lower() in skipped:
                continue
            values = headers.get_all(name) or []
            if not values:
                if param.get("required"):
                    raise _bad_parameter(name, f"header {name} is required", "header")
                continue
            if len(values) > 1:
                raise _bad_parameter(name, f"header {name} given {len(values)} times", "header")
            _check_value(name, param, values[0], "header")

    def _check_bearer(self, headers: Message) -> None:
        """``Authorization: Bearer <token>`` with a token we issued that has not expired."""
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        value = headers.get("authorization")
        if not value:
            raise ApiError(
                401,
                "Unauthorized",
                "Authorization: Bearer <token> is required",
                code="MISSING_TOKEN",
                headers={"WWW-Authenticate": "Bearer"},
            )
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401, "Unauthorized", "Authorization must be a Bearer token", code="INVALID_TOKEN", headers=challenge
            )
        token = token.strip()
        with self._lock:
            expiry = self._tokens.get(token)
            if expiry is not None and self.clock() >= expiry:
                del self._tokens[token]
                self._revoked.add(token)
                expiry = None
            revoked = token in self._revoked
        if expiry is None:
            detail = "access token expired" if revoked else "invalid access token"
            raise ApiError(
                401, "Unauthorized", detail, code="TOKEN_EXPIRED" if revoked else "INVALID_TOKEN", headers=challenge
            )

    def _authorize(self, ctx: _Context) -> None:
        """The gateway's checks shared by every hotel API call, in the gateway's order."""
        self._check_bearer(ctx.headers)
        self._check_app_key(ctx.headers)
        self._check_headers(ctx.op, ctx.headers, skip=("authorization", "x-app-key"))
        hotel = ctx.path_params["hotelId"]
        if ctx.headers.get("x-hotelid") != hotel:
            raise ApiError(
                400,
                "Bad Request",
                f"x-hotelid {ctx.headers.get('x-hotelid')!r} differs from hotelId {hotel!r} in the path",
                code="HOTEL_MISMATCH",
                path="header.x-hotelid",
            )
        if hotel != self.hotel_id:
            raise ApiError(
                403,
                "Forbidden",
                f"not authorized for hotel {hotel!r}",
                code="HOTEL_NOT_AUTHORIZED",
                path="path.hotelId",
            )

    def _reservation(self, ctx: _Context) -> Reservation:
        reservation = self._reservations.get(ctx.path_params["reservationId"])
        if reservation is None:
            raise ApiError(
                404,
                "Resource not found",
                f"reservation {ctx.path_params['reservationId']} not found in hotel {self.hotel_id}",
                code="RESERVATION_NOT_FOUND",
                path="path.reservationId",
            )
        return reservation

    # ------------------------------------------------------------------ getToken (oauth.json)

    def _get_token(self, ctx: _Context) -> _Response:
        """oauth.json ``POST /tokens`` (getToken): Basic client credentials + x-app-key + form."""
        parse_query(ctx.op, ctx.pairs)  # getToken defines none: any query parameter is refused
        media = (ctx.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise ApiError(
                415,
                "Unsupported Media Type",
                "getToken consumes application/x-www-form-urlencoded",
                code="UNSUPPORTED_MEDIA_TYPE",
            )
        self._check_app_key(ctx.headers)
        self._check_headers(ctx.op, ctx.headers, skip=("x-app-key",))
        self._check_basic(ctx.headers)
        try:
            pairs = parse_qsl(ctx.body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(ctx.body))
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(400, "Bad Request", f"form body unreadable: {error}", code="invalid_request") from None
        fields = ctx.op.params("formData")
        form: dict[str, str] = {}
        for name, value in pairs:
            if name not in fields:
                raise ApiError(
                    400,
                    "Bad Request",
                    f"getToken has no form parameter {name}",
                    code="invalid_request",
                    path=f"formData.{name}",
                )
            if name in form:
                raise ApiError(
                    400,
                    "Bad Request",
                    f"form parameter {name} given twice",
                    code="invalid_request",
                    path=f"formData.{name}",
                )
            form[name] = value
        grant = form.get("grant_type")
        if grant is None:
            raise ApiError(
                400, "Bad Request", "grant_type is required", code="invalid_request", path="formData.grant_type"
            )
        if grant not in fields["grant_type"]["enum"]:
            raise ApiError(
                400,
                "Bad Request",
                f"grant_type must be one of {fields['grant_type']['enum']}",
                code="unsupported_grant_type",
                path="formData.grant_type",
            )
        if grant == "client_credentials":
            if not form.get("scope"):
                raise ApiError(
                    400,
                    "Bad Request",
                    "scope is required with grant_type client_credentials",
                    code="invalid_request",
                    path="formData.scope",
                )
            if self.scope is not None and form["scope"] != self.scope:
                raise ApiError(401, "Unauthorized", "invalid scope", code="invalid_scope")
        else:  # password
            for name in ("username", "password"):
                if not form.get(name):
                    raise ApiError(
                        400,
                        "Bad Request",
                        f"{name} is required with grant_type password",
                        code="invalid_request",
                        path=f"formData.{name}",
                    )
            if (form["username"], form["password"]) != (self.username, self.password):
                raise ApiError(401, "Unauthorized", "invalid username or password", code="invalid_grant")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = self.clock() + self.token_lifetime
            self._tokens_issued += 1
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.token_lifetime),
            "oracle_tk_context": "user_assertion",  # "Always user_assertion." (oauth.json)
        }
        return _Response(200, body, {"Cache-Control": "no-store"})

    def _check_basic(self, headers: Message) -> None:
        """HTTP Basic ``client_id:client_secret`` (oauth.json securityDefinitions basicAuth)."""
        challenge = {"WWW-Authenticate": 'Basic realm="OHIP"'}
        value = headers.get("authorization") or ""
        scheme, _, encoded = value.partition(" ")
        if scheme.lower() != "basic":
            raise ApiError(
                401,
                "Unauthorized",
                "HTTP Basic client_id:client_secret is required",
                code="invalid_client",
                headers=challenge,
            )
        try:
            client_id, sep, client_secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            sep = ""
        if not sep:
            raise ApiError(401, "Unauthorized", "malformed Basic credentials", code="invalid_client", headers=challenge)
        good = secrets.compare_digest(client_id.encode(), self.client_id.encode())
        good &= secrets.compare_digest(client_secret.encode(), self.client_secret.encode())
        if not good:
            raise ApiError(
                401, "Unauthorized", "invalid client id or client secret", code="invalid_client", headers=challenge
            )

    # ------------------------------------------------------------------ getHotelReservations (rsv.json)

    #: Query parameters whose meaning the double implements; others valid per rsv.json are
    #: refused with 400 NOT_SUPPORTED_BY_TEST_DOUBLE rather than silently ignored.
    LOOKUP_PARAMETERS = frozenset(
        {
            "searchType",
            "roomId",
            "surname",
            "givenName",
            "reservationIdList",
            "excludeNoPost",
            "limit",
            "offset",
            "fetchInstructions",
            "recentlyAccessed",
        }
    )
    #: searchType values implemented, and the reservation statuses each one finds.
    SEARCH_TYPES: Mapping[str, frozenset[str]] = {
        "InHouse": frozenset({"InHouse", "DueOut"}),
        "CheckedOut": frozenset({"CheckedOut"}),
        "Any": frozenset(RESERVATION_STATUSES),
    }

    def _get_hotel_reservations(self, ctx: _Context) -> _Response:
        """rsv.json ``GET /hotels/{hotelId}/reservations`` (getHotelReservations)."""
        self._authorize(ctx)
        query = parse_query(ctx.op, ctx.pairs)
        self._supported(query, self.LOOKUP_PARAMETERS, ctx.op)
        search_type = query.get("searchType", "Any")  # no searchType: every status, like Any
        if search_type not in self.SEARCH_TYPES:
            raise ApiError(
                400,
                "Bad Request",
                f"searchType {search_type} is valid OHIP but not supported by this "
                f"test double (supported: {sorted(self.SEARCH_TYPES)})",
                code="NOT_SUPPORTED_BY_TEST_DOUBLE",
                path="query.searchType",
            )
        statuses = self.SEARCH_TYPES[search_type]
        limit, offset = query.get("limit"), query.get("offset", 0)
        for name, number in (("limit", limit), ("offset", offset)):
            if number is not None and number < 0:
                raise _bad_parameter(name, f"{name} must not be negative")

        def fits(r: Reservation) -> bool:
            return (
                r.status in statuses
                and query.get("roomId", r.room) == r.room
                and r.surname.casefold().startswith(str(query.get("surname", "")).casefold())
                and r.given_name.casefold().startswith(str(query.get("givenName", "")).casefold())
                and r.reservation_id in query.get("reservationIdList", [r.reservation_id])
                and not (query.get("excludeNoPost") and r.no_post)
            )

        with self._lock:
            found = [r for r in self._reservations.values() if fits(r)]
            found.sort(key=lambda r: (r.room, r.reservation_id))
            page = found[offset : None if limit is None else offset + limit]
            infos = [self._reservation_info(r) for r in page]
        if not found and self.empty_search_status == 204:
            return _Response(204, None)
        reservations: dict[str, Any] = {
            "reservationInfo": infos,
            "totalResults": len(found),
            "count": len(infos),
            "hasMore": offset + len(infos) < len(found),
            "offset": offset,
        }
        if limit is not None:
            reservations["limit"] = limit
        return _Response(200, {"reservations": reservations})

    def _supported(self, query: Mapping[str, object], supported: frozenset[str], op: Operation) -> None:
        extra = sorted(set(query) - supported)
        if extra:
            raise ApiError(
                400,
                "Bad Request",
                f"{', '.join(extra)}: valid for {op.operation_id} but not supported by this test double",
                code="NOT_SUPPORTED_BY_TEST_DOUBLE",
                path=f"query.{extra[0]}",
            )

    def _ids(self, r: Reservation) -> list[dict]:
        ids = [{"type": "Reservation", "id": r.reservation_id}]
        if r.confirmation_number:
            ids.append({"type": "Confirmation", "id": r.confirmation_number})
        return ids

    def _reservation_info(self, r: Reservation) -> dict:
        """An rsv.json ``reservationInfoType`` (caller holds the lock)."""
        sharers = [
            s
            for s in self._reservations.values()
            if s.room == r.room and s is not r and s.status in ("InHouse", "DueOut")
        ]
        info: dict[str, Any] = {
            "reservationIdList": self._ids(r),
            "roomStay": {
                "roomId": r.room,
                "arrivalDate": r.arrival.isoformat(),
                "departureDate": r.departure.isoformat(),
            },
            "reservationGuest": {
                "id": r.profile_id,
                "givenName": r.given_name,
                "surname": r.surname,
                "fullName": r.full_name,
            },
            "reservationStatus": r.status,
            "hotelId": self.hotel_id,
            "cashiering": {
                "billingPrivileges": {"postingRestriction": r.no_post},
                "revenuesAndBalances": {"balance": _money(r.balance, self.currency)},
            },
        }
        if sharers:
            info["sharedGuests"] = [
                {
                    "profileId": {"type": "Profile", "id": s.profile_id},
                    "reservationId": {"type": "Reservation", "id": s.reservation_id},
                    "firstName": s.given_name,
                    "lastName": s.surname,
                    "fullName": s.full_name,
                }
                for s in sharers
            ]
        return info

    # ------------------------------------------------------------------ postBillingCharges (csh.json)

    def _post_billing_charges(self, ctx: _Context) -> _Response | object:
        """csh.json ``POST /hotels/{hotelId}/reservations/{reservationId}/charges`` (postBillingCharges)."""
        self._authorize(ctx)
        parse_query(ctx.op, ctx.pairs)  # none defined
        body = self._json_body(ctx)
        self._validate_body(ctx.op, body)
        charges = self._check_charges(ctx, body)
        with self._lock:  # lookup, checks and recording are one step
            reservation = self._reservation(ctx)
            if reservation.status not in ("InHouse", "DueOut"):
                raise ApiError(
                    404,
                    "Resource not found",
                    f"reservation {reservation.reservation_id} is not in house ({reservation.status})",
                    code="RESERVATION_NOT_IN_HOUSE",
                    path="path.reservationId",
                )
            if reservation.no_post:
                raise ApiError(
                    400,
                    "Posting not allowed",
                    f"reservation {reservation.reservation_id} has a posting "
                    "restriction (no post): charges are not allowed",
                    code="POSTING_RESTRICTED",
                    path="criteria.reservationId",
                )
            now = dt.datetime.now(dt.UTC)
            records = []
            for charge in charges:
                price = Decimal(str(charge["price"]["amount"]))
                quantity = charge.get("postingQuantity", 1)
                record = {
                    "hotelId": self.hotel_id,
                    "reservationId": reservation.reservation_id,
                    "transactionNo": next(self._transaction_numbers),
                    "transactionCode": charge["transactionCode"],
                    "price": {"amount": price, "currencyCode": charge["price"]["currencyCode"]},
                    "postingQuantity": quantity,
                    "checkNumber": charge.get("checkNumber"),
                    "postingReference": charge.get("postingReference"),
                    "postingRemark": charge.get("postingRemark"),
                    "articleCode": charge.get("articleCode"),
                    "folioWindowNo": charge.get("folioWindowNo", 1),
                    "postedAt": now,
                    "requestId": ctx.headers.get("x-request-id"),
                    "charge": charge,
                }
                reservation.balance += price * quantity
                records.append(record)
            self._posted.extend(records)
            if self._drop_next_posting:
                self._drop_next_posting = False
                return _DROP
            postings = [self._summary_posting(r) for r in records]
        location = f"{self.url}/csh/v1/hotels/{self.hotel_id}/reservations/{reservation.reservation_id}/folios"
        links = [{"href": location, "rel": "folios", "method": "GET", "operationId": "getFolio"}]
        return _Response(201, {"postings": postings, "links": links}, {"Location": location})

    def _json_body(self, ctx: _Context) -> dict:
        media, _, params = (ctx.headers.get("Content-Type") or "").partition(";")
        charset = params.strip().lower().removeprefix("charset=").strip('"') if params.strip() else "utf-8"
        if media.strip().lower() != "application/json" or charset not in ("utf-8", "utf8"):
            raise ApiError(
                415,
                "Unsupported Media Type",
                f"{ctx.op.operation_id} consumes application/json;charset=UTF-8",
                code="UNSUPPORTED_MEDIA_TYPE",
            )

        def no_constants(name: str) -> object:
            raise ValueError(f"{name} is not JSON")

        try:
            body = json.loads(ctx.body.decode("utf-8"), parse_float=Decimal, parse_constant=no_constants)
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(400, "Bad Request", f"body is not JSON: {error}", code="INVALID_JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request", "body must be a JSON object", code="INVALID_JSON")
        return body

    def _validate_body(self, op: Operation, body: dict) -> None:
        """The body against the operation's schema, every object closed (strict view)."""
        schema = op.body_schema()
        assert schema is not None
        details = []
        unknown = False
        for error in sorted(
            op.spec.validator(schema, strict=True).iter_errors(body), key=lambda e: list(map(str, e.absolute_path))
        ):
            where = _json_path(error.absolute_path)
            if error.validator == "additionalProperties":
                unknown = True
                allowed = set(error.schema.get("properties", {}))
                for name in sorted(set(error.instance) - allowed):
                    path = f"{where}.{name}" if where else name
                    details.append(self._detail(f"unknown property {path}", path))
            else:
                details.append(self._detail(error.message, where or "<root>"))
        if details:
            first = details[0]
            raise ApiError(
                400,
                "Bad Request",
                f"body does not match {op.spec.name}.json {op.operation_id}: {first['detail']}",
                code="UNKNOWN_PROPERTY" if unknown else "SCHEMA_VIOLATION",
                path=first["o:errorPath"],
                details=details[:50],
            )

    @staticmethod
    def _detail(text: str, path: str) -> dict:
        """An ``errorInstance`` (csh.json) for ``o:errorDetails``."""
        return {
            "type": "https://www.rfc-editor.org/rfc/rfc9110#status.400",
            "title": "Invalid field",
            "status": 400,
            "detail": text,
            "o:errorPath": path,
        }

    def _check_charges(self, ctx: _Context, body: dict) -> list[dict]:
        """What the schema leaves optional but a posting cannot do without."""

        def bad(code: str, path: str, detail: str) -> ApiError:
            return ApiError(400, "Bad Request", detail, code=code, path=path)

        criteria = body.get("criteria")
        if criteria is None:
            raise bad("MISSING_FIELD", "criteria", "criteria is required")
        hotel, reservation_id = ctx.path_params["hotelId"], ctx.path_params["reservationId"]
        if "hotelId" not in criteria:
            raise bad("MISSING_FIELD", "criteria.hotelId", "criteria.hotelId is required")
        if criteria["hotelId"] != hotel:
            raise bad(
                "HOTEL_MISMATCH",
                "criteria.hotelId",
                f"criteria.hotelId {criteria['hotelId']!r} differs from the path's {hotel!r}",
            )
        rid = criteria.get("reservationId") or {}
        if "id" not in rid:
            raise bad("MISSING_FIELD", "criteria.reservationId.id", "criteria.reservationId.id is required")
        if rid["id"] != reservation_id:
            raise bad(
                "RESERVATION_MISMATCH",
                "criteria.reservationId.id",
                f"criteria.reservationId.id {rid['id']!r} differs from the path's {reservation_id!r}",
            )
        if rid.get("type", "Reservation") != "Reservation":
            raise bad(
                "RESERVATION_MISMATCH", "criteria.reservationId.type", "criteria.reservationId.type must be Reservation"
            )
        charges = criteria.get("charges") or []
        if not charges:
            raise bad("MISSING_FIELD", "criteria.charges", "criteria.charges must hold at least one charge")
        step = Decimal(1).scaleb(-self.currency_decimals)
        for i, charge in enumerate(charges):
            at = f"criteria.charges[{i}]"
            code = charge.get("transactionCode")
            if code is None:
                raise bad("MISSING_FIELD", f"{at}.transactionCode", f"{at}.transactionCode is required")
            if code not in self.transaction_codes:
                raise bad(
                    "INVALID_TRANSACTION_CODE",
                    f"{at}.transactionCode",
                    f"transaction code {code!r} is not configured in hotel {self.hotel_id}",
                )
            price = charge.get("price") or {}
            if "amount" not in price:
                raise bad("MISSING_FIELD", f"{at}.price.amount", f"{at}.price.amount is required")
            if "currencyCode" not in price:
                raise bad("MISSING_FIELD", f"{at}.price.currencyCode", f"{at}.price.currencyCode is required")
            if price["currencyCode"] != self.currency:
                raise bad(
                    "INVALID_CURRENCY",
                    f"{at}.price.currencyCode",
                    f"currency {price['currencyCode']!r} is not the hotel's {self.currency!r}",
                )
            try:
                amount = Decimal(str(price["amount"]))
                exact = amount == amount.quantize(step)
            except InvalidOperation:
                exact = False
            if not exact:  # 12.300000000000001 is a float bug of the client, not a price
                raise bad(
                    "INVALID_AMOUNT",
                    f"{at}.price.amount",
                    f"amount {price['amount']} has more than {self.currency_decimals} decimals",
                )
            if charge.get("postingQuantity", 1) < 1:
                raise bad("INVALID_QUANTITY", f"{at}.postingQuantity", "postingQuantity must be at least 1")
            if self.require_check_number and not charge.get("checkNumber"):
                raise bad(
                    "MISSING_FIELD",
                    f"{at}.checkNumber",
                    f"{at}.checkNumber is required (reconciliation by check number)",
                )
        return charges

    def _summary_posting(self, record: dict) -> dict:
        """A csh.json ``summaryPostingType`` for one recorded charge."""
        price = record["price"]
        posting: dict[str, Any] = {
            "transactionNo": record["transactionNo"],
            "transactionCode": record["transactionCode"],
            "transactionType": "Revenue",
            "price": dict(price),
            "quantity": record["postingQuantity"],
            "postedAmount": _money(price["amount"] * record["postingQuantity"], price["currencyCode"]),
            "folioWindowNo": record["folioWindowNo"],
            # postingDate/transactionDate are "format: date, maxLength: 8" in csh.json: no
            # ISO date fits, so the moment goes in postingTime (date-time, no such bug).
            "postingTime": {"time": record["postedAt"].isoformat(timespec="seconds"), "timezone": "UTC"},
        }
        for key, name in (
            ("checkNumber", "checkNo"),
            ("postingReference", "reference"),
            ("postingRemark", "remark"),
            ("articleCode", "articleCode"),
        ):
            if record[key] is not None:
                posting[name] = record[key]
        if self.transaction_codes.get(record["transactionCode"]):
            posting["transactionDescription"] = self.transaction_codes[record["transactionCode"]]
        return posting

    # ------------------------------------------------------------------ getFolio (csh.json)

    #: Implemented getFolio query parameters (others valid per csh.json: 400, see LOOKUP_PARAMETERS).
    FOLIO_PARAMETERS = frozenset(
        {
            "fetchInstructions",
            "folioWindowNo",
            "summaryOnly",
            "reservationBalanceOnly",
            "includeFolioHistory",
            "guestPayOnly",
        }
    )

    def _get_folio(self, ctx: _Context) -> _Response:
        """csh.json ``GET /hotels/{hotelId}/reservations/{reservationId}/folios`` (getFolio).

        The read-back for reconciliation: every charge on the reservation, also after
        check-out. Postings appear only with ``fetchInstructions=Postings`` (the enum's
        "Posting details of each window") and not with ``summaryOnly=true``.
        """
        self._authorize(ctx)
        query = parse_query(ctx.op, ctx.pairs)
        self._supported(query, self.FOLIO_PARAMETERS, ctx.op)
        with_postings = "Postings" in query.get("fetchInstructions", []) and not query.get("summaryOnly")
        with self._lock:
            reservation = self._reservation(ctx)
            records = [p for p in self._posted if p["reservationId"] == reservation.reservation_id]
            info = {
                "reservationIdList": self._ids(reservation),
                "roomStay": {
                    "roomId": reservation.room,
                    "arrivalDate": reservation.arrival.isoformat(),
                    "departureDate": reservation.departure.isoformat(),
                },
                "reservationGuest": {
                    "id": reservation.profile_id,
                    "givenName": reservation.given_name,
                    "surname": reservation.surname,
                    "fullName": reservation.full_name,
                },
                "reservationStatus": reservation.status,
                "hotelId": self.hotel_id,
                "cashiering": {
                    "revenuesAndBalances": {"balance": _money(reservation.balance, self.currency)},
                    "billingPrivileges": {"postingRestriction": reservation.no_post},
                },
            }
            opening = reservation.balance - sum(
                (p["price"]["amount"] * p["postingQuantity"] for p in records), _DEC_ZERO
            )
        information: dict[str, Any] = {"reservationInfo": info}
        if not query.get("reservationBalanceOnly"):
            numbers = sorted({1, *(p["folioWindowNo"] for p in records)})
            wanted = query.get("folioWindowNo")
            windows = []
            for number in numbers:
                if wanted is not None and number not in wanted:
                    continue
                mine = [p for p in records if p["folioWindowNo"] == number]
                revenue = sum((p["price"]["amount"] * p["postingQuantity"] for p in mine), _DEC_ZERO)
                window: dict[str, Any] = {
                    "folioWindowNo": number,
                    "revenue": _money(revenue, self.currency),
                    "balance": _money(revenue + (opening if number == 1 else _DEC_ZERO), self.currency),
                    "emptyWindow": not mine,
                }
                if with_postings:
                    # Open (not yet billed) postings: one folio without folio number.
                    window["folios"] = [
                        {
                            "postings": [self._summary_posting(p) for p in mine],
                            "folioAmount": _money(revenue, self.currency),
                        }
                    ]
                windows.append(window)
            information["folioWindows"] = windows
        return _Response(200, {"reservationFolioInformation": information})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client never blocks stop()
    request_queue_size = 64  # a burst of concurrent clients must not hit SYN retries (1 s each)

    def __init__(self, address: tuple[str, int], api: OperaCloudServer) -> None:
        self.api = api
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive like the real gateway
    server_version = "OperaCloudTestServer/1.0"
    timeout = 10  # idle keep-alive connections end on their own
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.api._lock:
            self.server.api._connections.add(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.api._lock:
            self.server.api._connections.discard(self.connection)

    def _dispatch(self) -> None:
        self.server.api._handle(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def log_message(self, format: str, *args: object) -> None:
        """Say nothing on stderr: `requests` and `errors` on the server are the record."""


def iter_postings(folio_body: Mapping[str, Any]) -> Iterator[dict]:
    """The ``summaryPostingType`` entries of a getFolio answer (all windows, all folios)."""
    for window in folio_body.get("reservationFolioInformation", {}).get("folioWindows", []):
        for folio in window.get("folios", []):
            yield from folio.get("postings", [])
