"""The product mix: each item's quantity and sales, its share, and its ABC class.

ABC (Pareto): items sorted by sales, the ones that make the first 80% of the sales are
A, the next 15% B, the last 5% C. An item counts towards the class where its sales
begin, so the best seller is always A.
"""

from fractions import Fraction

from billing.models import Check
from billing.range_reports.period import Period
from billing.reports.items import items_sold

A_UP_TO, B_UP_TO = Fraction(80, 100), Fraction(95, 100)


def _qty_text(qty: str) -> str:
    """ "7/3" (a third of a bottle, shared) as "2.33"; whole numbers stay whole."""
    value = Fraction(qty)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.2f}"


def product_mix(period: Period) -> dict:
    """One query: the frozen check items of the period's closed checks per item, as the Z sums them."""
    closed = {
        "business_day__date__gte": period.start,
        "business_day__date__lte": period.end,
        "status": Check.Status.CLOSED,
    }
    _categories, items = items_sold(closed, period.outlet_id)
    items.sort(key=lambda i: (-i["gross"], i["name"], i["id"] or 0))
    total = sum(item["gross"] for item in items)
    rows, before = [], 0
    for item in items:
        share = Fraction(item["gross"], total) if total else Fraction(0)
        start = Fraction(before, total) if total else Fraction(0)
        before += item["gross"]
        rows.append(
            {
                "item": item["name"],
                "category": item["category"],
                "qty": _qty_text(item["qty"]),
                "amount": item["amount"],
                "discounts": item["discounts"],
                "gross": item["gross"],
                "share": f"{float(share * 100):.1f}",
                "cumulative": f"{float(Fraction(before, total) * 100) if total else 0:.1f}",
                "abc": "A" if start < A_UP_TO else "B" if start < B_UP_TO else "C",
            }
        )
    totals = {
        "qty": _qty_text(str(sum((Fraction(i["qty"]) for i in items), Fraction(0)))),
        "amount": sum(i["amount"] for i in items),
        "discounts": sum(i["discounts"] for i in items),
        "gross": total,
    }
    return {"rows": rows, "totals": totals}
