"""Mila closes the day in a real browser: the wizard lists what blocks the Z, she clears it, the Z is taken.

On the demo (two outlets with an open drawer each): one order stays open and is
carried over; a room charge was sent to the hotel and never answered (set up through
the services, as the link leaves it). Mila counts both drawers blind, finds the
charge on the folio, carries the order over, closes the day and reads the Z per outlet.
"""

import uuid
from pathlib import Path
from unittest import mock

import pytest
from playwright.sync_api import Page, expect

from billing import services
from billing.models import BusinessDay, DrawerSession, Payment
from demo.management.commands.seed_demo import BAR_NAME, BISTRO_NAME
from orders.models import Item
from orders.services import LineRequest, add_lines, open_order, send_to_kitchen
from pms_integration import services as pms_services
from pms_integration.models import GuestStay, Posting
from staff.models import User
from tables.models import Outlet, Table
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import in_own_thread, sign_in

SHOTS = Path("/tmp/zclose/shots")
DUTCH = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
ENGLISH = {"locale": "en-GB", "timezone_id": "Europe/Amsterdam"}
DEVICES = {"tablet-en": {**TABLET, **ENGLISH}, "phone-nl": {**PHONE, **DUTCH}, "tablet-nl": {**TABLET, **DUTCH}}


def an_open_order_and_an_unanswered_room_charge() -> dict:
    """Table 1 stays open; table 2 is charged to room 101, sent to the hotel, and no answer came."""
    bistro = Outlet.objects.get(name=BISTRO_NAME)
    anna = User.objects.get(username="anna")
    soup = Item.objects.filter(category__menu__outlet=bistro, name="Soup of the day").first()

    def order_at(number: str):
        table = Table.objects.get(area__outlet=bistro, number=number)
        order, _ = open_order(client_uuid=uuid.uuid4(), outlet=bistro, waiter=anna, table=table, covers=2)
        add_lines(order=order, requests=[LineRequest(item_id=soup.pk, seat=1, qty=2)], by=anna)
        send_to_kitchen(order=order, by=anna)
        services.open_bill(order=order, by=anna)
        return order

    carried = order_at("1")
    charged = order_at("2")
    guest = GuestStay.objects.get(room__number="101", status=GuestStay.Status.IN_HOUSE)
    # The link takes the posting from the outbox (as a FIAS link process does), sends it, and hears nothing.
    with mock.patch.object(pms_services, "dispatch_posting"):
        payment = services.charge_to_room(check=charged.checks.get(), room="101", guest_id=str(guest.pk), by=anna)
    pms_services.mark_sent(posting_id=payment.posting_id)
    pms_services.mark_unknown(posting_id=payment.posting_id, note="no answer")
    return {"carried": carried.pk, "charged": charged.pk, "posting": payment.posting_id, "payment": payment.pk}


def shot(page: Page, device: str, step: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{device}-{step}.png"), full_page=True)


@pytest.mark.parametrize("device", list(DEVICES))
def test_mila_clears_the_blockers_closes_the_day_and_reads_the_z_per_outlet(pages, device):
    setup = in_own_thread(an_open_order_and_an_unanswered_room_charge)
    dutch = device.endswith("nl")
    mila = pages.open(DEVICES[device])
    sign_in(mila, "Mila", "9999")
    mila.goto(f"{pages.base_url}/manager/day/close/")

    # Everything in the way is listed, and the Z cannot be pressed yet.
    drawers = mila.locator("form[data-drawer]")
    expect(drawers).to_have_count(2)
    expect(mila.locator("[data-order]")).to_have_count(2)
    expect(mila.locator(f'[data-posting="{setup["posting"]}"]')).to_be_visible()
    expect(mila.locator('[data-action="close-day"]')).to_be_disabled()
    expect(mila.locator("h1")).to_have_text("Dag afsluiten" if dutch else "Close the day")
    shot(mila, device, "1-blockers")

    # Both drawers counted blind: 150.00 in the bistro's (its float, nothing sold in cash), 149.50 in the bar's.
    for counted in ("150.00", "149.50"):
        form = mila.locator("form[data-drawer]").first
        form.locator('input[name="counted"]').fill(counted)
        form.locator('[data-action="count-drawer"]').tap()
        mila.wait_for_load_state()
    expect(mila.locator("form[data-drawer]")).to_have_count(0)
    expect(mila.locator("[data-counted-drawer]")).to_have_count(2)
    expect(mila.locator("[data-counted-drawer] [data-variance]")).to_have_text(
        ["€\u00a00,00", "€\u00a0-0,50"] if dutch else ["€0.00", "-€0.50"]
    )
    shot(mila, device, "2-drawers-counted")

    # The room charge is on the guest's folio: the payment counts, table 2 is settled.
    mila.locator(f'[data-posting="{setup["posting"]}"] [data-action="confirm-room-charge"]').tap()
    expect(mila.locator("[data-posting]")).to_have_count(0)
    expect(mila.locator("[data-order]")).to_have_count(1)
    expect(mila.locator(f'[data-order="{setup["carried"]}"] [data-action="open-bill"]')).to_have_attribute(
        "href", f"/orders/{setup['carried']}/bill/"
    )
    assert in_own_thread(lambda: Payment.objects.get(pk=setup["payment"]).state) == Payment.State.CAPTURED

    # Only the open order is left: it will be carried over, the Z button is enabled.
    expect(mila.locator("[data-carried] li")).to_have_count(1)
    close_button = mila.locator('[data-action="close-day"]')
    expect(close_button).to_be_enabled()
    mila.locator('input[name="carry_over_open_orders"]').check()
    shot(mila, device, "3-ready-for-z")
    close_button.tap()

    # The last page: the day is closed, Z no. 1, print and PDF, the drawers to open for the next day.
    mila.wait_for_url("**/closed/")
    expect(mila.locator(".z-number")).to_have_text("Z-rapport nr. 1" if dutch else "Z report no. 1")
    expect(mila.locator("[data-drawers-to-open] li")).to_have_text(sorted([BISTRO_NAME, BAR_NAME]))
    expect(mila.locator("[data-outlet-totals] tbody tr")).to_have_count(3)
    shot(mila, device, "4-closed")
    mila.locator('[data-action="print-z"]').tap()
    expect(mila.locator("[data-printed]")).to_be_visible()
    shot(mila, device, "5-printed")
    # The browser's own request for the link (its language sent as a page load would send it).
    pdf = mila.request.get(
        f"{pages.base_url}{mila.locator('[data-action=z-pdf]').get_attribute('href')}",
        headers={"Accept-Language": DEVICES[device]["locale"]},
    )
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert (b"Z-rapport nr. 1" if dutch else b"Z report no. 1") in pdf.body()

    # The stored Z, per outlet: the bar's section has its own drawer and its 0.50 short.
    mila.locator('[data-action="z-report"]').tap()
    mila.locator(".outlet-tabs .tab", has_text=BAR_NAME).tap()
    expect(mila.locator(".day-report__outlet")).to_contain_text(BAR_NAME)
    shot(mila, device, "6-z-bar")

    day = in_own_thread(lambda: BusinessDay.objects.get(z_number=1))
    assert day.report["open_orders"] == 1 and len(day.report["outlets"]) == 3
    bar = next(s for s in day.report["outlets"] if s["outlet"]["name"] == BAR_NAME)
    assert [d["variance"] for d in bar["drawers"]] == [-50]
    assert in_own_thread(lambda: Posting.objects.get(pk=setup["posting"]).state) == Posting.State.POSTED
    assert in_own_thread(lambda: DrawerSession.objects.filter(closed_at__isnull=True).count()) == 0
