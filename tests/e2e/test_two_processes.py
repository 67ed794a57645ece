"""Several daphne processes behind one Redis: a tablet on one hears a change made on another.

This is how the README tells a busy site to run; it needs Redis (the in-memory layer
lives inside one process), so it runs in CI's PostgreSQL + Redis suite.
"""

from playwright.sync_api import expect

from tests.e2e.conftest import TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, open_table, sign_in, tap_item


def test_a_tablet_on_another_daphne_process_sees_the_table_turn_ordered(pages, second_server_url):
    bram = pages.open(TABLET, base_url=second_server_url)
    sign_in(bram, "Bram", "2222")
    table_on_bram = bram.locator('[data-table-number="4"]')
    expect(table_on_bram).to_have_attribute("data-state", "free")
    bram.evaluate("window.notReloaded = true")

    anna = pages.open(TABLET)  # served by the first process
    sign_in(anna, "Anna", "1111")
    open_table(anna, "4", 2)
    expect(table_on_bram).to_have_attribute("data-state", "seated", timeout=LIVE_TIMEOUT_MS)

    tap_item(anna, "Starters", "Soup of the day")
    expect(anna.locator('.line[data-status="pending"]')).to_have_count(1)
    anna.locator("#send").tap()
    expect(anna.locator('.line[data-status="sent"]')).to_have_count(1)

    expect(table_on_bram).to_have_attribute("data-state", "food_sent", timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(bram, "bram-on-the-second-process")
    assert bram.evaluate("window.notReloaded") is True
