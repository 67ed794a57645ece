"""A set menu in a real browser: Anna sells the 3-course set, the kitchen gets each course, the bill the set price."""

import re

import pytest
from playwright.sync_api import expect

from kitchen.models import Station
from kitchen.services import issue_pairing_code
from orders.models import Item
from staff.models import User
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, choose, open_table, pair_screen, sign_in, tap_item, ticket_card

BISTRO = "Bistro De Tafel"


@pytest.fixture
def set_menu(demo_data) -> dict:
    """The demo's set menu, its dishes and a pairing code for the hot station (read before `pages`)."""
    mila = User.objects.get(username="mila")
    warm = Station.objects.get(outlet__name=BISTRO, code="warm")

    def item(dutch: str) -> int:
        return Item.objects.get(
            name_nl=dutch, category__menu__outlet__name=BISTRO, category__menu__name="À la carte"
        ).pk

    return {
        "set": item("3-gangen keuzemenu"),
        "soup": item("Soep van de dag"),
        "steak": item("Steak"),
        "creme": item("Crème brûlée"),
        "warm_code": issue_pairing_code(station=warm, by=mila).code,
    }


@pytest.mark.parametrize(("device", "language"), [(TABLET, "en"), (PHONE, "nl")], ids=["tablet-en", "phone-nl"])
def test_anna_sells_the_set_menu_the_kitchen_gets_each_course_and_the_bill_the_set_price(
    set_menu, pages, device, language
):
    device = {**device, "locale": language}
    warm = pages.open({**TABLET, "locale": language}, "/kitchen/")
    pair_screen(warm, set_menu["warm_code"])

    anna = pages.open(device)
    sign_in(anna, "Anna", "1111")
    open_table(anna, "8", 2)
    tap_item(anna, "Set menu", "3-course set menu")
    dialog = anna.locator(".set-menu-dialog")
    add = dialog.locator('[data-action="add"]')
    expect(dialog.locator(".modifier-group")).to_have_count(3)
    expect(add).to_be_disabled()
    dialog.locator(f'[data-course="1"] [data-dish-id="{set_menu["soup"]}"]').tap()
    # The steak asks its own questions over the set's dialog.
    dialog.locator(f'[data-course="2"] [data-dish-id="{set_menu["steak"]}"]').tap()
    steak = anna.locator(f'.modifier-dialog[data-item-id="{set_menu["steak"]}"]')
    choose(steak, "Medium")
    choose(steak, "Fries")
    steak.locator('[data-action="save"]').tap()
    expect(steak).to_have_count(0)
    expect(add).to_be_disabled()
    dialog.locator(f'[data-course="3"] [data-dish-id="{set_menu["creme"]}"]').tap()
    expect(dialog.locator('[data-course="2"] [aria-pressed="true"]')).to_contain_text("Medium")
    assert anna.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pages.screenshot(anna, "1-set-dialog")
    add.tap()
    expect(dialog).to_have_count(0)

    # The ticket: the set at its price, its dishes in their courses "in set".
    if anna.locator("#show-ticket").is_visible():  # a phone shows the menu or the ticket
        anna.locator("#show-ticket").tap()
    expect(anna.locator(".line[data-status='pending']")).to_have_count(4)
    set_line = anna.locator(".line", has=anna.locator(".line__price", has_text=re.compile(r"39[.,]50")))
    expect(set_line).to_have_count(1)
    expect(anna.locator(".line__price", has_text=re.compile("^(in set|in menu)$"))).to_have_count(3)
    anna.locator("#send").tap()
    expect(anna.locator('.line[data-status="sent"]')).to_have_count(4)
    pages.screenshot(anna, "2-sent")

    # The hot station cooks the soup now; the steak waits until Anna fires the mains.
    expect(ticket_card(warm, "8", "new")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(ticket_card(warm, "8", "held")).to_have_count(1)
    expect(ticket_card(warm, "8", "held")).to_contain_text("Medium")
    pages.screenshot(warm, "3-kitchen-course-1")
    anna.locator('[data-action="fire"][data-course="2"]').tap()
    expect(anna.locator('.kitchen-state[data-course="2"]')).to_have_attribute("data-kitchen-status", "fired")
    expect(ticket_card(warm, "8", "held")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(ticket_card(warm, "8", "new")).to_have_count(2)
    pages.screenshot(warm, "4-kitchen-course-2-fired")

    # The bill: the guest pays the set price.
    anna.locator("#bill-link").tap()
    anna.wait_for_url("**/bill/")
    expect(anna.locator(".bill-check .bill-totals__row--total").first).to_have_attribute("data-total", "3950")
    # The set's line shows its price; its dishes (carrying their shares for VAT) say "in set".
    expect(anna.locator(".bill-item[data-line-id] .bill-item__amount", has_text=re.compile(r"39[.,]50"))).to_have_count(
        1
    )
    expect(anna.locator(".bill-item__amount", has_text=re.compile("^(in set|in menu)$"))).to_have_count(3)
    assert anna.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pages.screenshot(anna, "5-bill")
