"""The demo's names in the screen's language: a Dutch tablet shows the menu, the choices and the
kitchen's ticket in Dutch; an English laptop shows the same order in English."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, choose, enter_pin, open_table, sign_in, tap_item

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "has_touch": True}
DEVICES = {
    "tablet-nl": {**TABLET, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"},
    "laptop-en": {**LAPTOP, "locale": "en-GB", "timezone_id": "Europe/Amsterdam"},
}
# What each screen shows: the menu's tile and group, the choices, the kitchen's name and station.
SHOWN = {
    "tablet-nl": {
        "category": "Hoofdgerechten",
        "item": "Lamsrack",
        "groups": ["Bereiding", "Bijgerecht"],
        "choices": ["Rood", "Friet"],
        "kitchen": "Lam",
        "station": "Warm",
    },
    "laptop-en": {
        "category": "Mains",
        "item": "Rack of lamb",
        "groups": ["Cooking", "Side"],
        "choices": ["Rare", "Fries"],
        "kitchen": "Lamb",
        "station": "Hot",
    },
}


def kitchen_sign_in(page: Page) -> None:
    page.locator(".name-tile", has_text="Kees").tap()
    enter_pin(page, "3333")
    page.locator(".pin-ok").tap()
    page.wait_for_url("**/kitchen/")


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_menu_the_choices_and_the_kitchen_ticket_are_in_the_screens_language(pages, device):
    shown = SHOWN[device]
    anna = pages.open(DEVICES[device])
    sign_in(anna, "Anna", "1111")
    open_table(anna, "9", 2)
    expect(anna.locator(".category", has_text=shown["category"])).to_be_visible()
    pages.screenshot(anna, f"{device}-1-menu")
    tap_item(anna, "Mains", "Rack of lamb")  # the step names it in English; a Dutch screen shows Lamsrack
    dialog = anna.locator(".modifier-dialog")
    titles = dialog.locator(".modifier-group__title")
    for group in shown["groups"]:
        expect(titles.filter(has_text=group)).to_have_count(1)
    choose(dialog, "Rare")
    choose(dialog, "Fries")
    for choice in shown["choices"]:
        expect(dialog.locator('.option[aria-pressed="true"]', has_text=choice)).to_have_count(1)
    pages.screenshot(anna, f"{device}-2-choices")
    dialog.locator('[data-action="add"]').tap()
    expect(anna.locator('.line[data-status="pending"]')).to_contain_text(shown["item"])
    anna.locator("#send").tap()
    expect(anna.locator('.line[data-status="pending"]')).to_have_count(0, timeout=LIVE_TIMEOUT_MS)

    kees = pages.open(DEVICES[device])
    kitchen_sign_in(kees)
    kees.locator(".station-link", has_text=shown["station"]).first.tap()
    expect(kees.locator("#station-name")).to_have_text(shown["station"])
    card = kees.locator('.card[data-table="9"]')
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(card.locator(".kitem__name")).to_have_text(shown["kitchen"])
    for choice in shown["choices"]:
        expect(card).to_contain_text(choice)
    pages.screenshot(kees, f"{device}-3-kitchen")
    assert not pages.errors
