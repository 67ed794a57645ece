"""Money taken (per tender, tips, rounding), refunds, and what separates tenders from sales."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from billing.models import BusinessDay, Check, Payment, Refund
from billing.reports.fields import person, person_fields, when, within
from billing.reports.sales import waiter_row
from orders.languages import translated


def tenders_taken(day: BusinessDay, waiters: dict, outlet_id: int | None = None) -> tuple[dict, int, int]:
    """Payments captured in the day per tender (and their tips per order waiter), summed in the database."""
    rows = (
        Payment.objects.filter(
            within(outlet_id, "guest_check__order__outlet_id"), business_day=day, state=Payment.State.CAPTURED
        )
        .order_by()
        .annotate(r_tender=translated("tender__name"))
        .values(
            "tender_id",
            "r_tender",
            "tender__kind",
            "tender__sort_order",
            "guest_check__order__waiter_id",
            *person_fields("guest_check__order__waiter"),
        )
        .annotate(count=Count("pk"), amount=Sum("amount"), tips=Sum("tip"), rounding=Sum("rounding"))
    )
    tenders: dict[int, dict] = {}
    tips = rounding = 0
    for row in rows:
        tender = tender_row(tenders, row)
        tender["count"] += row["count"]
        tender["amount"] += row["amount"]
        tender["tips"] += row["tips"]
        tender["rounding"] += row["rounding"]
        tips += row["tips"]
        rounding += row["rounding"]
        waiter_id = row["guest_check__order__waiter_id"]
        waiter_row(waiters, waiter_id, person(row, "guest_check__order__waiter"))["tips"] += row["tips"]
    return tenders, tips, rounding


def tender_row(tenders: dict, row: dict, prefix: str = "") -> dict:
    tender_id = row[f"{prefix}tender_id"]
    return tenders.setdefault(
        tender_id,
        {
            "id": tender_id,
            "name": row["r_tender"],
            "kind": row[f"{prefix}tender__kind"],
            "_sort": row[f"{prefix}tender__sort_order"],
            "count": 0,
            "amount": 0,
            "tips": 0,
            "rounding": 0,
            "refunds": 0,
            "refund_count": 0,
        },
    )


def refunds_of_day(day: BusinessDay, tenders: dict, outlet_id: int | None = None) -> tuple[list[dict], int]:
    rows = (
        Refund.objects.filter(within(outlet_id, "payment__guest_check__order__outlet_id"), business_day=day)
        .order_by("created_at", "pk")
        .annotate(r_tender=translated("payment__tender__name"))
        .values(
            "pk",
            "amount",
            "state",
            "reason",
            "created_at",
            "payment_id",
            "payment__tender_id",
            "r_tender",
            "payment__tender__kind",
            "payment__tender__sort_order",
            "payment__guest_check__order_id",
            "payment__guest_check__number",
            *person_fields("by"),
            *person_fields("approval__approver"),
        )
    )
    refunds, total = [], 0
    for row in rows:
        refunds.append(
            {
                "id": row["pk"],
                "payment": row["payment_id"],
                "tender": row["r_tender"],
                "order": row["payment__guest_check__order_id"],
                "check": row["payment__guest_check__number"],
                "amount": row["amount"],
                "state": row["state"],
                "reason": row["reason"],
                "by": person(row, "by"),
                "approver": person(row, "approval__approver"),
                "at": when(row["created_at"]),
            }
        )
        if row["state"] == Refund.State.SUCCEEDED:
            total += row["amount"]
            tender = tender_row(tenders, row, prefix="payment__")
            tender["refunds"] += row["amount"]
            tender["refund_count"] += 1
    return refunds, total


def reconciliation_of(day: BusinessDay, outlet_id: int | None = None) -> dict:
    """What separates the tenders of the day from its sales: payments on checks not closed in the day
    (part payments on checks still open, or closed later), and earlier days' payments on checks closed today."""
    in_sales = Q(guest_check__business_day=day, guest_check__status=Check.Status.CLOSED)
    taken_today = Q(business_day=day)
    figures = Payment.objects.filter(
        within(outlet_id, "guest_check__order__outlet_id"), Q(state=Payment.State.CAPTURED) & (taken_today | in_sales)
    ).aggregate(
        not_in_sales=Coalesce(Sum("amount", filter=taken_today & ~in_sales), 0),
        from_earlier_days=Coalesce(Sum("amount", filter=in_sales & ~taken_today), 0),
    )
    return {"not_in_sales": figures["not_in_sales"], "from_earlier_days": figures["from_earlier_days"]}
