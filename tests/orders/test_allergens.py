"""The EU's 14 allergens: only the 14 codes are stored, a line keeps the allergens it was ordered
with, the waiter's menu carries them at no extra query, and a manager's matrix saves them
(audited, announced to the tablets, refused to anyone else)."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from orders import allergen_selectors, selectors, services
from orders.allergens import Allergen, allergen_names, clean_allergens
from orders.models import OrderLine
from staff.models import AuditEntry, Role
from tests.factories import StaffFactory
from tests.orders.test_query_counts import MENU_FIXED_QUERIES, MENU_NESTING_LEVELS, build_menu, count_queries

pytestmark = pytest.mark.django_db

MATRIX_URL = "/api/menu/allergens/"


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_login(person)
    return client


def order_steak(world, **values):
    order, _ = services.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0], covers=2
    )
    request = services.LineRequest(
        item_id=world.steak.pk, seat=1, modifier_ids=[world.rare.pk, world.side_salad.pk, world.vinaigrette.pk]
    )
    ((line, _),) = services.add_lines(order=order, requests=[request], by=world.waiter)
    return line


def test_the_fourteen_are_the_annex_ii_list_in_its_order():
    assert Allergen.values == [
        "gluten",
        "crustaceans",
        "eggs",
        "fish",
        "peanuts",
        "soybeans",
        "milk",
        "nuts",
        "celery",
        "mustard",
        "sesame",
        "sulphites",
        "lupin",
        "molluscs",
    ]


def test_an_unknown_code_does_not_pass_the_model(world):
    world.steak.allergens = ["milk", "shellfish"]
    with pytest.raises(ValidationError) as error:
        world.steak.full_clean()
    assert "allergens" in error.value.message_dict
    assert "shellfish" in str(error.value.message_dict["allergens"])


def test_codes_from_a_client_come_back_once_each_in_annex_order():
    assert clean_allergens(["sulphites", "gluten", "milk", "gluten"]) == ["gluten", "milk", "sulphites"]
    with pytest.raises(ValidationError) as error:
        clean_allergens("milk", field="items.4")
    assert list(error.value.message_dict) == ["items.4"]


def test_names_are_in_the_active_language():
    from django.utils import translation

    with translation.override("nl"):
        assert allergen_names(["sulphites", "peanuts", "nuts"]) == ["Pinda's", "Noten", "Zwaveldioxide en sulfieten"]


def test_a_line_keeps_the_allergens_of_its_dish_and_choices_when_the_menu_changes(world):
    world.steak.allergens = ["milk", "celery"]
    world.steak.save()
    world.vinaigrette.allergens = ["mustard", "sulphites"]
    world.vinaigrette.save()
    world.rare.allergens = ["milk"]
    world.rare.save()

    line = order_steak(world)

    assert line.allergens == ["milk", "celery", "mustard", "sulphites"]
    services.set_allergens(by=world.manager, items={world.steak.pk: []}, modifiers={world.vinaigrette.pk: []})
    line.refresh_from_db()
    assert line.allergens == ["milk", "celery", "mustard", "sulphites"]
    assert selectors.order_detail(order_id=line.order_id)["lines"][0]["allergens"] == line.allergens


def test_changing_a_pending_lines_choices_takes_the_new_choices_allergens(world):
    world.vinaigrette.allergens = ["mustard"]
    world.vinaigrette.save()
    line = order_steak(world)
    assert line.allergens == ["mustard"]

    services.update_pending_line(line=line, by=world.waiter, modifier_ids=[world.rare.pk, world.fries.pk])

    assert OrderLine.objects.get(pk=line.pk).allergens == []


def test_a_client_may_not_send_a_lines_allergens(world):
    order_id = order_steak(world).order_id
    response = client_for(world.waiter).post(
        f"/api/orders/{order_id}/lines/", {"item": world.soup.pk, "allergens": []}, format="json"
    )
    assert response.status_code == 400
    assert "allergens" in response.json()


def test_the_waiters_menu_carries_them_for_the_same_queries():
    at = datetime.datetime(2026, 11, 20, 19, 30)
    outlet = build_menu(items=12, categories=3, groups=3)
    before = count_queries(lambda: selectors.menu_for_outlet(outlet=outlet, at=at))
    first = outlet.menus.first().categories.first().items.first()
    first.allergens = ["gluten", "eggs"]
    first.save()
    group = first.modifier_groups.first()
    choice = group.modifiers.first()
    choice.allergens = ["sesame"]
    choice.save()

    after = count_queries(lambda: selectors.menu_for_outlet(outlet=outlet, at=at))
    menu = selectors.menu_for_outlet(outlet=outlet, at=at)

    assert after == before <= MENU_FIXED_QUERIES + 2 * MENU_NESTING_LEVELS
    items = {item["id"]: item for category in menu["categories"] for item in category["items"]}
    assert items[first.pk]["allergens"] == ["gluten", "eggs"]
    modifiers = {m["id"]: m for m in menu["modifier_groups"][str(group.pk)]["modifiers"]}
    assert modifiers[choice.pk]["allergens"] == ["sesame"]


def test_the_matrix_read_costs_the_same_for_a_small_and_a_large_menu():
    small = build_menu(items=5, categories=2, groups=2)
    large = build_menu(items=60, categories=8, groups=12)

    small_count = count_queries(lambda: allergen_selectors.outlet_allergens(outlet=small))
    large_count = count_queries(lambda: allergen_selectors.outlet_allergens(outlet=large))
    board = allergen_selectors.outlet_allergens(outlet=large)

    # Menus, categories, items, item-group links; then groups and modifiers per level (two here).
    assert small_count == large_count == 4 + 2 * MENU_NESTING_LEVELS
    assert sum(len(c["items"]) for c in board["categories"]) == 60
    assert len(board["modifier_groups"]) == 12 + 1


def test_a_manager_saves_rows_audited_and_the_tablets_hear_it(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("orders.broadcasts.send_messages", sent.extend)

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.set_allergens(
            by=world.manager,
            items={str(world.steak.pk): ["milk", "gluten"], str(world.soup.pk): []},
            modifiers={str(world.vinaigrette.pk): ["mustard"]},
        )

    assert changed == {"items": 1, "modifiers": 1}  # the soup had none and still has none
    world.steak.refresh_from_db()
    assert world.steak.allergens == ["gluten", "milk"]
    entry = AuditEntry.objects.get(action="item_allergens_changed")
    assert entry.actor == world.manager
    assert entry.subject_id == str(world.steak.pk)
    assert entry.details == {"name": "Steak", "from": [], "to": ["gluten", "milk"]}
    assert AuditEntry.objects.filter(action="modifier_allergens_changed").count() == 1
    assert sent == [(f"floor.{world.outlet.pk}", {"type": "floor.relay", "message": {"type": "menu"}})]


def test_saving_the_same_ticks_again_changes_nothing(world, monkeypatch, django_capture_on_commit_callbacks):
    services.set_allergens(by=world.manager, items={world.steak.pk: ["milk"]})
    sent = []
    monkeypatch.setattr("orders.broadcasts.send_messages", sent.extend)
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.set_allergens(by=world.manager, items={world.steak.pk: ["milk"]})
    assert changed == {"items": 0, "modifiers": 0}
    assert AuditEntry.objects.filter(action="item_allergens_changed").count() == 1
    assert sent == []


def test_one_bad_row_saves_nothing(world):
    with pytest.raises(ValidationError) as error:
        services.set_allergens(by=world.manager, items={world.steak.pk: ["milk"], world.soup.pk: ["milk", "cheese"]})
    assert list(error.value.message_dict) == [f"items.{world.soup.pk}"]
    world.steak.refresh_from_db()
    assert world.steak.allergens == []


def test_the_api_saves_for_a_manager_and_names_the_field_of_an_unknown_code(world):
    manager = client_for(world.manager)

    bad = manager.post(MATRIX_URL, {"items": {str(world.steak.pk): ["milk", "lactose"]}}, format="json")
    missing = manager.post(MATRIX_URL, {"modifiers": {"999999": ["milk"]}}, format="json")
    not_a_list = manager.post(MATRIX_URL, ["milk"], format="json")
    good = manager.post(
        MATRIX_URL,
        {"items": {str(world.steak.pk): ["celery", "milk"]}},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )

    assert bad.status_code == 400
    assert "lactose" in bad.json()[f"items.{world.steak.pk}"][0]
    assert missing.status_code == 400 and "modifiers.999999" in missing.json()
    assert not_a_list.status_code == 400 and "items" in not_a_list.json()
    assert good.status_code == 200 and good.json() == {"items": 1, "modifiers": 0}
    world.steak.refresh_from_db()
    assert world.steak.allergens == ["milk", "celery"]


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.KITCHEN, Role.BARTENDER])
def test_only_a_manager_saves(world, role):
    response = client_for(StaffFactory(role=role)).post(
        MATRIX_URL, {"items": {str(world.steak.pk): ["milk"]}}, format="json"
    )
    assert response.status_code == 403
    with pytest.raises(Exception, match="manager"):
        services.set_allergens(by=StaffFactory(role=role), items={world.steak.pk: ["milk"]})
    world.steak.refresh_from_db()
    assert world.steak.allergens == []
