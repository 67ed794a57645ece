"""Reads for staff screens: sign-in tiles, shift list, audit log."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from staff import pin_guard
from staff.models import AuditEntry, User, WorkShift


def sign_in_tiles(*, client: pin_guard.PinClient) -> list[dict[str, Any]]:
    """Active staff who can sign in with a PIN, for the tablet's name tiles (two queries).

    `retry_after` is how long wrong PINs make this client wait before trying the person's
    PIN (0: now); `pin_locked` says the same as a yes/no.
    """
    people = (
        User.objects.filter(is_active=True)
        .exclude(pin_hash="")
        .prefetch_related(Prefetch("groups"))
        .order_by("display_name", "username")
    )
    people = [person for person in people if person.groups.all()]
    waits = pin_guard.waits_for(person_ids=[person.pk for person in people], client=client)
    return [
        {
            "id": person.pk,
            "name": str(person),
            "roles": sorted(group.name for group in person.groups.all()),
            "pin_locked": waits[person.pk] > 0,
            "retry_after": waits[person.pk],
        }
        for person in people
    ]


def person_summary(person: User) -> dict[str, Any]:
    return {"id": person.pk, "name": str(person), "roles": sorted(person.role_names())}


def person_with_shift(person: User) -> dict[str, Any]:
    """Who is signed in, and since when they are clocked in (None when not on shift)."""
    shift = WorkShift.objects.filter(person=person, clocked_out_at__isnull=True).first()
    return {**person_summary(person), "on_shift_since": shift.clocked_in_at.isoformat() if shift else None}


def work_shifts(
    *, since: datetime.datetime | None = None, until: datetime.datetime | None = None, person_id: int | None = None
) -> QuerySet[WorkShift]:
    shifts = WorkShift.objects.select_related("person")
    if since:
        shifts = shifts.filter(clocked_in_at__gte=since)
    if until:
        shifts = shifts.filter(clocked_in_at__lt=until)
    if person_id:
        shifts = shifts.filter(person_id=person_id)
    return shifts.order_by("-clocked_in_at")


def audit_log(*, action: str | None = None, actor_id: int | None = None) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor", "approval__approver")
    if action:
        entries = entries.filter(action=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    return entries


# The manager's staff pages: the staff list, the week's timesheet, the audit log.


def staff_list(*, active: bool) -> list[User]:
    """Active (or inactive) staff, each with `roles`, `on_shift_since` (None: not clocked in) and
    last_login (last seen). Two queries."""
    open_shift = WorkShift.objects.filter(person=OuterRef("pk"), clocked_out_at__isnull=True)
    people = list(
        User.objects.filter(is_active=active)
        .annotate(on_shift_since=Subquery(open_shift.values("clocked_in_at")[:1]))
        .prefetch_related("groups")
        .order_by("display_name", "username")
    )
    for person in people:
        person.roles = sorted(group.name for group in person.groups.all())
    return people


def week_start_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass
class TimesheetRow:
    person: User
    shifts: list[WorkShift] = field(default_factory=list)
    minutes_by_day: list[int] = field(default_factory=lambda: [0] * 7)
    has_open_shift: bool = False

    @property
    def week_minutes(self) -> int:
        return sum(self.minutes_by_day)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def week_timesheet(*, monday: datetime.date) -> list[TimesheetRow]:
    """Every shift touching the ISO week that starts on `monday`, by person, with the minutes worked
    on each day (a shift past midnight counts on both days) and the week's total. Open shifts are
    listed and flagged but not counted: their end is not known yet. One query."""
    days = [monday + datetime.timedelta(days=n) for n in range(8)]
    bounds = [_local_midnight(day) for day in days]
    shifts = (
        WorkShift.objects.filter(clocked_in_at__lt=bounds[7])
        .filter(Q(clocked_out_at__gt=bounds[0]) | Q(clocked_out_at__isnull=True))
        .select_related("person", "corrected_by")
        .order_by("person__display_name", "person__username", "person_id", "clocked_in_at")
    )
    rows: dict[int, TimesheetRow] = {}
    for shift in shifts:
        row = rows.setdefault(shift.person_id, TimesheetRow(person=shift.person))
        row.shifts.append(shift)
        if shift.clocked_out_at is None:
            row.has_open_shift = True
            continue
        for n in range(7):
            start, end = max(shift.clocked_in_at, bounds[n]), min(shift.clocked_out_at, bounds[n + 1])
            if end > start:
                row.minutes_by_day[n] += int((end - start).total_seconds() // 60)
    return list(rows.values())


AUDIT_PAGE_SIZE = 50


def audit_page(
    *,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    page: int = 1,
) -> Page:
    """One page of the audit log, newest first, filtered by who, what and when (days, both included).
    Two queries: the count and the page."""
    entries = audit_log(action=action, actor_id=actor_id)
    if since:
        entries = entries.filter(at__gte=_local_midnight(since))
    if until:
        entries = entries.filter(at__lt=_local_midnight(until + datetime.timedelta(days=1)))
    return Paginator(entries.order_by("-at", "-id"), AUDIT_PAGE_SIZE).get_page(page)


def audit_actions() -> list[str]:
    """Every action the log holds, for the 'what' filter. One query."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
