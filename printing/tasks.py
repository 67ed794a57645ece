"""Background tasks of printing, run by `manage.py db_worker --queue-name printing`.

A task carries only the job's id: the PrintJob row is the durable record and the
claim in `services.deliver_print_job` makes a duplicate or late task harmless, so
several workers may run at once.
"""

from django_tasks import task

from printing import services

QUEUE = "printing"


@task(queue_name=QUEUE)
def deliver_print_job(job_id: int) -> str | None:
    """Print one job (one attempt); returns its state afterwards."""
    # Cheap (an indexed read) and it means a job whose worker died is picked up by
    # the next delivery, whichever worker runs it.
    services.requeue_stale_print_jobs()
    job = services.deliver_print_job(job_id=job_id)
    return job.state if job is not None else None
