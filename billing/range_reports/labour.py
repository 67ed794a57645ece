"""Labour hours against sales, per business day: where staff shifts and sales meet.

A shift belongs to the business day it was clocked in on (local time, moved back a day
before BUSINESS_DAY_ENDS_AT, as sales are); a shift still open has no hours yet. Shifts
are the house's (people are not clocked in per outlet), so with one outlet chosen the
hours stay the house's and only the sales are the outlet's. Two queries.
"""

import datetime

from django.conf import settings
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncDate

from billing.range_reports.checks import closed_checks, figures_by
from billing.range_reports.period import Period
from billing.reports.fields import average
from staff.models import WorkShift


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def labour_against_sales(period: Period) -> dict:
    ends_at = datetime.time.fromisoformat(settings.BUSINESS_DAY_ENDS_AT)
    night = datetime.timedelta(hours=ends_at.hour, minutes=ends_at.minute)
    first, after = period.local_bounds()
    worked = ExpressionWrapper(F("clocked_out_at") - F("clocked_in_at"), output_field=DurationField())
    shifts = (
        WorkShift.objects.filter(clocked_in_at__gte=first, clocked_in_at__lt=after, clocked_out_at__isnull=False)
        .annotate(moved=ExpressionWrapper(F("clocked_in_at") - night, output_field=DateTimeField()))
        .annotate(day=TruncDate("moved"))
        .order_by()
        .values("day")
        .annotate(worked=Sum(worked))
    )
    minutes = {_as_date(row["day"]): int(row["worked"].total_seconds() // 60) for row in shifts}
    sales = {
        _as_date(row["day"]): row["gross"]
        for row in figures_by(closed_checks(period), {"day": F("business_day__date")})
    }
    rows = []
    for offset in range(period.days):
        day = period.start + datetime.timedelta(days=offset)
        worked_minutes, gross = minutes.get(day, 0), sales.get(day, 0)
        rows.append(
            {
                "day": day.isoformat(),
                "hours": f"{worked_minutes / 60:.1f}",
                "gross": gross,
                "per_hour": average(gross * 60, worked_minutes),
            }
        )
    total_minutes, total_gross = sum(minutes.values()), sum(r["gross"] for r in rows)
    totals = {
        "hours": f"{total_minutes / 60:.1f}",
        "gross": total_gross,
        "per_hour": average(total_gross * 60, total_minutes),
    }
    return {"rows": rows, "totals": totals}
