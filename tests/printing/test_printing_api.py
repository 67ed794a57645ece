"""The printing API: roles, idempotent retries, answers for the manager's page and the kitchen."""

import datetime

import pytest
from django.utils import timezone

from printing import services
from printing.models import PrintJob
from tests.printing.test_delivery import deliver_until_settled, queue

pytestmark = pytest.mark.django_db
State = PrintJob.State


@pytest.fixture
def hot(fake_printer, printer_for):
    return printer_for(fake_printer("online"), name="Hot")


@pytest.fixture
def failed_job(fake_printer, printer_for):
    return deliver_until_settled(queue(printer_for(fake_printer("off"), name="Cold"), source="kitchen.ticket:5"))


def test_printers_list_status_and_unprinted_counts(api_as, manager, hot, failed_job):
    services.deliver_print_job(job_id=queue(hot).pk)

    response = api_as(manager).get("/api/printing/printers/")

    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert rows["Hot"]["status"] == "online" and rows["Hot"]["unprinted_count"] == 0
    assert rows["Cold"]["status"] == "offline"
    assert rows["Cold"]["unprinted_count"] == 1 and rows["Cold"]["failed_count"] == 1
    assert rows["Cold"]["alarm_count"] == 1
    assert "No connection" in rows["Cold"]["last_error"]


def test_alarms_name_only_printers_in_trouble(api_as, cook, hot, failed_job):
    queue(hot)  # just queued: busy, not in trouble

    response = api_as(cook).get("/api/printing/alarms/")

    assert response.status_code == 200
    assert [row["name"] for row in response.json()] == ["Cold"]


def test_alarms_filter_by_outlet(api_as, manager, failed_job):
    response = api_as(manager).get(f"/api/printing/alarms/?outlet={failed_job.printer.outlet_id + 1}")

    assert response.json() == []


def test_a_bad_outlet_filter_is_a_400_naming_the_field(api_as, manager):
    response = api_as(manager).get("/api/printing/printers/?outlet=abc")

    assert response.status_code == 400
    assert "outlet" in response.json()


def test_waiters_may_not_see_printers(api_as, waiter):
    assert api_as(waiter).get("/api/printing/printers/").status_code == 403


def test_nobody_signed_in_gets_401(client):
    assert client.get("/api/printing/alarms/").status_code == 401


def test_unprinted_jobs_come_oldest_first_with_their_age(api_as, manager, hot, failed_job):
    PrintJob.objects.filter(pk=failed_job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=3))
    newer = queue(hot)

    rows = api_as(manager).get("/api/printing/jobs/unprinted/").json()

    assert [row["id"] for row in rows] == [failed_job.pk, newer.pk]
    assert rows[0]["age_seconds"] >= 180 and rows[0]["is_alarming"] and rows[0]["state"] == "failed"
    assert not rows[1]["is_alarming"]


def test_the_kitchen_reprints_once_per_idempotency_key(api_as, cook, hot):
    job = services.deliver_print_job(job_id=queue(hot).pk)
    client = api_as(cook)

    first = client.post(f"/api/printing/jobs/{job.pk}/reprint/", HTTP_IDEMPOTENCY_KEY="reprint-1")
    again = client.post(f"/api/printing/jobs/{job.pk}/reprint/", HTTP_IDEMPOTENCY_KEY="reprint-1")

    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["reprint_of"] == job.pk and first.json()["state"] == "queued"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert PrintJob.objects.filter(reprint_of=job).count() == 1


def test_waiters_may_not_reprint(api_as, waiter, hot):
    job = queue(hot)

    assert api_as(waiter).post(f"/api/printing/jobs/{job.pk}/reprint/").status_code == 403
    assert not PrintJob.objects.filter(reprint_of=job).exists()


def test_a_manager_sends_a_failed_job_again(api_as, manager, failed_job):
    response = api_as(manager).post(f"/api/printing/jobs/{failed_job.pk}/retry/", HTTP_IDEMPOTENCY_KEY="retry-1")

    assert response.status_code == 200
    assert response.json()["state"] == "queued"
    failed_job.refresh_from_db()
    assert failed_job.state == State.QUEUED


def test_only_managers_retry(api_as, cook, failed_job):
    assert api_as(cook).post(f"/api/printing/jobs/{failed_job.pk}/retry/").status_code == 403


def test_retrying_a_job_that_did_not_fail_is_a_409(api_as, manager, hot):
    job = queue(hot)

    response = api_as(manager).post(f"/api/printing/jobs/{job.pk}/retry/")

    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_a_missing_job_is_a_404(api_as, manager):
    assert api_as(manager).post("/api/printing/jobs/999999/retry/").status_code == 404


def test_a_manager_prints_a_test_page(api_as, manager, hot):
    response = api_as(manager).post(f"/api/printing/printers/{hot.pk}/test-print/", HTTP_IDEMPOTENCY_KEY="test-1")

    assert response.status_code == 201
    assert response.json()["source"] == f"printing.test:{hot.pk}"
    assert response.json()["printer"] == {"id": hot.pk, "name": "Hot"}


def test_the_kitchen_may_not_print_test_pages(api_as, cook, hot):
    assert api_as(cook).post(f"/api/printing/printers/{hot.pk}/test-print/").status_code == 403
