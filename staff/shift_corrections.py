"""A manager corrects the timesheet: changes a shift's times, closes an open one, adds a forgotten one.

Each correction needs a reason, is audited with the times before and after, and leaves its
mark on the shift (who corrected it, when, why). A person's shifts never overlap.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from staff import services
from staff.models import Role, User, WorkShift

LONGEST_SHIFT = datetime.timedelta(hours=24)


def _iso(moment: datetime.datetime | None) -> str | None:
    # In UTC, as the database keeps it: before and after compare as written.
    return moment.astimezone(datetime.UTC).isoformat() if moment else None


def _clean(
    *,
    person: User,
    clocked_in_at: datetime.datetime,
    clocked_out_at: datetime.datetime | None,
    reason: str,
    shift_id: int | None,
) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the correction.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most 200 characters.")})
    now = timezone.now()
    if clocked_in_at > now:
        raise ValidationError({"clocked_in_at": _("Clocking in cannot be in the future.")})
    if clocked_out_at is not None:
        if clocked_out_at <= clocked_in_at:
            raise ValidationError({"clocked_out_at": _("Clocking out must come after clocking in.")})
        if clocked_out_at > now:
            raise ValidationError({"clocked_out_at": _("Clocking out cannot be in the future.")})
        if clocked_out_at - clocked_in_at > LONGEST_SHIFT:
            raise ValidationError({"clocked_out_at": _("A shift cannot be longer than 24 hours.")})
    end = clocked_out_at or now
    # An open shift runs until now for this check (it may only end later).
    others = WorkShift.objects.filter(person=person, clocked_in_at__lt=end).filter(
        Q(clocked_out_at__gt=clocked_in_at) | Q(clocked_out_at__isnull=True)
    )
    if shift_id is not None:
        others = others.exclude(pk=shift_id)
    if others.exists():
        raise ValidationError({"clocked_in_at": _("This overlaps another shift of the same person.")})
    if clocked_out_at is None and (
        WorkShift.objects.filter(person=person, clocked_out_at__isnull=True).exclude(pk=shift_id).exists()
    ):
        raise ValidationError({"clocked_out_at": _("This person already has an open shift.")})
    return reason


def _require_manager(manager: User) -> None:
    if not manager.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager can correct the timesheet."))


@transaction.atomic
def correct_shift(
    *,
    manager: User,
    shift_id: int,
    clocked_in_at: datetime.datetime,
    clocked_out_at: datetime.datetime | None,
    reason: str,
) -> WorkShift:
    """Change a shift's times (closing it if it was open). A closed shift stays closed."""
    _require_manager(manager)
    try:
        shift = WorkShift.objects.select_related("person").get(pk=shift_id)
    except WorkShift.DoesNotExist:
        raise ValidationError({"shift": _("No such shift.")}) from None
    # The person's row is the lock every change to their shifts takes (clock in/out too).
    User.objects.select_for_update().get(pk=shift.person_id)
    shift = WorkShift.objects.select_for_update().get(pk=shift_id)
    if clocked_out_at is None and shift.clocked_out_at is not None:
        raise ValidationError({"clocked_out_at": _("Give the time of clocking out.")})
    reason = _clean(
        person=shift.person,
        clocked_in_at=clocked_in_at,
        clocked_out_at=clocked_out_at,
        reason=reason,
        shift_id=shift.pk,
    )
    before = {"clocked_in_at": _iso(shift.clocked_in_at), "clocked_out_at": _iso(shift.clocked_out_at)}
    shift.clocked_in_at, shift.clocked_out_at = clocked_in_at, clocked_out_at
    shift.corrected_by, shift.corrected_at, shift.correction_reason = manager, timezone.now(), reason
    shift.save()
    services.record_audit(
        actor=manager,
        action="shift_corrected",
        subject=shift,
        reason=reason,
        details={
            "person": shift.person_id,
            "person_name": str(shift.person),
            "before": before,
            "after": {"clocked_in_at": _iso(clocked_in_at), "clocked_out_at": _iso(clocked_out_at)},
        },
    )
    return shift


@transaction.atomic
def add_forgotten_shift(
    *,
    manager: User,
    person: User,
    clocked_in_at: datetime.datetime,
    clocked_out_at: datetime.datetime,
    reason: str,
) -> WorkShift:
    """A shift the person forgot to clock at all, with both its times."""
    _require_manager(manager)
    if clocked_out_at is None:
        raise ValidationError({"clocked_out_at": _("Give the time of clocking out.")})
    person = User.objects.select_for_update().get(pk=person.pk)
    reason = _clean(
        person=person, clocked_in_at=clocked_in_at, clocked_out_at=clocked_out_at, reason=reason, shift_id=None
    )
    shift = WorkShift.objects.create(
        person=person,
        clocked_in_at=clocked_in_at,
        clocked_out_at=clocked_out_at,
        corrected_by=manager,
        corrected_at=timezone.now(),
        correction_reason=reason,
    )
    services.record_audit(
        actor=manager,
        action="shift_added",
        subject=shift,
        reason=reason,
        details={
            "person": person.pk,
            "person_name": str(person),
            "after": {"clocked_in_at": _iso(clocked_in_at), "clocked_out_at": _iso(clocked_out_at)},
        },
    )
    return shift
