"""The drawer pages: who may see them, and that the cashier's page never shows what the drawer should hold."""

import pytest
from django.test import Client

from billing import services
from staff.models import Role
from tests.api_world import session_cookie_for
from tests.factories import StaffFactory

FLOAT = {"5000": 2, "1000": 3}


def client_as(person) -> Client:
    client = Client()
    if person is not None:
        client.cookies["sessionid"] = session_cookie_for(person)
    return client


@pytest.fixture
def cashier(db):
    return StaffFactory(display_name="Carla", role=Role.CASHIER, pin="4444")


@pytest.mark.parametrize(
    ("role", "status"), [("cashier", 200), ("manager", 200), ("waiter", 403), ("kitchen", 403), (None, 302)]
)
def test_the_cashier_drawer_page_is_for_cashiers_and_managers(world, cashier, role, status):
    person = {"cashier": cashier, "manager": world.manager, "waiter": world.waiter, "kitchen": world.kitchen}.get(role)
    assert client_as(person).get("/cashier/drawer/").status_code == status


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("cashier", 403), ("waiter", 403), (None, 302)])
def test_the_manager_drawers_page_is_for_managers(world, cashier, role, status):
    person = {"cashier": cashier, "manager": world.manager, "waiter": world.waiter}.get(role)
    assert client_as(person).get("/manager/drawers/").status_code == status


def test_with_no_drawer_the_page_offers_the_float_count(world, cashier):
    page = client_as(cashier).get("/cashier/drawer/").content.decode()
    assert 'id="open-drawer"' in page and 'data-count-grid="float"' in page
    assert page.count('class="count-row ') == 15  # the euro's 7 notes and 8 coins


def test_the_open_drawer_page_shows_the_float_and_movements_but_not_what_is_expected(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    services.record_cash_movement(session=session, kind="pay_in", amount=12345, reason="Change bought", by=cashier)
    page = client_as(cashier).get("/cashier/drawer/").content.decode()
    assert 'data-count-grid="close"' in page and "Change bought" in page
    assert "€130.00" in page  # the float
    # What the drawer should hold (130.00 + 123.45) appears nowhere before the count.
    assert "253.45" not in page and "253,45" not in page


def test_the_manager_sees_expected_so_far_and_variances(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    services.close_drawer(session=session, counts={"5000": 2}, by=cashier)
    open_again = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    services.record_cash_movement(session=open_again, kind="pay_out", amount=500, reason="Tips", by=cashier)
    page = client_as(world.manager).get("/manager/drawers/").content.decode()
    assert "€125.00" in page  # open: 130.00 - 5.00 so far
    assert "-€30.00" in page  # closed: 30.00 short
    assert client_as(world.manager).get("/manager/drawers/?from=bad&person=x").status_code == 200


def test_the_manager_home_links_the_drawers(world):
    assert 'href="/manager/drawers/"' in client_as(world.manager).get("/manager/").content.decode()
