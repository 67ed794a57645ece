"""The menu editor's page and API: euros in, cents stored; 400s that name the field; the editor read in a fixed number of queries."""

import pytest

from backoffice.menu_api import euros_to_cents
from backoffice.menu_selectors import menu_editor
from kitchen.models import Station, StationRoute
from orders.models import Category, Item, Menu, Modifier, ModifierGroup
from staff.models import AuditEntry
from tests.factories import CategoryFactory, ItemFactory, ModifierFactory, ModifierGroupFactory, OutletFactory, attach

pytestmark = pytest.mark.django_db
API = "/manager/api/menu"


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("12,5", 1250),
        ("12", 1200),
        ("€ 12,50", 1250),
        ("1.250,00", 125000),
        ("1,250.00", 125000),
        (" 0,05 ", 5),
    ],
)
def test_an_amount_is_read_as_the_manager_types_it(typed, cents):
    assert euros_to_cents(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "1,2345", "12,50,1", "1.2.3", "-1,00", "12 euro"])
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(ValueError):
        euros_to_cents(typed)


def test_a_choice_may_cost_less():
    assert euros_to_cents("-0,50", signed=True) == -50


def item_body(world, **changes):
    return {
        "name_en": "Bitterballen",
        "name_nl": "Bitterballen",
        "price": "8,50",
        "tax_rate": world.salad.tax_rate_id,
        **changes,
    }


def test_a_manager_adds_an_item_in_euros_and_gets_the_editor_back(world, kitchen, api_as):
    starters = world.salad.category
    body = item_body(world, colour="#2e7d32", station=kitchen.hot.pk, modifier_groups=[world.sides.pk])

    response = api_as(world.manager).post(f"{API}/categories/{starters.pk}/items/", body, format="json")

    assert response.status_code == 200, response.content
    item = Item.objects.get(name="Bitterballen")
    assert (item.price, item.colour, item.category) == (850, "#2e7d32", starters)
    assert StationRoute.objects.get(item=item).station == kitchen.hot
    shown = next(c for c in response.json()["menus"][0]["categories"] if c["id"] == starters.pk)
    assert shown["items"][-1] == {
        "id": item.pk,
        "name": "Bitterballen",
        "name_en": "Bitterballen",
        "name_nl": "Bitterballen",
        "short_name_en": "",
        "short_name_nl": "",
        "description_en": "",
        "description_nl": "",
        "short_name": "",
        "description": "",
        "price": 850,
        "tax_rate": world.salad.tax_rate_id,
        "takeaway_tax_rate": None,
        "default_course": None,
        "colour": "#2e7d32",
        "is_available": True,
        "station": kitchen.hot.pk,
        "modifier_groups": [world.sides.pk],
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": "acht"}, "price"),
        ({"price": 850}, "price"),
        ({"price": "-1"}, "price"),
        ({"tax_rate": 999_999}, "tax_rate"),
        ({"name_en": "", "name_nl": " "}, "name_nl"),
        ({"colour": "green"}, "colour"),
        ({"default_course": 12}, "default_course"),
        ({"modifier_groups": [999_999]}, "modifier_groups"),
        ({"unit_price": 5}, "unit_price"),
    ],
)
def test_a_bad_item_gets_a_400_naming_the_field_and_nothing_is_written(world, api_as, changes, field):
    before = Item.objects.count()
    response = api_as(world.manager).post(
        f"{API}/categories/{world.salad.category_id}/items/", item_body(world, **changes), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Item.objects.count() == before


def test_a_station_or_category_of_another_outlet_is_refused_and_the_item_is_unchanged(world, kitchen, api_as):
    bar = OutletFactory(name="Bar")
    bar_station = Station.objects.create(outlet=bar, name="Bar", code="bar")
    drinks = Category.objects.create(menu=Menu.objects.create(outlet=bar, name="Drinks"), name="Drinks")
    client = api_as(world.manager)
    for changes, field in (({"station": bar_station.pk}, "station"), ({"category": drinks.pk}, "category")):
        response = client.put(
            f"{API}/items/{world.soup.pk}/", item_body(world, name_en="Soup!", **changes), format="json"
        )
        assert response.status_code == 400, response.content
        assert field in response.json()
    world.soup.refresh_from_db()
    assert (world.soup.name, world.soup.price) == ("Soup", 750)


def test_items_and_categories_are_reordered(world, api_as):
    client = api_as(world.manager)
    starters = world.salad.category
    response = client.post(
        f"{API}/categories/{starters.pk}/order/", {"items": [world.soup.pk, world.salad.pk]}, format="json"
    )
    assert response.status_code == 200
    shown = next(c for c in response.json()["menus"][0]["categories"] if c["id"] == starters.pk)
    assert [i["name"] for i in shown["items"]] == ["Soup", "Salad"]

    response = client.post(f"{API}/categories/{starters.pk}/order/", {"items": [world.soup.pk]}, format="json")
    assert response.status_code == 400
    assert "items" in response.json()

    ids = [world.steak.category_id, starters.pk]
    response = client.post(f"{API}/menus/{starters.menu_id}/order/", {"categories": ids}, format="json")
    assert [c["id"] for c in response.json()["menus"][0]["categories"]] == ids


def test_a_category_with_its_colour_course_and_station(world, kitchen, api_as):
    menu = world.salad.category.menu
    body = {"name_en": "Puddings", "colour": "#AD1457", "default_course": 3, "station": kitchen.cold.pk}
    response = api_as(world.manager).post(f"{API}/menus/{menu.pk}/categories/", body, format="json")
    assert response.status_code == 200, response.content
    desserts = Category.objects.get(name="Puddings")
    assert (desserts.colour, desserts.default_course, desserts.station_route.station) == ("#ad1457", 3, kitchen.cold)

    response = api_as(world.manager).put(f"{API}/categories/{desserts.pk}/", {**body, "colour": "pink"}, format="json")
    assert response.status_code == 400
    assert "colour" in response.json()


def test_a_menus_hours_in_the_api(world, api_as):
    menu = world.salad.category.menu
    client = api_as(world.manager)
    windows = [{"weekdays": "01234", "starts_at": "11:30", "ends_at": "15:00"}]
    response = client.put(f"{API}/menus/{menu.pk}/", {"name_en": "Lunch", "windows": windows}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["menus"][0]["windows"] == windows

    bad = [{"weekdays": "", "starts_at": "11:30", "ends_at": "15:00"}]
    response = client.put(f"{API}/menus/{menu.pk}/", {"name_en": "Lunch", "windows": bad}, format="json")
    assert response.status_code == 400
    assert "weekdays" in response.json()["windows"]["0"]

    response = client.post(
        f"{API}/outlets/{world.outlet.pk}/menus/", {"name_en": "Drinks", "name_nl": "Dranken"}, format="json"
    )
    assert [m["name"] for m in response.json()["menus"]] == ["Lunch", "Drinks"]


def test_a_nested_modifier_group_with_its_choices_in_euros(world, api_as):
    body = {
        "outlet": world.outlet.pk,
        "name_en": "Sauce",
        "name_nl": "Saus",
        "min_choices": 1,
        "max_choices": 1,
        "choices": [
            {"name_en": "Pepper", "name_nl": "Peper", "price_delta": "0"},
            {"name_en": "Béarnaise", "price_delta": "1,50", "opens_group": world.dressing.pk},
        ],
    }
    response = api_as(world.manager).post(f"{API}/modifier-groups/", body, format="json")
    assert response.status_code == 200, response.content
    sauce = ModifierGroup.objects.get(name_nl="Saus")
    assert list(
        sauce.modifiers.order_by("sort_order").values_list("name_en", "name_nl", "price_delta", "opens_group")
    ) == [
        ("Pepper", "Peper", 0, None),
        ("Béarnaise", "", 150, world.dressing.pk),
    ]
    assert AuditEntry.objects.filter(action="modifier_group_created", actor=world.manager).exists()

    broken = {**body, "choices": [{"name_en": "", "price_delta": "1,50"}]}
    response = api_as(world.manager).put(f"{API}/modifier-groups/{sauce.pk}/", broken, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"choices.0.name_en", "choices.0.name_nl"}

    loop = {**body, "choices": [{"name_en": "Again", "opens_group": sauce.pk}]}
    response = api_as(world.manager).put(f"{API}/modifier-groups/{sauce.pk}/", loop, format="json")
    assert response.status_code == 400
    assert "choices" in response.json()
    assert sauce.modifiers.count() == 2


def test_the_page_for_a_manager_in_dutch_with_the_outlet_picker(client, world):
    OutletFactory(name="Bar")
    client.force_login(world.manager)
    page = client.get(f"/manager/menu/?outlet={world.outlet.pk}", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'id="nav-menu" href="/manager/menu/" aria-current="page"' in page
    assert f'data-outlet-id="{world.outlet.pk}"' in page
    assert 'id="outlet-' in page
    assert "Categorieën en artikelen" in page


def test_a_waiter_may_not_open_the_page(client, world):
    client.force_login(world.waiter)
    assert client.get("/manager/menu/").status_code == 403


def test_the_editor_is_read_in_ten_queries_whatever_the_size_of_the_menu(world, kitchen, django_assert_num_queries):
    with django_assert_num_queries(10):
        small = menu_editor(outlet=world.outlet)
    menu = world.salad.category.menu
    for n in range(5):
        category = CategoryFactory(menu=menu, name=f"More {n}")
        group = ModifierGroupFactory(name=f"Group {n}")
        ModifierFactory(group=group, name=f"Choice {n}", opens_group=world.dressing)
        for m in range(6):
            attach(
                ItemFactory(category=category, name=f"Item {n}.{m}", tax_rate=world.salad.tax_rate), group, world.sides
            )
    with django_assert_num_queries(10):
        big = menu_editor(outlet=world.outlet)
    assert len(big["menus"][0]["categories"]) == len(small["menus"][0]["categories"]) + 5
    assert Modifier.objects.filter(opens_group=world.dressing).count() == 6
