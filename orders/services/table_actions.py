"""What a waiter does with a whole order: move it to another table, merge two, hand it over, change its covers."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.models import (
    Order,
    OrderLine,
)
from orders.services.lifecycle import FLOOR_ROLES, _lock_order, _require_floor_role, _set_order_status, _touch
from orders.signals import (
    order_assigned,
    order_transferred,
    orders_merged,
)
from staff.models import User
from staff.services import record_audit
from tables.models import Table


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
