"""Reads for the cashier's screen: every open check of an outlet, and the checks paid today.

Both in a fixed number of queries however many checks there are (pinned in the tests).
"""

from django.db.models import Prefetch, Q

from billing.models import Check, CheckItem, Payment, Refund, RefundLine, Tender
from billing.selectors import billing_settings, order_bills, paid_towards
from orders.models import Order
from pms_integration.models import Posting

# The closed list is for finding one check: more than this many matches ask for a narrower search.
CLOSED_LIMIT = 100
# A room charge whose posting has no answer yet (or a lost one): the hotel has not said.
POSTING_WAITING = (Posting.State.QUEUED, Posting.State.SENT, Posting.State.UNKNOWN)


def _waiting_for_hotel(payment: Payment) -> bool:
    if payment.tender.kind != Tender.Kind.ROOM_CHARGE:
        return False
    if payment.state == Payment.State.PENDING:
        return True
    return payment.posting_id is not None and payment.posting.state in POSTING_WAITING


def open_checks(*, outlet_id: int) -> list[dict]:
    """Every open check of the outlet's open orders, oldest first, with its amount and state badges.

    Lines on no check yet count on the check they will go to (a check not written yet has no id).
    """
    orders = list(
        Order.objects.filter(outlet_id=outlet_id, status=Order.Status.OPEN)
        .select_related("table", "waiter", "outlet")
        .order_by("opened_at", "pk")
    )
    if not orders:
        return []
    bills = order_bills(orders=orders, rules=billing_settings(outlet_id))
    rows = []
    for order in orders:
        checks, totals = bills[order.pk]
        for check in checks:
            if check.status != Check.Status.OPEN:
                continue
            figures = totals[check.pk]
            payments = list(check.payments.all()) if check.pk else []
            paid = paid_towards(check)
            rows.append(
                {
                    "id": check.pk,
                    "order": order.pk,
                    "number": check.number,
                    "label": order.label,
                    "kind": order.kind,
                    "table": order.table.number if order.table_id else "",
                    "waiter": str(order.waiter),
                    "waiter_id": order.waiter_id,
                    "opened_at": order.opened_at.isoformat(),
                    "total": figures.total,
                    "paid": paid,
                    "due": max(figures.total - paid, 0),
                    "bill_printed": bool(check.bill_printed_at or order.bill_printed_at),
                    "part_paid": paid > 0,
                    "waiting_for_hotel": any(_waiting_for_hotel(p) for p in payments),
                    "card_under_way": any(
                        p.tender.kind == Tender.Kind.CARD and p.state == Payment.State.PENDING for p in payments
                    ),
                }
            )
    return rows


def _matches(check: Check, search: str) -> bool:
    order = check.order
    words = search.strip().lower()
    if not words:
        return True
    names = {
        str(order.pk),
        f"{order.pk}-{check.number}",
        str(order.table.number).lower() if order.table_id else "",
        order.room_number.lower(),
    }
    return words in names or (bool(order.tab_name) and words in order.tab_name.lower())


def check_paid_total(check: Check) -> int:
    """What a paid check came to: its frozen figures."""
    return sum(row[6] for row in check.frozen_totals["rates"]) if check.is_frozen else 0


def closed_checks(*, outlet_id: int, search: str = "", amount: int | None = None) -> list[dict]:
    """The outlet's checks paid in the open business day, newest first, with payments, refunds and items.

    `search` is an order number, a check number ("12-1"), a table or room, or a tab's name;
    `amount` the check's total in cents.
    """
    checks = list(
        Check.objects.filter(
            status=Check.Status.CLOSED,
            order__outlet_id=outlet_id,
        )
        .filter(Q(business_day__isnull=True) | Q(business_day__closed_at__isnull=True))
        .select_related("order__table", "order__waiter")
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.filter(state=Payment.State.CAPTURED).select_related("tender"),
            ),
            Prefetch(
                "payments__refunds",
                queryset=Refund.objects.select_related("by").prefetch_related(
                    Prefetch("lines", queryset=RefundLine.objects.select_related("item__line"))
                ),
            ),
            Prefetch("items", queryset=CheckItem.objects.select_related("line").order_by("line_id")),
        )
        .order_by("-closed_at", "-pk")
    )
    rows = []
    for check in checks:
        total = check_paid_total(check)
        if amount is not None and total != amount:
            continue
        if not _matches(check, search):
            continue
        rows.append(_closed_row(check, total))
        if len(rows) >= CLOSED_LIMIT:
            break
    return rows


def _closed_row(check: Check, total: int) -> dict:
    order = check.order
    payments = list(check.payments.all())
    refunds = [r for p in payments for r in p.refunds.all()]
    refunded_units: dict[int, int] = {}
    for refund in refunds:
        if refund.state == Refund.State.FAILED:
            continue
        for line in refund.lines.all():
            refunded_units[line.item_id] = refunded_units.get(line.item_id, 0) + line.qty
    return {
        "id": check.pk,
        "order": order.pk,
        "number": check.number,
        "label": order.label,
        "waiter": str(order.waiter),
        "closed_at": check.closed_at.isoformat() if check.closed_at else None,
        "total": total,
        "payments": [
            {
                "id": p.pk,
                "tender": p.tender.name,
                "kind": p.tender.kind,
                "amount": p.amount,
                "tip": p.tip,
                "refunded": p.refunded,
                "refundable": p.amount + p.tip - p.refunded,
            }
            for p in payments
        ],
        "refunds": [
            {
                "id": r.pk,
                "payment": r.payment_id,
                "tender": next(p.tender.name for p in payments if p.pk == r.payment_id),
                "amount": r.amount,
                "state": r.state,
                "reason": r.reason,
                "at": r.created_at.isoformat(),
                "by": str(r.by),
                "lines": [
                    {"name": line.item.line.name, "qty": line.qty, "amount": line.amount} for line in r.lines.all()
                ],
            }
            for r in sorted(refunds, key=lambda r: (r.created_at, r.pk))
        ],
        "items": [
            {
                "id": item.pk,
                "name": item.line.name,
                "units": item.units,
                "refunded": refunded_units.get(item.pk, 0),
                "amount": (item.frozen_amount or 0) - (item.frozen_discount or 0),
            }
            for item in check.items.all()
            if item.line.status != item.line.Status.VOID
        ],
    }
