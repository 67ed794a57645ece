"""Sales so far today beside the same weekday of the last four weeks, covers, checks and tables."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from billing.models import Check
from billing.reports.fields import average, within
from billing.services.business_day import business_date
from orders.models import Order
from tables.models import Table

WEEKS_BACK = 4
OLDEST_CHECKS_SHOWN = 5


def day_started_at(now: datetime.datetime) -> datetime.datetime:
    """When the business day of `now` began (BUSINESS_DAY_ENDS_AT on its date)."""
    ends_at = datetime.time.fromisoformat(settings.BUSINESS_DAY_ENDS_AT)
    return timezone.make_aware(datetime.datetime.combine(business_date(now), ends_at))


def _windows(now: datetime.datetime) -> list[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    """Today and the same weekday of each of the last weeks, each up to the same time into the day."""
    start = day_started_at(now)
    so_far = now - start
    windows = []
    for weeks in range(WEEKS_BACK + 1):
        # Local wall-clock days, so a week across a DST change still starts at the same hour.
        date = timezone.localtime(start).date() - datetime.timedelta(weeks=weeks)
        began = timezone.make_aware(datetime.datetime.combine(date, start.time().replace(tzinfo=None)))
        windows.append((date, began, began + so_far))
    return windows


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _gross(frozen: dict | None) -> int:
    return sum(rate[6] for rate in frozen["rates"]) if frozen else 0


def sales_so_far(*, outlet_id: int | None, now: datetime.datetime) -> dict[str, Any]:
    """Gross sales of the checks paid so far today, and on the same weekdays before. One query."""
    windows = _windows(now)
    in_any = Q()
    for _date, began, until in windows:
        in_any |= Q(closed_at__gte=began, closed_at__lt=until)
    rows = Check.objects.filter(in_any, within(outlet_id, "order__outlet_id"), status=Check.Status.CLOSED).values(
        "closed_at", "frozen_totals", "order_id", "order__covers"
    )
    days = [{"date": date, "gross": 0, "checks": 0, "covers": {}} for date, _b, _u in windows]
    for row in rows:
        for day, (_date, began, until) in zip(days, windows, strict=True):
            if began <= row["closed_at"] < until:
                day["gross"] += _gross(row["frozen_totals"])
                day["checks"] += 1
                day["covers"][row["order_id"]] = row["order__covers"]
                break
    today, *before = days
    covers = sum(today["covers"].values())
    usual = sum(day["gross"] for day in before) // len(before)
    return {
        "gross": today["gross"],
        "checks": today["checks"],
        "covers": covers,
        "average_check": average(today["gross"], today["checks"]),
        "average_per_cover": average(today["gross"], covers),
        "weeks": [{"date": day["date"], "gross": day["gross"]} for day in before],
        "weeks_average": usual,
        # The longest bar of the five, so they share one scale (at least 1: a meter needs max > min).
        "scale": max(1, *(day["gross"] for day in days)),
        # None when there is nothing to compare with (no sales on those days yet).
        "change_percent": None if not usual else _one_decimal(Decimal((today["gross"] - usual) * 100) / usual),
    }


def open_checks(*, outlet_id: int | None, now: datetime.datetime) -> dict[str, Any]:
    """The checks not paid yet, oldest first, with their age in minutes. One query."""
    rows = list(
        Check.objects.filter(within(outlet_id, "order__outlet_id"), status=Check.Status.OPEN)
        .order_by("opened_at", "pk")
        .values(
            "pk", "number", "opened_at", "order_id", "order__table__number", "order__tab_name", "order__outlet__name"
        )
    )
    ages = [int((now - row["opened_at"]).total_seconds() // 60) for row in rows]
    return {
        "count": len(rows),
        "oldest_minutes": ages[0] if ages else None,
        "oldest": [
            {
                "order": row["order_id"],
                "number": row["number"],
                "where": row["order__table__number"] or row["order__tab_name"],
                "outlet": row["order__outlet__name"],
                "minutes": age,
            }
            for row, age in zip(rows[:OLDEST_CHECKS_SHOWN], ages, strict=False)
        ],
    }


def tables_turning(*, outlet_id: int | None, now: datetime.datetime) -> dict[str, Any]:
    """Tables seated now, tables settled today and turns per table. Two queries."""
    seated = Order.objects.filter(within(outlet_id, "outlet_id"), table__isnull=False).aggregate(
        now=Count("pk", filter=Q(status=Order.Status.OPEN)),
        done=Count("pk", filter=Q(status=Order.Status.CLOSED, closed_at__gte=day_started_at(now))),
    )
    tables = Table.objects.filter(within(outlet_id, "outlet_id"), is_active=True).count()
    return {
        "tables": tables,
        "seated": seated["now"],
        "turned": seated["done"],
        "turns": _one_decimal(Decimal(seated["done"]) / tables) if tables else None,
    }
