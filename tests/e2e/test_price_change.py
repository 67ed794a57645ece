"""Mila raises the starters' prices by 5% from next Monday: she sees old -> new before applying, then the
scheduled list; Anna's order taken today keeps today's price. On a laptop in English and a tablet in
Dutch; the screenshots are in test-artifacts/e2e."""

import datetime
import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import TABLET
from tests.e2e.steps import api_post, on_screen, open_table, sign_in

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
DEVICES = {
    "laptop-en": {**LAPTOP, "locale": "en-GB", "timezone_id": "Europe/Amsterdam"},
    "tablet-nl": {**TABLET, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"},
}
WORDS = {
    "en": {"scheduled": "Scheduled from", "monday": "Monday", "soup": ("€6.95", "€7.30")},
    "nl": {"scheduled": "Gepland vanaf", "monday": "maandag", "soup": ("€\u00a06,95", "€\u00a07,30")},
}
STARTERS = re.compile("Voorgerechten|Starters")
SOUP = "Soup of the day"  # the demo's English name; each page shows it in its own language


def next_monday() -> datetime.date:
    today = datetime.datetime.now(datetime.UTC).astimezone().date()
    return today + datetime.timedelta(days=7 - today.weekday())


def sign_in_by_api(page: Page, base_url: str, name: str, pin: str) -> None:
    tiles = page.request.get(f"{base_url}/api/staff/sign-in-tiles/").json()
    person = next(tile["id"] for tile in tiles if tile["name"] == name)
    api_post(page, base_url, "/api/staff/pin-sign-in/", {"user": person, "pin": pin})


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


@pytest.mark.parametrize("device", ["laptop-en", "tablet-nl"])
def test_mila_raises_the_starters_from_monday_and_todays_order_keeps_its_price(pages, server_url, device):
    words = WORDS[device.rsplit("-", 1)[1]]
    old, new = words["soup"]
    mila = pages.open(DEVICES[device])
    sign_in_by_api(mila, server_url, "Mila", "9999")
    mila.goto(server_url + "/manager/")
    mila.locator("#to-prices").click()
    mila.wait_for_url("**/manager/prices/")

    form = mila.locator("#price-change-form")
    starters = form.locator("select[name=category] option", has_text=STARTERS).first.get_attribute("value")
    form.locator("select[name=category]").select_option(starters)
    form.locator("input[name=percent]").fill("5")
    form.locator("select[name=rounding]").select_option("5")
    form.locator("input[name=starts_on]").fill(next_monday().isoformat())
    mila.locator("#preview-change").click()

    soup_row = mila.locator("#price-preview tr", has_text=on_screen(mila, SOUP))
    expect(soup_row.locator('[data-field="old"]')).to_have_text(old)
    expect(soup_row.locator('[data-field="new"]')).to_have_text(new)
    assert_fits(mila)
    pages.screenshot(mila, f"{device}-1-preview")

    mila.locator("#apply-change").click()
    scheduled = mila.locator("#price-lists .price-list--scheduled")
    expect(scheduled).to_have_count(1)
    expect(scheduled.locator(".price-list__state")).to_contain_text(words["scheduled"])
    expect(scheduled.locator(".price-list__state")).to_contain_text(words["monday"])
    expect(scheduled.locator("tr", has_text=on_screen(mila, SOUP))).to_contain_text(new)
    assert_fits(mila)
    scheduled.scroll_into_view_if_needed()
    pages.screenshot(mila, f"{device}-2-scheduled")

    # Today Anna still sells the soup at today's price, on the tile and on the line.
    anna = pages.open({**TABLET, **{k: v for k, v in DEVICES[device].items() if k in ("locale", "timezone_id")}})
    sign_in(anna, "Anna", "1111")
    order_id = open_table(anna, "3", 2)
    anna.locator(".category", has_text=STARTERS).first.tap()
    soup_tile = anna.locator(".item", has=anna.locator(".item__name", has_text=on_screen(anna, SOUP)))
    expect(soup_tile.locator(".item__price")).to_have_text(old)
    soup_id = int(soup_tile.get_attribute("data-item-id"))
    soup_tile.tap()
    expect(anna.locator(".line", has_text=on_screen(anna, SOUP)).first).to_be_visible()
    # The tablet writes the line through its outbox: wait for the server to have it.
    deadline = time.monotonic() + 10
    while True:
        order = anna.request.get(f"{server_url}/api/orders/{order_id}/").json()
        prices = [line["unit_price"] for line in order["lines"] if line["item"] == soup_id]
        if prices or time.monotonic() > deadline:
            break
        anna.wait_for_timeout(200)
    assert prices == [695]
