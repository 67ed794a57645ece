"""A live screen that missed a message learns it within seconds, with no new message and no reload.

Messages through the channel layer are at most once: Redis down or restarting loses them
while the sockets stay open. The keep-alive comes from the database instead: the kitchen
screen's carries the station's latest number, the floor's a version of the outlet's open
orders, a bill screen's a version of its order and bill. A message is lost here for real:
the broadcast goes into a channel layer the socket does not listen to (a fresh in-memory
layer, as after a restart), or into a killed redis-server.
"""

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.conf import settings

from billing import services as billing
from billing.models import Tender
from kitchen.models import Station
from orders import services as orders
from tests.billing.test_checks import first_check, table_for_four
from tests.conftest import IN_MEMORY
from tests.kitchen.conftest import open_table, send, soup
from tests.kitchen.test_station_socket import display_cookie, open_station
from tests.orders.test_floor_socket import (
    CLOSE_FORBIDDEN,
    HOST,
    ORIGIN,
    WAIT,
    close_code_after_connect,
    connected_socket,
    floor_socket,
    receive_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

KEEPALIVE = 0.2


@pytest.fixture
def quick_keepalive(settings):
    settings.LIVE_KEEPALIVE_SECONDS = KEEPALIVE


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def lose_the_next_broadcasts() -> None:
    """From now on this process broadcasts into a fresh layer: the open sockets hear none of it."""
    channel_layers.backends.clear()


def is_keepalive(**wanted):
    return lambda m: m["type"] == "keepalive" and all(m.get(key) == value for key, value in wanted.items())


async def station_last_seq(station: Station) -> int:
    return (await database_sync_to_async(Station.objects.get)(pk=station.pk)).last_seq


# --- kitchen ------------------------------------------------------------------------------


async def test_a_quiet_station_hears_from_the_keepalive_that_it_missed_its_only_ticket(
    world, kitchen, in_memory_layer, quick_keepalive
):
    cookie = await database_sync_to_async(display_cookie)(kitchen.cold, world.manager)
    screen = await open_station(kitchen.cold.pk, cookie)
    await receive_until(screen, is_keepalive(seq=0), "a keep-alive with number 0")

    lose_the_next_broadcasts()
    order = await database_sync_to_async(open_table)(world)
    await database_sync_to_async(send)(world, order, soup(world))
    latest = await station_last_seq(kitchen.cold)
    assert latest == 1

    heard = []
    behind = await receive_until(screen, lambda m: heard.append(m) or is_keepalive(seq=latest)(m), "the new number")
    assert behind["seq"] == 1 and not [m for m in heard if m["type"] == "ticket"]  # the ticket itself was lost
    # What the screen does then (kds.js): ask for everything after the last number it applied.
    await screen.send_json_to({"type": "resync", "after": 0})
    changes = await receive_until(screen, lambda m: m["type"] == "changes", "the resync")
    assert [t["order"] for t in changes["tickets"]] == [order.pk] and changes["seq"] == 1
    await screen.disconnect()


async def test_while_redis_is_down_the_open_screen_still_learns_the_new_number_and_hears_live_after_the_restart(
    world, kitchen, private_redis, quick_keepalive
):
    cookie = await database_sync_to_async(display_cookie)(kitchen.cold, world.manager)
    screen = await open_station(kitchen.cold.pk, cookie)
    await receive_until(screen, is_keepalive(seq=0), "a keep-alive")

    private_redis.stop()
    order = await database_sync_to_async(open_table)(world)
    await database_sync_to_async(send)(world, order, soup(world))  # commits; the broadcast is lost
    await receive_until(screen, is_keepalive(seq=1), "the number of the ticket sent while Redis was down")

    private_redis.start()
    # The same socket, never closed: redis-py subscribes again once Redis is back.
    await database_sync_to_async(private_redis.wait_for_subscriber)(
        f"{settings.CHANNEL_PREFIX}__group__kds.station.{kitchen.cold.pk}"
    )
    later = await database_sync_to_async(open_table)(world, 1)
    await database_sync_to_async(send)(world, later, soup(world))
    live = await receive_until(screen, lambda m: m["type"] == "ticket", "a live ticket after the restart")
    assert live["ticket"]["order"] == later.pk and live["seq"] == 2
    await screen.disconnect()


# --- floor and bill -----------------------------------------------------------------------


async def test_the_floor_keepalive_version_stays_put_when_nothing_changes_and_moves_with_a_lost_table_message(
    world, cookies, in_memory_layer, quick_keepalive
):
    tablet = await connected_socket(world.outlet.pk, cookies["other_waiter"])
    baseline = tablet.baseline["floor"]
    again = await receive_until(tablet, is_keepalive(), "a second keep-alive")
    assert again["floor"] == baseline

    lose_the_next_broadcasts()
    order = await database_sync_to_async(open_table)(world)  # the table turns "seated": nobody hears it
    heard = []
    moved = await receive_until(
        tablet, lambda m: heard.append(m) or (m["type"] == "keepalive" and m["floor"] != baseline), "a new version"
    )
    assert not [m for m in heard if m["type"] in ("table", "order")]

    await database_sync_to_async(send)(world, order, soup(world))  # a line sent: the version moves again
    await receive_until(tablet, lambda m: m["type"] == "keepalive" and m["floor"] != moved["floor"], "another move")
    await tablet.disconnect()


async def test_the_floor_version_moves_when_an_open_order_closes(world, cookies, in_memory_layer, quick_keepalive):
    order = await database_sync_to_async(open_table)(world)
    tablet = await connected_socket(world.outlet.pk, cookies["waiter"])
    baseline = tablet.baseline["floor"]
    lose_the_next_broadcasts()
    await database_sync_to_async(orders.close_order)(order=order, by=world.manager)
    await receive_until(tablet, lambda m: m["type"] == "keepalive" and m["floor"] != baseline, "a new version")
    await tablet.disconnect()


async def test_a_bill_screen_keepalive_moves_with_a_lost_payment(world, cookies, in_memory_layer, quick_keepalive):
    order = await database_sync_to_async(table_for_four)(world)
    check = await database_sync_to_async(first_check)(order, world)
    bill_screen = await connected_socket(world.outlet.pk, cookies["waiter"], f"?order={order.pk}")
    baseline = bill_screen.baseline["order"]
    again = await receive_until(bill_screen, is_keepalive(), "a second keep-alive")
    assert again["order"] == baseline

    lose_the_next_broadcasts()
    voucher = await database_sync_to_async(Tender.objects.create)(name="Voucher", kind=Tender.Kind.OTHER)
    await database_sync_to_async(billing.pay_other)(check=check, tender=voucher, amount=100, by=world.waiter)
    heard = []
    await receive_until(
        bill_screen,
        lambda m: heard.append(m) or (m["type"] == "keepalive" and m["order"] != baseline),
        "a new order version",
    )
    assert not [m for m in heard if m["type"] in ("bill", "payment")]
    await bill_screen.disconnect()


async def test_a_bill_screen_may_only_name_an_order_of_its_outlet(world, cookies, in_memory_layer):
    other_outlet_order = await database_sync_to_async(open_table)(world)
    await database_sync_to_async(type(other_outlet_order).objects.filter(pk=other_outlet_order.pk).update)(
        outlet=await database_sync_to_async(_another_outlet)()
    )
    socket = floor_socket(world.outlet.pk, (b"cookie", cookies["waiter"]), ORIGIN, HOST)
    socket.scope["query_string"] = f"order={other_outlet_order.pk}".encode()
    assert await close_code_after_connect(socket) == CLOSE_FORBIDDEN
    socket = floor_socket(world.outlet.pk, (b"cookie", cookies["waiter"]), ORIGIN, HOST)
    socket.scope["query_string"] = b"order=x"  # not a number: no order version, a plain floor socket
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    hello = await socket.receive_json_from(timeout=WAIT)
    assert hello["type"] == "keepalive" and "order" not in hello
    await socket.disconnect()


def _another_outlet():
    from tests.factories import OutletFactory

    return OutletFactory(name="Bar")
