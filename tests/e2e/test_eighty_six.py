"""86 from the screens, in a real browser: Kees (kitchen, 3333) signs in on the normal sign-in
screen, opens his station and 86'es the salmon with a long press; Anna's tablet (waiter, 1111,
on the order screen) shows it sold out at once. The 86 board's countdown, live both ways. A
waiter 86'es with Mila's PIN (manager, 9999) where the outlet asks for it.

Each runs at tablet and phone size and in Dutch (selectors use data attributes, not words).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from orders.models import Item
from tables.models import Outlet
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, enter_pin, in_own_thread, on_screen, open_table, send_order, sign_in

BISTRO = "Bistro De Tafel"
SALMON = "Salmon fillet"  # on the kitchen's ticket as "Salmon"
DEVICES = [(TABLET, "en"), (PHONE, "en"), (TABLET, "nl")]
DEVICE_IDS = ["tablet", "phone", "tablet-nl"]
HOLD_MS = 900


@pytest.fixture
def salmon(demo_data) -> int:
    """The bistro's salmon (asked for before `pages`: the ORM refuses Playwright's thread)."""
    return Item.objects.get(name=SALMON, category__menu__outlet__name=BISTRO).pk


def long_press(page: Page, locator) -> None:
    """Hold a finger (the pointer) still on an element, as a cook or a waiter would."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(HOLD_MS)
    page.mouse.up()


def kitchen_sign_in(page: Page) -> None:
    page.locator(".name-tile", has_text="Kees").tap()
    enter_pin(page, "3333")
    page.locator(".pin-ok").tap()
    page.wait_for_url("**/kitchen/")
    expect(page.locator("#kitchen-home")).to_be_visible()


def anna_on_the_order_screen(pages, device: dict, table: str) -> Page:
    anna = pages.open(device)
    sign_in(anna, "Anna", "1111")
    open_table(anna, table, 2)
    anna.locator(".category", has_text=on_screen(anna, "Mains")).tap()
    return anna


def salmon_tile(page: Page, salmon: int):
    return page.locator(f'.item[data-item-id="{salmon}"]')


@pytest.mark.parametrize(("device", "language"), DEVICES, ids=DEVICE_IDS)
def test_kees_86es_the_salmon_from_his_station_and_annas_tablet_shows_it_at_once(
    salmon, pages, server_url, device, language
):
    device = {**device, "locale": language}
    anna = anna_on_the_order_screen(pages, device, "5")
    expect(salmon_tile(anna, salmon)).to_have_attribute("data-86", "false")
    anna.evaluate("window.notReloaded = true")
    # A salmon on its way to the hot line, so Kees has a ticket to hold his finger on.
    send_order(anna, server_url, "6", [{"item": SALMON, "modifiers": ["Fries"], "course": 1}])

    kees = pages.open(device, "/")
    kitchen_sign_in(kees)
    pages.screenshot(kees, "1-kitchen-home")
    expect(kees.locator(".station-link")).not_to_have_count(0)
    kees.locator(".station-link", has_text=on_screen(kees, "Hot")).first.tap()
    expect(kees.locator("#station-name")).to_have_text(on_screen(kees, "Hot"))
    expect(kees.locator('#online[data-online="true"]')).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    salmon_row = kees.locator(f'.card[data-table="6"] .kitem[data-menu-item="{salmon}"]')
    expect(salmon_row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(kees, "2-station-with-the-salmon")

    # A long press opens the 86 panel on that item (and does not start cooking it).
    long_press(kees, salmon_row)
    panel = kees.locator(".kds-86")
    expect(panel).to_be_visible()
    row = panel.locator(f'.sold-out-item[data-item-id="{salmon}"]')
    expect(panel.locator(".sold-out-item")).to_have_count(1)
    expect(row).to_have_attribute("data-state", "available")
    expect(salmon_row).to_have_attribute("data-status", "new")
    pages.screenshot(kees, "3-86-panel-on-the-salmon")
    row.locator('[data-action="86"]').tap()
    expect(row).to_have_attribute("data-state", "86")

    # Anna's tablet, open all along: the tile is sold out without a reload.
    expect(salmon_tile(anna, salmon)).to_have_attribute("data-86", "true", timeout=LIVE_TIMEOUT_MS)
    expect(salmon_tile(anna, salmon)).to_be_disabled()
    assert anna.evaluate("window.notReloaded") is True
    pages.screenshot(anna, "4-anna-sees-the-salmon-sold-out")

    # The 86 button opens the panel on every item, with a search; back on from there.
    panel.locator('[data-action="close"]').tap()
    kees.locator("#open-86").tap()
    expect(panel.locator(".sold-out-item")).not_to_have_count(1)
    panel.locator(".kds-86__search").fill(on_screen(kees, "Salmon").lower())
    expect(panel.locator(".sold-out-item")).to_have_count(1)
    pages.screenshot(kees, "5-86-button-panel-search")
    panel.locator(f'.sold-out-item[data-item-id="{salmon}"] [data-action="back-on"]').tap()
    expect(salmon_tile(anna, salmon)).to_have_attribute("data-86", "false", timeout=LIVE_TIMEOUT_MS)


@pytest.mark.parametrize(("device", "language"), DEVICES, ids=DEVICE_IDS)
def test_the_86_board_counts_down_and_hears_the_waiters_tablet(salmon, pages, device, language):
    device = {**device, "locale": language}
    anna = anna_on_the_order_screen(pages, device, "5")

    kees = pages.open(device, "/")
    kitchen_sign_in(kees)
    outlet = int(re.search(r"outlet=(\d+)", kees.locator(".station-link--86").first.get_attribute("href")).group(1))
    kees.locator(f"#to-86-{outlet}").tap()
    # The board loads once its socket is open: from then on it hears every change.
    expect(kees.locator("#sold-out-board")).to_have_attribute("aria-busy", "false", timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(kees, "1-86-board")

    # Kees sets a countdown of 3 salmon: Anna's tile says how many are left.
    kees.locator("#sold-out-search").fill(on_screen(kees, "Salmon").lower())
    row = kees.locator(f'.sold-out-item[data-item-id="{salmon}"]')
    expect(kees.locator(".sold-out-item")).to_have_count(1)
    row.locator('input[name="remaining_qty"]').fill("3")
    row.locator('[data-action="countdown"]').tap()
    expect(row).to_have_attribute("data-state", "countdown")
    badge = salmon_tile(anna, salmon).locator(".item__badge")
    expect(badge).to_have_text("Nog 3" if language == "nl" else "3 left", timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(kees, "2-countdown-set")
    pages.screenshot(anna, "3-anna-sees-3-left")

    # A bad number is refused on the spot, naming what is wanted.
    row.locator('input[name="remaining_qty"]').fill("-2")
    row.locator('[data-action="countdown"]').tap()
    expect(row).to_have_attribute("data-state", "countdown")

    # Clearing the countdown takes the badge away.
    row.locator('[data-action="clear-countdown"]').tap()
    expect(row).to_have_attribute("data-state", "available")
    expect(badge).to_have_count(0, timeout=LIVE_TIMEOUT_MS)

    # Anna holds a tile and 86'es the Lamsrack: the board shows it at once (only sold out shown).
    kees.locator("#sold-out-search").fill("")
    kees.locator("#sold-out-only").check()
    lamb = anna.locator(
        ".item", has=anna.locator(".item__name", has_text=re.compile(f"^{on_screen(anna, 'Rack of lamb')}$"))
    )
    long_press(anna, lamb)
    sheet = anna.locator(".sold-out-sheet")
    expect(sheet).to_be_visible()
    pages.screenshot(anna, "4-waiter-86-sheet")
    sheet.locator('[data-action="86"]').tap()
    expect(sheet).to_have_count(0)
    expect(lamb).to_have_attribute("data-86", "true")
    lamb_row = kees.locator(".sold-out-item", has_text=on_screen(kees, "Rack of lamb"))
    expect(lamb_row).to_have_attribute("data-state", "86", timeout=LIVE_TIMEOUT_MS)
    # The Dagvangst counts down from the demo's 8, so the filter shows it too.
    expect(kees.locator(".sold-out-item", has_text=on_screen(kees, "Catch of the day"))).to_have_attribute(
        "data-state", "countdown"
    )

    # A choice sold out on the board.
    kees.locator("#sold-out-only").uncheck()
    kees.locator("#sold-out-search").fill(on_screen(kees, "Fries"))
    fries = kees.locator(".sold-out-item--choice").first
    fries.locator('[data-action="86"]').tap()
    expect(fries).to_have_attribute("data-state", "86")
    pages.screenshot(kees, "5-board-live")


@pytest.fixture
def waiters_need_a_manager(demo_data) -> None:
    Outlet.objects.filter(name=BISTRO).update(waiter_86_needs_manager=True)


@pytest.mark.parametrize(("device", "language"), DEVICES, ids=DEVICE_IDS)
def test_a_waiter_86es_with_the_managers_pin_where_the_outlet_asks(
    waiters_need_a_manager, salmon, pages, device, language
):
    anna = anna_on_the_order_screen(pages, {**device, "locale": language}, "5")
    expect(anna.locator("#order")).to_have_attribute("data-sold-out-asks-manager", "true")

    long_press(anna, salmon_tile(anna, salmon))
    sheet = anna.locator(".sold-out-sheet")
    sheet.locator('[data-action="86"]').tap()
    # Mila approves: her name, then her PIN (a wrong one first).
    sheet.locator(".chip[data-manager-id]", has_text="Mila").tap()
    pages.screenshot(anna, "1-manager-approves")
    for digit in "1234":
        sheet.locator(f'.pin-key[data-digit="{digit}"]').tap()
    sheet.locator(".pin-ok").tap()
    expect(sheet.locator(".pin-error")).to_have_text(re.compile(r"\S"), timeout=20_000)
    expect(salmon_tile(anna, salmon)).to_have_attribute("data-86", "false")
    for digit in "9999":
        sheet.locator(f'.pin-key[data-digit="{digit}"]').tap()
    sheet.locator(".pin-ok").tap()
    expect(sheet).to_have_count(0, timeout=20_000)
    expect(salmon_tile(anna, salmon)).to_have_attribute("data-86", "true")
    pages.screenshot(anna, "2-sold-out-with-approval")
    approved = in_own_thread(lambda: list(Item.objects.filter(pk=salmon).values_list("is_available", flat=True)))
    assert approved == [False]
