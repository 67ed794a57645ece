"""The manager's report pages: the chart's data and the table, the CSV of the same numbers,
a 400 naming the field for a bad period or outlet, and managers only."""

import csv
import datetime
import io
import json
import re
from html import unescape

import pytest
from django.utils import translation

from backoffice.report_catalogue import REPORTS
from billing import services
from billing.reports import day_report
from kitchen.models import Ticket
from staff.models import Role
from tests.factories import StaffFactory

KEYS = [report.key for report in REPORTS]


def today_query() -> str:
    return "preset=custom&from={0}&to={0}".format(services.current_business_day().date.isoformat())


def table_of(page: str) -> tuple[list[str], list[list[str]]]:
    """The table's column heads and its body's raw values (data-value) as the page has them."""
    table = page.split('id="report-table"', 1)[1].split("</table>", 1)[0]
    head = [unescape(h) for h in re.findall(r"<th [^>]*>([^<]*)</th>", table)]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [
        [unescape(v) for v in re.findall(r'data-value="([^"]*)"', row)] for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]
    return head, rows


def chart_of(page: str) -> dict:
    block = page.split('<script id="report-chart-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    return json.loads(block)


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def as_csv_value(kind: str, value: str) -> str:
    """A raw table value written the way the English CSV writes it (cents as euros)."""
    if kind == "money" and value:
        cents = int(value)
        return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    if kind == "hour" and value:
        return f"{int(value):02d}:00"
    return value


@pytest.mark.parametrize("key", KEYS)
def test_each_report_shows_its_chart_and_table_and_the_csv_is_the_table(client, kitchen, busy_day, world, key):
    client.force_login(world.manager)
    # The kitchen made the busy day's starters in 3 to 12 minutes.
    for n, ticket in enumerate(Ticket.objects.exclude(fired_at=None).order_by("pk")):
        Ticket.objects.filter(pk=ticket.pk).update(ready_at=ticket.fired_at + datetime.timedelta(minutes=3 + 3 * n))
    report = next(r for r in REPORTS if r.key == key)

    page = client.get(f"/manager/reports/{key}/?{today_query()}")

    assert page.status_code == 200
    text = page.content.decode()
    head, rows = table_of(text)
    assert head == [str(c.label) for c in report.columns]
    assert rows, "the busy day has figures in every report"
    chart = chart_of(text)
    first_value = report.chart.values[0]
    column = [c.key for c in report.columns].index(first_value)
    drawn = [float(r[column]) for r in rows][: report.chart.top or None]
    assert chart["datasets"][0]["data"] == drawn

    exported = client.get(f"/manager/reports/{key}/csv/?{today_query()}")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    lines = csv_rows(exported)
    assert lines[0] == head
    kinds = [c.kind for c in report.columns]
    assert lines[1:] == [[as_csv_value(k, v) for k, v in zip(kinds, row, strict=True)] for row in rows]


def test_the_hourly_report_adds_up_to_the_days_sales(client, busy_day, world):
    client.force_login(world.manager)
    x = services.current_business_day()
    gross = day_report(day=x)["sales"]["gross"]
    page = client.get(f"/manager/reports/sales-by-hour/?{today_query()}").content.decode()
    assert sum(chart_of(page)["datasets"][0]["data"]) == gross


def test_the_dutch_csv_uses_semicolons_and_decimal_commas(client, busy_day, world):
    client.force_login(world.manager)
    with translation.override("nl"):
        exported = client.get(f"/manager/reports/vat/csv/?{today_query()}", HTTP_ACCEPT_LANGUAGE="nl")
    text = exported.content.decode("utf-8").lstrip("\ufeff")
    head = text.splitlines()[0]
    assert head.split(";") == ["Btw-tarief", "Netto", "Btw", "Omzet"]
    assert re.search(r";\d+,\d\d", text.splitlines()[1])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("preset=custom&from=2026-03-10&to=2026-03-01", "to"),
        ("preset=custom&from=10-03-2026&to=2026-03-01", "from"),
        ("preset=custom&from=2026-03-01", "to"),
        ("preset=someday", "preset"),
        ("preset=today&outlet=999999", "outlet"),
        ("preset=today&outlet=bar", "outlet"),
        ("preset=custom&from=2020-01-01&to=2026-01-01", "to"),
    ],
)
def test_a_bad_period_or_outlet_is_a_400_naming_the_field(client, world, query, field):
    client.force_login(world.manager)
    page = client.get(f"/manager/reports/sales-by-day/?{query}")
    assert page.status_code == 400
    assert f"<strong>{field}</strong>" in page.content.decode()
    exported = client.get(f"/manager/reports/sales-by-day/csv/?{query}")
    assert exported.status_code == 400
    assert exported.content.decode().startswith(f"{field}: ")


def test_presets_pick_their_business_days(client, world):
    client.force_login(world.manager)
    today = services.business_date(datetime.datetime.now(datetime.UTC))
    page = client.get("/manager/reports/sales-by-day/?preset=last-month").content.decode()
    _head, rows = table_of(page)
    last_of_previous = today.replace(day=1) - datetime.timedelta(days=1)
    days = [r[0] for r in rows]
    assert (days[0], days[-1]) == (last_of_previous.replace(day=1).isoformat(), last_of_previous.isoformat())
    assert len(days) == last_of_previous.day
    assert client.get("/manager/reports/no-such-report/").status_code == 404


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.KITCHEN, Role.BARTENDER, Role.FRONT_DESK])
def test_only_managers_open_the_reports(client, db, role):
    client.force_login(StaffFactory(role=role))
    for url in ("/manager/reports/", "/manager/reports/sales-by-day/", "/manager/reports/discounts/csv/"):
        assert client.get(url).status_code == 403, url


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get("/manager/reports/tenders/csv/?preset=today")
    assert response.status_code == 302 and "next=" in response["Location"]
