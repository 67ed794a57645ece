"""Reads of bills: an order's checks with their computed totals, in a fixed few queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core import signing
from django.db.models import Count, Max, Prefetch, Q, Sum

from billing.models import (
    CardReader,
    CashMovement,
    Check,
    CheckItem,
    Discount,
    DrawerSession,
    OutletBilling,
    Payment,
    PaymentStateChange,
    Refund,
    Tender,
)
from billing.totals import CheckDiscountIn, CheckIn, CheckTotals, LineDiscountIn, LineIn, ShareIn, compute_order
from orders.models import Order, OrderLine
from pms_integration.models import PostingOutlet
from printing.selectors import latest_jobs_by_source


def billing_settings(outlet_id: int) -> OutletBilling:
    """The outlet's billing rules; an outlet nobody set up gets the defaults, unsaved (a read never writes)."""
    return OutletBilling.objects.filter(outlet_id=outlet_id).first() or OutletBilling(outlet_id=outlet_id)


def service_percent_for(check: Check, order: Order, rules: OutletBilling) -> Decimal:
    """The check's own service charge, else the outlet's automatic one for large tables."""
    if check.service_charge_percent is not None:
        return check.service_charge_percent
    if rules.service_charge_percent and order.covers >= rules.service_charge_min_covers:
        return rules.service_charge_percent
    return Decimal(0)


def line_amount(line: OrderLine) -> int:
    return line.total


def _unplaced_lines_check(order: Order, checks: list[Check], highest: int | None = None) -> Check:
    """Where lines on no check yet will go (as billing.services places them): the first open
    check without payments, else a new one, shown unsaved (id None) until a POST places them."""
    for check in checks:
        if check.status == Check.Status.OPEN and not check.is_frozen:
            return check
    if highest is None:
        highest = Check.objects.filter(order=order).aggregate(highest=Max("number"))["highest"] or 0
    check = Check(order=order, number=highest + 1)
    checks.append(check)
    return check


def _discounts_of(check: Check) -> list[Discount]:
    return list(check.discounts.all()) if check.pk else []  # a check not written yet has none


def _payments_of(check: Check) -> list[Payment]:
    return list(check.payments.all()) if check.pk else []


def _billed_lines(lines):
    """An order's lines as the bill counts them: all but removed ones, with their shares, discounts and modifiers."""
    return (
        lines.exclude(status=OrderLine.Status.REMOVED)
        .prefetch_related(
            Prefetch("check_items", queryset=CheckItem.objects.order_by("guest_check_id")),
            Prefetch("discounts", queryset=Discount.objects.filter(removed_at__isnull=True)),
            "modifiers",
        )
        .order_by("pk")
    )


def order_bill(*, order: Order, with_unplaced: bool = False) -> tuple[list[Check], dict[int, CheckTotals]]:
    """The order's checks (open and paid, not merged) and every check's totals.

    Five queries for any number of lines and checks. `with_unplaced` shows the lines on
    no check yet where placing them would put them (their shares' keys are the negative
    line ids), so that reading a bill never has to write it.
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
    lines = list(_billed_lines(OrderLine.objects.filter(order=order)))
    return _computed_bill(order=order, checks=checks, lines=lines, rules=rules, with_unplaced=with_unplaced)


def _computed_bill(
    *,
    order: Order,
    checks: list[Check],
    lines: list[OrderLine],
    rules: OutletBilling,
    with_unplaced: bool,
    highest: int | None = None,
) -> tuple[list[Check], dict[int, CheckTotals]]:
    """The totals of an order's checks from rows already read (with their discounts, payments, items)."""
    unplaced = {line.pk for line in lines if not line.check_items.all()} if with_unplaced else set()
    unplaced_on = _unplaced_lines_check(order, checks, highest).pk if unplaced else None
    check_ids = {c.pk for c in checks}
    line_inputs = []
    for line in lines:
        shares = tuple(
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
        )
        if line.pk in unplaced:
            shares = (ShareIn(key=-line.pk, check=unplaced_on, shares=1, of_shares=1),)
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
                shares=shares,
            )
        )
    check_inputs = [
        CheckIn(
            key=check.pk,
            discounts=tuple(
                CheckDiscountIn(key=d.pk, percent=d.percent, amount=d.amount, tax_percent=d.tax_percent)
                for d in _discounts_of(check)
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


def order_bills(*, orders: list[Order], rules: OutletBilling) -> dict[int, tuple[list[Check], dict[int, CheckTotals]]]:
    """`order_bill(with_unplaced=True)` of many orders of one outlet at once, in seven queries however many."""
    ids = [order.pk for order in orders]
    all_checks = list(
        Check.objects.filter(order_id__in=ids).prefetch_related(
            Prefetch("discounts", queryset=Discount.objects.filter(removed_at__isnull=True)),
            Prefetch("payments", queryset=Payment.objects.select_related("tender", "posting")),
        )
    )
    all_lines = list(_billed_lines(OrderLine.objects.filter(order_id__in=ids)))
    checks_of, lines_of = defaultdict(list), defaultdict(list)
    for check in all_checks:
        checks_of[check.order_id].append(check)
    for line in all_lines:
        lines_of[line.order_id].append(line)
    bills = {}
    for order in orders:
        checks = checks_of[order.pk]
        highest = max((c.number for c in checks), default=0)
        bills[order.pk] = _computed_bill(
            order=order,
            checks=[c for c in checks if c.status != Check.Status.MERGED],
            lines=lines_of[order.pk],
            rules=rules,
            with_unplaced=True,
            highest=highest,
        )
    return bills


def paid_towards(check: Check) -> int:
    """What captured payments have covered of the check (cash rounding included)."""
    return sum(p.amount for p in _payments_of(check) if p.state == Payment.State.CAPTURED)


def reserved_towards(check: Check) -> int:
    """Captured plus waiting payments: a card on the reader holds its amount."""
    return sum(p.amount for p in _payments_of(check) if p.state in (Payment.State.CAPTURED, Payment.State.PENDING))


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
    """The bill view: every check with its items, discounts, payments and totals.

    Lines on no check yet are shown where they will go, with no item id (and on a
    check with no id when a new check is needed); `unplaced_lines` counts them, and a
    POST to the bill (billing.services.open_bill) places them.
    """
    checks, totals = order_bill(order=order, with_unplaced=True)
    lines = checks[0].lines_by_id if checks else {}
    # How each printed bill's paper is doing (one query, only when a bill was printed).
    sources = [f"billing.check:{check.pk}" for check in checks if check.bill_printed_at]
    print_jobs = latest_jobs_by_source(sources=sources) if sources else {}
    unplaced = 0
    result = []
    for check in checks:
        figures = totals[check.pk]
        items = []
        for share in figures.shares:
            line = lines[share.line]
            item_row = next((i for i in line.check_items.all() if i.pk == share.key), None)
            placed = share.key > 0
            unplaced += not placed
            items.append(
                {
                    "id": share.key if placed else None,
                    "line": line.pk,
                    "name": line.name,
                    "qty_label": share_label(item_row.shares, item_row.of_shares, line.qty)
                    if item_row
                    else str(line.qty),
                    "shares": item_row.shares if item_row else 1,
                    "of_shares": item_row.of_shares if item_row else 1,
                    "seat": line.seat,
                    "status": line.status,
                    "modifiers": [m.name for m in line.modifiers.all()],
                    # A dish of a set menu: its amount is its share of the set's price.
                    "set_line": line.set_line_id,
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
                "invoice": {
                    "company": check.invoice_company,
                    "address": check.invoice_address,
                    "vat_number": check.invoice_vat_number,
                }
                if check.is_invoice
                else None,
                "bill_print_state": print_jobs.get(f"billing.check:{check.pk}", {}).get("state"),
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
                    for d in _discounts_of(check)
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
                    for p in _payments_of(check)
                ],
                "totals": _money_rows(figures),
                "paid": paid,
                "balance": max(figures.total - paid, 0),
            }
        )
    return {
        "order": {"id": order.pk, "status": order.status, "covers": order.covers, "version": order.version},
        "checks": result,
        "unplaced_lines": unplaced,
    }


def tenders_for(*, outlet_id: int) -> dict:
    """The tenders and card readers the tablet offers at this outlet."""
    tenders = Tender.objects.filter(is_active=True)
    if not PostingOutlet.objects.filter(outlet_id=outlet_id, is_active=True).exists():
        tenders = tenders.exclude(kind=Tender.Kind.ROOM_CHARGE)
    tenders = [{"id": t.pk, "name": t.name, "kind": t.kind, "allows_tip": t.allows_tip} for t in tenders]
    readers = [{"id": r.pk, "label": r.label} for r in CardReader.objects.filter(outlet_id=outlet_id, is_active=True)]
    return {"tenders": tenders, "readers": readers}


def bill_print_job(*, check: Check) -> dict | None:
    """The newest print job of this check's bill or receipt: queued, printing, printed or failed."""
    source = f"billing.check:{check.pk}"
    job = latest_jobs_by_source(sources=[source]).get(source)
    if job is None:
        return None
    return {
        "id": job["id"],
        "state": job["state"],
        "state_label": job["state_label"],
        "last_error": job["last_error"],
        "printed_at": job["printed_at"],
    }


def bill_version(order_id: int) -> str:
    """Moves with every change to an order's checks (each bumps its version) and payments.

    Part of the order's version on a bill screen's keep-alive (orders.selectors.order_version).
    """
    checks = Check.objects.filter(order_id=order_id).aggregate(count=Count("pk"), versions=Sum("version"))
    payments = Payment.objects.filter(guest_check__order_id=order_id).aggregate(count=Count("pk"))
    moves = PaymentStateChange.objects.filter(payment__guest_check__order_id=order_id).count()
    return f"{checks['count']}.{checks['versions'] or 0}.{payments['count']}.{moves}"


# Reads the services use too -------------------------------------------------------


def check_total(check: Check) -> int:
    """The check's total, frozen or computed."""
    if check.is_frozen:
        return sum(row[6] for row in check.frozen_totals["rates"])
    _checks, totals = order_bill(order=check.order)
    return totals[check.pk].total


def open_drawer_for(outlet_id: int) -> DrawerSession | None:
    """The outlet's drawer that is open now, if any."""
    return DrawerSession.objects.filter(outlet_id=outlet_id, closed_at__isnull=True).first()


def expected_cash(session: DrawerSession) -> int:
    """Float + cash taken (with its rounding and tips) - change given - cash refunds +/- movements."""
    taken = session.payments.filter(state=Payment.State.CAPTURED).aggregate(
        cash=Sum("cash_given"), change=Sum("change_due")
    )
    refunds = session.refunds.filter(state=Refund.State.SUCCEEDED).aggregate(total=Sum("amount"))["total"] or 0
    moves = {row["kind"]: row["total"] for row in session.movements.values("kind").annotate(total=Sum("amount"))}
    return (
        session.opening_float
        + (taken["cash"] or 0)
        - (taken["change"] or 0)
        - refunds
        + moves.get(CashMovement.Kind.PAY_IN, 0)
        - moves.get(CashMovement.Kind.PAY_OUT, 0)
    )


# The close of day: what stands in the way of the Z ------------------------------------


@dataclass
class CloseBlockers:
    """Everything the manager clears before the Z, each kind with the rows its buttons act on.

    `drawers`, `card_payments` and `room_charges` holding a payment block the Z (the
    service refuses it); `open_orders` block it unless carried over to the next day.
    `print_jobs` that failed and room charges the hotel refused or never answered (with
    no payment waiting on them) do not stop the Z, but the manager sees them here.
    """

    day: object
    drawers: list = field(default_factory=list)
    counted_drawers: list = field(default_factory=list)
    open_orders: list = field(default_factory=list)
    card_payments: list = field(default_factory=list)
    room_charges: list = field(default_factory=list)
    print_jobs: list = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """True while the service would refuse the Z even with the open orders carried over."""
        return bool(self.drawers or self.card_payments or any(r.payment_waiting for r in self.room_charges))

    @property
    def anything(self) -> bool:
        return self.blocking or bool(self.open_orders or self.room_charges or self.print_jobs)


def close_blockers(*, day) -> CloseBlockers:
    """What stands between the open business day and its Z, in six queries whatever the numbers."""
    from pms_integration.models import Posting
    from printing.models import PrintJob

    if day is None:
        return CloseBlockers(day=None)
    sessions = list(DrawerSession.objects.filter(business_day=day).select_related("outlet").order_by("opened_at", "pk"))
    orders = list(
        Order.objects.filter(status=Order.Status.OPEN)
        .select_related("outlet", "table", "waiter")
        .annotate(check_count=Count("checks"))
        .order_by("opened_at", "pk")
    )
    cards = list(
        Payment.objects.filter(state=Payment.State.PENDING, posting__isnull=True)
        .select_related("tender", "guest_check__order__outlet")
        .order_by("created_at", "pk")
    )
    postings = list(
        Posting.objects.filter(
            Q(state__in=(Posting.State.UNKNOWN, Posting.State.REJECTED)) | Q(payment__state=Payment.State.PENDING)
        )
        .select_related("payment__guest_check__order__outlet", "hotel")
        .order_by("created_at", "pk")
    )
    for posting in postings:
        payment = getattr(posting, "payment", None)
        posting.payment_waiting = payment is not None and payment.state == Payment.State.PENDING
    jobs = list(PrintJob.objects.filter(state=PrintJob.State.FAILED).select_related("printer").order_by("created_at"))
    return CloseBlockers(
        day=day,
        drawers=[s for s in sessions if s.closed_at is None],
        counted_drawers=[s for s in sessions if s.closed_at is not None],
        open_orders=orders,
        card_payments=cards,
        room_charges=postings,
        print_jobs=jobs,
    )


RECEIPT_LINK_SALT = "tafel.billing.receipt-link"


class ReceiptLinkExpired(Exception):
    """The link was real but is older than RECEIPT_LINK_HOURS; `language` is the one it was made in."""

    def __init__(self, language: str):
        super().__init__(language)
        self.language = language


class ReceiptLinkInvalid(Exception):
    """No such link: tampered, another check's key, or the check is not paid (now)."""


def check_for_receipt_link(token: str) -> tuple[Check, str]:
    """The paid check a guest's receipt link (QR code) opens, and the language to write it in."""
    try:
        data = signing.loads(token, salt=RECEIPT_LINK_SALT, max_age=settings.RECEIPT_LINK_HOURS * 3600)
    except signing.SignatureExpired:
        data = signing.loads(token, salt=RECEIPT_LINK_SALT)
        raise ReceiptLinkExpired(str(data.get("l", "")) if isinstance(data, dict) else "") from None
    except signing.BadSignature:
        raise ReceiptLinkInvalid from None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int) or not data.get("k"):
        raise ReceiptLinkInvalid
    check = Check.objects.filter(pk=data["c"], receipt_link_key=data["k"], status=Check.Status.CLOSED).first()
    if check is None:
        raise ReceiptLinkInvalid
    return check, str(data.get("l", ""))
