"""What a waiter's floor hears when the manager saves the plan: real ASGI stack, real channel layer
(in-memory and Redis pub/sub), the services in committed transactions so on_commit fires as in production."""

import uuid

import pytest
from channels.db import database_sync_to_async

from orders import services as orders
from tables import services
from tables.models import Outlet, Table
from tables.selectors import floor_plan_for_editing
from tests.factories import AreaFactory
from tests.orders.test_floor_socket import connected_socket, cookies, receive_until  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def move_table_six_to_the_terrace(world) -> tuple[int, int]:
    """Table 6 has guests; Mila's editor saves it onto the terrace, turned 90 degrees."""
    for index, each in enumerate(world.tables):
        Table.objects.filter(pk=each.pk).update(x=20 + index * 110, y=20)
    terrace = AreaFactory(outlet=world.outlet, name="Terrace", sort_order=1)
    six = Table.objects.get(outlet=world.outlet, number="6")
    orders.open_order(client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=six, covers=3)
    plan = floor_plan_for_editing(outlet=Outlet.objects.get(pk=world.outlet.pk))
    areas = [{**area, "key": str(area["id"])} for area in plan["areas"]]
    tables = [{**row, "area": str(row["area"])} for row in plan["tables"]]
    for row in tables:
        if row["number"] == "6":
            row.update(area=str(terrace.pk), x=100, y=100, rotation=90)
    services.save_floor_plan(outlet=world.outlet, by=world.manager, version=plan["version"], areas=areas, tables=tables)
    return six.pk, terrace.pk


async def test_a_waiters_floor_hears_the_moved_table_with_its_live_state_then_the_layout(layer, world, cookies):  # noqa: F811
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])

    six, terrace = await database_sync_to_async(move_table_six_to_the_terrace)(world)

    message = await receive_until(
        socket, lambda m: m["type"] == "table" and m["table"]["id"] == six and m["table"]["area"] == terrace, "table 6"
    )
    assert (message["table"]["x"], message["table"]["y"], message["table"]["rotation"]) == (100, 100, 90)
    # The live state rides along: the table keeps its colour and its open order on the waiter's floor.
    assert message["table"]["state"] == "seated"
    assert message["table"]["order"]["covers"] == 3
    layout = await receive_until(socket, lambda m: m["type"] == "layout", "the layout message")
    version = await database_sync_to_async(lambda: Outlet.objects.get(pk=world.outlet.pk).layout_version)()
    assert layout["layout"] == {"outlet": world.outlet.pk, "version": version, "reload": False}
    await socket.disconnect()


async def test_removing_a_table_tells_the_floors_to_fetch_the_plan(layer, world, cookies):  # noqa: F811
    socket = await connected_socket(world.outlet.pk, cookies["waiter"])

    def remove_five():
        services.remove_table(table=Table.objects.get(outlet=world.outlet, number="5"), by=world.manager)

    await database_sync_to_async(remove_five)()

    layout = await receive_until(socket, lambda m: m["type"] == "layout", "the layout message")
    assert layout["layout"]["reload"] is True
    await socket.disconnect()
