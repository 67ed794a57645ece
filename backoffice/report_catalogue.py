"""The reports a manager can open: what each one shows, its columns and its chart.

The figures come from `billing.range_reports`; this module only says how a page shows
them. Each column has a kind that decides how a cell is written (money in euros,
a business date, an hour, a count) on the page and in the CSV alike.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing.range_reports import Period
from billing.range_reports.discounts import discounts
from billing.range_reports.labour import labour_against_sales
from billing.range_reports.product_mix import product_mix
from billing.range_reports.sales import sales_by_day, sales_by_hour, sales_by_tax_rate
from billing.range_reports.tenders import tenders
from billing.range_reports.voids import voids
from billing.range_reports.waiters import sales_per_waiter
from billing.templatetags.money import money
from kitchen.range_reports import ticket_times


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = "count"  # money, count, text, day, hour, percent, qty, rate


@dataclass(frozen=True)
class Chart:
    kind: str  # bar, line, doughnut
    label: str  # the column naming each bar
    values: tuple[str, ...]  # the money columns drawn
    horizontal: bool = False
    top: int | None = None  # draw only the first rows (a product mix has hundreds)
    unit: str = "money"  # or "minutes"


@dataclass(frozen=True)
class Report:
    key: str
    title: str | Promise
    hint: str | Promise
    figures: Callable[[Period], dict]
    columns: tuple[Column, ...]
    chart: Chart


def _money_columns(*keys: str) -> tuple[Column, ...]:
    labels = {
        "gross": _("Sales"),
        "net": _("Net"),
        "tax": _("VAT"),
        "average_check": _("Average check"),
        "average_per_cover": _("Per cover"),
        "tips": _("Tips"),
        "amount": _("Amount"),
        "rounding": _("Cash rounding"),
        "taken": _("Taken"),
        "refunds": _("Refunds"),
        "discounts": _("Discounts"),
    }
    return tuple(Column(key, labels[key], "money") for key in keys)


CHECKS, COVERS = Column("checks", _("Checks")), Column("covers", _("Covers"))

REPORTS: tuple[Report, ...] = (
    Report(
        "sales-by-day",
        _("Sales by day"),
        _("Sales, covers and average check per business day."),
        sales_by_day,
        (
            Column("day", _("Business day"), "day"),
            CHECKS,
            COVERS,
            *_money_columns("net", "tax", "gross", "average_check", "average_per_cover"),
        ),
        Chart("bar", "day", ("gross",)),
    ),
    Report(
        "sales-by-hour",
        _("Sales by hour"),
        _("When the checks were paid, hour by hour."),
        sales_by_hour,
        (Column("hour", _("Hour"), "hour"), CHECKS, COVERS, *_money_columns("gross", "average_check")),
        Chart("bar", "hour", ("gross",)),
    ),
    Report(
        "product-mix",
        _("Product mix"),
        _("What sold, its share of sales and its ABC class."),
        product_mix,
        (
            Column("item", _("Item"), "text"),
            Column("category", _("Category"), "text"),
            Column("qty", _("Quantity"), "qty"),
            *_money_columns("gross"),
            Column("share", _("Share"), "percent"),
            Column("cumulative", _("Cumulative"), "percent"),
            Column("abc", pgettext_lazy("ABC analysis", "Class"), "text"),
        ),
        Chart("bar", "item", ("gross",), horizontal=True, top=15),
    ),
    Report(
        "waiters",
        _("Sales per waiter"),
        _("Checks, covers, sales and tips per waiter."),
        sales_per_waiter,
        (Column("waiter", _("Waiter"), "text"), CHECKS, COVERS, *_money_columns("gross", "average_check", "tips")),
        Chart("bar", "waiter", ("gross", "tips"), horizontal=True),
    ),
    Report(
        "tenders",
        _("Tenders and tips"),
        _("Money taken per means of payment, tips, rounding and refunds."),
        tenders,
        (
            Column("tender", _("Tender"), "text"),
            Column("count", _("Payments")),
            *_money_columns("amount", "tips", "rounding", "refunds", "taken"),
        ),
        Chart("doughnut", "tender", ("amount",)),
    ),
    Report(
        "vat",
        _("VAT per rate"),
        _("Net, VAT and gross sales per VAT rate."),
        sales_by_tax_rate,
        (Column("rate", _("VAT rate"), "rate"), *_money_columns("net", "tax", "gross")),
        Chart("bar", "rate", ("net", "tax")),
    ),
    Report(
        "voids",
        _("Voids"),
        _("Voided lines: why, who voided and who approved."),
        voids,
        (
            Column("reason", _("Reason"), "text"),
            Column("by", _("Voided by"), "text"),
            Column("approver", _("Approved by"), "text"),
            Column("lines", _("Lines")),
            Column("qty", _("Quantity")),
            *_money_columns("amount"),
        ),
        Chart("bar", "reason", ("amount",), horizontal=True),
    ),
    Report(
        "discounts",
        _("Discounts and comps"),
        _("What discounts and comps took from sales: why, who gave them and who approved."),
        discounts,
        (
            Column("kind", _("Kind"), "text"),
            Column("reason", _("Reason"), "text"),
            Column("by", _("Given by"), "text"),
            Column("approver", _("Approved by"), "text"),
            Column("count", _("Times")),
            *_money_columns("amount"),
        ),
        Chart("bar", "reason", ("amount",), horizontal=True, top=15),
    ),
)


def _labour_labels() -> tuple[Column, ...]:
    return (
        Column("day", _("Business day"), "day"),
        Column("hours", _("Hours worked"), "minutes"),
        Column("gross", _("Sales"), "money"),
        Column("per_hour", _("Sales per hour worked"), "money"),
    )


def _kitchen_times(period: Period) -> dict:
    first, after = period.local_bounds()
    return ticket_times(first=first, after=after, outlet_id=period.outlet_id)


REPORTS = (
    *REPORTS,
    Report(
        "kitchen-times",
        _("Kitchen times"),
        _("Minutes from fire to ready per station, and the tickets that ran late."),
        _kitchen_times,
        (
            Column("station", _("Station"), "text"),
            Column("tickets", _("Tickets")),
            Column("average_minutes", _("Average (min)"), "minutes"),
            Column("longest_minutes", _("Longest (min)"), "minutes"),
            Column("late", _("Late")),
        ),
        Chart("bar", "station", ("average_minutes",), unit="minutes"),
    ),
    Report(
        "labour",
        _("Labour against sales"),
        _("Hours clocked per business day beside the day's sales."),
        labour_against_sales,
        _labour_labels(),
        Chart("bar", "day", ("per_hour",)),
    ),
)

BY_KEY = {report.key: report for report in REPORTS}


def cell_text(kind: str, value) -> str:
    """A cell as the page shows it, in the active language."""
    if value is None or value == "":
        return ""
    if kind == "money":
        return money(value)
    if kind == "day":
        return formats.date_format(datetime.date.fromisoformat(value), "D j M Y")
    if kind == "hour":
        return f"{value:02d}:00"
    if kind == "percent":
        return formats.number_format(value, decimal_pos=1) + "%"
    if kind == "rate":  # "9.00" as 9%, "5.50" as 5.5%
        return formats.number_format(value.rstrip("0").rstrip(".")) + "%"
    if kind in ("qty", "minutes"):
        return formats.number_format(value)
    return str(value)


def csv_text(kind: str, value, *, decimal_comma: bool) -> str:
    """A cell for a spreadsheet: plain numbers (euros with two decimals), ISO dates, the language's decimal mark."""
    if value is None:
        return ""
    if kind == "money":
        text = f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"
    elif kind == "hour":
        text = f"{value:02d}:00"
    else:
        text = str(value)
    if decimal_comma and kind in ("money", "percent", "rate", "qty", "minutes"):
        text = text.replace(".", ",")
    return text
