"""Redis restarted mid-service: the kitchen loses no ticket.

A private redis-server is started for the test and killed while an order is sent.
The order commits with its tickets (the database is the truth); the screen, once it
reconnects with the last number it saw, gets the missed ticket from the database and
then hears new tickets live again through the restarted Redis.
"""

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers

from kitchen.models import Ticket
from tests.kitchen.conftest import open_table, send, soup
from tests.kitchen.test_station_socket import display_cookie, open_station
from tests.orders.test_floor_socket import receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_ticket_sent_while_redis_is_down_reaches_the_screen_after_the_restart(world, kitchen, private_redis):
    cookie = await database_sync_to_async(display_cookie)(kitchen.cold, world.manager)
    screen = await open_station(kitchen.cold.pk, cookie)
    first = await database_sync_to_async(open_table)(world, 0)
    await database_sync_to_async(send)(world, first, soup(world))
    seen = await receive_until(screen, lambda m: m["type"] == "ticket", "the first ticket")
    last_seq = seen["seq"]

    private_redis.stop()
    second = await database_sync_to_async(open_table)(world, 1)
    await database_sync_to_async(send)(world, second, soup(world))  # commits; the broadcast is lost
    assert await database_sync_to_async(Ticket.objects.filter(order=second).count)() == 1
    await screen.disconnect()

    private_redis.start()
    channel_layers.backends.clear()  # a restarted daphne process starts with a fresh layer
    screen = await open_station(kitchen.cold.pk, cookie, f"?after={last_seq}")
    missed = await receive_until(screen, lambda m: m["type"] == "changes", "the resync")
    assert [t["order"] for t in missed["tickets"]] == [second.pk]

    third = await database_sync_to_async(open_table)(world, 2)
    await database_sync_to_async(send)(world, third, soup(world))
    live = await receive_until(screen, lambda m: m["type"] == "ticket", "a live ticket after the restart")
    assert live["ticket"]["order"] == third.pk and live["seq"] == missed["seq"] + 1
    await screen.disconnect()
