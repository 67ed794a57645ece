"""Table actions on the order screen, tabs and takeaway on the floor, clocking in and out.

A real browser against a real daphne with the demo data; Bram's tablet watches the floor
and must see every change without a reload.
"""

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, open_table, pick, sign_in, tap_item

ORDER_URL = re.compile(r"/orders/(\d+)/$")
FLOOR_URL = re.compile(r"/floor/(\?outlet=\d+)?$")


def order_id(page: Page) -> int:
    return int(ORDER_URL.search(page.url).group(1))


def send(page: Page, sent: int) -> None:
    page.locator("#send").tap()
    expect(page.locator('.line[data-status="sent"]')).to_have_count(sent)
    expect(page.locator('.line[data-status="pending"]')).to_have_count(0)


def back_to_floor(page: Page) -> None:
    page.locator("#back").tap()
    page.wait_for_url(FLOOR_URL)
    expect(page.locator(".table").first).to_be_visible()


def table_menu(page: Page, action: str) -> None:
    page.locator("#order-actions").tap()
    expect(page.locator(".actions-sheet")).to_be_visible()
    page.locator(f'.actions-sheet [data-action="{action}"]').tap()


def post(page: Page, base_url: str, path: str):
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(base_url + path, data={}, headers={"X-CSRFToken": csrf, "Referer": base_url + "/"})


def table_state(page: Page, base_url: str, outlet: int, number: str) -> str:
    floor = page.request.get(f"{base_url}/api/outlets/{outlet}/floor/").json()
    return next(t["state"] for area in floor["areas"] for t in area["tables"] if t["number"] == number)


def test_anna_moves_merges_hands_over_and_serves_while_bram_watches(pages):
    bram = pages.open(TABLET)
    sign_in(bram, "Bram", "2222")
    bram.evaluate("window.notReloaded = true")

    def on_bram(number: str):
        return bram.locator(f'.table[data-table-number="{number}"]')

    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")

    # Table 5: two guests, a carpaccio for seat 2.
    table_5 = open_table(anna, "5", 2)
    pick(anna, "seat", 2)
    tap_item(anna, "Starters", "Carpaccio")
    send(anna, 1)
    back_to_floor(anna)

    # Table 4: two guests, soup (starters) for seat 1 and a risotto (mains) for seat 2.
    table_4 = open_table(anna, "4", 2)
    outlet = anna.request.get(f"{pages.base_url}/api/orders/{table_4}/").json()["outlet"]
    pick(anna, "seat", 1)
    tap_item(anna, "Starters", "Soup of the day")
    pick(anna, "seat", 2)
    tap_item(anna, "Mains", "Mushroom risotto")
    send(anna, 2)
    expect(on_bram("4")).to_have_attribute("data-state", "food_sent", timeout=LIVE_TIMEOUT_MS)
    expect(on_bram("5")).to_have_attribute("data-state", "food_sent", timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(anna, "1-order")

    # Move table 4 to table 7: the menu offers only free tables, grouped by area.
    anna.locator("#order-actions").tap()
    sheet = anna.locator(".actions-sheet")
    expect(sheet.locator(".action-button")).to_have_count(3)
    pages.screenshot(anna, "2-table-menu")
    sheet.locator('[data-action="move"]').tap()
    expect(sheet.locator(".choice-area")).to_have_count(2)  # Restaurant and Terras
    expect(sheet.locator(".choice-area__title")).to_have_text(["Restaurant", "Terrace"])
    expect(sheet.locator('.table-choice[data-table-number="7"]')).to_be_visible()
    expect(sheet.locator('.table-choice[data-table-number="4"]')).to_have_count(0)
    expect(sheet.locator('.table-choice[data-table-number="5"]')).to_have_count(0)
    expect(sheet.locator('.table-choice:not([data-state="free"])')).to_have_count(0)
    pages.screenshot(anna, "3-move")
    sheet.locator('.table-choice[data-table-number="7"]').tap()
    expect(sheet).to_have_count(0)
    expect(anna.locator("#order-title")).to_have_text("Table 7")
    assert order_id(anna) == table_4
    expect(on_bram("4")).to_have_attribute("data-state", "free", timeout=LIVE_TIMEOUT_MS)
    expect(on_bram("7")).to_have_attribute("data-state", "food_sent", timeout=LIVE_TIMEOUT_MS)
    expect(on_bram("7")).to_contain_text("2/6")

    # Merge table 5 into table 7: its guests' seats come after table 7's two.
    table_menu(anna, "merge")
    expect(sheet.locator(".merge-explain")).to_contain_text("seat 1 becomes seat 3")
    expect(sheet.locator('.table-choice[data-table-number="5"]')).to_be_visible()
    expect(sheet.locator('.table-choice[data-table-number="7"]')).to_have_count(0)  # not into itself
    confirm = sheet.locator('[data-action="merge-confirm"]')
    expect(confirm).to_be_disabled()
    sheet.locator('.table-choice[data-table-number="5"]').tap()
    expect(sheet.locator('.table-choice[data-table-number="5"]')).to_have_attribute("aria-pressed", "true")
    expect(confirm).to_have_text("Merge table 5 into table 7")
    expect(sheet.locator(".merge-explain")).to_contain_text("Table 5 joins this order")
    pages.screenshot(anna, "4-merge")
    confirm.tap()
    expect(sheet).to_have_count(0)
    expect(anna.locator("#order-covers")).to_have_text("4 covers")
    expect(anna.locator(".ticket-seat")).to_have_count(3)
    expect(anna.locator('.ticket-course[data-course="1"] .ticket-seat[data-seat="1"]')).to_contain_text(
        "Soup of the day"
    )
    expect(anna.locator('.ticket-course[data-course="1"] .ticket-seat[data-seat="4"]')).to_contain_text("Carpaccio")
    expect(anna.locator('.ticket-course[data-course="2"] .ticket-seat[data-seat="2"]')).to_contain_text("risotto")
    pages.screenshot(anna, "5-merged")
    expect(on_bram("5")).to_have_attribute("data-state", "free", timeout=LIVE_TIMEOUT_MS)
    expect(on_bram("7")).to_contain_text("4/6", timeout=LIVE_TIMEOUT_MS)
    merged = anna.request.get(f"{pages.base_url}/api/orders/{table_5}/").json()
    assert (merged["status"], merged["merged_into"]) == ("merged", table_4)

    # Hand over to Bram: waiters, bartenders and managers are offered, kitchen staff are not.
    table_menu(anna, "handover")
    expect(sheet.locator(".staff-choice").first).to_be_visible()
    expect(sheet.locator(".staff-choice", has_text="Anna")).to_be_disabled()
    expect(sheet.locator(".staff-choice", has_text="Sanne")).to_contain_text("Bartender")
    expect(sheet.locator(".staff-choice", has_text="Mila")).to_contain_text("Manager")
    expect(sheet.locator(".staff-choice", has_text="Kees")).to_have_count(0)
    pages.screenshot(anna, "6-handover")
    sheet.locator(".staff-choice", has_text="Bram").tap()
    expect(sheet).to_have_count(0)
    expect(anna.locator("#order-waiter")).to_have_text("Bram")
    expect(on_bram("7").locator(".table__waiter")).to_have_text("BR", timeout=LIVE_TIMEOUT_MS)

    # Starters served: the mains wait at the kitchen (held, Fire rather than Served), so the food is not all out.
    starters = anna.locator('.ticket-course[data-course="1"]')
    mains = anna.locator('.ticket-course[data-course="2"]')
    starters.locator('[data-action="serve"]').tap()
    expect(starters.locator('.line[data-status="served"]')).to_have_count(2)
    expect(starters.locator('[data-action="serve"]')).to_have_count(0)
    expect(mains.locator('.line[data-status="sent"]')).to_have_count(1)
    expect(mains.locator('[data-action="serve"]')).to_have_count(0)
    pages.screenshot(anna, "7-starters-served")
    assert table_state(anna, pages.base_url, outlet, "7") == "food_sent"

    # Mains fired, then served: nothing is at the kitchen any more, and Bram's floor shows "served".
    mains.locator('[data-action="fire"]').tap()
    mains.locator('[data-action="serve"]').tap()
    expect(anna.locator('.line[data-status="served"]')).to_have_count(3)
    expect(anna.locator('[data-action="serve"]')).to_have_count(0)
    expect(on_bram("7")).to_have_attribute("data-state", "served", timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(anna, "8-all-served")
    pages.screenshot(bram, "9-bram-floor")
    assert bram.evaluate("window.notReloaded") is True


def test_a_bar_tab_from_the_floor_and_clocking_in_and_out(pages):
    bram = pages.open(TABLET)
    sign_in(bram, "Bram", "2222")
    expect(bram.locator("#open-orders .open-orders__empty")).to_be_visible()
    bram.evaluate("window.notReloaded = true")

    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")

    # A bar tab needs a name; the dialog says so before asking the server.
    anna.locator("#new-order").tap()
    dialog = anna.locator(".new-order-dialog")
    dialog.locator('.chip[data-kind="bar_tab"]').tap()
    expect(dialog.locator('.chip[data-kind="bar_tab"]')).to_have_attribute("aria-checked", "true")
    expect(dialog.locator('input[name="room_number"]')).to_be_hidden()
    dialog.locator('[data-action="open"]').tap()
    expect(dialog.locator(".field__error")).to_have_text("Give the tab a name.")
    dialog.locator('input[name="tab_name"]').fill("Jansen")
    dialog.locator('[data-action="more"]').tap()
    expect(dialog.locator('output[name="covers"]')).to_have_text("2")
    pages.screenshot(anna, "1-new-tab")
    dialog.locator('[data-action="open"]').tap()
    anna.wait_for_url(ORDER_URL)
    tab = order_id(anna)
    expect(anna.locator("#order-title")).to_have_text("Jansen")
    expect(anna.locator("#order-kind")).to_have_text("Bar tab")
    expect(anna.locator("#order-covers")).to_have_text("2 covers")
    expect(anna.locator("#order-actions")).to_contain_text("Order")
    tap_item(anna, "Soft drinks & coffee", "Coca-Cola")
    send(anna, 1)
    pages.screenshot(anna, "2-tab")

    # Bram's floor lists the tab without a reload; so does Anna's when she goes back.
    on_bram = bram.locator(f'.order-tile[data-order-id="{tab}"]')
    expect(on_bram).to_contain_text("Jansen", timeout=LIVE_TIMEOUT_MS)
    expect(on_bram).to_contain_text("Bar tab")
    expect(on_bram).to_contain_text("Anna")
    assert bram.evaluate("window.notReloaded") is True
    back_to_floor(anna)
    tile = anna.locator(".order-tile", has_text="Jansen")
    expect(tile).to_be_visible()
    pages.screenshot(anna, "3-floor-with-tab")
    tile.tap()
    anna.wait_for_url(f"**/orders/{tab}/")
    back_to_floor(anna)

    # Room service takes a room number and is named after the room.
    anna.locator("#new-order").tap()
    dialog.locator('.chip[data-kind="room_service"]').tap()
    expect(dialog.locator('input[name="tab_name"]')).to_be_hidden()
    dialog.locator('input[name="room_number"]').fill("214")
    dialog.locator('input[name="room_number"]').press("Enter")
    anna.wait_for_url(ORDER_URL)
    expect(anna.locator("#order-title")).to_have_text("Room 214")
    expect(bram.locator(".order-tile", has_text="Room 214")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    back_to_floor(anna)
    expect(anna.locator(".order-tile")).to_have_count(2)

    # Clock in, still on shift after a reload, clock out.
    clock = anna.locator("#clock")
    expect(clock).to_have_text("Clock in")
    clock.tap()
    expect(clock).to_have_text(re.compile(r"^On shift since \d\d:\d\d$"))
    expect(clock).to_have_attribute("data-on-shift", "true")
    pages.screenshot(anna, "4-clocked-in")
    since = clock.inner_text()
    anna.reload()
    expect(clock).to_have_text(since)
    clock.tap()
    expect(anna.locator(".clock-dialog")).to_contain_text(f"{since} (0 min)")
    pages.screenshot(anna, "5-clock-out")
    anna.locator('.clock-dialog [data-action="clock-out"]').tap()
    expect(clock).to_have_text("Clock in")
    expect(anna.locator(".toast--ok", has_text="Clocked out")).to_be_visible()

    # Another tablet clocks Anna in behind this one's back: the refusal is shown, and so is the shift.
    assert post(anna, pages.base_url, "/api/staff/clock-in/").status == 201
    clock.tap()
    expect(anna.locator(".toast--info")).to_have_text("You are already clocked in.")
    expect(clock).to_have_text(re.compile(r"^On shift"))
    expect(clock).to_have_attribute("data-on-shift", "true")

    # Room service has no floor plan: its page is all open orders, and new ones default to a room.
    anna.locator(".outlet-tabs .tab", has_text="Room service").tap()
    expect(anna.locator("#floor.floor--no-plan")).to_be_visible()
    expect(anna.locator("#open-orders .open-orders__empty")).to_be_visible()
    anna.locator("#new-order").tap()
    expect(dialog.locator('.chip[data-kind="room_service"]')).to_have_attribute("aria-checked", "true")
    dialog.locator('input[name="room_number"]').fill("301")
    dialog.locator('[data-action="open"]').tap()
    anna.wait_for_url(ORDER_URL)
    expect(anna.locator("#order-title")).to_have_text("Room 301")
    anna.locator("#back").tap()
    expect(anna.locator(".order-tile", has_text="Room 301")).to_be_visible()
    pages.screenshot(anna, "6-room-service")


def test_on_a_phone_the_table_menu_moves_a_table_and_offers_a_handover(pages):
    page = pages.open(PHONE)
    sign_in(page, "Anna", "1111")
    pages.screenshot(page, "1-floor")

    open_table(page, "2", 2)
    tap_item(page, "Starters", "Soup of the day")
    expect(page.locator("#ticket-summary")).to_contain_text("1 ·")
    menu_button = page.locator("#order-actions")
    box = menu_button.bounding_box()
    assert box["width"] >= 48 and box["height"] >= 48 and box["x"] + box["width"] <= 390, box
    pages.screenshot(page, "2-order")

    menu_button.tap()
    pages.screenshot(page, "3-table-menu")
    page.locator('.actions-sheet [data-action="move"]').tap()
    choice = page.locator('.actions-sheet .table-choice[data-table-number="3"]')
    expect(choice).to_be_visible()
    pages.screenshot(page, "4-move")
    choice.tap()
    expect(page.locator("#order-title")).to_have_text("Table 3")
    page.locator("#show-ticket").tap()
    expect(page.locator('.line[data-status="pending"]')).to_contain_text("Soup of the day")

    table_menu(page, "handover")
    expect(page.locator(".actions-sheet .staff-choice", has_text="Bram")).to_be_visible()
    pages.screenshot(page, "5-handover")
    page.locator('.actions-sheet [data-action="back"]').tap()
    expect(page.locator('.actions-sheet [data-action="move"]')).to_be_visible()
    page.locator('.actions-sheet [data-action="close"]').tap()
    expect(page.locator(".actions-sheet")).to_have_count(0)

    # The soup is not sent: leaving asks first, and the waiter leaves it for now.
    page.locator("#back").tap()
    page.locator('.leave-dialog [data-action="leave"]').tap()
    page.wait_for_url(FLOOR_URL)
    expect(page.locator('.table[data-table-number="2"]')).to_have_attribute("data-state", "free")
    expect(page.locator('.table[data-table-number="3"]')).to_have_attribute("data-state", "ordered")
    pages.screenshot(page, "6-floor")

    # A takeaway order from the phone's floor: it joins the strip under the plan.
    page.locator("#new-order").tap()
    dialog = page.locator(".new-order-dialog")
    dialog.locator('.chip[data-kind="takeaway"]').tap()
    dialog.locator('input[name="tab_name"]').fill("De Wit")
    pages.screenshot(page, "7-new-order")
    dialog.locator('[data-action="open"]').tap()
    page.wait_for_url(ORDER_URL)
    expect(page.locator("#order-title")).to_have_text("De Wit")
    pages.screenshot(page, "8-takeaway")
    back_to_floor(page)
    expect(page.locator(".order-tile", has_text="De Wit")).to_contain_text("Takeaway")
    pages.screenshot(page, "9-floor-with-takeaway")
