"""Carla the cashier runs the bistro's cash drawer from the screen: counts the float in by note and coin,
pays 5.00 of tips out, counts blind at the end and only then sees what was expected and the variance.
On a tablet and a phone, in English and Dutch; the screenshots are in test-artifacts/e2e."""

import re

import pytest
from playwright.sync_api import Page, expect

from demo.management.commands.seed_demo import DEMO_FLOAT
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import api_post

DUTCH = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
ENGLISH = {"locale": "en-GB", "timezone_id": "Europe/Amsterdam"}
DEVICES = {
    "tablet-en": {**TABLET, **ENGLISH},
    "phone-en": {**PHONE, **ENGLISH},
    "tablet-nl": {**TABLET, **DUTCH},
    "phone-nl": {**PHONE, **DUTCH},
}
WORDS = {
    "en": {"tips": "Tips paid out", "not_printed": "The count slip was not printed."},
    "nl": {"tips": "Fooien uitbetaald", "not_printed": "De telbon is niet afgedrukt."},
}


def amount(text: str, language: str) -> re.Pattern:
    """An amount as the page shows it in the language: 120.00 in English, 120,00 in Dutch."""
    return re.compile(re.escape(text if language == "en" else text.replace(".", ",")))


def sign_in_as_carla(page: Page, base_url: str) -> None:
    """The PIN sign-in API, as the sign-in screen calls it (the screen itself sends cashiers elsewhere)."""
    tiles = page.request.get(f"{base_url}/api/staff/sign-in-tiles/").json()
    carla = next(tile["id"] for tile in tiles if tile["name"] == "Carla")
    api_post(page, base_url, "/api/staff/pin-sign-in/", {"user": carla, "pin": "4444"})


def count(page: Page, grid: str, value: int, pieces: int, *, by_tapping: bool = False) -> None:
    row = page.locator(f'[data-count-grid="{grid}"] .count-row[data-value="{value}"]')
    if by_tapping:
        for _ in range(pieces):
            row.locator('[data-step="1"]').tap()
    else:
        row.locator(".count-row__pieces").fill(str(pieces))


@pytest.mark.parametrize("device", ["tablet-en", "phone-nl", "tablet-nl"])
def test_carla_opens_pays_out_tips_and_counts_blind(pages, server_url, device):
    language = device.rsplit("-", 1)[1]
    words = WORDS[language]
    page = pages.open(DEVICES[device])
    sign_in_as_carla(page, server_url)
    page.goto(server_url + "/cashier/drawer/")
    # The demo's drawer is still open from the seed: last night's count closes it first.
    demo_session = page.locator("#drawer").get_attribute("data-session-id")
    api_post(page, server_url, f"/api/billing/drawers/{demo_session}/close/", {"counts": DEMO_FLOAT})
    page.reload()

    # The float: two 50s by tapping, ten 2-euro coins typed in; the grid adds up as she goes.
    expect(page.locator("#open-drawer")).to_be_visible()
    count(page, "float", 5000, 2, by_tapping=True)
    count(page, "float", 200, 10)
    expect(page.locator('[data-count-grid="float"] .count-grid__total')).to_have_text(amount("120.00", language))
    pages.screenshot(page, f"{device}-1-float")
    page.locator("#open-submit").tap()
    expect(page.locator("#drawer-state")).to_be_visible()
    expect(page.locator('#drawer-state [data-field="float"]')).to_have_text(amount("120.00", language))

    # 5.00 of tips paid out.
    page.locator("#movement-reason label", has_text=words["tips"]).tap()
    page.locator('#movement-form input[name="amount"]').fill("5,00" if language == "nl" else "5.00")
    page.locator("#movement-submit").tap()
    expect(page.locator("#movements .movement--pay_out")).to_contain_text(words["tips"])
    expect(page.locator("#movements .movement--pay_out")).to_contain_text(amount("5.00", language))
    page.locator("#drawer-state").scroll_into_view_if_needed()
    pages.screenshot(page, f"{device}-2-paid-out")

    # The blind count: nothing on the screen says the drawer should hold 115.00.
    expect(page.locator("#count")).to_be_visible()
    assert not amount("115.00", language).search(page.locator("body").inner_text())
    count(page, "close", 5000, 2)
    count(page, "close", 200, 7)  # one euro short: 114.00
    page.locator("#count").scroll_into_view_if_needed()
    pages.screenshot(page, f"{device}-3-blind-count")
    page.locator("#close-submit").tap()

    result = page.locator("#count-result")
    expect(result).to_be_visible()
    expect(result.locator('[data-field="counted"]')).to_have_text(amount("114.00", language))
    expect(result.locator('[data-field="expected"]')).to_have_text(amount("115.00", language))
    expect(result.locator('[data-field="variance"]')).to_have_text(
        re.compile(r"^\u2212.*" + amount("1.00", language).pattern)
    )
    expect(result.locator('[data-field="variance"]')).to_have_attribute("data-sign", "short")
    # The demo bistro has no receipt printer: the screen says so and never claims it printed.
    expect(page.locator("#count-slip")).to_contain_text(words["not_printed"])
    expect(page.locator("#count-slip")).to_have_attribute("data-printed", "false")
    pages.screenshot(page, f"{device}-4-variance")

    # The next drawer can be opened straight away.
    page.locator("#result-done").tap()
    expect(page.locator("#open-drawer")).to_be_visible()


@pytest.mark.parametrize("device", ["tablet-nl", "phone-en"])
def test_the_manager_sees_open_drawers_and_variances(pages, server_url, device):
    language = device.rsplit("-", 1)[1]
    page = pages.open(DEVICES[device])
    tiles = page.request.get(f"{server_url}/api/staff/sign-in-tiles/").json()
    mila = next(tile["id"] for tile in tiles if tile["name"] == "Mila")
    api_post(page, server_url, "/api/staff/pin-sign-in/", {"user": mila, "pin": "9999"})
    page.goto(server_url + "/manager/")
    page.locator("#to-drawers").tap()
    page.wait_for_url("**/manager/drawers/")
    # The demo's two tills are open on 150.00 each; one is counted 2.00 short.
    expect(page.locator("#open-drawers .open-drawer")).to_have_count(2)
    expect(page.locator('#open-drawers [data-field="expected"]').first).to_have_text(amount("150.00", language))
    session = page.locator("#open-drawers .open-drawer").first.get_attribute("data-session-id")
    short = {**DEMO_FLOAT, "100": DEMO_FLOAT["100"] - 2}
    api_post(page, server_url, f"/api/billing/drawers/{session}/close/", {"counts": short})
    page.reload()
    expect(page.locator("#open-drawers .open-drawer")).to_have_count(1)
    expect(page.locator("#closed-drawers tbody tr").first).to_contain_text(amount("2.00", language))
    expect(page.locator("#variance-by-person")).to_contain_text("Carla")  # she ran the till
    pages.screenshot(page, f"{device}-manager-drawers")


@pytest.mark.parametrize("device", ["tablet-en", "phone-nl"])
def test_carla_hands_the_drawer_to_mila_who_takes_it_with_her_own_pin(pages, server_url, device):
    language = device.rsplit("-", 1)[1]
    page = pages.open(DEVICES[device])
    sign_in_as_carla(page, server_url)
    page.goto(server_url + "/cashier/drawer/")
    expect(page.locator("#drawer-state")).to_be_visible()
    before = page.locator("#drawer").get_attribute("data-session-id")

    # Carla counts the demo's 150.00 float exactly and hands it to Mila.
    for value, pieces in DEMO_FLOAT.items():
        count(page, "close", int(value), pieces)
    page.locator("#hand-over-to").select_option(label="Mila")
    page.locator("#hand-over-pin").fill("1234")  # not Mila's PIN: nothing changes hands
    page.locator("#hand-over-submit").tap()
    expect(page.locator("#toasts")).to_contain_text("PIN" if language == "en" else "pincode")
    expect(page.locator("#count-result")).to_be_hidden()
    page.locator("#hand-over-pin").fill("9999")
    page.locator("#hand-over-pin").scroll_into_view_if_needed()
    pages.screenshot(page, f"{device}-hand-over")
    page.locator("#hand-over-submit").tap()

    result = page.locator("#count-result")
    expect(result).to_be_visible()
    expect(result.locator('[data-field="counted"]')).to_have_text(amount("150.00", language))
    expect(result.locator('[data-field="variance"]')).to_have_attribute("data-sign", "even")
    expect(page.locator("#handed-to")).to_contain_text("Mila")
    pages.screenshot(page, f"{device}-handed-over")
    # Mila's drawer is open on the very cash Carla counted.
    page.reload()
    expect(page.locator('#drawer-state [data-field="opened-by"]')).to_have_text("Mila")
    expect(page.locator('#drawer-state [data-field="float"]')).to_have_text(amount("150.00", language))
    assert page.locator("#drawer").get_attribute("data-session-id") != before
