"""A manager's changes to the staff list: adding people, roles, PINs, deactivating (the staffroom)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from staff import pin_guard, roster
from staff.models import AuditEntry, Role, User
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def field_of(error: ValidationError) -> set[str]:
    return set(error.value.message_dict)


def test_a_manager_adds_a_waiter_with_a_pin_and_no_password(world):
    person = roster.add_person(
        manager=world.manager, display_name="Sanne", full_name="Sanne de Vries", roles=["waiter"], pin="4321"
    )

    person.refresh_from_db()
    assert person.display_name == "Sanne"
    assert (person.first_name, person.last_name) == ("Sanne", "de Vries")
    assert person.role_names() == {"waiter"}
    assert person.pin_matches("4321")
    assert not person.has_usable_password()
    entry = AuditEntry.objects.get(action="person_added")
    assert entry.actor == world.manager
    assert entry.subject_id == str(person.pk)
    assert entry.details == {"name": "Sanne", "roles": ["waiter"]}


def test_two_people_with_one_name_get_their_own_user_names(world):
    first = roster.add_person(manager=world.manager, display_name="Sam", roles=["waiter"], pin="1111")
    second = roster.add_person(manager=world.manager, display_name="Sam", roles=["cashier"], pin="2222")
    assert first.username == "sam"
    assert second.username == "sam-2"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"display_name": "  "}, "display_name"),
        ({"roles": []}, "roles"),
        ({"roles": ["chef"]}, "roles"),
        ({"pin": "12"}, "pin"),
        ({"pin": "12ab"}, "pin"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(world, changes, field):
    before = User.objects.count()
    with pytest.raises(ValidationError) as error:
        roster.add_person(
            manager=world.manager, **{"display_name": "Sanne", "roles": ["waiter"], "pin": "4321", **changes}
        )
    assert field_of(error) == {field}
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(action="person_added").exists()


def test_only_a_manager_changes_the_staff_list(world):
    with pytest.raises(PermissionDenied):
        roster.add_person(manager=world.waiter, display_name="X", roles=["waiter"], pin="4321")
    with pytest.raises(PermissionDenied):
        roster.deactivate_person(manager=world.waiter, person=world.other_waiter)


def test_roles_change_and_the_change_is_audited_before_and_after(world):
    roster.update_person(
        manager=world.manager, person=world.waiter, display_name="Anna B.", roles=["waiter", "cashier"]
    )
    world.waiter.refresh_from_db()
    assert world.waiter.display_name == "Anna B."
    assert User.objects.get(pk=world.waiter.pk).role_names() == {"waiter", "cashier"}
    entry = AuditEntry.objects.get(action="person_changed")
    assert entry.details["before"] == {"name": "Anna", "roles": ["waiter"]}
    assert entry.details["after"] == {"name": "Anna B.", "roles": ["cashier", "waiter"]}


def test_a_manager_keeps_her_own_manager_role(world):
    with pytest.raises(ValidationError) as error:
        roster.update_person(manager=world.manager, person=world.manager, display_name="Mila", roles=["waiter"])
    assert field_of(error) == {"roles"}
    assert User.objects.get(pk=world.manager.pk).role_names() == {"manager"}


def test_a_second_manager_can_lose_the_role(world):
    other = StaffFactory(display_name="Joost", role=Role.MANAGER)
    roster.update_person(manager=world.manager, person=other, display_name="Joost", roles=["waiter"])
    assert User.objects.get(pk=other.pk).role_names() == {"waiter"}


def test_a_manager_cannot_deactivate_herself(world):
    with pytest.raises(ValidationError) as error:
        roster.deactivate_person(manager=world.manager, person=world.manager)
    assert field_of(error) == {"person"}
    world.manager.refresh_from_db()
    assert world.manager.is_active


def test_two_managers_deactivating_each_other_leave_one_manager(world):
    """Joost deactivates Mila while Mila (her page still open, her object stale) deactivates Joost:
    the second, under the lock on every active manager, finds him the last one and is refused."""
    joost = StaffFactory(display_name="Joost", role=Role.MANAGER)
    stale_mila = User.objects.get(pk=world.manager.pk)
    assert stale_mila.has_role(Role.MANAGER)  # cached, as in a request already past its role check

    roster.deactivate_person(manager=joost, person=world.manager)
    with pytest.raises(ValidationError) as error:
        roster.deactivate_person(manager=stale_mila, person=joost)

    assert field_of(error) == {"person"}
    assert User.objects.get(pk=joost.pk).is_active


def test_the_last_manager_keeps_the_role_against_a_stale_manager(world):
    joost = StaffFactory(display_name="Joost", role=Role.MANAGER)
    stale_mila = User.objects.get(pk=world.manager.pk)
    assert stale_mila.has_role(Role.MANAGER)
    roster.deactivate_person(manager=joost, person=world.manager)

    with pytest.raises(ValidationError) as error:
        roster.update_person(manager=stale_mila, person=joost, display_name="Joost", roles=["waiter"])

    assert field_of(error) == {"roles"}
    assert User.objects.get(pk=joost.pk).role_names() == {"manager"}


def test_deactivating_ends_the_persons_sessions_and_keeps_the_history(world):
    tablet = Client()
    tablet.force_login(world.waiter)
    assert tablet.get("/api/staff/me/").status_code == 200

    roster.deactivate_person(manager=world.manager, person=world.waiter)

    assert tablet.get("/api/staff/me/").status_code in (401, 403)
    assert tablet.get("/floor/").status_code == 302
    assert User.objects.filter(pk=world.waiter.pk, is_active=False).exists()
    assert AuditEntry.objects.filter(action="person_deactivated", subject_id=str(world.waiter.pk)).count() == 1
    tiles = [tile["id"] for tile in Client().get("/api/staff/sign-in-tiles/").json()]
    assert world.waiter.pk not in tiles


def test_a_deactivated_person_cannot_sign_in_until_reactivated(world):
    roster.deactivate_person(manager=world.manager, person=world.waiter)
    tablet = Client()
    refused = tablet.post("/api/staff/pin-sign-in/", {"user": world.waiter.pk, "pin": "1234"})
    assert refused.status_code == 400

    roster.reactivate_person(manager=world.manager, person=world.waiter)
    signed_in = tablet.post("/api/staff/pin-sign-in/", {"user": world.waiter.pk, "pin": "1234"})
    assert signed_in.status_code == 200, signed_in.content
    assert AuditEntry.objects.filter(action="person_reactivated").count() == 1


def test_reset_pin_typed_or_generated_and_the_old_one_stops_working(world):
    assert roster.reset_pin(manager=world.manager, person=world.waiter, pin="8642") == "8642"
    world.waiter.refresh_from_db()
    assert world.waiter.pin_matches("8642")

    generated = roster.reset_pin(manager=world.manager, person=world.waiter)
    world.waiter.refresh_from_db()
    assert len(generated) == 4 and generated.isdigit()
    assert world.waiter.pin_matches(generated)
    assert not world.waiter.pin_matches("8642") or generated == "8642"
    assert AuditEntry.objects.filter(action="pin_changed", actor=world.manager).count() == 2


def test_a_new_pin_clears_the_wait_wrong_pins_left(world, settings, django_capture_on_commit_callbacks):
    for n in range(settings.PIN_PERSON_TRIES_BEFORE_WAIT):
        client = pin_guard.PinClient(key=f"tablet {n}")
        pin_guard.record_failure(pin_guard.reserve_guess(person_id=world.waiter.pk, client=client))
    elsewhere = pin_guard.PinClient(key="elsewhere")
    assert pin_guard.waits_for(person_ids=[world.waiter.pk], client=elsewhere)[world.waiter.pk] > 0

    with django_capture_on_commit_callbacks(execute=True):
        roster.reset_pin(manager=world.manager, person=world.waiter, pin="8642")

    assert pin_guard.waits_for(person_ids=[world.waiter.pk], client=elsewhere)[world.waiter.pk] == 0
