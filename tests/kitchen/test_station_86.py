"""86 from a kitchen screen: a paired display (not a person) 86'es its own outlet's items, a
signed-in cook does the same from any station; tickets name the menu item to 86."""

import pytest
from rest_framework.test import APIClient

from orders.models import Item
from staff.models import AuditEntry
from tables.models import Outlet
from tests.factories import CategoryFactory, ItemFactory, MenuFactory, OutletFactory
from tests.kitchen.conftest import open_table, send, soup
from tests.kitchen.test_kitchen_api import csrf, paired_screen

pytestmark = pytest.mark.django_db


def availability_url(station, item) -> str:
    return f"/api/kitchen/stations/{station.pk}/items/{item.pk}/availability/"


def test_a_paired_screen_86es_an_item_of_its_outlet_audited_as_the_screen(world, kitchen):
    screen = paired_screen(kitchen.cold, world.manager, name="Pass")

    refused = screen.post(availability_url(kitchen.cold, world.salad), {"is_available": False}, format="json")
    answer = screen.post(
        availability_url(kitchen.cold, world.salad), {"is_available": False}, format="json", **csrf(screen)
    )

    assert refused.status_code == 403  # a cookie session: no CSRF token, no change
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"id": world.salad.pk, "is_available": False, "remaining_qty": None, "is_86d": True}
    entry = AuditEntry.objects.get(action="item_availability_changed")
    assert entry.actor is None
    assert entry.details["display_name"] == "Pass (Cold)"


def test_a_screen_sets_a_countdown_even_where_waiters_need_a_manager(world, kitchen):
    Outlet.objects.filter(pk=world.outlet.pk).update(waiter_86_needs_manager=True)
    screen = paired_screen(kitchen.hot, world.manager)

    answer = screen.post(
        availability_url(kitchen.hot, world.steak), {"remaining_qty": 3}, format="json", **csrf(screen)
    )
    bad = screen.post(availability_url(kitchen.hot, world.steak), {"remaining_qty": -2}, format="json", **csrf(screen))

    assert answer.status_code == 200 and answer.json()["remaining_qty"] == 3
    assert bad.status_code == 400 and "remaining_qty" in bad.json()
    assert Item.objects.get(pk=world.steak.pk).remaining_qty == 3


def test_a_screen_cannot_86_through_another_station_or_another_outlets_item(world, kitchen):
    screen = paired_screen(kitchen.cold, world.manager)
    bar = OutletFactory(name="Bar")
    gin = ItemFactory(category=CategoryFactory(menu=MenuFactory(outlet=bar)), name="Gin", tax_rate=world.salad.tax_rate)

    other_station = screen.post(
        availability_url(kitchen.hot, world.steak), {"is_available": False}, format="json", **csrf(screen)
    )
    other_outlet = screen.post(
        availability_url(kitchen.cold, gin), {"is_available": False}, format="json", **csrf(screen)
    )

    assert other_station.status_code == 403
    assert other_outlet.status_code == 403
    assert Item.objects.get(pk=world.steak.pk).is_available and Item.objects.get(pk=gin.pk).is_available


def test_a_screen_reads_its_outlets_86_board(world, kitchen):
    screen = paired_screen(kitchen.cold, world.manager)

    board = screen.get(f"/api/kitchen/stations/{kitchen.cold.pk}/sold-out/").json()

    assert board["outlet"]["id"] == world.outlet.pk
    names = {item["name"] for category in board["categories"] for item in category["items"]}
    assert {"Salad", "Soup", "Steak", "Crème brûlée"} <= names


def test_a_signed_in_cook_86es_from_a_station_and_a_waiter_may_not_there(world, kitchen):
    cook = APIClient()
    cook.force_authenticate(user=world.kitchen)
    waiter = APIClient()
    waiter.force_authenticate(user=world.waiter)

    answer = cook.post(availability_url(kitchen.cold, world.soup), {"remaining_qty": 5}, format="json")
    refused = waiter.post(availability_url(kitchen.cold, world.soup), {"remaining_qty": 0}, format="json")

    assert answer.status_code == 200 and answer.json()["remaining_qty"] == 5
    assert refused.status_code == 403
    assert AuditEntry.objects.get(action="item_availability_changed").actor == world.kitchen


def test_a_ticket_item_names_its_menu_item(world, kitchen):
    send(world, open_table(world), soup(world))
    screen = paired_screen(kitchen.cold, world.manager)

    (ticket,) = screen.get(f"/api/kitchen/stations/{kitchen.cold.pk}/board/").json()["tickets"]

    assert ticket["items"][0]["menu_item"] == world.soup.pk
