"""Kitchen tickets on paper: a slip per ticket for stations with a printer, queued in printing's outbox."""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kitchen.models import TICKET_PRINT_SOURCE, Ticket, TicketItem
from orders.allergens import allergen_names
from printing.services import queue_print_job
from printing.slips import KitchenSlip, SlipItem, render_kitchen_slip


def slip_for(ticket: Ticket, *, banner: str = "") -> KitchenSlip:
    fire = ticket.fire
    banners = []
    if banner:
        banners.append(banner)
    if ticket.kind == Ticket.Kind.VOID and "VOID" not in banners:
        banners.append("VOID")
    if ticket.rush and "RUSH" not in banners:
        banners.append("RUSH")
    return KitchenSlip(
        station_name=ticket.station.name,
        table_label=_("Table %(number)s") % {"number": ticket.table_label}
        if ticket.order.table_id
        else ticket.table_label,
        order_label=f"#{ticket.order_id}",
        course_name=fire.course_name or str(fire.course),
        waiter_name=str(fire.waiter),
        printed_at=timezone.now(),
        covers=fire.covers,
        banners=tuple(banners),
        items=tuple(
            SlipItem(
                qty=item.qty,
                name=item.name if not item.for_item else f"{item.name} ({item.for_item})",
                seat=item.seat,
                modifiers=tuple(item.modifiers),
                allergens=tuple(allergen_names(item.allergens)),
                note=item.note,
                is_void=item.status == TicketItem.Status.VOID,
            )
            for item in ticket.items.all()
        ),
        sequence=ticket.number,
    )


def print_tickets(tickets: list[Ticket], *, banner: str = "") -> None:
    """Queue a slip for each ticket whose station has a printer (inside the caller's transaction)."""
    ids = [t.pk for t in tickets]
    if not ids:
        return
    # Labels and names in the kitchen's language, not in that of the waiter who sent the course.
    with translation.override(settings.KITCHEN_LANGUAGE):
        _queue_slips(ids, banner=banner)


def _queue_slips(ids: list[int], *, banner: str) -> None:
    rows = (
        Ticket.objects.filter(pk__in=ids, station__printer__isnull=False, station__printer__is_active=True)
        .select_related("station__printer", "fire__waiter", "order")
        .prefetch_related(Prefetch("items", queryset=TicketItem.objects.order_by("sort_order", "pk")))
    )
    for ticket in rows:
        printer = ticket.station.printer
        slip = slip_for(ticket, banner=banner)
        queue_print_job(
            printer=printer,
            payload=render_kitchen_slip(slip, width_chars=printer.paper_width_chars, profile=printer.profile),
            title=f"{ticket.table_label} - {ticket.station.name} - #{ticket.order_id}"[:100],
            source=f"{TICKET_PRINT_SOURCE}{ticket.pk}",
        )
