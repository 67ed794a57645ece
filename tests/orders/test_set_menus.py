"""Set menus: one price, one dish per course, each dish a line of its own carrying its share."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from orders import services
from orders.models import Item, OrderLine
from orders.services import SetChoice
from orders.set_menus import spread_set_price
from tests.set_menu_fixtures import build_set_menu, set_request


@given(
    set_price=st.integers(min_value=0, max_value=1_000_000),
    part_prices=st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=8),
)
def test_the_spread_adds_up_to_the_set_price_and_follows_the_parts_prices(set_price, part_prices):
    shares = spread_set_price(set_price, part_prices)
    assert sum(shares) == set_price
    assert len(shares) == len(part_prices)
    weights = part_prices if any(part_prices) else [1] * len(part_prices)
    total_weight = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        # Each share is within one cent of its exact proportional amount.
        exact = set_price * weight / total_weight
        assert exact - 1 < share < exact + 1


def test_the_spread_hands_the_odd_cents_to_the_largest_fractions():
    assert spread_set_price(3950, [750, 2450, 650]) == [769, 2514, 667]
    assert spread_set_price(100, [0, 0, 0]) == [34, 33, 33]
    with pytest.raises(ValueError):
        spread_set_price(100, [])


pytestmark = pytest.mark.django_db


def open_table(world, covers=2):
    order, _ = services.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0], covers=covers
    )
    return order


def test_selling_a_set_writes_the_set_and_a_line_per_course_with_its_share_at_its_own_rate(world):
    set_menu = build_set_menu(world)
    order = open_table(world)
    line, created = services.add_line(order=order, request=set_request(world, set_menu, seat=2), by=world.waiter)

    assert created and line.item == set_menu.item and line.unit_price == 0 and line.set_line is None
    parts = list(line.set_parts.order_by("course"))
    assert [(p.item, p.course, p.seat, p.unit_price, p.tax_percent) for p in parts] == [
        (world.soup, 1, 2, 769, Decimal("9.00")),
        (world.steak, 2, 2, 2514, Decimal("9.00")),
        (set_menu.port, 3, 2, 667, Decimal("21.00")),
    ]
    assert sum(p.total for p in parts) + line.total == 3950
    steak = parts[1]
    assert [m.name for m in steak.modifiers.all()] == ["Rare", "Fries"]
    assert steak.name_nl and steak.name_en == "Steak"
    assert line.course == 1


def test_a_missing_or_foreign_choice_is_refused_naming_the_course_and_nothing_is_written(world):
    set_menu = build_set_menu(world)
    order = open_table(world)
    request = set_request(world, set_menu)
    request.set_choices = request.set_choices[:2]
    with pytest.raises(ValidationError) as missing:
        services.add_line(order=order, request=request, by=world.waiter)
    assert "course 3" in missing.value.message_dict["set_choices"][0]

    wrong = set_request(world, set_menu, starter=world.steak)
    with pytest.raises(ValidationError) as foreign:
        services.add_line(order=order, request=wrong, by=world.waiter)
    assert "course 1" in foreign.value.message_dict["set_choices"][0]

    no_cooking = set_request(world, set_menu)
    no_cooking.set_choices[1] = SetChoice(course=2, item_id=world.steak.pk, modifier_ids=[world.fries.pk])
    with pytest.raises(ValidationError) as modifiers:
        services.add_line(order=order, request=no_cooking, by=world.waiter)
    assert "Cooking" in modifiers.value.message_dict["set_choices"][0]

    not_a_set = services.LineRequest(item_id=world.soup.pk, set_choices=[SetChoice(course=1, item_id=world.soup.pk)])
    with pytest.raises(ValidationError) as plain:
        services.add_line(order=order, request=not_a_set, by=world.waiter)
    assert "set_choices" in plain.value.message_dict
    assert not OrderLine.objects.filter(order=order).exists()


def test_a_sold_out_dish_in_a_set_is_refused_and_the_countdown_counts_the_dishes(world):
    set_menu = build_set_menu(world)
    Item.objects.filter(pk=world.soup.pk).update(remaining_qty=2)
    order = open_table(world)
    services.add_line(order=order, request=set_request(world, set_menu, qty=2), by=world.waiter)
    assert Item.objects.get(pk=world.soup.pk).remaining_qty == 0
    with pytest.raises(ValidationError) as error:
        services.add_line(order=order, request=set_request(world, set_menu), by=world.waiter)
    assert "set_choices" in error.value.message_dict


def test_removing_the_set_takes_its_dishes_and_a_dish_alone_cannot_go(world):
    set_menu = build_set_menu(world)
    Item.objects.filter(pk=world.soup.pk).update(remaining_qty=5)
    order = open_table(world)
    line, _ = services.add_line(order=order, request=set_request(world, set_menu), by=world.waiter)
    soup = line.set_parts.get(item=world.soup)
    with pytest.raises(ValidationError):
        services.remove_pending_line(line=soup, by=world.waiter)
    with pytest.raises(ValidationError) as qty:
        services.update_pending_line(line=line, by=world.waiter, qty=2)
    assert "qty" in qty.value.message_dict

    services.update_pending_line(line=line, by=world.waiter, seat=2)
    assert set(line.set_parts.values_list("seat", flat=True)) == {2}

    services.remove_pending_line(line=line, by=world.waiter)
    assert set(OrderLine.objects.filter(order=order).values_list("status", flat=True)) == {"removed"}
    assert Item.objects.get(pk=world.soup.pk).remaining_qty == 5


def test_voiding_the_set_voids_its_dishes(world):
    set_menu = build_set_menu(world)
    order = open_table(world)
    line, _ = services.add_line(order=order, request=set_request(world, set_menu), by=world.waiter)
    services.send_to_kitchen(order=order, by=world.waiter)
    approval = {"approver_id": world.manager.pk, "approver_pin": "9999"}
    with pytest.raises(ValidationError):
        services.void_line(line=line.set_parts.first(), by=world.waiter, reason="Wrong", **approval)
    services.void_line(line=line, by=world.waiter, reason="Wrong table", **approval)
    assert set(OrderLine.objects.filter(order=order).values_list("status", flat=True)) == {"void"}


def test_the_api_sells_a_set_and_names_the_course_when_a_choice_is_missing(world, api_as):
    set_menu = build_set_menu(world)
    order = open_table(world)
    client = api_as(world.waiter)
    choices = [
        {"course": 1, "item": world.salad.pk},
        {"course": 2, "item": world.steak.pk, "modifiers": [world.medium.pk, world.fries.pk]},
    ]
    url = f"/api/orders/{order.pk}/lines/"
    missing = client.post(url, {"item": set_menu.item.pk, "seat": 1, "set_choices": choices}, format="json")
    assert missing.status_code == 400
    assert "course 3" in str(missing.json()["set_choices"])
    foreign = [*choices, {"course": 3, "item": world.soup.pk}]
    refused = client.post(url, {"item": set_menu.item.pk, "seat": 1, "set_choices": foreign}, format="json")
    assert refused.status_code == 400 and "course 3" in str(refused.json()["set_choices"])
    bad_shape = client.post(url, {"item": set_menu.item.pk, "set_choices": [{"course": 1}]}, format="json")
    assert bad_shape.status_code == 400 and "set_choices" in bad_shape.json()

    choices.append({"course": 3, "item": set_menu.dessert.pk})
    sold = client.post(url, {"item": set_menu.item.pk, "seat": 1, "set_choices": choices}, format="json")
    assert sold.status_code == 201
    lines = sold.json()["order"]["lines"]
    set_line = next(line for line in lines if line["id"] == sold.json()["line"])
    parts = [line for line in lines if line["set_line"] == set_line["id"]]
    assert [p["item"] for p in parts] == [world.salad.pk, world.steak.pk, set_menu.dessert.pk]
    assert sold.json()["order"]["total"] == 3950


def test_the_menu_tells_the_tablet_the_courses_and_choices_of_a_set(world):
    from orders.selectors import menu_for_outlet

    set_menu = build_set_menu(world)
    items = {item["id"]: item for c in menu_for_outlet(outlet=world.outlet)["categories"] for item in c["items"]}
    assert items[set_menu.item.pk]["set_courses"] == [
        {"course": 1, "choices": sorted([world.soup.pk, world.salad.pk])},
        {"course": 2, "choices": [world.steak.pk]},
        {"course": 3, "choices": sorted([set_menu.dessert.pk, set_menu.port.pk])},
    ]
    assert items[world.soup.pk]["set_courses"] == []
