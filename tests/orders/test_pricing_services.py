"""Price changes: by percentage, price lists from a date, happy hours; audited, announced, never changing an order."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orders import selectors, services
from orders.models import HappyHour, Item, Order, PriceList
from orders.services import LineRequest
from staff.models import AuditEntry
from tests.factories import CategoryFactory, ItemFactory, MenuFactory, OutletFactory

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return selectors.local_now().date()


def next_monday() -> datetime.date:
    return today() + datetime.timedelta(days=7 - today().weekday())


def menu_prices(outlet, at) -> dict[str, int]:
    menu = selectors.menu_for_outlet(outlet=outlet, at=at)
    return {item["name"]: item["price"] for category in menu["categories"] for item in category["items"]}


def take_order(world, *items):
    order = Order.objects.create(
        outlet=world.outlet, table=world.tables[Order.objects.count()], covers=2, waiter=world.waiter
    )
    lines = [services.add_line(order=order, request=LineRequest(item_id=item.pk), by=world.waiter)[0] for item in items]
    return order, lines


@pytest.fixture
def sent(monkeypatch):
    """The messages broadcast after commit, as (group, message)."""
    messages = []
    monkeypatch.setattr("orders.broadcasts._send", lambda batch: messages.extend(batch))
    return messages


def test_the_preview_shows_old_and_new_prices_and_writes_nothing(world):
    starters = world.salad.category
    changes = services.preview_percentage_change(outlet=world.outlet, category=starters, percent="5", rounding=10)

    assert [(c.item.name, c.old, c.new) for c in changes] == [("Salad", 950, 1000), ("Soup", 750, 790)]
    assert Item.objects.get(pk=world.salad.pk).price == 950


def test_a_raise_from_next_monday_is_a_scheduled_list_and_an_order_today_keeps_todays_price(
    world, django_capture_on_commit_callbacks, sent
):
    starters = world.salad.category
    with django_capture_on_commit_callbacks(execute=True):
        price_list = services.change_prices_by_percentage(
            outlet=world.outlet, by=world.manager, category=starters, percent="5", starts_on=next_monday()
        )
    _order, (line,) = take_order(world, world.salad)

    assert isinstance(price_list, PriceList)
    assert price_list.state_on(today()) == PriceList.State.SCHEDULED
    assert sorted(price_list.entries.values_list("item__name", "price_before", "price")) == [
        ("Salad", 950, 998),
        ("Soup", 750, 788),
    ]
    assert line.unit_price == 950
    monday_evening = datetime.datetime.combine(next_monday(), datetime.time(19, 0))
    assert menu_prices(world.outlet, monday_evening)["Salad"] == 998
    assert menu_prices(world.outlet, monday_evening)["Steak"] == 2450
    assert menu_prices(world.outlet, selectors.local_now())["Salad"] == 950
    assert AuditEntry.objects.filter(action="price_list_scheduled", actor=world.manager).count() == 1
    assert sent == []  # nothing changes on a tablet before Monday


def test_a_price_change_now_reaches_the_tablets_and_never_an_existing_line(
    world, django_capture_on_commit_callbacks, sent
):
    order, (before,) = take_order(world, world.soup)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_prices_by_percentage(outlet=world.outlet, by=world.manager, percent="10", rounding=50)
    _same, (after,) = take_order(world, world.soup)

    before.refresh_from_db()
    assert (before.unit_price, after.unit_price) == (750, 850)
    assert selectors.order_detail(order_id=order.pk)["total"] == 750
    assert Item.objects.get(pk=world.steak.pk).price == 2700
    assert {message["item"]["id"]: message["item"]["price"] for _group, message in sent} == {
        world.steak.pk: 2700,
        world.salad.pk: 1050,
        world.soup.pk: 850,
    }
    assert all(message["type"] == "floor.item" for _group, message in sent)
    entry = AuditEntry.objects.get(action="prices_changed_by_percentage")
    assert entry.details["prices"][str(world.soup.pk)] == [750, 850]


def test_a_line_added_after_a_list_started_gets_the_list_price_and_the_older_line_keeps_its_own(world, monkeypatch):
    price_list = services.schedule_price_list(
        outlet=world.outlet, by=world.manager, name="Winter", starts_on=next_monday(), prices={world.steak.pk: 2600}
    )
    _order, (old_line,) = take_order(world, world.salad)
    monday = datetime.datetime.combine(next_monday(), datetime.time(12, 0))
    monkeypatch.setattr("orders.services.lines.local_now", lambda: monday)
    order = Order.objects.create(outlet=world.outlet, table=world.tables[5], covers=2, waiter=world.waiter)
    line, _created = services.add_line(
        order=order,
        request=LineRequest(item_id=world.steak.pk, modifier_ids=[world.rare.pk, world.fries.pk]),
        by=world.waiter,
    )

    assert price_list.entries.get().price_before == 2450
    assert line.unit_price == 2600
    old_line.refresh_from_db()
    assert old_line.unit_price == 950


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent": "0"}, "percent"),
        ({"percent": "abc"}, "percent"),
        ({"percent": "500"}, "percent"),
        ({"rounding": 3}, "rounding"),
        ({"starts_on": datetime.date(2020, 1, 1)}, "starts_on"),
        ({"starts_on": "monday"}, "starts_on"),
    ],
)
def test_bad_input_names_the_field(world, changes, field):
    arguments = {"outlet": world.outlet, "by": world.manager, "percent": "5", **changes}
    with pytest.raises(ValidationError) as error:
        services.change_prices_by_percentage(**arguments)
    assert field in error.value.message_dict


def test_a_category_of_another_outlet_is_refused(world):
    other = CategoryFactory(menu=MenuFactory(outlet=OutletFactory(name="Bar")))
    with pytest.raises(ValidationError) as error:
        services.change_prices_by_percentage(outlet=world.outlet, by=world.manager, percent="5", category=other)
    assert "category" in error.value.message_dict


def test_only_a_manager_changes_prices(world):
    with pytest.raises(PermissionDenied):
        services.change_prices_by_percentage(outlet=world.outlet, by=world.waiter, percent="5")
    with pytest.raises(PermissionDenied):
        services.schedule_price_list(
            outlet=world.outlet, by=world.waiter, name="x", starts_on=today(), prices={world.salad.pk: 1}
        )
    assert Item.objects.get(pk=world.salad.pk).price == 950


def test_a_scheduled_list_can_be_cancelled_before_it_starts_but_not_after(world):
    later = services.schedule_price_list(
        outlet=world.outlet, by=world.manager, name="Later", starts_on=next_monday(), prices={world.salad.pk: 1000}
    )
    now = services.schedule_price_list(
        outlet=world.outlet, by=world.manager, name="Now", starts_on=today(), prices={world.soup.pk: 800}
    )

    services.cancel_price_list(price_list=later, by=world.manager)
    with pytest.raises(ValidationError) as error:
        services.cancel_price_list(price_list=now, by=world.manager)

    assert "price_list" in error.value.message_dict
    later.refresh_from_db()
    assert later.state_on(today()) == PriceList.State.CANCELLED
    monday = datetime.datetime.combine(next_monday(), datetime.time(12))
    assert menu_prices(world.outlet, monday)["Salad"] == 950
    assert menu_prices(world.outlet, monday)["Soup"] == 800
    assert AuditEntry.objects.filter(action="price_list_cancelled", subject_id=str(later.pk)).exists()


def test_a_price_list_refuses_items_of_another_outlet_and_bad_prices(world):
    stranger = ItemFactory(category=CategoryFactory(menu=MenuFactory(outlet=OutletFactory(name="Bar"))))
    for prices, field in [
        ({stranger.pk: 100}, f"prices.{stranger.pk}"),
        ({world.salad.pk: -1}, f"prices.{world.salad.pk}"),
        ({}, "prices"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.schedule_price_list(
                outlet=world.outlet, by=world.manager, name="x", starts_on=today(), prices=prices
            )
        assert field in error.value.message_dict
    assert not PriceList.objects.exists()


def test_happy_hour_prices_a_line_inside_its_window_and_is_announced(
    world, monkeypatch, django_capture_on_commit_callbacks, sent
):
    with django_capture_on_commit_callbacks(execute=True):
        happy_hour = services.save_happy_hour(
            outlet=world.outlet,
            by=world.manager,
            name="Borrel",
            weekdays="4",
            starts_at=datetime.time(16),
            ends_at=datetime.time(18),
            item_prices={world.steak.pk: 1950},
            category_percents={world.salad.category_id: Decimal("20")},
        )
    friday_five = datetime.datetime(2026, 12, 11, 17, 0)
    monkeypatch.setattr("orders.services.lines.local_now", lambda: friday_five)
    _order, (salad, soup) = take_order(world, world.salad, world.soup)

    assert (salad.unit_price, soup.unit_price) == (760, 600)
    assert menu_prices(world.outlet, friday_five) == {"Steak": 1950, "Salad": 760, "Soup": 600}
    assert menu_prices(world.outlet, friday_five.replace(hour=18)) == {"Steak": 2450, "Salad": 950, "Soup": 750}
    assert {message["item"]["id"] for _group, message in sent} == {world.steak.pk, world.salad.pk, world.soup.pk}
    assert AuditEntry.objects.filter(action="happy_hour_created", subject_id=str(happy_hour.pk)).exists()

    services.save_happy_hour(
        happy_hour=happy_hour,
        outlet=world.outlet,
        by=world.manager,
        name="Borrel",
        weekdays="45",
        starts_at=datetime.time(16),
        ends_at=datetime.time(17),
        item_prices={world.steak.pk: 1800},
    )
    assert menu_prices(world.outlet, friday_five.replace(hour=16))["Steak"] == 1800
    assert menu_prices(world.outlet, friday_five.replace(hour=16))["Salad"] == 950
    services.remove_happy_hour(happy_hour=happy_hour, by=world.manager)
    assert not HappyHour.objects.exists()
    assert menu_prices(world.outlet, friday_five.replace(hour=16))["Steak"] == 2450


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"weekdays": "8"}, "weekdays"),
        ({"weekdays": ""}, "weekdays"),
        ({"ends_at": datetime.time(16)}, "ends_at"),
        ({"item_prices": {}, "category_percents": {}}, "prices"),
        ({"category_percents": {0: Decimal("10")}}, "categories.0"),
        ({"category_percents": {"salad": Decimal("101")}}, "categories.salad"),
    ],
)
def test_a_happy_hour_with_bad_input_names_the_field(world, changes, field):
    arguments = {
        "outlet": world.outlet,
        "by": world.manager,
        "name": "Borrel",
        "weekdays": "4",
        "starts_at": datetime.time(16),
        "ends_at": datetime.time(18),
        "item_prices": {world.steak.pk: 1950},
        **changes,
    }
    if field == "categories.salad":  # a real category, 101% off
        arguments["category_percents"] = {world.salad.category_id: Decimal("101")}
        field = f"categories.{world.salad.category_id}"
    with pytest.raises(ValidationError) as error:
        services.save_happy_hour(**arguments)
    assert field in error.value.message_dict
    assert not HappyHour.objects.exists()


def test_the_price_rules_are_one_query(world, django_assert_num_queries):
    services.schedule_price_list(
        outlet=world.outlet, by=world.manager, name="Now", starts_on=today(), prices={world.soup.pk: 800}
    )
    services.save_happy_hour(
        outlet=world.outlet,
        by=world.manager,
        name="Borrel",
        weekdays="0123456",
        starts_at=datetime.time(0),
        ends_at=datetime.time(23, 59),
        category_percents={world.steak.category_id: Decimal("10")},
    )
    with django_assert_num_queries(1):
        rules = selectors.price_rules(outlet_id=world.outlet.pk, on=today())
    assert sorted((rule.kind, rule.price, rule.percent_off) for rule in rules) == [
        ("happy_hour", None, Decimal("10.00")),
        ("list", 800, None),
    ]


def test_a_batch_of_lines_reads_the_price_rules_once(world, monkeypatch):
    calls = []
    real = selectors.price_rules

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr("orders.services.lines.price_rules", counted)
    order = Order.objects.create(outlet=world.outlet, table=world.tables[0], covers=2, waiter=world.waiter)
    services.add_lines(
        order=order, requests=[LineRequest(item_id=world.soup.pk), LineRequest(item_id=world.salad.pk)], by=world.waiter
    )
    assert len(calls) == 1
    assert sorted(calls[0]["item_ids"]) == sorted([world.soup.pk, world.salad.pk])
