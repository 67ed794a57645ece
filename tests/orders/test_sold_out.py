"""86 from the screens: who may 86 what, the outlet's "waiters need a manager" setting,
countdowns, a kitchen screen acting for its own outlet, and the 86 board's read."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from orders import selectors, services
from orders.models import Item, Modifier
from staff.models import Approval, AuditEntry, Role
from tests.factories import (
    CategoryFactory,
    ItemFactory,
    MenuFactory,
    ModifierFactory,
    ModifierGroupFactory,
    OutletFactory,
    StaffFactory,
    TaxRateFactory,
    attach,
)

pytestmark = pytest.mark.django_db


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=person)
    return client


def needs_manager(world) -> None:
    world.outlet.waiter_86_needs_manager = True
    world.outlet.save(update_fields=["waiter_86_needs_manager"])


def screen_of(outlet, display_id: int = 7) -> services.StationScreen:
    return services.StationScreen(display_id=display_id, outlet_id=outlet.pk, name="Cold (Pass)")


# --- the rule in the service ------------------------------------------------------------------


def test_by_default_a_waiter_86es_without_a_manager(world):
    item = services.set_item_availability(item=world.salad, by=world.waiter, is_available=False)

    assert item.is_86d
    entry = AuditEntry.objects.get(action="item_availability_changed")
    assert entry.actor == world.waiter and entry.approval is None


def test_where_the_outlet_asks_a_waiter_without_a_manager_is_refused_and_nothing_changes(world):
    needs_manager(world)

    with pytest.raises(ValidationError) as refused:
        services.set_item_availability(item=world.salad, by=world.waiter, is_available=False)

    assert "approver" in refused.value.message_dict
    assert Item.objects.get(pk=world.salad.pk).is_available
    assert not AuditEntry.objects.filter(action="item_availability_changed").exists()


def test_where_the_outlet_asks_a_wrong_manager_pin_is_refused(world):
    needs_manager(world)

    with pytest.raises(ValidationError) as refused:
        services.set_item_availability(
            item=world.salad, by=world.waiter, remaining_qty=4, approver_id=world.manager.pk, approver_pin="1234"
        )

    assert "pin" in refused.value.message_dict
    assert Item.objects.get(pk=world.salad.pk).remaining_qty is None
    assert not Approval.objects.exists()


def test_where_the_outlet_asks_a_waiter_86es_with_the_managers_pin_and_the_approval_is_kept(world):
    needs_manager(world)

    item = services.set_item_availability(
        item=world.salad, by=world.waiter, remaining_qty=4, approver_id=world.manager.pk, approver_pin="9999"
    )

    assert item.remaining_qty == 4 and not item.is_86d
    approval = Approval.objects.get()
    assert (approval.action, approval.requested_by, approval.approver) == ("86", world.waiter, world.manager)
    assert approval.reason == "86: Salad"
    entry = AuditEntry.objects.get(action="item_availability_changed")
    assert entry.approval == approval and entry.details == {"is_available": True, "remaining_qty": 4}


def test_a_waiters_pin_cannot_approve(world):
    needs_manager(world)
    world.other_waiter.set_pin("4321")
    world.other_waiter.save()

    with pytest.raises(ValidationError) as refused:
        services.set_item_availability(
            item=world.salad,
            by=world.waiter,
            is_available=False,
            approver_id=world.other_waiter.pk,
            approver_pin="4321",
        )

    assert "approver" in refused.value.message_dict
    assert Item.objects.get(pk=world.salad.pk).is_available


def test_where_the_outlet_asks_the_kitchen_and_managers_still_86_on_their_own(world):
    needs_manager(world)

    services.set_item_availability(item=world.salad, by=world.kitchen, is_available=False)
    services.set_item_availability(item=world.soup, by=world.manager, remaining_qty=2)

    assert Item.objects.get(pk=world.salad.pk).is_86d
    assert Item.objects.get(pk=world.soup.pk).remaining_qty == 2
    assert not Approval.objects.exists()


def test_a_choice_follows_the_same_rule(world):
    needs_manager(world)
    with pytest.raises(ValidationError):
        services.set_modifier_availability(modifier=world.fries, by=world.waiter, is_available=False)
    assert Modifier.objects.get(pk=world.fries.pk).is_available

    services.set_modifier_availability(
        modifier=world.fries, by=world.waiter, is_available=False, approver_id=world.manager.pk, approver_pin="9999"
    )

    assert not Modifier.objects.get(pk=world.fries.pk).is_available
    assert Approval.objects.get().reason == "86: Fries"


def test_front_desk_and_cashiers_may_not_86(world):
    for role in (Role.FRONT_DESK, Role.CASHIER):
        with pytest.raises(PermissionDenied):
            services.set_item_availability(item=world.salad, by=StaffFactory(role=role), is_available=False)
    assert Item.objects.get(pk=world.salad.pk).is_available


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"remaining_qty": -1}, "remaining_qty"),
        ({"remaining_qty": 2.5}, "remaining_qty"),
        ({"remaining_qty": True}, "remaining_qty"),
        ({"remaining_qty": "3"}, "remaining_qty"),
        ({"is_available": "no"}, "is_available"),
        ({}, "detail"),
    ],
)
def test_a_bad_countdown_names_its_field_and_changes_nothing(world, changes, field):
    with pytest.raises(ValidationError) as refused:
        services.set_item_availability(item=world.salad, by=world.kitchen, **changes)

    assert field in refused.value.message_dict
    item = Item.objects.get(pk=world.salad.pk)
    assert item.is_available and item.remaining_qty is None


def test_a_countdown_is_set_and_cleared(world):
    assert services.set_item_availability(item=world.salad, by=world.kitchen, remaining_qty=0).is_86d
    item = services.set_item_availability(item=world.salad, by=world.kitchen, remaining_qty=None)
    assert item.remaining_qty is None and not item.is_86d


# --- a kitchen screen: not a person ------------------------------------------------------------


def test_a_screen_86es_an_item_of_its_own_outlet_audited_as_the_screen(world):
    item = services.set_item_availability(item=world.salad, by=screen_of(world.outlet), is_available=False)

    assert item.is_86d
    entry = AuditEntry.objects.get(action="item_availability_changed")
    assert entry.actor is None
    assert entry.details == {"is_available": False, "remaining_qty": None, "display": 7, "display_name": "Cold (Pass)"}


def test_a_screen_needs_no_manager_even_where_waiters_do(world):
    needs_manager(world)
    services.set_item_availability(item=world.salad, by=screen_of(world.outlet), remaining_qty=3)
    assert Item.objects.get(pk=world.salad.pk).remaining_qty == 3


def test_a_screen_may_not_86_another_outlets_items_or_choices(world):
    bar = OutletFactory(name="Bar")

    with pytest.raises(PermissionDenied):
        services.set_item_availability(item=world.salad, by=screen_of(bar), is_available=False)
    with pytest.raises(PermissionDenied):
        services.set_modifier_availability(modifier=world.fries, by=screen_of(bar), is_available=False)

    assert Item.objects.get(pk=world.salad.pk).is_available
    assert Modifier.objects.get(pk=world.fries.pk).is_available


def test_a_screen_sells_out_a_nested_choice_its_outlet_offers(world):
    # Vinaigrette hangs off the Dressing group, which only Side salad (on the steak) opens.
    services.set_modifier_availability(modifier=world.vinaigrette, by=screen_of(world.outlet), is_available=False)
    assert not Modifier.objects.get(pk=world.vinaigrette.pk).is_available


# --- the API --------------------------------------------------------------------------------------


def test_the_api_asks_a_waiter_for_a_manager_then_takes_the_pin(world):
    needs_manager(world)
    waiter = client_for(world.waiter)
    url = f"/api/items/{world.salad.pk}/availability/"

    refused = waiter.post(url, {"is_available": False}, format="json")
    wrong_field = waiter.post(url, {"is_available": False, "approver": "Mila"}, format="json")
    approved = waiter.post(
        url, {"is_available": False, "approver": world.manager.pk, "approver_pin": "9999"}, format="json"
    )

    assert refused.status_code == 400 and "approver" in refused.json()
    assert wrong_field.status_code == 400 and "approver" in wrong_field.json()
    assert approved.status_code == 200, approved.content
    assert approved.json() == {"id": world.salad.pk, "is_available": False, "remaining_qty": None, "is_86d": True}


def test_the_menu_tells_the_tablet_whether_waiters_need_a_manager(world):
    waiter = client_for(world.waiter)
    assert waiter.get(f"/api/outlets/{world.outlet.pk}/menu/").json()["outlet"]["waiter_86_needs_manager"] is False
    needs_manager(world)
    assert waiter.get(f"/api/outlets/{world.outlet.pk}/menu/").json()["outlet"]["waiter_86_needs_manager"] is True


def test_the_86_board_lists_every_item_and_choice_with_what_is_sold_out(world):
    services.set_item_availability(item=world.soup, by=world.kitchen, remaining_qty=2)
    services.set_modifier_availability(modifier=world.fries, by=world.kitchen, is_available=False)

    response = client_for(world.kitchen).get(f"/api/outlets/{world.outlet.pk}/sold-out/")

    assert response.status_code == 200
    board = response.json()
    assert board["outlet"] == {"id": world.outlet.pk, "name": "Bistro", "waiter_86_needs_manager": False}
    items = {item["name"]: item for category in board["categories"] for item in category["items"]}
    assert set(items) == {"Steak", "Salad", "Soup"}
    assert items["Soup"]["remaining_qty"] == 2 and items["Soup"]["is_86d"] is False
    choices = {m["name"]: m["is_available"] for group in board["modifier_groups"] for m in group["modifiers"]}
    assert choices["Fries"] is False and choices["Bacon"] is True
    assert "Vinaigrette" in choices  # nested: only Side salad opens the Dressing group


def test_the_86_board_of_a_closed_outlet_is_a_404(world):
    closed = OutletFactory(name="Winter terrace", is_active=False)
    assert client_for(world.kitchen).get(f"/api/outlets/{closed.pk}/sold-out/").status_code == 404


# --- the board's read: pinned query count -------------------------------------------------------


def build_outlet(*, items: int, groups: int) -> object:
    outlet = OutletFactory()
    tax = TaxRateFactory()
    menus = [MenuFactory(outlet=outlet, name="Lunch"), MenuFactory(outlet=outlet, name="Dinner")]
    sections = [CategoryFactory(menu=menus[n % 2]) for n in range(4)]
    dressing = ModifierGroupFactory(name="Dressing")
    ModifierFactory(group=dressing, name="Vinaigrette")
    pool = []
    for n in range(groups):
        group = ModifierGroupFactory()
        ModifierFactory(group=group)
        ModifierFactory(group=group, opens_group=dressing if n == 0 else None)
        pool.append(group)
    for n in range(items):
        attach(ItemFactory(category=sections[n % 4], tax_rate=tax), pool[n % groups])
    return outlet


# Menus, categories, items, item-group links; then groups and their modifiers per level (two here).
SOLD_OUT_BOARD_QUERIES = 4 + 2 * 2


def test_the_86_board_costs_the_same_for_five_items_and_sixty(django_assert_num_queries):
    small = build_outlet(items=5, groups=2)
    large = build_outlet(items=60, groups=12)

    with django_assert_num_queries(SOLD_OUT_BOARD_QUERIES):
        selectors.sold_out_board(outlet=small)
    with django_assert_num_queries(SOLD_OUT_BOARD_QUERIES):
        board = selectors.sold_out_board(outlet=large)

    assert sum(len(c["items"]) for c in board["categories"]) == 60
    assert len(board["modifier_groups"]) == 12 + 1
