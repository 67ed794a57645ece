"""The tender pad on a phone and a tablet (the pay button never covers a key; tender tabs that do
not fit say so), printing a bill that tells the truth, the manager's way in from the floor, and the
pages' money and date formatters in Chromium, in Dutch and English."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import translation
from playwright.sync_api import Page, expect

from backoffice import navigation
from billing.models import OutletBilling
from billing.templatetags.money import money_text
from demo.management.commands.seed_demo import BISTRO_NAME
from printing.models import Printer, PrintJob
from printing.services import deliver_print_job
from tables.models import Outlet
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import in_own_thread, on_screen, send_order, sign_in
from tests.printing.printer_server import FakePrinter

DUTCH = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
ENGLISH = {"locale": "en-GB", "timezone_id": "Europe/Amsterdam"}
DEVICES = {
    "phone-nl": {**PHONE, **DUTCH},
    "phone-en": {**PHONE, **ENGLISH},
    "tablet-nl": {**TABLET, **DUTCH},
}
DINNER = [
    {"item": "Soup of the day"},
    {"item": "Carpaccio", "seat": 2},
    {"item": "House red (glass)", "seat": 2},
]


def open_bill(pages, device: dict) -> Page:
    """Anna signs in, a table's order goes to the kitchen, and its bill opens."""
    anna = pages.open(device)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "5", DINNER)
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    expect(anna.locator(".bill-check")).to_have_count(1)
    return anna


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def keys_under(page: Page, button_selector: str) -> list[str]:
    """The keypad keys (and the amount shown) that the button covers, where the sheet is scrolled now."""
    button = page.locator(button_selector).bounding_box()
    covered = []
    for key in page.locator(".tender-pad .amount-key, .tender-pad .amount-pad__display").all():
        box = key.bounding_box()
        if box and overlaps(button, box):
            covered.append(key.inner_text() or key.get_attribute("aria-label") or "display")
    return covered


@pytest.mark.parametrize("device", ["phone-nl", "phone-en", "tablet-nl"])
def test_the_pay_button_never_covers_the_keypad(pages, device):
    anna = open_bill(pages, DEVICES[device])
    anna.locator('.bill-check [data-action="pay"]').tap()
    pad = anna.locator(".tender-pad")
    expect(pad.locator('[data-action="take-cash"]')).to_be_visible()
    pages.screenshot(anna, f"{device}-cash-top")

    # Wherever the sheet is scrolled, the button sits beside or under the keys, never on them.
    height = pad.evaluate("(sheet) => sheet.scrollHeight - sheet.clientHeight")
    for top in sorted({0, height // 3, height // 2, 2 * height // 3, height}):
        pad.evaluate("(sheet, top) => { sheet.scrollTop = top; }", top)
        assert keys_under(anna, '.tender-pad [data-action="take-cash"]') == [], f"scrolled to {top} of {height}"
    pages.screenshot(anna, f"{device}-cash-bottom")

    # The bottom row is tappable: the decimal key, 0 and delete reach the amount, no payment is taken.
    pad.locator('.amount-key[data-digit="5"]').tap()
    pad.locator('.amount-key[data-key="decimal"]').tap()
    pad.locator('.amount-key[data-digit="0"]').tap()
    pad.locator('.amount-key[data-key="back"]').tap()
    expect(pad.locator(".amount-pad__value")).to_have_attribute("data-amount", "500")
    expect(pad.locator(".tender-paid")).to_have_count(0)


@pytest.mark.parametrize("device", ["phone-nl", "tablet-nl"])
def test_every_tender_tab_is_in_sight_or_the_row_says_there_are_more(pages, device):
    anna = open_bill(pages, DEVICES[device])
    anna.locator('.bill-check [data-action="pay"]').tap()
    tabs = anna.locator(".tender-pad .tender-tabs")
    expect(tabs.locator(".tender-tab")).to_have_count(5)

    def hidden_tabs() -> list[str]:
        return tabs.evaluate(
            """(row) => {
                const box = row.getBoundingClientRect();
                return [...row.querySelectorAll('.tender-tab')]
                    .filter((tab) => { const r = tab.getBoundingClientRect(); return r.left < box.left - 1 || r.right > box.right + 1; })
                    .map((tab) => tab.textContent);
            }"""
        )

    if hidden_tabs():
        # Tabs out of sight: a hint on the side they are, and it goes once they are in sight.
        expect(tabs).to_have_attribute("data-more-after", "true")
        pages.screenshot(anna, f"{device}-tabs-more")
        tabs.evaluate("(row) => { row.scrollLeft = row.scrollWidth; }")
        expect(tabs).to_have_attribute("data-more-after", "false")
        expect(tabs).to_have_attribute("data-more-before", "true")
    else:
        expect(tabs).not_to_have_attribute("data-more-after", "true")
    # Whatever the width, every tender can be chosen.
    for name in ["Cash", "Card (Stripe)", "Room charge", "Gift voucher", "External card terminal"]:
        tab = tabs.locator(".tender-tab", has_text=on_screen(anna, name))
        tab.tap()
        expect(tab).to_have_attribute("aria-selected", "true")


# ---- printing a bill tells the truth ------------------------------------------------------


@pytest.fixture
def receipt_printer_server():
    server = FakePrinter("online").start()
    yield server
    server.stop()


def test_print_says_no_printer_then_sent_then_printed_when_the_printer_took_it(pages, receipt_printer_server):
    anna = open_bill(pages, DEVICES["phone-nl"])
    print_button = anna.locator('.bill-check [data-action="print"]')

    # The demo has no receipt printer: nothing is claimed, nothing is queued.
    print_button.tap()
    expect(anna.locator(".toast", has_text="Voor dit verkooppunt is geen bonprinter ingesteld.")).to_be_visible()
    assert in_own_thread(lambda: PrintJob.objects.count()) == 0
    pages.screenshot(anna, "1-no-printer")

    def set_up_printer():
        bistro = Outlet.objects.get(name=BISTRO_NAME)
        printer = Printer.objects.create(
            outlet=bistro, name="Kassa", host="127.0.0.1", port=receipt_printer_server.port
        )
        OutletBilling.objects.filter(outlet=bistro).update(receipt_printer=printer)

    in_own_thread(set_up_printer)
    print_button.tap()
    expect(anna.locator(".toast", has_text="Rekening 1 naar de printer gestuurd.")).to_be_visible()
    expect(anna.locator(".toast", has_text="Rekening 1 afgedrukt.")).to_have_count(0)
    expect(anna.locator('.bill-badge[data-print-state="queued"]')).to_have_text("Naar de printer")
    pages.screenshot(anna, "2-sent")

    # A worker delivers it to the (TCP) printer; the tablet hears it printed.
    job = in_own_thread(lambda: deliver_print_job(job_id=PrintJob.objects.get().pk))
    assert job.state == PrintJob.State.PRINTED
    assert receipt_printer_server.received
    expect(anna.locator(".toast", has_text="Rekening 1 afgedrukt.")).to_be_visible()
    expect(anna.locator('.bill-badge[data-print-state="printed"]')).to_have_text("Afgedrukt")
    expect(anna.locator(".toast", has_text="naar de printer gestuurd")).to_have_count(0)
    pages.screenshot(anna, "3-printed")


def test_the_printers_page_does_not_call_unheard_printers_all_printed(pages):
    mila = pages.open(DEVICES["phone-nl"])
    sign_in(mila, "Mila", "9999")
    mila.goto(f"{pages.base_url}/manager/printers/")
    # The demo's kitchen printers wait for their real address: never heard from.
    expect(mila.locator('[data-queue-state="unheard"]').first).to_be_visible()
    expect(mila.locator(".printer-card__ok")).to_have_count(0)
    expect(mila.get_by_text("Alle bonnen zijn afgedrukt.")).to_have_count(0)
    pages.screenshot(mila, "printers")


# ---- the manager's way in -----------------------------------------------------------------


@pytest.mark.parametrize("device", ["phone-nl", "tablet-nl"])
def test_a_manager_on_the_floor_reaches_the_manager_pages(pages, device):
    mila = pages.open(DEVICES[device])
    sign_in(mila, "Mila", "9999")
    mila.locator("#to-manager").tap()
    mila.wait_for_url("**/manager/")
    # The shared navigation reaches every page of a manager's day, and the back office for IT.
    keys = [page.key for section in navigation.SECTIONS for page in section.pages]
    for key in ("day", "drawers", "cashier", "86", "front-desk", "printers", "kitchen-stations"):
        assert key in keys
    nav = mila.locator("#manager-nav .manager-nav__link")
    expect(nav).to_have_count(len(keys) + 1)
    assert [nav.nth(i).get_attribute("id") for i in range(len(keys) + 1)] == [f"nav-{key}" for key in keys] + [
        "nav-admin"
    ]
    # Below the dashboard: the same pages (but home itself) as links with a hint.
    links = mila.locator(".manager-link")
    others = [key for key in keys if key != "home"]
    expect(links).to_have_count(len(others) + 1)
    assert [links.nth(i).get_attribute("id") for i in range(len(others) + 1)] == [f"to-{key}" for key in others] + [
        "to-admin"
    ]
    pages.screenshot(mila, f"{device}-manager-home")
    mila.locator("#to-day").tap()
    mila.wait_for_url("**/manager/day/")
    expect(mila.locator("h1")).to_contain_text("Dagrapport")


def test_a_waiter_on_the_floor_has_no_manager_link(pages):
    anna = pages.open(DEVICES["phone-nl"])
    sign_in(anna, "Anna", "1111")
    expect(anna.locator("#to-manager")).to_have_count(0)


# ---- the pages' formatters, the same strings as the server's --------------------------------

AT = "2025-03-04T08:05:00Z"  # 09:05 in Amsterdam
AMOUNTS = [6000, 123450, -490, 5]


@pytest.mark.parametrize(("device", "language"), [("phone-nl", "nl"), ("phone-en", "en")])
def test_the_scripts_format_money_and_dates_as_the_server_does(pages, device, language):
    page = pages.open(DEVICES[device])
    expect(page.locator("html")).to_have_attribute("lang", language)
    shown = page.evaluate(
        """async ([amounts, at]) => {
            const {money} = await import("/static/waiter/money.js");
            const when = await import("/static/waiter/when.js");
            return {money: amounts.map(money), times: [when.shortDateTime(at), when.clockTime(at), when.shortDate(at)]};
        }""",
        [AMOUNTS, AT],
    )

    def server_side():
        at = datetime.datetime.fromisoformat(AT)
        with translation.override(language):
            times = Template(
                '{{ at|date:"SHORT_DATETIME_FORMAT" }}|{{ at|time }}|{{ at|date:"SHORT_DATE_FORMAT" }}'
            ).render(Context({"at": at}))
            return {
                "money": [money_text(a, currency="EUR", decimals=2, language=language) for a in AMOUNTS],
                "times": times.split("|"),
            }

    assert shown == server_side()
    expected_time = {"nl": ["4-3-2025 09:05", "09:05", "4-3-2025"], "en": ["4 Mar 2025 09:05", "09:05", "4 Mar 2025"]}
    assert shown["times"] == expected_time[language]
    assert re.fullmatch(r"€\u00a01\.234,50" if language == "nl" else r"€1,234\.50", shown["money"][1])
