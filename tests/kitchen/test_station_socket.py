"""A kitchen screen's socket through the real ASGI stack, on the in-memory layer and Redis:
who may listen, numbered live tickets, resync after a gap or a reconnect, "ready" for the waiter."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from config.asgi import application
from kitchen import services
from kitchen.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from kitchen.models import KitchenDisplay, Station, Ticket
from tests.kitchen.conftest import open_table, send, soup, steak
from tests.orders.test_floor_socket import (
    HOST,
    ORIGIN,
    QUIET,
    WAIT,
    close_code_after_connect,
    connected_socket,
    receive_until,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


def display_cookie(station: Station, manager) -> bytes:
    browser = Client()
    code = services.issue_pairing_code(station=station, by=manager).code
    assert (
        browser.post("/api/kitchen/displays/pair/", {"code": code}, content_type="application/json").status_code == 201
    )
    return (
        f"{django_settings.SESSION_COOKIE_NAME}={browser.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()
    )


def station_socket(station_id: int, cookie: bytes | None, query: str = "") -> WebsocketCommunicator:
    headers = [ORIGIN, HOST] + ([(b"cookie", cookie)] if cookie else [])
    return WebsocketCommunicator(application, f"/ws/kitchen/stations/{station_id}/{query}", headers=headers)


async def open_station(station_id: int, cookie: bytes, query: str = "") -> WebsocketCommunicator:
    socket = station_socket(station_id, cookie, query)
    connected, detail = await socket.connect(timeout=WAIT)
    assert connected, detail
    return socket


async def test_only_a_screen_paired_to_the_station_or_a_cook_may_listen(layer, world, kitchen):
    cold = await database_sync_to_async(display_cookie)(kitchen.cold, world.manager)
    waiter = await database_sync_to_async(session_cookie)(world.waiter)
    cook = await database_sync_to_async(session_cookie)(world.kitchen)
    assert await close_code_after_connect(station_socket(kitchen.cold.pk, None)) == CLOSE_UNAUTHENTICATED
    assert await close_code_after_connect(station_socket(kitchen.cold.pk, waiter)) == CLOSE_FORBIDDEN
    assert await close_code_after_connect(station_socket(kitchen.hot.pk, cold)) == CLOSE_FORBIDDEN
    socket = await open_station(kitchen.cold.pk, cold)
    await socket.disconnect()
    # A cook signed in with her PIN opens any station on a tablet.
    socket = await open_station(kitchen.cold.pk, cook)
    await socket.disconnect()
    await database_sync_to_async(KitchenDisplay.objects.update)(is_active=False)
    assert await close_code_after_connect(station_socket(kitchen.cold.pk, cold)) == CLOSE_UNAUTHENTICATED


async def test_a_sent_order_reaches_each_station_numbered_and_expo_hears_the_fire(layer, world, kitchen):
    cold_cookie = await database_sync_to_async(display_cookie)(kitchen.cold, world.manager)
    hot_cookie = await database_sync_to_async(display_cookie)(kitchen.hot, world.manager)
    expo_cookie = await database_sync_to_async(display_cookie)(kitchen.expo, world.manager)
    cold = await open_station(kitchen.cold.pk, cold_cookie)
    hot = await open_station(kitchen.hot.pk, hot_cookie)
    expo = await open_station(kitchen.expo.pk, expo_cookie)

    order = await database_sync_to_async(open_table)(world)
    await database_sync_to_async(send)(world, order, soup(world, note="no salt"), steak(world))

    first = await receive_until(cold, lambda m: m["type"] == "ticket", "cold ticket")
    second = await receive_until(cold, lambda m: m["type"] == "ticket", "second cold ticket")
    assert [first["seq"], second["seq"]] == [1, 2]
    starter = next(m["ticket"] for m in (first, second) if m["ticket"]["course"] == 1)
    assert starter["status"] == "new" and starter["items"][0]["note"] == "no salt"
    held = await receive_until(hot, lambda m: m["type"] == "ticket", "hot ticket")
    assert held["seq"] == 1 and held["ticket"]["status"] == "held"
    fire = await receive_until(expo, lambda m: m["type"] == "fire", "expo fire")
    assert fire["fire"]["table"] == world.tables[0].number

    ticket = await database_sync_to_async(Ticket.objects.get)(pk=starter["id"])
    await database_sync_to_async(services.start_ticket)(ticket=ticket, by=world.kitchen)
    started = await receive_until(cold, lambda m: m["type"] == "ticket", "started ticket")
    assert started["seq"] == 3 and started["ticket"]["status"] == "in_progress"
    for socket in (cold, hot, expo):
        await socket.disconnect()


async def test_a_screen_that_reconnects_gets_what_it_missed_from_the_database(layer, world, kitchen):
    cookie = await database_sync_to_async(display_cookie)(kitchen.cold, world.manager)
    first_order = await database_sync_to_async(open_table)(world, 0)
    await database_sync_to_async(send)(world, first_order, soup(world))
    # The screen was off while two more orders came in and the first was bumped.
    for index in (1, 2):
        order = await database_sync_to_async(open_table)(world, index)
        await database_sync_to_async(send)(world, order, soup(world, seat=index))
    first_ticket = await database_sync_to_async(Ticket.objects.get)(order=first_order)
    await database_sync_to_async(services.bump_ticket)(ticket=first_ticket, by=world.kitchen)

    socket = await open_station(kitchen.cold.pk, cookie, "?after=1")
    changes = await receive_until(socket, lambda m: m["type"] == "changes", "changes")
    assert changes["seq"] == 4
    assert sorted((t["table"], t["status"]) for t in changes["tickets"]) == sorted(
        [(world.tables[0].number, "bumped"), (world.tables[1].number, "new"), (world.tables[2].number, "new")]
    )
    # A screen that saw a gap asks again over the socket.
    await socket.send_json_to({"type": "resync", "after": 3})
    again = await receive_until(socket, lambda m: m["type"] == "changes", "resync answer")
    assert [t["table"] for t in again["tickets"]] == [world.tables[0].number]
    await socket.disconnect()


async def test_the_waiter_hears_ready_on_their_floor_socket_only(layer, world, kitchen):
    anna = await connected_socket(world.outlet.pk, await database_sync_to_async(session_cookie)(world.waiter))
    bram = await connected_socket(world.outlet.pk, await database_sync_to_async(session_cookie)(world.other_waiter))
    order = await database_sync_to_async(open_table)(world)
    await database_sync_to_async(send)(world, order, soup(world))
    ticket = await database_sync_to_async(Ticket.objects.get)(order=order)
    await database_sync_to_async(services.bump_ticket)(ticket=ticket, by=world.kitchen)
    ready = await receive_until(anna, lambda m: m["type"] == "ready", "ready call")
    assert ready["fire"]["order"] == order.pk and ready["fire"]["course_name"] == "Starters"
    heard_by_bram = []
    while not await bram.receive_nothing(timeout=QUIET):
        heard_by_bram.append(await bram.receive_json_from())
    assert heard_by_bram and not [m for m in heard_by_bram if m["type"] == "ready"]
    await anna.disconnect()
    await bram.disconnect()


async def test_unpairing_a_screen_closes_its_socket_at_once(layer, world, kitchen):
    cookie = await database_sync_to_async(display_cookie)(kitchen.cold, world.manager)
    socket = await open_station(kitchen.cold.pk, cookie)
    display = await database_sync_to_async(KitchenDisplay.objects.get)()
    await database_sync_to_async(services.unpair_display)(display=display, by=world.manager)
    closing = await socket.receive_output(timeout=WAIT)
    assert closing == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


async def test_expo_hears_the_print_alarm_with_each_order_change(layer, world, kitchen):
    cookie = await database_sync_to_async(display_cookie)(kitchen.expo, world.manager)
    expo = await open_station(kitchen.expo.pk, cookie)
    order = await database_sync_to_async(open_table)(world)
    await database_sync_to_async(send)(world, order, soup(world))
    ticket = await database_sync_to_async(Ticket.objects.get)(order=order)
    await database_sync_to_async(services.mark_ticket_unprinted)(ticket_id=ticket.pk, error="printer off")
    message = await receive_until(expo, lambda m: m["type"] == "fire" and m["alarms"], "an alarm")
    assert message["alarms"] == [{"station": kitchen.cold.pk, "name": "Cold", "tables": [ticket.table_label]}]
    await expo.disconnect()
