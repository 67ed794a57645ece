"""An idle session goes back to the PIN pad: people after IDLE_SIGN_OUT_MINUTES, kitchen
screens (devices) after DEVICE_IDLE_SIGN_OUT_MINUTES. Time passes by moving the session's
last-use stamp back, as if the tablet had lain on the bar that long.
"""

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kitchen.authentication import SESSION_KEY as KITCHEN_SESSION_KEY
from kitchen.models import KitchenDisplay
from staff.middleware import DEVICE_SESSION_KEYS, LAST_USED_KEY
from tests.factories import TEST_PIN

pytestmark = pytest.mark.django_db

ME = "/api/staff/me/"


def pin_signed_in(person, client=None):
    client = client or APIClient()
    response = client.post("/api/staff/pin-sign-in/", {"user": person.pk, "pin": TEST_PIN}, format="json")
    assert response.status_code == 200, response.content
    return client


def unused_for(client, seconds: float) -> None:
    session = client.session
    session[LAST_USED_KEY] = time.time() - seconds
    session.save()


def test_a_waiter_idle_past_the_limit_is_signed_out(world, settings):
    settings.IDLE_SIGN_OUT_MINUTES = 10
    tablet = pin_signed_in(world.waiter)
    unused_for(tablet, 10 * 60 + 5)

    assert tablet.get(ME).status_code == 401
    # And stays signed out: the session is gone, not just this request.
    assert tablet.get(ME).status_code == 401
    page = tablet.get("/floor/")
    assert page.status_code == 302 and page["Location"] == "/"


def test_a_waiter_in_use_stays_signed_in_and_each_use_restarts_the_clock(world, settings):
    settings.IDLE_SIGN_OUT_MINUTES = 10
    tablet = pin_signed_in(world.waiter)
    unused_for(tablet, 9 * 60)
    assert tablet.get(ME).status_code == 200
    assert time.time() - tablet.session[LAST_USED_KEY] < 5
    unused_for(tablet, 9 * 60)
    assert tablet.get("/floor/").status_code == 200


def test_signing_in_again_starts_the_clock_afresh(world, settings):
    settings.IDLE_SIGN_OUT_MINUTES = 10
    tablet = pin_signed_in(world.waiter)
    unused_for(tablet, 60 * 60)
    pin_signed_in(world.waiter, tablet)  # the session of the same person keeps its data
    assert tablet.get(ME).status_code == 200


def test_a_kitchen_screen_keeps_its_session_far_longer(world, kitchen, settings):
    settings.IDLE_SIGN_OUT_MINUTES = 10
    settings.DEVICE_IDLE_SIGN_OUT_MINUTES = 720
    display = KitchenDisplay.objects.create(station=kitchen.hot, name="Pass", paired_by=world.manager)
    screen = Client()
    session = screen.session
    session[KITCHEN_SESSION_KEY] = display.pk
    session.save()
    board = f"/api/kitchen/stations/{kitchen.hot.pk}/board/"
    assert screen.get(board).status_code == 200

    unused_for(screen, 60 * 60)  # an hour: far past a person's limit
    assert screen.get(board).status_code == 200
    unused_for(screen, 721 * 60)
    assert screen.get(board).status_code in (401, 403)
    assert KITCHEN_SESSION_KEY not in screen.session


def test_the_device_session_key_is_the_kitchens():
    # staff cannot import kitchen, so it names the key itself; this keeps the two equal.
    assert KITCHEN_SESSION_KEY in DEVICE_SESSION_KEYS


def test_pages_of_a_signed_in_person_carry_the_idle_timer(world, settings):
    settings.IDLE_SIGN_OUT_MINUTES = 0.5
    tablet = Client()
    tablet.force_login(world.waiter)
    page = tablet.get("/floor/").content.decode()
    assert 'id="idle-sign-out" data-seconds="30"' in page
    assert "idle-sign-out" not in Client().get("/").content.decode()
