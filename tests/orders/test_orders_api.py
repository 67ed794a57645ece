"""The orders HTTP API: idempotency, input checking that names the field, roles, and
the floor operations (void, transfer, merge, assign, covers) end to end.

Service rules themselves are covered in test_taking_orders.py; here every request
goes through DRF with a real session so the serializers, the exception handler and
the `Idempotency-Key` decorator are exercised too.
"""

import datetime
import json
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from idempotency.decorators import ABANDONED_AFTER as IDEMPOTENCY_ABANDONED_AFTER
from idempotency.models import IdempotentResponse
from orders.models import Item, LineStatusChange, Menu, MenuWindow, Order, OrderLine
from staff.models import AuditEntry, Role
from tests.factories import (
    AreaFactory,
    CategoryFactory,
    ItemFactory,
    MenuFactory,
    OutletFactory,
    StaffFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db

ORDERS = "/api/orders/"
MANAGER_PIN = "9999"


def client_for(person, *, raise_errors: bool = True) -> APIClient:
    client = APIClient(raise_request_exception=raise_errors)
    client.force_login(person)
    return client


def lines_url(order_id: int) -> str:
    return f"/api/orders/{order_id}/lines/"


def line_url(order_id: int, line_id: int) -> str:
    return f"/api/orders/{order_id}/lines/{line_id}/"


def open_order(client: APIClient, world, *, table_index: int = 0, covers: int = 2) -> dict:
    response = client.post(
        ORDERS,
        {
            "client_uuid": str(uuid.uuid4()),
            "outlet": world.outlet.pk,
            "table": world.tables[table_index].pk,
            "covers": covers,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def add_line(client: APIClient, order_id: int, body: dict, **headers):
    return client.post(lines_url(order_id), body, format="json", headers=headers or None)


def add_salad(client: APIClient, world, order_id: int, seat: int = 1) -> int:
    response = add_line(client, order_id, {"item": world.salad.pk, "seat": seat})
    assert response.status_code == 201, response.content
    return response.json()["line"]


def steak(world, **overrides) -> dict:
    body = {"item": world.steak.pk, "seat": 1, "modifiers": [world.rare.pk, world.fries.pk]}
    body.update(overrides)
    return body


def version_of(order_id: int) -> int:
    return Order.objects.values_list("version", flat=True).get(pk=order_id)


@pytest.fixture
def waiter(world) -> APIClient:
    return client_for(world.waiter)


@pytest.fixture
def order(waiter, world) -> dict:
    return open_order(waiter, world, covers=2)


# --- Opening an order and Idempotency-Key ---------------------------------------------


def test_opening_an_order_twice_with_one_client_uuid_returns_the_first_order(waiter, world):
    body = {"client_uuid": str(uuid.uuid4()), "outlet": world.outlet.pk, "table": world.tables[2].pk, "covers": 3}

    first = waiter.post(ORDERS, body, format="json")
    retry = waiter.post(ORDERS, body, format="json")

    assert first.status_code == 201, first.content
    assert retry.status_code == 200, retry.content
    assert retry.json()["id"] == first.json()["id"]
    assert first.json()["table"] == {"id": world.tables[2].pk, "number": world.tables[2].number}
    assert first.json()["covers"] == 3 and first.json()["waiter"]["id"] == world.waiter.pk
    assert Order.objects.count() == 1


def test_a_second_tablet_opening_an_open_table_gets_a_400_naming_the_table(waiter, world, order):
    other = client_for(world.other_waiter)
    response = other.post(
        ORDERS,
        {"client_uuid": str(uuid.uuid4()), "outlet": world.outlet.pk, "table": world.tables[0].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "Anna" in response.json()["table"][0]
    assert Order.objects.count() == 1


def test_a_retried_send_with_the_same_key_replays_the_first_answer(waiter, world, order):
    first_line = add_salad(waiter, world, order["id"])
    second_line = add_line(waiter, order["id"], steak(world)).json()["line"]
    key = str(uuid.uuid4())

    sent = waiter.post(f"/api/orders/{order['id']}/send/", {}, format="json", headers={"Idempotency-Key": key})
    assert sent.status_code == 200, sent.content
    assert sorted(sent.json()["sent"]) == sorted([first_line, second_line])
    version_after_send = version_of(order["id"])
    changes_after_send = LineStatusChange.objects.filter(to_status="sent").count()

    # A new pending line arrives; the retry must not send it.
    late_line = add_salad(waiter, world, order["id"], seat=2)
    version_before_retry = version_of(order["id"])
    retry = waiter.post(f"/api/orders/{order['id']}/send/", {}, format="json", headers={"Idempotency-Key": key})

    assert retry.status_code == 200
    assert retry.json() == sent.json()
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert OrderLine.objects.get(pk=late_line).status == OrderLine.Status.PENDING
    assert version_of(order["id"]) == version_before_retry == version_after_send + 1
    assert LineStatusChange.objects.filter(to_status="sent").count() == changes_after_send


def test_a_retried_add_line_with_the_same_key_adds_one_line(waiter, world, order):
    key = str(uuid.uuid4())
    first = add_line(waiter, order["id"], steak(world), **{"Idempotency-Key": key})
    version = version_of(order["id"])
    retry = add_line(waiter, order["id"], steak(world), **{"Idempotency-Key": key})

    assert first.status_code == 201, first.content
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert OrderLine.objects.filter(order_id=order["id"]).count() == 1
    assert version_of(order["id"]) == version
    # Without a key the same body is a new line: the key is what made the retry safe.
    assert add_line(waiter, order["id"], steak(world)).status_code == 201
    assert OrderLine.objects.filter(order_id=order["id"]).count() == 2


def test_a_retried_add_line_with_the_same_line_uuid_adds_one_line(waiter, world, order):
    body = steak(world, client_uuid=str(uuid.uuid4()))
    first = add_line(waiter, order["id"], body)
    retry = add_line(waiter, order["id"], body)
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json()["line"] == first.json()["line"]
    assert OrderLine.objects.filter(order_id=order["id"]).count() == 1


def test_one_key_for_two_different_requests_is_a_422(waiter, world, order):
    key = str(uuid.uuid4())
    first = add_line(waiter, order["id"], steak(world), **{"Idempotency-Key": key})
    other_body = add_line(waiter, order["id"], {"item": world.salad.pk, "seat": 1}, **{"Idempotency-Key": key})
    other_path = waiter.post(f"/api/orders/{order['id']}/send/", {}, format="json", headers={"Idempotency-Key": key})

    assert first.status_code == 201
    assert other_body.status_code == 422
    assert "Idempotency-Key" in other_body.json()
    assert other_path.status_code == 422
    assert list(OrderLine.objects.values_list("name", "status")) == [("Steak", OrderLine.Status.PENDING)]


def test_a_refused_request_does_not_burn_its_key(waiter, world, order):
    key = str(uuid.uuid4())
    refused = add_line(waiter, order["id"], steak(world, qty=0), **{"Idempotency-Key": key})
    assert refused.status_code == 400
    assert not IdempotentResponse.objects.filter(key=key).exists()
    corrected = add_line(waiter, order["id"], steak(world, qty=0), **{"Idempotency-Key": key})
    assert corrected.status_code == 400
    assert OrderLine.objects.count() == 0


def test_keys_belong_to_one_person(waiter, world, order):
    key = str(uuid.uuid4())
    other = client_for(world.other_waiter)
    assert add_line(waiter, order["id"], steak(world), **{"Idempotency-Key": key}).status_code == 201
    assert add_line(other, order["id"], steak(world), **{"Idempotency-Key": key}).status_code == 201
    assert OrderLine.objects.filter(order_id=order["id"]).count() == 2


def test_a_key_whose_first_request_is_still_running_gets_a_409_until_it_is_abandoned(waiter, world, order):
    """A reservation without an answer is a request still in flight (409), unless it is
    so old that its process must have died; then the retry runs."""
    key = str(uuid.uuid4())
    body = steak(world)
    # Reserve the key as the first request would, with the same method, path and body.
    assert add_line(waiter, order["id"], body, **{"Idempotency-Key": key}).status_code == 201
    reservation = IdempotentResponse.objects.get(key=key)
    # Make it look like the first request is still running (no answer stored yet).
    IdempotentResponse.objects.filter(pk=reservation.pk).update(status_code=0, body=None)

    in_flight = add_line(waiter, order["id"], body, **{"Idempotency-Key": key})
    assert in_flight.status_code == 409
    assert "Idempotency-Key" in in_flight.json()
    assert OrderLine.objects.filter(order_id=order["id"]).count() == 1

    IdempotentResponse.objects.filter(pk=reservation.pk).update(
        created_at=timezone.now() - IDEMPOTENCY_ABANDONED_AFTER - datetime.timedelta(seconds=1)
    )
    retried = add_line(waiter, order["id"], body, **{"Idempotency-Key": key})
    assert retried.status_code == 201, retried.content
    assert OrderLine.objects.filter(order_id=order["id"]).count() == 2
    assert IdempotentResponse.objects.get(key=key).status_code == 201


def test_an_overlong_idempotency_key_is_a_400(waiter, world, order):
    response = add_line(waiter, order["id"], steak(world), **{"Idempotency-Key": "k" * 101})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not OrderLine.objects.exists()


# --- Adding lines: every refusal names the field --------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"price": 1}, "price"),
        ({"name": "x"}, "name"),
        ({"unit_price": 1}, "unit_price"),
        ({"total": 0}, "total"),
        ({"tax_percent": "0"}, "tax_percent"),
        ({"modifiers_price": 0}, "modifiers_price"),
        ({"status": "sent"}, "status"),
        ({"discount": 50}, "discount"),
        ({"colour": "#fff"}, "colour"),
    ],
)
def test_fields_the_client_may_not_set_are_refused_by_name(waiter, world, order, extra, field):
    response = add_line(waiter, order["id"], steak(world, **extra))
    assert response.status_code == 400
    assert field in response.json()
    assert not OrderLine.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"qty": 0}, "qty"),
        ({"qty": -1}, "qty"),
        ({"qty": 1000}, "qty"),
        ({"seat": 3}, "seat"),  # the order is for 2
        ({"seat": -1}, "seat"),
        ({"course": 9}, "course"),
        ({"modifiers": []}, "modifiers"),  # Cooking: at least 1, Side: at least 1
        ("too_many_cooking", "modifiers"),
        ("unknown_modifier", "modifiers"),
        ({"note": "n" * 201}, "note"),
    ],
)
def test_bad_line_values_are_a_400_naming_the_field(waiter, world, order, overrides, field):
    if overrides == "too_many_cooking":
        overrides = {"modifiers": [world.rare.pk, world.medium.pk, world.fries.pk]}
    elif overrides == "unknown_modifier":
        overrides = {"modifiers": [world.rare.pk, world.fries.pk, world.vinaigrette.pk + 1000]}
    version = version_of(order["id"])
    response = add_line(waiter, order["id"], steak(world, **overrides))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not OrderLine.objects.exists()
    assert version_of(order["id"]) == version


def test_too_many_extras_is_refused_with_the_groups_limit(waiter, world, order):
    extras = list(world.extras.modifiers.values_list("pk", flat=True))
    assert len(extras) > world.extras.max_choices
    response = add_line(waiter, order["id"], steak(world, modifiers=[world.rare.pk, world.fries.pk, *extras]))
    assert response.status_code == 400
    assert f"at most {world.extras.max_choices}" in response.json()["modifiers"][0]


@pytest.mark.parametrize("how", ["unavailable", "countdown_at_zero"])
def test_an_86d_item_is_refused_naming_the_item(waiter, world, order, how):
    if how == "unavailable":
        Item.objects.filter(pk=world.salad.pk).update(is_available=False)
    else:
        Item.objects.filter(pk=world.salad.pk).update(remaining_qty=0)
    response = add_line(waiter, order["id"], {"item": world.salad.pk, "seat": 1})
    assert response.status_code == 400
    assert "86" in response.json()["item"][0]
    assert not OrderLine.objects.exists()


def test_asking_for_more_than_the_countdown_has_left_is_refused_and_takes_nothing(waiter, world, order):
    Item.objects.filter(pk=world.salad.pk).update(remaining_qty=2)
    response = add_line(waiter, order["id"], {"item": world.salad.pk, "seat": 1, "qty": 3})
    assert response.status_code == 400
    assert "Only 2" in response.json()["qty"][0]
    assert Item.objects.get(pk=world.salad.pk).remaining_qty == 2
    assert not OrderLine.objects.exists()


def test_an_item_whose_menu_is_not_served_now_is_refused(waiter, world, order):
    today = timezone.localtime().weekday()
    lunch = MenuFactory(outlet=world.outlet, name="Weekday lunch")
    MenuWindow.objects.create(
        menu=lunch,
        weekdays="".join(str(day) for day in range(7) if day != today),
        starts_at=datetime.time(0, 0),
        ends_at=datetime.time(23, 59, 59),
    )
    sandwich = ItemFactory(category=CategoryFactory(menu=lunch), name="Club sandwich", tax_rate=world.salad.tax_rate)
    assert not Menu.objects.get(pk=lunch.pk).is_served_at(timezone.localtime())

    response = add_line(waiter, order["id"], {"item": sandwich.pk, "seat": 1})

    assert response.status_code == 400
    assert "not served" in response.json()["item"][0]
    assert not OrderLine.objects.exists()
    # The same menu open every day serves it: the window was the only reason.
    MenuWindow.objects.filter(menu=lunch).update(weekdays="0123456")
    assert add_line(waiter, order["id"], {"item": sandwich.pk, "seat": 1}).status_code == 201


def test_an_item_of_another_outlet_is_refused(waiter, world, order):
    bar = OutletFactory(name="Bar")
    gin = ItemFactory(category=CategoryFactory(menu=MenuFactory(outlet=bar)), name="Gin tonic")
    response = add_line(waiter, order["id"], {"item": gin.pk, "seat": 1})
    assert response.status_code == 400
    assert "item" in response.json()
    assert not OrderLine.objects.exists()


# --- Several lines in one request (lines/batch/) -----------------------------------------


def batch_url(order_id: int) -> str:
    return f"/api/orders/{order_id}/lines/batch/"


def test_a_batch_is_added_all_or_none(waiter, world, order):
    Item.objects.filter(pk=world.soup.pk).update(remaining_qty=3)
    version = version_of(order["id"])
    response = waiter.post(
        batch_url(order["id"]),
        {"lines": [{"item": world.soup.pk, "qty": 2, "seat": 1}, steak(world, qty=0)]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "lines[1].qty" in response.json()
    # The first line's countdown was given back with the rest: nothing half-written.
    assert Item.objects.get(pk=world.soup.pk).remaining_qty == 3
    assert not OrderLine.objects.exists()
    assert version_of(order["id"]) == version

    added = waiter.post(
        batch_url(order["id"]), {"lines": [{"item": world.soup.pk, "qty": 2, "seat": 1}, steak(world)]}, format="json"
    )
    assert added.status_code == 201, added.content
    assert len(added.json()["lines"]) == 2
    assert [line["name"] for line in added.json()["order"]["lines"]] == ["Soup", "Steak"]
    assert Item.objects.get(pk=world.soup.pk).remaining_qty == 1
    assert version_of(order["id"]) == version + 1


def test_a_retried_batch_with_line_uuids_writes_nothing_twice(waiter, world, order):
    first_uuid, second_uuid = str(uuid.uuid4()), str(uuid.uuid4())
    body = {
        "lines": [
            {"item": world.salad.pk, "seat": 1, "client_uuid": first_uuid},
            steak(world, client_uuid=second_uuid),
        ]
    }
    first = waiter.post(batch_url(order["id"]), body, format="json")
    version = version_of(order["id"])
    retry = waiter.post(batch_url(order["id"]), body, format="json")

    assert first.status_code == 201, first.content
    assert retry.status_code == 200
    assert retry.json()["lines"] == first.json()["lines"]
    assert OrderLine.objects.filter(order_id=order["id"]).count() == 2
    assert version_of(order["id"]) == version


def test_a_batch_partly_sent_before_adds_only_the_missing_lines(waiter, world, order):
    sent_uuid, new_uuid = str(uuid.uuid4()), str(uuid.uuid4())
    earlier = add_line(waiter, order["id"], {"item": world.salad.pk, "seat": 1, "client_uuid": sent_uuid})
    response = waiter.post(
        batch_url(order["id"]),
        {
            "lines": [
                {"item": world.salad.pk, "seat": 1, "client_uuid": sent_uuid},
                {"item": world.soup.pk, "seat": 2, "client_uuid": new_uuid},
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0] == earlier.json()["line"]
    assert set(OrderLine.objects.values_list("client_uuid", flat=True)) == {uuid.UUID(sent_uuid), uuid.UUID(new_uuid)}


def test_a_line_uuid_of_another_order_is_refused(waiter, world, order):
    other = open_order(waiter, world, table_index=1)
    line_uuid = str(uuid.uuid4())
    assert (
        add_line(waiter, other["id"], {"item": world.salad.pk, "seat": 1, "client_uuid": line_uuid}).status_code == 201
    )
    response = add_line(waiter, order["id"], {"item": world.salad.pk, "seat": 1, "client_uuid": line_uuid})
    assert response.status_code == 400
    assert "client_uuid" in response.json()
    assert not OrderLine.objects.filter(order_id=order["id"]).exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"lines": []},
        {"lines": "salad"},
        {"lines": {"item": 1}},
        {"lines": [None]},
        {"lines": ["salad"]},
        "price_inside",
        "too_many",
        "same_uuid_twice",
    ],
)
def test_malformed_batches_are_a_4xx_never_a_500(world, order, body):
    client = client_for(world.waiter, raise_errors=False)
    line = {"item": world.salad.pk, "seat": 1}
    if body == "price_inside":
        body = {"lines": [line, {**line, "price": 1}]}
    elif body == "too_many":
        body = {"lines": [line] * 101}
    elif body == "same_uuid_twice":
        same = str(uuid.uuid4())
        body = {"lines": [{**line, "client_uuid": same}, {**line, "client_uuid": same}]}
    response = client.post(batch_url(order["id"]), body, format="json")
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert not OrderLine.objects.exists()


# --- Never a 500 ------------------------------------------------------------------------


HUGE = 10**20


@pytest.mark.parametrize(
    "body",
    [
        '{"item": ',
        "not json at all",
        "[1, 2, 3]",
        '"steak"',
        "null",
        {"item": "steak"},
        {"item": None},
        {"item": HUGE},
        {"item": 1.5},
        {"item": True},
        {"item": [1]},
        {"item": {"id": 1}},
        "steak_with_qty_text",
        "steak_with_qty_huge",
        "steak_with_seat_text",
        "steak_with_seat_huge",
        "steak_with_course_text",
        "steak_with_course_huge",
        "steak_with_modifiers_number",
        "steak_with_modifiers_text",
        "steak_with_modifiers_dict",
        "steak_with_modifiers_of_text",
        "steak_with_modifiers_of_null",
        "steak_with_modifiers_huge",
        "steak_with_note_null",
        "steak_with_uuid_bad",
        {},
    ],
)
def test_malformed_line_requests_are_a_4xx_never_a_500(world, order, body):
    client = client_for(world.waiter, raise_errors=False)
    changes = {
        "qty_text": {"qty": "two"},
        "qty_huge": {"qty": HUGE},
        "seat_text": {"seat": "window"},
        "seat_huge": {"seat": HUGE},
        "course_text": {"course": "mains"},
        "course_huge": {"course": HUGE},
        "modifiers_number": {"modifiers": 5},
        "modifiers_text": {"modifiers": "1,2"},
        "modifiers_dict": {"modifiers": {"1": 1}},
        "modifiers_of_text": {"modifiers": ["rare"]},
        "modifiers_of_null": {"modifiers": [None]},
        "modifiers_huge": {"modifiers": [world.rare.pk, world.fries.pk, HUGE]},
        "note_null": {"note": None},
        "uuid_bad": {"client_uuid": "not-a-uuid"},
    }
    if isinstance(body, str) and body.startswith("steak_with_"):
        body = steak(world, **changes[body.removeprefix("steak_with_")])
    if isinstance(body, str):
        response = client.post(lines_url(order["id"]), data=body, content_type="application/json")
    else:
        response = client.post(lines_url(order["id"]), body, format="json")
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert not OrderLine.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", ORDERS, {"client_uuid": "x", "outlet": 1}),
        ("post", ORDERS, {"client_uuid": str(uuid.UUID(int=1)), "outlet": "bistro"}),
        ("post", ORDERS, {"client_uuid": str(uuid.UUID(int=2)), "outlet": HUGE}),
        ("post", ORDERS, "covers_text"),
        ("post", ORDERS, "table_huge"),
        ("post", ORDERS, "table_text"),
        ("get", ORDERS + "?outlet=abc", None),
        ("get", ORDERS + f"?outlet={HUGE}", None),
        ("get", ORDERS, None),
        ("get", f"/api/orders/{HUGE}/", None),
        ("post", f"/api/orders/{HUGE}/send/", {}),
        ("post", "{order}/send/", {"course": "mains"}),
        ("post", "{order}/covers/", {"covers": "four"}),
        ("post", "{order}/covers/", {"covers": HUGE}),
        ("post", "{order}/covers/", {"covers": 0}),
        ("post", "{order}/transfer/", {"table": "five"}),
        ("post", "{order}/transfer/", {"table": HUGE}),
        ("post", "{order}/merge/", {"source_order": HUGE}),
        ("post", "{order}/merge/", {"source_order": "the other one"}),
        ("post", "{order}/assign/", {"waiter": HUGE}),
        ("post", "{order}/assign/", {"waiter": "Bram"}),
        ("post", "/api/items/{item}/availability/", {"remaining_qty": -1}),
        ("post", "/api/items/{item}/availability/", {"remaining_qty": "lots"}),
        ("post", "/api/items/{item}/availability/", {"is_available": "maybe"}),
        ("post", "/api/items/{item}/availability/", {}),
        ("post", f"/api/items/{HUGE}/availability/", {"is_available": False}),
        ("get", f"/api/outlets/{HUGE}/floor/", None),
        ("get", f"/api/outlets/{HUGE}/menu/", None),
    ],
)
def test_malformed_requests_elsewhere_are_a_4xx_never_a_500(world, order, method, path, body):
    client = client_for(world.manager, raise_errors=False)
    path = path.replace("{order}", f"/api/orders/{order['id']}").replace("{item}", str(world.salad.pk))
    if body == "covers_text":
        body = {"client_uuid": str(uuid.uuid4()), "outlet": world.outlet.pk, "table": world.tables[1].pk, "covers": "x"}
    elif body == "table_huge":
        body = {"client_uuid": str(uuid.uuid4()), "outlet": world.outlet.pk, "table": HUGE}
    elif body == "table_text":
        body = {"client_uuid": str(uuid.uuid4()), "outlet": world.outlet.pk, "table": "window"}
    before = (Order.objects.count(), version_of(order["id"]), Item.objects.get(pk=world.salad.pk).remaining_qty)

    response = client.get(path) if method == "get" else client.post(path, body, format="json")

    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert (Order.objects.count(), version_of(order["id"]), Item.objects.get(pk=world.salad.pk).remaining_qty) == before


# --- Roles ------------------------------------------------------------------------------


def test_the_kitchen_cannot_take_orders_or_see_the_floor(world, order):
    kitchen = client_for(world.kitchen)
    opened = kitchen.post(
        ORDERS,
        {"client_uuid": str(uuid.uuid4()), "outlet": world.outlet.pk, "table": world.tables[1].pk},
        format="json",
    )
    assert opened.status_code == 403
    assert kitchen.get(f"/api/outlets/{world.outlet.pk}/floor/").status_code == 403
    assert kitchen.get(f"/api/outlets/{world.outlet.pk}/menu/").status_code == 403
    assert kitchen.get(f"/api/orders/{order['id']}/").status_code == 403
    assert add_line(kitchen, order["id"], {"item": world.salad.pk, "seat": 1}).status_code == 403
    assert kitchen.post(f"/api/orders/{order['id']}/send/", {}, format="json").status_code == 403
    assert Order.objects.count() == 1 and not OrderLine.objects.exists()


@pytest.mark.parametrize("role", [Role.CASHIER, Role.FRONT_DESK])
def test_other_back_of_house_roles_cannot_take_orders(world, order, role):
    person = client_for(StaffFactory(role=role))
    assert add_line(person, order["id"], {"item": world.salad.pk, "seat": 1}).status_code == 403
    assert person.get(f"/api/outlets/{world.outlet.pk}/floor/").status_code == 403
    assert not OrderLine.objects.exists()


def test_anonymous_requests_are_refused(world, order):
    anonymous = APIClient()
    for response in (
        anonymous.get(f"/api/outlets/{world.outlet.pk}/floor/"),
        anonymous.get(f"/api/outlets/{world.outlet.pk}/menu/"),
        anonymous.post(ORDERS, {"client_uuid": str(uuid.uuid4()), "outlet": world.outlet.pk}, format="json"),
        anonymous.post(lines_url(order["id"]), {"item": world.salad.pk}, format="json"),
        anonymous.post(f"/api/items/{world.salad.pk}/availability/", {"is_available": False}, format="json"),
    ):
        assert response.status_code in (401, 403)
    assert not OrderLine.objects.exists()
    assert Item.objects.get(pk=world.salad.pk).is_available


def test_a_waiter_and_a_manager_see_the_floor_with_live_state(waiter, world, order):
    add_salad(waiter, world, order["id"])
    waiter.post(f"/api/orders/{order['id']}/send/", {}, format="json")
    for client in (waiter, client_for(world.manager)):
        response = client.get(f"/api/outlets/{world.outlet.pk}/floor/")
        assert response.status_code == 200
        tables = {t["number"]: t for area in response.json()["areas"] for t in area["tables"]}
        assert tables[world.tables[0].number]["state"] == "food_sent"
        assert tables[world.tables[0].number]["order"]["id"] == order["id"]
        assert tables[world.tables[1].number]["state"] == "free"


# --- 86 -------------------------------------------------------------------------------


def test_a_manager_86es_an_item_and_the_next_line_is_refused(waiter, world, order):
    manager = client_for(world.manager)
    response = manager.post(f"/api/items/{world.salad.pk}/availability/", {"is_available": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"id": world.salad.pk, "is_available": False, "remaining_qty": None, "is_86d": True}
    assert add_line(waiter, order["id"], {"item": world.salad.pk, "seat": 1}).status_code == 400

    countdown = manager.post(
        f"/api/items/{world.salad.pk}/availability/", {"is_available": True, "remaining_qty": 1}, format="json"
    )
    assert countdown.json()["remaining_qty"] == 1 and countdown.json()["is_86d"] is False
    assert add_line(waiter, order["id"], {"item": world.salad.pk, "seat": 1}).status_code == 201
    assert Item.objects.get(pk=world.salad.pk).remaining_qty == 0
    menu = waiter.get(f"/api/outlets/{world.outlet.pk}/menu/").json()
    salad = next(i for c in menu["categories"] for i in c["items"] if i["id"] == world.salad.pk)
    assert salad["is_86d"] is True


def test_front_desk_cannot_86_an_item(world):
    front_desk = client_for(StaffFactory(role=Role.FRONT_DESK))
    response = front_desk.post(f"/api/items/{world.salad.pk}/availability/", {"is_available": False}, format="json")
    assert response.status_code == 403
    assert Item.objects.get(pk=world.salad.pk).is_available


# --- Void, edit -------------------------------------------------------------------------


def sent_salad(client, world, order_id: int) -> int:
    line = add_salad(client, world, order_id)
    assert client.post(f"/api/orders/{order_id}/send/", {}, format="json").status_code == 200
    return line


def test_a_sent_line_is_voided_through_the_api_with_the_managers_pin(waiter, world, order):
    line = sent_salad(waiter, world, order["id"])
    void_url = f"/api/orders/{order['id']}/lines/{line}/void/"

    wrong = waiter.post(
        void_url, {"reason": "Cold", "approver": world.manager.pk, "approver_pin": "0000"}, format="json"
    )
    assert wrong.status_code == 400 and "pin" in wrong.json()
    not_a_manager = waiter.post(
        void_url, {"reason": "Cold", "approver": world.other_waiter.pk, "approver_pin": "1234"}, format="json"
    )
    assert not_a_manager.status_code == 400 and "approver" in not_a_manager.json()
    no_reason = waiter.post(
        void_url, {"reason": "", "approver": world.manager.pk, "approver_pin": MANAGER_PIN}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert OrderLine.objects.get(pk=line).status == OrderLine.Status.SENT

    voided = waiter.post(
        void_url, {"reason": "Cold", "approver": world.manager.pk, "approver_pin": MANAGER_PIN}, format="json"
    )
    assert voided.status_code == 200, voided.content
    body_line = next(entry for entry in voided.json()["lines"] if entry["id"] == line)
    assert body_line["status"] == "void" and body_line["total"] == 0
    assert voided.json()["total"] == 0
    change = LineStatusChange.objects.get(line_id=line, to_status="void")
    assert change.approval.approver == world.manager and change.reason == "Cold" and change.by == world.waiter

    again = waiter.post(
        void_url, {"reason": "Cold", "approver": world.manager.pk, "approver_pin": MANAGER_PIN}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"


def test_a_pending_line_cannot_be_voided_only_removed(waiter, world, order):
    line = add_salad(waiter, world, order["id"])
    response = waiter.post(
        f"/api/orders/{order['id']}/lines/{line}/void/",
        {"reason": "Cold", "approver": world.manager.pk, "approver_pin": MANAGER_PIN},
        format="json",
    )
    assert response.status_code == 400 and "line" in response.json()
    removed = waiter.delete(line_url(order["id"], line))
    assert removed.status_code == 200
    assert removed.json()["lines"] == []
    assert OrderLine.objects.get(pk=line).status == OrderLine.Status.REMOVED


def test_a_pending_line_can_be_edited_but_a_sent_one_cannot(waiter, world, order):
    line = add_salad(waiter, world, order["id"])
    edited = waiter.patch(line_url(order["id"], line), {"qty": 2, "note": "no onion"}, format="json")
    assert edited.status_code == 200, edited.content
    entry = edited.json()["lines"][0]
    assert (entry["qty"], entry["note"], entry["total"]) == (2, "no onion", 2 * world.salad.price)
    refused_price = waiter.patch(line_url(order["id"], line), {"unit_price": 1}, format="json")
    assert refused_price.status_code == 400 and "unit_price" in refused_price.json()

    waiter.post(f"/api/orders/{order['id']}/send/", {}, format="json")
    response = waiter.patch(line_url(order["id"], line), {"qty": 3}, format="json")
    assert response.status_code == 400
    assert "line" in response.json()
    assert OrderLine.objects.get(pk=line).qty == 2


def test_a_line_of_another_order_is_not_found_through_this_order(waiter, world, order):
    other = open_order(waiter, world, table_index=1)
    line = add_salad(waiter, world, other["id"])
    assert waiter.patch(line_url(order["id"], line), {"qty": 2}, format="json").status_code == 404
    assert OrderLine.objects.get(pk=line).qty == 1


# --- Transfer, merge, assign, covers --------------------------------------------------


def test_transfer_moves_the_order_and_refuses_an_occupied_table(waiter, world, order):
    moved = waiter.post(f"/api/orders/{order['id']}/transfer/", {"table": world.tables[4].pk}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["table"]["id"] == world.tables[4].pk

    other = open_order(waiter, world, table_index=1)
    occupied = waiter.post(f"/api/orders/{order['id']}/transfer/", {"table": world.tables[1].pk}, format="json")
    assert occupied.status_code == 400
    assert "occupied" in occupied.json()["table"][0]
    assert Order.objects.get(pk=order["id"]).table_id == world.tables[4].pk
    assert Order.objects.get(pk=other["id"]).table_id == world.tables[1].pk

    elsewhere = TableFactory(area=AreaFactory(outlet=OutletFactory(name="Terrace bar")), number="T1")
    foreign = waiter.post(f"/api/orders/{order['id']}/transfer/", {"table": elsewhere.pk}, format="json")
    assert foreign.status_code == 400 and "table" in foreign.json()


def test_merge_moves_the_lines_and_refuses_merging_into_itself(waiter, world, order):
    source = open_order(waiter, world, table_index=1, covers=2)
    line = add_salad(waiter, world, source["id"], seat=2)

    merged = waiter.post(f"/api/orders/{order['id']}/merge/", {"source_order": source["id"]}, format="json")
    assert merged.status_code == 200, merged.content
    assert merged.json()["covers"] == order["covers"] + source["covers"]
    assert [(entry["id"], entry["seat"]) for entry in merged.json()["lines"]] == [(line, order["covers"] + 2)]
    assert Order.objects.get(pk=source["id"]).status == Order.Status.MERGED

    itself = waiter.post(f"/api/orders/{order['id']}/merge/", {"source_order": order["id"]}, format="json")
    assert itself.status_code == 400 and "source_order" in itself.json()
    closed = waiter.post(f"/api/orders/{order['id']}/merge/", {"source_order": source["id"]}, format="json")
    assert closed.status_code == 400 and "source_order" in closed.json()


def test_assign_hands_the_order_over_and_refuses_a_non_waiter(waiter, world, order):
    handed = waiter.post(f"/api/orders/{order['id']}/assign/", {"waiter": world.other_waiter.pk}, format="json")
    assert handed.status_code == 200, handed.content
    assert handed.json()["waiter"] == {"id": world.other_waiter.pk, "name": "Bram"}

    refused = waiter.post(f"/api/orders/{order['id']}/assign/", {"waiter": world.kitchen.pk}, format="json")
    assert refused.status_code == 400 and "waiter" in refused.json()
    assert Order.objects.get(pk=order["id"]).waiter_id == world.other_waiter.pk


def test_covers_change_but_never_below_a_seat_with_items(waiter, world, order):
    add_salad(waiter, world, order["id"], seat=2)
    more = waiter.post(f"/api/orders/{order['id']}/covers/", {"covers": 5}, format="json")
    assert more.status_code == 200 and more.json()["covers"] == 5

    fewer = waiter.post(f"/api/orders/{order['id']}/covers/", {"covers": 1}, format="json")
    assert fewer.status_code == 400
    assert "Seat 2" in fewer.json()["covers"][0]
    assert Order.objects.get(pk=order["id"]).covers == 5


# --- Schema, docs, health ---------------------------------------------------------------


def test_the_openapi_schema_and_docs_are_served(world):
    client = APIClient()
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    for path in ("/api/orders/", "/api/orders/{order_id}/lines/", "/api/staff/pin-sign-in/"):
        assert path in paths
    assert "post" in paths["/api/orders/"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_healthz_reports_database_and_channel_layer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


def test_a_pending_lines_choices_are_changed_through_the_api(waiter, world, order):
    added = waiter.post(
        f"/api/orders/{order['id']}/lines/",
        {"item": world.steak.pk, "seat": 1, "modifiers": [world.rare.pk, world.fries.pk]},
        format="json",
    )
    line = added.json()["line"]
    refused = waiter.patch(line_url(order["id"], line), {"modifiers": [world.fries.pk]}, format="json")
    assert refused.status_code == 400 and "modifiers" in refused.json()
    changed = waiter.patch(
        line_url(order["id"], line), {"modifiers": [world.medium.pk, world.fries.pk, world.egg.pk]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    entry = changed.json()["lines"][0]
    assert [m["name"] for m in entry["modifiers"]] == ["Medium", "Fries", "Egg"]
    assert entry["total"] == world.steak.price + world.egg.price_delta


def test_a_choice_sold_out_through_the_api_is_refused_on_new_lines(waiter, world, order):
    response = waiter.post(f"/api/modifiers/{world.fries.pk}/availability/", {"is_available": False}, format="json")
    assert response.status_code == 200 and response.json() == {"id": world.fries.pk, "is_available": False}
    menu = waiter.get(f"/api/outlets/{world.outlet.pk}/menu/").json()
    fries = next(m for m in menu["modifier_groups"][str(world.sides.pk)]["modifiers"] if m["id"] == world.fries.pk)
    assert fries["is_available"] is False
    refused = waiter.post(
        f"/api/orders/{order['id']}/lines/",
        {"item": world.steak.pk, "seat": 1, "modifiers": [world.rare.pk, world.fries.pk]},
        format="json",
    )
    assert refused.status_code == 400 and "sold out" in refused.json()["modifiers"][0]
    assert AuditEntry.objects.filter(action="modifier_availability_changed").exists()
