"""A hotel on the built-in ledger beside the test bistro, with the guests of flow 6."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Tender
from pms_integration.models import (
    GuestStay,
    Hotel,
    Interface,
    LinkState,
    PmsLink,
    PostingOutlet,
    RevenueRoute,
    Room,
    TaxRoute,
)
from staff.models import Role
from tests.factories import StaffFactory
from tests.pms.fias_simulator import FiasPms
from tests.pms.test_fias_link import Link, eventually


@dataclass
class HotelWorld:
    hotel: Hotel
    link: PmsLink
    setup: PostingOutlet
    tender: Tender
    front_desk: object
    daniel: GuestStay  # room 214, sharing with Grace
    grace: GuestStay  # room 214, credit limit 150.00
    yuki: GuestStay  # room 108, no-post
    thomas: GuestStay  # room 102, checked out


@pytest.fixture
def hotel(world) -> HotelWorld:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    hotel = Hotel.objects.create(name="Hotel", code="HTL")
    link = PmsLink.objects.create(hotel=hotel)
    rooms = {n: Room.objects.create(hotel=hotel, number=n) for n in ("102", "108", "214", "301")}

    def stay(number, name, *, status=GuestStay.Status.IN_HOUSE, allow=True, limit=None):
        return GuestStay.objects.create(
            room=rooms[number],
            guest_name=name,
            arrival=today - day,
            departure=today + day,
            status=status,
            allow_postings=allow,
            credit_limit=limit,
        )

    setup = PostingOutlet.objects.create(outlet=world.outlet, hotel=hotel, outlet_code=123, payment_method="ROOM")
    RevenueRoute.objects.create(posting_outlet=setup, category="", subtotal=1, transaction_code="2000")
    RevenueRoute.objects.create(posting_outlet=setup, category="mains", subtotal=2, transaction_code="2010")
    TaxRoute.objects.create(posting_outlet=setup, tax_percent=Decimal("9.00"), slot=1)
    TaxRoute.objects.create(posting_outlet=setup, tax_percent=Decimal("21.00"), slot=2)
    return HotelWorld(
        hotel=hotel,
        link=link,
        setup=setup,
        tender=Tender.objects.create(name="Room", kind=Tender.Kind.ROOM_CHARGE, sort_order=3),
        front_desk=StaffFactory(display_name="Fenna", role=Role.FRONT_DESK),
        daniel=stay("214", "Mr. Daniel Okafor"),
        grace=stay("214", "Mrs. Grace Okafor", limit=15000),
        yuki=stay("108", "Yuki Tanaka", allow=False),
        thomas=stay("102", "Thomas Verhoeven", status=GuestStay.Status.CHECKED_OUT),
    )


@pytest.fixture
def pms():
    simulator = FiasPms()
    simulator.add_guest(room="214", reservation="5001", name="Okafor, Daniel Mr.")
    simulator.add_guest(room="214", reservation="5002", name="Okafor, Grace Mrs.", credit_limit=15000)
    simulator.add_guest(room="108", reservation="5003", name="Tanaka, Yuki", no_post=True)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def fias(transactional_db, world, hotel, pms):
    """The test hotel on FIAS, its link process up."""
    link = hotel.link
    link.interface = Interface.FIAS
    link.host, link.port = pms.host, pms.port
    link.inquiry_timeout, link.posting_timeout = 2, 2
    link.save()
    link.process = Link(link).start()
    eventually(lambda: LinkState.objects.filter(link=link, state=LinkState.State.UP).exists(), message="link up")
    yield link
    link.process.close()
