"""Lines sent to the kitchen, served, and voided after sending."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.models import (
    LINE_WORKFLOW,
    LineStatusChange,
    Order,
    OrderLine,
)
from orders.services.lifecycle import _lock_order, _require_floor_role, _set_line_status, _touch
from orders.signals import (
    line_voided,
    order_sent,
)
from staff.models import User
from staff.services import approve_action, record_audit


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
        if line.set_line_id:
            raise ValidationError({"line": _("This dish is part of a set menu: void the set instead.")})
        _set_line_status(
            line=line, to_status=OrderLine.Status.VOID, by=by, reason=approval.reason, approval=approval
        ).save()
        line.save(update_fields=["status"])
        _touch(order)
        # A set menu is voided with its dishes; the kitchen hears of each (its tickets show them void).
        parts = list(OrderLine.objects.select_for_update().filter(set_line=line).exclude(status=OrderLine.Status.VOID))
        for part in parts:
            _set_line_status(
                line=part, to_status=OrderLine.Status.VOID, by=by, reason=approval.reason, approval=approval
            ).save()
            part.save(update_fields=["status"])
            line_voided.send(sender=Order, order=order, line=part, by=by, reason=approval.reason, approval=approval)
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
                "amount": sum(each.qty * (each.unit_price + each.modifiers_price) for each in [line, *parts]),
            },
        )
        line_voided.send(sender=Order, order=order, line=line, by=by, reason=approval.reason, approval=approval)
        broadcasts.announce_order_on_commit(order)
    return line
