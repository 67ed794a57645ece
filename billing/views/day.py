"""The manager's day report page: the X report of the open business day, or a past day's Z."""

import datetime

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from billing.models import BusinessDay
from billing.reports import day_report as build_day_report
from staff.models import Role
from tables.models import Outlet

# How many earlier days the page links to.
RECENT_DAYS = 14


def _with_datetimes(value):
    """A report's ISO timestamps ("at", "..._at") as datetimes again, for the template's date filters."""
    if isinstance(value, list):
        return [_with_datetimes(v) for v in value]
    if isinstance(value, dict):
        return {
            key: parse_datetime(v)
            if isinstance(v, str) and (key == "at" or key.endswith("_at"))
            else _with_datetimes(v)
            for key, v in value.items()
        }
    return value


def manager_only(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    return None


def _outlet_asked(request) -> int | None:
    """The outlet of `?outlet=`, None for the house; a 404 naming it when it is not a number."""
    raw = request.GET.get("outlet", "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404(_("outlet: give the outlet's number.")) from None


def day_report(request, date: str | None = None, close_errors: list[str] | None = None):
    """The open day's X report at /manager/day/; a day by its date at /manager/day/2026-12-04/.

    A closed day shows the Z report stored when it was closed (its figures never move);
    a closed day without a stored copy is read again from its rows, which are locked.
    """
    if (refused := manager_only(request)) is not None:
        return refused
    if date is None:
        day = BusinessDay.objects.filter(closed_at__isnull=True).order_by("date").first()
    else:
        try:
            wanted = datetime.date.fromisoformat(date)
        except ValueError:
            raise Http404(_("Give the date as YYYY-MM-DD.")) from None
        day = BusinessDay.objects.filter(date=wanted).first()
        if day is None:
            raise Http404(_("There was no business day on that date."))
    stored = day is not None and day.is_closed and bool(day.report)
    report, outlets, outlet_id = None, [], _outlet_asked(request)
    if day is not None:
        report = day.report if stored else build_day_report(day=day, outlet_id=outlet_id)
        if stored:
            outlets = [section["outlet"] for section in report.get("outlets", [])]
            if outlet_id is not None:
                report = next((s for s in report.get("outlets", []) if s["outlet"]["id"] == outlet_id), None)
        else:
            outlets = list(Outlet.objects.filter(is_active=True).order_by("name", "pk").values("id", "name"))
        if outlet_id is not None and (report is None or outlet_id not in {o["id"] for o in outlets}):
            raise Http404(_("This outlet has no report on that day."))
    tender_totals = {
        key: sum(row.get(key, 0) for row in report.get("by_tender", [])) if report else 0
        for key in ("count", "amount", "tips", "rounding", "refunds", "net")
    }
    recent = list(BusinessDay.objects.order_by("-date").values("date", "closed_at", "z_number")[:RECENT_DAYS])
    return render(
        request,
        "billing/day_report.html",
        {
            "day": day,
            "report": _with_datetimes(report) if report else None,
            "stored": stored,
            "recent_days": recent,
            "tender_totals": tender_totals,
            "close_errors": close_errors or [],
            "outlets": outlets,
            "outlet_id": outlet_id,
        },
        status=400 if close_errors else 200,
    )
