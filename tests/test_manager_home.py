"""The manager's way in: /manager/ lists the manager pages (each opens for a manager), is for
managers only, and the floor shows a manager (only) the link to it."""

import re

import pytest

from staff.models import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

MANAGER_PAGES = [
    "/manager/day/",
    "/manager/drawers/",
    "/cashier/",
    "/kitchen/86/",
    "/frontdesk/",
    "/manager/reports/",
    "/manager/menu/",
    "/manager/menu/allergens/",
    "/manager/prices/",
    "/manager/menu-transfer/",
    "/manager/floor/",
    "/manager/printers/",
    "/kitchen/stations/",
    "/manager/staff/",
    "/manager/timesheets/",
    "/manager/audit/",
]


def links(page: str) -> list[str]:
    return re.findall(r'<a class="manager-link[^"]*"[^>]* href="([^"]+)"', page)


def test_the_manager_home_lists_every_manager_page_and_each_opens(client, world):
    client.force_login(world.manager)

    response = client.get("/manager/")

    assert response.status_code == 200
    assert links(response.content.decode()) == [*MANAGER_PAGES, "/admin/"]
    for url in MANAGER_PAGES:
        assert client.get(url).status_code == 200, url


def test_every_manager_page_on_the_shared_navigation_marks_itself(client, world):
    client.force_login(world.manager)
    page = client.get("/manager/").content.decode()

    nav = re.findall(r'<a class="manager-nav__link" id="nav-[^"]+" href="([^"]+)"', page)
    assert nav == ["/manager/", *MANAGER_PAGES, "/admin/"]
    assert 'id="nav-home" href="/manager/" aria-current="page"' in page


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.KITCHEN, Role.FRONT_DESK])
def test_only_a_manager_opens_it(client, world, role):
    client.force_login(StaffFactory(role=role))
    assert client.get("/manager/").status_code == 403


def test_signed_out_goes_to_sign_in(client, world):
    response = client.get("/manager/")
    assert response.status_code == 302
    assert "next=/manager/" in response["Location"]


def test_the_floor_shows_a_manager_the_way_in(client, world):
    client.force_login(world.manager)
    page = client.get("/floor/").content.decode()
    assert 'id="to-manager" href="/manager/"' in page


def test_the_floor_shows_a_waiter_no_manager_link(client, world):
    client.force_login(world.waiter)
    page = client.get("/floor/").content.decode()
    assert 'id="to-manager"' not in page


def test_the_manager_home_in_dutch(client, world):
    client.force_login(world.manager)
    page = client.get("/manager/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Dagrapport" in page
    assert "Koppel een scherm aan zijn station." in page


def test_the_front_desk_leads_a_manager_back_to_the_manager_home(client, world):
    client.force_login(world.manager)
    page = client.get("/frontdesk/").content.decode()
    assert 'id="to-manager" href="/manager/"' in page


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/manager/day/", "day"),
        ("/manager/day/close/", "day"),
        ("/manager/drawers/", "drawers"),
        ("/manager/printers/", "printers"),
        ("/kitchen/86/", "86"),
        ("/kitchen/stations/", "kitchen-stations"),
    ],
)
def test_each_manager_page_has_the_shared_navigation_and_marks_itself(client, world, url, key):
    client.force_login(world.manager)
    page = client.get(url).content.decode()
    assert 'id="manager-nav"' in page
    assert 'id="nav-home" href="/manager/"' in page
    assert re.search(rf'id="nav-{key}" href="[^"]+" aria-current="page"', page), url


def test_the_kitchen_gets_the_86_board_without_the_managers_navigation(client, world):
    client.force_login(StaffFactory(role=Role.KITCHEN))
    page = client.get("/kitchen/86/").content.decode()
    assert 'class="sold-out"' in page
    assert 'id="manager-nav"' not in page
    assert 'href="/kitchen/"' in page


def test_the_front_desk_shows_front_desk_staff_no_manager_link(client, world):
    client.force_login(StaffFactory(role=Role.FRONT_DESK))
    page = client.get("/frontdesk/").content.decode()
    assert 'id="to-manager"' not in page
