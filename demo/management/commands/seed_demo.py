"""Load the demo: a Dutch hotel bistro with a bar, room service, staff and in-house guests.

Idempotent: a database that already holds the demo outlet is left exactly as it is.
Seed data is written with the ORM directly; PINs go through `staff.services.set_pin`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from billing.models import DrawerSession, OutletBilling, Tender
from billing.services import open_drawer, stock_denominations
from demo.allergens import declare_demo_allergens
from demo.people import DEMO_FLOAT, DEMO_PINS, LAST_NAMES
from demo.set_menu import add_set_menu
from demo.translations import CATEGORIES, translate_demo
from kitchen.models import ModifierRoute, Station, StationRoute
from orders.models import (
    Category,
    Course,
    Item,
    ItemModifierGroup,
    Menu,
    MenuWindow,
    Modifier,
    ModifierGroup,
    TaxRate,
)
from pms_integration.models import (
    GuestStay,
    Hotel,
    Interface,
    PmsLink,
    PostingOutlet,
    RevenueRoute,
    Room,
    TaxRoute,
)
from printing.models import Printer
from staff.models import Role, User
from staff.services import ensure_role_groups, set_pin
from tables.models import Area, Outlet, Table

BISTRO_NAME = "Bistro De Tafel"
BAR_NAME = "Hotelbar"
# Name, kind, takes tips. The manager adds more in the back office (Tenders).
DEMO_TENDERS = [
    ("Contant", Tender.Kind.CASH, True),
    ("Pin (Stripe)", Tender.Kind.CARD, True),
    ("Op kamer", Tender.Kind.ROOM_CHARGE, True),
    ("Cadeaubon", Tender.Kind.OTHER, False),
    ("Externe pinautomaat", Tender.Kind.OTHER, True),
]
ROOM_SERVICE_NAME = "Room service"
HOTEL_CODE = "HDT"
MANAGER_PASSWORD = "demo-manager"

MANAGERS_WITH_BACK_OFFICE = {"Mila"}

COURSES = [(1, "Starters"), (2, "Mains"), (3, "Desserts")]

# Tables: (number, seats, shape, x, y, width, height, rotation), x/y the top-left corner in plan units.
RESTAURANT_TABLES = [
    # Along the windows: three round 2-tops, then square 4-tops and one turned 45 degrees.
    ("1", 2, "round", 60, 50, 80, 80, 0),
    ("2", 2, "round", 190, 50, 80, 80, 0),
    ("3", 2, "round", 320, 50, 80, 80, 0),
    ("4", 4, "square", 470, 40, 100, 100, 0),
    ("5", 4, "square", 630, 40, 100, 100, 0),
    ("6", 4, "square", 820, 60, 100, 100, 45),
    # Middle of the room: long tables for groups and two more 4-tops.
    ("7", 6, "rectangle", 60, 260, 160, 90, 0),
    ("8", 6, "rectangle", 290, 260, 160, 90, 0),
    ("9", 4, "square", 520, 255, 100, 100, 0),
    ("10", 4, "square", 690, 255, 100, 100, 0),
    # Back of the room, by the open kitchen.
    ("11", 8, "rectangle", 60, 480, 160, 120, 0),
    ("12", 2, "round", 300, 500, 80, 80, 0),
    ("13", 2, "round", 440, 500, 80, 80, 0),
    ("14", 6, "rectangle", 600, 490, 160, 90, 0),
]
TERRACE_TABLES = [
    ("20", 2, "round", 60, 60, 80, 80, 0),
    ("21", 2, "round", 220, 60, 80, 80, 0),
    ("22", 4, "square", 380, 50, 100, 100, 0),
    ("23", 4, "square", 560, 50, 100, 100, 0),
    ("24", 6, "rectangle", 60, 300, 160, 90, 0),
    ("25", 8, "rectangle", 320, 280, 160, 120, 0),
]
BAR_TABLES = [(f"B{n}", 2, "round", 60 + (n - 1) * 150, 120, 70, 70, 0) for n in range(1, 7)]

# Modifier groups: name -> (min, max, free, [(modifier, price delta, opens group)]).
MODIFIER_GROUPS = {
    "Dressing": (1, 1, 0, [("Vinaigrette", 0, None), ("Yoghurt-mint", 0, None), ("No dressing", 0, None)]),
    "Cooking": (1, 1, 0, [("Rare", 0, None), ("Medium rare", 0, None), ("Medium", 0, None), ("Well done", 0, None)]),
    # One side is included with a main; a second side is charged at its price.
    "Side": (
        1,
        2,
        1,
        [("Fries", 350, None), ("Side salad", 400, "Dressing"), ("Mashed potatoes", 350, None)],
    ),
    "Extras": (0, 3, 0, [("Bacon", 150, None), ("Cheese", 150, None), ("Egg", 150, None), ("Fried onions", 150, None)]),
    "Milk": (0, 1, 0, [("Oat milk", 50, None), ("Lactose-free", 0, None)]),
    "Size": (1, 1, 0, [("Vaasje 25 cl", 0, None), ("Pint 50 cl", 400, None)]),
}


@dataclass
class ItemSpec:
    name: str
    price: int
    colour: str
    alcohol: bool = False
    groups: tuple[str, ...] = ()
    short: str = ""
    description: str = ""
    left: int | None = None
    station: str = ""  # overrides the category's station


@dataclass
class CategorySpec:
    name: str
    course: int
    colour: str
    station: str
    items: list[ItemSpec] = field(default_factory=list)


MAIN = ("Side",)
BISTRO_A_LA_CARTE = [
    CategorySpec(
        "Voorgerechten",
        1,
        "#2e7d32",
        "koud",
        [
            ItemSpec("Soep van de dag", 695, "#ef6c00", short="Soep", description="Soup of the day", station="warm"),
            ItemSpec("Bitterballen (8 st.)", 750, "#8d6e63", short="Bitterballen", station="warm"),
            ItemSpec("Carpaccio", 1250, "#c62828", description="Truffelmayonaise, Parmezaan, pijnboompitten"),
            ItemSpec("Steak tartaar", 1350, "#b71c1c", short="Tartaar"),
            ItemSpec(
                "Geitenkaassalade", 1150, "#558b2f", short="Geitenkaas", description="Goat cheese salad, honey, walnuts"
            ),
            ItemSpec("Garnalenkroketten (2 st.)", 1350, "#f9a825", short="Garnalenkroket", station="warm"),
            ItemSpec("Vitello tonnato", 1300, "#a1887f"),
            ItemSpec("Brood met aioli", 550, "#d7ccc8", short="Brood", description="Bread with aioli and olive oil"),
        ],
    ),
    CategorySpec(
        "Hoofdgerechten",
        2,
        "#c62828",
        "warm",
        [
            ItemSpec("Steak", 2450, "#b71c1c", groups=("Cooking", "Side"), description="200 g, peperjus"),
            ItemSpec("Bistro burger", 1850, "#d84315", groups=("Cooking", "Extras", "Side"), short="Burger"),
            ItemSpec("Dagvangst", 2350, "#0277bd", groups=MAIN, description="Catch of the day", left=8),
            ItemSpec("Lamsrack", 2750, "#6d4c41", groups=("Cooking", "Side"), short="Lam", left=5),
            ItemSpec("Kipsaté", 1950, "#f57f17", groups=MAIN, description="Chicken satay, peanut sauce, kroepoek"),
            ItemSpec("Wiener Schnitzel", 2150, "#ffb300", groups=MAIN, short="Schnitzel"),
            ItemSpec("Stoofvlees", 2150, "#4e342e", groups=MAIN, description="Beef stewed in dark beer"),
            ItemSpec("Zalmfilet", 2250, "#ff7043", groups=MAIN, short="Zalm"),
            ItemSpec("Paddenstoelenrisotto", 1950, "#9e9d24", short="Risotto", description="Mushroom risotto (v)"),
        ],
    ),
    CategorySpec(
        "Nagerechten",
        3,
        "#6a1b9a",
        "dessert",
        [
            ItemSpec("Dame Blanche", 850, "#6a1b9a"),
            ItemSpec("Crème brûlée", 850, "#ffca28"),
            ItemSpec("Chocolademousse", 850, "#4e342e", short="Choc. mousse"),
            ItemSpec("Appeltaart met slagroom", 595, "#a1887f", short="Appeltaart"),
            ItemSpec("Kaasplankje", 1250, "#fdd835", description="Dutch cheeses, apple syrup"),
        ],
    ),
    CategorySpec(
        "Frisdrank & koffie",
        1,
        "#795548",
        "bar",
        [
            ItemSpec("Koffie", 320, "#5d4037", groups=("Milk",)),
            ItemSpec("Cappuccino", 380, "#6d4c41", groups=("Milk",)),
            ItemSpec("Latte macchiato", 420, "#8d6e63", groups=("Milk",), short="Latte"),
            ItemSpec("Thee", 300, "#689f38", description="Tea"),
            ItemSpec("Verse jus d'orange", 450, "#fb8c00", short="Jus d'orange"),
            ItemSpec("Coca-Cola", 350, "#d32f2f", short="Cola"),
            ItemSpec("Spa rood", 320, "#e53935", description="Sparkling water"),
            ItemSpec("Spa blauw", 320, "#1e88e5", description="Still water"),
        ],
    ),
    CategorySpec(
        "Bier & wijn",
        1,
        "#f9a825",
        "bar",
        [
            ItemSpec("Heineken (tap)", 450, "#2e7d32", alcohol=True, groups=("Size",), short="Heineken"),
            ItemSpec("Heineken 0.0", 450, "#1565c0", short="Heineken 0.0"),
            ItemSpec("La Chouffe", 650, "#c62828", alcohol=True),
            ItemSpec("Affligem Blond", 550, "#f9a825", alcohol=True, short="Affligem"),
            ItemSpec("Huiswijn rood (glas)", 550, "#880e4f", alcohol=True, short="Rood glas"),
            ItemSpec("Huiswijn wit (glas)", 550, "#c0ca33", alcohol=True, short="Wit glas"),
            ItemSpec("Rosé (glas)", 550, "#f48fb1", alcohol=True, short="Rosé glas"),
            ItemSpec("Cava (glas)", 750, "#fff176", alcohol=True, short="Cava glas"),
            ItemSpec("Fles huiswijn rood", 3200, "#880e4f", alcohol=True, short="Fles rood"),
            ItemSpec("Fles Sancerre", 4800, "#afb42b", alcohol=True, short="Fles Sancerre"),
        ],
    ),
]
BISTRO_LUNCH = [
    CategorySpec(
        "Lunch",
        1,
        "#ef6c00",
        "warm",
        [
            ItemSpec(
                "Uitsmijter ham & kaas", 1150, "#fbc02d", short="Uitsmijter", description="Three fried eggs on bread"
            ),
            ItemSpec(
                "Broodje kroket", 850, "#a1887f", short="Br. kroket", description="Two croquettes, mustard", left=12
            ),
            ItemSpec("Tosti ham-kaas", 650, "#ffe082", short="Tosti"),
        ],
    ),
]
BAR_MENU = [
    CategorySpec(
        "Drankjes",
        1,
        "#f9a825",
        "bar",
        [
            ItemSpec("Heineken (tap)", 450, "#2e7d32", alcohol=True, groups=("Size",), short="Heineken"),
            ItemSpec("La Chouffe", 650, "#c62828", alcohol=True),
            ItemSpec("Gin tonic", 1100, "#80deea", alcohol=True, description="Hendrick's, Fever-Tree"),
            ItemSpec("Huiswijn rood (glas)", 550, "#880e4f", alcohol=True, short="Rood glas"),
            ItemSpec("Huiswijn wit (glas)", 550, "#c0ca33", alcohol=True, short="Wit glas"),
            ItemSpec("Coca-Cola", 350, "#d32f2f", short="Cola"),
            ItemSpec("Koffie", 320, "#5d4037", groups=("Milk",)),
        ],
    ),
    CategorySpec(
        "Bar snacks",
        1,
        "#8d6e63",
        "bar",
        [
            ItemSpec("Bitterballen (8 st.)", 750, "#8d6e63", short="Bitterballen"),
            ItemSpec("Nacho's", 950, "#ffb300", description="Cheese, jalapeños, guacamole"),
            ItemSpec("Portie oude kaas", 650, "#fdd835", short="Oude kaas"),
        ],
    ),
]
ROOM_SERVICE_MENU = [
    CategorySpec(
        "Gerechten",
        1,
        "#c62828",
        "keuken",
        [
            ItemSpec("Club sandwich", 1650, "#ffb300", description="Chicken, bacon, egg, fries"),
            ItemSpec("Bistro burger", 1950, "#d84315", groups=("Cooking", "Extras", "Side"), short="Burger"),
            ItemSpec("Caesar salad", 1450, "#558b2f"),
            ItemSpec("Chocolademousse", 900, "#4e342e", short="Choc. mousse"),
        ],
    ),
    CategorySpec(
        "Dranken",
        1,
        "#795548",
        "bar",
        [
            ItemSpec("Coca-Cola", 400, "#d32f2f", short="Cola"),
            ItemSpec("Heineken (fles)", 500, "#2e7d32", alcohol=True, short="Heineken"),
            ItemSpec("Fles huiswijn rood", 3500, "#880e4f", alcohol=True, short="Fles rood"),
            ItemSpec("Koffie", 350, "#5d4037", groups=("Milk",)),
        ],
    ),
]

# Stations per outlet: (code, name, kind).
BISTRO_STATIONS = [
    ("koud", "Koud", Station.Kind.PREP),
    ("warm", "Warm", Station.Kind.PREP),
    ("dessert", "Dessert", Station.Kind.PREP),
    ("bar", "Bar", Station.Kind.PREP),
    ("expo", "Expo", Station.Kind.EXPO),
]
BAR_STATIONS = [("bar", "Bar", Station.Kind.PREP)]
ROOM_SERVICE_STATIONS = [("keuken", "Keuken", Station.Kind.PREP), ("bar", "Bar", Station.Kind.PREP)]

ROOMS = [f"{floor}{n:02d}" for floor in (1, 2) for n in range(1, 16)]
# In-house stays: (room, guest, nights before today, nights from today, postings allowed, credit limit).
IN_HOUSE = [
    ("101", "Jan en Marieke de Vries", 2, 1, True, None),
    ("103", "Mr. James Carter", 1, 3, True, 20000),
    ("104", "Sophie Müller", 0, 2, True, None),
    ("106", "Familie Bos", 3, 4, True, None),
    ("108", "Yuki Tanaka", 1, 1, False, None),
    ("202", "Pieter Hendriks", 0, 1, True, None),
    ("205", "Emma en Lucas Peeters", 4, 2, True, None),
    ("209", "Ms. Isabella Rossi", 2, 5, True, None),
]
# Two guests sharing one room, each with a folio of their own.
SHARERS = [
    ("214", "Mr. Daniel Okafor", 1, 2, True, None),
    ("214", "Mrs. Grace Okafor", 1, 2, True, 15000),
]
# Room charges: each outlet's PMS number; categories not listed go to food (S1).
POSTING_OUTLETS = {BISTRO_NAME: 10, BAR_NAME: 20, ROOM_SERVICE_NAME: 30}
BEVERAGE_CATEGORIES = ["Frisdrank & koffie", "Bier & wijn", "Drankjes", "Dranken"]
CHECKED_OUT_YESTERDAY = ("102", "Thomas Verhoeven", 3)  # room, guest, nights
RESERVED_TOMORROW = ("110", "Laura Schmidt", 2)


class Command(BaseCommand):
    help = "Load the demo bistro, bar, room service, staff (with PINs) and hotel guests. Safe to run twice."

    def handle(self, *args, **options):
        # The demo is typed as a Dutch bistro writes it (see demo.translations): written and found in Dutch.
        with translation.override("nl"), transaction.atomic():
            # First, so that a demo loaded before names had languages is found by its Dutch names.
            translate_demo()
            if Outlet.objects.filter(name=BISTRO_NAME).exists():
                self._billing()
                self._room_charges()
                translate_demo()
                self.stdout.write("Demo data already loaded")
                return
            self._refuse_clashes()
            ensure_role_groups()
            taxes = {
                "low": TaxRate.objects.get_or_create(name="Laag", percent=Decimal("9.00"))[0],
                "high": TaxRate.objects.get_or_create(name="Hoog", percent=Decimal("21.00"))[0],
            }
            groups = self._modifier_groups()
            bistro = self._outlet(BISTRO_NAME, Outlet.Kind.RESTAURANT, "BIST", BISTRO_STATIONS)
            self._area(bistro, "Restaurant", 0, 1000, 700, RESTAURANT_TABLES)
            self._area(bistro, "Terras", 1, 1000, 500, TERRACE_TABLES)
            self._menu(bistro, "À la carte", 0, BISTRO_A_LA_CARTE, taxes, groups)
            lunch = self._menu(bistro, "Lunch", 1, BISTRO_LUNCH, taxes, groups)
            MenuWindow.objects.create(
                menu=lunch, weekdays="0123456", starts_at=datetime.time(11, 0), ends_at=datetime.time(16, 0)
            )
            bar = self._outlet(BAR_NAME, Outlet.Kind.BAR, "BAR", BAR_STATIONS)
            self._area(bar, "Bar", 0, 1000, 400, BAR_TABLES)
            self._menu(bar, "Bar", 0, BAR_MENU, taxes, groups)
            room_service = self._outlet(ROOM_SERVICE_NAME, Outlet.Kind.ROOM_SERVICE, "RS", ROOM_SERVICE_STATIONS)
            self._menu(room_service, "Room service", 0, ROOM_SERVICE_MENU, taxes, groups)
            self._kitchen(bistro, groups)
            add_set_menu(outlet=bistro, taxes=taxes, after=len(BISTRO_A_LA_CARTE))
            declare_demo_allergens()
            self._staff()
            self._hotel()
            self._billing()
            self._room_charges()
            translate_demo()
        self._summary()

    def _billing(self) -> None:
        """Tenders and each outlet's receipt header; added to a demo loaded before billing existed."""
        for sort_order, (name, kind, tips) in enumerate(DEMO_TENDERS):
            Tender.objects.get_or_create(
                name=name, defaults={"kind": kind, "allows_tip": tips, "sort_order": sort_order}
            )
        for outlet in Outlet.objects.filter(name__in=[BISTRO_NAME, BAR_NAME, ROOM_SERVICE_NAME]):
            OutletBilling.objects.get_or_create(
                outlet=outlet,
                defaults={
                    "business_name": "Bistro De Tafel" if outlet.name == BISTRO_NAME else "Hotel De Tafel",
                    "address": "Keizersgracht 1\n1015 AA Amsterdam",
                    "vat_number": "NL001234567B01",
                    "receipt_footer": "Dank je wel en tot ziens!",
                    # Tables of 8 or more pay 12.5% service, as the bistro's menu says.
                    "service_charge_percent": Decimal("12.5") if outlet.name == BISTRO_NAME else Decimal(0),
                },
            )
            stock_denominations(currency="EUR")  # seeded by a migration; a flushed test database lost them
            if outlet.kind != Outlet.Kind.ROOM_SERVICE and not DrawerSession.objects.filter(outlet=outlet).exists():
                # Carla the cashier counted a 150.00 float into each till, note by note and coin by coin.
                open_drawer(outlet=outlet, float_counts=DEMO_FLOAT, by=User.objects.get(username="carla"))

    def _refuse_clashes(self) -> None:
        usernames = [name.lower() for name in DEMO_PINS]
        taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        if taken:
            raise CommandError(
                f"Users {', '.join(taken)} already exist but the demo outlet does not: "
                "seed_demo only loads into an empty database."
            )
        if Hotel.objects.filter(code=HOTEL_CODE).exists():
            raise CommandError(f"A hotel with code {HOTEL_CODE} already exists: seed_demo expects an empty database.")

    def _modifier_groups(self) -> dict[str, ModifierGroup]:
        groups = {}
        for sort_order, (name, (minimum, maximum, free, _modifiers)) in enumerate(MODIFIER_GROUPS.items()):
            groups[name] = ModifierGroup.objects.create(
                name=name, min_choices=minimum, max_choices=maximum, free_choices=free, sort_order=sort_order
            )
        for name, (_min, _max, _free, modifiers) in MODIFIER_GROUPS.items():
            for sort_order, (modifier, delta, opens) in enumerate(modifiers):
                Modifier.objects.create(
                    group=groups[name],
                    name=modifier,
                    price_delta=delta,
                    sort_order=sort_order,
                    opens_group=groups[opens] if opens else None,
                )
        return groups

    def _outlet(self, name: str, kind: str, pms_code: str, stations) -> Outlet:
        outlet = Outlet.objects.create(name=name, kind=kind, pms_code=pms_code, prices_include_tax=True)
        for number, course in COURSES:
            Course.objects.create(outlet=outlet, number=number, name=course)
        for sort_order, (code, station, kind_) in enumerate(stations):
            Station.objects.create(outlet=outlet, code=code, name=station, kind=kind_, sort_order=sort_order)
        return outlet

    def _kitchen(self, bistro: Outlet, groups: dict[str, ModifierGroup]) -> None:
        """A side salad with a main is made at the cold station; the kitchen's printers wait to be set up."""
        stations = {station.code: station for station in Station.objects.filter(outlet=bistro)}
        side_salad = Modifier.objects.get(group=groups["Side"], name="Side salad")
        ModifierRoute.objects.create(modifier=side_salad, station=stations["koud"])
        # Inactive until a manager enters the real address (Back office > Printers): the demo has no printer.
        for code, address in (("warm", "192.168.1.51"), ("koud", "192.168.1.52"), ("bar", "192.168.1.53")):
            printer = Printer.objects.create(
                outlet=bistro, name=f"Bon {stations[code].name.lower()}", host=address, is_active=False
            )
            stations[code].printer = printer
            stations[code].save(update_fields=["printer"])

    def _area(self, outlet: Outlet, name: str, sort_order: int, width: int, height: int, tables) -> Area:
        area = Area.objects.create(
            outlet=outlet, name=name, sort_order=sort_order, plan_width=width, plan_height=height
        )
        Table.objects.bulk_create(
            Table(
                outlet=outlet,
                area=area,
                number=number,
                seats=seats,
                shape=shape,
                x=x,
                y=y,
                width=w,
                height=h,
                rotation=rotation,
            )
            for number, seats, shape, x, y, w, h, rotation in tables
        )
        return area

    def _menu(self, outlet: Outlet, name: str, sort_order: int, categories: list[CategorySpec], taxes, groups) -> Menu:
        menu = Menu.objects.create(outlet=outlet, name=name, sort_order=sort_order)
        stations = {station.code: station for station in Station.objects.filter(outlet=outlet)}
        for category_order, spec in enumerate(categories):
            category = Category.objects.create(
                menu=menu, name=spec.name, colour=spec.colour, default_course=spec.course, sort_order=category_order
            )
            StationRoute.objects.create(station=stations[spec.station], category=category)
            for item_order, row in enumerate(spec.items):
                item = Item.objects.create(
                    category=category,
                    name=row.name,
                    short_name=row.short,
                    description=row.description,
                    price=row.price,
                    tax_rate=taxes["high" if row.alcohol else "low"],
                    colour=row.colour,
                    remaining_qty=row.left,
                    sort_order=item_order,
                )
                for group_order, group in enumerate(row.groups):
                    ItemModifierGroup.objects.create(item=item, group=groups[group], sort_order=group_order)
                if row.station and row.station != spec.station:
                    StationRoute.objects.create(station=stations[row.station], item=item)
        return menu

    def _staff(self) -> None:
        for name, (role, pin) in DEMO_PINS.items():
            person = User(
                username=name.lower(),
                first_name=name,
                last_name=LAST_NAMES[name],
                display_name=name,
                is_staff=name in MANAGERS_WITH_BACK_OFFICE,
            )
            if name in MANAGERS_WITH_BACK_OFFICE:
                person.set_password(MANAGER_PASSWORD)
            else:
                person.set_unusable_password()
            person.save()
            person.groups.add(Group.objects.get(name=role))
            set_pin(person=person, pin=pin)

    def _hotel(self) -> None:
        today = timezone.localdate()
        day = datetime.timedelta(days=1)
        hotel = Hotel.objects.create(name="Hotel De Tafel", code=HOTEL_CODE)
        rooms = {number: Room.objects.create(hotel=hotel, number=number) for number in ROOMS}
        for number, guest, before, after, allow, limit in IN_HOUSE + SHARERS:
            GuestStay.objects.create(
                room=rooms[number],
                guest_name=guest,
                arrival=today - before * day,
                departure=today + after * day,
                status=GuestStay.Status.IN_HOUSE,
                allow_postings=allow,
                credit_limit=limit,
            )
        number, guest, nights = CHECKED_OUT_YESTERDAY
        GuestStay.objects.create(
            room=rooms[number],
            guest_name=guest,
            arrival=today - (1 + nights) * day,
            departure=today - day,
            status=GuestStay.Status.CHECKED_OUT,
        )
        number, guest, nights = RESERVED_TOMORROW
        GuestStay.objects.create(
            room=rooms[number],
            guest_name=guest,
            arrival=today + day,
            departure=today + (1 + nights) * day,
            status=GuestStay.Status.RESERVED,
        )

    def _room_charges(self) -> None:
        """The hotel on the built-in ledger and each outlet's room-charge set-up; added to an older demo too."""
        hotel = Hotel.objects.filter(code=HOTEL_CODE).first()
        if hotel is None:
            return
        PmsLink.objects.get_or_create(hotel=hotel, defaults={"interface": Interface.LEDGER})
        today = timezone.localdate()
        for number in ROOMS:
            Room.objects.get_or_create(hotel=hotel, number=number)
        for number, guest, before, after, allow, limit in SHARERS:
            GuestStay.objects.get_or_create(
                room=Room.objects.get(hotel=hotel, number=number),
                guest_name=guest,
                defaults={
                    "arrival": today - datetime.timedelta(days=before),
                    "departure": today + datetime.timedelta(days=after),
                    "status": GuestStay.Status.IN_HOUSE,
                    "allow_postings": allow,
                    "credit_limit": limit,
                },
            )
        for outlet in Outlet.objects.filter(name__in=POSTING_OUTLETS):
            setup, created = PostingOutlet.objects.get_or_create(
                outlet=outlet,
                defaults={"hotel": hotel, "outlet_code": POSTING_OUTLETS[outlet.name], "payment_method": "ROOM"},
            )
            # Postings name categories in the site's language: drinks are routed by either name.
            for category in BEVERAGE_CATEGORIES:
                for name in dict.fromkeys(CATEGORIES[category]):
                    RevenueRoute.objects.get_or_create(
                        posting_outlet=setup, category=name, defaults={"subtotal": 2, "transaction_code": "2100"}
                    )
            if not created:
                continue
            RevenueRoute.objects.create(posting_outlet=setup, category="", subtotal=1, transaction_code="2000")
            TaxRoute.objects.create(posting_outlet=setup, tax_percent=Decimal("9.00"), slot=1)
            TaxRoute.objects.create(posting_outlet=setup, tax_percent=Decimal("21.00"), slot=2)

    def _summary(self) -> None:
        out = self.stdout.write
        out(self.style.SUCCESS("Demo data loaded."))
        for outlet in Outlet.objects.filter(name__in=[BISTRO_NAME, BAR_NAME, ROOM_SERVICE_NAME]).order_by("pk"):
            tables = Table.objects.filter(outlet=outlet).count()
            items = Item.objects.filter(category__menu__outlet=outlet).count()
            out(f"  {outlet.name} ({outlet.get_kind_display()}, PMS {outlet.pms_code}): {tables} tables, {items} items")
        stays = GuestStay.objects.filter(room__hotel__code=HOTEL_CODE, status=GuestStay.Status.IN_HOUSE).count()
        out(f"  Hotel De Tafel ({HOTEL_CODE}): {len(ROOMS)} rooms, {stays} guests in house")
        out("  Staff (sign in with the PIN):")
        for name, (role, pin) in DEMO_PINS.items():
            out(f"    {name:<6} {Role(role).label!s:<11} PIN {pin}")
        out(f"  Back office /admin/: mila / {MANAGER_PASSWORD}")
