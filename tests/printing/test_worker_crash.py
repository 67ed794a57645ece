"""Real `db_worker` processes: one killed (-9) right after a slip's bytes reached the
printer, another that recovers it; and the alarm while a job is being retried.

The printer is a real TCP server (printer_server.py); what it received is decoded
back to text (escpos_decoder.py). The data is committed (`transactional_db`) so the
worker processes see it.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from django.utils import translation
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from printing import tasks
from printing.models import PrintJob
from tests.printing.escpos_decoder import decode
from tests.printing.test_delivery import kitchen_payload, queue
from tests.printing.test_worker_process import PROJECT_ROOT, shared_database_url

State = PrintJob.State
SETTLE_TIMEOUT_S = 60


@contextmanager
def worker(**env_settings: str):
    """A long-running `db_worker` on the printing queue, stopped (or killed) at the end."""
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env_settings,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "printing",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.05",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def wait_until(condition, timeout: float = SETTLE_TIMEOUT_S, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


# The worker's clock: a short lease (2 s) so that a dead worker is found in seconds.
FAST = {"PRINTER_TIMEOUT": "0.2", "PRINT_RETRY_DELAYS": "0,0", "PRINT_CLAIM_LEASE": "2"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "banner"), [("en", "REPRINT - may be a duplicate"), ("nl", "HERDRUK - mogelijk dubbel")]
)
def test_a_worker_killed_after_the_bytes_went_out_is_recovered_with_a_duplicate_warning(
    fake_printer, printer_for, language, banner
):
    server = fake_printer("online")
    printer = printer_for(server)
    payload = kitchen_payload("Table 7")
    with translation.override(language):  # slips are rendered (and warned) in the outlet's language
        job = queue(printer, payload, source="kitchen.ticket:7")

    # The moment the slip's cut arrives (all its bytes are in), before the printer
    # confirms: kill -9, as a power cut would.
    doomed_pid: list[int] = []
    server.after_next_job(lambda: os.kill(doomed_pid[0], signal.SIGKILL))
    with worker(**FAST) as doomed:
        doomed_pid.append(doomed.pid)
        doomed.wait(timeout=SETTLE_TIMEOUT_S)
    assert doomed.returncode == -signal.SIGKILL
    job.refresh_from_db()
    assert job.state == State.PRINTING, "the dead worker still holds the job"
    (dead_task,) = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, queue_name=tasks.QUEUE)
    assert server.times_received(payload) == 1

    with worker(**FAST):
        # No new job, no timer: the sweep the claim queued finds the dead worker's leftovers.
        wait_until(lambda: PrintJob.objects.get(pk=job.pk).state == State.PRINTED, what="the job to print again")
        dead_task = wait_until(
            lambda: DBTaskResult.objects.filter(pk=dead_task.pk, status=TaskResultStatus.FAILED).first(),
            what="the dead worker's task row to be swept",
        )
        # Stop the worker only once it is idle: the reprint's claim queued a sweep a few seconds
        # on, and a worker stopped between claiming a task and starting it leaves it RUNNING
        # (db_worker's own race, which the next sweep cleans up). A task left running for good
        # still fails here.
        wait_until(
            lambda: (
                not DBTaskResult.objects.filter(
                    queue_name=tasks.QUEUE, status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING)
                ).exists()
            ),
            what="every printing task to finish (none left running or waiting)",
        )

    job.refresh_from_db()
    assert job.may_have_printed and job.attempts == 2
    assert dead_task.exception_class_path == tasks.WORKER_DIED and dead_task.finished_at is not None
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()

    first, again = (decode(bytes(data)) for data in server.connections if b"\x1dV" in data)
    assert banner not in first.text, "the first copy is the original"
    assert "Table 7" in first.text and "Table 7" in again.text
    assert " ".join(again.text.split()).startswith(banner), "the warning comes first:\n" + again.text
    assert again.line_with(banner.split()[0]).style_of(banner.split()[0]).inverted, "a black bar, like other banners"


@pytest.mark.django_db(transaction=True)
def test_the_alarm_stays_on_while_a_failed_job_is_retried_until_it_prints(fake_printer, printer_for, api_as, cook):
    """Polls /api/printing/alarms/ across the retries of a job on a hung printer (it takes
    the connection and never answers), until the printer comes back and the job prints."""
    server = fake_printer("silent")
    printer = printer_for(server)
    api = api_as(cook)
    job = queue(printer, kitchen_payload("Table 3"), source="kitchen.ticket:3")
    retries = {"PRINTER_TIMEOUT": "0.4", "PRINT_RETRY_DELAYS": ",".join(["0.2"] * 20)}

    samples = []  # (state, attempts) before the request, alarm count, state after
    retrying_seen = 0
    with worker(**retries):
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            before = PrintJob.objects.values_list("state", "attempts").get(pk=job.pk)
            alarms = api.get("/api/printing/alarms/").json()
            after = PrintJob.objects.values_list("state", "attempts").get(pk=job.pk)
            samples.append((before, len(alarms), after))
            if before == after == (State.PRINTING, after[1]) and after[1] >= 1:
                retrying_seen += 1
            if retrying_seen >= 3 and server.mode == "silent":
                server.set_mode("online")  # the printer is back
            if after[0] == State.PRINTED:
                break
            time.sleep(0.02)

    assert samples[-1][2][0] == State.PRINTED, samples[-10:]
    assert retrying_seen >= 3, "the poll saw a retry at the printer"
    blinks = [s for s in samples if s[0][1] >= 1 and s[2][0] != State.PRINTED and s[1] == 0]
    assert blinks == [], f"the alarm went off during a retry: {blinks[:5]}"
    assert api.get("/api/printing/alarms/").json() == [], "off once printed"
