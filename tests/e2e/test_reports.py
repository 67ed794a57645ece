"""Mila reads last month's sales by hour in a real browser: the chart is drawn with the table's numbers,
and the CSV she downloads holds the same rows. On a laptop in English and a tablet in Dutch;
the screenshots are in test-artifacts/e2e."""

import csv
import datetime
import io
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing import services
from billing.models import BusinessDay, Check, Payment, Tender
from demo.management.commands.seed_demo import BISTRO_NAME
from orders.models import Item
from orders.services import LineRequest, add_lines, open_order, send_to_kitchen
from staff.models import User
from tables.models import Outlet, Table
from tests.e2e.conftest import TABLET
from tests.e2e.steps import in_own_thread, sign_in

# The sign-in steps tap (the PIN pad is a touch screen's); the laptop's screen takes touch too.
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "has_touch": True}
DEVICES = {
    "laptop-en": {**LAPTOP, "locale": "en-GB", "timezone_id": "Europe/Amsterdam"},
    "tablet-nl": {**TABLET, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"},
}
# (table, covers, the hour the check was paid) on the 12th of last month.
DINNERS = [("1", 2, 12), ("2", 4, 19), ("3", 2, 19), ("4", 3, 21)]


def dinners_last_month() -> dict:
    """Four paid dinners, moved to a business day of last month (at the hours of DINNERS)."""
    bistro = Outlet.objects.get(name=BISTRO_NAME)
    anna = User.objects.get(username="anna")
    voucher = Tender.objects.get(name_nl="Cadeaubon")
    items = list(Item.objects.filter(category__menu__outlet=bistro).order_by("pk")[:3])
    today = services.business_date(timezone.now())
    day_date = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=12)
    day = BusinessDay.objects.create(date=day_date, closed_at=timezone.now())
    zone = timezone.get_current_timezone()
    totals: dict[int, int] = {}
    for number, covers, hour in DINNERS:
        table = Table.objects.get(area__outlet=bistro, number=number)
        order, _ = open_order(client_uuid=uuid.uuid4(), outlet=bistro, waiter=anna, table=table, covers=covers)
        add_lines(order=order, requests=[LineRequest(item_id=i.pk, seat=1, qty=covers) for i in items], by=anna)
        send_to_kitchen(order=order, by=anna)
        services.open_bill(order=order, by=anna)
        check = order.checks.get()
        services.pay_other(check=check, tender=voucher, amount=services.check_total(check), by=anna, reference="B")
        moment = datetime.datetime.combine(day_date, datetime.time(hour, 20), tzinfo=zone)
        Check.objects.filter(pk=check.pk).update(business_day=day, closed_at=moment)
        Payment.objects.filter(guest_check=check).update(business_day=day)
        totals[hour] = totals.get(hour, 0) + services.check_total(Check.objects.get(pk=check.pk))
    return totals


@pytest.mark.parametrize("device", list(DEVICES))
def test_mila_reads_last_months_sales_by_hour_and_downloads_the_csv(pages, device):
    by_hour = in_own_thread(dinners_last_month)
    dutch = device.endswith("nl")
    mila = pages.open(DEVICES[device])
    sign_in(mila, "Mila", "9999")
    mila.goto(f"{pages.base_url}/manager/")
    mila.locator("#to-reports").click()
    mila.locator("#to-report-sales-by-hour").click()
    # Under load the page's module may not have run yet: a preset picked before its listener is
    # there submits nothing. Wait for the module (it sets `tafelReportChart` last), not for a time.
    mila.wait_for_url("**/manager/reports/sales-by-hour/**")
    mila.wait_for_function("() => 'tafelReportChart' in window")
    mila.locator("#report-preset").select_option("last-month")
    mila.wait_for_url("**preset=last-month**")
    expect(mila.locator("h1")).to_have_text("Omzet per uur" if dutch else "Sales by hour")

    # The chart is drawn by Chart.js with the hours and amounts of the dinners made above.
    expect(mila.locator("#report-canvas")).to_be_visible()
    drawn = mila.wait_for_function(
        """() => {
            const chart = window.Chart && window.Chart.getChart(document.getElementById("report-canvas"));
            return chart && {labels: chart.data.labels, data: chart.data.datasets[0].data, width: chart.width};
        }"""
    ).json_value()
    hours = list(range(12, 22))
    assert drawn["labels"] == [f"{hour:02d}:00" for hour in hours]
    assert drawn["data"] == [by_hour.get(hour, 0) for hour in hours]
    assert drawn["width"] > 200

    # The table beside it: the same hours and amounts, in the language's money format.
    rows = mila.locator("#report-table tbody tr")
    expect(rows).to_have_count(len(hours))
    nineteen = rows.nth(hours.index(19)).locator("td")
    expect(nineteen.nth(0)).to_have_text("19:00")
    expect(nineteen.nth(1)).to_have_text("2")
    cents = by_hour[19]
    euros = f"{cents // 100},{cents % 100:02d}" if dutch else f"{cents // 100}.{cents % 100:02d}"
    expect(nineteen.nth(3)).to_contain_text(euros)
    no_overflow = mila.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert no_overflow, "the page is wider than the screen"
    pages.screenshot(mila, f"{device}-1-sales-by-hour")

    # The CSV: the same rows, ";" and decimal commas in Dutch.
    with mila.expect_download() as download:
        mila.locator("#report-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";" if dutch else ","))
    assert lines[0][:2] == (["Uur", "Rekeningen"] if dutch else ["Hour", "Checks"])
    assert [line[0] for line in lines[1:]] == [f"{hour:02d}:00" for hour in hours]
    point = "," if dutch else "."
    assert [line[3] for line in lines[1:]] == [
        f"{by_hour.get(hour, 0) // 100}{point}{by_hour.get(hour, 0) % 100:02d}" for hour in hours
    ]
    assert download.value.suggested_filename.startswith("sales-by-hour-")
