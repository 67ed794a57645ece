"""A restaurant with a row behind every id the API takes, for the fuzzer and the role matrix.

Built through the real services on top of the `world` and `kitchen` fixtures: orders
sent and pending, checks with a discount and a cash payment, a drawer, a hotel on
the built-in ledger with a queued room charge, a printer with a job, a paired
kitchen screen, and one person of every role.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from django.utils.module_loading import import_string

from billing import services as billing
from billing.models import Check, CheckItem, Discount, DrawerSession, Payment, Tender
from kitchen import services as kitchen_services
from kitchen.authentication import SESSION_KEY as DISPLAY_SESSION_KEY
from kitchen.models import Fire, Ticket, TicketItem
from orders.models import Modifier
from orders.services import LineRequest, add_lines, open_order, send_to_kitchen
from pms_integration.models import GuestStay, Hotel, PmsLink, Posting, PostingOutlet, RevenueRoute, Room, TaxRoute
from printing import services as printing_services
from printing.models import Printer, PrintJob
from staff.models import Role
from tests.factories import ItemFactory, StaffFactory, TaxRateFactory

APPROVER_PIN = "9999"  # the manager's PIN in `world`


@dataclass
class ApiWorld:
    people: dict  # role name -> person
    display: object  # a paired kitchen screen (KitchenDisplay)
    ids: dict = field(default_factory=dict)  # path parameter -> ids of real rows
    line_orders: dict = field(default_factory=dict)  # line id -> its order id


def _order_with(world, *, table, waiter, lines, send=True):
    order, _ = open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=waiter, table=world.tables[table], covers=2
    )
    add_lines(order=order, requests=lines, by=waiter)
    if send:
        send_to_kitchen(order=order, by=waiter)
    return order


def build_api_world(world, kitchen) -> ApiWorld:
    people = {
        "waiter": world.waiter,
        "bartender": StaffFactory(display_name="Bo", role=Role.BARTENDER),
        "kitchen": world.kitchen,
        "cashier": StaffFactory(display_name="Cas", role=Role.CASHIER),
        "front_desk": StaffFactory(display_name="Fenna", role=Role.FRONT_DESK),
        "manager": world.manager,
    }
    waiter = world.waiter
    steak = LineRequest(item_id=world.steak.pk, seat=1, modifier_ids=[world.rare.pk, world.fries.pk])
    salad = LineRequest(item_id=world.salad.pk, seat=2)
    soup = LineRequest(item_id=world.soup.pk, seat=1)
    dessert = LineRequest(item_id=kitchen.dessert.pk, seat=2, course=3)
    # A round rate too: 20% must read "20" on the bill, never "2E+1".
    wine = ItemFactory(
        category=world.salad.category, name="Wine", price=3200, tax_rate=TaxRateFactory(name="High", percent="20.00")
    )
    sent = _order_with(
        world, table=0, waiter=waiter, lines=[steak, salad, soup, dessert, LineRequest(item_id=wine.pk, seat=1)]
    )
    pending = _order_with(world, table=1, waiter=waiter, lines=[salad, soup], send=False)
    paid = _order_with(world, table=2, waiter=waiter, lines=[salad, soup])
    charged = _order_with(world, table=3, waiter=waiter, lines=[soup])

    cash = Tender.objects.create(name="Cash", kind=Tender.Kind.CASH, sort_order=1)
    Tender.objects.create(name="Voucher", kind=Tender.Kind.OTHER, allows_tip=False, sort_order=2)
    billing.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    for order in (sent, pending, paid, charged):
        billing.open_bill(order=order, by=waiter)
    sent_check = Check.objects.get(order=sent)
    billing.give_discount(
        check=sent_check,
        by=world.manager,
        reason="Regulars",
        percent=Decimal("10"),
        approver_id=world.manager.pk,
        approver_pin=APPROVER_PIN,
    )
    billing.pay_cash(check=Check.objects.get(order=paid), tender=cash, cash_given=5000, by=waiter)

    hotel = _hotel(world)
    guest = GuestStay.objects.filter(room__hotel=hotel, status=GuestStay.Status.IN_HOUSE).first()
    billing.charge_to_room(
        check=Check.objects.get(order=charged), room=guest.room.number, guest_id=str(guest.pk), by=waiter
    )

    printer = Printer.objects.create(outlet=world.outlet, name="Pass", host="127.0.0.1", port=9)
    printing_services.print_test_page(printer=printer, by=world.manager)

    pairing = kitchen_services.issue_pairing_code(station=kitchen.hot, by=world.manager)
    display = kitchen_services.pair_display(code=pairing.code, name="Hot screen")

    ids = {
        "order_id": [sent.pk, pending.pk, paid.pk],
        "line_id": list(sent.lines.values_list("pk", flat=True)) + list(pending.lines.values_list("pk", flat=True)),
        "check_id": list(Check.objects.values_list("pk", flat=True)),
        "payment_id": list(Payment.objects.values_list("pk", flat=True)),
        "discount_id": list(Discount.objects.values_list("pk", flat=True)),
        "session_id": list(DrawerSession.objects.values_list("pk", flat=True)),
        "outlet_id": [world.outlet.pk],
        "station_id": [kitchen.hot.pk, kitchen.cold.pk, kitchen.expo.pk],
        "ticket_id": list(Ticket.objects.values_list("pk", flat=True)),
        "fire_id": list(Fire.objects.values_list("pk", flat=True)),
        "display_id": [display.pk],
        "modifier_id": list(Modifier.objects.values_list("pk", flat=True)[:4]),
        "hotel_id": [hotel.pk],
        "posting_id": list(Posting.objects.values_list("pk", flat=True)),
        "stay_id": list(GuestStay.objects.values_list("pk", flat=True)),
        "printer_id": [printer.pk],
        "job_id": list(PrintJob.objects.values_list("pk", flat=True)),
        "person_id": [person.pk for person in people.values()],
        "manager_id": [world.manager.pk],
        "table_id": [table.pk for table in world.tables],
        "tender_id": list(Tender.objects.values_list("pk", flat=True)),
        # `item_id` names three kinds of row; see `ids_for`.
        "menu_item_id": [world.steak.pk, world.salad.pk, world.soup.pk],
        "ticket_item_id": list(TicketItem.objects.values_list("pk", flat=True)),
        "check_item_id": list(CheckItem.objects.values_list("pk", flat=True)),
        # The menu editor's rows.
        "menu_id": [world.salad.category.menu_id],
        "category_id": [world.salad.category_id, world.steak.category_id],
        "group_id": [world.cooking.pk, world.sides.pk],
    }
    line_orders = dict(sent.lines.values_list("pk", "order_id")) | dict(pending.lines.values_list("pk", "order_id"))
    return ApiWorld(people=people, display=display, ids=ids, line_orders=line_orders)


def _hotel(world) -> Hotel:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    hotel = Hotel.objects.create(name="Hotel", code="HTL")
    PmsLink.objects.create(hotel=hotel)
    setup = PostingOutlet.objects.create(outlet=world.outlet, hotel=hotel, outlet_code=123, payment_method="ROOM")
    RevenueRoute.objects.create(posting_outlet=setup, category="", subtotal=1, transaction_code="2000")
    TaxRoute.objects.create(posting_outlet=setup, tax_percent=Decimal("9.00"), slot=1)
    Tender.objects.create(name="Room", kind=Tender.Kind.ROOM_CHARGE, sort_order=3)
    Room.objects.create(hotel=hotel, number="301")  # free, for a check-in
    for number, name in (("214", "Mr. Daniel Okafor"), ("108", "Ms. Yuki Tanaka")):
        GuestStay.objects.create(
            room=Room.objects.create(hotel=hotel, number=number),
            guest_name=name,
            arrival=today - day,
            departure=today + day,
            status=GuestStay.Status.IN_HOUSE,
        )
    return hotel


def ids_for(api_world: ApiWorld, path: str, name: str) -> list[int]:
    """Ids of real rows for the path parameter `name` of `path`."""
    if name == "item_id":
        if "/ticket-items/" in path:
            return api_world.ids["ticket_item_id"]
        if "/check-items/" in path:
            return api_world.ids["check_item_id"]
        return api_world.ids["menu_item_id"]
    return api_world.ids[name]


def session_cookie_for(person=None, *, display=None) -> str:
    """A fresh, real session of `person` (or of a paired kitchen screen), as its cookie value."""
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    if person is not None:
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
    if display is not None:
        store[DISPLAY_SESSION_KEY] = display.pk
    store.create()
    return store.session_key
