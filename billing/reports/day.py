"""The whole day's report, put together from its sections."""

from django.conf import settings
from django.utils import timezone

from billing.models import BusinessDay, Check
from billing.reports.discounts import discounts_and_comps
from billing.reports.drawers import drawer_sessions
from billing.reports.fields import person_fields, when, within
from billing.reports.items import items_sold
from billing.reports.open_checks import open_checks_until
from billing.reports.sales import sales_figures
from billing.reports.tenders import reconciliation_of, refunds_of_day, tenders_taken
from billing.reports.voids import voids_since_last_z
from orders.models import Order
from tables.models import Outlet

REPORT_VERSION = 1


def day_report(*, day: BusinessDay, outlet_id: int | None = None) -> dict:
    """Every figure of one business day (see the package's docstring for what counts and how it adds up).

    With `outlet_id`, the same figures for that outlet (revenue centre) alone: its orders'
    checks, payments, refunds, discounts and voids, and its own cash drawers.
    """
    now = timezone.now()
    until = day.closed_at or now
    closed = {"business_day": day, "status": Check.Status.CLOSED}

    # 1. The day's checks with their frozen figures, their order's covers and waiter.
    checks = list(
        Check.objects.filter(within(outlet_id, "order__outlet_id"), **closed)
        .order_by("closed_at", "pk")
        .values("pk", "order_id", "frozen_totals", "order__covers", "order__waiter_id", *person_fields("order__waiter"))
    )
    sales, by_tax_rate, check_discount_applied, waiters = sales_figures(checks)

    # 2-4. What was sold, and the discounts and comps behind the sales figures.
    by_category, by_item = items_sold(closed, outlet_id)
    discounts, comps = discounts_and_comps(day, check_discount_applied, outlet_id)
    line_comps = sum(d["amount"] for d in comps if d["level"] == "line")
    check_comps = sum(d["amount"] for d in comps if d["level"] == "check")
    sales["comps"] = line_comps + check_comps
    sales["line_discounts"] = sales.pop("_line_cuts") - line_comps
    sales["check_discounts"] = sales.pop("_check_cuts") - check_comps
    sales["discounts"] = sales["line_discounts"] + sales["check_discounts"]

    # 5-7. Money taken: tenders, tips and rounding per tender and per waiter, refunds, reconciliation.
    by_tender, tips, rounding = tenders_taken(day, waiters, outlet_id)
    refunds, refunds_total = refunds_of_day(day, by_tender, outlet_id)
    reconciliation = reconciliation_of(day, outlet_id)

    # 8-12. Voids (with the previous Z's time), drawers and what is still open.
    voids = voids_since_last_z(day, until, outlet_id)
    drawers = drawer_sessions(day, outlet_id)
    open_checks = open_checks_until(until, outlet_id)
    open_orders = Order.objects.filter(
        within(outlet_id, "outlet_id"), status=Order.Status.OPEN, opened_at__lte=until
    ).count()

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
        "opened_at": when(day.opened_at),
        "closed_at": when(day.closed_at),
        "z_number": day.z_number,
        "generated_at": when(now),
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


def _has_activity(report: dict) -> bool:
    return any(
        report[key]
        for key in ("by_tender", "refunds", "voids", "drawers", "open_checks", "open_orders", "discounts", "comps")
    ) or bool(report["sales"]["checks"])


def day_report_by_outlet(*, day: BusinessDay) -> dict:
    """The house's report with each outlet's own beside it (`outlets`), as the Z stores it.

    Every check, payment and refund belongs to one order of one outlet, so the house's
    figures are the sum of its outlets' (tests/billing/test_z_by_outlet.py checks it to
    the cent). An outlet is listed when it is active or did anything in the day.
    """
    house = day_report(day=day)
    house["outlets"] = []
    for outlet in Outlet.objects.order_by("name", "pk"):
        report = day_report(day=day, outlet_id=outlet.pk)
        if outlet.is_active or _has_activity(report):
            report["outlet"] = {"id": outlet.pk, "name": outlet.name}
            house["outlets"].append(report)
    return house
