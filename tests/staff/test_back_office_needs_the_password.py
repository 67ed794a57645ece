"""A PIN session never opens the Django admin: the back office asks for the password."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from staff.models import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-manager-password"
MANAGER_PIN = "9999"


@pytest.fixture
def boss(world):
    """A manager with a PIN, the staff flag and a password: the one most able to open the admin."""
    person = StaffFactory(username="boss", display_name="Boss", role=Role.MANAGER, pin=MANAGER_PIN)
    person.is_staff = True
    person.is_superuser = True
    person.set_password(PASSWORD)
    person.save()
    return person


def pin_sign_in(client, person, pin):
    response = client.post("/api/staff/pin-sign-in/", {"user": person.pk, "pin": pin}, format="json")
    assert response.status_code == 200, response.content
    return response


def password_sign_in(client, username=None):
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": username or "boss", "password": PASSWORD},
        format="multipart",
    )
    assert response.status_code == 302, response.content
    return response


def test_a_pin_session_gets_the_admin_login_page_not_the_admin(boss):
    tablet = APIClient()
    pin_sign_in(tablet, boss, MANAGER_PIN)
    assert tablet.get("/api/staff/me/").status_code == 200  # the POS screens are open

    for url in ["/admin/", reverse("admin:staff_user_changelist"), reverse("admin:orders_item_changelist")]:
        response = tablet.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), response["Location"]
    login_page = tablet.get(reverse("admin:login"))
    assert login_page.status_code == 200 and 'name="password"' in login_page.content.decode()


def test_the_password_opens_the_admin_even_after_a_pin_session(boss):
    browser = APIClient()
    pin_sign_in(browser, boss, MANAGER_PIN)
    password_sign_in(browser)
    assert browser.get("/admin/").status_code == 200
    assert browser.get(reverse("admin:staff_user_changelist")).status_code == 200


def test_a_pin_sign_in_after_the_password_closes_the_admin_again(boss):
    browser = APIClient()
    password_sign_in(browser)
    assert browser.get("/admin/").status_code == 200
    pin_sign_in(browser, boss, MANAGER_PIN)
    response = browser.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_a_pin_session_cannot_post_to_the_admin(boss, world):
    tablet = APIClient()
    pin_sign_in(tablet, boss, MANAGER_PIN)
    url = reverse("admin:staff_user_change", args=[world.waiter.pk])
    response = tablet.post(url, {"username": "renamed"}, format="multipart")
    assert response.status_code == 302
    world.waiter.refresh_from_db()
    assert world.waiter.username != "renamed"
