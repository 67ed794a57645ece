"""Idempotency-Key on a view that commits in steps (a room charge: the FIAS link's guest
lookup must see a committed question). Its reservation is committed first; a retry
tells a running first request (409) from a dead one (takes over at once)."""

import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from billing.models import Payment
from idempotency.decorators import _lock_id
from idempotency.models import IdempotentResponse
from pms_integration.models import Posting
from tests.billing.test_checks import first_check, table_for_four
from tests.pms.conftest import hotel  # noqa: F401  (the fixture)


@pytest.fixture
def room_charge(world, hotel, api_as):  # noqa: F811
    check = first_check(table_for_four(world), world)
    api = api_as(world.waiter)
    path = f"/api/billing/checks/{check.pk}/payments/room/"
    body = {"room": "214", "guest": str(hotel.daniel.pk), "client_uuid": str(uuid.uuid4())}

    def post():
        return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="room-1")

    first = post()
    assert first.status_code == 200, first.content
    # As if the first request were still between its reservation and its answer.
    reservation = IdempotentResponse.objects.get(key="room-1")
    IdempotentResponse.objects.filter(pk=reservation.pk).update(status_code=0, body=None)
    return post, reservation


def a_dead_process_runner(reservation) -> str:
    host, _pid, _nonce = reservation.runner.split(":")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return f"{host}:{gone.pid}:deadbeef"


def test_a_retry_takes_over_at_once_from_a_first_request_whose_process_died(world, room_charge):
    post, reservation = room_charge
    assert reservation.runner, "the reservation names the process that runs it"
    IdempotentResponse.objects.filter(pk=reservation.pk).update(runner=a_dead_process_runner(reservation))

    retried = post()

    assert retried.status_code == 200, retried.content
    assert IdempotentResponse.objects.get(key="room-1").status_code == 200
    # Run again, but the room charge's client UUID makes the second run the first's answer.
    assert Payment.objects.filter(tender__kind="room_charge").count() == 1
    assert Posting.objects.count() == 1


def test_a_retry_while_the_first_runs_in_another_process_is_a_409(world, room_charge):
    post, reservation = room_charge
    if connection.vendor == "postgresql":
        # The first request's process holds the key's session lock on its connection.
        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            dbname=settings["NAME"],
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_advisory_lock(%s)", [_lock_id(world.waiter.pk, "room-1")])
            assert post().status_code == 409
    else:
        host, _pid, _nonce = reservation.runner.split(":")
        alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            IdempotentResponse.objects.filter(pk=reservation.pk).update(runner=f"{host}:{alive.pid}:cafe")
            assert post().status_code == 409
        finally:
            alive.kill()
            alive.wait()
    assert Payment.objects.filter(tender__kind="room_charge").count() == 1
