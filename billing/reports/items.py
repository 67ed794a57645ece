"""What was sold, per item and per category."""

from fractions import Fraction

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from billing.models import CheckItem
from billing.reports.fields import within
from orders.languages import translated
from orders.models import OrderLine


def items_sold(closed: dict, outlet_id: int | None = None) -> tuple[list[dict], list[dict]]:
    """Quantities and amounts per item and per category, summed in the database from the frozen items.

    A share of a line counts its part of the line's quantity (a third of a bottle is
    1/3); a line voided before its check was paid counts no quantity (and no amount).
    """
    sold = ~Q(line__status=OrderLine.Status.VOID, frozen_amount=0)
    rows = (
        CheckItem.objects.filter(
            within(outlet_id, "guest_check__order__outlet_id"), **{f"guest_check__{k}": v for k, v in closed.items()}
        )
        .order_by()
        .annotate(r_category=translated("line__item__category__name"), r_item=translated("line__name"))
        .values(
            "line__item__category_id",
            "r_category",
            "line__item__category__sort_order",
            "line__item_id",
            "r_item",
            "of_shares",
        )
        .annotate(
            # qty x shares summed in the database; divided by of_shares below, exactly.
            unit_shares=Coalesce(Sum(F("line__qty") * F("shares"), filter=sold), 0),
            amount=Coalesce(Sum("frozen_amount"), 0),
            discount=Coalesce(Sum("frozen_discount"), 0),
        )
    )
    categories: dict[int, dict] = {}
    items: dict[tuple, dict] = {}
    for row in rows:
        qty = Fraction(row["unit_shares"], row["of_shares"])
        gross = row["amount"] - row["discount"]
        category_id = row["line__item__category_id"]
        category = categories.setdefault(
            category_id,
            {
                "id": category_id,
                "name": row["r_category"],
                "_sort": row["line__item__category__sort_order"],
                "qty": Fraction(0),
                "amount": 0,
                "discounts": 0,
                "gross": 0,
            },
        )
        item = items.setdefault(
            (row["line__item_id"], row["r_item"]),
            {
                "id": row["line__item_id"],
                "name": row["r_item"],
                "category": row["r_category"],
                "_sort": (row["line__item__category__sort_order"], row["r_category"], category_id),
                "qty": Fraction(0),
                "amount": 0,
                "discounts": 0,
                "gross": 0,
            },
        )
        for target in (category, item):
            target["qty"] += qty
            target["amount"] += row["amount"]
            target["discounts"] += row["discount"]
            target["gross"] += gross
    by_category = sorted(categories.values(), key=lambda c: (c["_sort"], c["name"], c["id"]))
    by_item = sorted(items.values(), key=lambda i: (i["_sort"], i["name"], i["id"]))
    for row in (*by_category, *by_item):
        del row["_sort"]
        row["qty"] = str(row["qty"])
    return by_category, by_item
