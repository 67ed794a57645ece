"""PIN sign-in, clearing waits, manager approvals, the audit log and clock in/out.

Everything the tablet does goes through the HTTP API with a real session; the
approval rules are checked on `staff.services.approve_action`, which voids call.
"""

import datetime
import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from staff import services
from staff.models import Approval, AuditEntry, Role, User, WorkShift
from tests.factories import TEST_PIN, StaffFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/api/staff/pin-sign-in/"
ME = "/api/staff/me/"
TILES = "/api/staff/sign-in-tiles/"
AUDIT = "/api/staff/audit/"
SHIFTS = "/api/staff/shifts/"
CLOCK_IN = "/api/staff/clock-in/"
CLOCK_OUT = "/api/staff/clock-out/"
MANAGER_PIN = "9999"


def unlock_url(person) -> str:
    return f"/api/staff/{person.pk}/unlock-pin/"


def pin_sign_in(client: APIClient, person, pin: str):
    return client.post(SIGN_IN, {"user": person.pk, "pin": pin}, format="json")


def signed_in(person) -> APIClient:
    client = APIClient()
    client.force_login(person)
    return client


def wrong_pin_for(right: str) -> str:
    """A well-formed PIN that is not `right`."""
    return "0000" if right != "0000" else "1111"


def make_wait(person, right_pin: str):
    """Strangers on as many tablets type wrong PINs until the person's wait begins."""
    for n in range(settings.PIN_PERSON_TRIES_BEFORE_WAIT):
        stranger = APIClient(REMOTE_ADDR=f"10.9.9.{n + 1}")
        assert pin_sign_in(stranger, person, wrong_pin_for(right_pin)).status_code == 400


# --- Signing in -----------------------------------------------------------------


def test_pin_sign_in_opens_a_session_that_the_api_then_recognises(world):
    client = APIClient()
    assert client.get(ME).status_code in (401, 403)

    response = pin_sign_in(client, world.waiter, TEST_PIN)

    assert response.status_code == 200, response.content
    assert response.json() == {"id": world.waiter.pk, "name": "Anna", "roles": [Role.WAITER]}
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == world.waiter.pk
    assert AuditEntry.objects.filter(action="signed_in", actor=world.waiter).count() == 1

    assert client.post("/api/staff/sign-out/").status_code == 204
    assert client.get(ME).status_code in (401, 403)


def test_a_wrong_pin_is_refused_naming_the_pin_and_counting_down_the_tries(world):
    client = APIClient()

    first = pin_sign_in(client, world.waiter, wrong_pin_for(TEST_PIN))
    second = pin_sign_in(client, world.waiter, wrong_pin_for(TEST_PIN))

    assert first.status_code == 400
    assert "pin" in first.json()
    assert f"{settings.PIN_TRIES_BEFORE_WAIT - 1} tr" in first.json()["pin"][0]
    assert "left" in first.json()["pin"][0]
    assert f"{settings.PIN_TRIES_BEFORE_WAIT - 2} tr" in second.json()["pin"][0]
    assert client.get(ME).status_code in (401, 403)


def test_the_right_pin_forgets_the_persons_own_wrong_tries_on_that_tablet(world):
    client = APIClient()
    pin_sign_in(client, world.waiter, wrong_pin_for(TEST_PIN))
    assert pin_sign_in(client, world.waiter, TEST_PIN).status_code == 200
    again = pin_sign_in(APIClient(), world.waiter, wrong_pin_for(TEST_PIN))
    assert f"{settings.PIN_TRIES_BEFORE_WAIT - 1} tr" in again.json()["pin"][0]


@pytest.mark.parametrize(
    "body",
    [
        {"user": "abc", "pin": TEST_PIN},
        {"user": 10**20, "pin": TEST_PIN},
        {"pin": TEST_PIN},
        {"user": 1},
        {"user": 1, "pin": "12"},
        {"user": 1, "pin": None},
        [1, 2],
    ],
)
def test_malformed_sign_in_requests_get_a_4xx_never_a_500(world, body):
    response = APIClient().post(SIGN_IN, body, format="json")
    assert 400 <= response.status_code < 500, response.content


def test_sign_in_for_an_unknown_person_names_the_user_field(world):
    ghost = User.objects.order_by("-pk").first().pk + 1
    response = APIClient().post(SIGN_IN, {"user": ghost, "pin": TEST_PIN}, format="json")
    assert response.status_code == 400
    assert "user" in response.json()


def test_only_a_manager_can_clear_a_persons_wait(world):
    make_wait(world.waiter, TEST_PIN)
    new_tablet = APIClient(REMOTE_ADDR="10.1.1.1")
    refused = pin_sign_in(new_tablet, world.waiter, TEST_PIN)
    assert refused.status_code == 429 and refused.json()["code"] == "pin_wait"

    by_waiter = signed_in(world.other_waiter).post(unlock_url(world.waiter))
    assert by_waiter.status_code == 403
    by_kitchen = signed_in(world.kitchen).post(unlock_url(world.waiter))
    assert by_kitchen.status_code == 403
    assert APIClient().post(unlock_url(world.waiter)).status_code in (401, 403)
    assert pin_sign_in(new_tablet, world.waiter, TEST_PIN).status_code == 429

    by_manager = signed_in(world.manager).post(unlock_url(world.waiter))
    assert by_manager.status_code == 200, by_manager.content
    assert by_manager.json()["pin_locked"] is False and by_manager.json()["retry_after"] == 0
    unlock = AuditEntry.objects.get(action="pin_unlocked")
    assert unlock.actor == world.manager and unlock.subject_id == str(world.waiter.pk)

    assert pin_sign_in(new_tablet, world.waiter, TEST_PIN).status_code == 200


def test_the_unlock_service_refuses_a_non_manager(world):
    make_wait(world.waiter, TEST_PIN)
    with pytest.raises(PermissionDenied):
        services.unlock_pin(person=world.waiter, manager=world.other_waiter)
    assert pin_sign_in(APIClient(REMOTE_ADDR="10.1.1.1"), world.waiter, TEST_PIN).status_code == 429


def test_unlocking_an_unknown_person_is_404(world):
    ghost = User.objects.order_by("-pk").first().pk + 1
    assert signed_in(world.manager).post(f"/api/staff/{ghost}/unlock-pin/").status_code == 404


def test_a_person_without_a_role_cannot_sign_in(world):
    nobody = StaffFactory(display_name="Nobody")
    nobody.groups.clear()
    response = pin_sign_in(APIClient(), nobody, TEST_PIN)
    assert response.status_code == 403
    assert "role" in response.json()["detail"]


# --- The PIN itself ---------------------------------------------------------------


def test_the_pin_never_appears_in_an_api_response(world):
    pin = "864209"
    services.set_pin(person=world.waiter, pin=pin, by=world.manager)
    world.waiter.refresh_from_db()
    secrets = [pin, world.waiter.pin_hash, "pin_hash"]

    client = APIClient()
    answers = {"tiles": client.get(TILES)}
    answers["sign-in"] = pin_sign_in(client, world.waiter, pin)
    answers["me"] = client.get(ME)
    manager = signed_in(world.manager)
    answers["audit"] = manager.get(AUDIT)
    answers["unlock"] = manager.post(unlock_url(world.waiter))

    for name, response in answers.items():
        assert response.status_code == 200, (name, response.content)
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, f"{secret!r} leaked in {name}"
    tile = next(t for t in answers["tiles"].json() if t["id"] == world.waiter.pk)
    assert set(tile) == {"id", "name", "roles", "pin_locked", "retry_after"}
    assert set(answers["me"].json()) == {"id", "name", "roles", "on_shift_since"}


def test_the_pin_is_stored_hashed(world):
    services.set_pin(person=world.waiter, pin="5731", by=world.manager)
    stored = User.objects.get(pk=world.waiter.pk)
    assert stored.pin_hash and stored.pin_hash != "5731"
    assert "5731" not in stored.pin_hash
    assert stored.pin_matches("5731")
    assert not stored.pin_matches("5732")
    assert not stored.pin_matches("")
    assert AuditEntry.objects.filter(action="pin_changed", subject_id=str(world.waiter.pk)).exists()


def test_setting_a_pin_clears_the_persons_wait(world, django_capture_on_commit_callbacks):
    make_wait(world.waiter, TEST_PIN)
    assert pin_sign_in(APIClient(REMOTE_ADDR="10.1.1.1"), world.waiter, TEST_PIN).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        services.set_pin(person=world.waiter, pin="2468", by=world.manager)
    assert pin_sign_in(APIClient(REMOTE_ADDR="10.1.1.1"), world.waiter, "2468").status_code == 200


@pytest.mark.parametrize(
    "pin",
    [
        "123",
        "1234567",
        "12a4",
        "abcd",
        "",
        "12 34",
        " 1234",
        "1234\n",
        "-123",
        "12.4",
        "\u0661\u0662\u0663\u0664",  # Arabic-Indic digits: not on a PIN pad
        "\uff11\uff12\uff13\uff14",  # full-width digits
        None,
        1234,
    ],
)
def test_a_pin_is_four_to_six_digits(world, pin):
    before = User.objects.get(pk=world.waiter.pk).pin_hash
    with pytest.raises(ValidationError) as error:
        services.set_pin(person=world.waiter, pin=pin, by=world.manager)
    assert "pin" in error.value.message_dict
    assert User.objects.get(pk=world.waiter.pk).pin_hash == before


@pytest.mark.parametrize("pin", ["1357", "13579", "135790"])
def test_four_five_and_six_digit_pins_are_accepted(world, pin):
    services.set_pin(person=world.waiter, pin=pin, by=world.manager)
    assert pin_sign_in(APIClient(), world.waiter, pin).status_code == 200


# --- Manager approval ---------------------------------------------------------------


def test_a_manager_approves_with_their_own_pin(world):
    approval = services.approve_action(
        action="void_line", approver_id=world.manager.pk, pin=MANAGER_PIN, requested_by=world.waiter, reason=" Cold "
    )
    assert approval.approver == world.manager
    assert approval.requested_by == world.waiter
    assert approval.reason == "Cold"
    entry = AuditEntry.objects.get(action="approved:void_line")
    assert entry.approval == approval and entry.actor == world.waiter and entry.reason == "Cold"


def test_a_waiter_cannot_approve_even_with_the_right_pin(world):
    with pytest.raises(ValidationError) as error:
        services.approve_action(
            action="void_line",
            approver_id=world.other_waiter.pk,
            pin=TEST_PIN,
            requested_by=world.waiter,
            reason="Cold",
        )
    assert "approver" in error.value.message_dict
    assert not Approval.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_approval_needs_a_reason(world, reason):
    with pytest.raises(ValidationError) as error:
        services.approve_action(
            action="void_line", approver_id=world.manager.pk, pin=MANAGER_PIN, requested_by=world.waiter, reason=reason
        )
    assert "reason" in error.value.message_dict
    assert not Approval.objects.exists()


# --- Audit log ----------------------------------------------------------------------


def test_an_audit_entry_cannot_be_changed_or_deleted(world):
    entry = services.record_audit(actor=world.manager, action="test_entry", reason="first")
    entry.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.reason == "first"


def test_the_audit_log_cannot_be_rewritten_or_emptied_in_bulk(world):
    """Append-only must hold for queryset writes too (the admin's bulk delete uses them)."""
    entry = services.record_audit(actor=world.manager, action="test_entry", reason="first")
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do, as long as the row survives
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(Exception):  # noqa: B017
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "first"


def test_the_audit_log_is_for_managers_only(world):
    services.approve_action(
        action="void_line", approver_id=world.manager.pk, pin=MANAGER_PIN, requested_by=world.waiter, reason="Cold"
    )
    manager = signed_in(world.manager)
    response = manager.get(AUDIT)
    assert response.status_code == 200
    entries = response.json()
    approved = next(e for e in entries if e["action"] == "approved:void_line")
    assert approved["actor_name"] == "Anna" and approved["approver_name"] == "Mila" and approved["reason"] == "Cold"
    assert len(entries) == AuditEntry.objects.count()

    only_approvals = manager.get(AUDIT, {"action": "approved:void_line"}).json()
    assert [e["id"] for e in only_approvals] == [approved["id"]]

    assert signed_in(world.waiter).get(AUDIT).status_code == 403
    assert signed_in(world.kitchen).get(AUDIT).status_code == 403
    assert APIClient().get(AUDIT).status_code in (401, 403)


@pytest.mark.parametrize("actor", ["abc", "-1", "\u00b2", "99999999999999999999999"])
def test_odd_audit_filters_never_give_a_500(world, actor):
    response = signed_in(world.manager).get(AUDIT, {"actor": actor})
    assert response.status_code in (200, 400), response.content


# --- Clock in / out -----------------------------------------------------------------


def test_clock_in_and_out_and_the_managers_shift_list(world):
    waiter = signed_in(world.waiter)
    started = waiter.post(CLOCK_IN)
    assert started.status_code == 201, started.content
    assert started.json()["clocked_out_at"] is None and started.json()["duration_minutes"] is None

    twice = waiter.post(CLOCK_IN)
    assert twice.status_code == 400
    assert "already" in json.dumps(twice.json())
    assert WorkShift.objects.filter(person=world.waiter).count() == 1

    # The shift began an hour and a half ago (set up directly; the API never lets anyone do this).
    minutes = 90
    WorkShift.objects.filter(pk=started.json()["id"]).update(
        clocked_in_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    ended = waiter.post(CLOCK_OUT)
    assert ended.status_code == 200, ended.content
    assert ended.json()["duration_minutes"] == minutes

    again = waiter.post(CLOCK_OUT)
    assert again.status_code == 400
    assert "not clocked in" in json.dumps(again.json())

    other = signed_in(world.other_waiter)
    assert other.post(CLOCK_IN).status_code == 201

    listing = signed_in(world.manager).get(SHIFTS)
    assert listing.status_code == 200
    shifts = {s["person"]: s for s in listing.json()}
    assert set(shifts) == {world.waiter.pk, world.other_waiter.pk}
    assert shifts[world.waiter.pk]["duration_minutes"] == minutes
    assert shifts[world.waiter.pk]["person_name"] == "Anna"
    assert shifts[world.other_waiter.pk]["duration_minutes"] is None
    # Newest first.
    assert [s["person"] for s in listing.json()] == [world.other_waiter.pk, world.waiter.pk]

    mine = signed_in(world.manager).get(SHIFTS, {"person": world.waiter.pk}).json()
    assert [s["person"] for s in mine] == [world.waiter.pk]

    assert waiter.get(SHIFTS).status_code == 403
    assert APIClient().get(SHIFTS).status_code in (401, 403)
    actions = list(AuditEntry.objects.filter(actor=world.waiter).values_list("action", flat=True))
    assert sorted(actions) == ["clocked_in", "clocked_out"]


def test_clocking_out_without_clocking_in_is_refused(world):
    response = signed_in(world.waiter).post(CLOCK_OUT)
    assert response.status_code == 400
    assert not WorkShift.objects.exists()


def test_clock_in_needs_a_session(world):
    assert APIClient().post(CLOCK_IN).status_code in (401, 403)
    assert not WorkShift.objects.exists()


def test_a_bad_shift_filter_is_a_400(world):
    response = signed_in(world.manager).get(SHIFTS, {"since": "yesterday"})
    assert response.status_code == 400
    assert "since" in response.json()


def test_me_tells_since_when_the_person_is_on_shift(world, api_as):
    client = api_as(world.waiter)
    assert client.get("/api/staff/me/").json()["on_shift_since"] is None
    shift = client.post("/api/staff/clock-in/").json()
    assert client.get("/api/staff/me/").json()["on_shift_since"] is not None
    since = datetime.datetime.fromisoformat(client.get("/api/staff/me/").json()["on_shift_since"])
    assert since == datetime.datetime.fromisoformat(shift["clocked_in_at"])
    client.post("/api/staff/clock-out/")
    assert client.get("/api/staff/me/").json()["on_shift_since"] is None
