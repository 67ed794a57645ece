"""A manager's changes to the staff list: people, their roles, PINs, and who is active.

Non-managers never get a password (they sign in with a PIN); a manager's password for the
admin is set by IT, not here. Deactivating keeps the person (and all their history): they
can no longer sign in, and their open sessions end, because every session looks the person
up again on each request and an inactive person is nobody (ModelBackend.get_user).
"""

import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from staff import pin_guard, services
from staff.models import Role, User

GENERATED_PIN_DIGITS = 4


def _require_manager(manager: User) -> None:
    if not manager.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager can change the staff list."))


def _clean_roles(roles: list[str]) -> list[str]:
    valid = {role.value for role in Role}
    chosen = sorted(set(roles))
    if not chosen:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if any(role not in valid for role in chosen):
        raise ValidationError({"roles": _("Unknown role.")})
    return chosen


def _clean_display_name(display_name: str) -> str:
    name = (display_name or "").strip()
    if not name:
        raise ValidationError({"display_name": _("Give the name shown on the sign-in screen.")})
    if len(name) > 60:
        raise ValidationError({"display_name": _("At most 60 characters.")})
    return name


def _free_username(display_name: str) -> str:
    """The admin's user name, made from the display name: PIN people never type it."""
    base = slugify(display_name)[:140] or "staff"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def _active_managers_locked() -> list[int]:
    """Lock every active manager, so two managers changing each other cannot leave none."""
    return list(
        User.objects.select_for_update(of=("self",))
        .filter(is_active=True, groups__name=Role.MANAGER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _set_roles(person: User, roles: list[str]) -> None:
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles]
    person.groups.set(groups)
    person.__dict__.pop("_role_names", None)


@transaction.atomic
def add_person(*, manager: User, display_name: str, full_name: str = "", roles: list[str], pin: str) -> User:
    """A new member of staff with roles and a PIN (and no password: IT gives managers theirs)."""
    _require_manager(manager)
    name = _clean_display_name(display_name)
    chosen = _clean_roles(roles)
    services.validate_pin(pin)
    first, _sep, last = (full_name or "").strip().partition(" ")
    person = User(username=_free_username(name), display_name=name, first_name=first[:150], last_name=last[:150])
    person.set_unusable_password()
    person.set_pin(pin)
    person.save()
    _set_roles(person, chosen)
    services.record_audit(actor=manager, action="person_added", subject=person, details={"name": name, "roles": chosen})
    return person


@transaction.atomic
def update_person(*, manager: User, person: User, display_name: str, full_name: str = "", roles: list[str]) -> User:
    """Change a person's names and roles. The last manager keeps the role; so does the manager herself."""
    _require_manager(manager)
    name = _clean_display_name(display_name)
    chosen = _clean_roles(roles)
    managers = _active_managers_locked()
    person = User.objects.select_for_update().get(pk=person.pk)
    before = {"name": person.display_name, "roles": sorted(person.groups.values_list("name", flat=True))}
    if Role.MANAGER.value in before["roles"] and Role.MANAGER.value not in chosen:
        if person.pk == manager.pk:
            raise ValidationError({"roles": _("You cannot take away your own manager role.")})
        if person.is_active and managers == [person.pk]:
            raise ValidationError({"roles": _("The last manager keeps the manager role.")})
    first, _sep, last = (full_name or "").strip().partition(" ")
    person.display_name, person.first_name, person.last_name = name, first[:150], last[:150]
    person.save(update_fields=["display_name", "first_name", "last_name"])
    _set_roles(person, chosen)
    after = {"name": name, "roles": chosen}
    if after != before:
        services.record_audit(
            actor=manager, action="person_changed", subject=person, details={"before": before, "after": after}
        )
    return person


def reset_pin(*, manager: User, person: User, pin: str | None = None) -> str:
    """Give a person a new PIN: the one the manager typed, or a generated one (shown once). Returns it."""
    _require_manager(manager)
    if pin is None:
        pin = "".join(secrets.choice("0123456789") for _digit in range(GENERATED_PIN_DIGITS))
    services.set_pin(person=person, pin=pin, by=manager)
    return pin


@transaction.atomic
def deactivate_person(*, manager: User, person: User) -> User:
    """The person can no longer sign in and their sessions end; they stay in every history."""
    _require_manager(manager)
    if person.pk == manager.pk:
        raise ValidationError({"person": _("You cannot deactivate yourself.")})
    managers = _active_managers_locked()
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        return person
    if managers == [person.pk]:
        raise ValidationError({"person": _("The last manager cannot be deactivated.")})
    person.is_active = False
    person.save(update_fields=["is_active"])
    services.record_audit(actor=manager, action="person_deactivated", subject=person)
    transaction.on_commit(lambda: pin_guard.clear_person(person.pk))
    return person


@transaction.atomic
def reactivate_person(*, manager: User, person: User) -> User:
    _require_manager(manager)
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_active:
        return person
    person.is_active = True
    person.save(update_fields=["is_active"])
    services.record_audit(actor=manager, action="person_reactivated", subject=person)
    return person
