"""Every state change of menus and orders. Views and consumers call these; nothing else writes.

Each service runs in one transaction, locks the order row it changes (so two tablets
on one table never lose each other's lines), and announces the change after commit.
"""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.models import (
    LINE_WORKFLOW,
    ORDER_WORKFLOW,
    Course,
    Item,
    LineStatusChange,
    Modifier,
    Order,
    OrderLine,
    OrderLineModifier,
    OrderStatusChange,
)
from orders.selectors import item_is_served_now
from orders.signals import (
    item_availability_changed,
    line_note_changed,
    line_voided,
    lines_added,
    order_assigned,
    order_opened,
    order_sent,
    order_transferred,
    orders_merged,
)
from staff.models import Role, User
from staff.services import approve_action, record_audit
from tables.models import Outlet, Table

MAX_LINE_QTY = 999
# Courses an outlet may use when it has not named its own.
DEFAULT_COURSE_COUNT = 5
FLOOR_ROLES = (Role.WAITER, Role.BARTENDER, Role.MANAGER)
# Who may watch an outlet's floor live and settle its bills: the floor, and the cashier.
FLOOR_WATCH_ROLES = (*FLOOR_ROLES, Role.CASHIER)


@dataclass
class LineRequest:
    """What a tablet asks for. Names and prices never come from the client."""

    item_id: int
    qty: int = 1
    seat: int = 0
    course: int | None = None
    note: str = ""
    modifier_ids: list[int] = field(default_factory=list)
    client_uuid: uuid.UUID | None = None


def _require_floor_role(person: User) -> None:
    if not person.has_role(*FLOOR_ROLES):
        raise PermissionDenied(_("Only waiters, bartenders and managers take orders."))


def _lock_order(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def _set_order_status(*, order: Order, to_status: str, by: User, note: str = "") -> None:
    ORDER_WORKFLOW.check(order.status, to_status)
    OrderStatusChange.objects.create(order=order, from_status=order.status, to_status=to_status, by=by, note=note)
    order.status = to_status


def _set_line_status(*, line: OrderLine, to_status: str, by: User, reason: str = "", approval=None) -> LineStatusChange:
    LINE_WORKFLOW.check(line.status, to_status)
    change = LineStatusChange(
        line=line, from_status=line.status, to_status=to_status, by=by, reason=reason, approval=approval
    )
    line.status = to_status
    return change


def _touch(order: Order, *fields: str) -> None:
    """Save the changed fields and bump the version (the row is locked, so +1 is exact)."""
    order.version += 1
    order.save(update_fields=["version", *fields])


def open_order(
    *,
    client_uuid: uuid.UUID,
    outlet: Outlet,
    waiter: User,
    kind: str = Order.Kind.DINE_IN,
    table: Table | None = None,
    covers: int = 1,
    tab_name: str = "",
    room_number: str = "",
) -> tuple[Order, bool]:
    """Open an order (idempotent on `client_uuid`). Returns (order, created).

    A dine-in order needs a free table of the same outlet; a retried request with the
    same client UUID returns the order the first request opened.
    """
    _require_floor_role(waiter)
    existing = Order.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return existing, False
    if kind not in Order.Kind.values:
        raise ValidationError({"kind": _("Unknown order kind.")})
    if not isinstance(covers, int) or covers < 1 or covers > 99:
        raise ValidationError({"covers": _("Covers are between 1 and 99.")})
    if kind == Order.Kind.DINE_IN and table is None:
        raise ValidationError({"table": _("A dine-in order needs a table.")})
    if table is not None and (table.outlet_id != outlet.pk or not table.is_active):
        raise ValidationError({"table": _("This table is not on this outlet's floor.")})
    if kind == Order.Kind.BAR_TAB and not tab_name.strip() and table is None:
        raise ValidationError({"tab_name": _("Give the tab a name.")})
    if kind == Order.Kind.ROOM_SERVICE and not room_number.strip():
        raise ValidationError({"room_number": _("Room service needs a room number.")})
    try:
        with transaction.atomic():
            order = Order.objects.create(
                client_uuid=client_uuid,
                outlet=outlet,
                kind=kind,
                table=table,
                covers=covers,
                waiter=waiter,
                tab_name=tab_name.strip(),
                room_number=room_number.strip(),
            )
            order_opened.send(sender=Order, order=order, by=waiter)
            broadcasts.announce_order_on_commit(order)
    except IntegrityError:
        # Either this very request raced its own retry, or another tablet opened the table first.
        existing = Order.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
        other = Order.objects.select_related("waiter").filter(table=table, status=Order.Status.OPEN).first()
        raise ValidationError(
            {
                "table": _("Table %(table)s is already open (%(waiter)s).")
                % {"table": table.number, "waiter": other.waiter}
            }
            if other
            else {"table": _("This table is already open.")}
        ) from None
    return order, True


def _valid_courses(outlet_id: int) -> set[int]:
    numbers = set(Course.objects.filter(outlet_id=outlet_id).values_list("number", flat=True))
    return numbers or set(range(1, DEFAULT_COURSE_COUNT + 1))


def _resolve_modifiers(item: Item, modifier_ids: list[int]) -> list[tuple[Modifier, int, Modifier | None]]:
    """Check the chosen modifiers against the item's groups (and the groups they open).

    Returns (modifier, charged price delta, parent modifier) in the order chosen; the
    first `free_choices` of each group are charged 0.
    """
    if len(set(modifier_ids)) != len(modifier_ids):
        raise ValidationError({"modifiers": _("A modifier was chosen twice.")})
    chosen = {m.pk: m for m in Modifier.objects.select_related("group", "opens_group").filter(pk__in=modifier_ids)}
    if len(chosen) != len(modifier_ids):
        raise ValidationError({"modifiers": _("Unknown modifier.")})
    item_groups = list(item.modifier_groups.all())
    # Group id -> the chosen modifier that opened it (None for the item's own groups).
    offered = {group.pk: None for group in item_groups}
    groups = {group.pk: group for group in item_groups}
    changed = True
    while changed:  # nested groups: a chosen modifier may open a further group
        changed = False
        for modifier in chosen.values():
            if modifier.group_id in offered and modifier.opens_group_id and modifier.opens_group_id not in offered:
                offered[modifier.opens_group_id] = modifier
                groups[modifier.opens_group_id] = modifier.opens_group
                changed = True
    result = []
    per_group: dict[int, int] = {}
    for modifier_id in modifier_ids:
        modifier = chosen[modifier_id]
        if modifier.group_id not in offered:
            raise ValidationError(
                {"modifiers": _("%(modifier)s is not offered with %(item)s.") % {"modifier": modifier, "item": item}}
            )
        if not modifier.is_available:
            raise ValidationError({"modifiers": _("%(modifier)s is sold out.") % {"modifier": modifier.name}})
        group = groups[modifier.group_id]
        rank = per_group.get(group.pk, 0)
        per_group[group.pk] = rank + 1
        delta = 0 if rank < group.free_choices else modifier.price_delta
        result.append((modifier, delta, offered[modifier.group_id]))
    for group_id, group in groups.items():
        count = per_group.get(group_id, 0)
        if count < group.min_choices:
            raise ValidationError(
                {"modifiers": _("%(group)s: choose at least %(n)d.") % {"group": group.name, "n": group.min_choices}}
            )
        if group.max_choices is not None and count > group.max_choices:
            raise ValidationError(
                {"modifiers": _("%(group)s: choose at most %(n)d.") % {"group": group.name, "n": group.max_choices}}
            )
    return result


def _take_from_countdown(item: Item, qty: int) -> bool:
    """Take `qty` off an item's countdown; False if not enough are left. True if it changed."""
    if item.remaining_qty is None:
        return False
    taken = Item.objects.filter(pk=item.pk, remaining_qty__gte=qty).update(remaining_qty=F("remaining_qty") - qty)
    if not taken:
        left = Item.objects.values_list("remaining_qty", flat=True).get(pk=item.pk)
        raise ValidationError(
            {"qty": _("Only %(left)d of %(item)s left.") % {"left": left, "item": item.name}}
            if left
            else {"item": _("%(item)s is 86'd (sold out).") % {"item": item.name}}
        )
    return True


def _give_back_to_countdown(item_id: int, qty: int) -> bool:
    return bool(
        Item.objects.filter(pk=item_id, remaining_qty__isnull=False).update(remaining_qty=F("remaining_qty") + qty)
    )


def _validate_line_fields(*, order: Order, qty, seat, course, note: str, courses: set[int] | None = None) -> None:
    if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
        raise ValidationError({"qty": _("The quantity must be at least 1.")})
    if qty > MAX_LINE_QTY:
        raise ValidationError({"qty": _("The quantity is at most %(n)d.") % {"n": MAX_LINE_QTY}})
    if not isinstance(seat, int) or isinstance(seat, bool) or seat < 0 or seat > order.covers:
        raise ValidationError(
            {
                "seat": _("There is no seat %(seat)s: this table has %(covers)d guests.")
                % {"seat": seat, "covers": order.covers}
            }
        )
    if courses is None:
        courses = _valid_courses(order.outlet_id)
    if not isinstance(course, int) or course not in courses:
        raise ValidationError({"course": _("Course %(course)s does not exist here.") % {"course": course}})
    if len(note) > 200:
        raise ValidationError({"note": _("A note is at most 200 characters.")})


def _build_line(*, order: Order, request: LineRequest, by: User, courses: set[int]) -> tuple[OrderLine, bool]:
    """Validate one requested line against the menu and write it (inside add_lines' lock)."""
    item = (
        Item.objects.select_related("category__menu", "tax_rate", "takeaway_tax_rate")
        .prefetch_related("category__menu__windows", "modifier_groups")
        .filter(pk=request.item_id, category__menu__outlet_id=order.outlet_id)
        .first()
    )
    if item is None:
        raise ValidationError({"item": _("No such item on this outlet's menu.")})
    if item.is_86d:
        raise ValidationError({"item": _("%(item)s is 86'd (sold out).") % {"item": item.name}})
    if not item_is_served_now(item):
        raise ValidationError({"item": _("%(item)s is not served at this time.") % {"item": item.name}})
    course = request.course if request.course is not None else item.course
    note = (request.note or "").strip()
    _validate_line_fields(order=order, qty=request.qty, seat=request.seat, course=course, note=note, courses=courses)
    modifiers = _resolve_modifiers(item, list(request.modifier_ids))
    countdown_changed = _take_from_countdown(item, request.qty)
    line = OrderLine.objects.create(
        order=order,
        client_uuid=request.client_uuid or uuid.uuid4(),
        item=item,
        name=item.name,
        kitchen_name=item.short_name or item.name,
        unit_price=item.price,
        modifiers_price=sum(delta for _, delta, _ in modifiers),
        tax_percent=item.tax_rate_for(order.kind).percent,
        qty=request.qty,
        seat=request.seat,
        course=course,
        note=note,
        added_by=by,
    )
    _copy_modifiers_onto(line, modifiers)
    return line, countdown_changed


def _copy_modifiers_onto(line: OrderLine, modifiers: list[tuple[Modifier, int, Modifier | None]]) -> None:
    """Snapshot the chosen modifiers (name, charged price, nesting) onto the line."""
    snapshots: dict[int, OrderLineModifier] = {}
    for index, (modifier, delta, parent) in enumerate(modifiers):
        snapshots[modifier.pk] = OrderLineModifier.objects.create(
            line=line,
            modifier=modifier,
            group_name=modifier.group.name,
            name=modifier.name,
            price_delta=delta,
            parent=snapshots.get(parent.pk) if parent else None,
            sort_order=index,
        )


def add_lines(*, order: Order, requests: list[LineRequest], by: User) -> list[tuple[OrderLine, bool]]:
    """Add pending lines to an open order, all or none (idempotent on each line's client UUID).

    Copies name, price and tax from the menu, checks modifiers, seat, course and
    availability, and takes the quantities off the items' countdowns. Returns
    (line, created) per request; a line whose UUID is already on the order is returned
    as it was. Errors name the field, prefixed with the line's index when several.
    """
    _require_floor_role(by)
    if not requests:
        raise ValidationError({"lines": _("Add at least one line.")})
    uuids = [r.client_uuid for r in requests if r.client_uuid is not None]
    if len(set(uuids)) != len(uuids):
        raise ValidationError({"client_uuid": _("Two lines share one client UUID.")})
    with transaction.atomic():
        # Lines already written by an earlier try of this request are looked up under
        # the order's lock, so a retry racing its first attempt still writes nothing twice.
        order = _lock_order(order)
        existing = {line.client_uuid: line for line in OrderLine.objects.filter(client_uuid__in=uuids)}
        if any(line.order_id != order.pk for line in existing.values()):
            raise ValidationError({"client_uuid": _("This line UUID belongs to another order.")})
        if len(existing) == len(requests):
            return [(existing[r.client_uuid], False) for r in requests]
        if order.status != Order.Status.OPEN:
            raise ValidationError({"order": _("This order is no longer open.")})
        courses = _valid_courses(order.outlet_id)
        results: list[tuple[OrderLine, bool]] = []
        changed_items: list[int] = []
        for index, request in enumerate(requests):
            if request.client_uuid in existing:
                results.append((existing[request.client_uuid], False))
                continue
            try:
                line, countdown_changed = _build_line(order=order, request=request, by=by, courses=courses)
            except ValidationError as error:
                if len(requests) == 1:
                    raise
                raise ValidationError(
                    {f"lines[{index}].{field}": messages for field, messages in error.message_dict.items()}
                ) from None
            results.append((line, True))
            if countdown_changed:
                changed_items.append(line.item_id)
        # New items make a printed bill stale.
        order.bill_printed_at = None
        _touch(order, "bill_printed_at")
        new_lines = [line for line, created in results if created]
        lines_added.send(sender=Order, order=order, lines=new_lines, by=by)
        broadcasts.announce_order_on_commit(order)
        broadcasts.announce_items_on_commit(changed_items)
    return results


def add_line(*, order: Order, request: LineRequest, by: User) -> tuple[OrderLine, bool]:
    """Add one pending line; see add_lines. Returns (line, created)."""
    return add_lines(order=order, requests=[request], by=by)[0]


def _pending_line_for_update(line: OrderLine) -> tuple[Order, OrderLine]:
    order = _lock_order(line.order)
    line = OrderLine.objects.select_for_update().get(pk=line.pk)
    if line.status != OrderLine.Status.PENDING:
        raise ValidationError({"line": _("This line was sent to the kitchen; void it instead.")})
    return order, line


def update_pending_line(
    *,
    line: OrderLine,
    by: User,
    qty: int | None = None,
    seat: int | None = None,
    course: int | None = None,
    note: str | None = None,
    modifier_ids: list[int] | None = None,
) -> OrderLine:
    """Change a line that has not been sent yet: quantity, seat, course, note or choices.

    New choices are checked like a new line's and priced as the menu stands now.
    Sent lines can only be voided.
    """
    _require_floor_role(by)
    with transaction.atomic():
        order, line = _pending_line_for_update(line)
        new_qty = line.qty if qty is None else qty
        new_note = line.note if note is None else (note or "").strip()
        new_seat = line.seat if seat is None else seat
        new_course = line.course if course is None else course
        _validate_line_fields(order=order, qty=new_qty, seat=new_seat, course=new_course, note=new_note)
        if modifier_ids is not None:
            item = Item.objects.prefetch_related("modifier_groups").get(pk=line.item_id)
            modifiers = _resolve_modifiers(item, list(modifier_ids))
            # Never sent, so never on a ticket or a bill: the old choices can simply go.
            line.modifiers.filter(parent__isnull=False).delete()
            line.modifiers.all().delete()
            _copy_modifiers_onto(line, modifiers)
            line.modifiers_price = sum(delta for _, delta, _ in modifiers)
            line.save(update_fields=["modifiers_price"])
        countdown_changed = False
        if new_qty > line.qty:
            countdown_changed = _take_from_countdown(line.item, new_qty - line.qty)
        elif new_qty < line.qty:
            countdown_changed = _give_back_to_countdown(line.item_id, line.qty - new_qty)
        line.qty, line.note, line.seat, line.course = new_qty, new_note, new_seat, new_course
        line.save(update_fields=["qty", "note", "seat", "course"])
        _touch(order)
        broadcasts.announce_order_on_commit(order)
        if countdown_changed:
            broadcasts.announce_items_on_commit([line.item_id])
    return line


def change_sent_line_note(*, line: OrderLine, by: User, note: str) -> OrderLine:
    """Change the note of a line the kitchen already has ("no salt", "allergy: nuts").

    The kitchen hears it through `line_note_changed` and flashes the note on its ticket.
    """
    _require_floor_role(by)
    note = (note or "").strip()
    with transaction.atomic():
        order = _lock_order(line.order)
        line = OrderLine.objects.select_for_update().get(pk=line.pk)
        if line.status != OrderLine.Status.SENT:
            raise ValidationError({"line": _("Only a line in the kitchen takes a new note this way.")})
        _validate_line_fields(order=order, qty=line.qty, seat=line.seat, course=line.course, note=note)
        if note == line.note:
            return line
        line.note = note
        line.save(update_fields=["note"])
        _touch(order)
        record_audit(actor=by, action="sent_line_note_changed", subject=line, details={"note": note})
        line_note_changed.send(sender=Order, order=order, line=line, by=by)
        broadcasts.announce_order_on_commit(order)
    return line


def remove_pending_line(*, line: OrderLine, by: User) -> OrderLine:
    """Take back a line that was never sent; its quantity returns to the countdown."""
    _require_floor_role(by)
    with transaction.atomic():
        order, line = _pending_line_for_update(line)
        _set_line_status(line=line, to_status=OrderLine.Status.REMOVED, by=by).save()
        line.save(update_fields=["status"])
        countdown_changed = _give_back_to_countdown(line.item_id, line.qty)
        _touch(order)
        broadcasts.announce_order_on_commit(order)
        if countdown_changed:
            broadcasts.announce_items_on_commit([line.item_id])
    return line


def send_to_kitchen(*, order: Order, by: User, course: int | None = None) -> list[OrderLine]:
    """Send the order's pending lines (or one course's) to the kitchen.

    Receivers of `order_sent` (the kitchen) create their tickets in this transaction.
    Sending with nothing pending is not an error: it returns no lines.
    """
    _require_floor_role(by)
    with transaction.atomic():
        order = _lock_order(order)
        if order.status != Order.Status.OPEN:
            raise ValidationError({"order": _("This order is no longer open.")})
        pending = OrderLine.objects.select_for_update().filter(order=order, status=OrderLine.Status.PENDING)
        if course is not None:
            pending = pending.filter(course=course)
        lines = list(pending)
        if not lines:
            return []
        now = timezone.now()
        changes = []
        for line in lines:
            changes.append(_set_line_status(line=line, to_status=OrderLine.Status.SENT, by=by))
            line.sent_at = now
        OrderLine.objects.bulk_update(lines, ["status", "sent_at"])
        LineStatusChange.objects.bulk_create(changes)
        _touch(order)
        order_sent.send(sender=Order, order=order, lines=lines, by=by)
        broadcasts.announce_order_on_commit(order)
    return lines


def serve_lines(*, order: Order, by: User, course: int | None = None) -> list[OrderLine]:
    """Mark sent lines (or one course's) as served at the table."""
    _require_floor_role(by)
    with transaction.atomic():
        order = _lock_order(order)
        if order.status != Order.Status.OPEN:
            raise ValidationError({"order": _("This order is no longer open.")})
        sent = OrderLine.objects.select_for_update().filter(order=order, status=OrderLine.Status.SENT)
        if course is not None:
            sent = sent.filter(course=course)
        lines = list(sent)
        changes = [_set_line_status(line=line, to_status=OrderLine.Status.SERVED, by=by) for line in lines]
        OrderLine.objects.bulk_update(lines, ["status"])
        LineStatusChange.objects.bulk_create(changes)
        if lines:
            _touch(order)
            broadcasts.announce_order_on_commit(order)
    return lines


def void_line(
    *, line: OrderLine, by: User, reason: str, approver_id: int | None, approver_pin: str | None
) -> OrderLine:
    """Void a line that was already sent, with a reason and a manager's PIN approval.

    The line stays on the order as void; its history row keeps who, why and who approved.
    """
    _require_floor_role(by)
    line = OrderLine.objects.get(pk=line.pk)
    if line.status == OrderLine.Status.PENDING:
        raise ValidationError({"line": _("This line was not sent yet: remove it instead of voiding it.")})
    LINE_WORKFLOW.check(line.status, OrderLine.Status.VOID)
    if approver_id is None or not approver_pin:
        raise ValidationError({"approver_pin": _("A manager must approve a void with their PIN.")})
    approval = approve_action(
        action="void_line", approver_id=approver_id, pin=approver_pin, requested_by=by, reason=reason
    )
    with transaction.atomic():
        order = _lock_order(line.order)
        line = OrderLine.objects.select_for_update().get(pk=line.pk)
        _set_line_status(
            line=line, to_status=OrderLine.Status.VOID, by=by, reason=approval.reason, approval=approval
        ).save()
        line.save(update_fields=["status"])
        _touch(order)
        record_audit(
            actor=by,
            action="line_voided",
            subject=line,
            approval=approval,
            reason=approval.reason,
            details={
                "order": order.pk,
                "item": line.name,
                "qty": line.qty,
                "amount": line.qty * (line.unit_price + line.modifiers_price),
            },
        )
        line_voided.send(sender=Order, order=order, line=line, by=by, reason=approval.reason, approval=approval)
        broadcasts.announce_order_on_commit(order)
    return line


def transfer_order(*, order: Order, to_table: Table, by: User) -> Order:
    """Move an open order to another (free) table of the same outlet."""
    _require_floor_role(by)
    with transaction.atomic():
        order = _lock_order(order)
        if order.status != Order.Status.OPEN:
            raise ValidationError({"order": _("This order is no longer open.")})
        if to_table.outlet_id != order.outlet_id or not to_table.is_active:
            raise ValidationError({"table": _("This table is not on this outlet's floor.")})
        if to_table.pk == order.table_id:
            raise ValidationError({"table": _("The order is already at this table.")})
        occupied = ValidationError(
            {"table": _("Table %(table)s is occupied: merge the tables instead.") % {"table": to_table.number}}
        )
        # Two orders moved to one free table at once: the table's lock makes the second wait and see it taken.
        Table.objects.select_for_update().get(pk=to_table.pk)
        if Order.objects.filter(table=to_table, status=Order.Status.OPEN).exists():
            raise occupied
        from_table_id = order.table_id
        order.table = to_table
        try:
            # A table opened at that very moment (open_order takes no table lock) trips the constraint.
            with transaction.atomic():
                _touch(order, "table")
        except IntegrityError:
            raise occupied from None
        record_audit(
            actor=by, action="order_transferred", subject=order, details={"from": from_table_id, "to": to_table.pk}
        )
        order_transferred.send(sender=Order, order=order, from_table_id=from_table_id, to_table=to_table, by=by)
        broadcasts.announce_order_on_commit(order, other_tables=(from_table_id,))
    return order


def merge_orders(*, source: Order, target: Order, by: User) -> Order:
    """Move every line of `source` onto `target` (two tables pushed together).

    Covers add up and the source's seats are renumbered after the target's, so
    seat 1 of the second table becomes seat (target covers + 1).
    """
    _require_floor_role(by)
    if source.pk == target.pk:
        raise ValidationError({"source_order": _("An order cannot be merged into itself.")})
    with transaction.atomic():
        # Lock in id order so two merges the other way round cannot deadlock.
        locked = {
            o.pk: o for o in Order.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
        }
        source, target = locked[source.pk], locked[target.pk]
        if source.status != Order.Status.OPEN or target.status != Order.Status.OPEN:
            raise ValidationError({"source_order": _("Both orders must be open.")})
        if source.outlet_id != target.outlet_id:
            raise ValidationError({"source_order": _("Orders of different outlets cannot be merged.")})
        seat_offset = target.covers
        lines = list(OrderLine.objects.select_for_update().filter(order=source))
        for line in lines:
            line.order = target
            if line.seat:
                line.seat += seat_offset
        OrderLine.objects.bulk_update(lines, ["order", "seat"])
        target.covers = target.covers + source.covers
        target.bill_printed_at = None
        _touch(target, "covers", "bill_printed_at")
        _set_order_status(order=source, to_status=Order.Status.MERGED, by=by, note=f"into #{target.pk}")
        source.merged_into = target
        source.closed_at = timezone.now()
        source.save(update_fields=["status", "merged_into", "closed_at"])
        record_audit(actor=by, action="orders_merged", subject=target, details={"source": source.pk})
        orders_merged.send(sender=Order, source=source, target=target, by=by)
        broadcasts.announce_order_on_commit(target)
        broadcasts.announce_order_on_commit(source)
    return target


def assign_order(*, order: Order, waiter: User, by: User) -> Order:
    """Hand an open order (and so its table) to another waiter."""
    _require_floor_role(by)
    if not waiter.has_role(*FLOOR_ROLES):
        raise ValidationError({"waiter": _("%(person)s does not take orders.") % {"person": waiter}})
    with transaction.atomic():
        order = _lock_order(order)
        if order.status != Order.Status.OPEN:
            raise ValidationError({"order": _("This order is no longer open.")})
        from_waiter_id = order.waiter_id
        order.waiter = waiter
        _touch(order, "waiter")
        record_audit(
            actor=by, action="order_assigned", subject=order, details={"from": from_waiter_id, "to": waiter.pk}
        )
        order_assigned.send(sender=Order, order=order, from_waiter_id=from_waiter_id, to_waiter=waiter, by=by)
        broadcasts.announce_order_on_commit(order)
    return order


def change_covers(*, order: Order, covers: int, by: User) -> Order:
    """Change the number of guests; never below the highest seat that has items."""
    _require_floor_role(by)
    if not isinstance(covers, int) or covers < 1 or covers > 99:
        raise ValidationError({"covers": _("Covers are between 1 and 99.")})
    with transaction.atomic():
        order = _lock_order(order)
        highest = order.lines.exclude(status=OrderLine.Status.REMOVED).aggregate(highest=Max("seat"))["highest"] or 0
        if covers < highest:
            raise ValidationError(
                {"covers": _("Seat %(seat)d has items, so there are at least %(seat)d guests.") % {"seat": highest}}
            )
        order.covers = covers
        _touch(order, "covers")
        broadcasts.announce_order_on_commit(order)
    return order


def mark_bill_printed(*, order: Order, by: User) -> Order:
    """Record that the bill was printed, so the floor shows the table waiting to pay."""
    with transaction.atomic():
        order = _lock_order(order)
        if order.status != Order.Status.OPEN:
            raise ValidationError({"order": _("This order is no longer open.")})
        order.bill_printed_at = timezone.now()
        _touch(order, "bill_printed_at")
        broadcasts.announce_order_on_commit(order)
    return order


AVAILABILITY_ROLES = (Role.MANAGER, Role.KITCHEN, Role.WAITER, Role.BARTENDER)
# Who 86'es without a manager's PIN even where the outlet asks for one from waiters.
KITCHEN_86_ROLES = (Role.MANAGER, Role.KITCHEN)
# Who may listen on an outlet's floor socket: the floor, the cashier, and the kitchen for its 86 board.
FLOOR_SOCKET_ROLES = (*FLOOR_WATCH_ROLES, Role.KITCHEN)


@dataclass(frozen=True)
class StationScreen:
    """A paired kitchen screen as the one who 86'es: not a person, it may change its own outlet's menu.

    The kitchen app builds it from its display (orders cannot import kitchen); the audit
    log names the display, with no person as the actor.
    """

    display_id: int
    outlet_id: int
    name: str


def _approve_86(
    *, by: User | StationScreen, outlets: list[Outlet], what: str, approver_id: int | None, approver_pin: str | None
):
    """The rule of who may 86 what: returns the manager's approval when the outlet asks for one."""
    if isinstance(by, StationScreen):
        if by.outlet_id not in {outlet.pk for outlet in outlets}:
            raise PermissionDenied(_("This screen belongs to another outlet."))
        return None
    if not by.has_role(*AVAILABILITY_ROLES):
        raise PermissionDenied(_("You cannot change what is available."))
    if by.has_role(*KITCHEN_86_ROLES) or not any(outlet.waiter_86_needs_manager for outlet in outlets):
        return None
    if not approver_id or not approver_pin:
        raise ValidationError({"approver": _("This needs a manager's approval: a manager enters their PIN.")})
    return approve_action(
        action="86",
        approver_id=approver_id,
        pin=approver_pin,
        requested_by=by,
        reason=_("86: %(item)s") % {"item": what},
    )


def _audit_86(*, by: User | StationScreen, action: str, subject, approval, details: dict) -> None:
    if isinstance(by, StationScreen):
        details = {**details, "display": by.display_id, "display_name": by.name}
    record_audit(
        actor=by if isinstance(by, User) else None, action=action, subject=subject, approval=approval, details=details
    )


def set_item_availability(
    *,
    item: Item,
    by: User | StationScreen,
    is_available: bool | None = None,
    remaining_qty: int | type(...) | None = ...,
    approver_id: int | None = None,
    approver_pin: str | None = None,
) -> Item:
    """86 or un-86 an item, or set its countdown (None clears it). Every tablet hears of it.

    Kitchen, managers and waiters may; a kitchen screen only for its own outlet; a waiter
    or bartender with a manager's PIN where the outlet says so.
    """
    if is_available is not None and not isinstance(is_available, bool):
        raise ValidationError({"is_available": _("Say yes or no.")})
    counted = remaining_qty is not ... and remaining_qty is not None
    if counted and (isinstance(remaining_qty, bool) or not isinstance(remaining_qty, int) or remaining_qty < 0):
        raise ValidationError({"remaining_qty": _("The countdown is a whole number, 0 or more.")})
    if is_available is None and remaining_qty is ...:
        raise ValidationError({"detail": _("Say what to change: is_available or remaining_qty.")})
    with transaction.atomic():
        item = Item.objects.select_for_update(of=("self",)).select_related("category__menu__outlet").get(pk=item.pk)
        approval = _approve_86(
            by=by,
            outlets=[item.category.menu.outlet],
            what=item.name,
            approver_id=approver_id,
            approver_pin=approver_pin,
        )
        fields = []
        if is_available is not None:
            item.is_available = is_available
            fields.append("is_available")
        if remaining_qty is not ...:
            item.remaining_qty = remaining_qty
            fields.append("remaining_qty")
        item.save(update_fields=fields)
        _audit_86(
            by=by,
            action="item_availability_changed",
            subject=item,
            approval=approval,
            details={"is_available": item.is_available, "remaining_qty": item.remaining_qty},
        )
        item_availability_changed.send(sender=Item, items=[item], by=by)
        broadcasts.announce_items_on_commit([item.pk])
    return item


def set_modifier_availability(
    *,
    modifier: Modifier,
    by: User | StationScreen,
    is_available: bool,
    approver_id: int | None = None,
    approver_pin: str | None = None,
) -> Modifier:
    """Mark a choice sold out ("no more fries") or back; every tablet offering it hears of it.

    The rule is the items': a choice belongs to every outlet whose items offer its group.
    """
    if not isinstance(is_available, bool):
        raise ValidationError({"is_available": _("Say yes or no.")})
    with transaction.atomic():
        modifier = Modifier.objects.select_for_update().get(pk=modifier.pk)
        group = modifier.group_id
        offering = Q(menus__categories__items__modifier_groups=group)
        # A group opened by another group's choice (Side salad -> Dressing) belongs to their outlets.
        offering |= Q(menus__categories__items__modifier_groups__modifiers__opens_group=group)
        outlets = list(Outlet.objects.filter(offering).distinct())
        approval = _approve_86(
            by=by, outlets=outlets, what=modifier.name, approver_id=approver_id, approver_pin=approver_pin
        )
        modifier.is_available = is_available
        modifier.save(update_fields=["is_available"])
        _audit_86(
            by=by,
            action="modifier_availability_changed",
            subject=modifier,
            approval=approval,
            details={"is_available": is_available},
        )
        broadcasts.announce_modifier_on_commit(modifier)
    return modifier


def close_order(*, order: Order, by: User) -> Order:
    """Close a settled order (billing calls this when its checks are paid); the table is free again."""
    with transaction.atomic():
        order = _lock_order(order)
        _set_order_status(order=order, to_status=Order.Status.CLOSED, by=by)
        order.closed_at = timezone.now()
        _touch(order, "status", "closed_at")
        broadcasts.announce_order_on_commit(order)
    return order


def reopen_order(*, order: Order, by: User, note: str = "") -> Order:
    """Reopen a closed order (a check reopened with a manager's approval)."""
    with transaction.atomic():
        order = _lock_order(order)
        if order.table_id and Order.objects.filter(table_id=order.table_id, status=Order.Status.OPEN).exists():
            raise ValidationError({"order": _("The table has a new order: reopen it after that one is settled.")})
        _set_order_status(order=order, to_status=Order.Status.OPEN, by=by, note=note)
        order.closed_at = None
        _touch(order, "status", "closed_at")
        broadcasts.announce_order_on_commit(order)
    return order
