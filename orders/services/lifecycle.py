"""An order's life: opened, its bill printed, closed and reopened; the roles and locks every order service shares."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.models import (
    LINE_WORKFLOW,
    ORDER_WORKFLOW,
    LineStatusChange,
    Order,
    OrderLine,
    OrderStatusChange,
)
from orders.signals import (
    order_opened,
)
from staff.models import Role, User
from tables.models import Outlet, Table

FLOOR_ROLES = (Role.WAITER, Role.BARTENDER, Role.MANAGER)
# Who may watch an outlet's floor live and settle its bills: the floor, and the cashier.
FLOOR_WATCH_ROLES = (*FLOOR_ROLES, Role.CASHIER)


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
            # The table's row lock orders this against the floor-plan editor removing it
            # (tables.services locks it, then asks whether an order is open on it).
            if table is not None and not Table.objects.select_for_update().filter(pk=table.pk, is_active=True).exists():
                raise ValidationError({"table": _("This table is not on this outlet's floor.")})
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
