"""Background tasks of billing, run by `manage.py db_worker`.

The Payment row is the durable record; a task only carries its id, and settling is
idempotent, so a duplicate or late task is harmless.
"""

import logging

from django_tasks import task

from billing import services
from billing.card_terminal import CardTerminalError
from billing.models import Payment

logger = logging.getLogger(__name__)
QUEUE = "billing"


@task(queue_name=QUEUE)
def follow_card_payment(payment_id: int) -> str:
    """Poll Stripe for a card payment no webhook has settled yet; again later while it waits."""
    payment = Payment.objects.get(pk=payment_id)
    try:
        payment = services.settle_card_payment(payment=payment)
    except CardTerminalError as error:
        # Stripe unreachable for a moment: ask again on the next round.
        logger.warning("Card payment %s not settled yet: %s", payment_id, error.message)
    if payment.state == Payment.State.PENDING:
        services.follow_card_payment_later(payment.pk)
    return payment.state
