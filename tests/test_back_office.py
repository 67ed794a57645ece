"""The manager's back office: every admin page opens for a manager with a password."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from staff.models import Role, User
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {"staff", "tables", "orders", "kitchen", "pms_integration", "printing"}


@pytest.fixture
def manager_client(client, world):
    manager = StaffFactory(username="boss", display_name="Boss", role=Role.MANAGER)
    manager.is_staff = True
    manager.set_password("a-long-manager-password")
    manager.save()
    assert client.login(username="boss", password="a-long-manager-password")
    return client


def our_models():
    return [model for model in admin.site._registry if model._meta.app_label in OUR_APPS]


def test_a_manager_signs_in_with_a_password_and_sees_every_changelist(manager_client):
    models = our_models()
    assert len(models) >= 15
    for model in models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = manager_client.get(url)
        assert response.status_code == 200, url


def test_a_manager_can_open_the_add_form_of_menus_and_floors(manager_client):
    for name in [
        "orders_item",
        "orders_menu",
        "orders_modifiergroup",
        "tables_area",
        "tables_table",
        "kitchen_station",
        "pms_integration_pmslink",
        "pms_integration_postingoutlet",
    ]:
        response = manager_client.get(reverse(f"admin:{name}_add"))
        assert response.status_code == 200, name


def test_a_waiter_cannot_enter_the_back_office(client, world):
    world.waiter.is_staff = True
    world.waiter.set_password("a-long-waiter-password")
    world.waiter.save()
    client.login(username=world.waiter.username, password="a-long-waiter-password")
    response = client.get(reverse("admin:orders_item_changelist"))
    assert response.status_code == 403


def test_the_audit_log_is_read_only_in_the_back_office(manager_client):
    assert manager_client.get(reverse("admin:staff_auditentry_changelist")).status_code == 200
    assert manager_client.get(reverse("admin:staff_auditentry_add")).status_code == 403


def test_a_new_pin_set_in_the_back_office_is_stored_hashed(manager_client, world):
    url = reverse("admin:staff_user_change", args=[world.waiter.pk])
    form = manager_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"groups": [g.pk for g in world.waiter.groups.all()], "new_pin": "4321"})
    data.update({"last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "12:00:00"})
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    waiter = User.objects.get(pk=world.waiter.pk)
    assert waiter.pin_matches("4321")
    assert "4321" not in waiter.pin_hash


def test_a_manager_adds_a_waiter_with_a_pin_and_no_password(manager_client):
    waiters = Group.objects.get(name=Role.WAITER)
    response = manager_client.post(
        reverse("admin:staff_user_add"),
        {"username": "joost", "display_name": "Joost", "groups": [waiters.pk], "new_pin": "8080"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    joost = User.objects.get(username="joost")
    assert joost.pin_matches("8080") and not joost.has_usable_password()
    assert joost.has_role(Role.WAITER)


def test_the_back_office_links_the_managers_live_pages(manager_client):
    page = manager_client.get(reverse("admin:index")).content.decode()
    for name in ("kitchen:stations", "printing:printers", "waiter:floor"):
        assert f'href="{reverse(name)}"' in page
    assert manager_client.get(reverse("kitchen:stations")).status_code == 200
    assert manager_client.get(reverse("printing:printers")).status_code == 200
