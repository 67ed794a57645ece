"""Discounts, comps and the service charge: what changes a check's total without moving its items."""

import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    Check,
    CheckItem,
    Discount,
)
from billing.selectors import billing_settings
from billing.services.checks import _lock_order, _open_check, _refuse_if_frozen, _require_billing_role, _touch
from orders.models import OrderLine
from staff.models import Approval, Role, User
from staff.services import approve_action, record_audit

logger = logging.getLogger(__name__)


def _parse_percent(value) -> Decimal:
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"percent": _("Give the percent as a number.")}) from None
    if (
        not percent.is_finite()
        or not Decimal(0) < percent <= Decimal(100)
        or percent != percent.quantize(Decimal("0.01"))
    ):
        raise ValidationError({"percent": _("A percent is above 0 and at most 100, with at most 2 decimals.")})
    return percent


def _approval_if_needed(
    *, needed: bool, action: str, by: User, reason: str, approver_id: int | None, approver_pin: str | None
) -> Approval | None:
    if not needed:
        return None
    if not approver_id or not approver_pin:
        raise ValidationError({"approver": _("This needs a manager's approval: a manager enters their PIN.")})
    return approve_action(action=action, approver_id=approver_id, pin=approver_pin, requested_by=by, reason=reason)


def give_discount(
    *,
    check: Check,
    by: User,
    reason: str,
    percent=None,
    amount: int | None = None,
    line: OrderLine | None = None,
    approver_id: int | None = None,
    approver_pin: str | None = None,
) -> Discount:
    """A percent or fixed discount on the check, or on one of its lines, with a reason.

    Above the outlet's limits (or from someone who is not a manager, when above) a
    manager approves with their PIN.
    """
    _require_billing_role(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if (percent is None) == (amount is None):
        raise ValidationError({"percent": _("Give either a percent or an amount.")})
    if percent is not None:
        percent = _parse_percent(percent)
    elif not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": _("An amount is a whole number of cents, at least 1.")})
    with transaction.atomic():
        order, check = _open_check(check)
        _refuse_if_frozen(check)
        if line is not None and not CheckItem.objects.filter(guest_check=check, line=line).exists():
            raise ValidationError({"line": _("This line is not on this check.")})
        rules = billing_settings(order.outlet_id)
        if percent is not None:
            needed = percent > rules.discount_approval_percent
        else:
            needed = amount > rules.discount_approval_amount
        approval = _approval_if_needed(
            needed=needed and not by.has_role(Role.MANAGER),
            action="discount",
            by=by,
            reason=reason,
            approver_id=approver_id,
            approver_pin=approver_pin,
        )
        discount = Discount.objects.create(
            order=order,
            guest_check=None if line else check,
            line=line,
            kind=Discount.Kind.PERCENT if percent is not None else Discount.Kind.AMOUNT,
            percent=percent,
            amount=amount,
            reason=reason,
            by=by,
            approval=approval,
        )
        record_audit(
            actor=by,
            action="discount_given",
            subject=discount,
            approval=approval,
            reason=reason,
            details={"check": check.pk, "line": line.pk if line else None, "percent": str(percent), "amount": amount},
        )
        _touch(check)
    return discount


def comp_line(
    *, check: Check, line: OrderLine, by: User, reason: str, approver_id: int | None = None, approver_pin=None
) -> Discount:
    """Give a line away: it stays on the check at zero, with the reason and approving manager."""
    _require_billing_role(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    with transaction.atomic():
        order, check = _open_check(check)
        _refuse_if_frozen(check)
        if not CheckItem.objects.filter(guest_check=check, line=line).exists():
            raise ValidationError({"line": _("This line is not on this check.")})
        if Discount.objects.filter(line=line, kind=Discount.Kind.COMP, removed_at__isnull=True).exists():
            raise ValidationError({"line": _("This line is comped already.")})
        if by.has_role(Role.MANAGER):
            approval = Approval.objects.create(action="comp", requested_by=by, approver=by, reason=reason)
        else:
            approval = _approval_if_needed(
                needed=True, action="comp", by=by, reason=reason, approver_id=approver_id, approver_pin=approver_pin
            )
        discount = Discount.objects.create(
            order=order,
            line=line,
            kind=Discount.Kind.COMP,
            percent=Decimal(100),
            reason=reason,
            by=by,
            approval=approval,
        )
        record_audit(actor=by, action="line_comped", subject=discount, approval=approval, reason=reason)
        _touch(check)
    return discount


def remove_discount(*, discount: Discount, by: User) -> Discount:
    """Take a discount or comp off again; the row stays, marked removed."""
    _require_billing_role(by)
    with transaction.atomic():
        discount = Discount.objects.select_for_update().get(pk=discount.pk)
        _lock_order(discount.order_id)
        checks = (
            [discount.guest_check]
            if discount.guest_check_id
            else list(Check.objects.filter(items__line_id=discount.line_id).distinct())
        )
        _refuse_if_frozen(*checks)
        if discount.removed_at:
            return discount
        discount.removed_at, discount.removed_by = timezone.now(), by
        discount.save(update_fields=["removed_at", "removed_by"])
        record_audit(actor=by, action="discount_removed", subject=discount)
        _touch(*checks)
    return discount


def set_service_charge(
    *, check: Check, percent, by: User, reason: str = "", approver_id: int | None = None, approver_pin=None
) -> Check:
    """Set the check's service charge; waiving or lowering the automatic one needs a manager."""
    _require_billing_role(by)
    percent = Decimal(0) if percent in (0, "0") else _parse_percent(percent)
    with transaction.atomic():
        order, check = _open_check(check)
        _refuse_if_frozen(check)
        rules = billing_settings(order.outlet_id)
        automatic = rules.service_charge_percent if order.covers >= rules.service_charge_min_covers else Decimal(0)
        approval = _approval_if_needed(
            needed=percent < automatic and not by.has_role(Role.MANAGER),
            action="service_charge",
            by=by,
            reason=reason or _("Service charge changed"),
            approver_id=approver_id,
            approver_pin=approver_pin,
        )
        check.service_charge_percent = percent
        check.save(update_fields=["service_charge_percent"])
        record_audit(
            actor=by, action="service_charge_set", subject=check, approval=approval, details={"percent": str(percent)}
        )
        _touch(check)
    return check
