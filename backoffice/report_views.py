"""The manager's reports: an index, and one page per report with its chart, its table and its CSV."""

import csv

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backoffice.report_catalogue import BY_KEY, REPORTS, Report, cell_text, csv_text
from billing.range_reports import PRESETS, Period, period_from
from staff.page_access import manager_page
from tables.models import Outlet


def _report(key: str) -> Report:
    try:
        return BY_KEY[key]
    except KeyError:
        raise Http404(key) from None


def _preset_labels() -> list[tuple[str, str]]:
    names = {
        "today": _("Today"),
        "yesterday": _("Yesterday"),
        "this-week": _("This week"),
        "last-week": _("Last week"),
        "this-month": _("This month"),
        "last-month": _("Last month"),
        "custom": _("Custom"),
    }
    return [(preset, names[preset]) for preset in PRESETS]


def _chart(report: Report, rows: list[dict]) -> dict:
    """What the page's script draws: labels as the table shows them, amounts in cents."""
    chart = report.chart
    drawn = rows[: chart.top] if chart.top else rows
    label_kind = next(column.kind for column in report.columns if column.key == chart.label)
    titles = {column.key: str(column.label) for column in report.columns}
    return {
        "kind": chart.kind,
        "horizontal": chart.horizontal,
        "labels": [cell_text(label_kind, row[chart.label]) or "—" for row in drawn],
        "unit": chart.unit,
        "datasets": [{"label": titles[key], "data": [_number(row[key]) for row in drawn]} for key in chart.values],
    }


def _number(value):
    """Cents stay integers; minutes ("6.5") become numbers for the chart."""
    return value if isinstance(value, int) else float(value or 0)


def _table(report: Report, figures: dict) -> dict:
    head = [{"key": c.key, "label": c.label, "kind": c.kind} for c in report.columns]
    body = [
        [{"text": cell_text(c.kind, row.get(c.key)), "value": row.get(c.key), "kind": c.kind} for c in report.columns]
        for row in figures["rows"]
    ]
    totals = figures["totals"]
    foot = [
        {"text": cell_text(c.kind, totals.get(c.key)) if c.key in totals else "", "kind": c.kind}
        for c in report.columns
    ]
    foot[0] = {"text": _("Total"), "kind": "text"}
    return {"head": head, "body": body, "foot": foot}


@manager_page
def reports_index(request):
    return render(request, "manager/reports/index.html", {"reports": REPORTS})


@manager_page
def report_page(request, key: str):
    report = _report(key)
    context = {
        "report": report,
        "reports": REPORTS,
        "presets": _preset_labels(),
        "outlets": Outlet.objects.order_by("name", "pk"),
        "asked": request.GET,
    }
    try:
        period = period_from(request.GET)
    except ValidationError as error:
        context["errors"] = error.message_dict
        return render(request, "manager/reports/report.html", context, status=400)
    figures = report.figures(period)
    context.update(
        period=period,
        outlet_id=period.outlet_id,
        table=_table(report, figures),
        chart=_chart(report, figures["rows"]),
        query=request.GET.urlencode(),
    )
    return render(request, "manager/reports/report.html", context)


@manager_page
def report_csv(request, key: str):
    """The same rows as the page's table, for a spreadsheet: ';' and decimal commas in Dutch."""
    report = _report(key)
    try:
        period: Period = period_from(request.GET)
    except ValidationError as error:
        lines = [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    figures = report.figures(period)
    dutch = (get_language() or "en").startswith("nl")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    outlet = f"-outlet{period.outlet_id}" if period.outlet_id else ""
    name = f"{report.key}-{period.start.isoformat()}-{period.end.isoformat()}{outlet}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # spreadsheets read the UTF-8 (the euro, names) by this mark
    writer = csv.writer(response, delimiter=";" if dutch else ",")
    writer.writerow([str(column.label) for column in report.columns])
    for row in figures["rows"]:
        writer.writerow([csv_text(c.kind, row.get(c.key), decimal_comma=dutch) for c in report.columns])
    return response
