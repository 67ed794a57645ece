"""The manager's allergen matrix (managers only) and the guests' allergen card (any staff, in the
language asked for, with the legal wording)."""

import re

import pytest

from orders import services
from staff.models import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

MATRIX = "/manager/menu/allergens/"
CARD = "/manager/menu/allergens/card/"


@pytest.fixture
def declared(world):
    services.set_allergens(
        by=world.manager,
        items={world.steak.pk: ["milk", "celery"], world.soup.pk: ["gluten"]},
        modifiers={world.vinaigrette.pk: ["mustard", "sulphites"]},
    )


def ticked(page: str, kind: str, pk: int) -> list[str]:
    row = re.search(rf'<tr data-kind="{kind}" data-id="{pk}">(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'value="(\w+)"[^>]*checked', row)


def test_the_matrix_shows_every_dish_and_choice_with_its_ticks(client, world, declared):
    client.force_login(world.manager)
    page = client.get(MATRIX).content.decode()

    assert ticked(page, "items", world.steak.pk) == ["milk", "celery"]
    assert ticked(page, "items", world.salad.pk) == []
    assert ticked(page, "modifiers", world.vinaigrette.pk) == ["mustard", "sulphites"]
    # Every row has the 14 boxes, each named for a screen reader.
    row = re.search(rf'<tr data-kind="items" data-id="{world.steak.pk}">(.*?)</tr>', page, re.S).group(1)
    assert row.count('type="checkbox"') == 14
    assert 'aria-label="Steak: Celery"' in row
    assert 'data-save-url="/api/menu/allergens/"' in page
    assert 'id="nav-allergens"' in page and 'aria-current="page"' in page


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.KITCHEN, Role.FRONT_DESK, Role.BARTENDER])
def test_only_a_manager_opens_the_matrix(client, world, role):
    client.force_login(StaffFactory(role=role))
    assert client.get(MATRIX).status_code == 403


def test_signed_out_people_go_to_sign_in(client, world):
    for url in (MATRIX, CARD):
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response["Location"]


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.KITCHEN, Role.FRONT_DESK, Role.MANAGER])
def test_any_staff_opens_the_card(client, world, declared, role):
    client.force_login(StaffFactory(role=role))
    response = client.get(CARD, {"outlet": world.outlet.pk, "lang": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Regulation (EU) No 1169/2011" in page
    assert re.search(r"Steak</span> <span class=\"allergen-card__allergens\">Milk, Celery</span>", page)
    assert re.search(r"Salad</span> <span class=\"allergen-card__allergens\">none of the 14</span>", page)
    assert re.search(r"Vinaigrette</span> <span class=\"allergen-card__allergens\">Mustard, Sulphites</span>", page)


def test_the_card_in_dutch_whatever_the_staffs_language(client, world, declared):
    client.force_login(world.waiter)
    page = client.get(CARD, {"outlet": world.outlet.pk, "lang": "nl"}).content.decode()
    assert '<html lang="nl">' in page
    assert "Verordening (EU) nr. 1169/2011" in page
    assert "Melk, Selderij" in page
    assert "Zwaveldioxide en sulfieten" in page
    assert "Glutenbevattende granen" in page
    # The card's print button is a module's, never an inline handler (the CSP).
    assert "onclick" not in page and 'id="print-card"' in page


def test_an_unknown_language_falls_back_to_the_default(client, world, declared):
    client.force_login(world.waiter)
    response = client.get(CARD, {"outlet": world.outlet.pk, "lang": "xx"})
    assert response.status_code == 200
    assert "Milk, Celery" in response.content.decode()


def test_the_admin_offers_the_14_as_ticks(admin_client, world, declared):
    page = admin_client.get(f"/admin/orders/item/{world.steak.pk}/change/").content.decode()
    assert page.count('name="allergens"') == 14
    assert re.search(r'value="milk"[^>]*checked', page)


def test_the_admin_form_keeps_annex_order_and_refuses_an_unknown_code(world):
    from django.forms import modelform_factory

    from orders.models import Modifier

    form_class = modelform_factory(Modifier, fields=["allergens"])
    form = form_class({"allergens": ["sulphites", "milk"]}, instance=world.rare)
    assert form.is_valid(), form.errors
    form.save()
    world.rare.refresh_from_db()
    assert world.rare.allergens == ["milk", "sulphites"]
    assert "allergens" in form_class({"allergens": ["shellfish"]}, instance=world.rare).errors
