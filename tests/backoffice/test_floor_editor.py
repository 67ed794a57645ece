"""The floor-plan editor's page and API: managers only, a save in one request, a clear conflict."""

import pytest
from rest_framework.test import APIClient

from tables.models import Area, Outlet, Table
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tables_in_a_row(world):
    for index, each in enumerate(world.tables):
        Table.objects.filter(pk=each.pk).update(x=20 + index * 110, y=20)


def plan_url(world) -> str:
    return f"/manager/floor/api/{world.outlet.pk}/"


def as_sent(plan: dict) -> dict:
    """The editor's body for the plan it loaded, unchanged."""
    return {
        "version": plan["version"],
        "areas": [{**area, "key": str(area["id"])} for area in plan["areas"]],
        "tables": [{**row, "area": str(row["area"])} for row in plan["tables"]],
    }


def test_the_page_opens_for_a_manager_with_the_plan_and_the_navigation_marks_it(client, world):
    client.force_login(world.manager)
    response = client.get("/manager/floor/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="floor-plan-data"' in page
    assert "backoffice/floor_editor.js" in page
    assert 'href="/manager/floor/" aria-current="page"' in page


@pytest.mark.parametrize("role", ["waiter", "kitchen"])
def test_the_page_is_refused_to_others(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get("/manager/floor/").status_code == 403


def test_the_page_sends_the_signed_out_to_sign_in(client):
    assert client.get("/manager/floor/").status_code == 302


def test_a_manager_moves_a_table_to_the_terrace_in_one_put(world):
    terrace = AreaFactory(outlet=world.outlet, name="Terrace", sort_order=1)
    api = APIClient()
    api.force_authenticate(world.manager)
    body = as_sent(api.get(plan_url(world)).json())
    twelve = next(row for row in body["tables"] if row["number"] == "6")
    twelve.update(area=str(terrace.pk), x=300, y=200, rotation=45)

    response = api.put(
        plan_url(world), body, format="json", HTTP_IDEMPOTENCY_KEY="a1b2c3d4-0000-4000-8000-000000000001"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 1
    saved = Table.objects.get(pk=twelve["id"])
    assert (saved.area_id, saved.x, saved.y, saved.rotation) == (terrace.pk, 300, 200, 45)


def test_a_stale_save_gets_409_naming_the_conflict(world):
    api = APIClient()
    api.force_authenticate(world.manager)
    body = as_sent(api.get(plan_url(world)).json())
    assert api.put(plan_url(world), body, format="json").status_code == 200
    Outlet.objects.filter(pk=world.outlet.pk).update(layout_version=7)  # another manager saved meanwhile

    response = api.put(plan_url(world), body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "floor_plan_changed"
    assert response.json()["version"] == 7
    assert "Someone else changed this floor plan" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"seats": 0}, "seats"), ({"shape": "star"}, "shape"), ({"x": "left"}, "x"), ({"width": 1}, "width")],
)
def test_bad_fields_get_400_naming_the_field_and_nothing_changes(world, change, field):
    api = APIClient()
    api.force_authenticate(world.manager)
    body = as_sent(api.get(plan_url(world)).json())
    body["tables"][2].update(change)

    response = api.put(plan_url(world), body, format="json")

    assert response.status_code == 400
    assert field in response.json()["tables"]["2"]
    assert Outlet.objects.get(pk=world.outlet.pk).layout_version == 0


def test_a_table_past_the_plan_edge_gets_400_naming_the_row(world):
    api = APIClient()
    api.force_authenticate(world.manager)
    body = as_sent(api.get(plan_url(world)).json())
    body["tables"][1]["x"] = 990
    body["areas"].append({"id": None, "key": "new-1", "name": "Garden"})

    response = api.put(plan_url(world), body, format="json")

    assert response.status_code == 400
    assert "tables[1].x" in response.json()
    assert not Area.objects.filter(name="Garden").exists()


def test_a_waiter_may_not_read_or_save_the_plan(world):
    api = APIClient()
    api.force_authenticate(world.waiter)
    assert api.get(plan_url(world)).status_code == 403
    assert api.put(plan_url(world), {"version": 0, "areas": [], "tables": []}, format="json").status_code == 403
