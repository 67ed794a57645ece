"""The manager's floor-plan editor in a real browser against a real daphne, with the demo restaurant.

Mila drags table 12 onto the terrace's tab, turns it by its knob and a button, undoes the
button's turn and saves; Anna's floor (a waiter's tablet) shows table 12 on the terrace
without a reload. On the laptop by mouse; on the tablet by touch (touch events, which
Chromium turns into pointer events of type "touch").
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tables.models import Table
from tests.e2e.conftest import TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, in_own_thread, on_screen, sign_in

# A touch laptop (the PIN pad is tapped), dragged with its mouse; the tablet dragged by finger.
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "has_touch": True}
DEVICES = {
    "laptop-en": ({**LAPTOP, "locale": "en"}, "en", False),
    "tablet-nl": ({**TABLET, "locale": "nl"}, "nl", True),
}
WORDS = {
    "en": {"terrace": "Terrace", "saved": "All changes saved", "unsaved": "Unsaved changes", "turned": "Turned %s°"},
    "nl": {
        "terrace": "Terras",
        "saved": "Alle wijzigingen opgeslagen",
        "unsaved": "Niet opgeslagen wijzigingen",
        "turned": "Gedraaid %s°",
    },
}


def centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Page, start: tuple[float, float], end: tuple[float, float], *, touch: bool) -> None:
    """A finger or a mouse from start to end in small steps, as a person drags."""
    steps = [(start[0] + (end[0] - start[0]) * i / 10, start[1] + (end[1] - start[1]) * i / 10) for i in range(11)]
    if start == end:
        steps = [start]
    if not touch:
        page.mouse.move(*start)
        page.mouse.down()
        for x, y in steps[1:]:
            page.mouse.move(x, y)
        page.mouse.up()
        return
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start[0], "y": start[1]}]})
    for x, y in steps[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    # Chromium's gesture detector holds the next tap as a possible double tap for a moment
    # after a touch sequence; a person's next tap comes later than a script's.
    page.wait_for_timeout(400)


def press(page: Page, selector: str, *, touch: bool) -> None:
    """A tap by finger (the same touch events as the drags), or a click."""
    if not touch:
        page.locator(selector).click()
        return
    x, y = centre(page, selector)
    drag(page, (x, y), (x, y), touch=True)


@pytest.mark.parametrize("variant", list(DEVICES))
def test_mila_moves_table_12_onto_the_terrace_and_annas_floor_follows_live(pages, server_url, variant):
    device, language, touch = DEVICES[variant]
    words = WORDS[language]

    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    expect(anna.locator('.table[data-table-number="12"]')).to_be_visible()
    anna.evaluate("window.notReloaded = true")

    mila = pages.open(device)
    sign_in(mila, "Mila", "9999")
    mila.goto(server_url + "/manager/floor/")
    twelve = '.floor-editor__table[data-table-number="12"]'
    expect(mila.locator(twelve)).to_be_visible()
    pages.screenshot(mila, f"{variant}-1-editor")

    # Drag table 12 up onto the terrace's tab: the editor shows the terrace with table 12 on it.
    terrace_tab = f'#area-tabs .tab:has-text("{words["terrace"]}")'
    drag(mila, centre(mila, twelve), centre(mila, terrace_tab), touch=touch)
    expect(mila.locator(terrace_tab)).to_have_attribute("aria-selected", "true")
    expect(mila.locator(twelve)).to_be_visible()
    expect(mila.locator("#save-status")).to_have_text(words["unsaved"])

    # Turn it by its knob: pulled to the table's right, the table stands at 90 degrees.
    press(mila, twelve, touch=touch)
    knob = f"{twelve} .floor-editor__handle--rotate"
    expect(mila.locator(knob)).to_be_visible()
    box = mila.locator(twelve).bounding_box()
    right_of_table = (box["x"] + box["width"] + 60, box["y"] + box["height"] / 2)
    drag(mila, centre(mila, knob), right_of_table, touch=touch)
    turned = mila.locator(".floor-editor__inspector").get_by_text(words["turned"] % 90)
    expect(turned).to_be_visible()

    # One more turn by the button, then undo it: back at 90.
    press(mila, "#rotate-right", touch=touch)
    expect(mila.locator(".floor-editor__inspector").get_by_text(words["turned"] % 105)).to_be_visible()
    press(mila, "#undo", touch=touch)
    expect(turned).to_be_visible()
    pages.screenshot(mila, f"{variant}-2-turned-on-the-terrace")

    press(mila, "#save", touch=touch)
    expect(mila.locator("#save-status")).to_have_text(words["saved"])
    expect(mila.locator("#save")).to_be_disabled()
    pages.screenshot(mila, f"{variant}-3-saved")

    # Anna's floor: table 12 left the restaurant and stands on the terrace, turned; no reload.
    expect(anna.locator('.table[data-table-number="12"]')).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    anna.locator(f'#area-tabs .tab:has-text("{on_screen(anna, "Terrace")}")').tap()
    on_terrace = anna.locator('.plan .table[data-table-number="12"]')
    expect(on_terrace).to_be_visible()
    expect(on_terrace).to_have_attribute("style", re.compile(re.escape("rotate(90deg)")))
    assert anna.evaluate("window.notReloaded") is True
    pages.screenshot(anna, f"{variant}-4-annas-terrace")

    saved = in_own_thread(lambda: Table.objects.select_related("area").get(outlet__name="Bistro De Tafel", number="12"))
    assert (saved.area.name_en, saved.area.name_nl, saved.rotation) == ("Terrace", "Terras", 90)
