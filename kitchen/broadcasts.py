"""Tell kitchen screens and waiters what changed, after the change is committed.

Each message carries its station's sequence number. The database is the truth: a
screen that misses a message sees the gap (or reconnects) and asks for what it
missed, so a lost message costs a resync, never a ticket.
"""

from kitchen.models import Fire
from kitchen.selectors import fires_by_id, print_alarms, ready_entry, tickets_by_id
from orders.broadcasts import send_messages, waiter_group


def station_group(station_id: int) -> str:
    return f"kds.station.{station_id}"


def announce(events: list[tuple[int, int, int | None, int | None]], ready: list[tuple[int, int]]) -> None:
    """Send numbered events (station, seq, ticket, fire) and "ready" calls (fire, waiter) in one trip."""
    tickets = tickets_by_id({ticket for _, _, ticket, _ in events if ticket})
    fires = fires_by_id({fire for _, _, _, fire in events if fire})
    # Expo's alarm banner rides on its fire messages, read once per outlet.
    alarms = {outlet_id: print_alarms(outlet_id=outlet_id) for outlet_id in {f["outlet"] for f in fires.values()}}
    messages = []
    for station_id, seq, ticket_id, fire_id in events:
        if ticket_id:
            message = {"type": "kds.ticket", "seq": seq, "ticket": tickets.get(ticket_id)}
        else:
            fire = fires.get(fire_id)
            message = {"type": "kds.fire", "seq": seq, "fire": fire, "alarms": alarms[fire["outlet"]] if fire else []}
        messages.append((station_group(station_id), message))
    if ready:
        ready_fires = {f.pk: f for f in Fire.objects.filter(pk__in=[fire_id for fire_id, _ in ready])}
        for fire_id, waiter_id in ready:
            messages.append(
                (waiter_group(waiter_id), {"type": "kitchen.ready", "fire": ready_entry(ready_fires[fire_id])})
            )
    send_messages(messages)


def announce_unpaired(display_id: int, station_id: int) -> None:
    """Close the retired screen's socket (its session no longer opens anything)."""
    send_messages([(station_group(station_id), {"type": "kds.unpaired", "display": display_id})])
