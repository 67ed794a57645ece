"""A menu copied to another outlet, and a menu file (CSV) written and read back."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orders import services
from orders.menu_file import COLUMNS, MenuFileErrors, menu_csv
from orders.models import Category, Course, Item, ItemModifierGroup, Menu, MenuWindow, Modifier, ModifierGroup
from staff.models import AuditEntry
from tests.factories import OutletFactory, TaxRateFactory

pytestmark = pytest.mark.django_db


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def dutch_names(world):
    world.salad.name_nl, world.salad.short_name_en = "Salade", "SAL"
    world.salad.save()
    category = world.salad.category
    category.name_nl = "Voorgerechten"
    category.save()
    world.steak.code, world.steak.takeaway_tax_rate = "101", TaxRateFactory(name="High", percent="21.00")
    world.steak.save()
    return world


def test_the_export_has_a_row_per_item_with_euros_vat_and_both_languages(dutch_names):
    rows = rows_of(menu_csv(dutch_names.outlet))

    assert list(rows[0]) == COLUMNS
    assert [row["name_en"] for row in rows] == ["Steak", "Salad", "Soup"]  # Mains before Starters, by name
    steak, salad, _soup = rows
    assert (salad["name_nl"], salad["category_nl"], salad["kitchen_name_en"]) == ("Salade", "Voorgerechten", "SAL")
    assert (salad["price"], salad["vat"], salad["takeaway_vat"], salad["available"]) == ("9.50", "9", "", "yes")
    assert (steak["code"], steak["price"], steak["takeaway_vat"]) == ("101", "24.50", "21")


def test_round_trip_export_import_into_an_empty_outlet_export_again_is_the_same(dutch_names):
    first = menu_csv(dutch_names.outlet)
    empty = OutletFactory(name="Terrace")

    result = services.import_menu_file(outlet=empty, by=dutch_names.manager, text=first)

    assert (result.created, result.updated) == (3, 0)
    assert menu_csv(empty) == first
    assert AuditEntry.objects.filter(action="menu_imported", subject_id=str(empty.pk)).exists()


def test_import_updates_items_by_code_or_by_category_and_name_and_creates_the_rest(dutch_names):
    text = menu_csv(dutch_names.outlet)
    text = text.replace("24.50", "26.00").replace("9.50", "10.00")
    text += "202,Menu,,Desserts,Nagerechten,Pie,Taart,,,,,4.50,9,,3,#aa3300,no\r\n"

    result = services.import_menu_file(outlet=dutch_names.outlet, by=dutch_names.manager, text=text)

    assert (result.created, result.updated) == (1, 3)
    assert Item.objects.get(pk=dutch_names.steak.pk).price == 2600
    assert Item.objects.get(pk=dutch_names.salad.pk).price == 1000
    pie = Item.objects.get(code="202")
    assert (pie.name_nl, pie.category.name_nl, pie.price, pie.default_course, pie.is_available) == (
        "Taart",
        "Nagerechten",
        450,
        3,
        False,
    )


def test_a_wrong_file_is_reported_by_row_and_column_and_writes_nothing(world):
    header = ",".join(COLUMNS)
    good = "1,Menu,,Starters,,Bread,Brood,,,,,3.50,9,,,,yes"
    bad_price = "2,Menu,,Starters,,Olives,,,,,,three,9,,,,yes"
    bad_vat = "3,Menu,,Starters,,,,,,,,4.00,7,,1,red,maybe"
    duplicate = "1,Menu,,Starters,,Bread again,,,,,,3.50,9,,,,yes"
    before = Item.objects.count()

    with pytest.raises(MenuFileErrors) as error:
        services.import_menu_file(
            outlet=world.outlet, by=world.manager, text="\r\n".join([header, good, bad_price, bad_vat, duplicate])
        )

    assert error.value.as_dict() == {
        "row 3: price": ["A price in euros, e.g. 12.50."],
        "row 4: name_en": ["A name is needed."],
        "row 4: vat": ["No VAT rate of 7% is set up."],
        "row 4: colour": ["A colour like #607d8b, or empty."],
        "row 4: available": ["Yes or no."],
        "row 5: code": ["The same item as row 2."],
    }
    assert Item.objects.count() == before


def test_a_file_without_the_needed_columns_is_refused_on_its_header(world):
    with pytest.raises(MenuFileErrors) as error:
        services.import_menu_file(outlet=world.outlet, by=world.manager, text="code,name_en\r\n1,Bread\r\n")
    assert set(error.value.as_dict()) == {"row 1: price", "row 1: vat", "row 1: menu", "row 1: category"}


def test_a_spreadsheets_semicolons_and_dutch_decimals_are_read(world):
    text = "\ufeffcode;menu_en;category_en;name_en;price;vat\r\n9;Menu;Starters;Bread;3,50;9\r\n"
    services.import_menu_file(outlet=world.outlet, by=world.manager, text=text)
    assert Item.objects.get(code="9").price == 350


def test_copy_menu_copies_menus_windows_categories_items_and_their_modifier_groups(world):
    MenuWindow.objects.create(menu=world.steak.category.menu, weekdays="01234", starts_at="12:00", ends_at="15:00")
    terrace = OutletFactory(name="Terrace")

    result = services.copy_menu(source=world.outlet, target=terrace, by=world.manager)

    assert (result.menus, result.categories, result.items, result.modifier_groups) == (1, 2, 3, 4)
    steak = Item.objects.get(category__menu__outlet=terrace, name="Steak")
    groups = [link.group for link in ItemModifierGroup.objects.filter(item=steak).order_by("sort_order")]
    assert [g.name for g in groups] == ["Cooking", "Side", "Extras"]
    assert world.cooking.pk not in {g.pk for g in groups}
    side_salad = Modifier.objects.get(group=groups[1], name="Side salad")
    assert side_salad.opens_group.name == "Dressing" and side_salad.opens_group_id != world.dressing.pk
    assert MenuWindow.objects.filter(menu__outlet=terrace).count() == 1
    assert list(Course.objects.filter(outlet=terrace).values_list("number", flat=True)) == [1, 2, 3]
    assert ModifierGroup.objects.count() == 8
    assert Item.objects.filter(category__menu__outlet=world.outlet).count() == 3
    assert AuditEntry.objects.filter(action="menu_copied", subject_id=str(terrace.pk)).exists()


def test_copy_menu_is_all_or_nothing(world, monkeypatch):
    terrace = OutletFactory(name="Terrace")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ItemModifierGroup.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.copy_menu(source=world.outlet, target=terrace, by=world.manager)
    assert not Menu.objects.filter(outlet=terrace).exists()
    assert not Category.objects.filter(menu__outlet=terrace).exists()


def test_copy_menu_refuses_the_same_outlet_and_non_managers(world):
    with pytest.raises(ValidationError) as error:
        services.copy_menu(source=world.outlet, target=world.outlet, by=world.manager)
    assert "target" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.copy_menu(source=world.outlet, target=OutletFactory(), by=world.waiter)
