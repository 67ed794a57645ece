"""Wrong PINs slow the guesser down; they never lock anyone out.

Tablets are told apart as the server tells them apart: by address (REMOTE_ADDR) and by
the id cookie the sign-in API gives each tablet.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from staff import pin_guard, services
from staff.errors import PinThrottled
from staff.models import Approval, AuditEntry, Role
from tests.factories import TEST_PIN, StaffFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/api/staff/pin-sign-in/"
TILES = "/api/staff/sign-in-tiles/"
MANAGER_PIN = "9999"
WRONG = "0000"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def tablet(address: str) -> APIClient:
    """A tablet: its own address, and the id cookie it gets from the sign-in screen's tiles."""
    client = APIClient(REMOTE_ADDR=address)
    assert client.get(TILES).status_code == 200
    assert client.cookies[pin_guard.DEVICE_COOKIE].value
    return client


def guess(client: APIClient, person, pin: str):
    return client.post(SIGN_IN, {"user": person.pk, "pin": pin}, format="json")


def tile_of(client: APIClient, person) -> dict:
    return next(tile for tile in client.get(TILES).json() if tile["id"] == person.pk)


def signed_in_once(client: APIClient, person, pin: str) -> None:
    assert guess(client, person, pin).status_code == 200
    assert client.post("/api/staff/sign-out/").status_code == 204


def assert_wait(response) -> int:
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["code"] == "pin_wait"
    retry_after = int(response["Retry-After"])
    assert retry_after == body["retry_after"] >= 1
    assert f"{retry_after} second" in body["detail"]
    return retry_after


def test_a_tablet_waits_longer_after_each_wrong_pin_beyond_the_free_tries(world, settings):
    settings.PIN_FIRST_WAIT_SECONDS = 1
    bar = tablet("10.0.0.5")
    for _ in range(settings.PIN_TRIES_BEFORE_WAIT - 1):
        answer = guess(bar, world.waiter, WRONG)
        assert answer.status_code == 400 and "left" in answer.json()["pin"][0]
    starts = guess(bar, world.waiter, WRONG)
    assert starts.status_code == 400 and "Wait 1 second" in starts.json()["pin"][0]
    # The tablet must wait before trying her PIN again, even the right one.
    assert assert_wait(guess(bar, world.waiter, TEST_PIN)) == 1
    assert tile_of(bar, world.waiter)["retry_after"] >= 1

    time.sleep(1.05)
    doubled = guess(bar, world.waiter, WRONG)
    assert doubled.status_code == 400 and "Wait 2 seconds" in doubled.json()["pin"][0]
    assert assert_wait(guess(bar, world.waiter, WRONG)) == 2
    # Her typos do not hold up a colleague on the same tablet, nor anyone on another tablet.
    assert tile_of(bar, world.other_waiter)["retry_after"] == 0
    assert guess(bar, world.other_waiter, TEST_PIN).status_code == 200
    assert guess(tablet("10.0.0.6"), world.kitchen, TEST_PIN).status_code == 200


def test_a_tablet_guessing_many_peoples_pins_waits_for_all_of_them(world, settings):
    settings.PIN_GUESSES_PER_MINUTE = 100  # only the growing wait here
    people = [StaffFactory(display_name=f"Guest {n}", role=Role.WAITER) for n in range(11)]
    bot = tablet("10.0.0.8")
    for person in people[: settings.PIN_CLIENT_TRIES_BEFORE_WAIT]:
        assert guess(bot, person, WRONG).status_code == 400
    assert_wait(guess(bot, people[-1], TEST_PIN))
    assert tile_of(bot, world.waiter)["pin_locked"] is True


def test_the_eleventh_guess_in_a_minute_from_one_tablet_is_refused(world, settings):
    settings.PIN_TRIES_BEFORE_WAIT = 100  # no growing wait here: only the minute's limit
    settings.PIN_PERSON_TRIES_BEFORE_WAIT = 100
    people = [StaffFactory(display_name=f"Guest {n}", role=Role.WAITER) for n in range(11)]
    bot = tablet("10.0.0.7")
    for person in people[:10]:
        assert guess(bot, person, WRONG).status_code == 400
    retry_after = assert_wait(guess(bot, people[10], WRONG))
    assert retry_after <= 60
    # Dropping the tablet's cookie makes another client, which the person's own limit still holds.
    assert guess(APIClient(REMOTE_ADDR="10.0.0.7"), people[10], WRONG).status_code == 400


def test_a_person_gets_at_most_ten_guesses_a_minute_across_tablets(world, settings):
    settings.PIN_PERSON_TRIES_BEFORE_WAIT = 100  # only the minute's limit
    for n in range(settings.PIN_GUESSES_PER_MINUTE):
        assert guess(APIClient(REMOTE_ADDR=f"10.1.0.{n + 1}"), world.manager, WRONG).status_code == 400
    assert_wait(guess(APIClient(REMOTE_ADDR="10.1.0.99"), world.manager, WRONG))
    assert_wait(guess(tablet("10.1.0.98"), world.manager, MANAGER_PIN))


def test_strangers_make_the_person_wait_on_other_tablets_but_never_on_her_own(world):
    own = tablet("10.2.0.1")
    signed_in_once(own, world.manager, MANAGER_PIN)

    for n in range(settings.PIN_PERSON_TRIES_BEFORE_WAIT + 5):
        answer = guess(APIClient(REMOTE_ADDR=f"10.2.1.{n + 1}"), world.manager, WRONG)
        assert answer.status_code in (400, 429)
    stranger = tablet("10.2.2.1")
    assert_wait(guess(stranger, world.manager, MANAGER_PIN))
    assert tile_of(stranger, world.manager)["pin_locked"] is True

    assert tile_of(own, world.manager) | {"name": "-"} == {
        "id": world.manager.pk,
        "name": "-",
        "roles": [Role.MANAGER],
        "pin_locked": False,
        "retry_after": 0,
    }
    assert guess(own, world.manager, MANAGER_PIN).status_code == 200
    assert AuditEntry.objects.filter(action="pin_guessing", subject_id=str(world.manager.pk)).count() == 1


def test_right_pins_mixed_with_wrong_ones_do_not_restart_the_count(world):
    """A waiter who knows her own PIN cannot use it to keep guessing the manager's."""
    bar = tablet("10.3.0.1")
    for _ in range(settings.PIN_TRIES_BEFORE_WAIT - 1):
        assert guess(bar, world.manager, WRONG).status_code == 400
        signed_in_once(bar, world.waiter, TEST_PIN)
    assert guess(bar, world.manager, WRONG).json()["pin"][0].startswith("Wrong PIN. Wait")
    assert_wait(guess(bar, world.manager, WRONG))


def test_a_waiter_guessing_the_approval_pin_is_slowed_but_the_manager_still_signs_in(world):
    own = tablet("10.4.0.1")
    signed_in_once(own, world.manager, MANAGER_PIN)

    def approve(pin: str):
        return services.approve_action(
            action="void_line", approver_id=world.manager.pk, pin=pin, requested_by=world.waiter, reason="Cold"
        )

    refused = 0
    for _ in range(settings.PIN_PERSON_TRIES_BEFORE_WAIT + 3):
        try:
            approve(WRONG)
        except ValidationError as error:
            assert "pin" in error.message_dict
        except PinThrottled as wait:
            assert wait.retry_after >= 1
            refused += 1
    assert refused >= 3
    with pytest.raises(PinThrottled):
        approve(MANAGER_PIN)  # the waiter's own wait holds even for the right PIN
    assert not Approval.objects.exists()

    assert guess(own, world.manager, MANAGER_PIN).status_code == 200
    # Another waiter asking for an approval is not held up by the first one's guessing.
    approval = services.approve_action(
        action="void_line", approver_id=world.manager.pk, pin=MANAGER_PIN, requested_by=world.other_waiter, reason="x"
    )
    assert approval.approver == world.manager


def test_a_manager_clears_a_wait_from_the_sign_in_screen_with_her_pin(world):
    bar = tablet("10.5.0.1")
    for _ in range(settings.PIN_TRIES_BEFORE_WAIT):
        guess(bar, world.waiter, WRONG)
    assert tile_of(bar, world.waiter)["retry_after"] >= 1
    clear = f"/api/staff/{world.waiter.pk}/clear-pin-wait/"

    wrong = bar.post(clear, {"manager": world.manager.pk, "pin": WRONG}, format="json")
    assert wrong.status_code == 400 and "pin" in wrong.json()
    not_a_manager = bar.post(clear, {"manager": world.other_waiter.pk, "pin": TEST_PIN}, format="json")
    assert not_a_manager.status_code == 400 and "manager" in not_a_manager.json()
    assert bar.post(clear, {"manager": world.manager.pk}, format="json").status_code == 400
    assert bar.post("/api/staff/999999999/clear-pin-wait/", {"manager": 1, "pin": WRONG}).status_code == 404
    assert tile_of(bar, world.waiter)["retry_after"] >= 1

    cleared = bar.post(clear, {"manager": world.manager.pk, "pin": MANAGER_PIN}, format="json")
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["retry_after"] == 0 and cleared.json()["pin_locked"] is False
    assert tile_of(bar, world.waiter)["retry_after"] == 0
    entry = AuditEntry.objects.get(action="pin_unlocked")
    assert entry.actor == world.manager and entry.subject_id == str(world.waiter.pk)
    assert guess(bar, world.waiter, TEST_PIN).status_code == 200
    # Clearing does not sign anyone in: the tablet's session is the waiter's own sign-in.
    assert bar.get("/api/staff/me/").json()["id"] == world.waiter.pk


def test_guessing_through_the_clearing_form_is_throttled_too(world):
    bar = tablet("10.5.1.1")
    clear = f"/api/staff/{world.waiter.pk}/clear-pin-wait/"
    answers = [
        bar.post(clear, {"manager": world.manager.pk, "pin": WRONG}, format="json").status_code
        for _ in range(settings.PIN_TRIES_BEFORE_WAIT + 1)
    ]
    assert answers[-1] == 429


def test_wrong_pins_from_a_second_process_count_here_through_redis(world, requires_redis, settings):
    """Every web process counts in the same Redis: a second process's wrong tries make this one's tablet wait."""
    settings.PIN_FIRST_WAIT_SECONDS = 600
    script = (
        "import django; django.setup()\n"
        "from staff import pin_guard\n"
        f"client = pin_guard.PinClient(key='addr:10.6.0.1|dev:')\n"
        f"for _ in range({settings.PIN_TRIES_BEFORE_WAIT}):\n"
        f"    pin_guard.record_failure(pin_guard.reserve_guess(person_id={world.waiter.pk}, client=client))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": settings.REDIS_URL,
        "PIN_FIRST_WAIT_SECONDS": "600",
    }
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, check=True, timeout=60)

    assert assert_wait(guess(APIClient(REMOTE_ADDR="10.6.0.1"), world.waiter, TEST_PIN)) > 500
    assert guess(APIClient(REMOTE_ADDR="10.6.0.2"), world.waiter, TEST_PIN).status_code == 200
