"""Every endpoint x every role: who gets past the role check, and who gets 401/403.

The endpoints are read from the generated OpenAPI schema, so a new endpoint without
a row in MATRIX fails here. Each (endpoint, role) is called once with a minimal
request on a restaurant where the path ids are real rows: a role that may use the
endpoint must not get 401/403 (a 400 for the empty body, a 404 or a 409 are fine:
the point is the role check), and a role that may not must get exactly 403 (signed
in) or 401 (signed out, or a kitchen screen where only people may come).
"""

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from kitchen import services as kitchen_services
from kitchen.models import Ticket, TicketItem
from tests.api_world import build_api_world, ids_for, session_cookie_for

PEOPLE = ("waiter", "bartender", "kitchen", "cashier", "front_desk", "manager")
ROLES = ("signed_out", *PEOPLE, "kitchen_screen")

EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset(PEOPLE)
FLOOR = frozenset({"waiter", "bartender", "manager"})
BILLING = frozenset({"waiter", "bartender", "cashier", "manager"})
CASH_DRAWER = frozenset({"cashier", "manager"})
CASHIER_SCREEN = frozenset({"cashier", "manager"})  # the open and closed checks lists
AVAILABILITY = frozenset({"waiter", "bartender", "kitchen", "manager"})
KITCHEN = frozenset({"kitchen", "manager"})
KITCHEN_AND_ITS_SCREEN = frozenset({"kitchen", "manager", "kitchen_screen"})  # the screen of that station
FRONT_DESK = frozenset({"front_desk", "manager"})
MANAGER = frozenset({"manager"})

# (method, path) -> the roles that get past the role check.
MATRIX = {
    # staff
    ("GET", "/api/staff/sign-in-tiles/"): EVERYONE,
    ("POST", "/api/staff/pin-sign-in/"): EVERYONE,
    ("POST", "/api/staff/sign-out/"): SIGNED_IN,
    ("GET", "/api/staff/me/"): SIGNED_IN,
    ("POST", "/api/staff/clock-in/"): SIGNED_IN,
    ("POST", "/api/staff/clock-out/"): SIGNED_IN,
    ("POST", "/api/staff/{person_id}/unlock-pin/"): MANAGER,
    # At the tablet's sign-in screen: the manager's own PIN in the body is the check.
    ("POST", "/api/staff/{person_id}/clear-pin-wait/"): EVERYONE,
    ("GET", "/api/staff/shifts/"): MANAGER,
    ("GET", "/api/staff/audit/"): MANAGER,
    # floor and orders
    ("GET", "/api/outlets/"): SIGNED_IN,
    ("GET", "/api/outlets/{outlet_id}/floor/"): FLOOR,
    ("GET", "/api/outlets/{outlet_id}/menu/"): FLOOR,
    ("GET", "/api/outlets/{outlet_id}/sold-out/"): AVAILABILITY,
    ("GET", "/api/orders/"): FLOOR,
    ("POST", "/api/orders/"): FLOOR,
    ("GET", "/api/orders/{order_id}/"): FLOOR,
    ("POST", "/api/orders/{order_id}/lines/"): FLOOR,
    ("POST", "/api/orders/{order_id}/lines/batch/"): FLOOR,
    ("PATCH", "/api/orders/{order_id}/lines/{line_id}/"): FLOOR,
    ("DELETE", "/api/orders/{order_id}/lines/{line_id}/"): FLOOR,
    ("POST", "/api/orders/{order_id}/lines/{line_id}/note/"): FLOOR,
    ("POST", "/api/orders/{order_id}/lines/{line_id}/void/"): FLOOR,
    ("POST", "/api/orders/{order_id}/send/"): FLOOR,
    ("POST", "/api/orders/{order_id}/serve/"): FLOOR,
    ("POST", "/api/orders/{order_id}/transfer/"): FLOOR,
    ("POST", "/api/orders/{order_id}/merge/"): FLOOR,
    ("POST", "/api/orders/{order_id}/assign/"): FLOOR,
    ("POST", "/api/orders/{order_id}/covers/"): FLOOR,
    ("POST", "/api/items/{item_id}/availability/"): AVAILABILITY,
    ("POST", "/api/modifiers/{modifier_id}/availability/"): AVAILABILITY,
    ("POST", "/api/menu/allergens/"): MANAGER,
    # kitchen
    ("GET", "/api/kitchen/stations/"): MANAGER,
    ("GET", "/api/kitchen/stations/{station_id}/board/"): KITCHEN_AND_ITS_SCREEN,
    ("GET", "/api/kitchen/stations/{station_id}/changes/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/stations/{station_id}/recall-last/"): KITCHEN_AND_ITS_SCREEN,
    ("GET", "/api/kitchen/stations/{station_id}/sold-out/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/stations/{station_id}/items/{item_id}/availability/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/stations/{station_id}/pairing-codes/"): MANAGER,
    ("POST", "/api/kitchen/tickets/{ticket_id}/start/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/tickets/{ticket_id}/bump/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/tickets/{ticket_id}/recall/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/tickets/{ticket_id}/rush/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/tickets/{ticket_id}/reprint/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/ticket-items/{item_id}/start/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/ticket-items/{item_id}/ready/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/fires/{fire_id}/bump/"): KITCHEN,  # expo's: the hot station's screen may not
    ("POST", "/api/kitchen/fires/{fire_id}/recall/"): KITCHEN,
    ("POST", "/api/kitchen/orders/{order_id}/fire/"): FLOOR,
    ("POST", "/api/kitchen/orders/{order_id}/rush/"): FLOOR,
    ("GET", "/api/kitchen/orders/{order_id}/fires/"): FLOOR,
    ("GET", "/api/kitchen/ready/"): FLOOR,
    ("POST", "/api/kitchen/displays/pair/"): EVERYONE,
    ("GET", "/api/kitchen/displays/me/"): KITCHEN_AND_ITS_SCREEN,
    ("POST", "/api/kitchen/displays/{display_id}/unpair/"): MANAGER,
    # billing
    ("GET", "/api/billing/orders/{order_id}/bill/"): BILLING,
    ("POST", "/api/billing/orders/{order_id}/bill/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/split-by-seat/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/split-evenly/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/move/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/merge/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/discounts/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/comps/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/service-charge/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/print/"): BILLING,
    ("GET", "/api/billing/checks/{check_id}/print/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/payments/cash/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/payments/other/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/payments/card/"): BILLING,
    ("GET", "/api/billing/checks/{check_id}/room-guests/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/payments/room/"): BILLING,
    ("GET", "/api/billing/checks/{check_id}/receipt/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/receipt/"): BILLING,
    ("GET", "/api/billing/checks/{check_id}/receipt.pdf"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/receipt/email/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/receipt/link/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/invoice-details/"): BILLING,
    ("POST", "/api/billing/checks/{check_id}/reopen/"): BILLING,
    ("POST", "/api/billing/check-items/{item_id}/share/"): BILLING,
    ("POST", "/api/billing/discounts/{discount_id}/remove/"): BILLING,
    ("GET", "/api/billing/payments/{payment_id}/"): BILLING,
    ("POST", "/api/billing/payments/{payment_id}/"): BILLING,
    ("POST", "/api/billing/payments/{payment_id}/cancel/"): BILLING,
    ("POST", "/api/billing/payments/{payment_id}/refunds/"): BILLING,
    ("GET", "/api/billing/outlets/{outlet_id}/open-checks/"): CASHIER_SCREEN,
    ("GET", "/api/billing/outlets/{outlet_id}/closed-checks/"): CASHIER_SCREEN,
    ("POST", "/api/billing/stripe/webhook/"): EVERYONE,  # the signature is the authentication
    ("POST", "/api/billing/days/close/"): MANAGER,
    ("POST", "/api/billing/drawers/"): BILLING,
    ("POST", "/api/billing/drawers/{session_id}/close/"): CASH_DRAWER,
    ("POST", "/api/billing/drawers/{session_id}/movements/"): CASH_DRAWER,
    ("POST", "/api/billing/drawers/{session_id}/no-sale/"): CASH_DRAWER,
    ("POST", "/api/billing/drawers/{session_id}/hand-over/"): CASH_DRAWER,
    # front desk
    ("GET", "/api/pms/postings/"): FRONT_DESK,
    ("POST", "/api/pms/postings/{posting_id}/retry/"): FRONT_DESK,
    ("POST", "/api/pms/postings/{posting_id}/redirect/"): FRONT_DESK,
    ("POST", "/api/pms/postings/{posting_id}/withdraw/"): FRONT_DESK,
    ("POST", "/api/pms/postings/{posting_id}/confirm/"): FRONT_DESK,
    ("GET", "/api/pms/hotels/{hotel_id}/guests/"): FRONT_DESK,
    ("GET", "/api/pms/stays/"): FRONT_DESK,
    ("POST", "/api/pms/stays/"): FRONT_DESK,
    ("GET", "/api/pms/stays/{stay_id}/"): FRONT_DESK,
    ("PATCH", "/api/pms/stays/{stay_id}/"): FRONT_DESK,
    ("POST", "/api/pms/stays/{stay_id}/check-out/"): FRONT_DESK,
    # the manager's menu editor
    ("GET", "/manager/api/menu/outlets/{outlet_id}/"): MANAGER,
    ("POST", "/manager/api/menu/outlets/{outlet_id}/menus/"): MANAGER,
    ("PUT", "/manager/api/menu/menus/{menu_id}/"): MANAGER,
    ("POST", "/manager/api/menu/menus/{menu_id}/categories/"): MANAGER,
    ("POST", "/manager/api/menu/menus/{menu_id}/order/"): MANAGER,
    ("PUT", "/manager/api/menu/categories/{category_id}/"): MANAGER,
    ("POST", "/manager/api/menu/categories/{category_id}/items/"): MANAGER,
    ("POST", "/manager/api/menu/categories/{category_id}/order/"): MANAGER,
    ("PUT", "/manager/api/menu/items/{item_id}/"): MANAGER,
    ("POST", "/manager/api/menu/modifier-groups/"): MANAGER,
    ("PUT", "/manager/api/menu/modifier-groups/{group_id}/"): MANAGER,
    # printing
    ("GET", "/api/printing/printers/"): KITCHEN,
    ("GET", "/api/printing/alarms/"): KITCHEN,
    ("GET", "/api/printing/jobs/unprinted/"): KITCHEN,
    ("POST", "/api/printing/jobs/{job_id}/reprint/"): KITCHEN,
    ("POST", "/api/printing/jobs/{job_id}/retry/"): MANAGER,
    ("POST", "/api/printing/printers/{printer_id}/test-print/"): MANAGER,
    # the manager's floor-plan editor
    ("GET", "/manager/floor/api/{outlet_id}/"): MANAGER,
    ("PUT", "/manager/floor/api/{outlet_id}/"): MANAGER,
}

# Where the role check is the service's and comes after the body's: a body that passes validation.
BODIES = {
    ("POST", "/api/billing/drawers/{session_id}/close/"): {"counted": 10000},
    ("POST", "/api/billing/drawers/{session_id}/movements/"): {"kind": "pay_in", "amount": 100, "reason": "Float"},
    ("POST", "/api/billing/drawers/{session_id}/no-sale/"): {"reason": "Change for a note"},
    ("POST", "/api/billing/drawers/{session_id}/hand-over/"): {"counts": {"5000": 2}, "to": 1, "to_pin": "0000"},
}


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method.upper(), path) for path, operations in schema["paths"].items() for method in operations}


def test_every_endpoint_of_the_schema_has_a_row():
    in_schema = schema_operations()
    assert not in_schema - MATRIX.keys(), f"endpoints without a row in MATRIX: {sorted(in_schema - MATRIX.keys())}"
    assert not MATRIX.keys() - in_schema, f"rows for endpoints that are gone: {sorted(MATRIX.keys() - in_schema)}"


# Kitchen-screen endpoints where this screen (the hot station's) is known but refused: 403.
KITCHEN_ENDPOINTS = {("POST", "/api/kitchen/fires/{fire_id}/bump/"), ("POST", "/api/kitchen/fires/{fire_id}/recall/")}


def denied_status(role: str, method: str, path: str) -> int:
    if role == "signed_out":
        return 401
    if role == "kitchen_screen":
        return 403 if (method, path) in KITCHEN_ENDPOINTS else 401
    return 403


def _path_values(api_world, kitchen, path: str) -> dict:
    hot_ticket = Ticket.objects.filter(station=kitchen.hot).order_by("pk").first()
    values = {}
    for name in (
        "order_id",
        "line_id",
        "check_id",
        "payment_id",
        "discount_id",
        "session_id",
        "outlet_id",
        "fire_id",
        "modifier_id",
        "hotel_id",
        "posting_id",
        "stay_id",
        "printer_id",
        "job_id",
        "person_id",
        "item_id",
        "menu_id",
        "category_id",
        "group_id",
    ):
        if "{" + name + "}" in path:
            values[name] = ids_for(api_world, path, name)[0]
    # The screen belongs to the hot station: its station, its tickets, its items.
    values["station_id"] = kitchen.hot.pk
    values["ticket_id"] = hot_ticket.pk
    if "/ticket-items/" in path:
        values["item_id"] = TicketItem.objects.filter(ticket=hot_ticket).first().pk
    if "{line_id}" in path:
        values["order_id"] = api_world.line_orders[values["line_id"]]
    # Unpair a spare screen, not the one this test signs in with.
    if "{display_id}" in path:
        pairing = kitchen_services.issue_pairing_code(station=kitchen.cold, by=api_world.people["manager"])
        values["display_id"] = kitchen_services.pair_display(code=pairing.code, name="Spare").pk
    return values


def _call(client: Client, method: str, path: str, body: dict):
    if method == "GET":
        return client.get(path)
    return getattr(client, method.lower())(path, body, content_type="application/json")


def _client_as(api_world, role: str) -> Client:
    client = Client()
    if role == "kitchen_screen":
        client.cookies["sessionid"] = session_cookie_for(display=api_world.display)
    elif role != "signed_out":
        client.cookies["sessionid"] = session_cookie_for(api_world.people[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_past_exactly_the_endpoints_its_row_names(role, world, kitchen):
    api_world = build_api_world(world, kitchen)
    wrong = []
    for (method, path), allowed in sorted(MATRIX.items()):
        url = path.format(**_path_values(api_world, kitchen, path))
        response = _call(_client_as(api_world, role), method, url, BODIES.get((method, path), {}))
        if role in allowed and response.status_code in (401, 403):
            wrong.append(
                f"{method} {path}: {response.status_code}, expected past the role check ({response.content[:120]!r})"
            )
        if role not in allowed and response.status_code != denied_status(role, method, path):
            wrong.append(f"{method} {path}: {response.status_code}, expected {denied_status(role, method, path)}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
