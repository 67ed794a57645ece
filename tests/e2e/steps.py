"""What a waiter does on the screens, as steps the browser tests share."""

import re

from playwright.sync_api import Page, expect

LIVE_TIMEOUT_MS = 10_000  # how long another tablet may take to show a change


def enter_pin(page: Page, pin: str) -> None:
    for digit in pin:
        page.locator(f'.pin-key[data-digit="{digit}"]').tap()


def sign_in(page: Page, name: str, pin: str) -> None:
    page.locator(".name-tile", has_text=name).tap()
    enter_pin(page, pin)
    page.locator(".pin-ok").tap()
    page.wait_for_url("**/floor/")
    expect(page.locator(".table").first).to_be_visible()


def open_table(page: Page, number: str, covers: int) -> int:
    page.locator(f'[data-table-number="{number}"]').tap()
    page.locator(f'.cover-button[data-covers="{covers}"]').tap()
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    expect(page.locator(".item").first).to_be_visible()
    return int(re.search(r"/orders/(\d+)/", page.url).group(1))


def pick(page: Page, picker: str, value) -> None:
    page.locator(f'#{picker}-picker .chip[data-value="{value}"]').tap()
    expect(page.locator(f'#{picker}-picker .chip[data-value="{value}"]')).to_have_attribute("aria-checked", "true")


def tap_item(page: Page, category: str, item: str) -> None:
    page.locator(".category", has_text=category).tap()
    page.locator(".item", has=page.locator(".item__name", has_text=re.compile(f"^{re.escape(item)}$"))).tap()


def choose(dialog, modifier: str) -> None:
    dialog.locator(".option", has=dialog.page.locator(".option__name", has_text=re.compile(f"^{modifier}$"))).tap()
