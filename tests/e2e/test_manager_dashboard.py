"""Mila's dashboard at /manager/: today's sales beside the same weekday of the last four weeks, and a
check paid at a table and a printer going offline show on it by themselves, with no reload."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backoffice.dashboard.sales import day_started_at
from billing.models import Check
from billing.templatetags.money import money_text
from demo.management.commands.seed_demo import BISTRO_NAME
from orders.models import Order
from printing.models import Printer
from staff.models import User
from tables.models import Outlet
from tests.e2e.conftest import TABLET
from tests.e2e.steps import api_post, in_own_thread, send_order, sign_in

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "has_touch": True}
VARIANTS = {
    "laptop-en": ({**LAPTOP, "locale": "en-GB", "timezone_id": "Europe/Amsterdam"}, "en"),
    "tablet-nl": ({**TABLET, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}, "nl"),
}
# Gross sales by this time on the same weekday 1, 2, 3 and 4 weeks ago (three weeks ago: nothing).
WEEKS = [4000, 6000, 0, 2000]
# The page refreshes its live part every 5 s.
REFRESH_TIMEOUT_MS = 15_000


def euros(cents: int, language: str) -> str:
    return money_text(cents, currency="EUR", decimals=2, language=language)


def past_weeks_sold() -> None:
    """A paid check on each same weekday before, a little earlier in the day than now."""
    now = timezone.now()
    earlier = min(datetime.timedelta(hours=1), (now - day_started_at(now)) / 2)
    bistro = Outlet.objects.get(name=BISTRO_NAME)
    anna = User.objects.get(display_name="Anna")
    for weeks, gross in enumerate(WEEKS, start=1):
        if not gross:
            continue
        closed_at = now - datetime.timedelta(weeks=weeks) - earlier
        order = Order.objects.create(outlet=bistro, waiter=anna, covers=2, status=Order.Status.CLOSED)
        Order.objects.filter(pk=order.pk).update(closed_at=closed_at)
        frozen = {"prices_include_tax": True, "shares": [], "rates": [["9.00", gross, 0, 0, 0, gross, gross]]}
        check = Check.objects.create(
            order=order, number=1, status=Check.Status.CLOSED, frozen_totals={**frozen, "discount_amounts": []}
        )
        Check.objects.filter(pk=check.pk).update(closed_at=closed_at)


def printer_goes_offline() -> None:
    """What the print worker writes when the kitchen's printer stops answering."""
    Printer.objects.filter(name="Bon warm").update(
        is_active=True, status=Printer.Status.OFFLINE, status_checked_at=timezone.now(), last_error="timed out"
    )


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_mila_watches_the_day_on_her_dashboard(pages, variant):
    device, language = VARIANTS[variant]
    in_own_thread(past_weeks_sold)

    mila = pages.open(device)
    sign_in(mila, "Mila", "9999")
    mila.locator("#to-manager").tap()
    mila.wait_for_url("**/manager/")
    sales = mila.locator("#dash-sales")
    expect(sales.locator('[data-field="gross"]')).to_have_text(euros(0, language))
    for week, gross in enumerate(WEEKS, start=1):
        expect(sales.locator(f'[data-week="{week}"] .num')).to_have_text(euros(gross, language))
    change = "-100,0%" if language == "nl" else "-100.0%"
    expect(sales.locator('[data-field="change"]')).to_contain_text(change)
    expect(sales.locator('[data-field="change"]')).to_contain_text(euros(3000, language))
    expect(mila.locator('#dash-health [data-kind="printer"]')).to_have_count(0)  # the demo's are switched off
    assert not mila.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    pages.screenshot(mila, f"{variant}-1-dashboard")
    mila.evaluate("window.stillTheSamePage = true")

    # Anna's table pays cash, and the kitchen's printer stops answering.
    anna = pages.open(device)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "7", [{"item": "Soep van de dag"}, {"item": "Carpaccio", "seat": 2}])
    bill = api_post(anna, pages.base_url, f"/api/billing/orders/{order['id']}/bill/", {})
    cash = next(tender["id"] for tender in bill["tenders"] if tender["kind"] == "cash")
    check = bill["checks"][0]
    api_post(
        anna, pages.base_url, f"/api/billing/checks/{check['id']}/payments/cash/", {"tender": cash, "cash_given": 10000}
    )
    in_own_thread(printer_goes_offline)

    expect(sales.locator('[data-field="gross"]')).to_have_text(
        euros(check["totals"]["total"], language), timeout=REFRESH_TIMEOUT_MS
    )
    expect(mila.locator('#dash-guests [data-field="checks"]')).to_have_text("1")
    printer = mila.locator('#dash-health [data-kind="printer"]')
    expect(printer).to_have_attribute("data-level", "red", timeout=REFRESH_TIMEOUT_MS)
    expect(printer).to_contain_text("Bon warm")
    expect(printer).to_contain_text("Offline")
    expect(mila.locator("#dash-health")).to_have_attribute("data-level", "red")
    assert mila.evaluate("window.stillTheSamePage === true"), "the page reloaded"
    assert not mila.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    pages.screenshot(mila, f"{variant}-2-paid-and-printer-down")
