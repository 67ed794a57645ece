"""A manager's menu edit reaches the open tablets of the outlet through the real floor socket
(the 86 path's group), on both channel layers; the tablet then takes its menu again."""

import pytest
from channels.db import database_sync_to_async

from orders import services
from tests.orders.test_floor_socket import connected_socket, cookies, receive_until  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_new_item_tells_the_outlets_tablets_to_take_the_menu_again(layer, world, cookies):  # noqa: F811
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])

    await database_sync_to_async(services.save_item)(
        by=world.manager,
        category=world.salad.category,
        names={"name_en": "Cheese board", "name_nl": "Kaasplank"},
        price=1250,
        tax_rate=world.salad.tax_rate,
    )

    message = await receive_until(socket, lambda m: m["type"] == "menu", "menu message")
    assert message == {"type": "menu", "menu": {"outlet": world.outlet.pk}}
    await socket.disconnect()
