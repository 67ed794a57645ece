"""A happy hour opens while a waiter's order screen is open: the tile's price changes at that moment, no reload.

Nobody saves anything when a happy hour opens, so no message tells the tablet; the menu it
loaded named the moment its prices change, and it takes the menu again then.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders import services
from orders.models import Item
from staff.models import User
from tests.e2e.conftest import TABLET
from tests.e2e.steps import in_own_thread, open_table, sign_in

HAPPY_PRICE = 1234  # € 12.34, a price nothing on the demo menu has


@pytest.fixture
def steak(demo_data):
    """The steak's id, and its price before the happy hour (asked for before `pages`)."""
    item = Item.objects.get(name_en="Steak", category__menu__outlet__name="Bistro De Tafel")
    return {"id": item.pk, "price": item.price, "outlet": item.category.menu.outlet}


def test_a_happy_hour_opening_changes_the_tiles_price_without_a_reload(steak, pages):
    # Saved before the tablet loads its menu, so the menu names the moment: nothing tells the
    # tablet when it comes (the save's own message is tested in tests/orders).
    opens = timezone.localtime() + datetime.timedelta(seconds=20)

    def borrel_in_twenty_seconds():
        services.save_happy_hour(
            outlet=steak["outlet"],
            by=User.objects.get(username="mila"),
            name="Borrel",
            weekdays="0123456",
            starts_at=opens.time().replace(microsecond=0),
            ends_at=(opens + datetime.timedelta(hours=1)).time().replace(microsecond=0),
            item_prices={steak["id"]: HAPPY_PRICE},
        )

    in_own_thread(borrel_in_twenty_seconds)
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    open_table(anna, "4", 2)
    anna.locator(".category", has_text="Mains").tap()
    tile_price = anna.locator(f'.item[data-item-id="{steak["id"]}"] .item__price')
    before = f"{steak['price'] // 100}.{steak['price'] % 100:02d}"
    anna.evaluate("window.notReloaded = true")
    if timezone.localtime() < opens - datetime.timedelta(seconds=2):
        expect(tile_price).to_contain_text(before)
        pages.screenshot(anna, "1-before-the-happy-hour")
    expect(tile_price).to_contain_text("12.34", timeout=40_000)
    assert timezone.localtime() >= opens
    assert anna.evaluate("window.notReloaded") is True
    pages.screenshot(anna, "2-happy-hour-price")
