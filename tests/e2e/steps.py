"""What a waiter does on the screens, as steps the browser tests share."""

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from playwright.sync_api import Page, expect

from demo import translations as demo_names

LIVE_TIMEOUT_MS = 10_000  # how long another tablet may take to show a change


def in_own_thread(work):
    """Run ORM work off Playwright's thread (which has an event loop the ORM refuses)."""

    def run():
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


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


# The demo's names in English -> in Dutch (demo/translations.py): steps name things in English
# and a Dutch screen shows them in Dutch.
DUTCH_DEMO_NAMES = {
    english: dutch
    for table in (
        demo_names.CATEGORIES,
        demo_names.ITEMS,
        demo_names.KITCHEN_NAMES,
        demo_names.MODIFIER_GROUPS,
        demo_names.MODIFIERS,
        demo_names.COURSES,
        demo_names.TENDERS,
        demo_names.AREAS,
        demo_names.STATIONS,
    )
    for english, dutch in table.values()
}


def on_screen(page: Page, name: str) -> str:
    """A demo name as `page` shows it: in Dutch on a Dutch page, else as given (English)."""
    if (page.locator("html").get_attribute("lang") or "").startswith("nl"):
        return DUTCH_DEMO_NAMES.get(name, name)
    return name


def tap_item(page: Page, category: str, item: str) -> None:
    category, item = on_screen(page, category), on_screen(page, item)
    page.locator(".category", has_text=category).tap()
    page.locator(".item", has=page.locator(".item__name", has_text=re.compile(f"^{re.escape(item)}$"))).tap()


def choose(dialog, modifier: str) -> None:
    modifier = on_screen(dialog.page, modifier)
    dialog.locator(".option", has=dialog.page.locator(".option__name", has_text=re.compile(f"^{modifier}$"))).tap()


def pair_screen(page: Page, code: str, name: str = "") -> None:
    """On a kitchen screen's pairing page: type the manager's code (and a name), then pair."""
    expect(page.locator("#pair")).to_be_visible()
    for digit in code:
        page.locator(f'.pair__key[data-digit="{digit}"]').tap()
    expect(page.locator("#pair-code")).to_have_attribute("data-code", code)
    if name:
        page.locator("#pair-name").fill(name)
    page.locator("#pair-submit").tap()
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator('#online[data-online="true"]')).to_be_visible(timeout=LIVE_TIMEOUT_MS)


def ticket_card(page: Page, table: str, status: str | None = None):
    """A ticket card on a station screen, or an order's card on expo, by table (and status)."""
    selector = f'.card[data-table="{table}"]'
    if status:
        selector += f'[data-status="{status}"]'
    return page.locator(selector)


def api_post(page: Page, base_url: str, path: str, body: dict) -> dict:
    """POST as the page's signed-in person (CSRF header, a fresh Idempotency-Key); the JSON answer."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(
        base_url + path,
        data=body,
        headers={"X-CSRFToken": csrf, "Referer": base_url + "/", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.ok, f"POST {path}: {answer.status} {answer.text()}"
    return answer.json()


def send_order(page: Page, base_url: str, table: str, lines: list[dict], covers: int = 2) -> dict:
    """Open a table of the page's outlet and send lines to the kitchen through the API, as a tablet would.

    Each line: {"item": name, "qty", "seat", "course", "modifiers": [names], "note"}. Returns the order.
    """
    outlet = int(page.locator("#floor, #order").first.get_attribute("data-outlet-id"))
    floor = page.request.get(f"{base_url}/api/outlets/{outlet}/floor/").json()
    table_id = next(t["id"] for area in floor["areas"] for t in area["tables"] if t["number"] == table)
    # Lines may name items and choices in English or in Dutch.
    items, modifiers = {}, {}
    for language in ("en", "nl"):
        menu = page.request.get(f"{base_url}/api/outlets/{outlet}/menu/", headers={"Accept-Language": language}).json()
        items |= {item["name"]: item["id"] for category in menu["categories"] for item in category["items"]}
        for group in menu["modifier_groups"].values():
            for modifier in group["modifiers"]:
                modifiers.setdefault(modifier["name"], modifier["id"])
    client_uuid = str(uuid.uuid4())
    order = api_post(
        page,
        base_url,
        "/api/orders/",
        {"client_uuid": client_uuid, "outlet": outlet, "kind": "dine_in", "table": table_id, "covers": covers},
    )
    batch = []
    for line in lines:
        entry = {"item": items[line["item"]], "qty": line.get("qty", 1), "seat": line.get("seat", 1)}
        entry["modifiers"] = [modifiers[name] for name in line.get("modifiers", [])]
        for key in ("course", "note"):
            if key in line:
                entry[key] = line[key]
        batch.append(entry)
    api_post(page, base_url, f"/api/orders/{order['id']}/lines/batch/", {"lines": batch})
    return api_post(page, base_url, f"/api/orders/{order['id']}/send/", {})["order"]
