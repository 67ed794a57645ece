"""Reads of bills: an order's checks with their computed totals, in a fixed few queries."""

from decimal import Decimal
from fractions import Fraction

from django.db.models import Prefetch

from billing.models import CardReader, Check, CheckItem, Discount, OutletBilling, Payment, Tender
from billing.totals import CheckDiscountIn, CheckIn, CheckTotals, LineDiscountIn, LineIn, ShareIn, compute_order
from orders.models import Order, OrderLine
from pms_integration.models import PostingOutlet


def billing_settings(outlet_id: int) -> OutletBilling:
    settings, _created = OutletBilling.objects.get_or_create(outlet_id=outlet_id)
    return settings


def service_percent_for(check: Check, order: Order, rules: OutletBilling) -> Decimal:
    """The check's own service charge, else the outlet's automatic one for large tables."""
    if check.service_charge_percent is not None:
        return check.service_charge_percent
    if rules.service_charge_percent and order.covers >= rules.service_charge_min_covers:
        return rules.service_charge_percent
    return Decimal(0)


def line_amount(line: OrderLine) -> int:
    return line.total


def order_bill(*, order: Order) -> tuple[list[Check], dict[int, CheckTotals]]:
    """The order's checks (open and paid, not merged) and every check's totals.

    Five queries for any number of lines and checks.
    """
    rules = billing_settings(order.outlet_id)
    checks = list(
        Check.objects.filter(order=order)
        .exclude(status=Check.Status.MERGED)
        .prefetch_related(
            Prefetch("discounts", queryset=Discount.objects.filter(removed_at__isnull=True)),
            Prefetch("payments", queryset=Payment.objects.select_related("tender")),
        )
    )
    check_ids = {c.pk for c in checks}
    lines = list(
        OrderLine.objects.filter(order=order)
        .exclude(status=OrderLine.Status.REMOVED)
        .prefetch_related(
            Prefetch("check_items", queryset=CheckItem.objects.order_by("guest_check_id")),
            Prefetch("discounts", queryset=Discount.objects.filter(removed_at__isnull=True)),
            "modifiers",
        )
        .order_by("pk")
    )
    line_inputs = []
    for line in lines:
        line_inputs.append(
            LineIn(
                key=line.pk,
                amount=line_amount(line),
                tax_percent=line.tax_percent,
                discounts=tuple(
                    LineDiscountIn(
                        percent=Decimal(100) if d.kind == Discount.Kind.COMP else d.percent,
                        amount=d.amount,
                    )
                    for d in line.discounts.all()
                ),
                shares=tuple(
                    ShareIn(
                        key=item.pk,
                        check=item.guest_check_id,
                        shares=item.shares,
                        of_shares=item.of_shares,
                        frozen_amount=item.frozen_amount,
                        frozen_discount=item.frozen_discount,
                    )
                    for item in line.check_items.all()
                    if item.guest_check_id in check_ids
                ),
            )
        )
    check_inputs = [
        CheckIn(
            key=check.pk,
            discounts=tuple(
                CheckDiscountIn(key=d.pk, percent=d.percent, amount=d.amount, tax_percent=d.tax_percent)
                for d in check.discounts.all()
            ),
            service_percent=service_percent_for(check, order, rules),
            frozen=CheckTotals.from_dict(check.pk, check.frozen_totals) if check.is_frozen else None,
        )
        for check in checks
    ]
    totals = compute_order(lines=line_inputs, checks=check_inputs, prices_include_tax=order.outlet.prices_include_tax)
    # The lines, for the screens: each check's items carry their line.
    by_id = {line.pk: line for line in lines}
    for check in checks:
        check.lines_by_id = by_id
    return checks, totals


def paid_towards(check: Check) -> int:
    """What captured payments have covered of the check (cash rounding included)."""
    return sum(p.amount for p in check.payments.all() if p.state == Payment.State.CAPTURED)


def reserved_towards(check: Check) -> int:
    """Captured plus waiting payments: a card on the reader holds its amount."""
    return sum(p.amount for p in check.payments.all() if p.state in (Payment.State.CAPTURED, Payment.State.PENDING))


def _money_rows(totals: CheckTotals) -> dict:
    return {
        "items_amount": totals.items_amount,
        "line_discounts": totals.line_discounts,
        "check_discounts": totals.check_discounts,
        "service_charge": totals.service_charge,
        "service_percent": str(totals.service_percent),
        "tax": totals.tax,
        "total": totals.total,
        "rates": [
            {
                # Fixed-point: str() of a normalized 20.00 is "2E+1".
                "tax_percent": format(r.tax_percent.normalize(), "f"),
                "net": r.net,
                "tax": r.tax,
                "gross": r.gross,
            }
            for r in totals.rates
        ],
    }


def share_label(shares: int, of_shares: int, qty: int) -> str:
    """ "2" for two of a line of 2 beers, "1/3" for a third of a bottle."""
    if shares == of_shares:
        return str(qty)
    units = Fraction(qty * shares, of_shares)
    return str(units) if units.denominator == 1 else f"{units.numerator}/{units.denominator}"


def bill_payload(*, order: Order) -> dict:
    """The bill view: every check with its items, discounts, payments and totals."""
    checks, totals = order_bill(order=order)
    lines = checks[0].lines_by_id if checks else {}
    result = []
    for check in checks:
        figures = totals[check.pk]
        items = []
        for share in figures.shares:
            line = lines[share.line]
            item_row = next((i for i in line.check_items.all() if i.pk == share.key), None)
            items.append(
                {
                    "id": share.key,
                    "line": line.pk,
                    "name": line.name,
                    "qty_label": share_label(item_row.shares, item_row.of_shares, line.qty) if item_row else "",
                    "shares": item_row.shares if item_row else 1,
                    "of_shares": item_row.of_shares if item_row else 1,
                    "seat": line.seat,
                    "status": line.status,
                    "modifiers": [m.name for m in line.modifiers.all()],
                    "amount": share.amount,
                    "discount": share.discount,
                    "discounts": [
                        {
                            "id": d.pk,
                            "kind": d.kind,
                            "percent": str(d.percent) if d.percent else None,
                            "amount": d.amount,
                            "reason": d.reason,
                        }
                        for d in line.discounts.all()
                    ],
                }
            )
        paid = paid_towards(check)
        result.append(
            {
                "id": check.pk,
                "number": check.number,
                "label": check.label,
                "status": check.status,
                "version": check.version,
                "frozen": check.is_frozen,
                "bill_printed_at": check.bill_printed_at.isoformat() if check.bill_printed_at else None,
                "items": items,
                "discounts": [
                    {
                        "id": d.pk,
                        "kind": d.kind,
                        "percent": str(d.percent) if d.percent is not None else None,
                        "amount": d.amount,
                        "reason": d.reason,
                        "applied": figures.discount_amounts.get(d.pk, 0),
                    }
                    for d in check.discounts.all()
                ],
                "payments": [
                    {
                        "id": p.pk,
                        "tender": p.tender.name,
                        "kind": p.tender.kind,
                        "state": p.state,
                        "amount": p.amount,
                        "tip": p.tip,
                        "change_due": p.change_due,
                        "rounding": p.rounding,
                        "failure_message": p.failure_message,
                    }
                    for p in check.payments.all()
                ],
                "totals": _money_rows(figures),
                "paid": paid,
                "balance": max(figures.total - paid, 0),
            }
        )
    return {
        "order": {"id": order.pk, "status": order.status, "covers": order.covers, "version": order.version},
        "checks": result,
    }


def tenders_for(*, outlet_id: int) -> dict:
    """The tenders and card readers the tablet offers at this outlet."""
    tenders = Tender.objects.filter(is_active=True)
    if not PostingOutlet.objects.filter(outlet_id=outlet_id, is_active=True).exists():
        tenders = tenders.exclude(kind=Tender.Kind.ROOM_CHARGE)
    tenders = [{"id": t.pk, "name": t.name, "kind": t.kind, "allows_tip": t.allows_tip} for t in tenders]
    readers = [{"id": r.pk, "label": r.label} for r in CardReader.objects.filter(outlet_id=outlet_id, is_active=True)]
    return {"tenders": tenders, "readers": readers}
