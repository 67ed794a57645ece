"""The discounts and comps behind the day's sales."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from billing.models import BusinessDay, Check, Discount
from billing.reports.fields import person, person_fields, when, within
from billing.totals import LineDiscountIn, allocate, line_discount_amounts
from orders.languages import translated
from orders.models import OrderLine


def _discount_row(row: dict, *, level: str, amount: int) -> dict:
    return {
        "id": row["pk"],
        "level": level,
        "kind": row["kind"],
        "percent": str(row["percent"]) if row["percent"] is not None else None,
        "fixed": row["amount"],
        "item": row.get("r_item", ""),
        "order": row.get("guest_check__order_id") or row.get("line__order_id"),
        "check": row.get("guest_check__number"),
        "reason": row["reason"],
        "by": person(row, "by"),
        "approver": person(row, "approval__approver"),
        "at": when(row["created_at"]),
        "amount": amount,
    }


def discounts_and_comps(
    day: BusinessDay, check_applied: dict[int, int], outlet_id: int | None = None
) -> tuple[list[dict], list[dict]]:
    """Every discount and comp behind the day's sales, with what it took from them (see `discounts_of_checks`)."""
    return discounts_of_checks({"business_day": day}, check_applied, outlet_id)


def discounts_of_checks(
    checks: dict, check_applied: dict[int, int], outlet_id: int | None = None
) -> tuple[list[dict], list[dict]]:
    """Every discount and comp behind the sales of the closed checks `checks` picks (a Check filter:
    one business day, or a range of them), with what it took from them.

    A check discount took what the check's frozen figures say. A line's discounts took
    the line's frozen discount on those checks (a line shared with a check of
    another day gives each day its own part), cut over them in the proportions the
    line's totals rule gives them (a 10% discount, then a comp of what is left).
    """
    common = ("pk", "kind", "percent", "amount", "reason", "created_at")
    people = (*person_fields("by"), *person_fields("approval__approver"))
    on_checks = (
        Discount.objects.filter(
            within(outlet_id, "guest_check__order__outlet_id"),
            guest_check__status=Check.Status.CLOSED,
            **{f"guest_check__{k}": v for k, v in checks.items()},
            removed_at__isnull=True,
        )
        .order_by("created_at", "pk")
        .values(*common, "guest_check__order_id", "guest_check__number", *people)
    )
    # One join to the day's check items, shared by the filter and the sum (filter before annotate).
    on_lines = (
        Discount.objects.filter(
            within(outlet_id, "line__order__outlet_id"),
            line__isnull=False,
            removed_at__isnull=True,
            line__check_items__guest_check__status=Check.Status.CLOSED,
            **{f"line__check_items__guest_check__{k}": v for k, v in checks.items()},
        )
        .order_by()
        .annotate(r_item=translated("line__name"))
        .values(
            *common,
            "line_id",
            "line__order_id",
            "r_item",
            "line__qty",
            "line__unit_price",
            "line__modifiers_price",
            "line__status",
            *people,
        )
        .annotate(day_discount=Coalesce(Sum("line__check_items__frozen_discount"), 0))
    )
    rows: list[tuple] = []
    for row in on_checks:
        rows.append(
            (row["created_at"], row["pk"], _discount_row(row, level="check", amount=check_applied.get(row["pk"], 0)))
        )
    per_line: dict[int, list[dict]] = defaultdict(list)
    for row in on_lines:
        per_line[row["line_id"]].append(row)
    for line_rows in per_line.values():
        line_rows.sort(key=lambda r: (r["created_at"], r["pk"]))
        first = line_rows[0]
        voided = first["line__status"] in (OrderLine.Status.VOID, OrderLine.Status.REMOVED)
        line_amount = 0 if voided else first["line__qty"] * (first["line__unit_price"] + first["line__modifiers_price"])
        cuts = line_discount_amounts(
            line_amount,
            [
                LineDiscountIn(
                    percent=Decimal(100) if r["kind"] == Discount.Kind.COMP else r["percent"], amount=r["amount"]
                )
                for r in line_rows
            ],
        )
        parts = allocate(first["day_discount"], cuts)
        for row, part in zip(line_rows, parts, strict=True):
            rows.append((row["created_at"], row["pk"], _discount_row(row, level="line", amount=part)))
    rows.sort(key=lambda r: (r[0], r[1]))
    discounts = [r[2] for r in rows if r[2]["kind"] != Discount.Kind.COMP]
    comps = [r[2] for r in rows if r[2]["kind"] == Discount.Kind.COMP]
    return discounts, comps
