"""The manager's staff pages in a real browser: Mila (manager, 9999) adds a waiter with a PIN, who
then signs in on the floor with it and clocks in; she forgets to clock out, and Mila closes her
shift with a reason, sees the week's hours and the correction in the audit log.

On a laptop in English and a tablet in Dutch (selectors use ids and data attributes, not words).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from staff.models import User, WorkShift
from tests.e2e.conftest import ARTIFACTS, TABLET
from tests.e2e.steps import in_own_thread, sign_in

# The PIN pad is tapped (steps.sign_in): a touch laptop.
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "has_touch": True}
DUTCH = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
ENGLISH = {"locale": "en-GB", "timezone_id": "Europe/Amsterdam"}
DEVICES = {"laptop-en": {**LAPTOP, **ENGLISH}, "tablet-nl": {**TABLET, **DUTCH}}
SHIFT_HOURS = 4


def shot(page: Page, device: str, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"staffroom-{device}-{step}.png"), full_page=True)


def fits_the_width(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def back_date_the_open_shift(name: str) -> dict:
    """She clocked in at the start of her shift, five hours ago (the test runs now)."""

    def work():
        start = (timezone.now() - datetime.timedelta(hours=SHIFT_HOURS + 1)).replace(second=0, microsecond=0)
        shift = WorkShift.objects.get(person=User.objects.get(display_name=name), clocked_out_at__isnull=True)
        WorkShift.objects.filter(pk=shift.pk).update(clocked_in_at=start)
        local_start = timezone.localtime(start)
        end = local_start + datetime.timedelta(hours=SHIFT_HOURS)
        monday = local_start.date() - datetime.timedelta(days=local_start.weekday())
        week_end = timezone.make_aware(datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time()))
        minutes = int((min(end, week_end) - local_start).total_seconds() // 60)
        year, week, _day = local_start.isocalendar()
        return {
            "shift": shift.pk,
            "out": end.strftime("%Y-%m-%dT%H:%M"),
            "week": f"{year}-W{week:02d}",
            "total": f"{minutes // 60}:{minutes % 60:02d}",
        }

    return in_own_thread(work)


@pytest.mark.parametrize("device", list(DEVICES))
def test_mila_adds_a_waiter_who_signs_in_and_corrects_her_forgotten_clock_out(pages, device):
    dutch = device.endswith("nl")
    mila = pages.open(DEVICES[device])
    sign_in(mila, "Mila", "9999")

    # The staff list, from the manager's navigation; then a new waiter with her PIN.
    mila.goto(f"{pages.base_url}/manager/")
    mila.locator("#nav-staff").click()
    mila.wait_for_url("**/manager/staff/")
    expect(mila.locator("#staff-table")).to_contain_text("Anna")
    mila.locator("#add-person").click()
    mila.locator("#id_display_name").fill("Noor")
    mila.locator("#id_full_name").fill("Noor de Wit")
    mila.locator('input[name="roles"][value="waiter"]').check()
    mila.locator("#id_pin").fill("48")
    mila.locator("#save-person").click()
    # A short PIN is refused on its field, and nothing is added.
    expect(mila.locator('[data-field="pin"]')).to_have_text(
        "Een pincode bestaat uit 4 tot 6 cijfers." if dutch else "A PIN is 4 to 6 digits."
    )
    shot(mila, device, "1-bad-pin")
    mila.locator("#id_pin").fill("4826")
    mila.locator("#save-person").click()
    mila.wait_for_url("**/manager/staff/")
    row = mila.locator("#staff-table tr", has_text="Noor")
    expect(row.locator('[data-role="waiter"]')).to_have_text("Bediening" if dutch else "Waiter")
    fits_the_width(mila)
    shot(mila, device, "2-staff-list")

    # Noor signs in on a floor tablet with her new PIN and clocks in.
    floor = pages.open({**TABLET, **(DUTCH if dutch else ENGLISH)})
    sign_in(floor, "Noor", "4826")
    floor.locator("#clock").tap()
    expect(floor.locator("#clock")).to_have_attribute("data-on-shift", "true")

    # Five hours on she has left without clocking out; Mila closes the shift after four.
    shift = back_date_the_open_shift("Noor")
    mila.goto(f"{pages.base_url}/manager/timesheets/?week={shift['week']}")
    expect(mila.locator(f'[data-shift-id="{shift["shift"]}"]')).to_be_visible()
    expect(mila.locator("#week-table thead th").nth(1)).to_contain_text("ma" if dutch else "Mon")
    item = mila.locator(f'[data-shift-id="{shift["shift"]}"]')
    item.locator("summary").click()
    item.locator('input[name="clocked_out_at"]').fill(shift["out"])
    item.locator('input[name="reason"]').fill("Forgot to clock out")
    fits_the_width(mila)
    shot(mila, device, "3-correcting")
    item.locator('button[type="submit"]').click()
    mila.wait_for_url(f"**/manager/timesheets/?week={shift['week']}")

    sanne_row = mila.locator("#week-table tbody tr", has_text="Noor")
    expect(sanne_row.locator(".staffroom-total")).to_have_text(shift["total"])
    expect(mila.locator(f'[data-shift-id="{shift["shift"]}"] .staffroom-corrected')).to_contain_text(
        "gecorrigeerd door Mila" if dutch else "corrected by Mila"
    )
    fits_the_width(mila)
    shot(mila, device, "4-corrected")

    # The audit log shows who corrected what and why, in words.
    mila.locator("#nav-audit").click()
    mila.wait_for_url("**/manager/audit/")
    mila.locator("#id_action").select_option("shift_corrected")
    mila.locator("#filter-audit").click()
    entry = mila.locator('[data-action="shift_corrected"]').first
    expect(entry).to_contain_text("Dienst gecorrigeerd" if dutch else "Shift corrected")
    expect(entry).to_contain_text("Forgot to clock out")
    expect(entry).to_contain_text("Mila")
    expect(entry.locator(".staffroom-audit__details")).to_contain_text("uitgeklokt" if dutch else "clocked out")
    fits_the_width(mila)
    shot(mila, device, "5-audit")

    # Noor forgot her PIN too: Mila gives her a generated one, shown this once.
    mila.locator("#nav-staff").click()
    mila.locator("#staff-table a", has_text="Noor").click()
    mila.locator("#generate-pin").click()
    expect(mila.locator("#new-pin")).to_have_text(re.compile(r"^[0-9]{4}$"))
    fits_the_width(mila)
    shot(mila, device, "6-new-pin")
