"""The waiter's order and floor screens, at tablet and phone size, in Dutch where words are long.

Send stays on screen after a send; toasts keep clear of the tabs, pickers, Send and check
headers, one error at a time; a held course says so and offers Fire, not Served; the floor's
colours follow the food and the money; Back closes a dialog instead of leaving, and leaving
with lines not sent asks first.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from orders.models import Item
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import (
    LIVE_TIMEOUT_MS,
    api_post,
    choose,
    in_own_thread,
    on_screen,
    open_table,
    send_order,
    sign_in,
    tap_item,
)

DEVICES = pytest.mark.parametrize("device", [TABLET, PHONE], ids=["tablet", "phone"])
FLOOR_URL = re.compile(r"/floor/(\?outlet=\d+)?$")
ORDER_URL = re.compile(r"/orders/(\d+)/$")


def is_phone(page: Page) -> bool:
    return page.viewport_size["width"] < 700


def sign_in_dutch(pages, device, name="Anna", pin="1111") -> Page:
    page = pages.open(device)
    page.locator('.language-switch button[value="nl"]').tap()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    sign_in(page, name, pin)
    return page


def show(page: Page, view: str) -> None:
    """The phone shows the menu or the ticket; the tablet both at once."""
    if is_phone(page):
        page.locator(f"#show-{view}").tap()


def box_of(locator) -> dict:
    box = locator.bounding_box()
    assert box, f"{locator} is not on screen"
    return box


def assert_inside_viewport(page: Page, locator) -> None:
    # Rush shows once the kitchen's fires are loaded (a request after the send): wait for it.
    expect(locator).to_be_visible()
    box = box_of(locator)
    size = page.viewport_size
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"], (box, size)


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def assert_clear_of(page: Page, toast, selectors: list[str]) -> None:
    shown = box_of(toast)
    for selector in selectors:
        for each in page.locator(selector).all():
            if each.is_visible():
                assert not overlap(shown, box_of(each)), f"the toast covers {selector}: {shown} {box_of(each)}"


def order_of(page: Page) -> int:
    return int(ORDER_URL.search(page.url).group(1))


def line_statuses(page: Page, base_url: str, order_id: int) -> list[str]:
    return [line["status"] for line in page.request.get(f"{base_url}/api/orders/{order_id}/").json()["lines"]]


# ---- Send stays on screen ---------------------------------------------------------------


@DEVICES
def test_in_dutch_after_a_send_the_send_button_stays_on_screen_and_works(pages, device):
    page = sign_in_dutch(pages, device)
    order_id = open_table(page, "4", 2)
    tap_item(page, "Starters", "Soup of the day")
    tap_item(page, "Mains", "Mushroom risotto")
    show(page, "ticket")
    send = page.locator("#send")
    expect(send).to_have_text("Naar keuken (2)")
    send.tap()
    expect(page.locator('.line[data-status="sent"]')).to_have_count(2)
    # After a send the footer has all three: Spoed, Rekening, Naar keuken.
    expect(page.locator("#rush")).to_have_text("Spoed")
    expect(page.locator("#bill-link")).to_have_text("Rekening")
    for button in ("#rush", "#bill-link", "#send", "#total"):
        assert_inside_viewport(page, page.locator(button))
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    pages.screenshot(page, "1-after-send")

    # And Send still works: one more line goes to the kitchen.
    show(page, "menu")
    tap_item(page, "Starters", "Carpaccio")
    show(page, "ticket")
    expect(send).to_have_text("Naar keuken (1)")
    assert_inside_viewport(page, send)
    send.tap()
    expect(page.locator('.line[data-status="sent"]')).to_have_count(3)
    assert line_statuses(page, pages.base_url, order_id) == ["sent", "sent", "sent"]
    pages.screenshot(page, "2-sent-again")


# ---- toasts -----------------------------------------------------------------------------


def sell_out_behind_the_tablets_back(name: str) -> None:
    """The item runs out in the database without a word to the tablets: the server refuses it."""
    in_own_thread(lambda: Item.objects.filter(name=name).update(is_available=False))


@DEVICES
def test_toasts_keep_clear_of_tabs_pickers_and_send_and_errors_do_not_stack(pages, device):
    page = sign_in_dutch(pages, device)
    open_table(page, "6", 2)
    sell_out_behind_the_tablets_back("Carpaccio")
    for _ in range(3):
        tap_item(page, "Starters", "Carpaccio")
        expect(page.locator(".toast--error")).to_contain_text("Carpaccio")
    # (Not wait_for_function: its polling evaluates a string, which the page's CSP forbids.)
    expect(page.locator('.line[data-status="sending"]')).to_have_count(0)
    errors = page.locator(".toast--error")
    expect(errors).to_have_count(1)  # the newest replaced the others
    assert_clear_of(page, errors, ["#categories", "#seat-picker", "#course-picker", ".ticket-foot"])
    pages.screenshot(page, "1-one-error")

    # The confirmation after a send sits above the footer, clear of Send.
    tap_item(page, "Starters", "Soup of the day")
    show(page, "ticket")
    page.locator("#send").tap()
    sent = page.locator(".toast--ok")
    expect(sent).to_contain_text("naar de keuken verstuurd")
    expect(page.locator("#rush")).to_be_visible()  # the footer grew a row: the toast follows
    page.wait_for_timeout(300)  # the toast moves with the footer on the next frame
    assert_clear_of(page, sent, ["#send", "#rush", "#bill-link", ".ticket-foot"])
    pages.screenshot(page, "2-sent-toast")

    # On the bill the check headers stay readable under a toast.
    page.locator("#bill-link").tap()
    page.wait_for_url(re.compile(r"/bill/"))
    expect(page.locator(".bill-check__head").first).to_be_visible()
    page.evaluate("import('/static/waiter/dom.js').then((dom) => dom.toast('Geen verbinding met de server.'))")
    bill_error = page.locator(".toast--error")
    expect(bill_error).to_be_visible()
    assert_clear_of(page, bill_error, [".bill-check__head", ".bill-check__foot", "#bill-selection"])
    pages.screenshot(page, "3-bill-toast")


# ---- a held course ----------------------------------------------------------------------


@DEVICES
def test_lines_of_a_held_course_say_so_and_offer_fire_not_served(pages, device):
    page = sign_in_dutch(pages, device)
    open_table(page, "5", 2)
    tap_item(page, "Starters", "Soup of the day")
    tap_item(page, "Mains", "Mushroom risotto")
    show(page, "ticket")
    page.locator("#send").tap()
    starters = page.locator('.ticket-course[data-course="1"]')
    mains = page.locator('.ticket-course[data-course="2"]')
    expect(mains.locator('[data-action="fire"]')).to_be_visible()

    # The mains wait for Fire: badged "wacht", no Served; the starters are cooking.
    expect(mains.locator('.line[data-held="true"] .line__status')).to_have_text("wacht")
    expect(mains.locator('[data-action="serve"]')).to_have_count(0)
    expect(starters.locator(".line .line__status")).to_have_text("verstuurd")
    expect(starters.locator('[data-action="serve"]')).to_be_visible()
    pages.screenshot(page, "1-held")

    mains.locator('[data-action="fire"]').tap()
    expect(mains.locator(".line .line__status")).to_have_text("verstuurd")
    expect(mains.locator('.line[data-held="true"]')).to_have_count(0)
    expect(mains.locator('[data-action="serve"]')).to_be_visible()
    pages.screenshot(page, "2-fired")


# ---- the floor's states -----------------------------------------------------------------


@DEVICES
def test_the_floor_shows_food_in_the_kitchen_served_and_part_paid(pages, device):
    page = sign_in_dutch(pages, device)
    legend = page.locator(".legend")
    for label in ("Besteld", "In de keuken", "Geserveerd", "Rekening afgedrukt", "Deels betaald"):
        expect(legend).to_contain_text(label)
    table = page.locator('.table[data-table-number="4"]')
    expect(table).to_have_attribute("data-state", "free")

    order = send_order(
        page,
        pages.base_url,
        "4",
        [{"item": on_screen(page, "Soup of the day"), "seat": 1}, {"item": "Carpaccio", "seat": 2}],
    )
    expect(table).to_have_attribute("data-state", "food_sent", timeout=LIVE_TIMEOUT_MS)
    expect(table).to_have_attribute("aria-label", re.compile("In de keuken"))
    pages.screenshot(page, "1-food-in-the-kitchen")

    api_post(page, pages.base_url, f"/api/orders/{order['id']}/serve/", {})
    expect(table).to_have_attribute("data-state", "served", timeout=LIVE_TIMEOUT_MS)
    expect(table).to_have_attribute("aria-label", re.compile("Geserveerd"))

    bill = api_post(page, pages.base_url, f"/api/billing/orders/{order['id']}/bill/", {})  # opens the bill
    cash = next(t["id"] for t in bill["tenders"] if t["kind"] == "cash")
    check = bill["checks"][0]["id"]
    api_post(
        page,
        pages.base_url,
        f"/api/billing/checks/{check}/payments/cash/",
        {"tender": cash, "amount": 500, "cash_given": 500},
    )
    expect(table).to_have_attribute("data-state", "part_paid", timeout=LIVE_TIMEOUT_MS)
    expect(table).to_have_attribute("aria-label", re.compile("Deels betaald"))
    pages.screenshot(page, "2-part-paid")


# ---- Back and leaving -------------------------------------------------------------------


@DEVICES
def test_back_with_the_choices_dialog_open_closes_it_and_keeps_the_choices(pages, device):
    page = sign_in_dutch(pages, device)
    order_id = open_table(page, "9", 2)
    tap_item(page, "Mains", "Steak")
    dialog = page.locator(".modifier-dialog")
    choose(dialog, "Medium rare")
    choose(dialog, "Fries")
    dialog.locator('[data-action="more"]').tap()
    pages.screenshot(page, "1-choosing")

    page.go_back()
    expect(dialog).to_have_count(0)
    assert order_of(page) == order_id  # still on the order
    expect(page.locator("#order-title")).to_have_text("Tafel 9")

    # Tapping the steak again: the choices made are still there.
    tap_item(page, "Mains", "Steak")
    expect(dialog.locator('.option[aria-pressed="true"] .option__name')).to_have_text(
        [on_screen(page, "Medium rare"), on_screen(page, "Fries")]
    )
    expect(dialog.locator(".stepper__value")).to_have_text("2")
    pages.screenshot(page, "2-choices-kept")
    dialog.locator('[data-action="add"]').tap()
    expect(dialog).to_have_count(0)
    show(page, "ticket")
    steak = page.locator('.line[data-status="pending"]', has_text="Steak")
    expect(steak).to_have_attribute("data-line-id", re.compile(r"\d+"))
    expect(steak.locator(".line__qty")).to_have_text("2\u00d7")

    # A pending line's sheet closes on Back too, and the order stays.
    steak.tap()
    expect(page.locator(".line-sheet")).to_be_visible()
    page.go_back()
    expect(page.locator(".line-sheet")).to_have_count(0)
    assert order_of(page) == order_id


@DEVICES
def test_leaving_with_lines_not_sent_asks_to_send_stay_or_leave(pages, device):
    page = sign_in_dutch(pages, device)
    order_id = open_table(page, "3", 2)
    tap_item(page, "Starters", "Soup of the day")
    tap_item(page, "Starters", "Carpaccio")
    show(page, "ticket")
    expect(page.locator('.line[data-status="pending"][data-line-id]')).to_have_count(2)

    # Browser Back: asked, and "Verder bestellen" stays on the order.
    page.go_back()
    ask = page.locator(".leave-dialog")
    expect(ask).to_be_visible()
    expect(ask.locator("#leave-title")).to_have_text("2 regels zijn nog niet in de keuken")
    for button in ask.locator("button").all():
        assert_inside_viewport(page, button)
    pages.screenshot(page, "1-asked")
    ask.locator('[data-action="stay"]').tap()
    expect(ask).to_have_count(0)
    assert order_of(page) == order_id

    # The Floor button: asked again; leaving without sending keeps the lines, not sent.
    page.locator("#back").tap()
    expect(ask).to_be_visible()
    ask.locator('[data-action="leave"]').tap()
    page.wait_for_url(FLOOR_URL)
    table = page.locator('.table[data-table-number="3"]')
    expect(table).to_have_attribute("data-state", "ordered")
    expect(table.locator(".table__pending")).to_have_text("2")
    assert line_statuses(page, pages.base_url, order_id) == ["pending", "pending"]
    pages.screenshot(page, "2-left-unsent")

    # Back on the order, Back again: "Versturen en weg" sends them, then leaves.
    table.tap()
    page.wait_for_url(ORDER_URL)
    expect(page.locator(".item").first).to_be_visible()
    page.go_back()
    expect(ask).to_be_visible()
    ask.locator('[data-action="send-and-leave"]').tap()
    page.wait_for_url(FLOOR_URL)
    expect(table).to_have_attribute("data-state", "food_sent", timeout=LIVE_TIMEOUT_MS)
    assert line_statuses(page, pages.base_url, order_id) == ["sent", "sent"]

    # Nothing left to send: Back and the Floor button leave without a word.
    table.tap()
    page.wait_for_url(ORDER_URL)
    expect(page.locator(".item").first).to_be_visible()
    page.locator("#back").tap()
    page.wait_for_url(FLOOR_URL)
    table.tap()
    page.wait_for_url(ORDER_URL)
    expect(page.locator(".item").first).to_be_visible()
    page.go_back()
    page.wait_for_url(FLOOR_URL)
    expect(ask).to_have_count(0)
