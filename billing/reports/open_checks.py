"""Checks still open."""

from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import Check, Payment
from billing.reports.fields import person, person_fields, when, within
from orders.languages import translated


def open_checks_until(until, outlet_id: int | None = None) -> list[dict]:
    """Checks still open (a Z should not be taken over them unnoticed), with what is paid on them so far."""
    paid = (
        Payment.objects.filter(guest_check=OuterRef("pk"), state=Payment.State.CAPTURED)
        .order_by()
        .values("guest_check")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        Check.objects.filter(within(outlet_id, "order__outlet_id"), status=Check.Status.OPEN, opened_at__lte=until)
        .order_by("opened_at", "pk")
        .annotate(r_paid=Coalesce(Subquery(paid, output_field=IntegerField()), Value(0)))
        .annotate(r_outlet=translated("order__outlet__name"))
        .values(
            "pk",
            "number",
            "label",
            "order_id",
            "r_outlet",
            "order__table__number",
            "order__tab_name",
            "order__room_number",
            "opened_at",
            "frozen_totals",
            "r_paid",
            *person_fields("order__waiter"),
        )
    )
    return [
        {
            "id": row["pk"],
            "order": row["order_id"],
            "number": row["number"],
            "label": row["label"],
            "outlet": row["r_outlet"],
            "table": row["order__table__number"] or "",
            "tab": row["order__tab_name"] or row["order__room_number"] or "",
            "waiter": person(row, "order__waiter"),
            "opened_at": when(row["opened_at"]),
            # Known once the check is frozen by a first payment; an unpaid check's total moves still.
            "total": sum(rate[6] for rate in row["frozen_totals"]["rates"]) if row["frozen_totals"] else None,
            "paid": row["r_paid"],
        }
        for row in rows
    ]
