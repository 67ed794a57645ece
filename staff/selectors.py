"""Reads for staff screens: sign-in tiles, shift list, audit log."""

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

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
