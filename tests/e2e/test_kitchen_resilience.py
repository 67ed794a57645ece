"""Kitchen screens across processes and restarts: no ticket is lost.

- Two daphne processes behind one Redis (CI's PostgreSQL + Redis run): a waiter sends
  through one, the cold station's screen connected to the other shows the ticket.
- Daphne restarted: an order sent while the screen's server was down appears on the
  screen once it has reconnected (with backoff) and resynced from its last number.
"""

import uuid

import pytest
from playwright.sync_api import expect

from kitchen.models import Station
from kitchen.services import issue_pairing_code
from orders import services as orders
from orders.models import Item
from staff.models import User
from tables.models import Table
from tests.e2e.conftest import TABLET, Pages, free_port, running_daphne
from tests.e2e.steps import LIVE_TIMEOUT_MS, in_own_thread, open_table, pair_screen, sign_in, tap_item, ticket_card

# A restarted daphne takes a few seconds; the screen retries after 1, 2, 4, 8 s.
RECONNECT_TIMEOUT_MS = 40_000


@pytest.fixture
def cold_station_code(demo_data) -> str:
    """A pairing code for the bistro's cold station, issued by Mila before the browser starts."""
    station = Station.objects.get(outlet__name="Bistro De Tafel", code="koud")
    return issue_pairing_code(station=station, by=User.objects.get(username="mila")).code


def send_carpaccio_to_table(number: str) -> None:
    """Anna sends a carpaccio (made at the cold station) for a table straight through the services, as her tablet's API call would."""
    anna = User.objects.get(username="anna")
    table = Table.objects.get(outlet__name="Bistro De Tafel", number=number)
    carpaccio = Item.objects.get(category__menu__outlet=table.outlet, name="Carpaccio")
    order, _ = orders.open_order(client_uuid=uuid.uuid4(), outlet=table.outlet, waiter=anna, table=table, covers=2)
    orders.add_lines(order=order, requests=[orders.LineRequest(item_id=carpaccio.pk, seat=1, course=1)], by=anna)
    orders.send_to_kitchen(order=order, by=anna)


def test_a_ticket_sent_through_one_daphne_reaches_a_screen_on_the_other(cold_station_code, pages, second_server_url):
    koud = pages.open(TABLET, "/kitchen/", base_url=second_server_url)
    pair_screen(koud, cold_station_code)
    koud.evaluate("window.notReloaded = true")

    anna = pages.open(TABLET)  # the first process
    sign_in(anna, "Anna", "1111")
    open_table(anna, "6", 2)
    tap_item(anna, "Starters", "Carpaccio")
    anna.locator("#send").tap()
    expect(anna.locator('.line[data-status="sent"]')).to_have_count(1)

    card = ticket_card(koud, "6", "new")
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(card).to_contain_text("Carpaccio")
    pages.screenshot(koud, "koud-on-the-second-process")
    assert koud.evaluate("window.notReloaded") is True


def test_a_screen_gets_what_was_sent_while_its_daphne_was_down(cold_station_code, browser, request):
    port = free_port()
    name = request.node.name.removeprefix("test_")
    with running_daphne(f"{name}-before", port=port) as base_url:
        screens = Pages(browser, base_url, name)
        koud = screens.open(TABLET, "/kitchen/")
        pair_screen(koud, cold_station_code)
        koud.evaluate("window.notReloaded = true")
    try:
        expect(koud.locator('#online[data-online="false"]')).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        in_own_thread(lambda: send_carpaccio_to_table("7"))  # committed while no server runs
        with running_daphne(f"{name}-after", port=port):
            card = ticket_card(koud, "7", "new")
            expect(card).to_be_visible(timeout=RECONNECT_TIMEOUT_MS)
            expect(koud.locator('#online[data-online="true"]')).to_be_visible(timeout=RECONNECT_TIMEOUT_MS)
            screens.screenshot(koud, "after-the-restart")
            assert koud.evaluate("window.notReloaded") is True
    finally:
        screens.close()
