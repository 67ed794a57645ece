"""The manager's menu editor, below the browser: the services validate, keep order, audit and announce."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kitchen.models import Station, StationRoute
from kitchen.station_routing import route_to_station
from orders import broadcasts, services
from orders.models import Category, Item, ItemModifierGroup, Menu, Modifier, ModifierGroup
from orders.selectors import menu_for_outlet
from orders.services import Choice, LineRequest, ServingWindow
from staff.models import AuditEntry
from tests.factories import OutletFactory, StaffFactory, TaxRateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The floor messages the services send after commit, as (group, message) pairs."""
    messages = []
    monkeypatch.setattr(broadcasts, "_send", lambda batch: messages.extend(batch))
    return messages


def new_item(world, **changes):
    fields = {
        "by": world.manager,
        "category": world.salad.category,
        "names": {"name_en": "Bitterballen"},
        "price": 850,
        "tax_rate": world.salad.tax_rate,
    }
    return services.save_item(**{**fields, **changes})


def test_a_new_item_goes_last_in_its_category_audited_and_the_outlets_tablets_hear(
    world, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = new_item(world, colour="#2E7D32", modifier_groups=[world.sides.pk, world.cooking.pk])

    item.refresh_from_db()
    assert (item.price, item.colour) == (850, "#2e7d32")
    last = Item.objects.filter(category=item.category).exclude(pk=item.pk).order_by("-sort_order")[0]
    assert item.sort_order > last.sort_order
    links = ItemModifierGroup.objects.filter(item=item).order_by("sort_order")
    assert [link.group_id for link in links] == [world.sides.pk, world.cooking.pk]
    entry = AuditEntry.objects.get(action="item_created")
    assert (entry.actor, entry.subject_id, entry.details["price"]) == (world.manager, str(item.pk), 850)
    assert sent == [(f"floor.{world.outlet.pk}", {"type": "floor.menu", "menu": {"outlet": world.outlet.pk}})]


def test_nothing_is_announced_when_the_edit_is_refused(world, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        new_item(world, modifier_groups=[world.sides.pk, 999_999])
    assert sent == []
    assert not Item.objects.filter(name="Bitterballen").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"names": {"name_en": "  "}}, "name_en"),
        ({"price": -1}, "price"),
        ({"price": 12.5}, "price"),
        ({"colour": "green"}, "colour"),
        ({"default_course": 0}, "default_course"),
        ({"names": {"name_en": "B", "short_name_nl": "x" * 41}}, "short_name_nl"),
        ({"modifier_groups": [1, 1]}, "modifier_groups"),
    ],
)
def test_a_bad_item_names_its_field_and_writes_nothing(world, changes, field):
    before = Item.objects.count()
    with pytest.raises(ValidationError) as refused:
        new_item(world, **changes)
    assert field in refused.value.message_dict
    assert Item.objects.count() == before
    assert not AuditEntry.objects.filter(action="item_created").exists()


@pytest.mark.parametrize("role", ["waiter", "kitchen"])
def test_only_a_manager_edits_the_menu(world, role):
    with pytest.raises(PermissionDenied):
        new_item(world, by=getattr(world, role))
    with pytest.raises(PermissionDenied):
        services.reorder_items(by=getattr(world, role), category=world.salad.category, item_ids=[])


def test_an_item_moves_only_to_a_category_of_its_own_outlet(world):
    elsewhere = Menu.objects.create(outlet=OutletFactory(name="Bar"), name="Bar menu")
    drinks = Category.objects.create(menu=elsewhere, name="Drinks")
    with pytest.raises(ValidationError) as refused:
        new_item(world, item=world.salad, category=drinks)
    assert "category" in refused.value.message_dict
    world.salad.refresh_from_db()
    assert world.salad.category_id != drinks.pk


def test_changing_an_item_keeps_what_was_ordered(world):
    """Lines copy name and price when ordered: the editor never rewrites them."""
    order, _ = services.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0]
    )
    line, _ = services.add_line(order=order, by=world.waiter, request=LineRequest(item_id=world.soup.pk))

    services.save_item(
        by=world.manager,
        item=world.soup,
        category=world.soup.category,
        names={"name_en": "Tomato soup"},
        price=900,
        tax_rate=world.soup.tax_rate,
    )

    line.refresh_from_db()
    assert (line.name, line.unit_price) == ("Soup", 750)


def test_items_are_reordered_as_dragged_and_the_list_must_name_each_once(
    world, sent, django_capture_on_commit_callbacks
):
    starters = world.salad.category
    with django_capture_on_commit_callbacks(execute=True):
        services.reorder_items(by=world.manager, category=starters, item_ids=[world.soup.pk, world.salad.pk])
    assert list(Item.objects.filter(category=starters).order_by("sort_order").values_list("name", flat=True)) == [
        "Soup",
        "Salad",
    ]
    assert AuditEntry.objects.get(action="items_reordered").details == {"items": [world.soup.pk, world.salad.pk]}
    assert sent and sent[0][1]["type"] == "floor.menu"

    for wrong in ([world.soup.pk], [world.soup.pk, world.salad.pk, world.steak.pk], [world.soup.pk, world.soup.pk]):
        with pytest.raises(ValidationError) as refused:
            services.reorder_items(by=world.manager, category=starters, item_ids=wrong)
        assert "items" in refused.value.message_dict


def test_categories_are_reordered_and_a_new_one_goes_last(world):
    menu = world.salad.category.menu
    desserts = services.save_category(
        by=world.manager, menu=menu, names={"name_en": "Desserts"}, colour="#AD1457", default_course=3
    )
    assert desserts.sort_order > world.steak.category.sort_order
    ids = [desserts.pk, world.steak.category_id, world.salad.category_id]

    services.reorder_categories(by=world.manager, menu=menu, category_ids=ids)

    assert list(Category.objects.filter(menu=menu).order_by("sort_order").values_list("pk", flat=True)) == ids
    with pytest.raises(ValidationError) as refused:
        services.save_category(by=world.manager, menu=menu, names={"name_en": "X"}, colour="#12345", default_course=1)
    assert "colour" in refused.value.message_dict


def test_a_menus_serving_windows_are_replaced_and_checked(world):
    menu = world.salad.category.menu
    lunch = ServingWindow(weekdays="40123", starts_at=datetime.time(11), ends_at=datetime.time(15))

    services.save_menu(by=world.manager, menu=menu, names={"name_en": "Lunch"}, windows=[lunch])

    menu.refresh_from_db()
    assert [(w.weekdays, w.starts_at, w.ends_at) for w in menu.windows.all()] == [
        ("01234", datetime.time(11), datetime.time(15))
    ]
    assert menu.is_served_at(datetime.datetime(2026, 12, 7, 12, 0))  # a Monday
    assert not menu.is_served_at(datetime.datetime(2026, 12, 6, 12, 0))  # a Sunday
    for bad, field in (
        (ServingWindow(weekdays="", starts_at=datetime.time(11), ends_at=datetime.time(15)), "windows.0.weekdays"),
        (ServingWindow(weekdays="7", starts_at=datetime.time(11), ends_at=datetime.time(15)), "windows.0.weekdays"),
        (ServingWindow(weekdays="0", starts_at=datetime.time(11), ends_at=datetime.time(11)), "windows.0.ends_at"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.save_menu(by=world.manager, menu=menu, names={"name_en": "Lunch"}, windows=[bad])
        assert field in refused.value.message_dict
    assert menu.windows.count() == 1


def test_a_nested_group_is_made_with_its_choices_and_attached_by_name(world, sent, django_capture_on_commit_callbacks):
    sauce = services.save_modifier_group(
        by=world.manager,
        names={"name_en": "Sauce"},
        min_choices=1,
        max_choices=1,
        choices=[Choice(names={"name_en": "Pepper"}), Choice(names={"name_en": "Béarnaise"}, price_delta=150)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.save_modifier_group(
            by=world.manager,
            group=world.sides,
            names={"name_en": "Side"},
            min_choices=1,
            max_choices=2,
            free_choices=1,
            choices=[
                Choice(id=world.fries.pk, names={"name_en": "Fries"}, price_delta=350),
                Choice(
                    id=world.side_salad.pk,
                    names={"name_en": "Side salad"},
                    price_delta=400,
                    opens_group_id=world.dressing.pk,
                ),
                Choice(names={"name_en": "Potatoes"}, price_delta=300, opens_group_id=sauce.pk),
            ],
        )

    choices = list(Modifier.objects.filter(group=world.sides).order_by("sort_order"))
    assert [(m.name, m.price_delta, m.opens_group_id) for m in choices] == [
        ("Fries", 350, None),
        ("Side salad", 400, world.dressing.pk),
        ("Potatoes", 300, sauce.pk),
    ]
    assert AuditEntry.objects.filter(action="modifier_group_created", subject_id=str(sauce.pk)).exists()
    # The steak offers the sides: its outlet's tablets hear of it.
    assert (f"floor.{world.outlet.pk}", {"type": "floor.menu", "menu": {"outlet": world.outlet.pk}}) in sent
    # The waiter's menu follows the nesting down to the new group.
    assert str(sauce.pk) in menu_for_outlet(outlet=world.outlet)["modifier_groups"]


def test_a_choice_may_not_lead_back_to_its_own_group(world):
    with pytest.raises(ValidationError) as refused:
        services.save_modifier_group(
            by=world.manager,
            group=world.dressing,
            names={"name_en": "Dressing"},
            min_choices=1,
            max_choices=1,
            choices=[Choice(id=world.vinaigrette.pk, names={"name_en": "Vinaigrette"}, opens_group_id=world.sides.pk)],
        )
    assert "choices" in refused.value.message_dict
    world.vinaigrette.refresh_from_db()
    assert world.vinaigrette.opens_group_id is None


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"min_choices": 2, "max_choices": 1}, "max_choices"),
        ({"min_choices": 0, "max_choices": 1, "free_choices": 2}, "free_choices"),
        ({"min_choices": -1}, "min_choices"),
    ],
)
def test_bad_group_limits_name_their_field(world, counts, field):
    with pytest.raises(ValidationError) as refused:
        services.save_modifier_group(
            by=world.manager, names={"name_en": "Sauce"}, choices=[Choice(names={"name_en": "Pepper"})], **counts
        )
    assert field in refused.value.message_dict
    assert not ModifierGroup.objects.filter(name="Sauce").exists()


def test_an_ordered_choice_is_not_removed(world):
    order, _ = services.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0]
    )
    request = LineRequest(item_id=world.steak.pk, modifier_ids=[world.rare.pk, world.fries.pk])
    services.add_line(order=order, by=world.waiter, request=request)
    with pytest.raises(ValidationError) as refused:
        services.save_modifier_group(
            by=world.manager,
            group=world.cooking,
            names={"name_en": "Cooking"},
            min_choices=1,
            max_choices=1,
            choices=[Choice(id=world.medium.pk, names={"name_en": "Medium"})],
        )
    assert "choices" in refused.value.message_dict
    assert Modifier.objects.filter(pk=world.rare.pk).exists()


def test_the_station_route_of_an_item_overrides_its_category_and_is_audited(world, kitchen):
    route_to_station(by=world.manager, item=world.soup, station=kitchen.hot)
    assert StationRoute.objects.get(item=world.soup).station == kitchen.hot
    route_to_station(by=world.manager, item=world.soup, station=None)
    assert not StationRoute.objects.filter(item=world.soup).exists()
    assert AuditEntry.objects.filter(action="station_route_changed").count() == 2

    other = Station.objects.create(outlet=OutletFactory(name="Bar"), name="Bar", code="bar")
    for station in (other, kitchen.expo):
        with pytest.raises(ValidationError) as refused:
            route_to_station(by=world.manager, category=world.salad.category, station=station)
        assert "station" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        route_to_station(by=StaffFactory(role="waiter"), item=world.soup, station=kitchen.hot)


def test_names_are_kept_in_both_languages_and_one_is_enough(world):
    item = new_item(world, names={"name_en": "Cheese board", "name_nl": "Kaasplank", "short_name_nl": "Kaas"})
    item.refresh_from_db()
    assert (item.name_en, item.name_nl, item.short_name_nl, item.description_en) == (
        "Cheese board",
        "Kaasplank",
        "Kaas",
        "",
    )
    dutch_only = new_item(world, names={"name_nl": "Bitterballen"})
    assert AuditEntry.objects.filter(action="item_created", subject_id=str(dutch_only.pk)).exists()
    with pytest.raises(ValidationError) as refused:
        new_item(world, names={"name_en": " ", "name_nl": ""})
    assert set(refused.value.message_dict) == {"name_en", "name_nl"}
    with pytest.raises(ValidationError) as refused:
        new_item(world, names={"name_en": "Soup", "name_de": "Suppe"})
    assert "name_de" in refused.value.message_dict


def test_a_takeaway_rate_is_kept_apart_from_the_dine_in_rate(world):
    high = TaxRateFactory(name="High", percent="21.00")
    item = new_item(world, takeaway_tax_rate=high, default_course=2)
    item.refresh_from_db()
    assert (item.tax_rate_id, item.takeaway_tax_rate_id, item.course) == (world.salad.tax_rate_id, high.pk, 2)
