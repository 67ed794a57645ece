"""Speed of service per station today (fire to bump), and the 86 list."""

import datetime
import math
import statistics
from typing import Any

from django.db.models import Q

from billing.reports.fields import within
from kitchen.models import Station, Ticket
from orders.models import Item


def percentile_90(seconds: list[int]) -> int:
    """The nearest-rank 90th percentile: 9 tickets in 10 were done within it."""
    ordered = sorted(seconds)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def ticket_times(*, outlet_id: int | None, since: datetime.datetime) -> list[dict[str, Any]]:
    """Per preparation station: tickets bumped since `since`, median and p90 seconds from fire to bump. One query."""
    rows = (
        Ticket.objects.filter(
            within(outlet_id, "station__outlet_id"),
            kind=Ticket.Kind.ORDER,
            station__kind=Station.Kind.PREP,
            fired_at__gte=since,
            bumped_at__isnull=False,
        )
        .order_by("station__outlet__name", "station__sort_order", "station__name")
        .values_list("station_id", "station__name", "station__outlet__name", "fired_at", "bumped_at")
    )
    stations: dict[int, dict[str, Any]] = {}
    for station_id, name, outlet, fired_at, bumped_at in rows:
        entry = stations.setdefault(station_id, {"id": station_id, "name": name, "outlet": outlet, "seconds": []})
        entry["seconds"].append(max(int((bumped_at - fired_at).total_seconds()), 0))
    return [
        {
            "id": entry["id"],
            "name": entry["name"],
            "outlet": entry["outlet"],
            "tickets": len(entry["seconds"]),
            "median_seconds": int(statistics.median(entry["seconds"])),
            "p90_seconds": percentile_90(entry["seconds"]),
        }
        for entry in stations.values()
    ]


def eighty_six_list(*, outlet_id: int | None) -> list[dict[str, Any]]:
    """Items of the active menus sold out or counting down, the sold out first. One query."""
    rows = (
        Item.objects.filter(within(outlet_id, "category__menu__outlet_id"), category__menu__is_active=True)
        .filter(Q(is_available=False) | Q(remaining_qty__isnull=False))
        .order_by("category__menu__outlet__name", "name")
        .values("pk", "name", "is_available", "remaining_qty", "category__menu__outlet__name")
    )
    items = [
        {
            "id": row["pk"],
            "name": row["name"],
            "outlet": row["category__menu__outlet__name"],
            "sold_out": not row["is_available"] or row["remaining_qty"] == 0,
            "remaining": row["remaining_qty"],
        }
        for row in rows
    ]
    return sorted(items, key=lambda item: not item["sold_out"])
