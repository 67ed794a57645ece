"""A copy that may be a second one says so; the task rows of dead workers are swept.

The printer is a real TCP server; what it received is decoded back to text.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from printing import services, tasks
from printing.models import PrintJob
from tests.printing.escpos_decoder import decode
from tests.printing.test_delivery import kitchen_payload, queue

pytestmark = pytest.mark.django_db
State = PrintJob.State
WARNING = "REPRINT - may be a duplicate"


def printouts(server) -> list:
    return [decode(bytes(data)) for data in server.connections if b"\x1dV" in data]


def flat(printout) -> str:
    return " ".join(printout.text.split())


def test_a_retry_after_bytes_sent_but_not_confirmed_carries_the_warning(fake_printer, printer_for):
    server = fake_printer("online")
    job = queue(printer_for(server), kitchen_payload("Table 5"))
    server.set_mode_after_job("cover_open")  # the bytes went out; then the printer stopped

    job = services.deliver_print_job(job_id=job.pk)
    assert job.state == State.QUEUED and job.may_have_printed
    server.set_mode("online")
    job = services.deliver_print_job(job_id=job.pk)

    assert job.state == State.PRINTED
    first, again = printouts(server)
    assert WARNING not in flat(first)
    assert flat(again).startswith(WARNING) and "Table 5" in flat(again)


def test_a_retry_after_nothing_was_sent_carries_no_warning(fake_printer, printer_for):
    server = fake_printer("cover_open")  # refuses before any byte of the slip
    job = queue(printer_for(server), kitchen_payload("Table 6"))

    job = services.deliver_print_job(job_id=job.pk)
    assert job.state == State.QUEUED and not job.may_have_printed
    server.set_mode("online")
    job = services.deliver_print_job(job_id=job.pk)

    assert job.state == State.PRINTED
    (printout,) = printouts(server)
    assert WARNING not in flat(printout)


def test_a_claim_queues_one_sweep_for_after_its_lease(fake_printer, printer_for):
    printer = printer_for(fake_printer("online"))
    for number in range(3):
        services.deliver_print_job(job_id=queue(printer, source=f"kitchen.ticket:{number}").pk)

    (sweep,) = DBTaskResult.objects.filter(task_path="printing.tasks.sweep_print_jobs")
    assert sweep.status == TaskResultStatus.READY and sweep.queue_name == tasks.QUEUE
    assert sweep.run_after > timezone.now()


def test_the_sweep_command_fails_task_rows_left_running_by_dead_workers():
    started = timezone.now() - datetime.timedelta(minutes=5)
    dead = tasks.deliver_print_job.enqueue(job_id=1)
    alive = tasks.deliver_print_job.enqueue(job_id=2)
    elsewhere = tasks.deliver_print_job.using(queue_name="default").enqueue(job_id=3)
    DBTaskResult.objects.filter(pk__in=[dead.id, elsewhere.id]).update(
        status=TaskResultStatus.RUNNING, started_at=started
    )
    DBTaskResult.objects.filter(pk=alive.id).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    output = StringIO()

    call_command("printing_sweep", stdout=output)

    assert "1 task rows" in output.getvalue()
    statuses = {str(pk): status for pk, status in DBTaskResult.objects.values_list("pk", "status")}
    assert statuses[dead.id] == TaskResultStatus.FAILED
    assert statuses[alive.id] == TaskResultStatus.RUNNING, "still within its lease"
    assert statuses[elsewhere.id] == TaskResultStatus.RUNNING, "another queue's task: not printing's to judge"
    assert DBTaskResult.objects.get(pk=dead.id).exception_class_path == tasks.WORKER_DIED
