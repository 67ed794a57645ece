"""Reads for screens cost a fixed number of queries whatever the number of printers and jobs;
the manager's page shows status, unprinted slips and the alarm; the admin shows jobs read-only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from printing import selectors, services
from printing.models import Printer, PrintJob
from tests.factories import OutletFactory, StaffFactory
from tests.printing.test_delivery import deliver_until_settled, kitchen_payload, queue

pytestmark = pytest.mark.django_db
State = PrintJob.State


def count_queries(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def build_printers(fake_printer, *, printers: int, jobs_each: int) -> None:
    """Printers (each the next one's backup) with printed, queued, retrying and failed jobs."""
    outlet = OutletFactory()
    payload = kitchen_payload()
    dead = fake_printer("off")
    previous = None
    for number in range(printers):
        printer = Printer.objects.create(outlet=outlet, name=f"P{number}", host="127.0.0.1", port=dead.port)
        if previous is not None:
            Printer.objects.filter(pk=previous.pk).update(backup=printer)
        for n in range(jobs_each):
            job = services.queue_print_job(printer=printer, payload=payload, title=f"T{n}", source=f"x:{number}:{n}")
            if n % 3 == 0:
                PrintJob.objects.filter(pk=job.pk).update(
                    state=State.PRINTED, printed_on=printer, printed_at=timezone.now()
                )
            elif n % 3 == 1:
                PrintJob.objects.filter(pk=job.pk).update(state=State.FAILED, attempts=6)
        previous = printer


@pytest.mark.parametrize(
    "read",
    [
        lambda: selectors.printers_overview(),
        lambda: selectors.printer_alarms(),
        lambda: selectors.unprinted_jobs(),
        lambda: selectors.recently_printed_jobs(),
        lambda: selectors.latest_jobs_by_source(sources=["x:0:1", "x:1:2"]),
    ],
    ids=["printers", "alarms", "unprinted", "recent", "by-source"],
)
def test_each_read_is_one_query_for_one_printer_or_twelve(fake_printer, read):
    build_printers(fake_printer, printers=1, jobs_each=1)
    small = count_queries(read)
    build_printers(fake_printer, printers=12, jobs_each=9)
    large = count_queries(read)

    assert small == large == 1


def test_the_board_is_three_queries(fake_printer):
    build_printers(fake_printer, printers=5, jobs_each=6)

    assert count_queries(lambda: selectors.printer_board()) == 3


def test_the_alarm_counts_what_needs_a_person(fake_printer, printer_for):
    printer = printer_for(fake_printer("online"))
    fresh = queue(printer, source="a:1")
    forgotten = queue(printer, source="a:2")
    PrintJob.objects.filter(pk=forgotten.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    retrying = queue(printer, source="a:3")
    PrintJob.objects.filter(pk=retrying.pk).update(attempts=1)
    stuck = queue(printer, source="a:4")
    PrintJob.objects.filter(pk=stuck.pk).update(
        state=State.PRINTING, claimed_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    working = queue(printer, source="a:5")
    PrintJob.objects.filter(pk=working.pk).update(state=State.PRINTING, claimed_at=timezone.now())

    [row] = selectors.printer_alarms()
    jobs = {job["id"]: job["is_alarming"] for job in selectors.unprinted_jobs()}

    assert row["unprinted_count"] == 5 and row["alarm_count"] == 3
    assert row["oldest_unprinted_seconds"] >= 120
    assert jobs == {fresh.pk: False, forgotten.pk: True, retrying.pk: True, stuck.pk: True, working.pk: False}


def test_the_managers_page_shows_status_jobs_and_the_alarm(client, manager, fake_printer, printer_for):
    printer = printer_for(fake_printer("off"), name="Hot pass")
    deliver_until_settled(queue(printer))
    client.force_login(manager)

    response = client.get("/manager/printers/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hot pass" in page
    assert 'role="alert"' in page
    assert "Offline" in page
    assert f"/api/printing/jobs/{PrintJob.objects.get().pk}/retry/" in page
    assert f"/api/printing/printers/{printer.pk}/test-print/" in page
    assert "csrftoken" in response.cookies


def test_the_page_has_no_alarm_when_all_is_printed(client, manager, fake_printer, printer_for):
    printer = printer_for(fake_printer("online"), name="Hot pass")
    job = services.deliver_print_job(job_id=queue(printer).pk)
    client.force_login(manager)

    page = client.get("/manager/printers/").content.decode()

    assert 'role="alert"' not in page
    assert f"/api/printing/jobs/{job.pk}/reprint/" in page, "a printed slip can be reprinted"


def test_only_managers_see_the_page(client, cook):
    assert client.get("/manager/printers/").status_code == 302
    client.force_login(cook)
    assert client.get("/manager/printers/").status_code == 403


def test_the_admin_shows_jobs_read_only_and_reprints(client, fake_printer, printer_for):
    admin = StaffFactory(display_name="Owner", role="manager")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    job = services.deliver_print_job(job_id=queue(printer_for(fake_printer("online"))).pk)
    client.force_login(admin)

    assert client.get("/admin/printing/printjob/").status_code == 200
    detail = client.get(f"/admin/printing/printjob/{job.pk}/change/")
    assert detail.status_code == 200
    assert f"{len(job.payload)} bytes: 1b 40 1b 74 13" in detail.content.decode()
    response = client.post(
        "/admin/printing/printjob/", {"action": "reprint", "_selected_action": [job.pk]}, follow=True
    )
    assert response.status_code == 200
    assert PrintJob.objects.filter(reprint_of=job).count() == 1
    assert client.get("/admin/printing/printer/").status_code == 200
