"""The cash drawer sessions of the day with their cash summed."""

from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import BusinessDay, CashMovement, DrawerSession, Payment, Refund
from billing.reports.fields import person, person_fields, when, within
from orders.languages import translated


def _sum_per_session(queryset, field: str):
    """A drawer session's total of `field` over the rows of `queryset`, as a subquery (0 for none)."""
    total = (
        queryset.filter(drawer_session=OuterRef("pk"))
        .order_by()
        .values("drawer_session")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _movements_per_session(kind: str):
    total = (
        CashMovement.objects.filter(session=OuterRef("pk"), kind=kind)
        .order_by()
        .values("session")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def drawer_sessions(day: BusinessDay, outlet_id: int | None = None) -> list[dict]:
    """Each cash drawer session of the day, its cash summed in the database (one query for all of them)."""
    cash = Payment.objects.filter(state=Payment.State.CAPTURED)
    rows = (
        DrawerSession.objects.filter(within(outlet_id, "outlet_id"), business_day=day)
        .order_by("opened_at", "pk")
        .annotate(
            r_cash_sales=_sum_per_session(cash, "amount"),
            r_rounding=_sum_per_session(cash, "rounding"),
            r_tips=_sum_per_session(cash, "tip"),
            r_cash_given=_sum_per_session(cash, "cash_given"),
            r_change=_sum_per_session(cash, "change_due"),
            r_refunds=_sum_per_session(Refund.objects.filter(state=Refund.State.SUCCEEDED), "amount"),
            r_pay_ins=_movements_per_session(CashMovement.Kind.PAY_IN),
            r_pay_outs=_movements_per_session(CashMovement.Kind.PAY_OUT),
        )
        .annotate(r_outlet=translated("outlet__name"))
        .values(
            "pk",
            "outlet_id",
            "r_outlet",
            "opened_at",
            "closed_at",
            "opening_float",
            "counted",
            "expected",
            *person_fields("opened_by"),
            *person_fields("closed_by"),
            "r_cash_sales",
            "r_rounding",
            "r_tips",
            "r_cash_given",
            "r_change",
            "r_refunds",
            "r_pay_ins",
            "r_pay_outs",
        )
    )
    drawers = []
    for row in rows:
        # The same sum as services.expected_cash, for a drawer still open; a closed one keeps its own.
        expected_now = (
            row["opening_float"]
            + row["r_cash_given"]
            - row["r_change"]
            - row["r_refunds"]
            + row["r_pay_ins"]
            - row["r_pay_outs"]
        )
        expected = row["expected"] if row["closed_at"] is not None and row["expected"] is not None else expected_now
        counted = row["counted"]
        drawers.append(
            {
                "id": row["pk"],
                "outlet": row["r_outlet"],
                "opened_by": person(row, "opened_by"),
                "opened_at": when(row["opened_at"]),
                "closed_by": person(row, "closed_by"),
                "closed_at": when(row["closed_at"]),
                "float": row["opening_float"],
                "cash_sales": row["r_cash_sales"],
                "rounding": row["r_rounding"],
                "tips": row["r_tips"],
                "refunds": row["r_refunds"],
                "pay_ins": row["r_pay_ins"],
                "pay_outs": row["r_pay_outs"],
                "expected": expected,
                "counted": counted,
                "variance": counted - expected if counted is not None else None,
            }
        )
    return drawers
