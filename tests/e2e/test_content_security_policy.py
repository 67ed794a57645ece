"""Every screen under the Content-Security-Policy, in a real Chromium against a real daphne.

Each page's answer must carry the policy (scripts only from our own files, no inline
script or handler), and the screens must work under it: a CSP violation reported by
the browser (console or `securitypolicyviolation` event) fails the test.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from kitchen.models import Station
from kitchen.services import issue_pairing_code
from pms_integration.models import GuestStay
from staff.models import User
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import LIVE_TIMEOUT_MS, enter_pin, pair_screen, send_order, sign_in

BISTRO = "Bistro De Tafel"

# Runs before any page script: reports violations to the console (where the test hears
# them) and stands in for the print dialog, which a headless browser cannot show.
WATCH_THE_POLICY = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
window.print = () => { window.__printed = (window.__printed || 0) + 1; };
"""


@pytest.fixture
def screens(demo_data):
    """Pairing codes for a station and expo, and a guest in house for the folio (before Playwright runs)."""
    mila = User.objects.get(username="mila")
    stations = {s.code: s for s in Station.objects.filter(outlet__name=BISTRO)}
    stay = GuestStay.objects.filter(status=GuestStay.Status.IN_HOUSE).order_by("pk").first()
    return {
        "codes": {code: issue_pairing_code(station=station, by=mila).code for code, station in stations.items()},
        "stay": stay.pk,
    }


class PolicyWatch:
    """Opens pages with the watch script; remembers every violation and every page's CSP header."""

    def __init__(self, pages, device: dict):
        self.pages = pages
        self.device = device
        self.violations: list[str] = []
        self.headers: dict[str, str | None] = {}

    def open(self, path: str = "/") -> Page:
        context = self.pages.browser.new_context(**self.device)
        context.set_default_timeout(10_000)
        context.add_init_script(WATCH_THE_POLICY)
        self.pages.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.pages.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self._heard(page, message.text))
        page.on("response", self._answered)
        page.goto(self.pages.base_url + path)
        return page

    def _heard(self, page: Page, text: str) -> None:
        if "Content Security Policy" in text or "CSP violation" in text:
            self.violations.append(f"{page.url}: {text}")

    def _answered(self, response) -> None:
        if response.request.resource_type == "document":
            self.headers[response.url.removeprefix(self.pages.base_url)] = response.headers.get(
                "content-security-policy"
            )

    def visit(self, page: Page, path: str) -> None:
        page.goto(self.pages.base_url + path)


def assert_strict_policy(policy: str | None, where: str, host: str) -> None:
    assert policy, f"{where} has no Content-Security-Policy"
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'", where
    assert directives["object-src"] == "'none'", where
    assert directives["base-uri"] == "'self'", where
    assert directives["frame-ancestors"] == "'none'", where
    assert directives["connect-src"].split() == ["'self'", f"ws://{host}", f"wss://{host}"], where
    assert "'unsafe-inline'" not in directives.get("script-src", "") + directives.get("default-src", ""), where


@pytest.mark.parametrize(
    ("device", "language"),
    [(TABLET, "en-GB"), (PHONE, "nl-NL")],
    ids=["tablet-english", "phone-dutch"],
)
def test_every_screen_works_under_the_content_security_policy(screens, pages, device, language):
    watch = PolicyWatch(pages, {**device, "locale": language})
    size = "tablet" if device is TABLET else "phone"

    # The waiter: sign-in, floor, order, bill.
    anna = watch.open("/")
    expect(anna.locator(".name-tile").first).to_be_visible()
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "3", [{"item": "Soup of the day"}, {"item": "House red (glass)"}])
    watch.visit(anna, f"/orders/{order['id']}/")
    expect(anna.locator(".item").first).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    watch.visit(anna, f"/orders/{order['id']}/bill/")
    expect(anna.locator(".bill-check").first).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    # Opening the bill screen placed the lines on check 1 (a POST; the GET wrote nothing).
    expect(anna.locator(".bill-check").first).to_have_attribute("data-check-id", re.compile(r"^\d+$"))
    pages.screenshot(anna, f"{size}-bill")

    # The kitchen: the pairing page, a station's board, expo.
    station = watch.open("/kitchen/")
    pair_screen(station, screens["codes"]["warm"])
    expect(station.locator("#station-name")).to_be_visible()
    expo = watch.open("/kitchen/")
    pair_screen(expo, screens["codes"]["expo"])
    pages.screenshot(expo, f"{size}-expo")

    # The front desk and a guest's folio, whose Print button is wired without an inline handler.
    fleur = watch.open("/")
    fleur.locator(".name-tile", has_text="Fleur").tap()
    enter_pin(fleur, "5555")
    fleur.locator(".pin-ok").tap()
    fleur.wait_for_url("**/frontdesk/")
    watch.visit(fleur, f"/frontdesk/stays/{screens['stay']}/folio/")
    fleur.locator('[data-action="print"]').tap()
    assert fleur.evaluate("window.__printed || 0") == 1
    pages.screenshot(fleur, f"{size}-folio")

    # The manager: day report, printers, kitchen screens, the API docs (Swagger UI runs).
    mila = watch.open("/")
    sign_in(mila, "Mila", "9999")
    for path in ["/manager/day/", "/manager/printers/", "/kitchen/stations/", "/cashier/", "/cashier/closed/"]:
        watch.visit(mila, path)
        expect(mila.locator("main, #board, body").first).to_be_visible()
        mila.wait_for_load_state("networkidle")
    watch.visit(mila, "/api/docs/")
    expect(mila.locator(".swagger-ui .info .title")).to_contain_text("Tafel POS API", timeout=LIVE_TIMEOUT_MS)
    expect(mila.locator(".opblock").first).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    pages.screenshot(mila, f"{size}-api-docs")

    host = pages.base_url.removeprefix("http://")
    for path in [
        "/",
        "/floor/",
        f"/orders/{order['id']}/",
        f"/orders/{order['id']}/bill/",
        "/kitchen/",
        "/frontdesk/",
        f"/frontdesk/stays/{screens['stay']}/folio/",
        "/manager/day/",
        "/manager/printers/",
        "/kitchen/stations/",
        "/cashier/",
        "/cashier/closed/",
        "/api/docs/",
    ]:
        seen = [url for url in watch.headers if re.fullmatch(re.escape(path) + r"(\?.*)?", url)]
        assert seen, f"{path} was not opened (opened: {sorted(watch.headers)})"
        assert_strict_policy(watch.headers[seen[0]], path, host)
    assert watch.violations == []
