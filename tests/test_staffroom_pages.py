"""The manager's staff pages (/manager/staff/, /manager/timesheets/, /manager/audit/) through the
Django test client: who may open them, 4xx naming the field, and what they show."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from backoffice.audit_wording import entry_lines
from staff import services
from staff.models import AuditEntry, Role, User, WorkShift
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

GET_PAGES = [
    "/manager/staff/",
    "/manager/staff/?show=inactive",
    "/manager/staff/new/",
    "/manager/staff/{person}/",
    "/manager/timesheets/",
    "/manager/timesheets/week.csv",
    "/manager/audit/",
]
POST_PAGES = [
    "/manager/staff/new/",
    "/manager/staff/{person}/",
    "/manager/staff/{person}/pin/",
    "/manager/staff/{person}/clear-pin-wait/",
    "/manager/staff/{person}/active/",
    "/manager/timesheets/shifts/new/",
    "/manager/timesheets/shifts/{shift}/",
]


def moment(hours_ago: float) -> datetime.datetime:
    return timezone.localtime(timezone.now() - datetime.timedelta(hours=hours_ago)).replace(second=0, microsecond=0)


def form_value(when: datetime.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def mila(client, world):
    client.force_login(world.manager)
    return client


@pytest.fixture
def open_shift(world) -> WorkShift:
    return WorkShift.objects.create(person=world.waiter, clocked_in_at=moment(9))


def test_every_page_opens_for_a_manager(mila, world, open_shift):
    for url in GET_PAGES:
        response = mila.get(url.format(person=world.waiter.pk))
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", [Role.WAITER, Role.BARTENDER, Role.CASHIER, Role.KITCHEN, Role.FRONT_DESK])
def test_no_other_role_opens_or_posts_to_them(client, world, open_shift, role):
    client.force_login(StaffFactory(role=role))
    for url in GET_PAGES:
        assert client.get(url.format(person=world.waiter.pk)).status_code == 403, url
    for url in POST_PAGES:
        assert client.post(url.format(person=world.waiter.pk, shift=open_shift.pk)).status_code == 403, url
    assert not AuditEntry.objects.exclude(action="signed_in").exists()


def test_signed_out_goes_to_sign_in(client, world, open_shift):
    for url in GET_PAGES + POST_PAGES:
        response = client.post(url.format(person=world.waiter.pk, shift=open_shift.pk))
        assert response.status_code == 302, url
        assert "next=" in response["Location"]


def test_mila_adds_a_waiter(mila):
    response = mila.post(
        "/manager/staff/new/",
        {"display_name": "Sanne", "full_name": "Sanne de Vries", "roles": ["waiter"], "pin": "4321"},
    )
    assert response.status_code == 302
    sanne = User.objects.get(display_name="Sanne")
    assert sanne.pin_matches("4321")
    page = mila.get(response["Location"]).content.decode()
    assert "Sanne can now sign in with the PIN." in page
    assert "Sanne de Vries" in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pin": "12"}, "pin"),
        ({"roles": []}, "roles"),
        ({"roles": ["chef"]}, "roles"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_a_bad_new_person_is_a_400_naming_the_field(mila, changes, field):
    data = {"display_name": "Sanne", "roles": ["waiter"], "pin": "4321", **changes}
    response = mila.post("/manager/staff/new/", data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not User.objects.filter(display_name="Sanne").exists()


def test_mila_cannot_take_her_own_manager_role(mila, world):
    response = mila.post(f"/manager/staff/{world.manager.pk}/", {"display_name": "Mila", "roles": ["waiter"]})
    assert response.status_code == 400
    assert 'data-field="roles"' in response.content.decode()
    assert "You cannot take away your own manager role." in response.content.decode()


def test_a_generated_pin_is_shown_once(mila, world):
    response = mila.post(f"/manager/staff/{world.waiter.pk}/pin/", {"generate": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    pin = page.split('id="new-pin">', 1)[1].split("<", 1)[0]
    world.waiter.refresh_from_db()
    assert world.waiter.pin_matches(pin)
    assert 'id="new-pin"' not in mila.get(f"/manager/staff/{world.waiter.pk}/").content.decode()


def test_a_typed_pin_must_be_digits(mila, world):
    response = mila.post(f"/manager/staff/{world.waiter.pk}/pin/", {"pin": "12a4"})
    assert response.status_code == 400
    assert 'data-field="pin"' in response.content.decode()
    response = mila.post(f"/manager/staff/{world.waiter.pk}/pin/", {"pin": "9753"})
    assert response.status_code == 302
    world.waiter.refresh_from_db()
    assert world.waiter.pin_matches("9753")


def test_clearing_a_pin_wait_is_audited(mila, world):
    assert mila.post(f"/manager/staff/{world.waiter.pk}/clear-pin-wait/").status_code == 302
    assert AuditEntry.objects.filter(action="pin_unlocked", actor=world.manager).count() == 1


def test_deactivate_and_reactivate(mila, world):
    assert mila.post(f"/manager/staff/{world.waiter.pk}/active/", {"active": "no"}).status_code == 302
    assert not User.objects.get(pk=world.waiter.pk).is_active
    assert world.waiter.display_name in mila.get("/manager/staff/?show=inactive").content.decode()
    assert mila.post(f"/manager/staff/{world.waiter.pk}/active/", {"active": "yes"}).status_code == 302
    assert User.objects.get(pk=world.waiter.pk).is_active
    assert mila.post(f"/manager/staff/{world.waiter.pk}/active/", {"active": "maybe"}).status_code == 400


def test_mila_cannot_deactivate_herself(mila, world):
    response = mila.post(f"/manager/staff/{world.manager.pk}/active/", {"active": "no"})
    assert response.status_code == 400
    assert "You cannot deactivate yourself." in response.content.decode()
    assert User.objects.get(pk=world.manager.pk).is_active


def test_closing_an_open_shift_from_the_timesheet(mila, world, open_shift):
    week = timezone.localdate().strftime("%G-W%V")
    response = mila.post(
        f"/manager/timesheets/shifts/{open_shift.pk}/",
        {
            "week": week,
            "clocked_in_at": form_value(moment(9)),
            "clocked_out_at": form_value(moment(1)),
            "reason": "Forgot to clock out",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/manager/timesheets/?week={week}"
    open_shift.refresh_from_db()
    assert open_shift.duration_minutes == 8 * 60
    page = mila.get(response["Location"]).content.decode()
    assert 'data-total="8:00"' in page
    assert "corrected by Mila" in page
    assert "Forgot to clock out" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"clocked_in_at": "yesterday"}, "clocked_in_at"),
        ({"clocked_out_at": "2020-13-45T99:00"}, "clocked_out_at"),
        ({"clocked_in_at": form_value(moment(20)), "clocked_out_at": form_value(moment(8))}, "clocked_in_at"),
    ],
    ids=["no-reason", "bad-in", "bad-out", "overlap"],
)
def test_a_bad_correction_is_a_400_naming_the_field(mila, world, data, field):
    earlier = WorkShift.objects.create(person=world.waiter, clocked_in_at=moment(12), clocked_out_at=moment(10))
    later = WorkShift.objects.create(person=world.waiter, clocked_in_at=moment(6), clocked_out_at=moment(2))
    body = {"clocked_in_at": form_value(moment(7)), "clocked_out_at": form_value(moment(2)), "reason": "x", **data}
    response = mila.post(f"/manager/timesheets/shifts/{later.pk}/", body)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert (later.clocked_in_at, later.corrected_by) == (moment(6), None)


def test_adding_a_forgotten_shift(mila, world):
    response = mila.post(
        "/manager/timesheets/shifts/new/",
        {
            "person": world.waiter.pk,
            "clocked_in_at": form_value(moment(30)),
            "clocked_out_at": form_value(moment(26)),
            "reason": "Paper list",
        },
    )
    assert response.status_code == 302
    assert WorkShift.objects.get(person=world.waiter).corrected_by == world.manager
    response = mila.post("/manager/timesheets/shifts/new/", {"person": 999999, "reason": "x"})
    assert response.status_code == 400
    assert 'data-field="person"' in response.content.decode()


def test_a_bad_week_is_a_400(mila):
    for url in ["/manager/timesheets/?week=2026-W99", "/manager/timesheets/week.csv?week=soon"]:
        response = mila.get(url)
        assert response.status_code == 400, url
        assert 'data-field="week"' in response.content.decode()


def test_the_week_in_dutch_has_dutch_day_names(mila, world):
    WorkShift.objects.create(
        person=world.waiter,
        clocked_in_at=timezone.make_aware(datetime.datetime(2026, 12, 1, 17, 0)),
        clocked_out_at=timezone.make_aware(datetime.datetime(2026, 12, 1, 22, 30)),
    )
    page = mila.get("/manager/timesheets/?week=2026-W49", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Week 49" in page
    for day in ["ma 30", "di 1", "wo 2", "zo 6"]:
        assert day in page
    assert 'data-total="5:30"' in page
    assert "Urenstaten" in page


def test_the_week_as_csv(mila, world):
    WorkShift.objects.create(
        person=world.waiter,
        clocked_in_at=timezone.make_aware(datetime.datetime(2026, 12, 1, 17, 0)),
        clocked_out_at=timezone.make_aware(datetime.datetime(2026, 12, 1, 22, 30)),
        corrected_by=world.manager,
        correction_reason="Forgot",
    )
    response = mila.get("/manager/timesheets/week.csv?week=2026-W49")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="timesheet-2026-W49.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Person", "Clocked in", "Clocked out", "Minutes", "Corrected by", "Reason"],
        ["Anna", "2026-12-01 17:00", "2026-12-01 22:30", "330", "Mila", "Forgot"],
    ]


def test_the_audit_log_reads_as_words(mila, world, open_shift):
    mila.post(
        f"/manager/timesheets/shifts/{open_shift.pk}/",
        {"clocked_in_at": form_value(moment(9)), "clocked_out_at": form_value(moment(1)), "reason": "Forgot"},
    )
    services.record_audit(actor=world.waiter, action="signed_in", subject=world.waiter)

    page = mila.get(f"/manager/audit/?action=shift_corrected&actor={world.manager.pk}").content.decode()

    assert "Shift corrected" in page
    assert "Reason: Forgot" in page
    assert "clocked out: \u2013 \u2192" in page
    assert 'data-action="signed_in"' not in page


@pytest.mark.parametrize(
    "query",
    ["since=2026-12-10&until=2026-12-01", "since=tomorrow", "actor=abc", "action=no_such_thing", "page=0"],
)
def test_bad_audit_filters_are_a_400_naming_the_field(mila, query):
    response = mila.get(f"/manager/audit/?{query}")
    assert response.status_code == 400
    field = "until" if "until" in query else query.split("=")[0]
    assert f'data-field="{field}"' in response.content.decode() or field == "page"


def test_an_audit_entry_shows_only_what_changed(world):
    entry = AuditEntry(
        action="shift_corrected",
        details={
            "person": world.waiter.pk,
            "person_name": "Anna",
            "before": {"clocked_in_at": "2026-12-07T21:30:00+00:00", "clocked_out_at": None},
            "after": {"clocked_in_at": "2026-12-07T22:30:00+01:00", "clocked_out_at": "2026-12-08T01:30:00+00:00"},
        },
    )
    assert entry_lines(entry) == ["person: Anna", "clocked out: \u2013 \u2192 8 Dec 2026 02:30"]
