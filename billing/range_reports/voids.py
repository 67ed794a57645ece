"""Voids in the period with who and why: grouped by reason, who voided and who approved."""

from django.db.models import Count, F, Sum

from billing.range_reports.period import Period
from billing.reports.fields import person, person_fields
from orders.models import LineStatusChange, OrderLine


def voids(period: Period) -> dict:
    """One query: the void events of the period's business days (local time, BUSINESS_DAY_ENDS_AT),
    grouped by reason, by and approver, with the lines' count, quantity and value."""
    first, after = period.local_bounds()
    changes = LineStatusChange.objects.filter(to_status=OrderLine.Status.VOID, at__gte=first, at__lt=after)
    if period.outlet_id is not None:
        changes = changes.filter(line__order__outlet_id=period.outlet_id)
    grouped = (
        changes.order_by()
        .values("reason", *person_fields("by"), *person_fields("approval__approver"))
        .annotate(
            lines=Count("pk"),
            qty=Sum("line__qty"),
            amount=Sum(F("line__qty") * (F("line__unit_price") + F("line__modifiers_price"))),
        )
    )
    rows = [
        {
            "reason": row["reason"],
            "by": person(row, "by"),
            "approver": person(row, "approval__approver"),
            "lines": row["lines"],
            "qty": int(row["qty"] or 0),
            "amount": int(row["amount"] or 0),
        }
        for row in grouped
    ]
    rows.sort(key=lambda r: (-r["amount"], r["reason"], r["by"]))
    return {"rows": rows, "totals": {name: sum(r[name] for r in rows) for name in ("lines", "qty", "amount")}}
