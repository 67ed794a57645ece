"""Taking orders for the kitchen tests (the `kitchen` fixture is in tests/conftest.py)."""

import uuid

from orders import services as orders


def open_table(world, table_index=0, covers=2, waiter=None):
    order, _ = orders.open_order(
        client_uuid=uuid.uuid4(),
        outlet=world.outlet,
        waiter=waiter or world.waiter,
        table=world.tables[table_index],
        covers=covers,
    )
    return order


def soup(world, **values):
    return orders.LineRequest(**{"item_id": world.soup.pk, "seat": 1, "course": 1, **values})


def steak(world, **values):
    modifiers = [world.rare.pk, world.side_salad.pk, world.vinaigrette.pk]
    return orders.LineRequest(
        **{"item_id": world.steak.pk, "seat": 2, "course": 2, "modifier_ids": modifiers, **values}
    )


def send(world, order, *requests, by=None):
    orders.add_lines(order=order, requests=list(requests), by=by or world.waiter)
    return orders.send_to_kitchen(order=order, by=by or world.waiter)
