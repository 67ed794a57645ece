"""Every change in the kitchen: tickets from a send, firing courses, start / bump / recall, expo.

Each service locks what it changes, checks the move against the transition table,
writes a history row and a numbered event per station, and broadcasts after commit.
An actor is a person (kitchen staff, a manager, the waiter firing a course) or a
paired kitchen display.
"""

import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable
from operator import attrgetter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kitchen import broadcasts, printouts
from kitchen.models import (
    FIRE_WORKFLOW,
    TICKET_ITEM_WORKFLOW,
    TICKET_WORKFLOW,
    Fire,
    FireStatusChange,
    KitchenDisplay,
    KitchenSettings,
    ModifierRoute,
    PairingCode,
    Station,
    StationEvent,
    StationRoute,
    Ticket,
    TicketItem,
    TicketStatusChange,
)
from orders.languages import first_filled, language_codes, snapshot, translated
from orders.models import Course, Order, OrderLine, OrderLineModifier
from staff.models import Role, User
from staff.services import record_audit

Actor = User | KitchenDisplay

KITCHEN_ROLES = (Role.KITCHEN, Role.MANAGER)
FIRING_ROLES = (Role.WAITER, Role.BARTENDER, Role.MANAGER)
PAIRING_CODE_MINUTES = 15


# --- who may do what -------------------------------------------------------------


def _by_fields(by: Actor) -> dict:
    if isinstance(by, KitchenDisplay):
        return {"by_user": None, "by_display": by}
    return {"by_user": by, "by_display": None}


def require_kitchen_actor(by: Actor, station: Station) -> None:
    """A display works its own station (expo works every station of its outlet); people need a kitchen role."""
    if isinstance(by, KitchenDisplay):
        if not by.is_active:
            raise PermissionDenied(_("This screen was unpaired; pair it again."))
        own = by.station
        if own.pk == station.pk or (own.kind == Station.Kind.EXPO and own.outlet_id == station.outlet_id):
            return
        raise PermissionDenied(_("This screen belongs to another station."))
    if not by.has_role(*KITCHEN_ROLES):
        raise PermissionDenied(_("Only the kitchen and managers work tickets."))


# --- the numbered feed per station ---------------------------------------------------


class _Feed:
    """Collects what each station must hear in this transaction, numbers it, and sends it after commit."""

    def __init__(self) -> None:
        self.tickets: list[Ticket] = []
        self.fires: set[int] = set()
        self.ready_fires: list[Fire] = []

    def ticket(self, *tickets: Ticket) -> None:
        self.tickets.extend(tickets)
        self.fires.update(t.fire_id for t in tickets)

    def fire(self, *fires: Fire) -> None:
        self.fires.update(f.pk for f in fires)

    def commit(self) -> None:
        """Number the events (under each station's row lock) and send them once the transaction commits."""
        pairs: list[tuple[int, int | None, int | None]] = []
        seen = set()
        for ticket in self.tickets:
            if (ticket.station_id, ticket.pk) not in seen:
                seen.add((ticket.station_id, ticket.pk))
                pairs.append((ticket.station_id, ticket.pk, None))
        if self.fires:
            outlet_of = dict(Fire.objects.filter(pk__in=self.fires).values_list("pk", "outlet_id"))
            expo = defaultdict(list)
            for station_id, outlet_id in Station.objects.filter(
                outlet_id__in=set(outlet_of.values()), kind=Station.Kind.EXPO
            ).values_list("pk", "outlet_id"):
                expo[outlet_id].append(station_id)
            for fire_id in sorted(self.fires):
                for station_id in expo[outlet_of[fire_id]]:
                    pairs.append((station_id, None, fire_id))
        if not pairs:
            return
        # Lock in id order so two transactions touching the same stations cannot deadlock.
        stations = {
            s.pk: s for s in Station.objects.select_for_update().filter(pk__in={p[0] for p in pairs}).order_by("pk")
        }
        numbered_tickets, given = [], {}
        for ticket in self.tickets:
            if ticket.number is None and ticket.pk in given:
                ticket.number = given[ticket.pk]
            elif ticket.number is None:
                station = stations[ticket.station_id]
                station.last_ticket_number += 1
                ticket.number = given[ticket.pk] = station.last_ticket_number
                numbered_tickets.append(ticket)
        Ticket.objects.bulk_update(numbered_tickets, ["number"])
        events = []
        for station_id, ticket_id, fire_id in pairs:
            station = stations[station_id]
            station.last_seq += 1
            events.append(StationEvent(station=station, seq=station.last_seq, ticket_id=ticket_id, fire_id=fire_id))
        StationEvent.objects.bulk_create(events)
        Station.objects.bulk_update(stations.values(), ["last_seq", "last_ticket_number"])
        numbered = [(e.station_id, e.seq, e.ticket_id, e.fire_id) for e in events]
        ready = [(f.pk, f.order.waiter_id) for f in self.ready_fires]
        transaction.on_commit(lambda: broadcasts.announce(numbered, ready))


# --- tickets from a send ------------------------------------------------------------


def table_label(order: Order) -> str:
    """How the kitchen names an order: its table, tab, room or takeaway number."""
    if order.table_id:
        return order.table.number
    if order.kind == Order.Kind.ROOM_SERVICE and order.room_number:
        return _("Room %(room)s") % {"room": order.room_number}
    if order.kind == Order.Kind.BAR_TAB:
        return order.tab_name or _("Tab #%(id)s") % {"id": order.pk}
    return _("Takeaway #%(id)s") % {"id": order.pk}


def _modifier_texts(line: OrderLine) -> list[str]:
    texts = []
    for modifier in line.modifiers.all():
        texts.append(("  " if modifier.parent_id else "") + modifier.name)
    return texts


def _line_copy(line: OrderLine) -> dict:
    """A ticket item's name and choices, in every language (the line keeps each)."""
    return snapshot(
        line,
        name=lambda li: first_filled(li, "kitchen_name", "name"),
        modifiers=_modifier_texts,
        for_item=lambda li: "",
    )


def _routes_for(lines: list[OrderLine], outlet_id: int) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    by_item, by_category = {}, {}
    for route in StationRoute.objects.filter(
        Q(item_id__in={line.item_id for line in lines}) | Q(category_id__in={line.item.category_id for line in lines})
    ):
        if route.item_id:
            by_item[route.item_id] = route.station_id
        else:
            by_category[route.category_id] = route.station_id
    modifier_ids = {m.modifier_id for line in lines for m in line.modifiers.all()}
    by_modifier = dict(
        ModifierRoute.objects.filter(modifier_id__in=modifier_ids, station__outlet_id=outlet_id).values_list(
            "modifier_id", "station_id"
        )
    )
    return by_item, by_category, by_modifier


def _courses_firing_now(order: Order, sent_courses: set[int]) -> set[int]:
    """Course 1 fires now, later courses wait: a sent course fires at once if it already
    fired (an extra side) or if it is the first course with no held course before it."""
    fires = Fire.objects.filter(order=order).values_list("course", "status")
    fired = {course for course, status in fires if status != Fire.Status.HELD}
    held = {course for course, status in fires if status == Fire.Status.HELD}
    now = {course for course in sent_courses if course in fired}
    unfired = sorted(course for course in sent_courses if course not in fired)
    if unfired and not any(h <= unfired[0] for h in held):
        now.add(unfired[0])
    return now


@transaction.atomic
def create_tickets(*, order: Order, lines: Iterable[OrderLine], by: User) -> list[Ticket]:
    """Route sent lines to their stations: one ticket per station and fire.

    Runs inside `send_to_kitchen`'s transaction (as the receiver of `order_sent`),
    so tickets exist exactly when the lines are sent. Later courses go on held
    tickets that a waiter (or the auto-fire delay) fires. Lines whose item and
    category have no station (a bottle of water) get no ticket.
    """
    line_ids = [line.pk for line in lines]
    lines = list(
        OrderLine.objects.filter(pk__in=line_ids)
        # A set menu's own line is cooked as its dishes, which are lines of their own.
        .filter(item__set_courses__isnull=True)
        .select_related("item")
        .prefetch_related("modifiers")
        .order_by("course", "seat", "pk")
    )
    if not lines:
        return []
    order = Order.objects.select_related("table").get(pk=order.pk)
    by_item, by_category, by_modifier = _routes_for(lines, order.outlet_id)
    # Only courses with something to cook count: drinks alone in course 1 must not hold back the mains.
    cooked_courses = {
        line.course
        for line in lines
        if by_item.get(line.item_id)
        or by_category.get(line.item.category_id)
        or any(m.modifier_id in by_modifier for m in line.modifiers.all())
    }
    firing_now = _courses_firing_now(order, cooked_courses)
    courses = {course.number: course for course in Course.objects.filter(outlet_id=order.outlet_id)}
    label = table_label(order)
    now = timezone.now()

    held_fires = {f.course: f for f in Fire.objects.filter(order=order, status=Fire.Status.HELD)}
    fires: dict[int, Fire] = {}
    tickets: dict[tuple[int, int], Ticket] = {}
    new_tickets: list[Ticket] = []
    items: list[TicketItem] = []

    def fire_for(course: int) -> Fire:
        if course not in fires:
            if course not in firing_now and course in held_fires:
                fires[course] = held_fires[course]
            else:
                held = course not in firing_now
                fires[course] = Fire.objects.create(
                    order=order,
                    outlet_id=order.outlet_id,
                    course=course,
                    **_course_names(courses.get(course)),
                    status=Fire.Status.HELD if held else Fire.Status.FIRED,
                    table_label=label,
                    covers=order.covers,
                    waiter_id=order.waiter_id,
                    created_at=now,
                    fired_at=None if held else now,
                )
        return fires[course]

    def ticket_for(station_id: int, fire: Fire) -> Ticket:
        key = (station_id, fire.pk)
        if key not in tickets:
            ticket = None
            if fire.status == Fire.Status.HELD:
                ticket = Ticket.objects.filter(fire=fire, station_id=station_id, kind=Ticket.Kind.ORDER).first()
            if ticket is None:
                held = fire.status == Fire.Status.HELD
                ticket = Ticket.objects.create(
                    fire=fire,
                    station_id=station_id,
                    order=order,
                    status=Ticket.Status.HELD if held else Ticket.Status.NEW,
                    rush=fire.rush,
                    table_label=label,
                    created_at=now,
                    fired_at=None if held else now,
                )
                new_tickets.append(ticket)
            tickets[key] = ticket
        return tickets[key]

    for line in lines:
        name = line.kitchen_name or line.name
        copy = _line_copy(line)
        station_id = by_item.get(line.item_id) or by_category.get(line.item.category_id)
        fire = fire_for(line.course)
        if station_id:
            items.append(
                TicketItem(
                    ticket=ticket_for(station_id, fire),
                    line=line,
                    name=name,
                    qty=line.qty,
                    seat=line.seat,
                    modifiers=_modifier_texts(line),
                    allergens=line.allergens,
                    note=line.note,
                    sort_order=len(items),
                    **copy,
                )
            )
        for modifier in line.modifiers.all():
            extra_station = by_modifier.get(modifier.modifier_id)
            if extra_station and extra_station != station_id:
                items.append(
                    TicketItem(
                        ticket=ticket_for(extra_station, fire),
                        line=line,
                        name=modifier.name,
                        qty=line.qty,
                        seat=line.seat,
                        modifiers=_children_of(line, modifier),
                        # The whole dish's: the cook of a side cannot tell which part carries what.
                        allergens=line.allergens,
                        for_item=name,
                        sort_order=len(items),
                        **_routed_choice_copy(line, modifier, copy),
                    )
                )
    TicketItem.objects.bulk_create(items)
    # A fire with no station at all (only drinks the waiter pours) is not the kitchen's.
    used = {t.fire_id for t in tickets.values()}
    for fire in fires.values():
        if fire.pk not in used and not fire.tickets.exists():
            fire.delete()
    touched = list(tickets.values())
    feed = _Feed()
    feed.ticket(*touched)
    feed.commit()
    _print_tickets([t for t in new_tickets if t.status != Ticket.Status.HELD])
    return touched


def _course_names(course: Course | None) -> dict:
    if course is None:
        return {"course_name": "", **{f"course_name_{language}": "" for language in language_codes()}}
    return {"course_name": course.name, **snapshot(course, course_name=attrgetter("name"))}


def _children_of(line: OrderLine, choice: OrderLineModifier) -> list[str]:
    return [m.name for m in line.modifiers.all() if m.parent_id == choice.pk]


def _routed_choice_copy(line: OrderLine, choice: OrderLineModifier, copy: dict) -> dict:
    """A choice routed to a station of its own, in every language, with the dish it goes with."""
    return {
        **snapshot(choice, name=attrgetter("name"), modifiers=lambda c: _children_of(line, c)),
        **{f"for_item_{language}": copy[f"name_{language}"] for language in language_codes()},
    }


def _print_tickets(tickets: list[Ticket], *, banner: str = "") -> None:
    printouts.print_tickets(tickets, banner=banner)


# --- firing courses -----------------------------------------------------------------------


def _set_fire_status(fire: Fire, to_status: str, by: Actor | None, note: str = "") -> FireStatusChange:
    FIRE_WORKFLOW.check(fire.status, to_status)
    change = FireStatusChange(fire=fire, from_status=fire.status, to_status=to_status, note=note)
    if by is not None:
        for key, value in _by_fields(by).items():
            setattr(change, key, value)
    fire.status = to_status
    return change


def _fire(fire: Fire, *, by: Actor | None, note: str, feed: _Feed) -> list[Ticket]:
    now = timezone.now()
    _set_fire_status(fire, Fire.Status.FIRED, by, note).save()
    fire.fired_at = now
    fire.auto_fire_at = None
    fire.save(update_fields=["status", "fired_at", "auto_fire_at"])
    tickets = list(Ticket.objects.select_for_update().filter(fire=fire, status=Ticket.Status.HELD))
    changes = []
    for ticket in tickets:
        changes.append(_ticket_change(ticket, Ticket.Status.NEW, by, note))
        ticket.status = Ticket.Status.NEW
        ticket.fired_at = now
    Ticket.objects.bulk_update(tickets, ["status", "fired_at"])
    TicketStatusChange.objects.bulk_create(changes)
    feed.ticket(*tickets)
    feed.fire(fire)
    return tickets


def fire_course(*, order: Order, course: int, by: User) -> Fire:
    """Tell the kitchen to start a held course now ("fire the mains for table 12")."""
    if not by.has_role(*FIRING_ROLES):
        raise PermissionDenied(_("Only waiters, bartenders and managers fire courses."))
    with transaction.atomic():
        fire = Fire.objects.select_for_update().filter(order=order, course=course, status=Fire.Status.HELD).first()
        if fire is None:
            raise ValidationError({"course": _("This course is not on hold.")})
        feed = _Feed()
        tickets = _fire(fire, by=by, note="", feed=feed)
        feed.commit()
        _print_tickets(tickets, banner="FIRE")
    return fire


def fire_due_courses(*, now: datetime.datetime | None = None) -> list[Fire]:
    """Fire every held course whose automatic delay has run out (the worker calls this)."""
    now = now or timezone.now()
    fired = []
    with transaction.atomic():
        due = list(
            Fire.objects.select_for_update().filter(status=Fire.Status.HELD, auto_fire_at__lte=now).order_by("pk")
        )
        feed = _Feed()
        for fire in due:
            _print_tickets(_fire(fire, by=None, note="auto", feed=feed), banner="FIRE")
            fired.append(fire)
        feed.commit()
    return fired


def _schedule_next_course(fire: Fire) -> None:
    settings_row = KitchenSettings.objects.filter(outlet_id=fire.outlet_id).first()
    if settings_row is None or settings_row.auto_fire_after_minutes is None:
        return
    held = Fire.objects.filter(order_id=fire.order_id, status=Fire.Status.HELD, auto_fire_at__isnull=True)
    next_fire = held.filter(course__gt=fire.course).order_by("course").first()
    if next_fire is None:
        return
    # Fire when the earlier courses are all done, so a late straggler does not rush the next course.
    if Fire.objects.filter(order_id=fire.order_id, status=Fire.Status.FIRED, course__lt=next_fire.course).exists():
        return
    when = timezone.now() + datetime.timedelta(minutes=settings_row.auto_fire_after_minutes)
    Fire.objects.filter(pk=next_fire.pk).update(auto_fire_at=when)
    from kitchen import tasks

    transaction.on_commit(lambda: tasks.enqueue_fire_due_courses(when))


def rush_order(*, order: Order, by: User) -> list[Fire]:
    """Mark every unfinished fire of an order (and its tickets) as rush."""
    if not by.has_role(*FIRING_ROLES, Role.KITCHEN):
        raise PermissionDenied(_("Your role does not allow this."))
    with transaction.atomic():
        fires = list(
            Fire.objects.select_for_update().filter(order=order).exclude(status=Fire.Status.BUMPED).filter(rush=False)
        )
        tickets = list(
            Ticket.objects.select_for_update()
            .filter(fire__in=fires)
            .exclude(status=Ticket.Status.BUMPED)
            .filter(rush=False)
        )
        Fire.objects.filter(pk__in=[f.pk for f in fires]).update(rush=True)
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(rush=True)
        feed = _Feed()
        feed.ticket(*tickets)
        feed.fire(*fires)
        feed.commit()
        _print_tickets(tickets, banner="RUSH")
    return fires


def set_ticket_rush(*, ticket: Ticket, rush: bool, by: Actor) -> Ticket:
    """Expo or the station flags (or unflags) one ticket as priority."""
    with transaction.atomic():
        ticket = _locked_ticket(ticket)
        require_kitchen_actor(by, ticket.station)
        if ticket.rush != rush:
            ticket.rush = rush
            ticket.save(update_fields=["rush"])
            feed = _Feed()
            feed.ticket(ticket)
            feed.commit()
    return ticket


# --- working tickets ------------------------------------------------------------------------


def _locked_ticket(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("station").get(pk=ticket.pk)


def _ticket_change(ticket: Ticket, to_status: str, by: Actor | None, note: str = "", item=None) -> TicketStatusChange:
    workflow = TICKET_ITEM_WORKFLOW if item is not None else TICKET_WORKFLOW
    source = item.status if item is not None else ticket.status
    workflow.check(source, to_status)
    change = TicketStatusChange(ticket=ticket, item=item, from_status=source, to_status=to_status, note=note)
    if by is not None:
        for key, value in _by_fields(by).items():
            setattr(change, key, value)
    return change


def _refuse_held(ticket: Ticket) -> None:
    if ticket.status == Ticket.Status.HELD:
        raise ValidationError({"ticket": _("This course is on hold: the waiter fires it.")})


def start_ticket(*, ticket: Ticket, by: Actor) -> Ticket:
    """The cook starts the whole ticket: every new item goes in progress."""
    with transaction.atomic():
        ticket = _locked_ticket(ticket)
        require_kitchen_actor(by, ticket.station)
        _refuse_held(ticket)
        changes = [_ticket_change(ticket, Ticket.Status.IN_PROGRESS, by)]
        now = timezone.now()
        ticket.status, ticket.started_at = Ticket.Status.IN_PROGRESS, now
        ticket.save(update_fields=["status", "started_at"])
        items = list(ticket.items.filter(status=TicketItem.Status.NEW))
        for item in items:
            changes.append(_ticket_change(ticket, TicketItem.Status.IN_PROGRESS, by, item=item))
            item.status, item.started_at = TicketItem.Status.IN_PROGRESS, now
        TicketItem.objects.bulk_update(items, ["status", "started_at"])
        TicketStatusChange.objects.bulk_create(changes)
        feed = _Feed()
        feed.ticket(ticket)
        feed.commit()
    return ticket


def start_item(*, item: TicketItem, by: Actor) -> TicketItem:
    """The cook starts one item; its ticket is then in progress."""
    return _move_item(item=item, to_status=TicketItem.Status.IN_PROGRESS, by=by)


def ready_item(*, item: TicketItem, by: Actor) -> TicketItem:
    """The cook bumps one item as done; when every item is done the ticket is ready."""
    return _move_item(item=item, to_status=TicketItem.Status.READY, by=by)


def _move_item(*, item: TicketItem, to_status: str, by: Actor) -> TicketItem:
    with transaction.atomic():
        ticket = _locked_ticket(item.ticket)
        require_kitchen_actor(by, ticket.station)
        _refuse_held(ticket)
        if ticket.status == Ticket.Status.BUMPED:
            raise ValidationError({"ticket": _("This ticket was bumped; recall it first.")})
        item = TicketItem.objects.get(pk=item.pk, ticket=ticket)
        now = timezone.now()
        changes = [_ticket_change(ticket, to_status, by, item=item)]
        item.status = to_status
        if to_status == TicketItem.Status.IN_PROGRESS:
            item.started_at = item.started_at or now
        else:
            item.ready_at = now
        item.save(update_fields=["status", "started_at", "ready_at"])
        statuses = set(ticket.items.exclude(status=TicketItem.Status.VOID).values_list("status", flat=True))
        if statuses and statuses <= {TicketItem.Status.READY}:
            target = Ticket.Status.READY
        elif statuses & {TicketItem.Status.IN_PROGRESS, TicketItem.Status.READY}:
            target = Ticket.Status.IN_PROGRESS
        else:
            target = ticket.status
        if target != ticket.status:
            changes.append(_ticket_change(ticket, target, by))
            ticket.status = target
            if target == Ticket.Status.IN_PROGRESS:
                ticket.started_at = ticket.started_at or now
            if target == Ticket.Status.READY:
                ticket.ready_at = now
            ticket.save(update_fields=["status", "started_at", "ready_at"])
        TicketStatusChange.objects.bulk_create(changes)
        feed = _Feed()
        feed.ticket(ticket)
        feed.commit()
    return item


def bump_ticket(*, ticket: Ticket, by: Actor) -> Ticket:
    """Done at this station: the ticket leaves the screen and its items are ready at the pass.

    When every station's ticket of the fire is bumped, expo sees the order complete,
    the waiter is called, and the next course's automatic fire is scheduled.
    """
    with transaction.atomic():
        ticket = _locked_ticket(ticket)
        require_kitchen_actor(by, ticket.station)
        _refuse_held(ticket)
        now = timezone.now()
        changes = [_ticket_change(ticket, Ticket.Status.BUMPED, by)]
        ticket.status, ticket.bumped_at = Ticket.Status.BUMPED, now
        ticket.ready_at = ticket.ready_at or now
        ticket.save(update_fields=["status", "bumped_at", "ready_at"])
        items = list(ticket.items.exclude(status__in=[TicketItem.Status.READY, TicketItem.Status.VOID]))
        for item in items:
            changes.append(_ticket_change(ticket, TicketItem.Status.READY, by, item=item))
            item.status, item.ready_at = TicketItem.Status.READY, now
        TicketItem.objects.bulk_update(items, ["status", "ready_at"])
        TicketStatusChange.objects.bulk_create(changes)
        feed = _Feed()
        feed.ticket(ticket)
        _update_fire_readiness(ticket.fire_id, by=by, feed=feed)
        feed.commit()
    return ticket


def _update_fire_readiness(fire_id: int, *, by: Actor | None, feed: _Feed) -> None:
    fire = Fire.objects.select_for_update().select_related("order").get(pk=fire_id)
    open_prep = (
        Ticket.objects.filter(fire=fire, kind=Ticket.Kind.ORDER)
        .exclude(status=Ticket.Status.BUMPED)
        # A ticket whose every item was voided holds nothing up.
        .filter(items__status__in=[TicketItem.Status.NEW, TicketItem.Status.IN_PROGRESS, TicketItem.Status.READY])
        .exists()
    )
    if fire.status == Fire.Status.FIRED and not open_prep:
        _set_fire_status(fire, Fire.Status.READY, by).save()
        fire.ready_at = timezone.now()
        fire.save(update_fields=["status", "ready_at"])
        feed.ready_fires.append(fire)
        _schedule_next_course(fire)
    elif fire.status == Fire.Status.READY and open_prep:
        _set_fire_status(fire, Fire.Status.FIRED, by, "recalled").save()
        fire.ready_at = None
        fire.save(update_fields=["status", "ready_at"])
    feed.fire(fire)


def recall_ticket(*, ticket: Ticket, by: Actor) -> Ticket:
    """Bring a bumped ticket back on the screen (bumped by mistake, or a dish sent back)."""
    with transaction.atomic():
        ticket = _locked_ticket(ticket)
        require_kitchen_actor(by, ticket.station)
        change = _ticket_change(ticket, Ticket.Status.IN_PROGRESS, by, "recall")
        change.save()
        ticket.status, ticket.recalled_at, ticket.bumped_at = Ticket.Status.IN_PROGRESS, timezone.now(), None
        ticket.save(update_fields=["status", "recalled_at", "bumped_at"])
        feed = _Feed()
        feed.ticket(ticket)
        _update_fire_readiness(ticket.fire_id, by=by, feed=feed)
        feed.commit()
    return ticket


def recall_last_ticket(*, station: Station, by: Actor) -> Ticket:
    """Recall the station's most recently bumped ticket."""
    require_kitchen_actor(by, station)
    last = Ticket.objects.filter(station=station, status=Ticket.Status.BUMPED).order_by("-bumped_at", "-pk").first()
    if last is None:
        raise ValidationError({"station": _("Nothing was bumped here yet.")})
    return recall_ticket(ticket=last, by=by)


def recall_last_fire(*, station: Station, by: Actor) -> Fire:
    """Expo recalls the order it sent out last."""
    last = (
        Fire.objects.filter(outlet_id=station.outlet_id, status=Fire.Status.BUMPED)
        .order_by("-bumped_at", "-pk")
        .first()
    )
    if last is None:
        raise ValidationError({"station": _("Nothing was bumped here yet.")})
    return recall_fire(fire=last, by=by)


def bump_fire(*, fire: Fire, by: Actor, override: bool = False) -> Fire:
    """Expo sends the order out. Refused while a station still has it open, unless overridden."""
    with transaction.atomic():
        fire = Fire.objects.select_for_update().get(pk=fire.pk)
        expo_station = Station.objects.filter(outlet_id=fire.outlet_id, kind=Station.Kind.EXPO).first()
        if isinstance(by, KitchenDisplay):
            if by.station.kind != Station.Kind.EXPO or by.station.outlet_id != fire.outlet_id:
                raise PermissionDenied(_("Only the expo screen bumps whole orders."))
        elif expo_station is not None:
            require_kitchen_actor(by, expo_station)
        elif not by.has_role(*KITCHEN_ROLES):
            raise PermissionDenied(_("Only the kitchen and managers work tickets."))
        if fire.status == Fire.Status.HELD:
            raise ValidationError({"fire": _("This course is on hold: the waiter fires it.")})
        if fire.status == Fire.Status.FIRED and not override:
            open_stations = sorted(
                set(
                    Ticket.objects.filter(fire=fire, kind=Ticket.Kind.ORDER)
                    .exclude(status=Ticket.Status.BUMPED)
                    .annotate(station_name=translated("station__name"))
                    .values_list("station_name", flat=True)
                )
            )
            raise ValidationError(
                {
                    "fire": _("Still open at: %(stations)s. Bump with override to send it anyway.")
                    % {"stations": ", ".join(open_stations)}
                }
            )
        note = "override" if fire.status == Fire.Status.FIRED else ""
        _set_fire_status(fire, Fire.Status.BUMPED, by, note).save()
        fire.bumped_at = timezone.now()
        fire.save(update_fields=["status", "bumped_at"])
        if note:
            record_audit(
                actor=by if isinstance(by, User) else by.paired_by,
                action="expo_bump_override",
                subject=fire.order,
                details={"fire": fire.pk, "display": by.pk if isinstance(by, KitchenDisplay) else None},
            )
        feed = _Feed()
        feed.fire(fire)
        feed.commit()
    return fire


def recall_fire(*, fire: Fire, by: Actor) -> Fire:
    """Expo brings a bumped order back to the pass."""
    with transaction.atomic():
        fire = Fire.objects.select_for_update().get(pk=fire.pk)
        if isinstance(by, KitchenDisplay) and (
            by.station.kind != Station.Kind.EXPO or by.station.outlet_id != fire.outlet_id
        ):
            raise PermissionDenied(_("Only the expo screen recalls whole orders."))
        if isinstance(by, User) and not by.has_role(*KITCHEN_ROLES):
            raise PermissionDenied(_("Only the kitchen and managers work tickets."))
        open_prep = Ticket.objects.filter(fire=fire, kind=Ticket.Kind.ORDER).exclude(status=Ticket.Status.BUMPED)
        target = Fire.Status.FIRED if open_prep.exists() else Fire.Status.READY
        _set_fire_status(fire, target, by, "recall").save()
        fire.bumped_at = None
        fire.save(update_fields=["status", "bumped_at"])
        feed = _Feed()
        feed.fire(fire)
        feed.commit()
    return fire


# --- changes after sending (receivers of the orders signals) ---------------------------------


@transaction.atomic
def void_ticket_items(*, line: OrderLine, by: User, reason: str) -> list[Ticket]:
    """A voided line: struck through with VOID on its tickets, plus a VOID ticket (and slip) where it was cooking."""
    now = timezone.now()
    items = list(
        TicketItem.objects.select_related("ticket")
        .filter(line=line)
        .exclude(status=TicketItem.Status.VOID)
        .exclude(ticket__kind=Ticket.Kind.VOID)
    )
    if not items:
        return []
    feed = _Feed()
    changes, void_tickets = [], []
    for item in items:
        ticket = item.ticket
        changes.append(_ticket_change(ticket, TicketItem.Status.VOID, by, reason, item=item))
        item.status, item.voided_at = TicketItem.Status.VOID, now
        feed.ticket(ticket)
        if ticket.status == Ticket.Status.HELD:
            continue  # not cooking yet: striking it through on the held ticket is enough
        void_ticket = Ticket.objects.create(
            fire_id=ticket.fire_id,
            station_id=ticket.station_id,
            order_id=ticket.order_id,
            kind=Ticket.Kind.VOID,
            status=Ticket.Status.NEW,
            table_label=ticket.table_label,
            created_at=now,
            fired_at=now,
        )
        TicketItem.objects.create(
            ticket=void_ticket,
            line=line,
            name=item.name,
            qty=item.qty,
            seat=item.seat,
            modifiers=item.modifiers,
            note=reason,
            for_item=item.for_item,
            status=TicketItem.Status.VOID,
            **{
                f"{field}_{language}": getattr(item, f"{field}_{language}")
                for field in ("name", "modifiers", "for_item")
                for language in language_codes()
            },
            voided_at=now,
        )
        void_tickets.append(void_ticket)
        feed.ticket(void_ticket)
    TicketItem.objects.bulk_update(items, ["status", "voided_at"])
    TicketStatusChange.objects.bulk_create(changes)
    for fire_id in {item.ticket.fire_id for item in items}:
        _update_fire_readiness(fire_id, by=by, feed=feed)
    feed.commit()
    _print_tickets(void_tickets, banner="VOID")
    return void_tickets


@transaction.atomic
def relabel_tickets(*, order: Order, from_order: Order | None = None) -> list[Ticket]:
    """A table moved (or merged): open tickets and fires show the new table at once."""
    order = Order.objects.select_related("table").get(pk=order.pk)
    label = table_label(order)
    sources = [order.pk] + ([from_order.pk] if from_order is not None else [])
    fires = list(Fire.objects.select_for_update().filter(order_id__in=sources))
    tickets = list(Ticket.objects.select_for_update().filter(order_id__in=sources))
    Fire.objects.filter(pk__in=[f.pk for f in fires]).update(order=order, table_label=label)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(order=order, table_label=label)
    feed = _Feed()
    feed.ticket(*[t for t in tickets if t.status != Ticket.Status.BUMPED])
    feed.fire(*[f for f in fires if f.status != Fire.Status.BUMPED])
    feed.commit()
    return tickets


@transaction.atomic
def change_item_note(*, line: OrderLine) -> list[TicketItem]:
    """A note added after sending: copied onto the line's tickets, which flash it."""
    items = list(
        TicketItem.objects.select_related("ticket").filter(line=line, for_item="").exclude(ticket__kind="void")
    )
    now = timezone.now()
    for item in items:
        item.note, item.note_changed_at = line.note, now
    TicketItem.objects.bulk_update(items, ["note", "note_changed_at"])
    feed = _Feed()
    feed.ticket(*[item.ticket for item in items])
    feed.commit()
    return items


@transaction.atomic
def mark_ticket_unprinted(*, ticket_id: int, error: str) -> Ticket | None:
    """Its print job failed on every printer: the ticket shows on the station's screen and expo with an alarm."""
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None:
        return None
    ticket.print_failed = True
    ticket.save(update_fields=["print_failed"])
    TicketStatusChange.objects.create(
        ticket=ticket, from_status=ticket.status, to_status=ticket.status, note=f"print failed: {error}"[:200]
    )
    feed = _Feed()
    feed.ticket(ticket)
    feed.commit()
    return ticket


@transaction.atomic
def mark_ticket_printed(*, ticket_id: int) -> None:
    """A reprint (or a retry) got through: the alarm for this ticket clears."""
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id, print_failed=True).first()
    if ticket is None:
        return
    ticket.print_failed = False
    ticket.save(update_fields=["print_failed"])
    feed = _Feed()
    feed.ticket(ticket)
    feed.commit()


def reprint_ticket(*, ticket: Ticket, by: Actor) -> None:
    """Print the ticket again on its station's printer, marked REPRINT."""
    require_kitchen_actor(by, ticket.station)
    with transaction.atomic():
        _print_tickets([ticket], banner="REPRINT")


# --- pairing kitchen screens ----------------------------------------------------------------


def issue_pairing_code(*, station: Station, by: User) -> PairingCode:
    """A manager issues a short code that pairs one screen to this station within 15 minutes."""
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager pairs kitchen screens."))
    with transaction.atomic():
        for _attempt in range(10):
            code = f"{secrets.randbelow(10**6):06d}"
            if not PairingCode.objects.filter(code=code).exists():
                break
        pairing = PairingCode.objects.create(
            station=station,
            code=code,
            created_by=by,
            expires_at=timezone.now() + datetime.timedelta(minutes=PAIRING_CODE_MINUTES),
        )
        record_audit(actor=by, action="display_pairing_code_issued", subject=station, details={})
    return pairing


def pair_display(*, code: str, name: str) -> KitchenDisplay:
    """A screen types the manager's code: it becomes a display of that station. A code works once."""
    code = (code or "").strip()
    name = (name or "").strip()[:60]
    with transaction.atomic():
        pairing = (
            PairingCode.objects.select_for_update()
            .select_related("station")
            .filter(code=code, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if pairing is None:
            raise ValidationError({"code": _("This code is unknown, used or expired. Ask a manager for a new one.")})
        display = KitchenDisplay.objects.create(
            station=pairing.station,
            name=name or pairing.station.name,
            paired_by=pairing.created_by,
        )
        pairing.used_at, pairing.display = timezone.now(), display
        pairing.save(update_fields=["used_at", "display"])
        record_audit(
            actor=pairing.created_by, action="display_paired", subject=display, details={"station": pairing.station_id}
        )
    return display


def unpair_display(*, display: KitchenDisplay, by: User) -> KitchenDisplay:
    """A manager retires a screen: its session no longer opens anything."""
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager unpairs kitchen screens."))
    with transaction.atomic():
        display.is_active = False
        display.save(update_fields=["is_active"])
        record_audit(actor=by, action="display_unpaired", subject=display, details={})
        transaction.on_commit(lambda: broadcasts.announce_unpaired(display.pk, display.station_id))
    return display


@transaction.atomic
def reassign_fires(*, order: Order, waiter: User) -> list[Fire]:
    """The order changed hands: its open fires (and their tickets) name the new waiter, who is called when ready."""
    fires = list(Fire.objects.select_for_update().filter(order=order).exclude(status=Fire.Status.BUMPED))
    Fire.objects.filter(pk__in=[f.pk for f in fires]).update(waiter=waiter)
    tickets = list(Ticket.objects.filter(fire__in=fires).exclude(status=Ticket.Status.BUMPED))
    feed = _Feed()
    feed.ticket(*tickets)
    feed.fire(*fires)
    feed.commit()
    return fires
