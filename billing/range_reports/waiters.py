"""Sales per waiter (the order's waiter): checks, covers, gross, average check and tips."""

from django.db.models import F, Sum

from billing.models import Payment
from billing.range_reports.checks import closed_checks, covers_by, figures_by
from billing.range_reports.period import Period
from billing.reports.fields import average, person, person_fields
from staff.models import User


def sales_per_waiter(period: Period) -> dict:
    """Four queries: the checks' figures, covers, tips (captured payments, as the Z) and the names."""
    checks = closed_checks(period)
    keys = {"waiter": F("order__waiter_id")}
    figures = {row["waiter"]: row for row in figures_by(checks, keys)}
    covers = {row["waiter"]: row["covers"] for row in covers_by(checks, keys)}
    payments = Payment.objects.filter(
        state=Payment.State.CAPTURED,
        business_day__date__gte=period.start,
        business_day__date__lte=period.end,
    )
    if period.outlet_id is not None:
        payments = payments.filter(guest_check__order__outlet_id=period.outlet_id)
    tips = dict(
        payments.order_by()
        .values("guest_check__order__waiter_id")
        .annotate(tips=Sum("tip"))
        .values_list("guest_check__order__waiter_id", "tips")
    )
    ids = set(figures) | {waiter for waiter, amount in tips.items() if amount}
    names = {
        row["pk"]: person({f"p__{k}": v for k, v in row.items()}, "p")
        for row in User.objects.filter(pk__in=ids).values("pk", *(f.split("__", 1)[1] for f in person_fields("p")))
    }
    rows = []
    for waiter in ids:
        sold = figures.get(waiter, {"checks": 0, "gross": 0})
        rows.append(
            {
                "waiter": names.get(waiter, ""),
                "checks": sold["checks"],
                "covers": covers.get(waiter, 0),
                "gross": sold["gross"],
                "average_check": average(sold["gross"], sold["checks"]),
                "tips": int(tips.get(waiter) or 0),
            }
        )
    rows.sort(key=lambda r: (-r["gross"], r["waiter"]))
    totals = {name: sum(r[name] for r in rows) for name in ("checks", "covers", "gross", "tips")}
    totals["average_check"] = average(totals["gross"], totals["checks"])
    return {"rows": rows, "totals": totals}
