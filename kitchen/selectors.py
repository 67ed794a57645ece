"""What kitchen screens read: a station's board, expo's pass, what changed since a number.

Each read costs the same few queries for one ticket or three hundred.
"""

from collections import Counter
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from kitchen.models import Fire, KitchenDisplay, Station, StationEvent, Ticket, TicketItem
from tables.models import Outlet

OPEN_TICKET = [Ticket.Status.HELD, Ticket.Status.NEW, Ticket.Status.IN_PROGRESS, Ticket.Status.READY]
OPEN_ITEM = [TicketItem.Status.NEW, TicketItem.Status.IN_PROGRESS]
RECALLABLE = 5


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _tickets() -> QuerySet[Ticket]:
    # Each item names its menu item (joined, no extra query), so the screen can 86 it.
    items = TicketItem.objects.annotate(menu_item=F("line__item_id")).order_by("sort_order", "pk")
    return Ticket.objects.select_related("fire__waiter").prefetch_related(Prefetch("items", queryset=items))


def ticket_entry(ticket: Ticket) -> dict[str, Any]:
    fire = ticket.fire
    return {
        "id": ticket.pk,
        "station": ticket.station_id,
        "order": ticket.order_id,
        "fire": ticket.fire_id,
        "kind": ticket.kind,
        "number": ticket.number,
        "status": ticket.status,
        "rush": ticket.rush,
        "table": ticket.table_label,
        "course": fire.course,
        "course_name": fire.course_name,
        "covers": fire.covers,
        "waiter": str(fire.waiter),
        "print_failed": ticket.print_failed,
        "created_at": _iso(ticket.created_at),
        "fired_at": _iso(ticket.fired_at),
        "started_at": _iso(ticket.started_at),
        "ready_at": _iso(ticket.ready_at),
        "bumped_at": _iso(ticket.bumped_at),
        "items": [
            {
                "id": item.pk,
                "line": item.line_id,
                "menu_item": item.menu_item,
                "name": item.name,
                "qty": item.qty,
                "seat": item.seat,
                "modifiers": item.modifiers,
                "allergens": item.allergens,
                "note": item.note,
                "note_changed_at": _iso(item.note_changed_at),
                "for_item": item.for_item,
                "status": item.status,
            }
            for item in ticket.items.all()
        ],
    }


def station_entry(station: Station) -> dict[str, Any]:
    return {
        "id": station.pk,
        "outlet": station.outlet_id,
        "name": station.name,
        "code": station.code,
        "kind": station.kind,
        "warn_after_minutes": station.warn_after_minutes,
        "late_after_minutes": station.late_after_minutes,
    }


def all_day(tickets: list[Ticket]) -> list[dict[str, Any]]:
    """How many of each item are open right now across the station's fired tickets."""
    counts: Counter[str] = Counter()
    for ticket in tickets:
        if ticket.status in (Ticket.Status.HELD, Ticket.Status.BUMPED) or ticket.kind != Ticket.Kind.ORDER:
            continue
        for item in ticket.items.all():
            if item.status in OPEN_ITEM:
                counts[item.name] += item.qty
    return [{"name": name, "qty": qty} for name, qty in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def station_board(*, station: Station) -> dict[str, Any]:
    """A prep station's screen: open tickets oldest first (held ones too), all-day, recallable ones."""
    station = Station.objects.get(pk=station.pk)  # fresh last_seq: the board is as of this number
    tickets = list(_tickets().filter(station=station, status__in=OPEN_TICKET))
    tickets.sort(key=lambda t: (t.status == Ticket.Status.HELD, not t.rush, t.fired_at or t.created_at, t.pk))
    recent = list(
        Ticket.objects.filter(station=station, status=Ticket.Status.BUMPED)
        .order_by("-bumped_at", "-pk")
        .values("id", "table_label", "bumped_at")[:RECALLABLE]
    )
    return {
        "station": station_entry(station),
        "seq": station.last_seq,
        "tickets": [ticket_entry(t) for t in tickets],
        "all_day": all_day(tickets),
        "recent": [{"id": r["id"], "table": r["table_label"], "bumped_at": _iso(r["bumped_at"])} for r in recent],
    }


def fire_entries(fires: list[Fire]) -> list[dict[str, Any]]:
    """Expo's view of fires: each station's progress and the items, in two queries for all of them."""
    return shape_fire_entries(fires, tickets_of_fires(fires))


def tickets_of_fires(fires: list[Fire]) -> dict[int, list[Ticket]]:
    tickets_by_fire: dict[int, list[Ticket]] = {}
    tickets = (
        Ticket.objects.filter(fire__in=[f.pk for f in fires])
        .select_related("station")
        .prefetch_related(Prefetch("items", queryset=TicketItem.objects.order_by("sort_order", "pk")))
        .order_by("station__sort_order", "pk")
    )
    for ticket in tickets:
        tickets_by_fire.setdefault(ticket.fire_id, []).append(ticket)
    return tickets_by_fire


def shape_fire_entries(fires: list[Fire], tickets_by_fire: dict[int, list[Ticket]]) -> list[dict[str, Any]]:
    """Fire entries from rows already read: shaped once per language without another query."""
    entries = []
    for fire in fires:
        stations = []
        items = []
        for ticket in tickets_by_fire.get(fire.pk, []):
            live = [i for i in ticket.items.all() if i.status != TicketItem.Status.VOID]
            if ticket.kind == Ticket.Kind.ORDER:
                stations.append(
                    {
                        "station": ticket.station_id,
                        "name": ticket.station.name,
                        "ticket": ticket.pk,
                        "status": ticket.status,
                        "items": len(live),
                        "ready_items": sum(1 for i in live if i.status == TicketItem.Status.READY),
                        "print_failed": ticket.print_failed,
                    }
                )
            for item in ticket.items.all():
                if ticket.kind == Ticket.Kind.ORDER:
                    items.append(
                        {
                            "name": item.name,
                            "qty": item.qty,
                            "seat": item.seat,
                            "modifiers": item.modifiers,
                            "allergens": item.allergens,
                            "note": item.note,
                            "for_item": item.for_item,
                            "station": ticket.station.name,
                            "status": item.status,
                        }
                    )
        entries.append(
            {
                "id": fire.pk,
                "outlet": fire.outlet_id,
                "order": fire.order_id,
                "table": fire.table_label,
                "course": fire.course,
                "course_name": fire.course_name,
                "status": fire.status,
                "rush": fire.rush,
                "covers": fire.covers,
                "waiter": str(fire.waiter),
                "created_at": _iso(fire.created_at),
                "fired_at": _iso(fire.fired_at),
                "ready_at": _iso(fire.ready_at),
                "bumped_at": _iso(fire.bumped_at),
                "stations": stations,
                "items": items,
            }
        )
    return entries


def _fires() -> QuerySet[Fire]:
    return Fire.objects.select_related("waiter")


def expo_board(*, station: Station) -> dict[str, Any]:
    """The pass: every fired order of the outlet with each station's progress, and print alarms."""
    station = Station.objects.get(pk=station.pk)
    fires = list(_fires().filter(outlet_id=station.outlet_id, status__in=[Fire.Status.FIRED, Fire.Status.READY]))
    fires.sort(key=lambda f: (f.status != Fire.Status.READY, not f.rush, f.fired_at or f.created_at, f.pk))
    recent = list(
        Fire.objects.filter(outlet_id=station.outlet_id, status=Fire.Status.BUMPED)
        .order_by("-bumped_at", "-pk")
        .values("id", "table_label", "bumped_at")[:RECALLABLE]
    )
    return {
        "station": station_entry(station),
        "seq": station.last_seq,
        "fires": fire_entries(fires),
        "alarms": print_alarms(outlet_id=station.outlet_id),
        "recent": [{"id": r["id"], "table": r["table_label"], "bumped_at": _iso(r["bumped_at"])} for r in recent],
    }


def print_alarms(*, outlet_id: int) -> list[dict[str, Any]]:
    """Stations with a ticket that no printer could print (it is on their screen instead)."""
    return shape_print_alarms(print_alarm_rows(outlet_id=outlet_id))


def print_alarm_rows(*, outlet_id: int) -> list[Ticket]:
    return list(
        Ticket.objects.filter(station__outlet_id=outlet_id, print_failed=True)
        .exclude(status=Ticket.Status.BUMPED)
        .select_related("station")
        .order_by("station__sort_order", "pk")
    )


def shape_print_alarms(rows: list[Ticket]) -> list[dict[str, Any]]:
    alarms: dict[int, dict[str, Any]] = {}
    for ticket in rows:
        alarm = alarms.setdefault(
            ticket.station_id, {"station": ticket.station_id, "name": ticket.station.name, "tables": []}
        )
        alarm["tables"].append(ticket.table_label)
    return list(alarms.values())


def board(*, station: Station) -> dict[str, Any]:
    return expo_board(station=station) if station.kind == Station.Kind.EXPO else station_board(station=station)


def station_seq(*, station_id: int) -> int:
    """The station's latest event number, for the keep-alive (0 for a station that is gone)."""
    return Station.objects.filter(pk=station_id).values_list("last_seq", flat=True).first() or 0


def changes_since(*, station: Station, after: int) -> dict[str, Any]:
    """Everything a screen missed after number `after`: the current state of what changed.

    A number beyond the feed (the database was reset) answers with the whole board.
    """
    station = Station.objects.get(pk=station.pk)
    if after > station.last_seq or after < 0:
        return {"type": "board", **board(station=station)}
    events = StationEvent.objects.filter(station=station, seq__gt=after)
    if station.kind == Station.Kind.EXPO:
        fire_ids = set(events.exclude(fire=None).values_list("fire_id", flat=True))
        fires = list(_fires().filter(pk__in=fire_ids).order_by("pk"))
        return {
            "type": "changes",
            "seq": station.last_seq,
            "fires": fire_entries(fires),
            "alarms": print_alarms(outlet_id=station.outlet_id),
        }
    ticket_ids = set(events.exclude(ticket=None).values_list("ticket_id", flat=True))
    return {
        "type": "changes",
        "seq": station.last_seq,
        "tickets": [ticket_entry(t) for t in _tickets().filter(pk__in=ticket_ids).order_by("pk")],
    }


def tickets_by_id(ids: set[int]) -> dict[int, dict[str, Any]]:
    return {t.pk: ticket_entry(t) for t in ticket_rows(ids)}


def ticket_rows(ids: set[int]) -> list[Ticket]:
    return list(_tickets().filter(pk__in=ids))


def fires_by_id(ids: set[int]) -> dict[int, dict[str, Any]]:
    return {entry["id"]: entry for entry in fire_entries(list(_fires().filter(pk__in=ids)))}


def fire_rows(ids: set[int]) -> list[Fire]:
    return list(_fires().filter(pk__in=ids))


def ready_for_waiter(*, waiter_id: int) -> list[dict[str, Any]]:
    """Orders (courses) of this waiter's that are ready at the pass and not yet taken out."""
    fires = Fire.objects.filter(order__waiter_id=waiter_id, status=Fire.Status.READY).order_by("ready_at", "pk")
    return [ready_entry(fire) for fire in fires]


def ready_entry(fire: Fire) -> dict[str, Any]:
    return {
        "id": fire.pk,
        "order": fire.order_id,
        "table": fire.table_label,
        "course": fire.course,
        "course_name": fire.course_name,
        "ready_at": _iso(fire.ready_at),
    }


def fires_for_order(*, order_id: int) -> list[dict[str, Any]]:
    """A waiter's view of the order's courses in the kitchen: held, fired, ready, out."""
    return [
        {"id": f.pk, "course": f.course, "course_name": f.course_name, "status": f.status, "rush": f.rush}
        for f in Fire.objects.filter(order_id=order_id).order_by("course", "pk")
    ]


def stations_by_outlet() -> list[dict[str, Any]]:
    """The kitchen page: every active outlet (by name) with its stations, in one query.

    An outlet without stations is listed too (it still has an 86 board).
    """
    outlets: dict[int, dict[str, Any]] = {
        outlet.pk: {"outlet": outlet, "stations": []} for outlet in Outlet.objects.filter(is_active=True)
    }
    for station in Station.objects.filter(outlet_id__in=list(outlets)).order_by("sort_order", "name"):
        outlets[station.outlet_id]["stations"].append(station)
    return sorted(outlets.values(), key=lambda entry: (entry["outlet"].name, entry["outlet"].pk))


def display_for_session(display_id: int | None) -> KitchenDisplay | None:
    if not display_id:
        return None
    return KitchenDisplay.objects.select_related("station").filter(pk=display_id, is_active=True).first()
