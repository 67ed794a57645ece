"""Workers racing for one print job on PostgreSQL: real threads, real connections.

Each thread is one worker with its own database connection; a barrier starts them
together. The claim (a compare-and-set on the job's state) must let exactly one print.
"""

import pytest

from printing import services
from printing.models import PrintJob, PrintJobStateChange
from tests import races
from tests.printing.test_delivery import kitchen_payload, queue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

JOIN_TIMEOUT = 30


@pytest.fixture(autouse=True)
def _postgres_only(requires_postgres):
    """Row-level concurrency is what these tests are about; SQLite locks the whole file."""


def run_together(count: int, work) -> tuple[list, list]:
    return races.run_together(count, work, timeout=JOIN_TIMEOUT, name="worker")


@pytest.mark.parametrize("workers", [2, 6])
def test_workers_racing_for_one_job_print_it_once(fake_printer, printer_for, workers):
    server = fake_printer("online")
    payload = kitchen_payload()
    job = queue(printer_for(server), payload)

    _, errors = run_together(workers, lambda index: services.deliver_print_job(job_id=job.pk))

    assert errors == [None] * workers
    assert server.times_received(payload) == 1
    job.refresh_from_db()
    assert job.state == PrintJob.State.PRINTED and job.attempts == 1
    assert PrintJobStateChange.objects.filter(job=job, to_state=PrintJob.State.PRINTING).count() == 1


def test_workers_racing_over_many_jobs_print_each_once(fake_printer, printer_for):
    server = fake_printer("online")
    printer = printer_for(server)
    payloads = [kitchen_payload(table=f"Table {n}") for n in range(8)]
    jobs = [queue(printer, payload, source=f"kitchen.ticket:{n}") for n, payload in enumerate(payloads)]

    def deliver_all(index: int) -> None:
        # Every worker tries every job, each in its own order.
        order = jobs[index:] + jobs[:index]
        for job in order:
            services.deliver_print_job(job_id=job.pk)

    _, errors = run_together(4, deliver_all)

    assert errors == [None] * 4
    assert [server.times_received(payload) for payload in payloads] == [1] * len(payloads)
    assert set(PrintJob.objects.values_list("state", flat=True)) == {PrintJob.State.PRINTED}
