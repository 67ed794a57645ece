"""Carla the cashier in a real browser: she signs in with her PIN, sees a waiter's new table appear
live among the open checks, settles it in cash on the bill screen, finds it under "Closed today",
refunds one line with Mila's PIN, and the receipt shows the refund. On a tablet, on a phone, in Dutch."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, enter_pin, on_screen, send_order, sign_in

DUTCH = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
ENGLISH = {"locale": "en-GB", "timezone_id": "Europe/Amsterdam"}
DEVICES = {
    "tablet-en": {**TABLET, **ENGLISH},
    "phone-nl": {**PHONE, **DUTCH},
}
DINNER = [{"item": "Soup of the day", "qty": 2}, {"item": "Carpaccio", "seat": 2}]


def cashier_signs_in(page: Page) -> None:
    page.locator(".name-tile", has_text="Carla").tap()
    enter_pin(page, "4444")
    page.locator(".pin-ok").tap()
    page.wait_for_url(re.compile(r"/cashier/$"))
    expect(page.locator("#open-checks")).to_have_attribute("aria-busy", "false")


@pytest.mark.parametrize("device", ["tablet-en", "phone-nl"])
def test_carla_settles_a_table_finds_it_closed_and_refunds_a_line(pages, device):
    carla = pages.open(DEVICES[device])
    cashier_signs_in(carla)
    pages.screenshot(carla, f"{device}-1-open-checks")

    # Anna sends a table to the kitchen from her tablet: it appears on Carla's list by itself.
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "6", DINNER)
    row = carla.locator(f'.cashier-row[data-order-id="{order["id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(row.locator(".cashier-row__label")).to_contain_text("6")
    pages.screenshot(carla, f"{device}-2-new-table-live")

    # She opens it and takes the exact amount in cash on the tender pad.
    row.locator(".cashier-row__open").tap()
    carla.wait_for_url(re.compile(rf"/orders/{order['id']}/bill/$"))
    expect(carla.locator("#back-to-cashier")).to_be_visible()
    carla.locator('.bill-check [data-action="pay"]').first.tap()
    pad = carla.locator(".tender-pad")
    expect(pad.locator('.tender-tab[data-tender-kind="cash"]')).to_have_attribute("aria-selected", "true")
    pad.locator('[data-quick="exact"]').tap()
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", "0")
    pages.screenshot(carla, f"{device}-3-paid")
    pad.locator('[data-action="done"]').tap()
    carla.wait_for_url(re.compile(r"/cashier/\?outlet=\d+$"), timeout=15_000)
    expect(carla.locator(f'.cashier-row[data-order-id="{order["id"]}"]')).to_have_count(0)

    # Closed today: found by its table; one soup refunded with Mila's PIN.
    carla.locator("#tab-closed").tap()
    carla.locator("#closed-query").fill("6")
    carla.locator("#closed-search button[type=submit]").tap()
    card = carla.locator(".closed-check")
    expect(card).to_have_count(1)
    pages.screenshot(carla, f"{device}-4-closed-today")
    card.locator('[data-action="refund"]').tap()
    dialog = carla.locator(".cashier-dialog")
    soup = dialog.locator(".refund-line", has_text=on_screen(carla, "Soup of the day"))
    soup.locator('[data-action="more"]').tap()
    expect(soup.locator(".stepper__value")).to_have_text("1/2")
    dialog.locator('input[name="reason"]').fill("Soup was cold")
    dialog.locator(".chip[data-manager-id]", has_text="Mila").tap()
    for digit in "9999":
        dialog.locator(f'.pin-key[data-digit="{digit}"]').tap()
    pages.screenshot(carla, f"{device}-5-refund-dialog")
    dialog.locator(".pin-ok").tap()
    expect(dialog).to_have_count(0)
    refund = card.locator(".refund")
    expect(refund).to_have_count(1)
    expect(refund).to_contain_text(on_screen(carla, "Soup of the day"))
    expect(refund).to_contain_text("Soup was cold")
    pages.screenshot(carla, f"{device}-6-refunded")

    # The receipt (what the printer and the screen copy say) lists the refund, in the screen's language:
    # fetched by the page itself, so it asks in the browser's language as the screen copy does.
    check_id = card.get_attribute("data-check-id")
    text = carla.evaluate(
        "url => fetch(url).then(answer => answer.json())", f"/api/billing/checks/{check_id}/receipt/"
    )["text"]
    assert "Soup was cold" in text
    assert f"1x {on_screen(carla, 'Soup of the day')}" in text
