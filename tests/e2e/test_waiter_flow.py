"""The waiter's main path in a real browser, against a real daphne, with the demo data."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, choose, enter_pin, open_table, pick, sign_in, tap_item


def euro_en(cents: int) -> str:
    return f"€{cents // 100}.{cents % 100:02d}"


def line_price(menu: dict, item_name: str, modifier_names: list[str]) -> int:
    """What the menu from the API says a line costs: the first free_choices of a group are free."""
    item = next(i for c in menu["categories"] for i in c["items"] if i["name"] == item_name)
    groups = menu["modifier_groups"].values()
    price = item["price"]
    chosen_per_group: dict[int, int] = {}
    for name in modifier_names:
        group, modifier = next((g, m) for g in groups for m in g["modifiers"] if m["name"] == name)
        chosen_per_group[group["id"]] = chosen_per_group.get(group["id"], 0) + 1
        if chosen_per_group[group["id"]] > group["free_choices"]:
            price += modifier["price_delta"]
    return price


def test_a_wrong_pin_says_how_many_tries_are_left(pages):
    page = pages.open(TABLET)
    page.locator(".name-tile", has_text="Anna").tap()
    enter_pin(page, "1234")
    page.locator(".pin-ok").tap()
    expect(page.locator(".pin-error")).to_contain_text("4 tries left")
    expect(page.locator(".pin-dot--filled")).to_have_count(0)
    pages.screenshot(page, "1-wrong-pin")

    # A physical keyboard works too.
    page.keyboard.type("1111")
    expect(page.locator(".pin-dot--filled")).to_have_count(4)
    page.keyboard.press("Enter")
    page.wait_for_url("**/floor/")

    # Tablets on the LAN use plain http, where crypto.randomUUID is missing: the fallback makes v4 UUIDs.
    uuid = page.evaluate("import('/static/waiter/api.js').then((api) => api.uuidFromRandomBytes())")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid)


def test_anna_takes_table_4_and_bram_sees_it_live(pages):
    # Bram's tablet shows the floor before Anna does anything.
    bram = pages.open(TABLET)
    sign_in(bram, "Bram", "2222")
    table_on_bram = bram.locator('[data-table-number="4"]')
    expect(table_on_bram).to_have_attribute("data-state", "free")
    bram.evaluate("window.notReloaded = true")

    anna = pages.open(TABLET)
    pages.screenshot(anna, "1-sign-in")
    sign_in(anna, "Anna", "1111")
    expect(anna.locator("#me")).to_have_text("Anna")
    pages.screenshot(anna, "2-floor")

    anna.locator('[data-table-number="4"]').tap()
    expect(anna.locator(".covers-dialog")).to_be_visible()
    pages.screenshot(anna, "3-covers")
    anna.locator('.cover-button[data-covers="3"]').tap()
    anna.wait_for_url(re.compile(r"/orders/\d+/$"))
    order_id = int(re.search(r"/orders/(\d+)/", anna.url).group(1))
    expect(anna.locator("#order-title")).to_have_text("Table 4")
    expect(anna.locator("#order-covers")).to_have_text("3 covers")
    expect(table_on_bram).to_have_attribute("data-state", "seated", timeout=LIVE_TIMEOUT_MS)

    order = anna.request.get(f"{pages.base_url}/api/orders/{order_id}/").json()
    menu = anna.request.get(f"{pages.base_url}/api/outlets/{order['outlet']}/menu/").json()
    expect(anna.locator(".item").first).to_be_visible()
    pages.screenshot(anna, "4-order")

    # Seat 1: a steak; "Add" stays disabled until Cooking (exactly 1) and Side (1, first free) are chosen.
    pick(anna, "seat", 1)
    tap_item(anna, "Hoofdgerechten", "Steak")
    dialog = anna.locator(".modifier-dialog")
    add = dialog.locator('[data-action="add"]')
    expect(dialog.locator("[data-group-id] .modifier-group__rule").first).to_have_text("choose 1")
    expect(add).to_be_disabled()
    choose(dialog, "Medium rare")
    expect(add).to_be_disabled()
    expect(dialog.locator(".option", has_text="Fries")).to_contain_text("free")
    choose(dialog, "Fries")
    expect(add).to_be_enabled()
    pages.screenshot(anna, "5-modifiers")
    add.tap()
    expect(anna.locator('.ticket-seat[data-seat="1"] .line[data-status="pending"]')).to_contain_text("Steak")

    # Seat 2: a burger with bacon and a side salad, which opens Dressing: a nested required choice.
    pick(anna, "seat", 2)
    tap_item(anna, "Hoofdgerechten", "Bistro burger")
    dialog = anna.locator(".modifier-dialog")
    add = dialog.locator('[data-action="add"]')
    choose(dialog, "Rare")
    choose(dialog, "Bacon")
    expect(dialog.locator(".option", has_text="Bacon")).to_contain_text("+€1.50")
    choose(dialog, "Side salad")
    expect(dialog.locator(".modifier-group", has_text="Dressing")).to_be_visible()
    expect(add).to_be_disabled()
    pages.screenshot(anna, "6-nested-modifiers")
    choose(dialog, "Vinaigrette")
    expect(add).to_be_enabled()
    add.tap()
    burger_line = anna.locator('.ticket-seat[data-seat="2"] .line', has_text="Bistro burger")
    expect(burger_line).to_have_attribute("data-status", "pending")
    expect(burger_line.locator(".line__modifier--nested")).to_have_text(re.compile("Vinaigrette"))

    expected = line_price(menu, "Steak", ["Medium rare", "Fries"]) + line_price(
        menu, "Bistro burger", ["Rare", "Bacon", "Side salad", "Vinaigrette"]
    )
    expect(anna.locator("#total")).to_have_attribute("data-total", str(expected))
    expect(anna.locator("#total")).to_have_text(euro_en(expected))
    assert anna.request.get(f"{pages.base_url}/api/orders/{order_id}/").json()["total"] == expected
    pages.screenshot(anna, "7-ticket")

    # Send: the lines go to the kitchen, and Bram's floor turns table 4 "ordered" without a reload.
    anna.locator("#send").tap()
    expect(anna.locator('.line[data-status="sent"]')).to_have_count(2)
    expect(anna.locator('.line[data-status="pending"]')).to_have_count(0)
    expect(anna.locator("#send")).to_be_disabled()
    pages.screenshot(anna, "8-sent")
    expect(bram.locator('[data-table-number="4"][data-state="ordered"]')).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(table_on_bram).to_contain_text("3/4")
    assert bram.evaluate("window.notReloaded") is True
    pages.screenshot(bram, "9-bram-floor")

    # A sent line is voided with a reason and the manager's PIN.
    burger_line.tap()
    anna.locator('.line-sheet [data-action="void"]').tap()
    anna.locator('.line-sheet input[name="reason"]').fill("Guest changed their mind")
    expect(anna.locator(".line-sheet [data-manager-id]")).to_have_count(1)
    anna.locator(".line-sheet [data-manager-id]").tap()
    pages.screenshot(anna, "10-void")
    enter_pin(anna, "9999")
    anna.locator(".line-sheet .pin-ok").tap()
    expect(anna.locator('.line[data-status="void"]')).to_contain_text("Bistro burger")
    steak_only = line_price(menu, "Steak", ["Medium rare", "Fries"])
    expect(anna.locator("#total")).to_have_attribute("data-total", str(steak_only))

    # Bram adds a line to the same table on his tablet: Anna's ticket shows it without a reload.
    anna.evaluate("window.notReloaded = true")
    table_on_bram.tap()
    bram.wait_for_url(f"**/orders/{order_id}/")
    tap_item(bram, "Voorgerechten", "Carpaccio")
    expect(bram.locator('.line[data-status="pending"]')).to_contain_text("Carpaccio")
    expect(anna.locator('.line[data-status="pending"]')).to_contain_text("Carpaccio", timeout=LIVE_TIMEOUT_MS)

    # The kitchen runs out of the catch of the day: Anna's tile greys out live.
    catch = anna.locator(".item", has_text="Dagvangst")
    expect(catch).to_contain_text("8 left")
    expect(catch).to_be_enabled()
    item_id = catch.get_attribute("data-item-id")
    csrf = next(c["value"] for c in bram.context.cookies() if c["name"] == "csrftoken")
    answer = bram.request.post(
        f"{pages.base_url}/api/items/{item_id}/availability/",
        data={"is_available": False},
        headers={"X-CSRFToken": csrf, "Referer": pages.base_url + "/"},
    )
    assert answer.ok, answer.text()
    expect(catch).to_have_attribute("data-86", "true", timeout=LIVE_TIMEOUT_MS)
    expect(catch).to_be_disabled()
    assert anna.evaluate("window.notReloaded") is True
    pages.screenshot(anna, "11-live-updates")


def test_on_a_phone_a_waiter_opens_a_table_and_adds_an_item_in_dutch(pages):
    page = pages.open(PHONE)
    page.locator('.language-switch button[value="nl"]').tap()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    sign_in(page, "Anna", "1111")
    pages.screenshot(page, "1-floor")

    open_table(page, "5", 2)
    pages.screenshot(page, "2-order")
    # Flaky Wi-Fi: the first request reaches the server but its answer is lost. The tablet
    # retries with the same client UUID and Idempotency-Key, and the soup is added once.
    keys = []

    def lose_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/orders/*/lines/", lose_first_answer)
    tap_item(page, "Voorgerechten", "Soep van de dag")
    expect(page.locator("#ticket-summary")).to_contain_text("1 ·")
    expect(page.locator('.line[data-status="sending"]')).to_have_count(0)
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    page.unroute("**/api/orders/*/lines/")
    page.locator("#show-ticket").tap()
    expect(page.locator(".line")).to_have_count(1)
    line = page.locator('.line[data-status="pending"]')
    expect(line).to_contain_text("Soep van de dag")
    expect(page.locator("#total")).to_have_text("€\u00a06,95")  # Dutch format: "€ 6,95"
    pages.screenshot(page, "3-ticket")

    # A pending line can still be changed: two soups, with a note.
    line.tap()
    page.locator('.line-sheet [data-action="more"]').tap()
    page.locator('.line-sheet input[name="note"]').fill("extra brood")
    pages.screenshot(page, "4-line-sheet")
    page.locator('.line-sheet [data-action="save"]').tap()
    expect(line.locator(".line__qty")).to_have_text("2\u00d7")
    expect(line.locator(".line__note")).to_have_text("extra brood")
    expect(page.locator("#total")).to_have_text("€\u00a013,90")

    page.locator("#send").tap()
    expect(page.locator('.line[data-status="sent"]')).to_have_count(1)
