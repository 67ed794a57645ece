"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation of `/api/schema/` gets requests generated from the schema, sent
in-process to Django's real WSGI application (middleware, sessions, CSRF and all)
with a real session cookie, signed in as a manager and as a waiter, over a
restaurant where the path ids name real rows. Each answer must not be a 5xx and
must match the schema: a documented status code, content type and body. Bounded
(a fixed number of examples per operation, derandomized) so it runs in minutes.

Invalid input (schemathesis' negative mode) is sent as the manager: it must get a
documented 4xx, never a 5xx. Nothing is left out: the Stripe webhook, without a
valid signature, answers its documented 400.
"""

import datetime
import json
import uuid

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from billing.models import Check, DrawerSession, Tender
from tests.api_world import APPROVER_PIN, build_api_world, ids_for, session_cookie_for
from tests.factories import TEST_PIN

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12
NEGATIVE_EXAMPLES_PER_OPERATION = 6
CSRF_TOKEN = "FuzzCsrfToken0123456789abcdefABC"  # 32 letters and digits: a valid unmasked token


@pytest.fixture
def wsgi_app(settings):
    # Django's test client keeps the test's transaction by not closing connections per
    # request; calling the WSGI application directly needs the same.
    settings.ALLOWED_HOSTS = ["localhost"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Wrong pairing codes and PINs are counted in the cache: none leak into or out of a test.
    cache.clear()
    try:
        yield get_wsgi_application()
    finally:
        cache.clear()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _use_real_ids(case, api_world, draw, *, always: bool) -> None:
    """Mostly real rows (else every id is a 404); now and then the generated id."""
    for name in list(case.path_parameters or {}):
        if not always and draw(st.integers(0, 9)) == 0:
            continue
        case.path_parameters[name] = draw(st.sampled_from(ids_for(api_world, case.operation.path, name)))
    if "line_id" in (case.path_parameters or {}) and "order_id" in case.path_parameters:
        case.path_parameters["order_id"] = api_world.line_orders.get(
            case.path_parameters["line_id"], case.path_parameters["order_id"]
        )


# Body fields that name a row, and the kind of row.
BODY_IDS = {
    "outlet": "outlet_id",
    "table": "table_id",
    "tender": "tender_id",
    "line": "line_id",
    "waiter": "person_id",
    "user": "person_id",
    "approver": "manager_id",
    "source_order": "order_id",
    "source": "check_id",
    "to_check": "check_id",
    "hotel": "hotel_id",
    "to": "person_id",
}


def _use_real_body_ids(case, api_world, draw) -> None:
    """Fields that name rows get real ones most of the time, so requests get past the lookups."""
    if not isinstance(case.body, dict):
        return
    for name, kind in BODY_IDS.items():
        if name in case.body and draw(st.integers(0, 3)):
            case.body[name] = draw(st.sampled_from(api_world.ids[kind]))
    if "item" in case.body and draw(st.integers(0, 3)):
        case.body["item"] = draw(st.sampled_from(ids_for(api_world, case.operation.path, "item_id")))
    if isinstance(case.body.get("modifiers"), list) and draw(st.integers(0, 3)):
        case.body["modifiers"] = draw(st.lists(st.sampled_from(api_world.ids["modifier_id"]), max_size=3))
    if "approver_pin" in case.body and draw(st.integers(0, 1)):
        case.body["approver_pin"] = APPROVER_PIN


def _describe(case, response, error) -> str:
    answer = f"{response.status_code} {response.text[:300]}" if response is not None else "no answer"
    sent = json.dumps(case.body, default=str)[:300] if case.body is not NOT_SET else ""
    found = "\n".join(line for line in str(error).splitlines()[:8] if line.strip())
    return f"{case.method} {case.formatted_path} query={case.query} body={sent}\n  -> {answer}\n  {found}"


def fuzz(operation, *, api_world, cookie_for, failures: dict, mode=GenerationMode.POSITIVE) -> None:
    negative = mode == GenerationMode.NEGATIVE
    # Invalid input only promises a 4xx in the schema's error shape: no body check beyond that.
    checks = CHECKS[:3] if negative else CHECKS

    @settings(
        max_examples=NEGATIVE_EXAMPLES_PER_OPERATION if negative else EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        # Negative cases keep real path ids: a path that is not a number is not an API URL at all.
        _use_real_ids(case, api_world, data.draw, always=negative)
        if not negative:
            _use_real_body_ids(case, api_world, data.draw)
        if case.headers and "Idempotency-Key" in case.headers and data.draw(st.integers(0, 9)):
            # A fresh key mostly: generated keys repeat across requests, and a reused key answers 422.
            case.headers["Idempotency-Key"] = str(uuid.uuid4())
        response = None
        try:
            response = case.call(
                cookies={"sessionid": cookie_for(), "csrftoken": CSRF_TOKEN}, headers={"X-CSRFToken": CSRF_TOKEN}
            )
            case.validate_response(response, checks=checks)
        except (Exception, BaseExceptionGroup) as error:  # every failure is collected and reported together
            failures.setdefault(f"{operation.label} ({mode.value})", _describe(case, response, error))

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, no body).
        if not negative:
            raise


@pytest.mark.parametrize(
    ("role", "mode"),
    [("manager", GenerationMode.POSITIVE), ("waiter", GenerationMode.POSITIVE), ("manager", GenerationMode.NEGATIVE)],
    ids=["manager", "waiter", "manager-invalid-input"],
)
def test_every_operation_answers_as_its_schema_says(role, mode, world, kitchen, wsgi_app):
    api_world = build_api_world(world, kitchen)
    person = api_world.people[role]
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 90
    for operation in operations:
        fuzz(
            operation, api_world=api_world, cookie_for=lambda: session_cookie_for(person), failures=failures, mode=mode
        )
    assert not failures, f"{len(failures)} operations failed:\n" + "\n".join(
        f"{label}: {text}" for label, text in sorted(failures.items())
    )


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_every_success_answer_is_documented_with_its_shape():
    """No bare `object`: a client generated from the schema gets a type for every answer."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    bare = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for media_type, content in response.get("content", {}).items():
                    body = _resolve(schema, content["schema"])
                    shaped = "properties" in body or "oneOf" in body or "items" in body or body.get("type") != "object"
                    if status.startswith("2") and not shaped:
                        bare.append(f"{method.upper()} {path} {status} {media_type}")
    assert not bare, "answers documented as a bare object:\n" + "\n".join(bare)


def test_answers_to_valid_requests_match_the_schema(world, kitchen, wsgi_app):
    """Answers random input seldom reaches (a payment, a refund, a pairing, a sign-in) are checked too."""
    api_world = build_api_world(world, kitchen)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    manager = api_world.people["manager"]
    open_check = Check.objects.filter(status=Check.Status.OPEN).order_by("pk").first()
    cash = Tender.objects.get(kind=Tender.Kind.CASH)
    voucher = Tender.objects.get(kind=Tender.Kind.OTHER)
    drawer = DrawerSession.objects.get()
    hotel = api_world.ids["hotel_id"][0]

    def call(method, path, *, as_=manager, display=None, **request):
        case = schema[path][method].Case(media_type="application/json" if "body" in request else None, **request)
        cookie = session_cookie_for(as_, display=display) if as_ or display else ""
        response = case.call(
            cookies={"sessionid": cookie, "csrftoken": CSRF_TOKEN}, headers={"X-CSRFToken": CSRF_TOKEN}
        )
        assert 200 <= response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:300]}"
        case.validate_response(response, checks=CHECKS)
        return response.json() if response.content else None

    check_path = {"check_id": open_check.pk}
    call("GET", "/api/billing/checks/{check_id}/room-guests/", path_parameters=check_path, query={"room": "214"})
    call("GET", "/api/pms/hotels/{hotel_id}/guests/", path_parameters={"hotel_id": hotel}, query={"room": "214"})
    call(
        "POST",
        "/api/billing/checks/{check_id}/payments/other/",
        path_parameters=check_path,
        body={"tender": voucher.pk, "amount": 100},
    )
    paid = call(
        "POST",
        "/api/billing/checks/{check_id}/payments/cash/",
        path_parameters=check_path,
        body={"tender": cash.pk, "cash_given": 100000},
    )
    call(
        "POST",
        "/api/billing/payments/{payment_id}/refunds/",
        path_parameters={"payment_id": paid["payment"]["id"]},
        body={"amount": 100, "reason": "Cold soup", "approver": manager.pk, "approver_pin": APPROVER_PIN},
    )
    call("GET", "/api/billing/checks/{check_id}/receipt/", path_parameters=check_path)
    company = {"company": "Acme B.V.", "address": "Damrak 1\n1012 LG Amsterdam", "vat_number": "NL812345678B01"}
    call("POST", "/api/billing/checks/{check_id}/invoice-details/", path_parameters=check_path, body=company)
    call(
        "POST",
        "/api/billing/checks/{check_id}/receipt/email/",
        path_parameters=check_path,
        body={"email": "guest@example.com"},
    )
    call("POST", "/api/billing/checks/{check_id}/receipt/link/", path_parameters=check_path)
    drawer_path = {"session_id": drawer.pk}
    call(
        "POST",
        "/api/billing/drawers/{session_id}/movements/",
        path_parameters=drawer_path,
        body={"kind": "pay_in", "amount": 100, "reason": "Float"},
    )
    call("POST", "/api/billing/drawers/{session_id}/no-sale/", path_parameters=drawer_path, body={"reason": "Change"})
    handed = call(
        "POST",
        "/api/billing/drawers/{session_id}/hand-over/",
        path_parameters=drawer_path,
        body={"counts": {"5000": 2, "200": 1}, "to": api_world.people["cashier"].pk, "to_pin": TEST_PIN},
    )
    drawer_path = {"session_id": handed["opened"]["id"]}
    call("POST", "/api/billing/drawers/{session_id}/close/", path_parameters=drawer_path, body={"counted": 10000})
    call("POST", "/api/billing/drawers/", body={"outlet": world.outlet.pk, "float_counts": {"2000": 2, "10": 3}})
    departure = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    call(
        "POST", "/api/pms/stays/", body={"hotel": hotel, "room": "301", "guest_name": "Ms. Ada", "departure": departure}
    )
    call("GET", "/api/pms/stays/", query={"hotel": str(hotel)})
    call("GET", "/api/kitchen/displays/me/", as_=None, display=api_world.display)
    pairing = call(
        "POST", "/api/kitchen/stations/{station_id}/pairing-codes/", path_parameters={"station_id": kitchen.cold.pk}
    )
    call("POST", "/api/kitchen/displays/pair/", as_=None, body={"code": pairing["code"], "name": "Cold screen"})
    call("POST", "/api/staff/pin-sign-in/", as_=None, body={"user": world.waiter.pk, "pin": TEST_PIN})
