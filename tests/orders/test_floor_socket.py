"""The waiter's live floor socket, through the real ASGI stack (origin check, session
cookie, auth, routing) with a real channel layer: in-memory, and Redis pub/sub.

The changes are made by the services in their own committed transactions (hence
`transaction=True`), so the broadcasts fire from `on_commit` exactly as in production.
"""

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import Client

from config.asgi import application
from orders import services
from orders.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from staff.models import Role
from tables.models import Outlet
from tests.factories import (
    AreaFactory,
    CategoryFactory,
    ItemFactory,
    MenuFactory,
    OutletFactory,
    StaffFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")
# Long enough for a Redis round trip on a busy CI machine; only waits when a message is missing.
WAIT = 3
QUIET = 0.5


def session_cookie(person) -> bytes:
    client = Client()
    client.force_login(person)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


@pytest.fixture
def cookies(world) -> dict:
    return {name: session_cookie(getattr(world, name)) for name in ("waiter", "other_waiter", "manager", "kitchen")}


def floor_socket(outlet_id: int, *headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, f"/ws/outlets/{outlet_id}/floor/", headers=list(headers))


async def connected_socket(outlet_id: int, cookie: bytes, query: str = "") -> WebsocketCommunicator:
    """A floor socket past its first message: the keep-alive the tablet takes as its baseline."""
    socket = WebsocketCommunicator(
        application, f"/ws/outlets/{outlet_id}/floor/{query}", headers=[(b"cookie", cookie), ORIGIN, HOST]
    )
    connected, detail = await socket.connect(timeout=WAIT)
    assert connected, f"refused with {detail}"
    socket.baseline = await socket.receive_json_from(timeout=WAIT)
    assert socket.baseline["type"] == "keepalive", socket.baseline
    return socket


async def receive_until(socket: WebsocketCommunicator, wanted, what: str, within: float = WAIT) -> dict:
    """Read messages until one satisfies `wanted`; fail naming what was seen instead.

    The deadline is for the whole wait: keep-alives arrive every few seconds, so a wait
    per message would never end.
    """
    seen = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            message = await socket.receive_json_from(timeout=max(0.01, deadline - loop.time()))
        except TimeoutError:
            raise AssertionError(f"no {what} within {within}s; got {seen}") from None
        seen.append(message)
        if wanted(message):
            return message


async def close_code_after_connect(socket: WebsocketCommunicator) -> int:
    """The consumer accepts, then closes with a code the browser can read (4401, 4403)."""
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    closing = await socket.receive_output(timeout=WAIT)
    assert closing["type"] == "websocket.close"
    return closing["code"]


def is_table(number: str, state: str):
    return lambda m: m["type"] == "table" and m["table"]["number"] == number and m["table"]["state"] == state


# --- Who may listen ---------------------------------------------------------------------


async def test_a_socket_without_a_session_is_refused(layer, world):
    socket = floor_socket(world.outlet.pk, ORIGIN, HOST)
    assert await close_code_after_connect(socket) == CLOSE_UNAUTHENTICATED


async def test_a_forged_session_cookie_is_refused(layer, world):
    socket = floor_socket(world.outlet.pk, (b"cookie", b"sessionid=notarealsession"), ORIGIN, HOST)
    assert await close_code_after_connect(socket) == CLOSE_UNAUTHENTICATED


async def test_the_front_desk_is_refused(layer, world):
    front_desk = await database_sync_to_async(lambda: session_cookie(StaffFactory(role=Role.FRONT_DESK)))()
    socket = floor_socket(world.outlet.pk, (b"cookie", front_desk), ORIGIN, HOST)
    assert await close_code_after_connect(socket) == CLOSE_FORBIDDEN


async def test_the_kitchen_listens_for_86_on_its_board(layer, world, cookies):
    socket = await connected_socket(world.outlet.pk, cookies["kitchen"])

    await database_sync_to_async(services.set_item_availability)(item=world.soup, by=world.waiter, remaining_qty=3)

    message = await receive_until(socket, lambda m: m["type"] == "item", "item message")
    assert message["item"] == {"id": world.soup.pk, "is_available": True, "remaining_qty": 3, "is_86d": False}
    await socket.disconnect()


async def test_an_unknown_or_inactive_outlet_is_refused(layer, world, cookies):
    closed = await database_sync_to_async(OutletFactory)(name="Closed terrace", is_active=False)
    missing = closed.pk + 1000
    for outlet_id in (closed.pk, missing):
        socket = floor_socket(outlet_id, (b"cookie", cookies["waiter"]), ORIGIN, HOST)
        assert await close_code_after_connect(socket) == CLOSE_FORBIDDEN


@pytest.mark.parametrize(
    "origin",
    [
        [(b"origin", b"http://evil.example")],
        [(b"origin", b"http://127.0.0.1.evil.example")],
        [(b"origin", b"null")],
        [],
    ],
    ids=["other-site", "lookalike", "null", "missing"],
)
async def test_a_foreign_or_missing_origin_is_refused_even_with_a_valid_session(layer, world, cookies, origin):
    socket = floor_socket(world.outlet.pk, (b"cookie", cookies["waiter"]), HOST, *origin)
    connected, code = await socket.connect(timeout=WAIT)
    assert connected is False
    # Refused before the consumer looked at the session at all.
    assert code not in (CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN)


async def test_a_manager_may_listen_too(layer, world, cookies):
    socket = await connected_socket(world.outlet.pk, cookies["manager"])
    await socket.disconnect()


# --- What they hear ---------------------------------------------------------------------


async def test_ping_gets_pong(layer, world, cookies):
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    # Anything else is ignored: the socket only listens.
    await socket.send_json_to({"type": "open_table", "table": 1})
    assert await socket.receive_nothing(timeout=QUIET)
    await socket.disconnect()


async def test_a_waiter_hears_another_waiters_table_turn_ordered(layer, world, cookies):
    table = world.tables[2]
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])

    order, _ = await database_sync_to_async(services.open_order)(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.other_waiter, table=table, covers=2
    )
    seated = await receive_until(socket, is_table(table.number, "seated"), "seated table")
    assert seated["table"]["order"]["waiter"] == {"id": world.other_waiter.pk, "name": "Bram"}

    await database_sync_to_async(services.add_line)(
        order=order, request=services.LineRequest(item_id=world.salad.pk, seat=1), by=world.other_waiter
    )
    pending = await receive_until(socket, lambda m: m["type"] == "table", "table after add_line")
    assert pending["table"]["number"] == table.number
    assert pending["table"]["order"]["pending_count"] == 1
    assert pending["table"]["state"] == "ordered"  # taken, not sent yet

    await database_sync_to_async(services.send_to_kitchen)(order=order, by=world.other_waiter)
    ordered = await receive_until(socket, is_table(table.number, "food_sent"), "food sent table")
    assert ordered["table"]["id"] == table.pk
    assert ordered["table"]["order"]["id"] == order.pk
    assert ordered["table"]["order"]["pending_count"] == 0
    order_note = await receive_until(
        socket, lambda m: m["type"] == "order" and m["order"]["id"] == order.pk, "order notification"
    )
    await database_sync_to_async(order.refresh_from_db)()
    assert order_note["order"]["version"] == order.version
    await socket.disconnect()


async def test_every_listening_tablet_hears_the_change(layer, world, cookies):
    sockets = [await connected_socket(world.outlet.pk, cookies[name]) for name in ("waiter", "other_waiter", "manager")]
    table = world.tables[4]
    await database_sync_to_async(services.open_order)(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=table
    )
    for socket in sockets:
        await receive_until(socket, is_table(table.number, "seated"), "seated table")
        await socket.disconnect()


async def test_86ing_an_item_is_pushed_to_the_floor(layer, world, cookies):
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])

    await database_sync_to_async(services.set_item_availability)(item=world.soup, by=world.kitchen, is_available=False)

    message = await receive_until(socket, lambda m: m["type"] == "item", "item message")
    assert message == {
        "type": "item",
        "item": {"id": world.soup.pk, "is_available": False, "remaining_qty": None, "is_86d": True},
    }
    await socket.disconnect()


async def test_a_sold_out_choice_is_pushed_to_the_floor_even_when_nested(layer, world, cookies):
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])

    # Fries hangs off the steak's Side group; Vinaigrette only off Side salad's Dressing group.
    for modifier in (world.fries, world.vinaigrette):
        await database_sync_to_async(services.set_modifier_availability)(
            modifier=modifier, by=world.kitchen, is_available=False
        )
        message = await receive_until(socket, lambda m: m["type"] == "modifier", "modifier message")
        assert message == {"type": "modifier", "modifier": {"id": modifier.pk, "is_available": False}}
    await socket.disconnect()


async def test_the_last_one_off_a_countdown_is_pushed_as_86d(layer, world, cookies):
    await database_sync_to_async(services.set_item_availability)(item=world.salad, by=world.manager, remaining_qty=1)
    order, _ = await database_sync_to_async(services.open_order)(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.other_waiter, table=world.tables[1]
    )
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])

    await database_sync_to_async(services.add_line)(
        order=order, request=services.LineRequest(item_id=world.salad.pk, seat=1), by=world.other_waiter
    )

    message = await receive_until(socket, lambda m: m["type"] == "item", "item message")
    assert message["item"] == {"id": world.salad.pk, "is_available": True, "remaining_qty": 0, "is_86d": True}
    await socket.disconnect()


async def test_a_refused_change_announces_nothing(layer, world, cookies):
    order, _ = await database_sync_to_async(services.open_order)(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.other_waiter, table=world.tables[1], covers=1
    )
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])

    with pytest.raises(ValidationError):
        await database_sync_to_async(services.add_line)(
            order=order, request=services.LineRequest(item_id=world.salad.pk, seat=5), by=world.other_waiter
        )

    assert await socket.receive_nothing(timeout=QUIET)
    await socket.disconnect()


@database_sync_to_async
def other_outlet_with_table():
    outlet = OutletFactory(name="Hotel bar")
    table = TableFactory(area=AreaFactory(outlet=outlet), number="B1")
    gin = ItemFactory(category=CategoryFactory(menu=MenuFactory(outlet=outlet)), name="Gin")
    return Outlet.objects.get(pk=outlet.pk), table, gin


async def test_a_floor_hears_only_its_own_outlet(layer, world, cookies):
    bar, bar_table, gin = await other_outlet_with_table()
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])
    bar_socket = await connected_socket(bar.pk, cookies["other_waiter"])

    await database_sync_to_async(services.open_order)(
        client_uuid=uuid.uuid4(), outlet=bar, waiter=world.other_waiter, table=bar_table
    )
    await database_sync_to_async(services.set_item_availability)(item=gin, by=world.manager, is_available=False)

    await receive_until(bar_socket, is_table("B1", "seated"), "bar table")
    await receive_until(bar_socket, lambda m: m["type"] == "item" and m["item"]["id"] == gin.pk, "gin 86")
    assert await socket.receive_nothing(timeout=QUIET)
    await socket.disconnect()
    await bar_socket.disconnect()


async def test_a_closed_socket_stops_hearing_and_others_carry_on(layer, world, cookies):
    leaving = await connected_socket(world.outlet.pk, cookies["other_waiter"])
    staying = await connected_socket(world.outlet.pk, cookies["waiter"])
    await leaving.disconnect()

    await database_sync_to_async(services.set_item_availability)(item=world.soup, by=world.manager, is_available=False)

    await receive_until(staying, lambda m: m["type"] == "item", "item message")
    await staying.disconnect()
