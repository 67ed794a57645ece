"""Discounts and comps in the period with who and why: grouped by kind, reason, who gave it and who approved,
with what they took from the sales as the Z counts it (billing.reports.discounts)."""

from django.utils.translation import gettext as _

from billing.models import Discount
from billing.range_reports.checks import closed_checks
from billing.range_reports.period import Period
from billing.reports.discounts import discounts_of_checks


def _check_discounts_applied(period: Period) -> dict[int, int]:
    """What each check discount took, from the frozen figures of the closed checks that have one (few of them)."""
    applied: dict[int, int] = {}
    with_discounts = Discount.objects.filter(guest_check__isnull=False).values("guest_check_id")
    for frozen in closed_checks(period).filter(pk__in=with_discounts).values_list("frozen_totals", flat=True):
        for key, amount in (frozen or {}).get("discount_amounts", []):
            applied[key] = applied.get(key, 0) + amount
    return applied


def discounts(period: Period) -> dict:
    """Three queries: the checks' frozen discount amounts, the check discounts and the line discounts."""
    closed = {"business_day__date__gte": period.start, "business_day__date__lte": period.end}
    given, comps = discounts_of_checks(closed, _check_discounts_applied(period), period.outlet_id)
    groups: dict[tuple, dict] = {}
    for row in (*given, *comps):
        kind = _("Comp") if row["kind"] == Discount.Kind.COMP else _("Discount")
        key = (kind, row["reason"], row["by"], row["approver"])
        group = groups.setdefault(
            key,
            {
                "kind": kind,
                "reason": row["reason"],
                "by": row["by"],
                "approver": row["approver"],
                "count": 0,
                "amount": 0,
            },
        )
        group["count"] += 1
        group["amount"] += row["amount"]
    rows = sorted(groups.values(), key=lambda r: (-r["amount"], r["kind"], r["reason"], r["by"], r["approver"]))
    return {"rows": rows, "totals": {name: sum(r[name] for r in rows) for name in ("count", "amount")}}
