"""Reads shaped for the waiter's screens and the API, each a fixed handful of queries."""

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count, DateField, DecimalField, F, IntegerField, Prefetch, Q, Sum, TimeField, Value
from django.utils import timezone

from orders.models import (
    Category,
    Course,
    HappyHourPrice,
    Item,
    ItemModifierGroup,
    Menu,
    Modifier,
    ModifierGroup,
    Order,
    OrderLine,
    OrderLineModifier,
    PriceListEntry,
    SetMenuCourse,
)
from orders.prices import HAPPY_HOUR, PRICE_LIST, PriceRule, effective_price, next_price_change
from tables.models import Area, Outlet, Table

LIVE_LINE_STATUSES = (OrderLine.Status.PENDING, OrderLine.Status.SENT, OrderLine.Status.SERVED)


class TableState:
    FREE = "free"
    SEATED = "seated"  # open, nothing ordered yet
    ORDERED = "ordered"  # lines taken, none sent to the kitchen yet
    FOOD_SENT = "food_sent"  # something is at the kitchen (sent, not yet served)
    SERVED = "served"  # everything sent is on the table
    BILL_PRINTED = "bill_printed"
    PART_PAID = "part_paid"  # money taken on some of its checks, the rest still to pay


def local_now() -> datetime.datetime:
    return timezone.localtime()


def item_is_served_now(item: Item, at: datetime.datetime | None = None) -> bool:
    return item.category.menu.is_served_at(at or local_now())


# Billing's payments, read through the reverse relation (orders never imports billing): a
# captured payment not wholly refunded on an order still open means the table is part paid.
_PAID = Q(checks__payments__state="captured") & Q(
    checks__payments__refunded__lt=F("checks__payments__amount") + F("checks__payments__tip")
)


def _open_orders_with_counts():
    # distinct: the lines and the payments are two joins, each would multiply the other's count.
    return Order.objects.filter(status=Order.Status.OPEN).annotate(
        pending_count=Count("lines", filter=Q(lines__status=OrderLine.Status.PENDING), distinct=True),
        sent_count=Count("lines", filter=Q(lines__status=OrderLine.Status.SENT), distinct=True),
        served_count=Count("lines", filter=Q(lines__status=OrderLine.Status.SERVED), distinct=True),
        paid_count=Count("checks__payments", filter=_PAID, distinct=True),
    )


def table_state_of(order: Order | None) -> str:
    """Derive what the floor shows from the table's open order (annotated with counts).

    Money comes first (part paid, bill printed), then the food: anything still at the
    kitchen, else all served, else lines not sent yet.
    """
    if order is None:
        return TableState.FREE
    if order.paid_count:
        return TableState.PART_PAID
    if order.bill_printed_at:
        return TableState.BILL_PRINTED
    if order.sent_count:
        return TableState.FOOD_SENT
    if order.served_count:
        return TableState.SERVED
    if order.pending_count:
        return TableState.ORDERED
    return TableState.SEATED


def _table_entry(table: Table, order: Order | None) -> dict[str, Any]:
    entry = {
        "id": table.pk,
        "number": table.number,
        "seats": table.seats,
        "shape": table.shape,
        "x": table.x,
        "y": table.y,
        "width": table.width,
        "height": table.height,
        "rotation": table.rotation,
        "area": table.area_id,
        "outlet": table.outlet_id,
        "state": table_state_of(order),
        "order": None,
    }
    if order is not None:
        entry["order"] = {
            "id": order.pk,
            "covers": order.covers,
            "waiter": {"id": order.waiter_id, "name": str(order.waiter)},
            "opened_at": order.opened_at.isoformat(),
            "pending_count": order.pending_count,
            "version": order.version,
        }
    return entry


def table_states(*, table_ids: list[int]) -> list[dict[str, Any]]:
    """Current state of some tables (two queries whatever their number)."""
    tables = Table.objects.filter(pk__in=table_ids)
    orders = {o.table_id: o for o in _open_orders_with_counts().filter(table_id__in=table_ids).select_related("waiter")}
    return [_table_entry(table, orders.get(table.pk)) for table in tables]


def floor_plan(*, outlet: Outlet) -> dict[str, Any]:
    """The outlet's areas and tables with live state; three queries for any size of floor."""
    areas = list(Area.objects.filter(outlet=outlet, is_active=True))
    # Natural order ("2" before "10"); numbers are text because some read "B1" or "T12".
    tables = sorted(
        Table.objects.filter(outlet=outlet, is_active=True),
        key=lambda t: (len(t.number), t.number),
    )
    orders = {
        o.table_id: o
        for o in _open_orders_with_counts().filter(outlet=outlet, table__isnull=False).select_related("waiter")
    }
    by_area: dict[int, list] = {area.pk: [] for area in areas}
    for table in tables:
        by_area.setdefault(table.area_id, []).append(_table_entry(table, orders.get(table.pk)))
    return {
        "outlet": {"id": outlet.pk, "name": outlet.name, "kind": outlet.kind},
        "areas": [
            {
                "id": area.pk,
                "name": area.name,
                "plan_width": area.plan_width,
                "plan_height": area.plan_height,
                "tables": by_area.get(area.pk, []),
            }
            for area in areas
        ],
    }


def _modifier_group_entry(group: ModifierGroup) -> dict[str, Any]:
    return {
        "id": group.pk,
        "name": group.name,
        "min_choices": group.min_choices,
        "max_choices": group.max_choices,
        "free_choices": group.free_choices,
        "modifiers": [
            {
                "id": m.pk,
                "name": m.name,
                "price_delta": m.price_delta,
                "is_available": m.is_available,
                "allergens": m.allergens,
                "opens_group": m.opens_group_id,
            }
            for m in group.modifiers.all()
        ],
    }


_RULE_COLUMNS = (
    "r_kind",
    "r_rank",
    "r_item",
    "r_category",
    "r_price",
    "r_percent",
    "r_on",
    "r_days",
    "r_from",
    "r_until",
)


def price_rules(
    *, outlet_id: int, on: datetime.date, item_ids: list[int] | None = None, upcoming: bool = False
) -> list[PriceRule]:
    """The price lists started by `on` and the happy hours of an outlet, in ONE query (a union).

    With `item_ids`, only the lists' entries for those items (happy hours stay whole: a
    category's % off reaches items by their category). With `upcoming`, the lists that start
    later too (the prices ignore them; `next_price_change` needs their first day).
    """
    entries = PriceListEntry.objects.filter(price_list__outlet_id=outlet_id, price_list__cancelled_at__isnull=True)
    if not upcoming:
        entries = entries.filter(price_list__starts_on__lte=on)
    if item_ids is not None:
        entries = entries.filter(item_id__in=item_ids)
    no_int, no_time = Value(None, output_field=IntegerField()), Value(None, output_field=TimeField())
    entries = entries.order_by().annotate(
        r_kind=Value(PRICE_LIST),
        r_rank=F("price_list_id"),
        r_item=F("item_id"),
        r_category=no_int,
        r_price=F("price"),
        r_percent=Value(None, output_field=DecimalField(max_digits=5, decimal_places=2)),
        r_on=F("price_list__starts_on"),
        r_days=Value(""),
        r_from=no_time,
        r_until=no_time,
    )
    hours = (
        HappyHourPrice.objects.filter(happy_hour__outlet_id=outlet_id, happy_hour__is_active=True)
        .order_by()
        .annotate(
            r_kind=Value(HAPPY_HOUR),
            r_rank=F("happy_hour_id"),
            r_item=F("item_id"),
            r_category=F("category_id"),
            r_price=F("price"),
            r_percent=F("percent_off"),
            r_on=Value(None, output_field=DateField()),
            r_days=F("happy_hour__weekdays"),
            r_from=F("happy_hour__starts_at"),
            r_until=F("happy_hour__ends_at"),
        )
    )
    rows = entries.values_list(*_RULE_COLUMNS).union(hours.values_list(*_RULE_COLUMNS), all=True)
    return [
        PriceRule(
            kind=kind,
            rank=rank,
            item_id=item,
            category_id=category,
            price=price,
            percent_off=percent,
            starts_on=starts_on,
            weekdays=days or "",
            starts_at=starts_at,
            ends_at=until,
        )
        for kind, rank, item, category, price, percent, starts_on, days, starts_at, until in rows
    ]


def item_availability(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "is_available": item.is_available,
        "remaining_qty": item.remaining_qty,
        "is_86d": item.is_86d,
    }


def menu_for_outlet(*, outlet: Outlet, at: datetime.datetime | None = None) -> dict[str, Any]:
    """Everything a tablet needs to take orders: menus served now, items, modifier groups.

    Modifier groups are listed once (items refer to them by id) so nested groups can be
    followed on the tablet without asking the server again.
    """
    at = at or local_now()
    menus = list(
        Menu.objects.filter(outlet=outlet, is_active=True).prefetch_related(
            "windows",
            Prefetch("categories", queryset=Category.objects.order_by("sort_order", "name")),
            Prefetch(
                "categories__items",
                queryset=Item.objects.order_by("sort_order", "name").prefetch_related(
                    Prefetch("itemmodifiergroup_set", queryset=ItemModifierGroup.objects.order_by("sort_order", "id")),
                    Prefetch("set_courses", queryset=SetMenuCourse.objects.prefetch_related("choices")),
                ),
            ),
        )
    )
    served = [menu for menu in menus if menu.is_served_at(at)]
    rules = price_rules(outlet_id=outlet.pk, on=at.date(), upcoming=True)
    group_ids: set[int] = set()
    categories = []
    for menu in served:
        for category in menu.categories.all():
            items = []
            for item in category.items.all():
                ids = [link.group_id for link in item.itemmodifiergroup_set.all()]
                group_ids.update(ids)
                items.append(
                    {
                        "id": item.pk,
                        "name": item.name,
                        "description": item.description,
                        "price": effective_price(
                            item_id=item.pk, category_id=category.pk, price=item.price, rules=rules, at=at
                        ),
                        "course": item.default_course or category.default_course,
                        "colour": item.colour or category.colour,
                        "modifier_groups": ids,
                        "allergens": item.allergens,
                        # A set menu: one dish per course among these items (ids in the categories).
                        "set_courses": [
                            {"course": c.course, "choices": [choice.pk for choice in c.choices.all()]}
                            for c in item.set_courses.all()
                        ],
                        **item_availability(item),
                    }
                )
            categories.append(
                {"id": category.pk, "name": category.name, "colour": category.colour, "menu": menu.name, "items": items}
            )
    # Follow nested groups: a modifier may open a group not attached to any item.
    groups: dict[int, ModifierGroup] = {}
    pending = set(group_ids)
    while pending:
        fetched = list(
            ModifierGroup.objects.filter(pk__in=pending).prefetch_related(
                Prefetch("modifiers", queryset=Modifier.objects.order_by("sort_order", "name"))
            )
        )
        pending = set()
        for group in fetched:
            groups[group.pk] = group
            for modifier in group.modifiers.all():
                if modifier.opens_group_id and modifier.opens_group_id not in groups:
                    pending.add(modifier.opens_group_id)
        pending -= set(groups)
    courses = [{"number": c.number, "name": c.name} for c in Course.objects.filter(outlet=outlet)]
    return {
        "outlet": {
            "id": outlet.pk,
            "name": outlet.name,
            "prices_include_tax": outlet.prices_include_tax,
            "waiter_86_needs_manager": outlet.waiter_86_needs_manager,
        },
        "courses": courses,
        "categories": categories,
        "modifier_groups": {str(pk): _modifier_group_entry(group) for pk, group in sorted(groups.items())},
        "prices_change_at": next_price_change(rules=rules, at=at),
    }


def sold_out_board(*, outlet: Outlet) -> dict[str, Any]:
    """The 86 board of an outlet: every item of its active menus by category, served now or not,
    and every choice those items offer (nested groups too), each with what is sold out.

    Four queries for the items (menus, categories, items, their groups' links) and two
    per level of nested choices.
    """
    menus = list(
        Menu.objects.filter(outlet=outlet, is_active=True).prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("sort_order", "name")),
            Prefetch(
                "categories__items",
                queryset=Item.objects.order_by("sort_order", "name").prefetch_related(
                    Prefetch("itemmodifiergroup_set", queryset=ItemModifierGroup.objects.order_by("sort_order", "id")),
                ),
            ),
        )
    )
    categories = []
    pending: set[int] = set()
    for menu in menus:
        for category in menu.categories.all():
            items = []
            for item in category.items.all():
                ids = [link.group_id for link in item.itemmodifiergroup_set.all()]
                pending.update(ids)
                items.append({"name": item.name, "colour": item.colour or category.colour, **item_availability(item)})
            categories.append({"id": category.pk, "name": category.name, "menu": menu.name, "items": items})
    groups: dict[int, ModifierGroup] = {}
    while pending:
        fetched = ModifierGroup.objects.filter(pk__in=pending).prefetch_related(
            Prefetch("modifiers", queryset=Modifier.objects.order_by("sort_order", "name"))
        )
        pending = set()
        for group in fetched:
            groups[group.pk] = group
            pending.update(m.opens_group_id for m in group.modifiers.all() if m.opens_group_id)
        pending -= set(groups)
    return {
        "outlet": {"id": outlet.pk, "name": outlet.name, "waiter_86_needs_manager": outlet.waiter_86_needs_manager},
        "categories": categories,
        "modifier_groups": [
            {
                "id": group.pk,
                "name": group.name,
                "modifiers": [
                    {"id": m.pk, "name": m.name, "is_available": m.is_available} for m in group.modifiers.all()
                ],
            }
            for group in sorted(groups.values(), key=lambda g: (g.sort_order, g.name, g.pk))
        ],
    }


def _line_entry(line: OrderLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "client_uuid": str(line.client_uuid),
        "item": line.item_id,
        "name": line.name,
        "qty": line.qty,
        "seat": line.seat,
        "course": line.course,
        "note": line.note,
        "status": line.status,
        "unit_price": line.unit_price,
        "modifiers_price": line.modifiers_price,
        "tax_percent": str(line.tax_percent),
        "allergens": line.allergens,
        "total": line.total,
        "added_by": line.added_by_id,
        "sent_at": line.sent_at.isoformat() if line.sent_at else None,
        "set_line": line.set_line_id,
        "modifiers": [
            {
                # `parent` refers to another entry's `line_modifier` (nested choices).
                "line_modifier": m.pk,
                "id": m.modifier_id,
                "group": m.group_name,
                "name": m.name,
                "price_delta": m.price_delta,
                "parent": m.parent_id,
            }
            for m in line.modifiers.all()
        ],
    }


def order_detail(*, order_id: int) -> dict[str, Any]:
    """An order with its lines and modifiers and running total; three queries for any size."""
    order = (
        Order.objects.select_related("table", "waiter")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.exclude(status=OrderLine.Status.REMOVED).prefetch_related(
                    Prefetch("modifiers", queryset=OrderLineModifier.objects.order_by("sort_order", "id"))
                ),
            )
        )
        .get(pk=order_id)
    )
    lines = [_line_entry(line) for line in order.lines.all()]
    return {
        "id": order.pk,
        "client_uuid": str(order.client_uuid),
        "outlet": order.outlet_id,
        "kind": order.kind,
        "status": order.status,
        "table": {"id": order.table_id, "number": order.table.number} if order.table_id else None,
        "covers": order.covers,
        "waiter": {"id": order.waiter_id, "name": str(order.waiter)},
        "tab_name": order.tab_name,
        "room_number": order.room_number,
        "merged_into": order.merged_into_id,
        "opened_at": order.opened_at.isoformat(),
        "bill_printed_at": order.bill_printed_at.isoformat() if order.bill_printed_at else None,
        "version": order.version,
        "lines": lines,
        "total": sum(line["total"] for line in lines),
        "pending_total": sum(line["total"] for line in lines if line["status"] == OrderLine.Status.PENDING),
    }


def open_orders_for(*, outlet: Outlet) -> list[dict[str, Any]]:
    """Open orders of an outlet with their totals (tabs, takeaway and tables alike)."""
    orders = Order.objects.filter(outlet=outlet, status=Order.Status.OPEN).select_related("table", "waiter")
    return [
        {
            "id": o.pk,
            "kind": o.kind,
            "table": o.table.number if o.table_id else None,
            "tab_name": o.tab_name,
            "room_number": o.room_number,
            "covers": o.covers,
            "waiter": str(o.waiter),
        }
        for o in orders
    ]


# --- versions for live screens' keep-alives ---------------------------------------------

# Higher apps add what they show of an order (billing: its checks and payments), so that a
# bill screen comparing versions on the keep-alive notices their changes too.
order_version_parts: list[Callable[[int], str]] = []


def floor_version(*, outlet_id: int) -> str:
    """Moves with every change to an open order of the outlet (and so to every table's state) and to its plan.

    One query: a floor tablet compares it on each keep-alive and fetches the floor
    again when it moved, so a lost table or layout message is caught within seconds.
    """
    is_open = Q(orders__status=Order.Status.OPEN)
    totals = (
        Outlet.objects.filter(pk=outlet_id)
        .annotate(
            count=Count("orders", filter=is_open),
            ids=Sum("orders__pk", filter=is_open),
            versions=Sum("orders__version", filter=is_open),
        )
        .values("count", "ids", "versions", "layout_version")
        .first()
    ) or {"count": 0, "ids": 0, "versions": 0, "layout_version": 0}
    return f"{totals['count']}.{totals['ids'] or 0}.{totals['versions'] or 0}.{totals['layout_version']}"


def order_version(*, order_id: int) -> str:
    """Moves with every change to one order and to what higher apps show of it (its bill)."""
    version = Order.objects.filter(pk=order_id).values_list("version", flat=True).first()
    return ".".join([str(version or 0), *(part(order_id) for part in order_version_parts)])
