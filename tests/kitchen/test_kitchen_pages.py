"""The kitchen's pages for people: a cook signed in with her PIN lands on the kitchen's
screens and the 86 board; managers keep the pairing page; waiters are sent to sign in."""

import uuid

import pytest
from django.test import Client

from kitchen.models import Station
from kitchen.selectors import stations_by_outlet
from orders import services
from tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_a_cook_sees_every_station_of_the_active_outlets_and_the_86_board(world, kitchen):
    page = signed_in(world.kitchen).get("/kitchen/")

    assert page.status_code == 200
    assert page.templates[0].name == "kitchen/home.html"
    body = page.content.decode()
    for station in (kitchen.hot, kitchen.cold, kitchen.expo):
        assert f'href="/kitchen/stations/{station.pk}/"' in body
    assert f'href="/kitchen/86/?outlet={world.outlet.pk}"' in body


def test_a_manager_and_a_stranger_get_the_pairing_page(world, kitchen):
    for client in (signed_in(world.manager), Client()):
        page = client.get("/kitchen/")
        assert page.templates[0].name == "kitchen/pair.html"


def test_a_cook_opens_a_station_and_the_pass_on_a_tablet(world, kitchen):
    cook = signed_in(world.kitchen)

    station = cook.get(f"/kitchen/stations/{kitchen.cold.pk}/")
    expo = cook.get(f"/kitchen/stations/{kitchen.expo.pk}/")

    assert station.templates[0].name == "kitchen/station.html"
    assert 'id="open-86"' in station.content.decode()
    assert 'href="/kitchen/"' in station.content.decode()  # back to the kitchen's screens
    # Signed out, a cook goes back to the PIN pad, not to a pairing page.
    assert 'data-screen="person"' in station.content.decode()
    assert expo.templates[0].name == "kitchen/expo.html"
    assert cook.get("/kitchen/stations/999999/").status_code == 404


def test_a_manager_opening_a_station_goes_back_to_the_pairing_page(world, kitchen):
    page = signed_in(world.manager).get(f"/kitchen/stations/{kitchen.hot.pk}/")
    assert 'href="/kitchen/stations/"' in page.content.decode()


def test_the_86_board_is_for_the_kitchen_and_managers(world):
    assert signed_in(world.kitchen).get("/kitchen/86/").status_code == 200
    assert signed_in(world.manager).get(f"/kitchen/86/?outlet={world.outlet.pk}").status_code == 200
    for client in (signed_in(world.waiter), Client()):
        response = client.get("/kitchen/86/")
        assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(world.waiter).get(f"/kitchen/stations/{world.outlet.pk}/").status_code == 302


def test_the_order_screen_says_when_a_waiter_needs_a_manager_to_86(world):
    order, _ = services.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0]
    )
    url = f"/orders/{order.pk}/"
    assert 'data-sold-out-asks-manager="false"' in signed_in(world.waiter).get(url).content.decode()
    world.outlet.waiter_86_needs_manager = True
    world.outlet.save()
    assert 'data-sold-out-asks-manager="true"' in signed_in(world.waiter).get(url).content.decode()
    assert 'data-sold-out-asks-manager="false"' in signed_in(world.manager).get(url).content.decode()


def test_the_kitchen_page_reads_in_two_queries_however_many_outlets_and_stations(
    world, kitchen, django_assert_num_queries
):
    bar = OutletFactory(name="Bar")
    for n in range(6):
        Station.objects.create(outlet=bar, name=f"Bar {n}", code=f"bar{n}", sort_order=n)
    OutletFactory(name="Closed", is_active=False)

    with django_assert_num_queries(2):
        outlets = stations_by_outlet()

    assert [entry["outlet"].name for entry in outlets] == ["Bar", "Bistro"]
    assert [s.name for s in outlets[1]["stations"]] == ["Hot", "Cold", "Expo"]
    assert len(outlets[0]["stations"]) == 6
