"""Every state change for staff: PIN sign-in and lockout, approvals, audit, clock."""

import re

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staff.errors import PinLocked
from staff.models import Approval, AuditEntry, Role, User, WorkShift

PIN_PATTERN = re.compile(r"[0-9]{4,6}")

# Apps whose models a manager edits in the back office.
MANAGED_APPS = ("staff", "tables", "orders", "kitchen", "billing", "pms_integration", "printing")


def ensure_role_groups() -> None:
    """Create one group per role; managers get the back-office permissions."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    manager = Group.objects.get(name=Role.MANAGER)
    permissions = Permission.objects.filter(content_type__app_label__in=MANAGED_APPS).exclude(
        codename__in=["change_auditentry", "delete_auditentry", "add_auditentry"]
    )
    manager.permissions.add(*permissions)


def record_audit(
    *,
    actor: User | None,
    action: str,
    subject: models.Model | None = None,
    approval: Approval | None = None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit log."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        approval=approval,
        reason=reason,
        details=details or {},
    )


def validate_pin(pin: str) -> None:
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
        raise ValidationError({"pin": _("A PIN is 4 to 6 digits.")})


@transaction.atomic
def set_pin(*, person: User, pin: str, by: User | None = None) -> None:
    """Give a person a new PIN (stored hashed) and clear any lock."""
    validate_pin(pin)
    person = User.objects.select_for_update().get(pk=person.pk)
    person.set_pin(pin)
    person.failed_pin_attempts = 0
    person.pin_locked_at = None
    person.save(update_fields=["pin_hash", "failed_pin_attempts", "pin_locked_at"])
    record_audit(actor=by or person, action="pin_changed", subject=person)


def _check_pin(*, person_id: int, pin: str) -> User:
    """Check a PIN, counting failures and locking after PIN_MAX_ATTEMPTS.

    The failure count must survive the refusal, so the counter is committed in its
    own transaction and the error is raised after it.
    """
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
        raise ValidationError({"pin": _("A PIN is 4 to 6 digits.")})
    with transaction.atomic():
        try:
            person = User.objects.select_for_update().get(pk=person_id, is_active=True)
        except (User.DoesNotExist, ValueError, TypeError):
            raise ValidationError({"user": _("No such staff member.")}) from None
        if person.pin_locked:
            raise PinLocked(_("This PIN is locked after too many wrong tries. Ask a manager to unlock it."))
        if person.pin_matches(pin):
            if person.failed_pin_attempts:
                person.failed_pin_attempts = 0
                person.save(update_fields=["failed_pin_attempts"])
            return person
        person.failed_pin_attempts += 1
        locked_now = person.failed_pin_attempts >= settings.PIN_MAX_ATTEMPTS
        if locked_now:
            person.pin_locked_at = timezone.now()
        person.save(update_fields=["failed_pin_attempts", "pin_locked_at"])
        if locked_now:
            record_audit(actor=person, action="pin_locked", subject=person)
        tries_left = settings.PIN_MAX_ATTEMPTS - person.failed_pin_attempts
    if locked_now:
        raise PinLocked(_("Too many wrong tries: this PIN is now locked. Ask a manager to unlock it."))
    raise ValidationError(
        {"pin": ngettext("Wrong PIN. %(n)d try left.", "Wrong PIN. %(n)d tries left.", tries_left) % {"n": tries_left}}
    )


def sign_in_with_pin(*, person_id: int, pin: str) -> User:
    """Return the person whose PIN this is, or refuse (counting the failure)."""
    person = _check_pin(person_id=person_id, pin=pin)
    if not person.groups.exists():
        raise PermissionDenied(_("This person has no role yet. Ask a manager."))
    record_audit(actor=person, action="signed_in", subject=person)
    return person


@transaction.atomic
def unlock_pin(*, person: User, manager: User) -> User:
    """Clear a locked PIN. Only a manager may."""
    if not manager.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager can unlock a PIN."))
    person = User.objects.select_for_update().get(pk=person.pk)
    person.failed_pin_attempts = 0
    person.pin_locked_at = None
    person.save(update_fields=["failed_pin_attempts", "pin_locked_at"])
    record_audit(actor=manager, action="pin_unlocked", subject=person)
    return person


def approve_action(*, action: str, approver_id: int, pin: str, requested_by: User, reason: str) -> Approval:
    """Record a manager's consent to `action`, confirmed with the manager's own PIN."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    approver = _check_pin(person_id=approver_id, pin=pin)
    if not approver.has_role(Role.MANAGER):
        raise ValidationError({"approver": _("Only a manager can approve this.")})
    with transaction.atomic():
        approval = Approval.objects.create(
            action=action, requested_by=requested_by, approver=approver, reason=reason.strip()
        )
        record_audit(actor=requested_by, action=f"approved:{action}", approval=approval, reason=approval.reason)
    return approval


@transaction.atomic
def clock_in(*, person: User) -> WorkShift:
    """Start a work shift; clocking in twice is refused."""
    User.objects.select_for_update().get(pk=person.pk)
    if WorkShift.objects.filter(person=person, clocked_out_at__isnull=True).exists():
        raise ValidationError({"detail": _("You are already clocked in.")})
    shift = WorkShift.objects.create(person=person, clocked_in_at=timezone.now())
    record_audit(actor=person, action="clocked_in", subject=shift)
    return shift


@transaction.atomic
def clock_out(*, person: User) -> WorkShift:
    """End the person's open work shift."""
    shift = WorkShift.objects.select_for_update().filter(person=person, clocked_out_at__isnull=True).first()
    if shift is None:
        raise ValidationError({"detail": _("You are not clocked in.")})
    shift.clocked_out_at = timezone.now()
    shift.save(update_fields=["clocked_out_at"])
    record_audit(actor=person, action="clocked_out", subject=shift)
    return shift
