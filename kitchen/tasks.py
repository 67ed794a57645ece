"""Background kitchen work, run by `manage.py db_worker` from rows in the database."""

import datetime

from django_tasks import task

from kitchen import services


@task(queue_name="default")
def fire_due_courses() -> int:
    """Fire the held courses whose automatic delay has run out."""
    return len(services.fire_due_courses())


def enqueue_fire_due_courses(when: datetime.datetime) -> None:
    fire_due_courses.using(run_after=when).enqueue()
