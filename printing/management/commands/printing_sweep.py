"""Give back print jobs whose worker died, wake jobs whose task was lost, and mark failed
the task rows dead workers left running.

Every delivery task does this too; run it when a worker starts (a worker that died
and restarts recovers its jobs even if no new job comes) or from a timer.
"""

from django.core.management.base import BaseCommand

from printing.services import requeue_stale_print_jobs
from printing.tasks import fail_abandoned_tasks


class Command(BaseCommand):
    help = (
        "Requeue print jobs left in 'printing' by a dead worker, wake forgotten queued jobs "
        "and mark failed the printing task rows dead workers left running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            help="Seconds a claim may last before it counts as dead (default: the claim lease).",
        )

    def handle(self, *args, older_than: float | None = None, **options):
        count = requeue_stale_print_jobs(older_than_seconds=older_than)
        self.stdout.write(f"{count} print jobs requeued or woken.")
        failed = fail_abandoned_tasks(older_than_seconds=older_than)
        self.stdout.write(f"{failed} task rows of dead workers marked failed.")
