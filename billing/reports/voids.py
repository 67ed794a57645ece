"""Lines voided since the previous Z."""

from billing.models import BusinessDay
from billing.reports.fields import person, person_fields, when, within
from orders.languages import translated
from orders.models import LineStatusChange, OrderLine


def voids_since_last_z(day: BusinessDay, until, outlet_id: int | None = None) -> list[dict]:
    since = (
        BusinessDay.objects.filter(date__lt=day.date, closed_at__isnull=False)
        .order_by("-date")
        .values_list("closed_at", flat=True)
        .first()
    )
    changes = LineStatusChange.objects.filter(
        within(outlet_id, "line__order__outlet_id"), to_status=OrderLine.Status.VOID, at__lte=until
    )
    if since is not None:
        changes = changes.filter(at__gt=since)
    rows = (
        changes.order_by("at", "pk")
        .annotate(r_item=translated("line__name"))
        .values(
            "pk",
            "at",
            "reason",
            "line_id",
            "r_item",
            "line__qty",
            "line__unit_price",
            "line__modifiers_price",
            "line__order_id",
            *person_fields("by"),
            *person_fields("approval__approver"),
        )
    )
    return [
        {
            "id": row["pk"],
            "line": row["line_id"],
            "order": row["line__order_id"],
            "item": row["r_item"],
            "qty": row["line__qty"],
            "amount": row["line__qty"] * (row["line__unit_price"] + row["line__modifiers_price"]),
            "by": person(row, "by"),
            "reason": row["reason"],
            "approver": person(row, "approval__approver"),
            "at": when(row["at"]),
        }
        for row in rows
    ]
