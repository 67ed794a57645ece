"""The X report (the business day so far) and the Z report (the day at its close).

`day_report(day=...)` reads one business day in a fixed number of queries (twelve,
whatever the number of orders, checks, lines or payments) and returns a JSON-able
dict, every amount in integer cents. The Z report is this dict stored on the day
when it is closed (`BusinessDay.report`); call it after `closed_at` and `z_number`
are set so the stored copy says "Z".

What belongs to the day:
- sales: the checks closed in the day (`Check.business_day`, status closed). Their
  figures are the frozen ones (`Check.frozen_totals`, `CheckItem.frozen_*`), the
  amounts the guests paid, never recomputed from today's menu or rules.
- tenders, tips, cash rounding: the payments captured in the day (`Payment.business_day`).
- refunds: `Refund.business_day`; drawers: `DrawerSession.business_day`.
- voids: the void events after the previous Z (or, for the first day, ever) up to this
  day's close (or now). A void can happen before the day's first sale opens the day
  row, so the day's own `opened_at` would lose it.
- open checks: every check still open that was opened before the day's close.

Identities that hold (tests/billing/test_reports.py asserts them):
- sales.gross == sales.net + sales.tax == sum(by_tax_rate.gross); the same for net and tax.
- sales.items - sales.discounts - sales.comps + sales.service_charge + sales.tax_added
  == sales.gross (tax_added is the tax put on top of tax-exclusive prices; 0 in the EU).
- sales.discounts == sales.line_discounts + sales.check_discounts == sum(discounts.amount);
  sales.comps == sum(comps.amount).
- sum(by_category.gross) == sum(by_item.gross) == sales.items - sales.line_discounts - sales.comps:
  what the lines came to after their own discounts, before check discounts and service charge.
- sum(by_tender.amount) == reconciliation.tendered
  == sales.gross + reconciliation.not_in_sales - reconciliation.from_earlier_days.
  On a day whose payments all settled checks closed the same day, the tenders add up to
  the gross sales exactly. Cash rounding and tips are on top:
  sum(by_tender.taken) == sum(by_tender.amount) + tips + cash_rounding.
- sum(by_waiter.gross) == sales.gross, sum(by_waiter.checks) == sales.checks,
  sum(by_waiter.tips) == sum(by_tender.tips) == tips.
- sum(by_tender.refunds) == sum of the succeeded rows of `refunds` == refunds_total.
- a drawer still open: expected == float + cash_sales + rounding + tips - refunds + pay_ins - pay_outs
  (what `services.expected_cash` says); a closed drawer keeps the expected it was closed with.
"""

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.models import BusinessDay, CashMovement, Check, CheckItem, Discount, DrawerSession, Payment, Refund
from billing.totals import LineDiscountIn, allocate, line_discount_amounts, round_half_up
from orders.models import LineStatusChange, Order, OrderLine

REPORT_VERSION = 1

_PERSON = ("display_name", "first_name", "last_name", "username")


def _person_fields(prefix: str) -> list[str]:
    return [f"{prefix}__{name}" for name in _PERSON]


def _person(row: dict, prefix: str) -> str:
    """A staff member's name as `User.__str__` gives it, from a `values()` row; "" when there is none."""
    display, first, last, username = (row.get(f"{prefix}__{name}") for name in _PERSON)
    if username is None:
        return ""
    return display or f"{first or ''} {last or ''}".strip() or username


def _when(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _rate(value) -> str:
    return f"{Decimal(value):.2f}"


def _average(total: int, count: int) -> int:
    return round_half_up(Fraction(total, count)) if count else 0


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


def day_report(*, day: BusinessDay) -> dict:
    """Every figure of one business day (see the module's docstring for what counts and how it adds up)."""
    now = timezone.now()
    until = day.closed_at or now
    closed = {"business_day": day, "status": Check.Status.CLOSED}

    # 1. The day's checks with their frozen figures, their order's covers and waiter.
    checks = list(
        Check.objects.filter(**closed)
        .order_by("closed_at", "pk")
        .values(
            "pk", "order_id", "frozen_totals", "order__covers", "order__waiter_id", *_person_fields("order__waiter")
        )
    )
    sales, by_tax_rate, check_discount_applied, waiters = _sales(checks)

    # 2-4. What was sold, and the discounts and comps behind the sales figures.
    by_category, by_item = _items_sold(closed)
    discounts, comps = _discounts(day, check_discount_applied)
    line_comps = sum(d["amount"] for d in comps if d["level"] == "line")
    check_comps = sum(d["amount"] for d in comps if d["level"] == "check")
    sales["comps"] = line_comps + check_comps
    sales["line_discounts"] = sales.pop("_line_cuts") - line_comps
    sales["check_discounts"] = sales.pop("_check_cuts") - check_comps
    sales["discounts"] = sales["line_discounts"] + sales["check_discounts"]

    # 5-7. Money taken: tenders, tips and rounding per tender and per waiter, refunds, reconciliation.
    by_tender, tips, rounding = _tenders(day, waiters)
    refunds, refunds_total = _refunds(day, by_tender)
    reconciliation = _reconciliation(day)

    # 8-12. Voids (with the previous Z's time), drawers and what is still open.
    voids = _voids(day, until)
    drawers = _drawers(day)
    open_checks = _open_checks(until)
    open_orders = Order.objects.filter(status=Order.Status.OPEN, opened_at__lte=until).count()

    tenders = sorted(by_tender.values(), key=lambda t: (t["_sort"], t["name"], t["id"]))
    for tender in tenders:
        del tender["_sort"]
        tender["taken"] = tender["amount"] + tender["tips"] + tender["rounding"]
        tender["net"] = tender["taken"] - tender["refunds"]
    reconciliation["tendered"] = sum(t["amount"] for t in tenders)
    reconciliation["sales_gross"] = sales["gross"]

    return {
        "version": REPORT_VERSION,
        "kind": "Z" if day.is_closed else "X",
        "date": day.date.isoformat(),
        "opened_at": _when(day.opened_at),
        "closed_at": _when(day.closed_at),
        "z_number": day.z_number,
        "generated_at": _when(now),
        "currency": settings.CURRENCY,
        "sales": sales,
        "by_category": by_category,
        "by_item": by_item,
        "by_tax_rate": by_tax_rate,
        "by_tender": tenders,
        "by_waiter": sorted(waiters.values(), key=lambda w: (w["name"], w["id"])),
        "tips": tips,
        "cash_rounding": rounding,
        "discounts": discounts,
        "comps": comps,
        "voids": voids,
        "voids_total": sum(v["amount"] for v in voids),
        "refunds": refunds,
        "refunds_total": refunds_total,
        "reconciliation": reconciliation,
        "drawers": drawers,
        "open_checks": open_checks,
        "open_orders": open_orders,
    }


def _sales(checks: list[dict]) -> tuple[dict, list[dict], dict, dict]:
    """Sales totals, the split per tax rate and per waiter, from the checks' frozen figures."""
    items = line_cuts = check_cuts = service = tax = tax_added = net = gross = 0
    rates: dict[str, dict] = {}
    applied: dict[int, int] = {}
    waiters: dict[int, dict] = {}
    covers: dict[int, int] = {}
    for check in checks:
        frozen = check["frozen_totals"] or {
            "prices_include_tax": True,
            "shares": [],
            "rates": [],
            "discount_amounts": [],
        }
        items += sum(share[2] for share in frozen["shares"])
        line_cuts += sum(share[3] for share in frozen["shares"])
        check_gross = 0
        for percent, _goods, cut, service_charge, rate_tax, rate_net, rate_gross in frozen["rates"]:
            check_cuts += cut
            service += service_charge
            tax += rate_tax
            net += rate_net
            check_gross += rate_gross
            if not frozen["prices_include_tax"]:
                tax_added += rate_tax
            row = rates.setdefault(_rate(percent), {"rate": _rate(percent), "net": 0, "tax": 0, "gross": 0})
            row["net"] += rate_net
            row["tax"] += rate_tax
            row["gross"] += rate_gross
        gross += check_gross
        for key, amount in frozen["discount_amounts"]:
            applied[key] = applied.get(key, 0) + amount
        covers[check["order_id"]] = check["order__covers"]
        waiter = _waiter_row(waiters, check["order__waiter_id"], _person(check, "order__waiter"))
        waiter["checks"] += 1
        waiter["gross"] += check_gross
    count, guests = len(checks), sum(covers.values())
    sales = {
        "checks": count,
        "covers": guests,
        "items": items,
        "_line_cuts": line_cuts,
        "_check_cuts": check_cuts,
        "service_charge": service,
        "net": net,
        "tax": tax,
        "tax_added": tax_added,
        "gross": gross,
        "average_check": _average(gross, count),
        "average_per_cover": _average(gross, guests),
    }
    by_rate = sorted(rates.values(), key=lambda r: Decimal(r["rate"]), reverse=True)
    return sales, by_rate, applied, waiters


def _waiter_row(waiters: dict, waiter_id: int, name: str) -> dict:
    return waiters.setdefault(waiter_id, {"id": waiter_id, "name": name, "checks": 0, "gross": 0, "tips": 0})


def _items_sold(closed: dict) -> tuple[list[dict], list[dict]]:
    """Quantities and amounts per item and per category, summed in the database from the frozen items.

    A share of a line counts its part of the line's quantity (a third of a bottle is
    1/3); a line voided before its check was paid counts no quantity (and no amount).
    """
    sold = ~Q(line__status=OrderLine.Status.VOID, frozen_amount=0)
    rows = (
        CheckItem.objects.filter(**{f"guest_check__{k}": v for k, v in closed.items()})
        .order_by()
        .values(
            "line__item__category_id",
            "line__item__category__name",
            "line__item__category__sort_order",
            "line__item_id",
            "line__name",
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
                "name": row["line__item__category__name"],
                "_sort": row["line__item__category__sort_order"],
                "qty": Fraction(0),
                "amount": 0,
                "discounts": 0,
                "gross": 0,
            },
        )
        item = items.setdefault(
            (row["line__item_id"], row["line__name"]),
            {
                "id": row["line__item_id"],
                "name": row["line__name"],
                "category": row["line__item__category__name"],
                "_sort": (row["line__item__category__sort_order"], row["line__item__category__name"], category_id),
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


def _discount_row(row: dict, *, level: str, amount: int) -> dict:
    return {
        "id": row["pk"],
        "level": level,
        "kind": row["kind"],
        "percent": str(row["percent"]) if row["percent"] is not None else None,
        "fixed": row["amount"],
        "item": row.get("line__name", ""),
        "order": row.get("guest_check__order_id") or row.get("line__order_id"),
        "check": row.get("guest_check__number"),
        "reason": row["reason"],
        "by": _person(row, "by"),
        "approver": _person(row, "approval__approver"),
        "at": _when(row["created_at"]),
        "amount": amount,
    }


def _discounts(day: BusinessDay, check_applied: dict[int, int]) -> tuple[list[dict], list[dict]]:
    """Every discount and comp behind the day's sales, with what it took from them.

    A check discount took what the check's frozen figures say. A line's discounts took
    the line's frozen discount on the day's checks (a line shared with a check of
    another day gives that day its own part), cut over them in the proportions the
    line's totals rule gives them (a 10% discount, then a comp of what is left).
    """
    common = ("pk", "kind", "percent", "amount", "reason", "created_at")
    people = (*_person_fields("by"), *_person_fields("approval__approver"))
    on_checks = (
        Discount.objects.filter(
            guest_check__business_day=day, guest_check__status=Check.Status.CLOSED, removed_at__isnull=True
        )
        .order_by("created_at", "pk")
        .values(*common, "guest_check__order_id", "guest_check__number", *people)
    )
    # One join to the day's check items, shared by the filter and the sum (filter before annotate).
    on_lines = (
        Discount.objects.filter(
            line__isnull=False,
            removed_at__isnull=True,
            line__check_items__guest_check__business_day=day,
            line__check_items__guest_check__status=Check.Status.CLOSED,
        )
        .order_by()
        .values(
            *common,
            "line_id",
            "line__order_id",
            "line__name",
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


def _tenders(day: BusinessDay, waiters: dict) -> tuple[dict, int, int]:
    """Payments captured in the day per tender (and their tips per order waiter), summed in the database."""
    rows = (
        Payment.objects.filter(business_day=day, state=Payment.State.CAPTURED)
        .order_by()
        .values(
            "tender_id",
            "tender__name",
            "tender__kind",
            "tender__sort_order",
            "guest_check__order__waiter_id",
            *_person_fields("guest_check__order__waiter"),
        )
        .annotate(count=Count("pk"), amount=Sum("amount"), tips=Sum("tip"), rounding=Sum("rounding"))
    )
    tenders: dict[int, dict] = {}
    tips = rounding = 0
    for row in rows:
        tender = _tender_row(tenders, row)
        tender["count"] += row["count"]
        tender["amount"] += row["amount"]
        tender["tips"] += row["tips"]
        tender["rounding"] += row["rounding"]
        tips += row["tips"]
        rounding += row["rounding"]
        waiter_id = row["guest_check__order__waiter_id"]
        _waiter_row(waiters, waiter_id, _person(row, "guest_check__order__waiter"))["tips"] += row["tips"]
    return tenders, tips, rounding


def _tender_row(tenders: dict, row: dict, prefix: str = "") -> dict:
    tender_id = row[f"{prefix}tender_id"]
    return tenders.setdefault(
        tender_id,
        {
            "id": tender_id,
            "name": row[f"{prefix}tender__name"],
            "kind": row[f"{prefix}tender__kind"],
            "_sort": row[f"{prefix}tender__sort_order"],
            "count": 0,
            "amount": 0,
            "tips": 0,
            "rounding": 0,
            "refunds": 0,
            "refund_count": 0,
        },
    )


def _refunds(day: BusinessDay, tenders: dict) -> tuple[list[dict], int]:
    rows = (
        Refund.objects.filter(business_day=day)
        .order_by("created_at", "pk")
        .values(
            "pk",
            "amount",
            "state",
            "reason",
            "created_at",
            "payment_id",
            "payment__tender_id",
            "payment__tender__name",
            "payment__tender__kind",
            "payment__tender__sort_order",
            "payment__guest_check__order_id",
            "payment__guest_check__number",
            *_person_fields("by"),
            *_person_fields("approval__approver"),
        )
    )
    refunds, total = [], 0
    for row in rows:
        refunds.append(
            {
                "id": row["pk"],
                "payment": row["payment_id"],
                "tender": row["payment__tender__name"],
                "order": row["payment__guest_check__order_id"],
                "check": row["payment__guest_check__number"],
                "amount": row["amount"],
                "state": row["state"],
                "reason": row["reason"],
                "by": _person(row, "by"),
                "approver": _person(row, "approval__approver"),
                "at": _when(row["created_at"]),
            }
        )
        if row["state"] == Refund.State.SUCCEEDED:
            total += row["amount"]
            tender = _tender_row(tenders, row, prefix="payment__")
            tender["refunds"] += row["amount"]
            tender["refund_count"] += 1
    return refunds, total


def _reconciliation(day: BusinessDay) -> dict:
    """What separates the tenders of the day from its sales: payments on checks not closed in the day
    (part payments on checks still open, or closed later), and earlier days' payments on checks closed today."""
    in_sales = Q(guest_check__business_day=day, guest_check__status=Check.Status.CLOSED)
    taken_today = Q(business_day=day)
    figures = Payment.objects.filter(Q(state=Payment.State.CAPTURED) & (taken_today | in_sales)).aggregate(
        not_in_sales=Coalesce(Sum("amount", filter=taken_today & ~in_sales), 0),
        from_earlier_days=Coalesce(Sum("amount", filter=in_sales & ~taken_today), 0),
    )
    return {"not_in_sales": figures["not_in_sales"], "from_earlier_days": figures["from_earlier_days"]}


def _voids(day: BusinessDay, until) -> list[dict]:
    since = (
        BusinessDay.objects.filter(date__lt=day.date, closed_at__isnull=False)
        .order_by("-date")
        .values_list("closed_at", flat=True)
        .first()
    )
    changes = LineStatusChange.objects.filter(to_status=OrderLine.Status.VOID, at__lte=until)
    if since is not None:
        changes = changes.filter(at__gt=since)
    rows = changes.order_by("at", "pk").values(
        "pk",
        "at",
        "reason",
        "line_id",
        "line__name",
        "line__qty",
        "line__unit_price",
        "line__modifiers_price",
        "line__order_id",
        *_person_fields("by"),
        *_person_fields("approval__approver"),
    )
    return [
        {
            "id": row["pk"],
            "line": row["line_id"],
            "order": row["line__order_id"],
            "item": row["line__name"],
            "qty": row["line__qty"],
            "amount": row["line__qty"] * (row["line__unit_price"] + row["line__modifiers_price"]),
            "by": _person(row, "by"),
            "reason": row["reason"],
            "approver": _person(row, "approval__approver"),
            "at": _when(row["at"]),
        }
        for row in rows
    ]


def _drawers(day: BusinessDay) -> list[dict]:
    """Each cash drawer session of the day, its cash summed in the database (one query for all of them)."""
    cash = Payment.objects.filter(state=Payment.State.CAPTURED)
    rows = (
        DrawerSession.objects.filter(business_day=day)
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
        .values(
            "pk",
            "outlet_id",
            "outlet__name",
            "opened_at",
            "closed_at",
            "opening_float",
            "counted",
            "expected",
            *_person_fields("opened_by"),
            *_person_fields("closed_by"),
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
                "outlet": row["outlet__name"],
                "opened_by": _person(row, "opened_by"),
                "opened_at": _when(row["opened_at"]),
                "closed_by": _person(row, "closed_by"),
                "closed_at": _when(row["closed_at"]),
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


def _open_checks(until) -> list[dict]:
    """Checks still open (a Z should not be taken over them unnoticed), with what is paid on them so far."""
    paid = (
        Payment.objects.filter(guest_check=OuterRef("pk"), state=Payment.State.CAPTURED)
        .order_by()
        .values("guest_check")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        Check.objects.filter(status=Check.Status.OPEN, opened_at__lte=until)
        .order_by("opened_at", "pk")
        .annotate(r_paid=Coalesce(Subquery(paid, output_field=IntegerField()), Value(0)))
        .values(
            "pk",
            "number",
            "label",
            "order_id",
            "order__outlet__name",
            "order__table__number",
            "order__tab_name",
            "order__room_number",
            "opened_at",
            "frozen_totals",
            "r_paid",
            *_person_fields("order__waiter"),
        )
    )
    return [
        {
            "id": row["pk"],
            "order": row["order_id"],
            "number": row["number"],
            "label": row["label"],
            "outlet": row["order__outlet__name"],
            "table": row["order__table__number"] or "",
            "tab": row["order__tab_name"] or row["order__room_number"] or "",
            "waiter": _person(row, "order__waiter"),
            "opened_at": _when(row["opened_at"]),
            # Known once the check is frozen by a first payment; an unpaid check's total moves still.
            "total": sum(rate[6] for rate in row["frozen_totals"]["rates"]) if row["frozen_totals"] else None,
            "paid": row["r_paid"],
        }
        for row in rows
    ]
