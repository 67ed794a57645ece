"""The manager's timesheets: one ISO week (Monday first), per person, with corrections and a CSV."""

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backoffice.staff_forms import ForgottenShiftForm, ShiftTimesForm, apply_service_errors
from staff import selectors, shift_corrections
from staff.models import User
from staff.page_access import manager_page


class BadWeek(ValueError):
    """A `?week=` that is not an ISO week such as 2026-W49."""


def _monday(request) -> datetime.date:
    """The week asked for as ?week=2026-W50 (ISO), else this week."""
    text = request.GET.get("week") or request.POST.get("week") or ""
    if not text:
        return selectors.week_start_of(timezone.localdate())
    try:
        year, week = text.split("-W")
        return datetime.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise BadWeek(text) from None


def week_code(monday: datetime.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def hours(minutes: int) -> str:
    """Minutes as hours:minutes ("7:30"), the same in both languages."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def _rows_for_screen(rows):
    return [
        {
            "person": row.person,
            "shifts": row.shifts,
            "days": [hours(minutes) if minutes else "" for minutes in row.minutes_by_day],
            "total": hours(row.week_minutes),
            "has_open_shift": row.has_open_shift,
        }
        for row in rows
    ]


def _week_page(request, monday: datetime.date, *, status: int = 200, **extra):
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    rows = selectors.week_timesheet(monday=monday)
    people = User.objects.filter(is_active=True).order_by("display_name", "username")
    context = {
        "monday": monday,
        "week": week_code(monday),
        "week_number": monday.isocalendar()[1],
        "previous_week": week_code(monday - datetime.timedelta(days=7)),
        "next_week": week_code(monday + datetime.timedelta(days=7)),
        "days": days,
        "rows": _rows_for_screen(rows),
        "add_form": extra.get("add_form") or ForgottenShiftForm(people=people),
        "failed_shift": extra.get("failed_shift"),
        "correction_form": extra.get("correction_form"),
    }
    return render(request, "manager/staff/timesheets.html", context, status=status)


def _bad_week(request):
    return render(request, "manager/staff/bad_week.html", status=400)


@manager_page
@require_GET
def timesheets(request):
    try:
        monday = _monday(request)
    except BadWeek:
        return _bad_week(request)
    return _week_page(request, monday)


@manager_page
@require_POST
def correct_shift(request, shift_id: int):
    try:
        monday = _monday(request)
    except BadWeek:
        return _bad_week(request)
    form = ShiftTimesForm(request.POST)
    if form.is_valid():
        try:
            shift_corrections.correct_shift(
                manager=request.user,
                shift_id=shift_id,
                clocked_in_at=form.cleaned_data["clocked_in_at"],
                clocked_out_at=form.cleaned_data["clocked_out_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The shift is corrected."))
            return redirect(f"{reverse('manager:timesheets')}?week={week_code(monday)}")
    return _week_page(request, monday, status=400, failed_shift=shift_id, correction_form=form)


@manager_page
@require_POST
def add_shift(request):
    try:
        monday = _monday(request)
    except BadWeek:
        return _bad_week(request)
    people = User.objects.filter(is_active=True).order_by("display_name", "username")
    form = ForgottenShiftForm(request.POST, people=people)
    if form.is_valid():
        try:
            shift_corrections.add_forgotten_shift(
                manager=request.user,
                person=people.get(pk=form.cleaned_data["person"]),
                clocked_in_at=form.cleaned_data["clocked_in_at"],
                clocked_out_at=form.cleaned_data["clocked_out_at"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The shift is added."))
            return redirect(f"{reverse('manager:timesheets')}?week={week_code(monday)}")
    return _week_page(request, monday, status=400, add_form=form)


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@manager_page
@require_GET
def timesheet_csv(request):
    """The week as CSV: one row per shift, the minutes it counts for, and who corrected it."""
    try:
        monday = _monday(request)
    except BadWeek:
        return _bad_week(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="timesheet-{week_code(monday)}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Person"), _("Clocked in"), _("Clocked out"), _("Minutes"), _("Corrected by"), _("Reason")])
    for row in selectors.week_timesheet(monday=monday):
        for shift in row.shifts:
            writer.writerow(
                [
                    str(row.person),
                    _moment(shift.clocked_in_at),
                    _moment(shift.clocked_out_at),
                    "" if shift.duration_minutes is None else shift.duration_minutes,
                    str(shift.corrected_by) if shift.corrected_by_id else "",
                    shift.correction_reason,
                ]
            )
    return response
