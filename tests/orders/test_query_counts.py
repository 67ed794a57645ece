"""The screens' reads cost a fixed number of queries, whatever the size of the floor,
the order or the menu: a small and a large world must cost the same, and little.

Worlds are built through the services, so the rows look like real service output.
"""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from orders import selectors, services
from orders.models import Item, MenuWindow
from staff.models import Role
from tests.factories import (
    AreaFactory,
    CategoryFactory,
    ItemFactory,
    MenuFactory,
    ModifierFactory,
    ModifierGroupFactory,
    OutletFactory,
    StaffFactory,
    TableFactory,
    TaxRateFactory,
    attach,
    courses,
)

pytestmark = pytest.mark.django_db

# The selectors' own promise (see their docstrings): three queries for any size.
FLOOR_PLAN_QUERIES = 3
ORDER_DETAIL_QUERIES = 3
# Serving a request costs the session, its user and the user's roles, then the outlet.
REQUEST_OVERHEAD_QUERIES = 4


def count_queries(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


@pytest.fixture
def waiter():
    return StaffFactory(display_name="Anna", role=Role.WAITER)


def build_floor(waiter, *, tables: int, areas: int = 1) -> object:
    """An outlet whose every table has an open order with lines in varied states."""
    outlet = OutletFactory()
    courses(outlet)
    rooms = [AreaFactory(outlet=outlet) for _ in range(areas)]
    menu = MenuFactory(outlet=outlet)
    soup = ItemFactory(category=CategoryFactory(menu=menu), name="Soup", tax_rate=TaxRateFactory())
    for number in range(1, tables + 1):
        table = TableFactory(area=rooms[number % areas], number=str(number))
        order, _ = services.open_order(client_uuid=uuid.uuid4(), outlet=outlet, waiter=waiter, table=table, covers=2)
        services.add_line(order=order, request=services.LineRequest(item_id=soup.pk, seat=1), by=waiter)
        if number % 3 == 1:
            services.send_to_kitchen(order=order, by=waiter)
            services.add_line(order=order, request=services.LineRequest(item_id=soup.pk, seat=2), by=waiter)
        if number % 5 == 2:
            services.mark_bill_printed(order=order, by=waiter)
    # A free table too, so both branches of the table entry are drawn.
    TableFactory(area=rooms[0], number=str(tables + 1))
    return outlet


def test_floor_plan_costs_the_same_for_one_table_and_eighty(waiter):
    small = build_floor(waiter, tables=1)
    large = build_floor(waiter, tables=80, areas=3)

    small_count = count_queries(lambda: selectors.floor_plan(outlet=small))
    large_count = count_queries(lambda: selectors.floor_plan(outlet=large))

    plan = selectors.floor_plan(outlet=large)
    drawn = [t for area in plan["areas"] for t in area["tables"]]
    assert len(drawn) == 81
    assert {t["state"] for t in drawn} == {"free", "ordered", "food_sent", "bill_printed"}
    assert large_count == small_count
    assert large_count <= FLOOR_PLAN_QUERIES


def test_floor_over_http_costs_the_same_for_one_table_and_eighty(waiter):
    small = build_floor(waiter, tables=1)
    large = build_floor(waiter, tables=80, areas=3)
    client = APIClient()
    client.force_login(waiter)

    def fetch(outlet):
        response = client.get(f"/api/outlets/{outlet.pk}/floor/")
        assert response.status_code == 200

    small_count = count_queries(lambda: fetch(small))
    large_count = count_queries(lambda: fetch(large))

    assert large_count == small_count
    assert large_count <= FLOOR_PLAN_QUERIES + REQUEST_OVERHEAD_QUERIES


def test_table_states_cost_the_same_for_one_table_and_eighty(waiter):
    small = build_floor(waiter, tables=1)
    large = build_floor(waiter, tables=80)
    small_ids = list(small.tables.values_list("pk", flat=True))
    large_ids = list(large.tables.values_list("pk", flat=True))

    small_count = count_queries(lambda: selectors.table_states(table_ids=small_ids))
    large_count = count_queries(lambda: selectors.table_states(table_ids=large_ids))

    assert len(selectors.table_states(table_ids=large_ids)) == len(large_ids)
    assert large_count == small_count <= 2  # "two queries whatever their number"


def order_with_steaks(world, *, table_index: int, lines: int):
    order, _ = services.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[table_index], covers=4
    )
    for index in range(lines):
        services.add_line(
            order=order,
            request=services.LineRequest(
                item_id=world.steak.pk,
                seat=index % 4 + 1,
                modifier_ids=[world.rare.pk, world.side_salad.pk, world.vinaigrette.pk],
            ),
            by=world.waiter,
        )
        if index % 2:
            services.send_to_kitchen(order=order, by=world.waiter)
    return order


def test_order_detail_costs_the_same_for_one_line_and_thirty(world):
    small = order_with_steaks(world, table_index=0, lines=1)
    large = order_with_steaks(world, table_index=1, lines=30)

    small_count = count_queries(lambda: selectors.order_detail(order_id=small.pk))
    large_count = count_queries(lambda: selectors.order_detail(order_id=large.pk))

    detail = selectors.order_detail(order_id=large.pk)
    assert len(detail["lines"]) == 30
    assert all(len(line["modifiers"]) == 3 for line in detail["lines"])
    assert large_count == small_count
    assert large_count <= ORDER_DETAIL_QUERIES


def build_menu(*, items: int, categories: int, groups: int) -> object:
    """An outlet with two menus (one with a serving window), items with modifier groups,
    and one modifier that opens a nested group (which opens none)."""
    outlet = OutletFactory()
    courses(outlet)
    tax = TaxRateFactory()
    always = MenuFactory(outlet=outlet, name="All day")
    dinner = MenuFactory(outlet=outlet, name="Dinner")
    MenuWindow.objects.create(
        menu=dinner, weekdays="0123456", starts_at=datetime.time(0, 0), ends_at=datetime.time(23, 59, 59)
    )
    menus = [always, dinner]
    sections = [CategoryFactory(menu=menus[n % 2]) for n in range(categories)]
    dressing = ModifierGroupFactory(name="Dressing")
    ModifierFactory(group=dressing, name="Vinaigrette")
    pool = []
    for n in range(groups):
        group = ModifierGroupFactory(max_choices=2)
        ModifierFactory(group=group)
        ModifierFactory(group=group, opens_group=dressing if n == 0 else None)
        pool.append(group)
    for n in range(items):
        item = ItemFactory(category=sections[n % categories], tax_rate=tax)
        attach(item, pool[n % groups], pool[(n + 1) % groups])
    return outlet


# Menus, their windows, categories, items, item-group links, the price rules (price
# lists and happy hours, one union), then courses; plus a groups query and a
# modifiers query per level of nesting (two levels here).
MENU_FIXED_QUERIES = 8  # and the set menus' courses (their choices only when there is a set)
MENU_NESTING_LEVELS = 2


def test_menu_for_outlet_costs_the_same_for_five_items_and_sixty():
    at = datetime.datetime(2026, 11, 20, 19, 30)
    small = build_menu(items=5, categories=2, groups=2)
    large = build_menu(items=60, categories=8, groups=12)

    small_count = count_queries(lambda: selectors.menu_for_outlet(outlet=small, at=at))
    large_count = count_queries(lambda: selectors.menu_for_outlet(outlet=large, at=at))

    menu = selectors.menu_for_outlet(outlet=large, at=at)
    assert sum(len(c["items"]) for c in menu["categories"]) == 60
    assert len(menu["modifier_groups"]) == 12 + 1  # every group, and the nested dressing
    assert Item.objects.filter(category__menu__outlet=large).count() == 60
    assert large_count == small_count
    assert large_count <= MENU_FIXED_QUERIES + 2 * MENU_NESTING_LEVELS
