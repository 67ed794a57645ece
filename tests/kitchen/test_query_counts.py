"""Kitchen screens' reads cost a fixed number of queries, for one ticket or three hundred."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kitchen import selectors, services
from kitchen.models import Fire, Ticket
from orders import services as orders
from tests.kitchen.conftest import open_table, send, soup, steak

pytestmark = pytest.mark.django_db

STATION_BOARD_QUERIES = 4  # station, tickets, their items, recent bumps
EXPO_BOARD_QUERIES = 6  # station, fires (with waiter), tickets, items, alarms, recent bumps
CHANGES_QUERIES = 4  # station, events, tickets, items


def busy_kitchen(world, orders_count: int) -> None:
    """`orders_count` tables, each with a starter sent, mains fired, and one ticket bumped."""
    for index in range(orders_count):
        order = open_table(world, index % len(world.tables))
        send(world, order, soup(world), soup(world, seat=2, note="no salt"), steak(world))
        services.fire_course(order=order, course=2, by=world.waiter)
        if index % 3 == 0:
            services.bump_ticket(ticket=Ticket.objects.filter(order=order).first(), by=world.kitchen)
        # Free the table for the next round: another order can open there.
        order.status = "closed"
        order.save(update_fields=["status"])


def count(read) -> int:
    with CaptureQueriesContext(connection) as queries:
        read()
    return len(queries)


@pytest.mark.parametrize("size", [1, 40])
def test_a_station_board_costs_the_same_for_any_number_of_tickets(world, kitchen, size):
    busy_kitchen(world, size)
    board = selectors.station_board(station=kitchen.cold)
    assert len(board["tickets"]) >= size
    assert count(lambda: selectors.station_board(station=kitchen.cold)) == STATION_BOARD_QUERIES


@pytest.mark.parametrize("size", [1, 40])
def test_the_expo_board_costs_the_same_for_any_number_of_orders(world, kitchen, size):
    busy_kitchen(world, size)
    assert len(selectors.expo_board(station=kitchen.expo)["fires"]) >= size
    assert count(lambda: selectors.expo_board(station=kitchen.expo)) == EXPO_BOARD_QUERIES


@pytest.mark.parametrize("size", [1, 40])
def test_a_resync_costs_the_same_for_any_number_of_changes(world, kitchen, size):
    busy_kitchen(world, size)
    changes = selectors.changes_since(station=kitchen.cold, after=0)
    assert len(changes["tickets"]) >= size
    assert count(lambda: selectors.changes_since(station=kitchen.cold, after=0)) == CHANGES_QUERIES


def test_sending_an_order_costs_the_same_for_one_line_or_twenty(world, kitchen):
    def cost(lines: int) -> int:
        order = open_table(world, lines % len(world.tables))
        orders.add_lines(order=order, requests=[soup(world, seat=1) for _ in range(lines)], by=world.waiter)
        with CaptureQueriesContext(connection) as queries:
            orders.send_to_kitchen(order=order, by=world.waiter)
        order.status = "closed"
        order.save(update_fields=["status"])
        return len(queries)

    assert cost(20) == cost(1)
    assert Fire.objects.count() == 2
