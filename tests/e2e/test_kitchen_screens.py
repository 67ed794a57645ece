"""Kitchen screens (KDS) in a real browser: pairing, live tickets per station, expo, the waiter's call.

The screens are devices: a manager issues a pairing code for a station (here straight
through the service, as the committed test database is shared with daphne), and the
screen types it on its pairing page.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from kitchen.models import Station
from kitchen.services import issue_pairing_code
from staff.models import User
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import (
    LIVE_TIMEOUT_MS,
    api_post,
    choose,
    in_own_thread,
    on_screen,
    open_table,
    pair_screen,
    pick,
    send_order,
    sign_in,
    tap_item,
    ticket_card,
)

TV = {"viewport": {"width": 1920, "height": 1080}, "has_touch": True}
SCREEN_10_INCH = {"viewport": {"width": 1280, "height": 800}, "has_touch": True}
BISTRO = "Bistro De Tafel"
LONG_DUTCH_NAME = "Nagerechten en patisserie"

# The header's parts, each as a box: none may lie on another, none may reach past the screen.
HEADER_BOXES = """() => {
  const parts = [...document.querySelectorAll(
    '.kds-head > :not(.kds-head__station):not(.kds-head__counts):not(.kds-head__spacer),' +
    ' .kds-head__station > *, .kds-head__counts > *')];
  const name = document.querySelector('#station-name');
  return {
    width: window.innerWidth,
    pageWidth: document.documentElement.scrollWidth,
    nameCut: name.scrollWidth > name.clientWidth + 1,
    boxes: parts.map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0)
      .map((r, i) => ({i, label: parts[i].id || parts[i].className, left: r.left, right: r.right, top: r.top, bottom: r.bottom})),
  };
}"""


@pytest.fixture
def kitchen(demo_data):
    """Station ids and a fresh pairing code per station of the bistro, issued by Mila.

    Asked for before `pages`: once Playwright runs, this thread has an event loop and
    the ORM refuses to run in it.
    """
    mila = User.objects.get(username="mila")
    stations = {station.code: station for station in Station.objects.filter(outlet__name=BISTRO)}
    return {
        "ids": {code: station.pk for code, station in stations.items()},
        "codes": {code: issue_pairing_code(station=station, by=mila).code for code, station in stations.items()},
    }


def test_hot_and_cold_follow_an_order_to_the_pass_and_the_waiter_is_called(kitchen, pages):
    # Three screens: the hot line on a TV, the cold line on a 10" tablet, expo on a 1280x800 screen.
    warm = pages.open(TV, "/kitchen/")
    pages.screenshot(warm, "1-pairing-page")
    pair_screen(warm, kitchen["codes"]["warm"], "Grill")
    expect(warm.locator("#station-name")).to_have_text("Hot")
    expect(warm.locator(".board-empty")).to_be_visible()

    koud = pages.open(TABLET, "/kitchen/")
    pair_screen(koud, kitchen["codes"]["koud"])
    expect(koud.locator("#station-name")).to_have_text("Cold")

    expo = pages.open(SCREEN_10_INCH, "/kitchen/")
    pair_screen(expo, kitchen["codes"]["expo"])
    expect(expo.locator("#station-name")).to_have_text("Expo")
    for screen in (warm, koud, expo):
        screen.evaluate("window.notReloaded = true")

    # Anna orders for table 4, everything in course 1 so it all fires now: a carpaccio (cold),
    # a steak with a side salad (hot; the salad is routed to cold too) and a risotto (hot).
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    open_table(anna, "4", 2)
    pick(anna, "course", 1)
    pick(anna, "seat", 1)
    tap_item(anna, "Starters", "Carpaccio")
    pick(anna, "seat", 2)
    tap_item(anna, "Mains", "Steak")
    dialog = anna.locator(".modifier-dialog")
    choose(dialog, "Medium rare")
    choose(dialog, "Side salad")
    choose(dialog, "Vinaigrette")
    dialog.locator('input[name="note"]').fill("No pepper sauce")
    dialog.locator('[data-action="add"]').tap()
    tap_item(anna, "Mains", "Mushroom risotto")
    expect(anna.locator('.line[data-status="pending"]')).to_have_count(3)
    anna.locator("#send").tap()
    expect(anna.locator('.line[data-status="sent"]')).to_have_count(3)
    expect(anna.locator('.kitchen-state[data-course="1"]')).to_have_attribute("data-kitchen-status", "fired")

    # Each station sees its own ticket appear without a reload; expo sees the whole order.
    warm_ticket = ticket_card(warm, "4")
    expect(warm_ticket).to_have_attribute("data-status", "new", timeout=LIVE_TIMEOUT_MS)
    expect(warm_ticket.locator(".kitem")).to_have_count(2)
    steak = warm_ticket.locator(".kitem", has_text="Steak")
    expect(steak.locator(".mods")).to_contain_text("Medium rare")
    expect(steak.locator(".kitem__note")).to_have_text("No pepper sauce")
    expect(steak.locator(".seat-tag")).to_have_text("S2")
    expect(warm.locator('.all-day__row[data-name="Steak"]')).to_have_attribute("data-qty", "1")

    # The guest mentions an allergy after sending: Anna adds it to the sent line, the grill's note flashes.
    anna.locator('.line[data-status="sent"]', has_text="Steak").tap()
    anna.locator('.line-sheet input[name="kitchen-note"]').fill("No pepper sauce. Allergy: nuts")
    anna.locator('.line-sheet [data-action="send-note"]').tap()
    expect(anna.locator(".line-sheet")).to_have_count(0)
    expect(steak.locator(".kitem__note--fresh")).to_have_text("No pepper sauce. Allergy: nuts", timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(warm, "2-warm-new-ticket-1080p")

    koud_ticket = ticket_card(koud, "4")
    expect(koud_ticket).to_have_attribute("data-status", "new", timeout=LIVE_TIMEOUT_MS)
    expect(koud_ticket.locator(".kitem")).to_have_count(2)
    expect(koud_ticket.locator(".kitem", has_text="Side salad")).to_contain_text("for Steak")
    pages.screenshot(koud, "3-koud-new-ticket-1024")

    expo_card = ticket_card(expo, "4")
    expect(expo_card).to_have_attribute("data-status", "fired", timeout=LIVE_TIMEOUT_MS)
    expect(expo_card.locator(".progress__station")).to_have_count(2)
    pages.screenshot(expo, "4-expo-fired")

    # Expo cannot send it out while a station is still cooking: it asks, and Cancel leaves it.
    expo_card.locator('[data-action="bump"]').tap()
    expect(expo.locator(".kds-dialog")).to_contain_text("Still open at")
    pages.screenshot(expo, "5-expo-bump-refused")
    expo.locator('.kds-dialog [data-action="cancel"]').tap()
    expect(expo_card).to_have_attribute("data-status", "fired")

    # Cold: tap an item to start it, again when ready; the ticket is ready once every item is.
    for item in koud_ticket.locator(".kitem").all():
        item.locator(".kitem__body").tap()
        expect(item).to_have_attribute("data-status", "in_progress")
    koud_ticket.locator(".kitem").first.locator(".kitem__body").tap()
    expect(koud_ticket.locator(".kitem").first).to_have_attribute("data-status", "ready")
    expect(koud_ticket).to_have_attribute("data-status", "in_progress")
    koud_ticket.locator(".kitem").nth(1).locator(".kitem__body").tap()
    expect(koud_ticket).to_have_attribute("data-status", "ready")
    expect(koud.locator(".all-day__row")).to_have_count(0)
    expect(expo_card.locator(".progress__station", has_text="Cold").locator(".progress__count")).to_have_text(
        "2/2", timeout=LIVE_TIMEOUT_MS
    )
    pages.screenshot(koud, "6-koud-ready")
    koud_ticket.locator('[data-action="bump"]').tap()
    expect(koud_ticket).to_have_count(0)
    expect(koud.locator(".recent__button", has_text="4")).to_be_visible()

    # Hot: Start the whole ticket, then bump it. Expo shows the order complete.
    warm_ticket.locator('[data-action="start"]').tap()
    expect(warm_ticket).to_have_attribute("data-status", "in_progress")
    expect(warm_ticket.locator('.kitem[data-status="in_progress"]')).to_have_count(2)
    pages.screenshot(warm, "7-warm-cooking-1080p")
    expect(expo_card.locator('.progress__station[data-status="bumped"]')).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    warm_ticket.locator('[data-action="bump"]').tap()
    expect(warm_ticket).to_have_count(0)
    expect(expo_card).to_have_attribute("data-status", "ready", timeout=LIVE_TIMEOUT_MS)
    expect(expo_card.locator(".badge--complete")).to_be_visible()
    pages.screenshot(expo, "8-expo-complete")

    # Anna's tablet is called: the toast stays until she taps it.
    call = anna.locator(".toast--ready")
    expect(call).to_have_text(re.compile("Table 4: Starters ready"), timeout=LIVE_TIMEOUT_MS)
    expect(anna.locator('.kitchen-state[data-course="1"]')).to_have_attribute("data-kitchen-status", "ready")
    pages.screenshot(anna, "9-anna-called")

    # Expo sends it out; it can be recalled from the side panel.
    expo_card.locator('[data-action="bump"]').tap()
    expect(expo_card).to_have_count(0)
    expect(expo.locator(".recent__button", has_text="4")).to_be_visible()
    pages.screenshot(expo, "10-expo-sent-out")
    expo.locator("#recall").tap()
    expect(ticket_card(expo, "4", "ready")).to_be_visible()

    # On the floor, table 4 carries a bell until Anna picks it up.
    anna.locator("#back").tap()
    anna.wait_for_url("**/floor/**")
    table = anna.locator('[data-table-number="4"]')
    expect(table).to_have_attribute("data-ready", "1")
    pages.screenshot(anna, "11-floor-bell")
    anna.locator(".toast--ready").tap()
    expect(anna.locator(".toast--ready")).to_have_count(0)
    expect(table).not_to_have_attribute("data-ready", "1")

    for screen in (warm, koud, expo):
        assert screen.evaluate("window.notReloaded") is True


def test_a_held_course_is_greyed_on_the_station_until_the_waiter_fires_it(kitchen, pages):
    warm = pages.open(TABLET, "/kitchen/")
    pair_screen(warm, kitchen["codes"]["warm"])

    # A soup now (course 1) and a steak for later (course 2 waits until fired).
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    open_table(anna, "7", 2)
    tap_item(anna, "Starters", "Soup of the day")
    tap_item(anna, "Mains", "Steak")
    dialog = anna.locator(".modifier-dialog")
    choose(dialog, "Well done")
    choose(dialog, "Fries")
    dialog.locator('[data-action="add"]').tap()
    anna.locator("#send").tap()
    expect(anna.locator('.line[data-status="sent"]')).to_have_count(2)

    held = ticket_card(warm, "7", "held")
    expect(held).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(held).to_contain_text("On hold")
    expect(held.locator('[data-action="bump"]')).to_have_count(0)
    expect(ticket_card(warm, "7", "new")).to_contain_text("Soup")
    # Held tickets come last and do not count all-day.
    expect(warm.locator(".card").last).to_have_attribute("data-status", "held")
    expect(warm.locator('.all-day__row[data-name="Steak"]')).to_have_count(0)
    pages.screenshot(warm, "1-held-greyed-1024")

    fire = anna.locator('[data-action="fire"][data-course="2"]')
    expect(fire).to_have_text("Fire Mains")
    pages.screenshot(anna, "2-anna-fire-button")
    fire.tap()
    expect(anna.locator('.kitchen-state[data-course="2"]')).to_have_attribute("data-kitchen-status", "fired")

    expect(ticket_card(warm, "7", "held")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(ticket_card(warm, "7", "new")).to_have_count(2)
    expect(warm.locator('.all-day__row[data-name="Steak"]')).to_have_attribute("data-qty", "1")

    # Rush: the kitchen puts the table first.
    anna.locator("#rush").tap()
    anna.locator('[data-action="confirm-rush"]').tap()
    expect(anna.locator("#rush")).to_be_disabled()
    expect(warm.locator('.card[data-table="7"][data-rush="true"]')).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(warm, "3-fired-and-rushed-1024")


def test_a_manager_pairs_a_screen_and_a_waiters_session_cannot_open_the_kitchen(kitchen, pages):
    # Anna is a waiter: /kitchen/ asks for a pairing code, the API and the socket refuse her.
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    anna.goto(pages.base_url + "/kitchen/")
    expect(anna.locator("#pair")).to_be_visible()
    warm_id = kitchen["ids"]["warm"]
    assert anna.request.get(f"{pages.base_url}/api/kitchen/stations/{warm_id}/board/").status == 403
    close_code = anna.evaluate(
        """(path) => new Promise((resolve) => {
            const socket = new WebSocket(`ws://${location.host}${path}`);
            socket.onclose = (event) => resolve(event.code);
        })""",
        f"/ws/kitchen/stations/{warm_id}/?after=0",
    )
    assert close_code == 4403
    anna.goto(pages.base_url + "/kitchen/stations/")
    expect(anna.locator("#name-tiles")).to_be_visible()  # the sign-in page: not a manager

    # Mila (manager) pairs a screen for the cold line from the kitchen screens page.
    mila = pages.open(TABLET)
    sign_in(mila, "Mila", "9999")
    mila.goto(pages.base_url + "/kitchen/stations/")
    koud_row = mila.locator(
        ".station-row", has=mila.locator(".station-row__name", has_text=re.compile(f"^{on_screen(mila, 'Cold')}$"))
    )
    koud_row.locator('[data-action="pair"]').first.tap()
    digits = mila.locator(".pairing-code__digits")
    expect(digits).to_have_attribute("data-code", re.compile(r"^\d{6}$"))
    pages.screenshot(mila, "1-pairing-code")
    code = digits.get_attribute("data-code")

    screen = pages.open(SCREEN_10_INCH, "/kitchen/")
    for digit in "000":
        screen.locator(f'.pair__key[data-digit="{digit}"]').tap()
    pages.screenshot(screen, "2-typing-a-code")
    screen.locator('.pair__key[data-key="clear"]').tap()
    pair_screen(screen, code, "Koud links")
    expect(screen.locator("#station-name")).to_have_text("Cold")
    pages.screenshot(screen, "3-paired-empty-board")

    # A used code does not pair a second screen.
    other = pages.open(SCREEN_10_INCH, "/kitchen/")
    for digit in code:
        other.locator(f'.pair__key[data-digit="{digit}"]').tap()
    other.locator("#pair-submit").tap()
    expect(other.locator("#pair-error")).to_contain_text("unknown, used or expired")

    # Mila sees the screen listed and unpairs it: its socket is closed and it shows the pairing page.
    with mila.expect_navigation():
        mila.locator(".pairing-code .button", has_text="Done").tap()  # closing reloads the list
    chip = mila.locator(".display-chip", has_text="Koud links")
    expect(chip).to_be_visible()
    pages.screenshot(mila, "4-stations-page")
    chip.locator('[data-action="unpair"]').tap()
    mila.locator('[data-action="confirm-unpair"]').tap()
    expect(chip).to_have_count(0)
    expect(screen.locator("#pair")).to_be_visible(timeout=LIVE_TIMEOUT_MS)


def _age_tickets(order_ids_by_minutes: dict[int, int]) -> None:
    """Make orders look fired that many minutes ago (screens read the ages from the server's times)."""
    from django.utils import timezone

    from kitchen.models import Fire, Ticket

    def work():
        for order_id, minutes in order_ids_by_minutes.items():
            then = timezone.now() - datetime.timedelta(minutes=minutes)
            Ticket.objects.filter(order_id=order_id).update(created_at=then, fired_at=then)
            Fire.objects.filter(order_id=order_id).update(created_at=then, fired_at=then)

    in_own_thread(work)


@pytest.fixture
def long_dutch_station_name(demo_data):
    """The dessert station's Dutch name, as long as a real kitchen's (asked for before `pages`)."""
    Station.objects.filter(outlet__name=BISTRO, code="dessert").update(name_nl=LONG_DUTCH_NAME)


def test_a_busy_evening_reads_from_two_metres(kitchen, long_dutch_station_name, pages):
    warm = pages.open(TV, "/kitchen/")
    pair_screen(warm, kitchen["codes"]["warm"], "Grill")
    koud = pages.open(TABLET, "/kitchen/")
    pair_screen(koud, kitchen["codes"]["koud"])
    expo = pages.open(TV, "/kitchen/")
    pair_screen(expo, kitchen["codes"]["expo"])

    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    base = pages.base_url
    starters = 1  # everything below fires at once, as if each table had ordered everything as starters
    t1 = send_order(
        anna,
        base,
        "1",
        [
            {"item": "Steak", "seat": 1, "course": starters, "modifiers": ["Rare", "Fries"]},
            {"item": "Steak", "seat": 2, "course": starters, "modifiers": ["Medium", "Mashed potatoes"]},
            {"item": "Carpaccio", "seat": 1, "course": starters},
        ],
    )
    t2 = send_order(
        anna,
        base,
        "2",
        [
            {
                "item": "Bistro burger",
                "seat": 1,
                "course": starters,
                "modifiers": ["Medium rare", "Bacon", "Cheese", "Fries"],
            },
            {
                "item": "Chicken satay",
                "seat": 2,
                "course": starters,
                "modifiers": ["Fries"],
                "note": "Extra peanut sauce",
            },
            {"item": "Goat cheese salad", "seat": 2, "course": starters},
        ],
    )
    send_order(
        anna,
        base,
        "3",
        [
            {"item": "Salmon fillet", "seat": 1, "course": starters, "modifiers": ["Side salad", "Yoghurt-mint"]},
            {"item": "Wiener schnitzel", "seat": 2, "course": starters, "modifiers": ["Fries"]},
        ],
    )
    t5 = send_order(
        anna,
        base,
        "5",
        [
            {"item": "Soup of the day", "qty": 2, "seat": 0, "course": starters},
            {"item": "Bitterballen (8 pcs)", "seat": 0, "course": starters},
        ],
        covers=4,
    )
    api_post(anna, base, f"/api/kitchen/orders/{t5['id']}/rush/", {})
    t8 = send_order(
        anna,
        base,
        "8",
        [
            {"item": "Rack of lamb", "seat": 1, "course": starters, "modifiers": ["Medium rare", "Mashed potatoes"]},
            {"item": "Steak", "seat": 2, "course": starters, "modifiers": ["Well done", "Fries"]},
            {"item": "Mushroom risotto", "seat": 3, "course": starters},
        ],
        covers=3,
    )
    send_order(
        anna,
        base,
        "10",
        [
            {"item": "Steak", "seat": 1, "course": starters, "modifiers": ["Medium rare", "Fries"]},
            {"item": "Chicken satay", "seat": 2, "course": 2, "modifiers": ["Fries"]},
        ],
    )
    _age_tickets({t1["id"]: 13, t2["id"]: 6})

    # A late note on table 8's steak flashes; table 8's risotto is voided (with Mila's approval).
    steak_8 = next(line for line in t8["lines"] if line["name"] == "Steak")
    api_post(anna, base, f"/api/orders/{t8['id']}/lines/{steak_8['id']}/note/", {"note": "Allergy: no butter"})
    risotto_8 = next(line for line in t8["lines"] if line["name"] == "Mushroom risotto")
    mila_id = next(p["id"] for p in anna.request.get(f"{base}/api/staff/sign-in-tiles/").json() if p["name"] == "Mila")
    api_post(
        anna,
        base,
        f"/api/orders/{t8['id']}/lines/{risotto_8['id']}/void/",
        {"reason": "Guest changed their mind", "approver": mila_id, "approver_pin": "9999"},
    )

    expect(warm.locator(".card--void")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(warm.locator(".kitem__note--fresh")).to_have_text("Allergy: no butter", timeout=LIVE_TIMEOUT_MS)
    # The aged tickets were changed behind the screens' backs: a fresh board shows their age.
    for screen in (warm, koud, expo):
        screen.reload()
        expect(screen.locator('#online[data-online="true"]')).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    # Rush first, then oldest first; the held course last and greyed.
    cards = warm.locator(".card")
    expect(cards.first).to_have_attribute("data-table", "5")
    expect(cards.nth(1)).to_have_attribute("data-table", "1")
    expect(cards.nth(1)).to_have_attribute("data-age", "late")
    expect(cards.nth(2)).to_have_attribute("data-age", "warn")
    expect(cards.last).to_have_attribute("data-status", "held")
    expect(warm.locator('.all-day__row[data-name="Steak"]')).to_have_attribute("data-qty", "4")

    # The grill gets going on table 2: the burger is done, the satay is on.
    table_2 = ticket_card(warm, "2")
    table_2.locator(".kitem", has_text="burger").locator(".kitem__body").tap()
    table_2.locator(".kitem", has_text="burger").locator(".kitem__body").tap()
    table_2.locator(".kitem", has_text="Chicken satay").locator(".kitem__body").tap()
    expect(table_2.locator('.kitem[data-status="ready"]')).to_have_count(1)
    expect(table_2.locator('.kitem[data-status="in_progress"]')).to_have_count(1)
    ticket_card(warm, "3").locator('[data-action="start"]').tap()
    expect(ticket_card(warm, "3")).to_have_attribute("data-status", "in_progress")
    expect(warm.locator('.all-day__row[data-name="Burger"], .all-day__row[data-name="Bistro burger"]')).to_have_count(0)
    pages.screenshot(warm, "1-warm-1080p")

    ticket_card(koud, "1").locator('[data-action="bump"]').tap()
    expect(ticket_card(koud, "1")).to_have_count(0)
    pages.screenshot(koud, "2-koud-1024")
    koud.set_viewport_size({"width": 1280, "height": 800})
    pages.screenshot(koud, "3-koud-1280")

    expect(expo.locator(".card--fire")).to_have_count(6)
    pages.screenshot(expo, "4-expo-1080p")
    expo.set_viewport_size({"width": 1024, "height": 768})
    pages.screenshot(expo, "5-expo-1024")
    assert_header_fits(expo, "expo-1024")

    # The cold line's screen on a tablet, a 10" kitchen display and a cook's phone.
    for name, size in (("1024", TABLET), ("1280", SCREEN_10_INCH), ("phone", PHONE)):
        koud.set_viewport_size(size["viewport"])
        assert_header_fits(koud, f"koud-{name}")

    # In Dutch, with a long station name: the dessert station's screen.
    dessert = pages.open({**TABLET, "locale": "nl-NL"}, "/kitchen/")
    pair_screen(dessert, kitchen["codes"]["dessert"], "Patisserie")
    expect(dessert.locator("#station-name")).to_have_text(LONG_DUTCH_NAME)
    for name, size in (("1024", TABLET), ("1280", SCREEN_10_INCH), ("phone", PHONE)):
        dessert.set_viewport_size(size["viewport"])
        pages.screenshot(dessert, f"6-dessert-nl-{name}")
        assert_header_fits(dessert, f"dessert-nl-{name}")


def assert_header_fits(page, step: str) -> None:
    """The station's name, its counts, the buttons and the clock side by side, none over another or cut off."""
    found = page.evaluate(HEADER_BOXES)
    assert found["pageWidth"] <= found["width"], f"{step}: the page is {found['pageWidth']}px wide"
    assert not found["nameCut"], f"{step}: the station's name is cut off"
    boxes = found["boxes"]
    assert len(boxes) >= 5, f"{step}: only {len(boxes)} parts in the header"
    for box in boxes:
        assert box["left"] >= 0 and box["right"] <= found["width"] + 0.5, f"{step}: {box['label']} sticks out"
    for a, b in ((a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]):
        apart = (
            a["right"] <= b["left"] + 0.5
            or b["right"] <= a["left"] + 0.5
            or a["bottom"] <= b["top"] + 0.5
            or b["bottom"] <= a["top"] + 0.5
        )
        assert apart, f"{step}: {a['label']} overlaps {b['label']}"
