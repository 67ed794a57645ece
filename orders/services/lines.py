"""An order's lines before the kitchen has them: added (with modifiers, from the countdown), changed, noted, removed."""

import uuid
from dataclasses import dataclass, field
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.allergens import in_annex_order
from orders.languages import first_filled, snapshot
from orders.models import (
    Course,
    Item,
    Modifier,
    Order,
    OrderLine,
    OrderLineModifier,
    SetMenuCourse,
)
from orders.prices import PriceRule, effective_price
from orders.selectors import item_is_served_now, local_now, price_rules
from orders.services.lifecycle import _lock_order, _require_floor_role, _set_line_status, _touch
from orders.set_menus import spread_set_price
from orders.signals import (
    line_note_changed,
    lines_added,
)
from staff.models import User
from staff.services import record_audit

MAX_LINE_QTY = 999
# Courses an outlet may use when it has not named its own.
DEFAULT_COURSE_COUNT = 5


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
    # For a set menu: the dish chosen per course.
    set_choices: list["SetChoice"] = field(default_factory=list)


@dataclass
class SetChoice:
    """The dish a guest picked for one course of a set menu, with its own choices."""

    course: int
    item_id: int
    modifier_ids: list[int] = field(default_factory=list)


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


def _build_line(
    *, order: Order, request: LineRequest, by: User, courses: set[int], rules: list[PriceRule]
) -> tuple[OrderLine, bool]:
    """Validate one requested line against the menu and write it (inside add_lines' lock).

    The price is the item's at this moment (price lists, happy hour: `orders.prices`), copied.
    """
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
    set_courses = list(SetMenuCourse.objects.filter(set_item=item).prefetch_related("choices"))
    parts = _resolve_set_choices(item, set_courses, request.set_choices, courses)
    countdown_changed = _take_from_countdown(item, request.qty)
    unit_price = effective_price(
        item_id=item.pk, category_id=item.category_id, price=item.price, rules=rules, at=local_now()
    )
    line = OrderLine.objects.create(
        order=order,
        client_uuid=request.client_uuid or uuid.uuid4(),
        item=item,
        name=item.name,
        kitchen_name=item.short_name or item.name,
        # Both languages are copied, so each screen and slip reads its own and a menu edit changes neither.
        **snapshot(item, name=attrgetter("name"), kitchen_name=lambda i: first_filled(i, "short_name", "name")),
        # A set's price lives on its dishes (see _add_set_parts); the set's own line is 0.
        unit_price=0 if parts else unit_price,
        modifiers_price=sum(delta for _, delta, _ in modifiers),
        tax_percent=item.tax_rate_for(order.kind).percent,
        allergens=_line_allergens(item, modifiers),
        qty=request.qty,
        seat=request.seat,
        course=min(part[0] for part in parts) if parts else course,
        note=note,
        added_by=by,
    )
    _copy_modifiers_onto(line, modifiers)
    if parts:
        countdown_changed = _add_set_parts(line, parts, set_price=unit_price, by=by) or countdown_changed
    return line, countdown_changed


SetPart = tuple[int, Item, list[tuple[Modifier, int, Modifier | None]]]


def _resolve_set_choices(
    item: Item, set_courses: list[SetMenuCourse], choices: list[SetChoice], courses: set[int]
) -> list[SetPart]:
    """Check one dish per course of a set menu; (course, dish, its modifiers) in course order."""
    if not set_courses:
        if choices:
            raise ValidationError({"set_choices": _("%(item)s is not a set menu.") % {"item": item.name}})
        return []
    by_course = {}
    for choice in choices:
        if choice.course in by_course:
            raise ValidationError({"set_choices": _("Course %(course)s was chosen twice.") % {"course": choice.course}})
        by_course[choice.course] = choice
    known = {set_course.course for set_course in set_courses}
    for number in by_course:
        if number not in known:
            raise ValidationError(
                {"set_choices": _("%(item)s has no course %(course)s.") % {"item": item.name, "course": number}}
            )
    parts = []
    for set_course in set_courses:
        choice = by_course.get(set_course.course)
        if choice is None:
            raise ValidationError(
                {"set_choices": _("Choose a dish for course %(course)s.") % {"course": set_course.course}}
            )
        dish = next((d for d in set_course.choices.all() if d.pk == choice.item_id), None)
        if dish is None:
            raise ValidationError(
                {"set_choices": _("This dish is not a choice for course %(course)s.") % {"course": set_course.course}}
            )
        if dish.is_86d:
            raise ValidationError({"set_choices": _("%(item)s is 86'd (sold out).") % {"item": dish.name}})
        if set_course.course not in courses:
            raise ValidationError(
                {"set_choices": _("Course %(course)s does not exist here.") % {"course": set_course.course}}
            )
        try:
            modifiers = _resolve_modifiers(dish, list(choice.modifier_ids))
        except ValidationError as error:
            raise ValidationError(
                {"set_choices": [f"{dish.name}: {m}" for ms in error.message_dict.values() for m in ms]}
            ) from None
        parts.append((set_course.course, dish, modifiers))
    return parts


def _add_set_parts(line: OrderLine, parts: list[SetPart], *, set_price: int, by: User) -> bool:
    """Write the chosen dishes of a set as lines of their own, each with its share of the set price.

    Each dish keeps its own tax rate, station, course, modifiers and allergens; a dish's
    paid extras (a supplement modifier) are charged on top. True if a countdown changed.
    """
    shares = spread_set_price(set_price, [dish.price for _, dish, _ in parts])
    countdown_changed = False
    for (course, dish, modifiers), share in zip(parts, shares, strict=True):
        countdown_changed = _take_from_countdown(dish, line.qty) or countdown_changed
        part = OrderLine.objects.create(
            order=line.order,
            item=dish,
            name=dish.name,
            kitchen_name=dish.short_name or dish.name,
            **snapshot(dish, name=attrgetter("name"), kitchen_name=lambda i: first_filled(i, "short_name", "name")),
            unit_price=share,
            modifiers_price=sum(delta for _, delta, _ in modifiers),
            tax_percent=dish.tax_rate_for(line.order.kind).percent,
            allergens=_line_allergens(dish, modifiers),
            qty=line.qty,
            seat=line.seat,
            course=course,
            added_by=by,
            set_line=line,
        )
        _copy_modifiers_onto(part, modifiers)
    return countdown_changed


def _line_allergens(item: Item, modifiers: list[tuple[Modifier, int, Modifier | None]]) -> list[str]:
    """The dish's allergens and those its chosen modifiers add, as the menu says now."""
    return in_annex_order([*item.allergens, *(code for modifier, _, _ in modifiers for code in modifier.allergens)])


def _copy_modifiers_onto(line: OrderLine, modifiers: list[tuple[Modifier, int, Modifier | None]]) -> None:
    """Snapshot the chosen modifiers (name, charged price, nesting) onto the line."""
    snapshots: dict[int, OrderLineModifier] = {}
    for index, (modifier, delta, parent) in enumerate(modifiers):
        snapshots[modifier.pk] = OrderLineModifier.objects.create(
            line=line,
            modifier=modifier,
            group_name=modifier.group.name,
            name=modifier.name,
            **snapshot(modifier, group_name=attrgetter("group.name"), name=attrgetter("name")),
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
        # One read of the outlet's price rules for the whole batch.
        rules = price_rules(outlet_id=order.outlet_id, on=local_now().date(), item_ids=[r.item_id for r in requests])
        results: list[tuple[OrderLine, bool]] = []
        changed_items: list[int] = []
        for index, request in enumerate(requests):
            if request.client_uuid in existing:
                results.append((existing[request.client_uuid], False))
                continue
            try:
                line, countdown_changed = _build_line(order=order, request=request, by=by, courses=courses, rules=rules)
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
        parts = list(line.set_parts.select_for_update())
        if (parts or line.set_line_id) and new_qty != line.qty:
            raise ValidationError({"qty": _("A set menu's quantity cannot change: remove it and add it again.")})
        if line.set_line_id and new_seat != line.seat:
            raise ValidationError({"seat": _("A dish of a set menu sits where its set does: move the set.")})
        if parts and new_seat != line.seat:
            # The set and its dishes stay on one seat, so a split by seat moves them together.
            OrderLine.objects.filter(set_line=line).update(seat=new_seat)
        if modifier_ids is not None:
            item = Item.objects.prefetch_related("modifier_groups").get(pk=line.item_id)
            modifiers = _resolve_modifiers(item, list(modifier_ids))
            # Never sent, so never on a ticket or a bill: the old choices can simply go.
            line.modifiers.filter(parent__isnull=False).delete()
            line.modifiers.all().delete()
            _copy_modifiers_onto(line, modifiers)
            line.modifiers_price = sum(delta for _, delta, _ in modifiers)
            line.allergens = _line_allergens(item, modifiers)
            line.save(update_fields=["modifiers_price", "allergens"])
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
        if line.set_line_id:
            raise ValidationError({"line": _("This dish is part of a set menu: remove the set instead.")})
        # A set menu goes with its dishes.
        removed = [line, *OrderLine.objects.select_for_update().filter(set_line=line)]
        changed_items = []
        for each in removed:
            _set_line_status(line=each, to_status=OrderLine.Status.REMOVED, by=by).save()
            each.save(update_fields=["status"])
            if _give_back_to_countdown(each.item_id, each.qty):
                changed_items.append(each.item_id)
        _touch(order)
        broadcasts.announce_order_on_commit(order)
        if changed_items:
            broadcasts.announce_items_on_commit(changed_items)
    return line
