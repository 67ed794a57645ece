"""Sales by business day, by hour, and per tax rate; covers and the average check beside them."""

import datetime

from django.conf import settings
from django.db.models import F
from django.db.models.functions import ExtractHour

from billing.range_reports.checks import closed_checks, covers_by, figures_by
from billing.range_reports.period import Period
from billing.reports.fields import average, rate_key

MONEY = ("net", "tax", "gross")


def _row(key: dict, figures: dict | None, covers: int) -> dict:
    figures = figures or {"checks": 0, "net": 0, "tax": 0, "gross": 0}
    checks = figures["checks"]
    return {
        **key,
        "checks": checks,
        "covers": covers,
        "net": figures["net"],
        "tax": figures["tax"],
        "gross": figures["gross"],
        "average_check": average(figures["gross"], checks),
        "average_per_cover": average(figures["gross"], covers),
    }


def _totals(rows: list[dict]) -> dict:
    totals = {name: sum(row[name] for row in rows) for name in ("checks", "covers", *MONEY)}
    totals["average_check"] = average(totals["gross"], totals["checks"])
    totals["average_per_cover"] = average(totals["gross"], totals["covers"])
    return totals


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def sales_by_day(period: Period) -> dict:
    """Every business day of the period (days without sales as zeros): two queries."""
    checks = closed_checks(period)
    keys = {"day": F("business_day__date")}
    figures = {_as_date(row["day"]): row for row in figures_by(checks, keys)}
    covers = {_as_date(row["day"]): row["covers"] for row in covers_by(checks, keys)}
    rows = []
    for offset in range(period.days):
        day = period.start + datetime.timedelta(days=offset)
        rows.append(_row({"day": day.isoformat()}, figures.get(day), covers.get(day, 0)))
    return {"rows": rows, "totals": _totals(rows)}


def sales_by_hour(period: Period) -> dict:
    """Per local hour the checks were paid, in the business day's order (from BUSINESS_DAY_ENDS_AT): two queries.

    Covers count an order in each hour one of its checks was paid in, so a table that paid
    in two goes across an hour counts in both (and twice in the total); sales by day has
    the days' covers as the Z counts them.
    """
    checks = closed_checks(period)
    keys = {"hour": ExtractHour("closed_at")}
    figures = {int(row["hour"]): row for row in figures_by(checks, keys)}
    covers = {int(row["hour"]): row["covers"] for row in covers_by(checks, keys)}
    first = datetime.time.fromisoformat(settings.BUSINESS_DAY_ENDS_AT).hour
    hours = [(first + offset) % 24 for offset in range(24)]
    busy = [index for index, hour in enumerate(hours) if hour in figures]
    shown = hours[busy[0] : busy[-1] + 1] if busy else []
    rows = [_row({"hour": hour}, figures.get(hour), covers.get(hour, 0)) for hour in shown]
    return {"rows": rows, "totals": _totals(rows)}


def sales_by_tax_rate(period: Period) -> dict:
    """Net, tax and gross per VAT rate, highest rate first: one query."""
    rows = [
        {"rate": rate_key(row["rate"]), "net": row["net"], "tax": row["tax"], "gross": row["gross"]}
        for row in figures_by(closed_checks(period), {}, by_rate=True)
    ]
    merged: dict[str, dict] = {}
    for row in rows:  # "9.00" and "9.0" are one rate
        target = merged.setdefault(row["rate"], {"rate": row["rate"], "net": 0, "tax": 0, "gross": 0})
        for name in MONEY:
            target[name] += row[name]
    ordered = sorted(merged.values(), key=lambda r: float(r["rate"]), reverse=True)
    return {"rows": ordered, "totals": {name: sum(r[name] for r in ordered) for name in MONEY}}
