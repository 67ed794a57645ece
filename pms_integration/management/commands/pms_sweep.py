"""Settle room-charge postings a dead process left behind; run at start-up or from a timer.

Postings left *sent* past twice their link's timeout become *unknown* (the front desk
checks the folio), and queued postings of the ledger or a REST PMS whose delivery task
was lost are delivered again; unanswered ones are looked up on the folio where the PMS
can tell (OPERA Cloud). FIAS needs no sweep: the link process reads the outbox, and the
process that takes a link over (at once, or after a dead owner's lease) hands the postings
that one left *sent* to the front desk (`services.expire_orphaned_postings`).
"""

from django.core.management.base import BaseCommand

from pms_integration.services import expire_unanswered, reconcile_all_unknown, wake_queued_postings


class Command(BaseCommand):
    help = "Mark postings a dead worker left unanswered as unknown and wake queued postings whose task was lost."

    def handle(self, *args, **options):
        unknown = expire_unanswered()
        reconciled = reconcile_all_unknown()
        woken = wake_queued_postings()
        self.stdout.write(
            f"{unknown} postings marked unknown, {reconciled} reconciled on the folio, {woken} queued postings woken."
        )
