"""The menu editor in a real browser: Mila (manager, 9999) makes a nested modifier group, adds
a cheese board with a price in euros, a colour and that group, drags it up the
starters; Anna's tablet (waiter, 1111, on the order screen) shows it there with its price,
without a reload, and offers its choices.

On a laptop in English and a tablet in Dutch (selectors use ids and data attributes, not words).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from orders.models import Category, Item
from tables.models import Outlet
from tests.e2e.conftest import TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, api_post, in_own_thread, open_table, sign_in

BISTRO = "Bistro De Tafel"
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
DEVICES = {"laptop-en": (LAPTOP, "en"), "tablet-nl": (TABLET, "nl")}
# What Mila types, and what the tablet shows, in each language.
PRICE = {"en": ("12.50", "€12.50"), "nl": ("12,50", "€ 12,50")}
EXTRA = {"en": "1.50", "nl": "1,50"}
# Names are typed in both languages; each screen shows its own.
SAUCE = {"en": "Sauce", "nl": "Saus"}
DISH = {"en": "Cheese board", "nl": "Kaasplank"}


@pytest.fixture
def starters(demo_data) -> tuple[int, int]:
    """The bistro's id and its starters' (asked for before `pages`: the ORM refuses Playwright's thread)."""
    category = Category.objects.get(name_nl="Voorgerechten", menu__outlet__name=BISTRO)
    return Outlet.objects.get(name=BISTRO).pk, category.pk


def mila_signs_in(page: Page, server_url: str) -> None:
    tiles = page.request.get(f"{server_url}/api/staff/sign-in-tiles/").json()
    mila = next(tile["id"] for tile in tiles if tile["name"] == "Mila")
    api_post(page, server_url, "/api/staff/pin-sign-in/", {"user": mila, "pin": "9999"})


def drag(page: Page, handle, target) -> None:
    """Drag by the handle onto the top half of `target`, in small steps as a hand would."""
    start, end = handle.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 20, end["y"] + 4, steps=12)
    page.wait_for_timeout(200)
    page.mouse.move(end["x"] + 20, end["y"] + 2, steps=4)
    page.mouse.up()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page overflows its width"


@pytest.mark.parametrize("variant", list(DEVICES))
def test_mila_adds_a_dish_with_a_nested_group_drags_it_up_and_annas_tablet_shows_it(
    starters, pages, server_url, variant
):
    outlet_id, category_id = starters
    device, language = DEVICES[variant]
    device = {**device, "locale": language}
    typed, shown = PRICE[language]

    anna = pages.open(TABLET | {"locale": language})
    sign_in(anna, "Anna", "1111")
    open_table(anna, "4", 2)
    anna.locator(f'.category[data-category-id="{category_id}"]').tap()
    anna.evaluate("window.notReloaded = true")

    mila = pages.open(device)
    mila_signs_in(mila, server_url)
    mila.goto(f"{server_url}/manager/menu/?outlet={outlet_id}")
    expect(mila.locator("#nav-menu")).to_have_attribute("aria-current", "page")
    expect(mila.locator(f'#categories .menu-row[data-id="{category_id}"]')).to_have_attribute("aria-current", "true")
    expect(mila.locator("#items .menu-row")).not_to_have_count(0)
    no_sideways_scroll(mila)
    pages.screenshot(mila, f"{variant}-1-editor")

    # A sauce group whose Béarnaise asks for a dressing too (nested).
    mila.locator("#show-groups").click()
    mila.locator("#new-group").click()
    form = mila.locator("#group-form")
    form.locator('[name="name_en"]').fill("Sauce")
    form.locator('[name="name_nl"]').fill("Saus")
    form.locator('[name="min_choices"]').fill("1")
    form.locator('[name="max_choices"]').fill("1")
    form.locator('[name="choice_name_en"]').fill("Pepper")
    form.locator('[name="choice_name_nl"]').fill("Peper")
    form.locator("#add-choice").click()
    second = form.locator(".menu-choice").nth(1)
    second.locator('[name="choice_name_en"]').fill("Béarnaise")  # the Dutch screen falls back to it
    second.locator('[name="choice_price"]').fill(EXTRA[language])
    second.locator('[name="choice_opens"]').select_option(label="Dressing")
    pages.screenshot(mila, f"{variant}-2-group")
    mila.locator("#dialog-save").click()
    expect(mila.locator("dialog")).to_have_count(0)
    expect(mila.locator("#groups .menu-row", has_text=SAUCE[language])).to_contain_text("Dressing")

    # The cheese board: a price in euros, its own colour, the sauce group by name.
    mila.locator("#show-items").click()
    mila.locator("#new-item").click()
    form = mila.locator("#item-form")
    form.locator('[name="name_en"]').fill("Cheese board")
    form.locator('[name="name_nl"]').fill("Kaasplank")
    form.locator('[name="price"]').fill("twaalf")
    mila.locator("#dialog-save").click()
    expect(form.locator('[data-field="price"] .field__error')).not_to_be_empty()  # named at its field
    form.locator('[name="price"]').fill(typed)
    form.locator('[name="own_colour"]').check()
    form.locator('[name="colour"]').fill("#6a1b9a")
    form.locator(".menu-check", has_text=SAUCE[language]).locator("input").check()
    pages.screenshot(mila, f"{variant}-3-item")
    mila.locator("#dialog-save").click()
    expect(mila.locator("dialog")).to_have_count(0)
    new_row = mila.locator("#items .menu-row", has_text=DISH[language])
    expect(new_row.locator(".menu-row__price")).to_have_text(shown)
    expect(mila.locator("#items .menu-row").last).to_contain_text(DISH[language])

    # Anna's tablet hears of it without a reload: last of the starters, at its price.
    tile = anna.locator(".item", has=anna.locator(".item__name", has_text=re.compile(f"^{DISH[language]}$")))
    expect(tile).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(tile.locator(".item__price")).to_have_text(shown)
    expect(anna.locator("#items .item").last.locator(".item__name")).to_have_text(DISH[language])

    # Dragged up three places, above the croquettes.
    rows = mila.locator("#items .menu-row")
    count = rows.count()
    new_row.scroll_into_view_if_needed()
    above = rows.nth(count - 4)
    above_name = above.locator(".menu-row__name").inner_text()
    ids = [int(new_row.get_attribute("data-id")), int(above.get_attribute("data-id"))]
    with mila.expect_response(lambda response: response.url.endswith(f"/categories/{category_id}/order/")) as saved:
        drag(mila, new_row.locator(".drag-handle"), above)
    assert saved.value.ok
    expect(rows.nth(count - 4)).to_contain_text(DISH[language])
    expect(rows.nth(count - 3)).to_contain_text(above_name)
    no_sideways_scroll(mila)
    pages.screenshot(mila, f"{variant}-4-dragged")
    saved_order = in_own_thread(
        lambda: list(Item.objects.filter(category_id=category_id).order_by("sort_order").values_list("pk", flat=True))
    )
    assert saved_order[count - 4 : count - 2] == ids

    moved = anna.locator("#items .item").nth(count - 4)
    expect(moved.locator(".item__name")).to_have_text(DISH[language], timeout=LIVE_TIMEOUT_MS)
    assert anna.evaluate("window.notReloaded") is True
    moved.tap()
    expect(anna.locator(".option", has_text="Béarnaise")).to_be_visible()
    pages.screenshot(anna, f"{variant}-5-tablet")
