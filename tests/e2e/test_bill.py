"""The waiter's bill screen in a real browser: split, move, merge, pay by cash, card, voucher, tips.

Card payments go from the daphne to the local Stripe server (tests/billing/stripe_server.py)
over HTTP, and its signed webhooks come back to the daphne, as with Stripe.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from billing.models import CardReader, Payment
from demo.management.commands.seed_demo import BISTRO_NAME
from tables.models import Outlet
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, enter_pin, in_own_thread, open_table, pick, send_order, sign_in, tap_item
from tests.e2e.test_waiter_flow import euro_en


@pytest.fixture
def card_reader(stripe_server, demo_data):
    """A reader on the local Stripe server, registered for the bistro as the manager does in the admin."""
    stripe_id = stripe_server.add_reader(label="Reader at the pass")
    return in_own_thread(
        lambda: CardReader.objects.create(
            outlet=Outlet.objects.get(name=BISTRO_NAME), label="Reader at the pass", stripe_id=stripe_id
        )
    )


def payments_of(order_id: int) -> list[Payment]:
    """The order's payments as the database has them (with their tenders), oldest first."""
    return in_own_thread(
        lambda: list(Payment.objects.filter(guest_check__order_id=order_id).select_related("tender").order_by("pk"))
    )


def check_for(page: Page, label: str):
    """The column of the check whose label (as split by seat) is `label`."""
    return page.locator(".bill-check", has=page.locator(".bill-check__label", has_text=re.compile(f"^{label}$")))


def check_total(column) -> int:
    return int(column.locator(".bill-totals__row--total").get_attribute("data-total"))


def totals(page: Page) -> list[int]:
    return [
        int(v)
        for v in page.locator(".bill-check .bill-totals__row--total").evaluate_all(
            "(rows) => rows.map((r) => r.dataset.total)"
        )
    ]


def drag(page: Page, source, target) -> None:
    """Press, move and release, as a finger on the grip would (pointer events)."""
    expect(source).to_be_visible()
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 15, y + 5, steps=3)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def assert_touch_targets(page: Page, scope: str = "body") -> None:
    """Every visible button or link in `scope` is at least 44 x 44 CSS pixels."""
    small = page.evaluate(
        """(scope) => [...document.querySelector(scope).querySelectorAll("button, a, [role=tab]")]
            .filter((el) => el.offsetParent !== null && !el.closest("[hidden]"))
            .map((el) => ({text: el.textContent.trim().slice(0, 30), box: el.getBoundingClientRect()}))
            .filter(({box}) => box.width < 44 || box.height < 44)
            .map(({text, box}) => `${text} ${Math.round(box.width)}x${Math.round(box.height)}`)""",
        scope,
    )
    assert not small, small


def open_tender_pad(page: Page, column):
    column.locator('[data-action="pay"]').tap()
    pad = page.locator(".tender-pad")
    expect(pad).to_be_visible()
    return pad


# Seat 1 soup and tea, seat 2 carpaccio, seat 3 tartare and red wine (21%), seat 4 vitello and water.
FOUR_SEATS = {
    1: [("Starters", "Soup of the day"), ("Soft drinks & coffee", "Tea")],
    2: [("Starters", "Carpaccio")],
    3: [("Starters", "Steak tartare"), ("Beer & wine", "House red (glass)")],
    4: [("Starters", "Vitello tonnato"), ("Soft drinks & coffee", "Still water")],
}


def order_by_seat_on_the_tablet(page: Page, table: str, seats: dict[int, list[tuple[str, str]]]) -> int:
    """Open `table` for as many covers as seats, tap each seat's items, send; returns the order id."""
    order_id = open_table(page, table, len(seats))
    for seat, items in seats.items():
        pick(page, "seat", seat)
        for category, item in items:
            tap_item(page, category, item)
    lines = sum(len(items) for items in seats.values())
    expect(page.locator('.line[data-status="pending"]')).to_have_count(lines)
    page.locator("#send").tap()
    expect(page.locator('.line[data-status="sent"]')).to_have_count(lines)
    return order_id


def test_a_table_for_four_splits_by_seat_and_pays_until_the_table_is_free(pages):
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order_id = order_by_seat_on_the_tablet(anna, "4", FOUR_SEATS)
    order_total = 695 + 300 + 1250 + 1350 + 550 + 1300 + 320

    # The Bill button opens the bill: one check with everything.
    pages.screenshot(anna, "0-order-bill-button")
    anna.locator("#bill-link").tap()
    anna.wait_for_url(f"**/orders/{order_id}/bill/")
    columns = anna.locator(".bill-check")
    expect(columns).to_have_count(1)
    expect(columns.first.locator(".bill-item")).to_have_count(7)
    expect(columns.first.locator(".bill-totals__row--total")).to_have_attribute("data-total", str(order_total))
    expect(columns.first.locator(".bill-totals__row--tax")).to_have_count(2)  # 9% and 21%
    expect(anna.locator("#bill-due")).to_have_text(f"To pay {euro_en(order_total)}")
    pages.screenshot(anna, "1-one-check")

    # The vitello is dragged onto "New check" by its grip.
    vitello = anna.locator(".bill-item", has_text="Vitello tonnato")
    drag(anna, vitello.locator(".bill-item__grip"), anna.locator(".bill-new"))
    expect(columns).to_have_count(2)
    second = anna.locator('.bill-check[data-check-number="2"]')
    expect(second.locator(".bill-item")).to_have_text([re.compile("Vitello tonnato")])
    expect(second.locator(".bill-totals__row--total")).to_have_attribute("data-total", "1300")

    # Check 1 splits by seat: seats 1, 2, 3 and the water of seat 4 each get a check.
    anna.locator('.bill-check[data-check-number="1"] [data-action="split"]').tap()
    expect(anna.locator(".split-sheet")).to_be_visible()
    pages.screenshot(anna, "2-split-sheet")
    anna.locator('.split-sheet [data-action="split-by-seat"]').tap()
    expect(columns).to_have_count(5)
    for label in ("Seat 1", "Seat 2", "Seat 3", "Seat 4"):
        expect(check_for(anna, label)).to_have_count(1)

    # Check 2 (the vitello) is merged into seat 4's check.
    second.locator('[data-action="split"]').tap()
    seat_4 = check_for(anna, "Seat 4")
    seat_4_id = seat_4.get_attribute("data-check-id")
    anna.locator(f'.split-sheet [data-action="merge-into"][data-to-check="{seat_4_id}"]').tap()
    expect(columns).to_have_count(4)
    expect(seat_4.locator(".bill-item")).to_have_count(2)
    expected = {"Seat 1": 995, "Seat 2": 1250, "Seat 3": 1900, "Seat 4": 1620}
    for label, total in expected.items():
        expect(check_for(anna, label).locator(".bill-totals__row--total")).to_have_attribute("data-total", str(total))
    assert sum(totals(anna)) == order_total
    pages.screenshot(anna, "3-split-by-seat")
    assert_touch_targets(anna)

    # Seat 1 pays cash: €20 typed on the keypad, €10.05 change in big type.
    pad = open_tender_pad(anna, check_for(anna, "Seat 1"))
    expect(pad.locator('.tender-tab[data-tender-kind="cash"]')).to_have_attribute("aria-selected", "true")
    take = pad.locator('[data-action="take-cash"]')
    expect(take).to_be_disabled()
    pad.locator('.amount-key[data-digit="2"]').tap()
    expect(pad.locator(".tender-pad__preview")).to_have_text(f"{euro_en(795)} short")
    pad.locator('.amount-key[data-digit="0"]').tap()
    expect(pad.locator(".amount-pad__value")).to_have_text("€20.00")
    expect(pad.locator(".tender-pad__preview")).to_have_text("Change €10.05")
    pages.screenshot(anna, "4-cash-keypad")
    take.tap()
    expect(pad.locator(".tender-paid__change")).to_have_text("€10.05")
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", "1005")
    pages.screenshot(anna, "5-change")
    pad.locator('[data-action="done"]').tap()
    expect(check_for(anna, "Seat 1")).to_have_attribute("data-status", "closed")
    expect(check_for(anna, "Seat 1").locator(".bill-badge--paid")).to_be_visible()

    # Seat 2 hands over the exact amount.
    pad = open_tender_pad(anna, check_for(anna, "Seat 2"))
    pad.locator('[data-quick="exact"]').tap()
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", "0")
    pad.locator('[data-action="done"]').tap()

    # Seat 3 gives a €20 note (a quick amount): €1.00 back.
    pad = open_tender_pad(anna, check_for(anna, "Seat 3"))
    quick = pad.locator(".tender-quick__button")
    expect(quick).to_have_text(["Exact€19.00", "€20.00", "€50.00", "€100.00"])
    pad.locator('[data-quick="2000"]').tap()
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_text("€1.00")
    pad.locator('[data-action="done"]').tap()
    expect(anna.locator("#bill-due")).to_have_text(f"To pay {euro_en(1620)}")

    # Seat 4 pays with a gift voucher: the order closes and the floor shows table 4 free.
    pad = open_tender_pad(anna, check_for(anna, "Seat 4"))
    pad.locator(".tender-tab", has_text="Gift voucher").tap()
    expect(pad.locator(".amount-pad__value")).to_have_text("€16.20")
    pad.locator('input[name="reference"]').fill("CB-2024-117")
    pages.screenshot(anna, "6-voucher")
    pad.locator('[data-action="pay-other"]').tap()
    expect(pad.locator(".tender-paid__free")).to_have_text("Table is free")
    pages.screenshot(anna, "7-table-free")
    # The guest is asked how the receipt should come; then the waiter goes back to the floor.
    expect(pad.locator(".receipt-choice")).to_be_visible()
    pad.locator('[data-action="done"]').tap()
    anna.wait_for_url(re.compile(r"/floor/"))
    expect(anna.locator('[data-table-number="4"]')).to_have_attribute("data-state", "free")

    bill = anna.request.get(f"{pages.base_url}/api/billing/orders/{order_id}/bill/").json()
    assert bill["order"]["status"] == "closed"
    assert sorted(p["tender"] for c in bill["checks"] for p in c["payments"]) == [
        "Cash",
        "Cash",
        "Cash",
        "Gift voucher",
    ]


def test_on_a_phone_the_checks_scroll_sideways_and_an_even_split_adds_up(pages):
    page = pages.open(PHONE)
    sign_in(page, "Anna", "1111")
    order = send_order(
        page,
        pages.base_url,
        "5",
        [
            {"item": "Bitterballen (8 pcs)", "seat": 1},
            {"item": "Carpaccio", "seat": 2},
            {"item": "Bottle of house red", "seat": 0},
        ],
        covers=3,
    )
    order_total = 750 + 1250 + 3200
    page.goto(f"{pages.base_url}/orders/{order['id']}/")
    page.locator("#show-ticket").tap()
    expect(page.locator('.line[data-status="sent"]')).to_have_count(3)
    expect(page.locator("#bill-link")).to_be_visible()
    pages.screenshot(page, "0-order-bill-button")
    page.locator("#bill-link").tap()
    page.wait_for_url(f"**/orders/{order['id']}/bill/")
    expect(page.locator(".bill-check")).to_have_count(1)
    pages.screenshot(page, "1-bill")

    page.locator('.bill-check [data-action="split"]').tap()
    expect(page.locator(".split-sheet .ways-button")).to_have_count(7)  # 2 to 8
    pages.screenshot(page, "2-split-sheet")
    page.locator('.split-sheet .ways-button[data-ways="3"]').tap()
    columns = page.locator(".bill-check")
    expect(columns).to_have_count(3)
    for n in (1, 2, 3):
        column = page.locator(f'.bill-check[data-check-number="{n}"]')
        expect(column.locator(".bill-item__qty")).to_have_text(["1/3", "1/3", "1/3"])
    parts = totals(page)
    # They add up to the cent; each is within a few cents of a third.
    assert sum(parts) == order_total and max(parts) - min(parts) <= 5, parts
    expect(page.locator("#bill-due")).to_have_text(f"To pay {euro_en(order_total)}")

    # Three columns do not fit a phone: they scroll sideways, one check at a time.
    scroller = page.locator("#checks")
    assert scroller.evaluate("(box) => box.scrollWidth > box.clientWidth + 200")
    third = page.locator('.bill-check[data-check-number="3"]')
    expect(third).not_to_be_in_viewport(ratio=0.9)
    expect(page.locator('.bill-check[data-check-number="1"]')).to_be_in_viewport(ratio=0.9)
    pages.screenshot(page, "3-split-evenly")
    third.scroll_into_view_if_needed()
    expect(third).to_be_in_viewport(ratio=0.9)
    pages.screenshot(page, "4-third-check")

    # Without dragging: tap the third check's carpaccio, then "Move to check 1".
    third.locator(".bill-item", has_text="Carpaccio").locator(".bill-item__main").tap()
    bar = page.locator("#bill-selection")
    expect(bar).to_be_visible()
    pages.screenshot(page, "5-selection")
    assert_touch_targets(page)
    first_id = page.locator('.bill-check[data-check-number="1"]').get_attribute("data-check-id")
    bar.locator(f'[data-action="move-to"][data-to-check="{first_id}"]').tap()
    expect(bar).to_be_hidden()
    first = page.locator('.bill-check[data-check-number="1"]')
    expect(first.locator(".bill-item", has_text="Carpaccio").locator(".bill-item__qty")).to_have_text("2/3")
    expect(third.locator(".bill-item")).to_have_count(2)
    assert sum(totals(page)) == order_total

    # The tender pad fits the phone: amount, quick amounts, keypad and the button.
    pad = open_tender_pad(page, first)
    pad.locator('.amount-key[data-digit="5"]').tap()
    pad.locator('.amount-key[data-digit="0"]').tap()
    expect(pad.locator(".amount-pad__value")).to_have_text("€50.00")
    pages.screenshot(page, "6-tender-pad")
    assert_touch_targets(page, ".tender-pad")


def test_discounts_with_a_managers_pin_sharing_a_bottle_a_comp_and_printing(pages):
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order = send_order(
        anna,
        pages.base_url,
        "7",
        [
            {"item": "Steak tartare", "seat": 1},
            {"item": "Carpaccio", "seat": 2},
            {"item": "Bottle of house red", "seat": 0},
        ],
        covers=2,
    )
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    first = anna.locator('.bill-check[data-check-number="1"]')
    total = first.locator(".bill-totals__row--total")
    expect(total).to_have_attribute("data-total", "5800")

    # 20% is above what a waiter may give alone: the server asks for a manager, who types her PIN.
    first.locator('[data-action="discount"]').tap()
    dialog = anna.locator(".discount-dialog")
    dialog.locator('.chip[data-percent="20"]').tap()
    expect(dialog.locator('input[name="value"]')).to_have_value("20")
    dialog.locator(".chip", has_text="Regular guest").tap()
    dialog.locator('[data-action="give"]').tap()
    expect(dialog.locator(".discount__approval-note")).to_contain_text("manager")
    dialog.locator("[data-manager-id]").first.tap()
    pages.screenshot(anna, "1-discount-approval")
    assert_touch_targets(anna, ".discount-dialog")
    enter_pin(anna, "9999")
    dialog.locator(".pin-ok").tap()
    expect(dialog).to_have_count(0)
    discount = first.locator('.bill-discounts--check .bill-discount[data-kind="percent"]')
    expect(discount).to_contain_text("Regular guest")
    expect(discount.locator(".bill-discount__applied")).to_have_text("\u2212€11.60")
    expect(total).to_have_attribute("data-total", "4640")
    pages.screenshot(anna, "2-discount")

    # Taken off again.
    discount.locator('[data-action="remove-discount"]').tap()
    expect(discount).to_have_count(0)
    expect(total).to_have_attribute("data-total", "5800")

    # The bottle is shared two ways: a new check takes half of it.
    first.locator(".bill-item", has_text="Bottle of house red").locator(".bill-item__main").tap()
    anna.locator('#bill-selection [data-action="share"]').tap()
    anna.locator('.share-sheet .ways-button[data-ways="2"]').tap()
    second = anna.locator('.bill-check[data-check-number="2"]')
    expect(second.locator(".bill-item__qty")).to_have_text(["1/2"])
    expect(first.locator(".bill-item", has_text="Bottle of house red").locator(".bill-item__qty")).to_have_text("1/2")
    assert sum(totals(anna)) == 5800

    # The carpaccio is comped: on the check at zero, with a reason and the manager's approval.
    first.locator(".bill-item", has_text="Carpaccio").locator(".bill-item__main").tap()
    anna.locator('#bill-selection [data-action="comp"]').tap()
    dialog = anna.locator(".discount-dialog")
    dialog.locator(".chip", has_text="Long wait").tap()
    dialog.locator('[data-action="give"]').tap()
    dialog.locator("[data-manager-id]").first.tap()
    enter_pin(anna, "9999")
    dialog.locator(".pin-ok").tap()
    expect(dialog).to_have_count(0)
    carpaccio = first.locator(".bill-item", has_text="Carpaccio")
    expect(carpaccio.locator('.bill-discount[data-kind="comp"]')).to_contain_text("Long wait")
    expect(carpaccio.locator(".bill-item__discount")).to_have_text("\u2212€12.50")
    expect(anna.locator("#bill-selection")).to_be_hidden()
    assert sum(totals(anna)) == 5800 - 1250

    # The demo has no receipt printer: Print says so instead of claiming a print.
    first.locator('[data-action="print"]').tap()
    expect(anna.locator(".toast", has_text="No receipt printer is set up for this outlet.")).to_be_visible()
    expect(first.locator(".bill-badge", has_text="Printed")).to_have_count(0)
    pages.screenshot(anna, "3-shared-comped-printed")


def test_the_issues_script_split_by_seat_cash_card_with_a_tip_on_the_reader_and_a_voucher(
    stripe_server, card_reader, pages
):
    """A table for four, split by seat; cash, a real card payment through the Stripe server with the
    guest's tip chosen on the reader, cash with "keep the change", a voucher; the table is free."""
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order_id = order_by_seat_on_the_tablet(anna, "4", FOUR_SEATS)
    anna.locator("#bill-link").tap()
    anna.wait_for_url(f"**/orders/{order_id}/bill/")
    expect(anna.locator(".bill-check")).to_have_count(1)

    anna.locator('.bill-check [data-action="split"]').tap()
    anna.locator('.split-sheet [data-action="split-by-seat"]').tap()
    expect(anna.locator(".bill-check")).to_have_count(4)
    expected = {"Seat 1": 995, "Seat 2": 1250, "Seat 3": 1900, "Seat 4": 1620}
    for label, total in expected.items():
        expect(check_for(anna, label).locator(".bill-totals__row--total")).to_have_attribute("data-total", str(total))
    pages.screenshot(anna, "1-split-by-seat")

    # Seat 1: a €20 note, €10.05 back.
    pad = open_tender_pad(anna, check_for(anna, "Seat 1"))
    pad.locator('[data-quick="2000"]').tap()
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", "1005")
    pad.locator('[data-action="done"]').tap()
    expect(check_for(anna, "Seat 1")).to_have_attribute("data-status", "closed")

    # Seat 2: the card goes to the reader; the guest taps and chooses a €2.00 tip there.
    pad = open_tender_pad(anna, check_for(anna, "Seat 2"))
    pad.locator('.tender-tab[data-tender-kind="card"]').tap()
    expect(pad.locator(f'.chip[data-reader-id="{card_reader.pk}"]')).to_have_attribute("aria-checked", "true")
    expect(pad.locator(".tender-tip")).to_have_count(0)  # the reader asks for the tip
    send = pad.locator('[data-action="send-to-reader"]')
    expect(send).to_have_text("Send €12.50 to the reader")
    send.tap()
    expect(pad.locator(".card-status__text")).to_have_text("Waiting for the card on Reader at the pass")
    expect(pad.locator('[data-action="close"]')).to_be_disabled()
    pages.screenshot(anna, "2-card-waiting")
    reader = stripe_server.reader(card_reader.stripe_id)
    assert reader["action"]["status"] == "in_progress"
    intent_id = reader["action"]["process_payment_intent"]["payment_intent"]
    assert stripe_server.payment_intent(intent_id)["amount"] == 1250

    stripe_server.present_card(card_reader.stripe_id, tip=200)
    expect(pad.locator(".tender-paid__tip")).to_have_text("Tip: €2.00", timeout=LIVE_TIMEOUT_MS)
    expect(pad.locator(".tender-paid__tip")).to_have_attribute("data-tip", "200")
    pages.screenshot(anna, "3-card-paid-with-tip")
    pad.locator('[data-action="done"]').tap()
    seat_2 = check_for(anna, "Seat 2")
    expect(seat_2).to_have_attribute("data-status", "closed")
    card_line = seat_2.locator('.bill-payment[data-state="captured"]')
    expect(card_line.locator(".bill-payment__tender")).to_have_text("Card (Stripe)")
    expect(card_line.locator(".bill-payment__extra")).to_have_text("tip €2.00")
    card = next(p for p in payments_of(order_id) if p.provider_id == intent_id)
    assert (card.state, card.amount, card.tip, card.reader_id) == (Payment.State.CAPTURED, 1250, 200, card_reader.pk)
    assert stripe_server.payment_intent(intent_id)["status"] == "succeeded"
    # Stripe's webhooks reached the daphne, signed, and were taken (the tablet's poll may have been first).
    assert stripe_server.wait_for_deliveries()
    delivered = {d.type: d.status for d in stripe_server.deliveries}
    assert delivered.get("terminal.reader.action_succeeded") == 200, stripe_server.deliveries
    assert all(d.status == 200 for d in stripe_server.deliveries), stripe_server.deliveries

    # Seat 3: €20 for €19.00, and the guest says to keep the change: €1.00 tip, nothing back.
    pad = open_tender_pad(anna, check_for(anna, "Seat 3"))
    expect(pad.locator(".tender-tip")).to_have_attribute("data-tip", "0")
    pad.locator('[data-quick="2000"]').tap()
    expect(pad.locator(".tender-pad__preview")).to_have_text("Change €1.00")
    pad.locator('[data-action="keep-change"]').tap()
    expect(pad.locator(".tender-tip")).to_have_attribute("data-tip", "100")
    expect(pad.locator(".tender-pad__preview")).to_have_text("Change €0.00")
    expect(pad.locator('[data-action="keep-change"]')).to_be_hidden()
    pages.screenshot(anna, "4-keep-the-change")
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", "0")
    expect(pad.locator(".tender-paid__tip")).to_have_text("Tip: €1.00")
    pad.locator('[data-action="done"]').tap()
    expect(anna.locator("#bill-due")).to_have_text(f"To pay {euro_en(1620)}")

    # Seat 4: a gift voucher, which takes no tip; the order closes and the table is free.
    pad = open_tender_pad(anna, check_for(anna, "Seat 4"))
    pad.locator(".tender-tab", has_text="Gift voucher").tap()
    expect(pad.locator(".tender-tip")).to_have_count(0)
    pad.locator('input[name="reference"]').fill("CB-2024-118")
    pad.locator('[data-action="pay-other"]').tap()
    expect(pad.locator(".tender-paid__free")).to_have_text("Table is free")
    pages.screenshot(anna, "5-table-free")
    # The guest is asked how the receipt should come; then the waiter goes back to the floor.
    expect(pad.locator(".receipt-choice")).to_be_visible()
    pad.locator('[data-action="done"]').tap()
    anna.wait_for_url(re.compile(r"/floor/"))
    expect(anna.locator('[data-table-number="4"]')).to_have_attribute("data-state", "free")
    pages.screenshot(anna, "6-floor")

    payments = payments_of(order_id)
    assert [(p.tender.name, p.state, p.amount, p.tip, p.change_due) for p in payments] == [
        ("Cash", "captured", 995, 0, 1005),
        ("Card (Stripe)", "captured", 1250, 200, 0),
        ("Cash", "captured", 1900, 100, 0),
        ("Gift voucher", "captured", 1620, 0, 0),
    ]


def test_a_declined_card_and_a_cancel_on_the_reader_or_the_tablet_leave_the_check_open(
    stripe_server, card_reader, pages
):
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "8", [{"item": "Carpaccio", "seat": 1}], covers=1)
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    column = anna.locator(".bill-check").first
    pad = open_tender_pad(anna, column)
    pad.locator('.tender-tab[data-tender-kind="card"]').tap()
    send = pad.locator('[data-action="send-to-reader"]')
    waiting = pad.locator(".card-status__text")
    failed = pad.locator(".card-status__failed")

    # The guest's card is declined on the reader.
    send.tap()
    expect(waiting).to_have_text("Waiting for the card on Reader at the pass")
    stripe_server.present_card(card_reader.stripe_id, number="4000000000000002")
    expect(failed).to_have_text("The card was declined.", timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(anna, "1-declined")

    # Again; the guest presses Cancel on the reader.
    pad.locator('[data-action="card-again"]').tap()
    send.tap()
    expect(waiting).to_be_visible()
    stripe_server.customer_cancels(card_reader.stripe_id)
    expect(failed).to_have_text("The guest cancelled on the reader.", timeout=LIVE_TIMEOUT_MS)

    # Again; this time the waiter cancels on the tablet, and the reader's action is cancelled too.
    pad.locator('[data-action="card-again"]').tap()
    send.tap()
    expect(waiting).to_be_visible()
    pad.locator('[data-action="cancel-card"]').tap()
    expect(failed).to_have_text("The card payment was cancelled.")
    assert stripe_server.reader(card_reader.stripe_id)["action"] is None or (
        stripe_server.reader(card_reader.stripe_id)["action"]["status"] != "in_progress"
    )
    pages.screenshot(anna, "2-cancelled")

    # Nothing was taken: the check is open for the whole amount, and each try was its own payment.
    pad.locator('[data-action="close"]').tap()
    expect(column).to_have_attribute("data-status", "open")
    expect(column.locator('[data-action="pay"]')).to_have_text("Pay €12.50")
    expect(column.locator('.bill-payment[data-state="failed"]')).to_have_count(2)
    expect(column.locator('.bill-payment[data-state="cancelled"]')).to_have_count(1)
    tries = payments_of(order["id"])
    assert [p.state for p in tries] == ["failed", "failed", "cancelled"]
    assert len({p.client_uuid for p in tries}) == 3 and len({p.provider_id for p in tries}) == 3


def test_tips_on_cash_and_an_outside_terminal_are_typed_or_rounded_up(pages):
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order = send_order(
        anna,
        pages.base_url,
        "6",
        [{"item": "Steak tartare", "seat": 1}, {"item": "Carpaccio", "seat": 2}],
        covers=2,
    )
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    anna.locator('.bill-check [data-action="split"]').tap()
    anna.locator('.split-sheet [data-action="split-by-seat"]').tap()
    expect(anna.locator(".bill-check")).to_have_count(2)

    # Seat 1 (€13.50) pays cash with a typed €1.50 tip: exact is then €15.00; a €20 note gives €5.00 back.
    pad = open_tender_pad(anna, check_for(anna, "Seat 1"))
    tip = pad.locator(".tender-tip")
    expect(tip).to_contain_text("none")
    pad.locator('[data-action="tip"]').tap()
    sheet = anna.locator(".tip-sheet")
    expect(sheet).to_be_visible()
    expect(sheet.locator(".tender-quick__button")).to_have_text(
        ["To €14.00+€0.50", "To €15.00+€1.50", "To €20.00+€6.50"]
    )
    for key in ("1", "decimal", "5"):
        sheet.locator(f'.amount-key[data-digit="{key}"], .amount-key[data-key="{key}"]').tap()
    expect(sheet.locator(".amount-pad__value")).to_have_text("€1.50")
    expect(pad.locator(".amount-pad__value").first).to_have_text("€0.00")  # the keys typed the tip only
    pages.screenshot(anna, "1-tip-sheet")
    assert_touch_targets(anna, ".tip-sheet")
    sheet.locator('[data-action="set-tip"]').tap()
    expect(sheet).to_have_count(0)
    expect(tip).to_have_attribute("data-tip", "150")
    expect(tip.locator(".tender-tip__total")).to_have_text("total €15.00")
    expect(pad.locator('[data-quick="exact"]')).to_have_attribute("data-amount", "1500")
    pad.locator('[data-quick="2000"]').tap()
    expect(pad.locator(".tender-pad__preview")).to_have_text("Change €5.00")
    pages.screenshot(anna, "2-cash-with-tip")
    assert_touch_targets(anna, ".tender-pad")
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", "500")
    expect(pad.locator(".tender-paid__tip")).to_have_attribute("data-tip", "150")
    pages.screenshot(anna, "3-cash-paid")
    pad.locator('[data-action="done"]').tap()
    expect(check_for(anna, "Seat 1").locator(".bill-payment__extra")).to_have_text(["change €5.00", "tip €1.50"])

    # Seat 2 (€12.50) pays on the outside card terminal, rounded up to €15.00; the tip can be dropped and set again.
    pad = open_tender_pad(anna, check_for(anna, "Seat 2"))
    pad.locator(".tender-tab", has_text="External card terminal").tap()
    pad.locator('[data-action="tip"]').tap()
    anna.locator('.tip-sheet [data-tip="250"]').tap()
    tip = pad.locator(".tender-tip")
    expect(tip).to_have_attribute("data-tip", "250")
    go = pad.locator('[data-action="pay-other"]')
    expect(go).to_have_text("Pay €12.50 + €2.50 tip by External card terminal")
    pad.locator('[data-action="remove-tip"]').tap()
    expect(go).to_have_text("Pay €12.50 by External card terminal")
    pad.locator('[data-action="tip"]').tap()
    anna.locator('.tip-sheet [data-tip="250"]').tap()
    pages.screenshot(anna, "4-terminal-with-tip")
    go.tap()
    expect(pad.locator(".tender-paid__tip")).to_have_text("Tip: €2.50")
    expect(pad.locator(".tender-paid__free")).to_have_text("Table is free")

    payments = payments_of(order["id"])
    assert [(p.tender.name, p.amount, p.tip, p.cash_given, p.change_due) for p in payments] == [
        ("Cash", 1350, 150, 2000, 500),
        ("External card terminal", 1250, 250, None, 0),
    ]


def test_a_split_on_one_tablet_shows_on_another_without_a_reload(pages):
    """Two tablets on one bill: the server says {"type": "bill"} on the floor socket after a change."""
    first = pages.open(TABLET)
    sign_in(first, "Anna", "1111")
    order = send_order(
        first,
        pages.base_url,
        "9",
        [{"item": "Carpaccio", "seat": 1}, {"item": "Steak tartare", "seat": 2}, {"item": "Still water", "seat": 2}],
        covers=2,
    )
    bill = f"/orders/{order['id']}/bill/"
    first.goto(pages.base_url + bill)
    second = pages.open(TABLET)
    sign_in(second, "Anna", "1111")
    second.goto(pages.base_url + bill)
    expect(first.locator(".bill-check")).to_have_count(1)
    expect(second.locator(".bill-check")).to_have_count(1)
    expect(second.locator("#offline")).to_be_hidden()

    first.locator('.bill-check [data-action="split"]').tap()
    first.locator('.split-sheet [data-action="split-by-seat"]').tap()
    expect(first.locator(".bill-check")).to_have_count(2)
    expect(second.locator(".bill-check")).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    expect(check_for(second, "Seat 2").locator(".bill-item")).to_have_count(2)
    pages.screenshot(second, "1-split-arrived")

    # With a sheet open on the second tablet, a change waits until the sheet is closed.
    check_for(second, "Seat 2").locator('[data-action="split"]').tap()
    expect(second.locator(".split-sheet")).to_be_visible()
    water = check_for(first, "Seat 2").locator(".bill-item", has_text="Still water")
    water.locator(".bill-item__main").tap()
    seat_1 = check_for(first, "Seat 1").get_attribute("data-check-id")
    first.locator(f'#bill-selection [data-action="move-to"][data-to-check="{seat_1}"]').tap()
    expect(check_for(first, "Seat 1").locator(".bill-item")).to_have_count(2)
    second.wait_for_timeout(1500)
    expect(check_for(second, "Seat 1").locator(".bill-item")).to_have_count(1)
    second.locator(".split-sheet .sheet__actions .button").tap()
    expect(check_for(second, "Seat 1").locator(".bill-item")).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    expect(check_for(second, "Seat 2").locator(".bill-item")).to_have_count(1)


def test_without_webhooks_the_tablets_poll_takes_the_card_payment(stripe_server, card_reader, pages):
    # No webhook and no worker here: only the tender pad's poll (a POST; a GET never asks Stripe) settles it.
    stripe_server.deliver = "none"
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "9", [{"item": "Carpaccio", "seat": 1}], covers=1)
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    column = anna.locator(".bill-check").first
    expect(column).to_have_attribute("data-check-id", re.compile(r"^\d+$"), timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(anna, "1-bill")
    pad = open_tender_pad(anna, column)
    pad.locator('.tender-tab[data-tender-kind="card"]').tap()
    pad.locator('[data-action="send-to-reader"]').tap()
    expect(pad.locator(".card-status__text")).to_have_text("Waiting for the card on Reader at the pass")

    stripe_server.present_card(card_reader.stripe_id, tip=100)

    expect(pad.locator(".tender-paid__tip")).to_have_attribute("data-tip", "100", timeout=LIVE_TIMEOUT_MS)
    [card] = payments_of(order["id"])
    assert (card.state, card.amount, card.tip) == (Payment.State.CAPTURED, 1250, 100)
    assert stripe_server.deliveries == []
