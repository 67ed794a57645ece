"""A set menu on the bill and in the Z: the guest pays the set price, VAT is split over its dishes' rates."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import Check
from billing.reports import day_report
from orders.models import OrderLine
from orders.services import open_order, send_to_kitchen
from tests.billing.conftest import checks_of, pay_cash_in_full
from tests.set_menu_fixtures import build_set_menu, set_request

pytestmark = pytest.mark.django_db


def sell_sets(world, *requests, covers=2):
    import uuid

    from orders.services import add_lines

    order, _ = open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0], covers=covers
    )
    add_lines(order=order, requests=list(requests), by=world.waiter)
    send_to_kitchen(order=order, by=world.waiter)
    services.open_bill(order=order, by=world.waiter)
    return order


def test_the_z_splits_a_mixed_rate_set_over_its_rates_to_the_cent(world, cash):
    set_menu = build_set_menu(world)
    # Two sets: one with the port (21%), one with the crème brûlée (9%).
    order = sell_sets(
        world, set_request(world, set_menu, seat=1), set_request(world, set_menu, seat=2, dessert=set_menu.dessert)
    )
    (check,) = checks_of(order)
    assert services.check_total(check) == 2 * 3950
    pay_cash_in_full(check, cash, world.waiter)

    report = day_report(day=services.current_business_day())
    rates = {r["rate"]: r for r in report["by_tax_rate"]}
    parts = OrderLine.objects.filter(order=order, set_line__isnull=False)
    high = sum(p.total for p in parts if p.tax_percent == Decimal("21.00"))
    low = sum(p.total for p in parts if p.tax_percent == Decimal("9.00"))
    # Set 1 (soup 750, steak 2450, port 650): 769, 2514, 667. Set 2 (brûlée 850 for the port): 731, 2390, 829.
    assert sorted(p.unit_price for p in parts) == sorted([769, 2514, 667, 731, 2390, 829])
    assert (high, low) == (667, 769 + 2514 + 731 + 2390 + 829)
    assert rates["21.00"]["gross"] == high and rates["21.00"]["tax"] == 116  # 667 x 21/121 = 115.76
    assert rates["9.00"]["gross"] == low and rates["9.00"]["tax"] == 597  # 7233 x 9/109 = 597.22
    assert rates["21.00"]["net"] + rates["9.00"]["net"] == 7900 - 116 - 597
    assert report["sales"]["gross"] == 7900


def test_a_split_by_seat_moves_each_set_with_its_dishes(world):
    set_menu = build_set_menu(world)
    order = sell_sets(world, set_request(world, set_menu, seat=1), set_request(world, set_menu, seat=2))
    first, second = services.split_check_by_seat(check=Check.objects.get(order=order), by=world.waiter)
    assert services.check_total(first) == services.check_total(second) == 3950


def test_moving_a_set_takes_its_dishes_and_an_even_split_keeps_the_sum(world):
    from billing.models import CheckItem

    set_menu = build_set_menu(world)
    order = sell_sets(world, set_request(world, set_menu, seat=1), set_request(world, set_menu, seat=1))
    check = Check.objects.get(order=order)
    sets = CheckItem.objects.filter(guest_check=check, line__item=set_menu.item).order_by("pk")
    dish = CheckItem.objects.filter(guest_check=check, line__set_line=sets[0].line).first()
    with pytest.raises(ValidationError) as error:
        services.move_items(check=check, moves=[(dish.pk, None)], by=world.waiter)
    assert "items" in error.value.message_dict

    moved_to = services.move_items(check=check, moves=[(sets[0].pk, None)], by=world.waiter)
    assert CheckItem.objects.filter(guest_check=moved_to).count() == 4
    assert services.check_total(moved_to) == services.check_total(Check.objects.get(pk=check.pk)) == 3950

    halves = services.split_check_evenly(check=moved_to, ways=2, by=world.waiter)
    assert sum(services.check_total(half) for half in halves) == 3950
