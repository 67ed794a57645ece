"""The waiter's menu says when its prices next change by themselves, so an open tablet reloads it then."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import selectors, services
from orders.models import PriceList

pytestmark = pytest.mark.django_db


def borrel(world, *, weekdays, starts_at, ends_at):
    return services.save_happy_hour(
        outlet=world.outlet,
        by=world.manager,
        name="Borrel",
        weekdays=weekdays,
        starts_at=starts_at,
        ends_at=ends_at,
        item_prices={world.steak.pk: 1950},
        category_percents={world.salad.category_id: Decimal("20")},
    )


# The menu's queries (see tests/orders/test_query_counts.py): menus, categories, items, their
# groups' links, the price rules (lists, upcoming ones too, and happy hours: one union), courses,
# the set menus' courses, and the groups and their choices per level of nesting: the same with or
# without any rule.
MENU_QUERIES = 12


def test_the_menu_names_the_next_happy_hour_and_price_list_for_the_same_queries(
    world, django_assert_num_queries, django_capture_on_commit_callbacks, sent
):
    friday_five = timezone.make_aware(datetime.datetime(2026, 12, 11, 17, 0))
    with django_assert_num_queries(MENU_QUERIES):
        bare = selectors.menu_for_outlet(outlet=world.outlet, at=friday_five)
    assert bare["prices_change_at"] is None

    with django_capture_on_commit_callbacks(execute=True):
        borrel(world, weekdays="4", starts_at=datetime.time(16), ends_at=datetime.time(18))
        PriceList.objects.create(
            outlet=world.outlet, name="Winter", starts_on=datetime.date(2026, 12, 14), created_by=world.manager
        ).entries.create(item=world.steak, price=2600, price_before=world.steak.price)
    with django_assert_num_queries(MENU_QUERIES):
        menu = selectors.menu_for_outlet(outlet=world.outlet, at=friday_five)
    # Inside Friday's window: it closes at six; the winter list (Monday) comes after.
    assert menu["prices_change_at"] == friday_five.replace(hour=18)
    steak = next(item for c in menu["categories"] for item in c["items"] if item["id"] == world.steak.pk)
    assert steak["price"] == 1950  # the list that starts Monday does not count yet

    saturday = friday_five + datetime.timedelta(days=1)
    assert selectors.menu_for_outlet(outlet=world.outlet, at=saturday)["prices_change_at"] == timezone.make_aware(
        datetime.datetime(2026, 12, 14, 0, 0)
    )


def test_saving_a_happy_hour_tells_the_tablets_when_it_opens(
    world, monkeypatch, django_capture_on_commit_callbacks, sent
):
    friday_four = timezone.make_aware(datetime.datetime(2026, 12, 11, 16, 0))
    monkeypatch.setattr("orders.broadcasts.local_now", lambda: friday_four)
    with django_capture_on_commit_callbacks(execute=True):
        borrel(world, weekdays="4", starts_at=datetime.time(17), ends_at=datetime.time(19))

    assert sent, "the happy hour's items were announced"
    assert {message["prices_change_at"] for _group, message in sent} == {friday_four.replace(hour=17).isoformat()}


@pytest.fixture
def sent(monkeypatch):
    """The messages broadcast after commit, as (group, message)."""
    messages = []
    monkeypatch.setattr("orders.broadcasts._send", lambda batch: messages.extend(batch))
    return messages


def test_the_waiters_menu_payload_carries_the_moment_in_the_outlet_s_time(world, api_as, monkeypatch):
    friday_four = timezone.make_aware(datetime.datetime(2026, 12, 11, 16, 0))
    monkeypatch.setattr("orders.selectors.local_now", lambda: friday_four)
    borrel(world, weekdays="4", starts_at=datetime.time(17), ends_at=datetime.time(19))

    payload = api_as(world.waiter).get(f"/api/outlets/{world.outlet.pk}/menu/").json()

    assert datetime.datetime.fromisoformat(payload["prices_change_at"]) == friday_four.replace(hour=17)
    assert payload["prices_change_at"].endswith("+01:00")  # Amsterdam in winter: the tablet parses it exactly
