"""Tell kitchen screens and waiters what changed, after the change is committed.

Each message carries its station's sequence number. The database is the truth: a
screen that misses a message sees the gap (or reconnects) and asks for what it
missed, so a lost message costs a resync, never a ticket.
"""

from kitchen.models import Fire
from kitchen.selectors import (
    fire_rows,
    print_alarm_rows,
    ready_entry,
    shape_fire_entries,
    shape_print_alarms,
    ticket_entry,
    ticket_rows,
    tickets_of_fires,
)
from orders.broadcasts import send_messages, waiter_group
from orders.languages import message_in_every_language


def station_group(station_id: int) -> str:
    return f"kds.station.{station_id}"


def announce(events: list[tuple[int, int, int | None, int | None]], ready: list[tuple[int, int]]) -> None:
    """Send numbered events (station, seq, ticket, fire) and "ready" calls (fire, waiter) in one trip.

    Names go in every language (read once, shaped per language): each screen shows its own.
    """
    tickets = {t.pk: t for t in ticket_rows({ticket for _, _, ticket, _ in events if ticket})}
    fires = fire_rows({fire for _, _, _, fire in events if fire})
    tickets_by_fire = tickets_of_fires(fires)
    fires_by_pk = {fire.pk: fire for fire in fires}
    # Expo's alarm banner rides on its fire messages, read once per outlet.
    alarms = {outlet_id: print_alarm_rows(outlet_id=outlet_id) for outlet_id in {f.outlet_id for f in fires}}
    messages = []
    for station_id, seq, ticket_id, fire_id in events:
        if ticket_id:
            ticket = tickets.get(ticket_id)
            message = message_in_every_language(
                {"type": "kds.ticket", "seq": seq},
                lambda ticket=ticket: {"ticket": ticket_entry(ticket) if ticket else None},
            )
        else:
            fire = fires_by_pk.get(fire_id)
            message = message_in_every_language(
                {"type": "kds.fire", "seq": seq},
                lambda fire=fire: {
                    "fire": shape_fire_entries([fire], tickets_by_fire)[0] if fire else None,
                    "alarms": shape_print_alarms(alarms[fire.outlet_id]) if fire else [],
                },
            )
        messages.append((station_group(station_id), message))
    if ready:
        ready_fires = {f.pk: f for f in Fire.objects.filter(pk__in=[fire_id for fire_id, _ in ready])}
        for fire_id, waiter_id in ready:
            fire = ready_fires[fire_id]
            messages.append(
                (
                    waiter_group(waiter_id),
                    message_in_every_language({"type": "kitchen.ready"}, lambda fire=fire: {"fire": ready_entry(fire)}),
                )
            )
    send_messages(messages)


def announce_unpaired(display_id: int, station_id: int) -> None:
    """Close the retired screen's socket (its session no longer opens anything)."""
    send_messages([(station_group(station_id), {"type": "kds.unpaired", "display": display_id})])
