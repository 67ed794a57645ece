"""A manager corrects the timesheet: reasons required, every correction audited, no overlaps."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from staff import services, shift_corrections
from staff.models import AuditEntry, WorkShift

pytestmark = pytest.mark.django_db


def at(hours_ago: float) -> datetime.datetime:
    return (timezone.now() - datetime.timedelta(hours=hours_ago)).replace(second=0, microsecond=0)


def shift(person, start: float, end: float | None) -> WorkShift:
    return WorkShift.objects.create(person=person, clocked_in_at=at(start), clocked_out_at=at(end) if end else None)


def field_of(error) -> set[str]:
    return set(error.value.message_dict)


def test_closing_a_forgotten_clock_out_keeps_who_when_and_why(world):
    open_shift = services.clock_in(person=world.waiter)
    WorkShift.objects.filter(pk=open_shift.pk).update(clocked_in_at=at(10))

    corrected = shift_corrections.correct_shift(
        manager=world.manager,
        shift_id=open_shift.pk,
        clocked_in_at=at(10),
        clocked_out_at=at(2),
        reason="Forgot to clock out",
    )

    corrected.refresh_from_db()
    assert corrected.clocked_out_at == at(2)
    assert corrected.duration_minutes == 8 * 60
    assert corrected.corrected_by == world.manager
    assert corrected.corrected_at is not None
    assert corrected.correction_reason == "Forgot to clock out"
    entry = AuditEntry.objects.get(action="shift_corrected")
    assert entry.actor == world.manager
    assert entry.reason == "Forgot to clock out"
    assert entry.subject_id == str(open_shift.pk)
    assert entry.details["before"]["clocked_out_at"] is None
    assert entry.details["after"]["clocked_out_at"] == at(2).isoformat()
    assert entry.details["person_name"] == "Anna"


def test_a_forgotten_shift_is_added_and_audited(world):
    added = shift_corrections.add_forgotten_shift(
        manager=world.manager, person=world.waiter, clocked_in_at=at(30), clocked_out_at=at(24), reason="Paper list"
    )
    assert added.duration_minutes == 6 * 60
    assert added.corrected_by == world.manager
    assert AuditEntry.objects.get(action="shift_added").details["person"] == world.waiter.pk


@pytest.mark.parametrize(
    ("start", "end", "reason", "field"),
    [
        (10, 2, "  ", "reason"),
        (10, 12, "late", "clocked_out_at"),  # out before in
        (10, 10, "late", "clocked_out_at"),
        (-1, None, "late", "clocked_in_at"),  # in the future
        (10, -1, "late", "clocked_out_at"),
        (40, 10, "late", "clocked_out_at"),  # 30 hours
    ],
)
def test_bad_corrections_name_their_field_and_change_nothing(world, start, end, reason, field):
    existing = shift(world.waiter, 50, 45)
    with pytest.raises(ValidationError) as error:
        shift_corrections.correct_shift(
            manager=world.manager,
            shift_id=existing.pk,
            clocked_in_at=at(start),
            clocked_out_at=at(end) if end is not None else at(44),
            reason=reason,
        )
    assert field_of(error) == {field}
    existing.refresh_from_db()
    assert existing.clocked_in_at == at(50)
    assert existing.corrected_by is None
    assert not AuditEntry.objects.filter(action="shift_corrected").exists()


def test_a_closed_shift_cannot_be_reopened(world):
    existing = shift(world.waiter, 10, 5)
    with pytest.raises(ValidationError) as error:
        shift_corrections.correct_shift(
            manager=world.manager, shift_id=existing.pk, clocked_in_at=at(10), clocked_out_at=None, reason="x"
        )
    assert field_of(error) == {"clocked_out_at"}


@pytest.mark.parametrize(
    ("start", "end"),
    [(9, 6), (12, 9), (9.5, 8.5), (13, 3)],
    ids=["starts-inside", "ends-inside", "within", "around"],
)
def test_overlapping_shifts_are_refused(world, start, end):
    shift(world.waiter, 10, 8)
    with pytest.raises(ValidationError) as error:
        shift_corrections.add_forgotten_shift(
            manager=world.manager, person=world.waiter, clocked_in_at=at(start), clocked_out_at=at(end), reason="x"
        )
    assert field_of(error) == {"clocked_in_at"}
    assert WorkShift.objects.filter(person=world.waiter).count() == 1


def test_an_open_shift_counts_as_running_until_now_for_overlaps(world):
    still_open = services.clock_in(person=world.waiter)
    WorkShift.objects.filter(pk=still_open.pk).update(clocked_in_at=at(2))
    with pytest.raises(ValidationError):
        shift_corrections.add_forgotten_shift(
            manager=world.manager,
            person=world.waiter,
            clocked_in_at=at(0.5),
            clocked_out_at=at(0.1),
            reason="x",
        )


def test_shifts_touching_end_to_start_and_other_peoples_shifts_are_fine(world):
    shift(world.waiter, 10, 8)
    shift(world.other_waiter, 9, 7)
    shift_corrections.add_forgotten_shift(
        manager=world.manager, person=world.waiter, clocked_in_at=at(8), clocked_out_at=at(6), reason="Split shift"
    )
    assert WorkShift.objects.filter(person=world.waiter).count() == 2


def test_moving_a_shift_onto_another_is_refused(world):
    shift(world.waiter, 10, 8)
    later = shift(world.waiter, 6, 4)
    with pytest.raises(ValidationError) as error:
        shift_corrections.correct_shift(
            manager=world.manager, shift_id=later.pk, clocked_in_at=at(9), clocked_out_at=at(4), reason="x"
        )
    assert field_of(error) == {"clocked_in_at"}


def test_only_a_manager_corrects(world):
    existing = shift(world.waiter, 10, 8)
    with pytest.raises(PermissionDenied):
        shift_corrections.correct_shift(
            manager=world.waiter, shift_id=existing.pk, clocked_in_at=at(11), clocked_out_at=at(8), reason="x"
        )


def test_an_unknown_shift_names_the_shift(world):
    with pytest.raises(ValidationError) as error:
        shift_corrections.correct_shift(
            manager=world.manager, shift_id=999999, clocked_in_at=at(11), clocked_out_at=at(8), reason="x"
        )
    assert field_of(error) == {"shift"}
