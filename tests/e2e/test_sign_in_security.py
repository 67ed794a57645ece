"""The sign-in screen under wrong PINs, and a tablet left alone going back to the PIN pad.

Each test starts its own daphne with the settings it needs (a long wait after wrong
PINs, a tiny idle limit) on the demo restaurant: Anna 1111, Mila (manager) 9999.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM_ARGS, PHONE, TABLET, Pages, running_daphne
from tests.e2e.steps import enter_pin, sign_in

WRONG = "0000"


@pytest.fixture
def chromium(chromium_path, demo_data):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def open_pages(chromium, request):
    """open_pages(base_url) -> Pages on that server; fails the test on JavaScript errors."""
    opened = []

    def make(base_url: str) -> Pages:
        pages = Pages(chromium, base_url, request.node.name.removeprefix("test_").replace("[", "-").rstrip("]"))
        opened.append(pages)
        return pages

    yield make
    for pages in opened:
        pages.close()
        assert not pages.errors, "JavaScript errors:\n" + "\n".join(pages.errors)


def type_pin(page, pin: str) -> None:
    """Type a PIN and wait for the server's answer (a real PIN hash takes a while)."""
    enter_pin(page, pin)
    with page.expect_response(lambda response: response.request.method == "POST", timeout=20_000):
        page.locator(".pin-ok").tap()


@pytest.mark.parametrize(
    ("device", "language"), [(TABLET, "en"), (PHONE, "en"), (TABLET, "nl")], ids=["tablet", "phone", "tablet-nl"]
)
def test_a_manager_clears_a_wait_on_the_sign_in_screen(open_pages, device, language, request):
    env = {"PIN_FIRST_WAIT_SECONDS": "300"}
    with running_daphne(request.node.name.removeprefix("test_"), extra_env=env) as base_url:
        pages = open_pages(base_url)
        page = pages.open({**device, "locale": language}, "/")
        if language == "nl":
            page.locator('.language-switch button[value="nl"]').tap()
            expect(page.locator("html")).to_have_attribute("lang", "nl")

        page.locator(".name-tile", has_text="Anna").tap()
        for _ in range(3):
            type_pin(page, WRONG)
        wait_box = page.locator("#pin-wait")
        expect(wait_box).to_be_visible()
        expect(page.locator("#pin-wait-text")).to_have_text(
            re.compile(r"Probeer het over \d+ seconden" if language == "nl" else r"Try again in \d+ seconds")
        )
        expect(page.locator('.pin-key[data-digit="1"]')).to_be_disabled()
        pages.screenshot(page, "waiting")

        # Back at the names, Anna's tile says the tablet must wait.
        page.locator("#pin-back").tap()
        anna = page.locator(".name-tile", has_text="Anna")
        expect(anna).to_have_attribute("data-locked", "true")
        expect(anna.locator(".name-tile__locked")).to_have_text("Wachten" if language == "nl" else "Wait")
        pages.screenshot(page, "tile-waits")

        # Mila, standing by, clears it with her own PIN.
        anna.tap()
        page.locator("#clear-wait").tap()
        expect(page.locator('#clear-wait-managers .chip[aria-checked="true"]')).to_have_text("Mila")
        expect(page.locator("#pin-name")).to_have_text(
            "Wachten opheffen voor Anna" if language == "nl" else "Clear the wait for Anna"
        )
        pages.screenshot(page, "manager-clears")
        type_pin(page, WRONG)
        expect(page.locator(".pin-error").first).to_contain_text("pincode" if language == "nl" else "PIN")
        type_pin(page, "9999")
        expect(wait_box).to_be_hidden()
        expect(page.locator("#pin-name")).to_have_text("Anna")
        pages.screenshot(page, "cleared")

        type_pin(page, "1111")
        page.wait_for_url("**/floor/")
        expect(page.locator(".table").first).to_be_visible()


def test_an_idle_waiter_page_goes_back_to_the_pin_pad(open_pages, request):
    env = {"IDLE_SIGN_OUT_MINUTES": "0.05"}  # three seconds
    with running_daphne("idle-sign-out", extra_env=env) as base_url:
        pages = open_pages(base_url)
        page = pages.open(TABLET, "/")
        sign_in(page, "Anna", "1111")
        expect(page.locator("#idle-sign-out")).to_have_attribute("data-seconds", "3")

        page.wait_for_url(re.compile(r"/$"), timeout=15_000)
        expect(page.locator(".name-tile", has_text="Anna")).to_be_visible()
        pages.screenshot(page, "back-at-the-pin-pad")
        # The session is gone too, not only the page.
        page.goto(base_url + "/floor/")
        page.wait_for_url(re.compile(r"/$"))
        assert page.context.request.get(base_url + "/api/staff/me/").status == 401
