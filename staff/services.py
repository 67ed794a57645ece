"""Every state change for staff: PIN sign-in and its throttle, approvals, audit, clock."""

import re

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staff import pin_guard
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
    """Give a person a new PIN (stored hashed); wrong tries at the old one no longer count."""
    validate_pin(pin)
    person = User.objects.select_for_update().get(pk=person.pk)
    person.set_pin(pin)
    person.save(update_fields=["pin_hash"])
    record_audit(actor=by or person, action="pin_changed", subject=person)
    transaction.on_commit(lambda: pin_guard.clear_person(person.pk))


def _check_pin(*, person_id: int, pin: str, client: pin_guard.PinClient) -> User:
    """Check a PIN as typed from `client`, counting wrong ones in the throttle (never a lock).

    Raises PinThrottled (before looking at the PIN) while the client or the person must wait.
    """
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
        raise ValidationError({"pin": _("A PIN is 4 to 6 digits.")})
    try:
        person = User.objects.get(pk=person_id, is_active=True)
    except (User.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"user": _("No such staff member.")}) from None
    guess = pin_guard.reserve_guess(person_id=person.pk, client=client)
    if person.pin_matches(pin):
        pin_guard.record_success(guess)
        return person
    failure = pin_guard.record_failure(guess)
    if failure.person_starts_waiting:
        record_audit(actor=None, action="pin_guessing", subject=person, details={"client": client.key})
    if failure.wait_seconds:
        message = ngettext(
            "Wrong PIN. Wait %(n)d second before the next try.",
            "Wrong PIN. Wait %(n)d seconds before the next try.",
            failure.wait_seconds,
        ) % {"n": failure.wait_seconds}
    else:
        message = ngettext("Wrong PIN. %(n)d try left.", "Wrong PIN. %(n)d tries left.", failure.tries_left) % {
            "n": failure.tries_left
        }
    raise ValidationError({"pin": message})


def confirm_person_with_pin(*, person: User, pin: str, requested_by: User) -> User:
    """Someone at another person's tablet says it is really them with their own PIN (a drawer handed to them).

    Wrong PINs count in the same throttle as sign-ins, against the tablet's person asking.
    """
    return _check_pin(person_id=person.pk, pin=pin, client=pin_guard.client_for_requester(requested_by.pk))


def sign_in_with_pin(*, person_id: int, pin: str, client: pin_guard.PinClient) -> User:
    """Return the person whose PIN this is, or refuse (counting the wrong try for `client`)."""
    person = _check_pin(person_id=person_id, pin=pin, client=client)
    if not person.groups.exists():
        raise PermissionDenied(_("This person has no role yet. Ask a manager."))
    record_audit(actor=person, action="signed_in", subject=person)
    return person


def unlock_pin(*, person: User, manager: User) -> User:
    """Clear the waits that wrong PINs put on a person. Only a manager may."""
    if not manager.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager can unlock a PIN."))
    pin_guard.clear_person(person.pk)
    record_audit(actor=manager, action="pin_unlocked", subject=person)
    return person


def clear_pin_wait_at_tablet(*, person: User, manager_id: int, manager_pin: str, client: pin_guard.PinClient) -> User:
    """A manager standing at the tablet clears a person's wait there with her own PIN.

    Her PIN is checked on counters of its own, so the tablet's wait does not stop her
    (and guessing through here is throttled like anywhere else).
    """
    vouching = pin_guard.PinClient(key=f"clearing|{client.key}", device=client.device)
    manager = _check_pin(person_id=manager_id, pin=manager_pin, client=vouching)
    if not manager.has_role(Role.MANAGER):
        raise ValidationError({"manager": _("Only a manager can clear the wait.")})
    pin_guard.clear_person(person.pk)
    pin_guard.clear_client(client, person.pk)
    record_audit(actor=manager, action="pin_unlocked", subject=person, details={"where": "sign-in screen"})
    return manager


def approve_action(*, action: str, approver_id: int, pin: str, requested_by: User, reason: str) -> Approval:
    """Record a manager's consent to `action`, confirmed with the manager's own PIN.

    Wrong PINs count against the person asking (and the approver) in the same throttle as
    sign-ins: a waiter guessing here slows herself down, never the manager on her tablet.
    """
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    approver = _check_pin(person_id=approver_id, pin=pin, client=pin_guard.client_for_requester(requested_by.pk))
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
