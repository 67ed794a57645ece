"""Background tasks of the PMS gateway, run by `manage.py db_worker`.

The Posting row is the durable record; a task only carries its id and delivering is
idempotent (only a queued posting is sent), so a duplicate or late task is harmless.
"""

from django_tasks import task

from pms_integration import services

QUEUE = "pms"


@task(queue_name=QUEUE)
def deliver_posting(posting_id: int) -> str:
    """Post one queued charge through an adapter that answers directly (REST PMSs, the ledger)."""
    return services.deliver_posting(posting_id=posting_id).state


@task(queue_name=QUEUE)
def reconcile_posting(posting_id: int) -> str:
    """After a lost answer: look the charge up on the PMS's folio, post or requeue it accordingly."""
    from pms_integration.models import Posting

    return services.reconcile_unknown(posting=Posting.objects.get(pk=posting_id)).state
