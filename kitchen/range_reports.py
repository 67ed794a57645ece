"""Kitchen times per station over a run of business days, for the back office's reports.

The kitchen sits beside billing (neither imports the other), so this takes the period as
the moments it begins and ends (`billing.range_reports.Period.local_bounds()`), which
the back office passes. A ticket counts in the period it was fired in; its time is from
fired to ready (or bumped, for a station that bumps without marking ready). Held and
open tickets have no time yet and are left out. Summed in the database: two queries (the stations' limits, the tickets).
"""

import datetime

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q
from django.db.models.functions import Coalesce

from kitchen.models import Station, Ticket


def _minutes(value: datetime.timedelta | None) -> str:
    return f"{value.total_seconds() / 60:.1f}" if value is not None else ""


def ticket_times(*, first: datetime.datetime, after: datetime.datetime, outlet_id: int | None = None) -> dict:
    """Per station: tickets done, average and longest minutes from fire to ready, and how many ran late."""
    took = ExpressionWrapper(Coalesce("ready_at", "bumped_at") - F("fired_at"), output_field=DurationField())
    tickets = Ticket.objects.filter(kind=Ticket.Kind.ORDER, fired_at__gte=first, fired_at__lt=after).filter(
        Q(ready_at__isnull=False) | Q(bumped_at__isnull=False)
    )
    if outlet_id is not None:
        tickets = tickets.filter(station__outlet_id=outlet_id)
    # Each station's own "late" (minutes times a duration is not portable SQL): one small query for them.
    late = Q(pk__in=[])
    for station_id, minutes in Station.objects.values_list("pk", "late_after_minutes"):
        late |= Q(station_id=station_id, took__gt=datetime.timedelta(minutes=minutes))
    rows = (
        tickets.order_by()
        .annotate(took=took)
        .values("station_id", "station__name", "station__sort_order")
        .annotate(
            tickets=Count("pk"),
            average=Avg("took"),
            longest=Max("took"),
            late=Count("pk", filter=late),
        )
    )
    ordered = sorted(rows, key=lambda r: (r["station__sort_order"], r["station__name"]))
    result = [
        {
            "station": row["station__name"],
            "tickets": row["tickets"],
            "average_minutes": _minutes(row["average"]),
            "longest_minutes": _minutes(row["longest"]),
            "late": row["late"],
        }
        for row in ordered
    ]
    return {
        "rows": result,
        "totals": {"tickets": sum(r["tickets"] for r in result), "late": sum(r["late"] for r in result)},
    }
