"""Money taken per tender: payments, amount, tips, cash rounding and refunds, as the Z counts them."""

from django.db.models import Count, Sum

from billing.models import Payment, Refund
from billing.range_reports.period import Period


def _in(period: Period, queryset, outlet_path: str):
    queryset = queryset.filter(business_day__date__gte=period.start, business_day__date__lte=period.end)
    if period.outlet_id is not None:
        queryset = queryset.filter(**{outlet_path: period.outlet_id})
    return queryset.order_by()


def tenders(period: Period) -> dict:
    """Two queries: captured payments per tender, succeeded refunds per tender (both by their business day)."""
    taken = (
        _in(period, Payment.objects.filter(state=Payment.State.CAPTURED), "guest_check__order__outlet_id")
        .values("tender_id", "tender__name", "tender__sort_order")
        .annotate(count=Count("pk"), amount=Sum("amount"), tips=Sum("tip"), rounding=Sum("rounding"))
    )
    refunded = (
        _in(period, Refund.objects.filter(state=Refund.State.SUCCEEDED), "payment__guest_check__order__outlet_id")
        .values("payment__tender_id", "payment__tender__name", "payment__tender__sort_order")
        .annotate(amount=Sum("amount"))
    )
    rows: dict[int, dict] = {}

    def row_of(tender_id: int, name: str, sort: int) -> dict:
        return rows.setdefault(
            tender_id,
            {"tender": name, "_sort": sort, "count": 0, "amount": 0, "tips": 0, "rounding": 0, "refunds": 0},
        )

    for row in taken:
        tender = row_of(row["tender_id"], row["tender__name"], row["tender__sort_order"])
        for name in ("count", "amount", "tips", "rounding"):
            tender[name] += int(row[name] or 0)
    for row in refunded:
        tender = row_of(row["payment__tender_id"], row["payment__tender__name"], row["payment__tender__sort_order"])
        tender["refunds"] += int(row["amount"] or 0)
    ordered = sorted(rows.values(), key=lambda r: (r.pop("_sort"), r["tender"]))
    for row in ordered:
        row["taken"] = row["amount"] + row["tips"] + row["rounding"]
        row["net"] = row["taken"] - row["refunds"]
    names = ("count", "amount", "tips", "rounding", "taken", "refunds", "net")
    return {"rows": ordered, "totals": {name: sum(r[name] for r in ordered) for name in names}}
