"""The kitchen listens to orders (and printing) through their past-tense signals.

Receivers run inside the sender's transaction, so a ticket exists exactly when its
line is sent, and a void reaches the kitchen exactly when it is recorded.
"""

from django.dispatch import receiver

from kitchen import services
from kitchen.models import TICKET_PRINT_SOURCE as TICKET_SOURCE
from orders.signals import line_note_changed, line_voided, order_assigned, order_sent, order_transferred, orders_merged
from printing.signals import print_job_failed, print_job_printed


@receiver(order_sent, dispatch_uid="kitchen.create_tickets")
def tickets_for_sent_lines(sender, *, order, lines, by, **kwargs):
    services.create_tickets(order=order, lines=lines, by=by)


@receiver(line_voided, dispatch_uid="kitchen.void_ticket_items")
def void_on_tickets(sender, *, line, by, reason, **kwargs):
    services.void_ticket_items(line=line, by=by, reason=reason)


@receiver(order_transferred, dispatch_uid="kitchen.relabel_on_transfer")
def relabel_on_transfer(sender, *, order, **kwargs):
    services.relabel_tickets(order=order)


@receiver(orders_merged, dispatch_uid="kitchen.relabel_on_merge")
def relabel_on_merge(sender, *, source, target, **kwargs):
    services.relabel_tickets(order=target, from_order=source)


@receiver(order_assigned, dispatch_uid="kitchen.reassign_fires")
def reassign_fires(sender, *, order, to_waiter, **kwargs):
    services.reassign_fires(order=order, waiter=to_waiter)


@receiver(line_note_changed, dispatch_uid="kitchen.change_item_note")
def note_on_tickets(sender, *, line, **kwargs):
    services.change_item_note(line=line)


@receiver(print_job_failed, dispatch_uid="kitchen.print_failed")
def ticket_not_printed(sender, *, job, **kwargs):
    if job.source.startswith(TICKET_SOURCE):
        services.mark_ticket_unprinted(ticket_id=int(job.source.removeprefix(TICKET_SOURCE)), error=job.last_error)


@receiver(print_job_printed, dispatch_uid="kitchen.printed")
def ticket_printed(sender, *, job, **kwargs):
    if job.source.startswith(TICKET_SOURCE):
        services.mark_ticket_printed(ticket_id=int(job.source.removeprefix(TICKET_SOURCE)))
