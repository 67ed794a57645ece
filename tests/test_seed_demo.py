import datetime
import math
import uuid
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone, translation

from billing.models import Tender
from demo.management.commands.seed_demo import BISTRO_NAME, DEMO_PINS
from demo.translations import NAMES
from kitchen.models import Station, StationRoute
from orders import services
from orders.models import Item, Menu, Modifier
from pms_integration.models import GuestStay, Interface, PmsLink, PostingOutlet, Room
from staff.models import Role, User
from staff.pin_guard import PinClient
from staff.services import sign_in_with_pin
from tables.models import Area, Outlet, Table

pytestmark = pytest.mark.django_db

DEMO_APPS = ("staff", "auth", "tables", "orders", "kitchen", "pms_integration")


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed()


@pytest.fixture
def bistro(seeded):
    return Outlet.objects.get(name=BISTRO_NAME)


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count() for app in DEMO_APPS for model in apps.get_app_config(app).get_models()
    }


def modifier(group: str, name: str) -> Modifier:
    return Modifier.objects.get(group__name=group, name=name)


def footprint(table: Table) -> tuple[float, float, float, float]:
    """The table's axis-aligned box (left, top, right, bottom), turned about its centre."""
    angle = math.radians(table.rotation)
    half_w = (abs(table.width * math.cos(angle)) + abs(table.height * math.sin(angle))) / 2
    half_h = (abs(table.width * math.sin(angle)) + abs(table.height * math.cos(angle))) / 2
    cx, cy = table.x + table.width / 2, table.y + table.height / 2
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def test_the_outlets_floor_and_menu_are_loaded(bistro):
    assert bistro.kind == Outlet.Kind.RESTAURANT and bistro.prices_include_tax and bistro.pms_code == "BIST"
    assert Outlet.objects.get(name="Hotelbar").kind == Outlet.Kind.BAR
    assert Outlet.objects.get(name="Room service").kind == Outlet.Kind.ROOM_SERVICE
    assert Table.objects.filter(outlet=bistro).count() >= 20
    assert sorted(Table.objects.filter(area__name_nl="Terras").values_list("number", flat=True)) == [
        str(n) for n in range(20, 26)
    ]
    assert Table.objects.get(outlet=bistro, number="4").seats == 4
    assert Table.objects.filter(outlet=bistro).exclude(rotation=0).exists()
    assert sorted(Table.objects.filter(outlet__name="Hotelbar").values_list("number", flat=True)) == [
        f"B{n}" for n in range(1, 7)
    ]
    assert Item.objects.filter(category__menu__outlet=bistro).count() >= 40
    for outlet in Outlet.objects.all():
        assert list(outlet.courses.values_list("number", "name")) == [(1, "Starters"), (2, "Mains"), (3, "Desserts")]
        assert Item.objects.filter(category__menu__outlet=outlet).exists()
    assert Item.objects.get(category__menu__outlet=bistro, name_nl="Dagvangst").remaining_qty == 8


def test_alcohol_is_taxed_high_and_everything_else_low(bistro):
    for item in Item.objects.select_related("tax_rate", "category"):
        assert item.colour
        assert item.price > 0
        expected = 21 if item.category.name_nl in ("Bier & wijn", "Drankjes", "Dranken") else 9
        if item.name_nl == "Heineken 0.0" or item.name_nl.startswith(("Coca-Cola", "Koffie")):
            expected = 9
        assert item.tax_rate.percent == expected, item.name


def test_the_lunch_menu_is_served_from_11_to_16_only(bistro):
    lunch = Menu.objects.get(outlet=bistro, name="Lunch")
    assert not Menu.objects.get(outlet=bistro, name="À la carte").windows.exists()
    noon = datetime.datetime(2026, 11, 20, 12, 0)
    assert lunch.is_served_at(noon)
    assert not lunch.is_served_at(noon.replace(hour=19))
    assert lunch.categories.get().items.filter(name_nl="Uitsmijter ham & kaas").exists()


def test_every_role_has_staff_and_the_pins_sign_in(seeded):
    for role in Role:
        assert User.objects.filter(groups__name=role.value).exists(), role
    for name, (role, pin) in DEMO_PINS.items():
        person = User.objects.get(username=name.lower())
        assert person.display_name == name
        assert person.has_role(role)
        assert person.pin_matches(pin)
    anna = User.objects.get(username="anna")
    assert sign_in_with_pin(person_id=anna.pk, pin="1111", client=PinClient(key="test")) == anna
    mila = User.objects.get(username="mila")
    assert mila.is_staff and not mila.is_superuser and mila.check_password("demo-manager")
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.get(username="anna").has_usable_password()


def test_every_item_is_routed_to_a_station_of_its_outlet(bistro):
    routes = StationRoute.objects.select_related("station")
    by_category = {route.category_id: route.station for route in routes if route.category_id}
    by_item = {route.item_id: route.station for route in routes if route.item_id}
    # A set menu is cooked as the dishes chosen in it, each routed by its own item.
    for item in Item.objects.select_related("category__menu").filter(set_courses__isnull=True):
        station = by_item.get(item.pk) or by_category.get(item.category_id)
        assert station is not None, item.name
        assert station.outlet_id == item.category.menu.outlet_id
        assert station.kind == Station.Kind.PREP
    codes = set(Station.objects.filter(outlet=bistro).values_list("code", flat=True))
    assert codes == {"koud", "warm", "dessert", "bar", "expo"}
    assert Station.objects.get(outlet=bistro, code="expo").kind == Station.Kind.EXPO
    soup = Item.objects.get(category__menu__outlet=bistro, name_nl="Soep van de dag")
    assert soup.category.station_route.station.code == "koud"
    assert soup.station_route.station.code == "warm"


def test_the_steaks_modifier_groups_are_valid(bistro):
    steak = Item.objects.get(category__menu__outlet=bistro, name="Steak")
    groups = list(steak.modifier_groups.all())
    assert {group.name for group in groups} == {"Cooking", "Side"}
    nested = [m.opens_group for group in groups for m in group.modifiers.all() if m.opens_group]
    assert [group.name for group in nested] == ["Dressing"]
    for group in groups + nested:
        group.full_clean()
        assert group.modifiers.exists()
        assert group.free_choices <= (group.max_choices or group.free_choices)
    cooking = steak.modifier_groups.get(name="Cooking")
    assert (cooking.min_choices, cooking.max_choices) == (1, 1)
    burger = Item.objects.get(category__menu__outlet=bistro, name="Bistro burger")
    assert {group.name for group in burger.modifier_groups.all()} == {"Cooking", "Extras", "Side"}


def test_an_order_can_be_taken_on_the_seeded_floor(bistro):
    anna = User.objects.get(username="anna")
    table = Table.objects.get(outlet=bistro, number="4")
    steak = Item.objects.get(category__menu__outlet=bistro, name="Steak")
    order, created = services.open_order(client_uuid=uuid.uuid4(), outlet=bistro, waiter=anna, table=table, covers=3)
    assert created and order.covers == 3
    line, created = services.add_line(
        order=order,
        request=services.LineRequest(
            item_id=steak.pk,
            seat=1,
            modifier_ids=[modifier("Cooking", "Medium rare").pk, modifier("Side", "Fries").pk],
        ),
        by=anna,
    )
    assert created
    assert (line.name, line.unit_price, line.modifiers_price, line.course) == ("Steak", 2450, 0, 2)
    assert line.tax_percent == 9
    # A second side is charged; the side salad asks for a dressing.
    second, _ = services.add_line(
        order=order,
        request=services.LineRequest(
            item_id=steak.pk,
            seat=2,
            modifier_ids=[
                modifier("Cooking", "Rare").pk,
                modifier("Side", "Fries").pk,
                modifier("Side", "Side salad").pk,
                modifier("Dressing", "Yoghurt-mint").pk,
            ],
        ),
        by=anna,
    )
    assert second.modifiers_price == 400
    with pytest.raises(ValidationError):
        services.add_line(
            order=order,
            request=services.LineRequest(item_id=steak.pk, seat=3, modifier_ids=[modifier("Side", "Fries").pk]),
            by=anna,
        )


def test_tables_lie_inside_their_plan_and_never_overlap(seeded):
    for area in Area.objects.all():
        boxes = {table.number: footprint(table) for table in area.tables.all()}
        for number, (left, top, right, bottom) in boxes.items():
            assert left >= 0 and top >= 0, (area.name, number)
            assert right <= area.plan_width and bottom <= area.plan_height, (area.name, number)
        for table in area.tables.all():
            assert 70 <= table.width <= 160 and 70 <= table.height <= 160
            table.full_clean()
        numbers = sorted(boxes)
        for index, first in enumerate(numbers):
            for second in numbers[index + 1 :]:
                a, b = boxes[first], boxes[second]
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, (area.name, first, second)


def test_the_hotel_has_rooms_and_guests_in_house_today(seeded):
    today = timezone.localdate()
    assert Room.objects.filter(hotel__code="HDT").count() == 30
    in_house = GuestStay.objects.filter(status=GuestStay.Status.IN_HOUSE)
    assert in_house.count() >= 8
    for stay in in_house:
        assert stay.arrival <= today < stay.departure
    assert in_house.filter(allow_postings=False).count() == 1
    assert in_house.filter(credit_limit=20000).count() == 1
    # Room 214 is shared: two guests, each with a folio of their own; every other room has one.
    sharers = in_house.filter(room__number="214")
    assert sorted(sharers.values_list("guest_name", flat=True)) == ["Mr. Daniel Okafor", "Mrs. Grace Okafor"]
    assert len({stay.room_id for stay in in_house}) == in_house.count() - 1
    # Every outlet charges to the hotel on the built-in ledger; drinks go to the beverage subtotal.
    assert PmsLink.objects.get(hotel__code="HDT").interface == Interface.LEDGER
    setups = PostingOutlet.objects.filter(hotel__code="HDT")
    assert sorted(setups.values_list("outlet_code", flat=True)) == [10, 20, 30]
    for setup in setups:
        assert setup.revenue_routes.get(category="").subtotal == 1
        assert setup.revenue_routes.get(category="Bier & wijn").subtotal == 2
    gone = GuestStay.objects.get(status=GuestStay.Status.CHECKED_OUT)
    assert gone.departure == today - datetime.timedelta(days=1)
    coming = GuestStay.objects.get(status=GuestStay.Status.RESERVED)
    assert coming.arrival == today + datetime.timedelta(days=1)


def test_seeding_twice_changes_nothing(seeded):
    assert "Demo data loaded" in seeded
    assert "Anna" in seeded and "1111" in seeded
    before = counts()
    pins = dict(User.objects.values_list("username", "pin_hash"))
    output = seed()
    assert "Demo data already loaded" in output
    assert counts() == before
    assert dict(User.objects.values_list("username", "pin_hash")) == pins


def test_every_name_a_guest_waiter_or_cook_reads_is_in_english_and_dutch(seeded):
    for model, field, _table in NAMES:
        for row in model.objects.all():
            english, dutch = getattr(row, f"{field}_en"), getattr(row, f"{field}_nl")
            if field != "name" and not (english or dutch):
                continue  # no kitchen name or description: the name stands in
            assert english and dutch, (model.__name__, field, english, dutch)
    soup = Item.objects.get(name_nl="Soep van de dag")
    assert (soup.name_en, soup.short_name_en, soup.category.name_en) == ("Soup of the day", "Soup", "Starters")
    assert Modifier.objects.get(name_en="Well done").name_nl == "Doorbakken"
    with translation.override("en"):
        assert [t.name for t in Tender.objects.order_by("sort_order")][:3] == ["Cash", "Card (Stripe)", "Room charge"]
    with translation.override("nl"):
        assert [t.name for t in Tender.objects.order_by("sort_order")][:3] == ["Contant", "Pin (Stripe)", "Op kamer"]
        assert soup.category.name == "Voorgerechten"


def test_a_demo_loaded_before_names_had_languages_gets_both_on_the_next_run(seeded):
    # As the migration left it: the one name in the English column, the Dutch one empty.
    for model, field, _table in NAMES:
        model.objects.update(**{f"{field}_en": F(f"{field}_nl"), f"{field}_nl": None})
    Item.objects.filter(name_en="Soep van de dag").update(short_name_en="Soep", description_en="Soup of the day")
    before = counts()
    seed()
    assert counts() == before
    soup = Item.objects.get(name_nl="Soep van de dag")
    assert (soup.name_en, soup.short_name_en, soup.description_nl) == (
        "Soup of the day",
        "Soup",
        "Vraag naar de soep van vandaag",
    )
    assert Tender.objects.get(name_en="Cash").name_nl == "Contant"


def test_the_demo_has_a_set_menu_with_a_choice_per_course(seeded):
    set_menu = Item.objects.get(name_nl="3-gangen keuzemenu")
    assert set_menu.name_en == "3-course set menu" and set_menu.price == 3950
    courses = {c.course: sorted(i.name_nl for i in c.choices.all()) for c in set_menu.set_courses.all()}
    assert courses == {
        1: ["Carpaccio", "Soep van de dag"],
        2: ["Paddenstoelenrisotto", "Steak"],
        3: ["Crème brûlée", "Kaasplankje"],
    }
