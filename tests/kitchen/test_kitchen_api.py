"""The kitchen API as screens and waiters use it: device sessions, CSRF, roles, answers."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from kitchen.models import Fire, KitchenDisplay, Ticket
from kitchen.services import issue_pairing_code
from tests.kitchen.conftest import open_table, send, soup, steak

pytestmark = pytest.mark.django_db


def paired_screen(station, manager, name="Screen") -> APIClient:
    """A browser that paired itself with a manager's code: CSRF checks on, like the real screen."""
    client = APIClient(enforce_csrf_checks=True)
    code = issue_pairing_code(station=station, by=manager).code
    answer = client.post("/api/kitchen/displays/pair/", {"code": code, "name": name}, format="json")
    assert answer.status_code == 201, answer.content
    client.get("/")  # a page sets the CSRF cookie, as the kitchen page does
    return client


def csrf(client) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies[settings.CSRF_COOKIE_NAME].value}


def test_a_paired_screen_reads_its_board_and_bumps_with_csrf(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world))
    screen = paired_screen(kitchen.cold, world.manager)
    assert screen.get("/api/kitchen/displays/me/").json()["station"]["code"] == "cold"
    board = screen.get(f"/api/kitchen/stations/{kitchen.cold.pk}/board/").json()
    (ticket,) = board["tickets"]
    assert ticket["table"] == world.tables[0].number and ticket["items"][0]["name"] == "Soup"
    assert screen.post(f"/api/kitchen/tickets/{ticket['id']}/bump/").status_code == 403  # no CSRF token
    bumped = screen.post(f"/api/kitchen/tickets/{ticket['id']}/bump/", **csrf(screen))
    assert bumped.status_code == 200 and bumped.json()["status"] == "bumped"
    again = screen.post(f"/api/kitchen/tickets/{ticket['id']}/bump/", **csrf(screen))
    assert again.status_code == 409


def test_a_screen_retry_with_the_same_key_gets_the_first_answer(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world))
    screen = paired_screen(kitchen.cold, world.manager)
    ticket = Ticket.objects.get(station=kitchen.cold)
    headers = {**csrf(screen), "HTTP_IDEMPOTENCY_KEY": "bump-1"}
    first = screen.post(f"/api/kitchen/tickets/{ticket.pk}/bump/", **headers)
    retry = screen.post(f"/api/kitchen/tickets/{ticket.pk}/bump/", **headers)
    assert first.status_code == retry.status_code == 200
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json() == first.json()


def test_a_screen_cannot_work_another_station_and_a_waiter_cannot_read_a_board(world, kitchen, api_as):
    order = open_table(world)
    send(world, order, soup(world))
    hot_screen = paired_screen(kitchen.hot, world.manager)
    assert hot_screen.get(f"/api/kitchen/stations/{kitchen.cold.pk}/board/").status_code == 403
    ticket = Ticket.objects.get(station=kitchen.cold)
    assert hot_screen.post(f"/api/kitchen/tickets/{ticket.pk}/start/", **csrf(hot_screen)).status_code == 403
    assert api_as(world.waiter).get(f"/api/kitchen/stations/{kitchen.cold.pk}/board/").status_code == 403
    assert APIClient().get(f"/api/kitchen/stations/{kitchen.cold.pk}/board/").status_code == 401
    assert api_as(world.kitchen).get(f"/api/kitchen/stations/{kitchen.cold.pk}/board/").status_code == 200


def test_an_unpaired_screen_is_signed_out(world, kitchen, api_as):
    screen = paired_screen(kitchen.cold, world.manager)
    display = KitchenDisplay.objects.get()
    assert api_as(world.manager).post(f"/api/kitchen/displays/{display.pk}/unpair/").status_code == 200
    assert screen.get(f"/api/kitchen/stations/{kitchen.cold.pk}/board/").status_code == 401


def test_pairing_refuses_a_wrong_code_and_signs_out_whoever_was_signed_in(world, kitchen):
    browser = Client()
    browser.force_login(world.waiter)
    wrong = browser.post("/api/kitchen/displays/pair/", {"code": "000000"}, content_type="application/json")
    assert wrong.status_code == 400 and "code" in wrong.json()
    code = issue_pairing_code(station=kitchen.cold, by=world.manager).code
    assert (
        browser.post("/api/kitchen/displays/pair/", {"code": code}, content_type="application/json").status_code == 201
    )
    assert browser.get("/api/staff/me/").status_code == 401


def test_only_a_manager_issues_pairing_codes(world, kitchen, api_as):
    url = f"/api/kitchen/stations/{kitchen.cold.pk}/pairing-codes/"
    assert api_as(world.kitchen).post(url).status_code == 403
    answer = api_as(world.manager).post(url)
    assert answer.status_code == 201 and len(answer.json()["code"]) == 6


def test_a_waiter_fires_the_mains_and_sees_the_courses(world, kitchen, api_as):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    waiter = api_as(world.waiter)
    fires = waiter.get(f"/api/kitchen/orders/{order.pk}/fires/").json()["fires"]
    assert [(f["course"], f["status"]) for f in fires] == [(1, "fired"), (2, "held")]
    fired = waiter.post(f"/api/kitchen/orders/{order.pk}/fire/", {"course": 2})
    assert fired.status_code == 200
    assert [f["status"] for f in fired.json()["fires"]] == ["fired", "fired"]
    again = waiter.post(f"/api/kitchen/orders/{order.pk}/fire/", {"course": 2})
    assert again.status_code == 400 and "course" in again.json()
    assert waiter.post(f"/api/kitchen/orders/{order.pk}/fire/", {"course": 0}).status_code == 400
    assert api_as(world.kitchen).post(f"/api/kitchen/orders/{order.pk}/fire/", {"course": 2}).status_code == 403


def test_expo_bump_answers_400_naming_the_open_station_then_overrides(world, kitchen, api_as):
    order = open_table(world)
    send(world, order, soup(world))
    fire = Fire.objects.get(order=order)
    expo = paired_screen(kitchen.expo, world.manager)
    refused = expo.post(f"/api/kitchen/fires/{fire.pk}/bump/", {}, format="json", **csrf(expo))
    assert refused.status_code == 400 and "Cold" in refused.json()["fire"][0]
    done = expo.post(f"/api/kitchen/fires/{fire.pk}/bump/", {"override": True}, format="json", **csrf(expo))
    assert done.status_code == 200 and done.json()["status"] == "bumped"
    board = expo.get(f"/api/kitchen/stations/{kitchen.expo.pk}/board/").json()
    assert board["fires"] == [] and board["recent"][0]["id"] == fire.pk


def test_the_waiter_adds_a_note_to_a_sent_line(world, kitchen, api_as):
    order = open_table(world)
    (line,) = send(world, order, soup(world))
    waiter = api_as(world.waiter)
    answer = waiter.post(f"/api/orders/{order.pk}/lines/{line.pk}/note/", {"note": "allergy: nuts"})
    assert answer.status_code == 200
    item = Ticket.objects.get(station=kitchen.cold).items.get()
    assert item.note == "allergy: nuts"
    assert waiter.post(f"/api/orders/{order.pk}/lines/{line.pk}/note/", {"note": "x", "qty": 3}).status_code == 400


def test_waiters_read_their_ready_orders(world, kitchen, api_as):
    order = open_table(world)
    send(world, order, soup(world))
    screen = paired_screen(kitchen.cold, world.manager)
    ticket = Ticket.objects.get(station=kitchen.cold)
    screen.post(f"/api/kitchen/tickets/{ticket.pk}/bump/", **csrf(screen))
    (ready,) = api_as(world.waiter).get("/api/kitchen/ready/").json()["ready"]
    assert ready["order"] == order.pk and ready["course_name"] == "Starters"
    assert api_as(world.other_waiter).get("/api/kitchen/ready/").json()["ready"] == []


def test_guessing_pairing_codes_is_stopped_after_ten_wrong_ones(world, kitchen):
    cache.clear()
    browser = Client()
    for attempt in range(10):
        wrong = browser.post("/api/kitchen/displays/pair/", {"code": f"{attempt:06d}"}, content_type="application/json")
        assert wrong.status_code == 400
    code = issue_pairing_code(station=kitchen.cold, by=world.manager).code
    blocked = browser.post("/api/kitchen/displays/pair/", {"code": code}, content_type="application/json")
    assert blocked.status_code == 429 and "code" in blocked.json()
    cache.clear()  # a minute later
    assert (
        browser.post("/api/kitchen/displays/pair/", {"code": code}, content_type="application/json").status_code == 201
    )


def test_expo_recalls_the_order_it_sent_out_last(world, kitchen):
    expo = paired_screen(kitchen.expo, world.manager)
    url = f"/api/kitchen/stations/{kitchen.expo.pk}/recall-last/"
    nothing = expo.post(url, **csrf(expo))
    assert nothing.status_code == 400 and "station" in nothing.json()
    order = open_table(world)
    send(world, order, soup(world))
    fire = Fire.objects.get(order=order)
    expo.post(f"/api/kitchen/fires/{fire.pk}/bump/", {"override": True}, format="json", **csrf(expo))
    recalled = expo.post(url, **csrf(expo))
    assert recalled.status_code == 200 and recalled.json()["id"] == fire.pk and recalled.json()["status"] == "fired"
