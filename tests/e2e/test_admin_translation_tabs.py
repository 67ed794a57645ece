"""The Django admin shows a translated field's languages as tabs, with jQuery UI served here, under the CSP."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Item
from staff.models import User
from tests.e2e.test_content_security_policy import PolicyWatch

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PASSWORD = "it-only-pass-123"


@pytest.fixture
def steak(demo_data):
    """The steak's id, and an IT person with the admin's password (before Playwright runs)."""
    User.objects.create_superuser(username="it", password=PASSWORD, display_name="IT")
    return Item.objects.get(name_en="Steak", category__menu__outlet__name="Bistro De Tafel").pk


def test_an_items_admin_page_shows_its_names_in_language_tabs_under_the_policy(steak, pages):
    watch = PolicyWatch(pages, LAPTOP)
    scripts: list[tuple[str, int]] = []
    page = watch.open(f"/admin/login/?next=/admin/orders/item/{steak}/change/")
    page.on("response", lambda response: scripts.append((response.url, response.status)))
    page.locator("#id_username").fill("it")
    page.locator("#id_password").fill(PASSWORD)
    page.locator('input[type="submit"]').click()
    page.wait_for_url(re.compile(rf"/admin/orders/item/{steak}/change/$"))

    # The name's two languages are tabs: English shown, Dutch one tap away.
    name_tabs = page.locator(".ui-tabs", has=page.locator("#id_name_en"))
    expect(name_tabs).to_be_visible()
    expect(page.locator("#id_name_en")).to_be_visible()
    expect(page.locator("#id_name_nl")).to_be_hidden()
    name_tabs.locator(".ui-tabs-nav a", has_text=re.compile("nl", re.I)).click()
    expect(page.locator("#id_name_nl")).to_be_visible()
    pages.screenshot(page, "1-dutch-name-tab")

    served = [(url, status) for url, status in scripts if re.search(r"/static/vendor/jquery-ui[^/]*\.js$", url)]
    assert served and all(status == 200 for _url, status in served), scripts
    assert not [url for url, _status in scripts if "googleapis" in url or "cdn" in url]
    assert not watch.violations, "\n".join(watch.violations)
