"""Give back print jobs whose worker died, and wake jobs whose task was lost.

Every delivery task does this too; run it when a worker starts (a worker that died
and restarts recovers its jobs even if no new job comes) or from a timer.
"""

from django.core.management.base import BaseCommand

from printing.services import requeue_stale_print_jobs


class Command(BaseCommand):
    help = "Requeue print jobs left in 'printing' by a dead worker and wake forgotten queued jobs."

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
