"""The waiter's main path in a real browser, against a real daphne, with the demo data."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, choose, enter_pin, on_screen, open_table, pick, sign_in, tap_item


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
    expect(page.locator(".pin-error")).to_contain_text("2 tries left")
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
    tap_item(anna, "Mains", "Steak")
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
    tap_item(anna, "Mains", "Bistro burger")
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

    # Send: the lines go to the kitchen, and Bram's floor shows table 4's food there without a reload.
    anna.locator("#send").tap()
    expect(anna.locator('.line[data-status="sent"]')).to_have_count(2)
    expect(anna.locator('.line[data-status="pending"]')).to_have_count(0)
    expect(anna.locator("#send")).to_be_disabled()
    pages.screenshot(anna, "8-sent")
    expect(bram.locator('[data-table-number="4"][data-state="food_sent"]')).to_be_visible(timeout=LIVE_TIMEOUT_MS)
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
    tap_item(bram, "Starters", "Carpaccio")
    expect(bram.locator('.line[data-status="pending"]')).to_contain_text("Carpaccio")
    expect(anna.locator('.line[data-status="pending"]')).to_contain_text("Carpaccio", timeout=LIVE_TIMEOUT_MS)

    # The kitchen runs out of the catch of the day: Anna's tile greys out live.
    catch = anna.locator(".item", has_text="Catch of the day")
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
    tap_item(page, "Starters", "Soup of the day")
    expect(page.locator("#ticket-summary")).to_contain_text("1 ·")
    expect(page.locator('.line[data-status="sending"]')).to_have_count(0)
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    page.unroute("**/api/orders/*/lines/")
    page.locator("#show-ticket").tap()
    expect(page.locator(".line")).to_have_count(1)
    line = page.locator('.line[data-status="pending"]')
    expect(line).to_contain_text(on_screen(page, "Soup of the day"))
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


def mark_modifier_sold_out(page, name: str) -> None:
    """The kitchen runs out of a choice and says so through the API, from another tablet's session."""
    page.evaluate(
        """async (name) => {
            const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")).split("=")[1];
            const order = await (await fetch(`/api/orders/${location.pathname.split("/")[2]}/`)).json();
            const menu = await (await fetch(`/api/outlets/${order.outlet}/menu/`)).json();
            const modifier = Object.values(menu.modifier_groups).flatMap((g) => g.modifiers).find((m) => m.name === name);
            const response = await fetch(`/api/modifiers/${modifier.id}/availability/`, {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: JSON.stringify({is_available: false}),
            });
            if (response.status !== 200) throw new Error(`availability: ${response.status}`);
        }""",
        name,
    )


def add_steak(page, dialog_choices: list[str], *, qty: int = 1, note: str = "") -> None:
    tap_item(page, "Mains", "Steak")
    dialog = page.locator(".modifier-dialog")
    for name in dialog_choices:
        choose(dialog, name)
    for _ in range(qty - 1):
        dialog.locator('[data-action="more"]').tap()
    if note:
        dialog.locator('input[name="note"]').fill(note)
    dialog.locator('[data-action="add"]').tap()
    expect(dialog).to_have_count(0)
    added = page.locator('.line[data-status="pending"]', has_text="Steak")
    expect(added).to_have_attribute("data-line-id", re.compile(r"\d+"))


def test_anna_changes_the_choices_of_a_pending_steak(pages):
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order_id = open_table(anna, "9", 2)
    order = anna.request.get(f"{pages.base_url}/api/orders/{order_id}/").json()
    menu = anna.request.get(f"{pages.base_url}/api/outlets/{order['outlet']}/menu/").json()
    modifier_ids = {m["name"]: m["id"] for g in menu["modifier_groups"].values() for m in g["modifiers"]}

    # Two steaks with a note, and a carpaccio: an item without choices to change.
    add_steak(anna, ["Medium rare", "Fries"], qty=2, note="no pepper sauce")
    tap_item(anna, "Starters", "Carpaccio")
    carpaccio = anna.locator('.line[data-status="pending"]', has_text="Carpaccio")
    expect(carpaccio).to_have_attribute("data-line-id", re.compile(r"\d+"))
    carpaccio.tap()
    expect(anna.locator(".line-sheet")).to_be_visible()
    expect(anna.locator('.line-sheet [data-action="change-choices"]')).to_have_count(0)
    anna.locator(".line-sheet button", has_text="Cancel").tap()
    expect(anna.locator(".line-sheet")).to_have_count(0)

    steak = anna.locator('.line[data-status="pending"]', has_text="Steak")
    before = 2 * line_price(menu, "Steak", ["Medium rare", "Fries"])
    expect(steak.locator(".line__price")).to_have_text(euro_en(before))
    steak.tap()
    sheet = anna.locator(".line-sheet")
    expect(sheet.locator(".line-sheet__choices-text")).to_have_text("Medium rare, Fries")
    pages.screenshot(anna, "1-line-sheet")
    sheet.locator('[data-action="change-choices"]').tap()
    expect(sheet).to_have_count(0)

    # The modifier dialog, prefilled: the line's choices, quantity and note; Save is possible as it is.
    dialog = anna.locator(".modifier-dialog")
    save = dialog.locator('[data-action="save"]')
    pressed = dialog.locator('.option[aria-pressed="true"] .option__name')
    expect(pressed).to_have_text(["Medium rare", "Fries"])
    expect(dialog.locator(".stepper__value")).to_have_text("2")
    expect(dialog.locator('input[name="note"]')).to_have_value("no pepper sauce")
    expect(save).to_be_enabled()
    expect(save).to_have_text(f"Save · {euro_en(before)}")

    # Well done instead; a side salad as a second side opens Dressing, which must be chosen.
    choose(dialog, "Well done")
    expect(pressed).to_have_text(["Well done", "Fries"])
    choose(dialog, "Side salad")
    expect(dialog.locator(".modifier-group", has_text="Dressing")).to_be_visible()
    expect(save).to_be_disabled()
    expect(dialog.locator(".modifier-missing")).to_contain_text("Dressing")
    pages.screenshot(anna, "2-change-choices-nested")
    choose(dialog, "Yoghurt-mint")
    expect(save).to_be_enabled()
    new_choices = ["Well done", "Fries", "Side salad", "Yoghurt-mint"]
    expected_line = 2 * line_price(menu, "Steak", new_choices)
    expect(save).to_have_text(f"Save · {euro_en(expected_line)}")
    pages.screenshot(anna, "3-change-choices-ready")

    # One PATCH with the new choices only: quantity and note did not change.
    with anna.expect_request(lambda r: r.method == "PATCH") as patch:
        save.tap()
    assert patch.value.post_data_json == {"modifiers": [modifier_ids[name] for name in new_choices]}
    assert patch.value.headers.get("idempotency-key")
    expect(dialog).to_have_count(0)

    # The ticket shows the new choices and price; the API has the same line.
    expect(steak.locator(".line__modifier")).to_have_text([re.compile(f"^{name}") for name in new_choices])
    expect(steak.locator(".line__modifier--nested")).to_have_text(re.compile("^Yoghurt-mint"))
    expect(steak.locator(".line__price")).to_have_text(euro_en(expected_line))
    expect(steak.locator(".line__qty")).to_have_text("2\u00d7")
    expect(steak.locator(".line__note")).to_have_text("no pepper sauce")
    order = anna.request.get(f"{pages.base_url}/api/orders/{order_id}/").json()
    expected_total = expected_line + line_price(menu, "Carpaccio", [])
    assert order["total"] == expected_total
    expect(anna.locator("#total")).to_have_attribute("data-total", str(expected_total))
    line = next(line for line in order["lines"] if line["name"] == "Steak")
    assert line["total"] == expected_line
    assert [m["name"] for m in line["modifiers"]] == new_choices
    assert [m["id"] for m in line["modifiers"]] == [modifier_ids[name] for name in new_choices]
    salad = next(m for m in line["modifiers"] if m["name"] == "Side salad")
    assert next(m for m in line["modifiers"] if m["name"] == "Yoghurt-mint")["parent"] == salad["line_modifier"]
    pages.screenshot(anna, "4-ticket")

    # Tapping it again shows the new choices. Another tablet sends the order while Anna is
    # changing them: the server refuses, and the dialog stays open and says why.
    steak.tap()
    expect(anna.locator(".line-sheet__choices-text")).to_have_text("Well done, Fries, Side salad (Yoghurt-mint)")
    anna.locator('.line-sheet [data-action="change-choices"]').tap()
    expect(pressed).to_have_text(new_choices)
    csrf = next(c["value"] for c in anna.context.cookies() if c["name"] == "csrftoken")
    answer = anna.request.post(
        f"{pages.base_url}/api/orders/{order_id}/send/",
        data={},
        headers={"X-CSRFToken": csrf, "Referer": pages.base_url + "/"},
    )
    assert answer.ok, answer.text()
    choose(dialog, "Medium")
    save.tap()
    expect(dialog.locator(".modifier-missing")).to_have_text("This line was sent to the kitchen; void it instead.")
    expect(save).to_be_enabled()
    pages.screenshot(anna, "5-refused")
    dialog.locator("button", has_text="Cancel").tap()
    expect(dialog).to_have_count(0)

    # Sent, the line has no edit at all.
    sent = anna.locator('.line[data-status="sent"]', has_text="Steak")
    expect(sent).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(sent.locator(".line__modifier")).to_have_text([re.compile(f"^{name}") for name in new_choices])
    sent.tap()
    expect(anna.locator('.line-sheet [data-action="void"]')).to_be_visible()
    expect(anna.locator('.line-sheet [data-action="change-choices"]')).to_have_count(0)
    expect(anna.locator('.line-sheet [data-action="save"]')).to_have_count(0)


def test_on_a_phone_the_choices_of_a_pending_line_can_be_changed(pages):
    page = pages.open(PHONE)
    sign_in(page, "Anna", "1111")
    order_id = open_table(page, "10", 2)
    order = page.request.get(f"{pages.base_url}/api/orders/{order_id}/").json()
    menu = page.request.get(f"{pages.base_url}/api/outlets/{order['outlet']}/menu/").json()
    add_steak(page, ["Rare", "Mashed potatoes"], note="sauce on the side")

    page.locator("#show-ticket").tap()
    line = page.locator('.line[data-status="pending"]')
    line.tap()
    pages.screenshot(page, "1-line-sheet")
    # Seat changed in the sheet first: it goes along with the new choices.
    page.locator('.line-sheet [aria-label="Seat"] .chip[data-value="2"]').tap()
    page.locator('.line-sheet [data-action="change-choices"]').tap()
    dialog = page.locator(".modifier-dialog")
    save = dialog.locator('[data-action="save"]')
    choose(dialog, "Side salad")
    expect(save).to_be_disabled()
    pages.screenshot(page, "2-change-choices-nested")
    choose(dialog, "Vinaigrette")
    expect(save).to_be_enabled()
    expect(save).to_be_in_viewport(ratio=1)
    pages.screenshot(page, "3-change-choices-ready")
    # The note is further down the sheet, not under its sticky buttons.
    note = dialog.locator('input[name="note"]')
    note.scroll_into_view_if_needed()
    expect(note).to_have_value("sauce on the side")
    note_box, footer_box = note.bounding_box(), dialog.locator("footer").bounding_box()
    assert note_box["y"] + note_box["height"] <= footer_box["y"], (note_box, footer_box)
    pages.screenshot(page, "4-change-choices-note")
    save.tap()
    expect(dialog).to_have_count(0)

    choices = ["Rare", "Mashed potatoes", "Side salad", "Vinaigrette"]
    expected = line_price(menu, "Steak", choices)
    expect(line.locator(".line__modifier")).to_have_text([re.compile(f"^{name}") for name in choices])
    expect(line.locator(".line__price")).to_have_text(euro_en(expected))
    expect(page.locator('.ticket-seat[data-seat="2"] .line')).to_have_count(1)
    order = page.request.get(f"{pages.base_url}/api/orders/{order_id}/").json()
    assert order["total"] == expected
    assert [m["name"] for m in order["lines"][0]["modifiers"]] == choices
    assert order["lines"][0]["seat"] == 2
    assert order["lines"][0]["note"] == "sauce on the side"
    pages.screenshot(page, "5-ticket")

    # The kitchen runs out of mashed potatoes. The line still has them: the dialog shows the
    # choice, which can be taken off but not kept; without it the salad is the free side.
    mark_modifier_sold_out(page, "Mashed potatoes")
    # It arrives over the floor socket, no reload: the waiter is told at once.
    expect(page.locator(".toast", has_text="Sold out: Mashed potatoes")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    line.tap()
    page.locator('.line-sheet [data-action="change-choices"]').tap()
    mash = dialog.locator(".option", has_text="Mashed potatoes")
    expect(mash).to_have_attribute("aria-pressed", "true")
    expect(mash).to_contain_text("sold out")
    expect(save).to_be_disabled()
    expect(dialog.locator(".modifier-missing")).to_have_text("Sold out now: Mashed potatoes")
    pages.screenshot(page, "6-sold-out")
    mash.tap()
    expect(mash).to_be_disabled()
    expect(save).to_be_enabled()
    save.tap()
    expect(dialog).to_have_count(0)
    choices = ["Rare", "Side salad", "Vinaigrette"]
    expected = line_price(menu, "Steak", choices)
    expect(line.locator(".line__price")).to_have_text(euro_en(expected))
    assert page.request.get(f"{pages.base_url}/api/orders/{order_id}/").json()["total"] == expected
