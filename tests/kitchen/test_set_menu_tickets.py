"""A set menu in the kitchen: each chosen dish on its own station and course, the set itself on none."""

import pytest

from kitchen import services
from kitchen.models import Fire, Ticket, TicketItem
from orders import services as orders
from tests.kitchen.conftest import open_table
from tests.set_menu_fixtures import build_set_menu, set_request

pytestmark = pytest.mark.django_db


def test_each_course_of_a_set_goes_to_its_station_course_one_at_once_the_rest_held_until_fired(world, kitchen):
    set_menu = build_set_menu(world, dessert=kitchen.dessert)
    order = open_table(world)
    orders.add_lines(order=order, requests=[set_request(world, set_menu, dessert=kitchen.dessert)], by=world.waiter)
    orders.send_to_kitchen(order=order, by=world.waiter)

    items = {item.line.item_id: item for item in TicketItem.objects.select_related("ticket__fire", "line")}
    assert set(items) == {world.soup.pk, world.steak.pk, kitchen.dessert.pk}  # the set itself cooks nothing
    soup, steak, dessert = items[world.soup.pk], items[world.steak.pk], items[kitchen.dessert.pk]
    assert (soup.ticket.station, soup.ticket.fire.course, soup.ticket.status) == (kitchen.cold, 1, Ticket.Status.NEW)
    assert (steak.ticket.station, steak.ticket.fire.course) == (kitchen.hot, 2)
    assert steak.ticket.status == Ticket.Status.HELD
    assert steak.modifiers == ["Rare", "Fries"]
    assert (dessert.ticket.station, dessert.ticket.fire.course) == (kitchen.cold, 3)
    assert dessert.ticket.status == Ticket.Status.HELD

    fire = services.fire_course(order=order, course=2, by=world.waiter)
    assert fire.status == Fire.Status.FIRED
    assert Ticket.objects.get(pk=steak.ticket_id).status == Ticket.Status.NEW
    assert Ticket.objects.get(pk=dessert.ticket_id).status == Ticket.Status.HELD
