"""Delivering print jobs: the worker's unit of work against real TCP printers.

Each test drives `deliver_print_job` the way the worker would, one attempt per call
(retries wait 0 s here), and looks at what the printer received and what the rows say.
"""

import datetime
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from printing import selectors, services, signals
from printing.models import Printer, PrintJob
from printing.slips import KitchenSlip, SlipItem, render_kitchen_slip
from tests.printing.conftest import TEST_PRINTER_TIMEOUT
from tests.printing.escpos_decoder import decode

pytestmark = pytest.mark.django_db
State = PrintJob.State
# With PRINT_RETRY_DELAYS = [0, 0]: three attempts per printer.
ATTEMPTS_PER_PRINTER = 3


def kitchen_payload(table: str = "Table 12") -> bytes:
    slip = KitchenSlip(
        station_name="Hot",
        table_label=table,
        order_label="#42",
        course_name="Mains",
        waiter_name="Anna",
        printed_at=timezone.now(),
        covers=2,
        items=(SlipItem(qty=2, name="Steak", seat=1, modifiers=("Rare",), note="Sauce apart"),),
        sequence=7,
    )
    return render_kitchen_slip(slip, width_chars=42, profile="TM-T88V")


def queue(printer: Printer, payload: bytes | None = None, source: str = "kitchen.ticket:1") -> PrintJob:
    return services.queue_print_job(
        printer=printer, payload=payload or kitchen_payload(), title="Table 12 - hot - #42", source=source
    )


def deliver_until_settled(job: PrintJob, *, max_attempts: int = 10) -> PrintJob:
    """Run the worker's unit of work until the job is printed or failed."""
    for _ in range(max_attempts):
        job = services.deliver_print_job(job_id=job.pk)
        if job.state in (State.PRINTED, State.FAILED):
            return job
    return job


@pytest.fixture
def caught():
    """Collects the printing signals sent during the test: {signal name: [kwargs, ...]}."""
    seen: dict[str, list[dict]] = {}
    receivers = {}
    for name in ("print_job_printed", "print_job_failed", "print_job_failed_over", "printer_status_changed"):

        def receiver(sender, name=name, **kwargs):
            kwargs.pop("signal", None)
            seen.setdefault(name, []).append(kwargs)

        receivers[name] = receiver
        getattr(signals, name).connect(receiver)
    yield seen
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def test_a_job_on_an_online_printer_prints_the_slip(fake_printer, printer_for, caught):
    server = fake_printer("online")
    printer = printer_for(server)
    payload = kitchen_payload()
    job = queue(printer, payload)

    job = services.deliver_print_job(job_id=job.pk)

    assert job.state == State.PRINTED
    assert job.printed_on == printer
    assert job.attempts == 1 and job.printed_at is not None
    assert server.times_received(payload) == 1
    printout = decode(server.received)
    assert printout.line_with("Table 12").style_of("Table 12").big
    assert printout.code_pages == [19]
    assert printout.cuts == ["partial"]
    assert [kwargs["job"].pk for kwargs in caught["print_job_printed"]] == [job.pk]
    printer.refresh_from_db()
    assert printer.status == Printer.Status.ONLINE and printer.status_checked_at is not None
    history = list(job.changes.values_list("from_state", "to_state"))
    assert history == [("", State.QUEUED), (State.QUEUED, State.PRINTING), (State.PRINTING, State.PRINTED)]


def test_queueing_enqueues_the_delivery_after_commit(printer_for, fake_printer, django_capture_on_commit_callbacks):
    printer = printer_for(fake_printer("online"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = queue(printer)

    assert len(callbacks) == 1
    task = DBTaskResult.objects.get()
    assert task.queue_name == "printing"
    assert task.task_path == "printing.tasks.deliver_print_job"
    assert task.args_kwargs == {"args": [], "kwargs": {"job_id": job.pk}}


def test_paper_out_sends_nothing_retries_then_the_backup_prints(fake_printer, printer_for, caught):
    primary_server, backup_server = fake_printer("paper_out"), fake_printer("online")
    backup = printer_for(backup_server, name="Bar")
    primary = printer_for(primary_server, name="Hot", backup=backup)
    payload = kitchen_payload()
    job = queue(primary, payload)

    for attempt in range(1, ATTEMPTS_PER_PRINTER):
        job = services.deliver_print_job(job_id=job.pk)
        assert job.state == State.QUEUED and job.target == primary and job.target_attempts == attempt
    job = services.deliver_print_job(job_id=job.pk)
    assert job.state == State.QUEUED and job.target == backup, "moved to the backup after the last retry"
    assert caught["print_job_failed_over"][0]["to_printer"] == backup
    job = services.deliver_print_job(job_id=job.pk)

    assert job.state == State.PRINTED
    assert job.printed_on == backup and job.printer == primary
    assert job.attempts == ATTEMPTS_PER_PRINTER + 1
    assert payload not in primary_server.received, "nothing is sent to a printer without paper"
    assert backup_server.times_received(payload) == 1
    primary.refresh_from_db()
    assert primary.status == Printer.Status.PAPER_OUT
    assert "paper" in primary.last_error.lower()
    assert [kwargs["printer"] for kwargs in caught["printer_status_changed"]] == [primary, backup]


def test_a_switched_off_printer_is_retried_then_the_backup_prints(fake_printer, printer_for):
    backup_server = fake_printer("online")
    primary = printer_for(fake_printer("off"), backup=printer_for(backup_server, name="Bar"))
    payload = kitchen_payload()

    job = deliver_until_settled(queue(primary, payload))

    assert job.state == State.PRINTED and job.printed_on == primary.backup
    assert backup_server.times_received(payload) == 1
    notes = list(job.changes.filter(to_state=State.QUEUED).values_list("note", flat=True))
    assert "No connection" in notes[1]
    assert "backup" in notes[-1]


def test_a_silent_printer_times_out_within_the_timeout_and_counts_as_offline(fake_printer, printer_for):
    server = fake_printer("silent")
    printer = printer_for(server)
    job = queue(printer)

    started = time.monotonic()
    job = services.deliver_print_job(job_id=job.pk)
    elapsed = time.monotonic() - started

    assert job.state == State.QUEUED and job.attempts == 1
    assert "No answer" in job.last_error
    assert elapsed < TEST_PRINTER_TIMEOUT + 0.5
    printer.refresh_from_db()
    assert printer.status == Printer.Status.OFFLINE


def test_a_printer_that_goes_off_after_the_bytes_keeps_the_job_queued(fake_printer, printer_for, caught):
    """The printer took the bytes but never said it was still there: it may have lost them."""
    server = fake_printer("online")
    printer = printer_for(server)
    payload = kitchen_payload()
    job = queue(printer, payload)
    server.set_mode_after_job("off")

    job = services.deliver_print_job(job_id=job.pk)

    assert server.times_received(payload) == 1, "the bytes went out"
    assert job.state == State.QUEUED, "but the job is not printed"
    assert job.printed_at is None and "not confirmed" in job.last_error
    assert "print_job_printed" not in caught

    server.set_mode("online")  # switched on again: the retry prints the slip a second time
    job = services.deliver_print_job(job_id=job.pk)
    assert job.state == State.PRINTED
    assert server.times_received(payload) == 2


def test_both_printers_down_fails_the_job_and_says_so(fake_printer, printer_for, caught):
    primary = printer_for(fake_printer("off"), backup=printer_for(fake_printer("cover_open"), name="Bar"))

    job = deliver_until_settled(queue(primary))

    assert job.state == State.FAILED
    assert job.attempts == 2 * ATTEMPTS_PER_PRINTER
    assert "cover" in job.last_error.lower()
    assert [kwargs["job"].pk for kwargs in caught["print_job_failed"]] == [job.pk]
    assert caught["print_job_failed"][0]["job"].state == State.FAILED
    # A failed job is left alone by the worker.
    assert services.deliver_print_job(job_id=job.pk).state == State.FAILED


def test_without_a_backup_the_job_fails_after_its_retries(fake_printer, printer_for, caught):
    job = deliver_until_settled(queue(printer_for(fake_printer("off"))))

    assert job.state == State.FAILED and job.attempts == ATTEMPTS_PER_PRINTER
    assert len(caught["print_job_failed"]) == 1


def test_an_inactive_backup_is_not_used(fake_printer, printer_for):
    backup = printer_for(fake_printer("online"), name="Bar", is_active=False)
    job = deliver_until_settled(queue(printer_for(fake_printer("off"), backup=backup)))

    assert job.state == State.FAILED


def test_a_printer_switched_off_in_the_back_office_goes_straight_to_its_backup(fake_printer, printer_for):
    backup_server = fake_printer("online")
    primary = printer_for(fake_printer("online"), backup=printer_for(backup_server, name="Bar"), is_active=False)

    job = services.deliver_print_job(job_id=queue(primary).pk)

    assert job.state == State.PRINTED and job.printed_on == primary.backup


def test_a_retry_waits_for_its_delay(fake_printer, printer_for, settings):
    settings.PRINT_RETRY_DELAYS = [60]
    job = services.deliver_print_job(job_id=queue(printer_for(fake_printer("off"))).pk)
    assert job.state == State.QUEUED
    assert job.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)

    again = services.deliver_print_job(job_id=job.pk)

    assert again.attempts == 1, "not due yet: the worker leaves it"


def test_a_failed_job_is_sent_again_by_a_manager(fake_printer, printer_for, manager):
    server = fake_printer("off")
    printer = printer_for(server)
    payload = kitchen_payload()
    job = deliver_until_settled(queue(printer, payload))
    assert job.state == State.FAILED

    server.set_mode("online")
    job = services.retry_failed_print_job(job=job, by=manager)
    assert job.state == State.QUEUED and job.target_attempts == 0
    job = services.deliver_print_job(job_id=job.pk)

    assert job.state == State.PRINTED
    assert server.times_received(payload) == 1
    assert job.changes.filter(from_state=State.FAILED, to_state=State.QUEUED, by=manager).exists()


def test_only_managers_send_failed_jobs_again(fake_printer, printer_for, cook):
    from django.core.exceptions import PermissionDenied

    job = deliver_until_settled(queue(printer_for(fake_printer("off"))))

    with pytest.raises(PermissionDenied):
        services.retry_failed_print_job(job=job, by=cook)


def test_a_job_that_is_not_failed_cannot_be_retried(fake_printer, printer_for, manager):
    from workflow import TransitionNotAllowed

    job = queue(printer_for(fake_printer("online")))

    with pytest.raises(TransitionNotAllowed):
        services.retry_failed_print_job(job=job, by=manager)


def test_a_reprint_is_a_new_job_with_the_same_bytes(fake_printer, printer_for, cook):
    server = fake_printer("online")
    printer = printer_for(server)
    payload = kitchen_payload()
    first = services.deliver_print_job(job_id=queue(printer, payload, source="kitchen.ticket:9").pk)

    reprint = services.reprint_print_job(job=first, by=cook)

    assert reprint.pk != first.pk
    assert bytes(reprint.payload) == payload
    assert reprint.reprint_of == first and reprint.printer == printer and reprint.source == "kitchen.ticket:9"
    assert "Kees" in reprint.changes.get().note
    assert reprint.changes.get().by == cook
    services.deliver_print_job(job_id=reprint.pk)
    assert server.times_received(payload) == 2
    assert [job.pk for job in selectors.jobs_for_source(source="kitchen.ticket:9")] == [first.pk, reprint.pk]


def test_a_device_may_reprint_without_a_person(fake_printer, printer_for):
    first = queue(printer_for(fake_printer("online")))

    reprint = services.reprint_print_job(job=first, by=None)

    assert reprint.reprint_of == first


def test_a_waiter_may_not_reprint(fake_printer, printer_for, waiter):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.reprint_print_job(job=queue(printer_for(fake_printer("online"))), by=waiter)


def test_a_test_page_prints_the_printers_name(fake_printer, printer_for, manager):
    server = fake_printer("online")
    printer = printer_for(server, name="Dessert", paper_width_chars=48, profile="TM-T20II")

    job = services.print_test_page(printer=printer, by=manager)
    services.deliver_print_job(job_id=job.pk)

    printout = decode(server.received)
    assert "Dessert" in printout.text
    assert "123456789012345678901234567890123456789012345678" in printout.text_lines
    assert job.source == f"printing.test:{printer.pk}"


def test_a_stale_claim_is_requeued_and_printed(fake_printer, printer_for):
    """A worker died while printing: after the lease the job goes back to the queue."""
    server = fake_printer("online")
    payload = kitchen_payload()
    job = queue(printer_for(server), payload)
    # What a worker leaves behind when it dies right after claiming.
    PrintJob.objects.filter(pk=job.pk).update(
        state=State.PRINTING, claimed_at=timezone.now() - datetime.timedelta(minutes=5), claim_token=None
    )

    assert services.requeue_stale_print_jobs() == 1

    job.refresh_from_db()
    assert job.state == State.QUEUED and job.attempts == 1
    assert "worker stopped" in job.last_error
    assert services.deliver_print_job(job_id=job.pk).state == State.PRINTED
    assert server.times_received(payload) == 1


def test_a_fresh_claim_is_left_alone(fake_printer, printer_for):
    job = queue(printer_for(fake_printer("online")))
    PrintJob.objects.filter(pk=job.pk).update(state=State.PRINTING, claimed_at=timezone.now())

    assert services.requeue_stale_print_jobs() == 0
    job.refresh_from_db()
    assert job.state == State.PRINTING


def test_a_queued_job_whose_task_was_lost_is_woken_once(fake_printer, printer_for):
    job = queue(printer_for(fake_printer("online")))
    PrintJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))

    assert services.requeue_stale_print_jobs() == 1
    assert services.requeue_stale_print_jobs() == 0, "woken once per lease, not at every sweep"
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__job_id=job.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_lost_its_claim_records_nothing(fake_printer, printer_for, caught):
    """The sweep gave the job away while its (slow) worker still printed: that worker's outcome is dropped."""
    server = fake_printer("online")
    job = queue(printer_for(server))

    def sweep_while_printing() -> None:
        # Another worker's sweep, with a lease of 0 s, on its own database connection.
        try:
            services.requeue_stale_print_jobs(older_than_seconds=0)
        finally:
            connection.close()

    server.after_next_job(sweep_while_printing)

    job = services.deliver_print_job(job_id=job.pk)

    assert job.state == State.QUEUED, "requeued by the sweep, not marked printed by the worker that lost it"
    assert "print_job_printed" not in caught
    assert list(job.changes.values_list("to_state", flat=True)) == [State.QUEUED, State.PRINTING, State.QUEUED]


def test_the_sweep_command_requeues(fake_printer, printer_for):
    from io import StringIO

    from django.core.management import call_command

    job = queue(printer_for(fake_printer("online")))
    PrintJob.objects.filter(pk=job.pk).update(
        state=State.PRINTING, claimed_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    output = StringIO()

    call_command("printing_sweep", stdout=output)

    assert "1 print jobs" in output.getvalue()
    job.refresh_from_db()
    assert job.state == State.QUEUED
