"""Reads for the manager's staff pages, with their query counts pinned."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from staff import roster, selectors, services
from staff.models import AuditEntry, WorkShift
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 30)  # ISO week 2026-W49


def local(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in the week of MONDAY: day 0 is Monday, in the restaurant's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(MONDAY + datetime.timedelta(days=day), datetime.time())
    ) + datetime.timedelta(hours=hour, minutes=minute)


def test_the_staff_list_shows_roles_and_who_is_clocked_in_in_two_queries(world, django_assert_num_queries):
    for n in range(5):
        StaffFactory(display_name=f"Extra {n}")
    services.clock_in(person=world.waiter)
    roster.deactivate_person(manager=world.manager, person=world.other_waiter)

    with django_assert_num_queries(2):
        people = selectors.staff_list(active=True)

    anna = next(person for person in people if person.pk == world.waiter.pk)
    mila = next(person for person in people if person.pk == world.manager.pk)
    assert anna.on_shift_since is not None
    assert mila.on_shift_since is None
    assert mila.roles == ["manager"]
    assert world.other_waiter.pk not in {person.pk for person in people}
    assert [person.pk for person in selectors.staff_list(active=False)] == [world.other_waiter.pk]


def test_the_week_counts_hours_per_day_and_splits_shifts_at_midnight_in_one_query(world, django_assert_num_queries):
    WorkShift.objects.create(person=world.waiter, clocked_in_at=local(0, 17), clocked_out_at=local(0, 23, 30))
    # Friday 20:00 to Saturday 02:15: 4:00 on Friday, 2:15 on Saturday.
    WorkShift.objects.create(person=world.waiter, clocked_in_at=local(4, 20), clocked_out_at=local(5, 2, 15))
    # Sunday night into next Monday: only the part up to midnight is this week's.
    WorkShift.objects.create(person=world.waiter, clocked_in_at=local(6, 22), clocked_out_at=local(7, 1))
    # Last week's Sunday into this Monday: only the part after midnight.
    WorkShift.objects.create(person=world.other_waiter, clocked_in_at=local(-1, 23), clocked_out_at=local(0, 1))
    WorkShift.objects.create(person=world.other_waiter, clocked_in_at=local(2, 9))  # still open
    # Outside the week altogether.
    WorkShift.objects.create(person=world.manager, clocked_in_at=local(7, 9), clocked_out_at=local(7, 17))
    for n in range(5):
        extra = StaffFactory(display_name=f"Extra {n}")
        WorkShift.objects.create(person=extra, clocked_in_at=local(1, 10), clocked_out_at=local(1, 12))

    with django_assert_num_queries(1):
        rows = selectors.week_timesheet(monday=MONDAY)
        names = [str(row.person) for row in rows]
        corrected = [shift.corrected_by for row in rows for shift in row.shifts]

    assert names == ["Anna", "Bram", *[f"Extra {n}" for n in range(5)]]
    assert corrected == [None] * 10
    anna, bram = rows[0], rows[1]
    assert anna.minutes_by_day == [390, 0, 0, 0, 240, 135, 120]
    assert anna.week_minutes == 390 + 240 + 135 + 120
    assert not anna.has_open_shift
    assert bram.minutes_by_day == [60, 0, 0, 0, 0, 0, 0]
    assert bram.has_open_shift
    assert len(bram.shifts) == 2


def test_the_audit_log_filters_by_who_what_and_when_newest_first(world, django_assert_num_queries):
    for _n in range(3):
        services.record_audit(actor=world.waiter, action="signed_in", subject=world.waiter)
    services.record_audit(actor=world.manager, action="pin_unlocked", subject=world.waiter)
    old = services.record_audit(actor=world.waiter, action="signed_in", subject=world.waiter)
    # Rows are append-only and dated on creation (auto_now_add): back-date this one by SQL.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEntry._meta.db_table} SET at = %s WHERE id = %s",
            [timezone.now() - datetime.timedelta(days=10), old.pk],
        )

    with django_assert_num_queries(2):
        page = selectors.audit_page(actor_id=world.waiter.pk, action="signed_in")
        entries = [(entry.action, str(entry.actor)) for entry in page]
    assert entries == [("signed_in", "Anna")] * 4
    assert page.paginator.count == 4

    today = timezone.localdate()
    recent = selectors.audit_page(action="signed_in", since=today, until=today)
    assert recent.paginator.count == 3
    earlier = selectors.audit_page(until=today - datetime.timedelta(days=5))
    assert [entry.pk for entry in earlier] == [old.pk]

    newest_first = list(selectors.audit_page())
    assert newest_first[0].action == "pin_unlocked"


def test_the_audit_log_pages(world):
    for _n in range(selectors.AUDIT_PAGE_SIZE + 3):
        services.record_audit(actor=world.waiter, action="signed_in")
    page = selectors.audit_page(page=2)
    assert len(page.object_list) == 3
    assert page.paginator.num_pages == 2
    assert selectors.audit_actions() == ["signed_in"]
