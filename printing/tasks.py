"""Background tasks of printing, run by `manage.py db_worker --queue-name printing`.

A task carries only the job's id: the PrintJob row is the durable record and the
claim in `services.deliver_print_job` makes a duplicate or late task harmless, so
several workers may run at once.

A worker killed mid-task (kill -9, power cut) leaves two things behind: its print job
in `printing` (the job's claim) and its task row in RUNNING (django-tasks-db's
bookkeeping, which nothing else ever finishes). Every claim makes sure a sweep task
is queued to run after the claim's lease, so the workers still alive recover both
within two leases, with no timer outside them: the job is retried (with the
duplicate warning), the task row is marked failed.
"""

import datetime

from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from printing import services
from printing.models import claim_lease

QUEUE = "printing"
WORKER_DIED = "printing.tasks.WorkerDied"


@task(queue_name=QUEUE)
def deliver_print_job(job_id: int) -> str | None:
    """Print one job (one attempt); returns its state afterwards."""
    # Cheap (indexed reads) and it means a job whose worker died is picked up by the
    # next delivery, whichever worker runs it.
    sweep()
    job = services.deliver_print_job(job_id=job_id)
    return job.state if job is not None else None


@task(queue_name=QUEUE)
def sweep_print_jobs() -> int:
    """Recover what dead workers left behind (see the module's docstring)."""
    return sweep()


def sweep() -> int:
    """Requeue jobs of dead workers, wake forgotten ones, fail dead workers' task rows; how many."""
    return services.requeue_stale_print_jobs() + fail_abandoned_tasks()


def fail_abandoned_tasks(*, older_than_seconds: float | None = None) -> int:
    """Mark failed the printing task rows left RUNNING by a worker that died; returns how many.

    One task is one attempt, bounded by a few PRINTER_TIMEOUTs: running longer than the
    claim lease means its worker is gone. It is not run again from here: the print job
    is the durable record and `services.requeue_stale_print_jobs` gives it a new task.
    """
    lease = datetime.timedelta(seconds=older_than_seconds) if older_than_seconds is not None else claim_lease()
    now = timezone.now()
    return DBTaskResult.objects.filter(
        queue_name=QUEUE, status=TaskResultStatus.RUNNING, started_at__lt=now - lease
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=WORKER_DIED,
        traceback="The worker stopped while running this task (no answer for longer than the claim lease).",
    )


def schedule_sweep(*, after: datetime.datetime) -> None:
    """Make sure a sweep runs at least one claim lease after `after` (a claim's time).

    One sweep covers every claim made up to a lease before it runs, so one queued at two
    leases after a claim serves all the claims of the next lease: about one sweep per
    lease while jobs flow, none when idle.
    """
    lease = claim_lease()
    covered = DBTaskResult.objects.filter(
        queue_name=QUEUE,
        task_path=sweep_print_jobs.module_path,
        status=TaskResultStatus.READY,
        run_after__gte=after + lease,
    )
    if not covered.exists():
        sweep_print_jobs.using(run_after=after + 2 * lease).enqueue()
