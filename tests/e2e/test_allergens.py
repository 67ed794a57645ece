"""Allergens in a real browser: Mila (manager, 9999) ticks two allergens in the allergen matrix,
mustard on the steak and gluten on the fries; Anna's tablet (waiter, 1111), already on the order
screen, shows them on the steak's tile and by the fries in its choices without a reload; Anna
sends the steak with fries and Kees's station screen (kitchen, 3333) shows the ALLERGENS line.

Tablet in English and phone in Dutch (selectors use data attributes, not words).
"""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Item, Modifier
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, choose, enter_pin, on_screen, open_table, sign_in

BISTRO = "Bistro De Tafel"
DEVICES = [(TABLET, "en"), (PHONE, "nl")]
DEVICE_IDS = ["tablet-en", "phone-nl"]


@pytest.fixture
def menu_ids(demo_data) -> dict:
    """The bistro's steak and the fries (read before `pages`: the ORM refuses Playwright's thread)."""
    steak = Item.objects.get(name_en="Steak", category__menu__outlet__name=BISTRO)
    fries = Modifier.objects.get(name_en="Fries")
    assert "mustard" not in steak.allergens and "gluten" not in fries.allergens
    return {"steak": steak.pk, "fries": fries.pk, "steak_allergens": steak.allergens}


@pytest.mark.parametrize(("device", "language"), DEVICES, ids=DEVICE_IDS)
def test_mila_ticks_two_allergens_and_the_waiter_and_the_kitchen_see_them(menu_ids, pages, device, language):
    device = {**device, "locale": language}
    steak, fries = menu_ids["steak"], menu_ids["fries"]

    anna = pages.open(device)
    sign_in(anna, "Anna", "1111")
    open_table(anna, "7", 2)
    anna.locator(".category", has_text=on_screen(anna, "Mains")).tap()
    tile = anna.locator(f'.item[data-item-id="{steak}"]')
    expect(tile.locator(".allergens")).to_have_attribute("data-allergens", " ".join(menu_ids["steak_allergens"]))

    mila = pages.open(device)
    sign_in(mila, "Mila", "9999")
    mila.goto(f"{pages.base_url}/manager/menu/allergens/")
    steak_row = mila.locator(f'tr[data-kind="items"][data-id="{steak}"]')
    fries_row = mila.locator(f'tr[data-kind="modifiers"][data-id="{fries}"]')
    expect(mila.locator("#allergens-save")).to_be_disabled()
    steak_row.locator('input[value="mustard"]').check()
    fries_row.locator('input[value="gluten"]').check()
    pages.screenshot(mila, "1-matrix-ticked")
    mila.locator("#allergens-save").tap()
    expect(mila.locator(".toast--ok")).to_be_visible()
    expect(mila.locator("#allergens-save")).to_be_disabled()
    # Nothing on the page is wider than the screen (the matrix scrolls inside its own box).
    assert mila.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Anna's tablet takes the menu again when the manager saves: no reload.
    expect(tile.locator(".allergens")).to_have_attribute(
        "data-allergens", _annex_order(menu_ids["steak_allergens"] + ["mustard"]), timeout=LIVE_TIMEOUT_MS
    )
    expect(tile.locator(".allergens")).to_have_attribute("aria-label", _starts_with_label(language))
    pages.screenshot(anna, "2-tile")
    tile.tap()
    dialog = anna.locator(".modifier-dialog")
    expect(dialog.locator(f'.option[data-modifier-id="{fries}"] .allergens')).to_have_attribute(
        "data-allergens", "gluten"
    )
    expect(dialog.locator(".modifier-dialog__allergens")).to_be_visible()
    pages.screenshot(anna, "3-choices")
    choose(dialog, "Rare")
    choose(dialog, "Fries")
    dialog.locator('[data-action="add"]').tap()
    expect(dialog).to_have_count(0)
    expect(anna.locator(".line__allergens").first).to_have_attribute(
        "data-allergens", _annex_order(menu_ids["steak_allergens"] + ["mustard", "gluten"])
    )
    if anna.locator("#show-ticket").is_visible():  # a phone shows the menu or the ticket
        anna.locator("#show-ticket").tap()
    expect(anna.locator(".line__allergens").first).to_be_visible()
    pages.screenshot(anna, "4-line")
    anna.locator("#send").tap()
    expect(anna.locator("#send")).to_be_disabled()

    kees = pages.open(device)
    kees.locator(".name-tile", has_text="Kees").tap()
    enter_pin(kees, "3333")
    kees.locator(".pin-ok").tap()
    kees.wait_for_url("**/kitchen/")
    kees.locator(".station-link", has_text=on_screen(kees, "Hot")).first.tap()
    allergen_line = kees.locator('.card[data-table="7"] .ticket-allergens')
    expect(allergen_line).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(allergen_line).to_contain_text("MUSTARD" if language == "en" else "MOSTERD")
    expect(allergen_line).to_contain_text("GLUTEN")
    pages.screenshot(kees, "5-kitchen")
    # The guests' card, printable, in the language asked for, shows the steak with its mustard now.
    mila.goto(f"{pages.base_url}/manager/menu/allergens/card/?lang={language}")
    expect(mila.locator(".allergen-card__law")).to_contain_text("1169/2011")
    steak_on_card = mila.locator(
        ".allergen-card li", has=mila.locator(".allergen-card__dish", has_text=re.compile("^Steak$"))
    )
    expect(steak_on_card).to_contain_text("Mustard" if language == "en" else "Mosterd")
    pages.screenshot(mila, "6-card")
    for page in (mila, anna, kees):
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


ANNEX = [
    "gluten",
    "crustaceans",
    "eggs",
    "fish",
    "peanuts",
    "soybeans",
    "milk",
    "nuts",
    "celery",
    "mustard",
    "sesame",
    "sulphites",
    "lupin",
    "molluscs",
]


def _annex_order(codes: list[str]) -> str:
    return " ".join(sorted(set(codes), key=ANNEX.index))


def _starts_with_label(language: str):
    return re.compile("^Allergens: " if language == "en" else "^Allergenen: ")
