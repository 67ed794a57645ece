"""Every state change of bills: checks, splits, discounts, payments. Views call these.

Each service runs in one transaction and locks the order first, so two tablets
splitting or paying one table are served one after the other and never
over-collect. A check that has a payment is frozen (see `billing.totals`): its items
can no longer move.
"""

import contextlib
import datetime
import json
import logging
import math
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing import broadcasts, card_terminal, printouts
from billing.models import (
    CHECK_WORKFLOW,
    PAYMENT_WORKFLOW,
    BusinessDay,
    CardReader,
    CashMovement,
    Check,
    CheckItem,
    CheckStatusChange,
    Discount,
    DrawerSession,
    Payment,
    PaymentStateChange,
    ProviderEvent,
    Refund,
    Tender,
)
from billing.revenue_splits import revenue_splits
from billing.selectors import billing_settings, order_bill, paid_towards, reserved_towards
from billing.signals import business_day_closed, check_closed, payment_captured
from billing.totals import cash_rounded
from orders import services as order_services
from orders.models import Order, OrderLine
from pms_integration import services as pms_services
from pms_integration.interfaces import ChargeRequest, InHouseGuest, PmsUnreachable
from pms_integration.services import RoomChargeRefused
from printing.models import PrintJob
from staff.models import Approval, AuditEntry, Role, User
from staff.services import approve_action, record_audit

logger = logging.getLogger(__name__)

BILLING_ROLES = (Role.WAITER, Role.BARTENDER, Role.CASHIER, Role.MANAGER)
MAX_SPLIT = 20


def _require_billing_role(person: User) -> None:
    if not person.has_role(*BILLING_ROLES):
        raise PermissionDenied(_("Only waiters, bartenders, cashiers and managers handle bills."))


def _lock_order(order_id: int) -> Order:
    return Order.objects.select_related("outlet").select_for_update().get(pk=order_id)


def _audit_if_bill_printed(check: Check, *, by: User, action: str, details: dict | None = None) -> None:
    """Every change to a check after its bill was printed is written to the audit log."""
    if check.bill_printed_at or check.order.bill_printed_at:
        record_audit(actor=by, action=f"check_{action}", subject=check, details=details or {})


def _next_number(order: Order) -> int:
    return (Check.objects.filter(order=order).aggregate(n=Max("number"))["n"] or 0) + 1


def _new_check(order: Order, *, label: str = "", like: Check | None = None) -> Check:
    return Check.objects.create(
        order=order,
        number=_next_number(order),
        label=label,
        service_charge_percent=like.service_charge_percent if like else None,
    )


def _place_loose_lines(order: Order) -> list[Check]:
    """Put every line that is on no check yet on the first open check (made if need be)."""
    checks = list(Check.objects.filter(order=order, status=Check.Status.OPEN).order_by("number"))
    loose = list(
        OrderLine.objects.filter(order=order, check_items__isnull=True).exclude(status=OrderLine.Status.REMOVED)
    )
    if not loose:
        return checks
    target = next((c for c in checks if not c.is_frozen), None)
    if target is None:
        target = _new_check(order)
        checks.append(target)
    CheckItem.objects.bulk_create([CheckItem(guest_check=target, line=line) for line in loose])
    return checks


def open_bill(*, order: Order, by: User) -> Order:
    """Make sure every line of the order is on a check; the first bill view calls this."""
    _require_billing_role(by)
    with transaction.atomic():
        order = _lock_order(order.pk)
        _place_loose_lines(order)
    return order


def _open_check(check: Check) -> tuple[Order, Check]:
    """Lock the check's order, place loose lines, and return a fresh, open, unpaid check."""
    order = _lock_order(check.order_id)
    _place_loose_lines(order)
    check = Check.objects.select_related("order").get(pk=check.pk)
    if check.status != Check.Status.OPEN:
        raise ValidationError({"check": _("This check is no longer open.")})
    return order, check


def _refuse_if_frozen(*checks: Check) -> None:
    for check in checks:
        if check.is_frozen:
            raise ValidationError(
                {"check": _("Check %(number)d has a payment: its items cannot change.") % {"number": check.number}}
            )


def _refuse_fixed_discounts(check: Check) -> None:
    if check.discounts.filter(removed_at__isnull=True, amount__isnull=False).exists():
        raise ValidationError(
            {"check": _("Remove the fixed-amount discount before splitting this check, and give it again after.")}
        )


def _copy_percent_discounts(source: Check, targets: list[Check]) -> None:
    """A check's percent discounts apply to every check split off it, so the split adds up."""
    rows = []
    for discount in source.discounts.filter(removed_at__isnull=True, percent__isnull=False):
        for target in targets:
            rows.append(
                Discount(
                    order_id=source.order_id,
                    guest_check=target,
                    kind=discount.kind,
                    percent=discount.percent,
                    reason=discount.reason,
                    by=discount.by,
                    approval=discount.approval,
                    split_from=discount,
                )
            )
    Discount.objects.bulk_create(rows)


def _rescale_line(line_id: int, factor: int) -> None:
    """Multiply the shares of every item of a line by `factor` (same parts, finer cut), in one UPDATE."""
    CheckItem.objects.filter(line_id=line_id).update(shares=F("shares") * factor, of_shares=F("of_shares") * factor)


def _simplify_lines(line_ids) -> None:
    """Reduce each line's shares by their common factor (2/6 + 4/6 back to 1/3 + 2/3): one read, one write."""
    by_line: dict[int, list[CheckItem]] = {}
    for item in CheckItem.objects.filter(line_id__in=list(line_ids)).only("pk", "line_id", "shares", "of_shares"):
        by_line.setdefault(item.line_id, []).append(item)
    changed = []
    for items in by_line.values():
        divisor = math.gcd(items[0].of_shares, *[i.shares for i in items])
        if divisor > 1:
            for item in items:
                item.shares //= divisor
                item.of_shares //= divisor
            changed.extend(items)
    if changed:
        CheckItem.objects.bulk_update(changed, ["shares", "of_shares"], batch_size=500)


def _put(line_id: int, check: Check, shares: int, of_shares: int) -> None:
    """Add `shares` of a line to a check, joining the share already there."""
    item = CheckItem.objects.filter(guest_check=check, line_id=line_id).first()
    if item is None:
        CheckItem.objects.create(guest_check=check, line_id=line_id, shares=shares, of_shares=of_shares)
    else:
        item.shares += shares
        item.save(update_fields=["shares"])


def _take(item: CheckItem, shares: int) -> None:
    """Take `shares` off an item; an item left with none goes (its line lives on elsewhere)."""
    if shares == item.shares:
        item.delete()
    else:
        item.shares -= shares
        item.save(update_fields=["shares"])


def _touch(*checks: Check) -> None:
    """A new version of each check, and after commit the outlet's tablets hear that the bill changed."""
    for check in checks:
        check.version += 1
        check.save(update_fields=["version"])
    for order in {check.order_id: check.order for check in checks}.values():
        _announce_bill_on_commit(order)


def _announce_bill_on_commit(order: Order) -> None:
    order_id, outlet_id = order.pk, order.outlet_id
    transaction.on_commit(lambda: broadcasts.announce_bill_changed(order_id=order_id, outlet_id=outlet_id), robust=True)


def move_items(*, check: Check, moves: list[tuple[int, int | None]], by: User, to_check: Check | None = None) -> Check:
    """Move items (or some shares of them) from `check` to `to_check`, or to a new check.

    `moves` is (check item id, shares) with shares None for the whole item. Returns
    the check the items went to.
    """
    _require_billing_role(by)
    if not moves:
        raise ValidationError({"items": _("Choose what to move.")})
    with transaction.atomic():
        order, check = _open_check(check)
        if to_check is not None:
            to_check = Check.objects.get(pk=to_check.pk)
            if to_check.order_id != order.pk or to_check.status != Check.Status.OPEN:
                raise ValidationError({"to_check": _("Move to an open check of the same order.")})
            if to_check.pk == check.pk:
                raise ValidationError({"to_check": _("The items are already on this check.")})
        _refuse_if_frozen(check, *([to_check] if to_check else []))
        items = {i.pk: i for i in CheckItem.objects.filter(guest_check=check, pk__in=[m[0] for m in moves])}
        if len(items) != len({m[0] for m in moves}):
            raise ValidationError({"items": _("An item is not on this check.")})
        if to_check is None:
            _refuse_fixed_discounts(check)
            to_check = _new_check(order, like=check)
            _copy_percent_discounts(check, [to_check])
        elif check.discounts.filter(removed_at__isnull=True, amount__isnull=False).exists():
            _refuse_fixed_discounts(check)
        touched = []
        for item_id, shares in moves:
            item = CheckItem.objects.get(pk=item_id)
            shares = item.shares if shares is None else shares
            if not isinstance(shares, int) or not 1 <= shares <= item.shares:
                raise ValidationError({"items": _("Move between 1 and all of an item's shares.")})
            line_id, of_shares = item.line_id, item.of_shares
            if shares == item.shares and not CheckItem.objects.filter(guest_check=to_check, line_id=line_id).exists():
                # The whole item moves and keeps its identity (the tablet still knows it).
                item.guest_check = to_check
                item.save(update_fields=["guest_check"])
                continue
            _take(item, shares)
            _put(line_id, to_check, shares, of_shares)
            touched.append(line_id)
        _simplify_lines(touched)
        _audit_if_bill_printed(check, by=by, action="items_moved", details={"to": to_check.pk, "moves": moves})
        _touch(check, to_check)
    return to_check


def split_check_by_seat(*, check: Check, by: User) -> list[Check]:
    """One check per seat; what is shared by the table (seat 0) stays on this check."""
    _require_billing_role(by)
    with transaction.atomic():
        order, check = _open_check(check)
        _refuse_if_frozen(check)
        _refuse_fixed_discounts(check)
        by_seat: dict[int, list[CheckItem]] = {}
        for item in check.items.select_related("line"):
            by_seat.setdefault(item.line.seat, []).append(item)
        seats = sorted(s for s in by_seat if s)
        if len(by_seat) < 2:
            raise ValidationError({"check": _("Everything on this check is for one seat.")})
        result = [check]
        # Without shared items the check keeps the first seat.
        keep = 0 if 0 in by_seat else seats[0]
        check.label = _("Seat %(seat)d") % {"seat": keep} if keep else _("Table")
        check.save(update_fields=["label"])
        new_checks = []
        for seat in seats:
            if seat == keep:
                continue
            target = _new_check(order, label=_("Seat %(seat)d") % {"seat": seat}, like=check)
            CheckItem.objects.filter(pk__in=[i.pk for i in by_seat[seat]]).update(guest_check=target)
            new_checks.append(target)
        _copy_percent_discounts(check, new_checks)
        result.extend(new_checks)
        _audit_if_bill_printed(check, by=by, action="split_by_seat", details={"checks": [c.pk for c in result]})
        _touch(*result)
    return result


def split_check_evenly(*, check: Check, ways: int, by: User) -> list[Check]:
    """Cut the check into `ways` equal checks: each holds 1/ways of every item on it."""
    _require_billing_role(by)
    if not isinstance(ways, int) or not 2 <= ways <= MAX_SPLIT:
        raise ValidationError({"ways": _("Split into 2 to %(max)d checks.") % {"max": MAX_SPLIT}})
    with transaction.atomic():
        order, check = _open_check(check)
        _refuse_if_frozen(check)
        _refuse_fixed_discounts(check)
        items = list(check.items.all())
        if not items:
            raise ValidationError({"check": _("There is nothing on this check to split.")})
        new_checks = [_new_check(order, like=check) for _n in range(ways - 1)]
        line_ids = [item.line_id for item in items]
        # Cut every line `ways` times finer: this check keeps its old part once, each new check gets it once
        # more, and the line's parts on other checks are the same amount in the finer cut.
        CheckItem.objects.filter(line_id__in=line_ids).exclude(guest_check=check).update(
            shares=F("shares") * ways, of_shares=F("of_shares") * ways
        )
        CheckItem.objects.filter(guest_check=check).update(of_shares=F("of_shares") * ways)
        new_items = [
            CheckItem(guest_check=target, line_id=item.line_id, shares=item.shares, of_shares=item.of_shares * ways)
            for item in items
            for target in new_checks
        ]
        CheckItem.objects.bulk_create(new_items, batch_size=500)
        _simplify_lines(line_ids)
        _copy_percent_discounts(check, new_checks)
        checks = [check, *new_checks]
        _audit_if_bill_printed(check, by=by, action="split_evenly", details={"ways": ways})
        _touch(*checks)
    return checks


def share_item(*, item: CheckItem, ways: int, by: User, checks: list[Check] | None = None) -> list[Check]:
    """Share one item by `ways` guests (a bottle of wine over 3 checks).

    The item's check keeps one part; the others go to `checks` (open checks of the
    order) or, without them, to new checks.
    """
    _require_billing_role(by)
    if not isinstance(ways, int) or not 2 <= ways <= MAX_SPLIT:
        raise ValidationError({"ways": _("Share between 2 and %(max)d ways.") % {"max": MAX_SPLIT}})
    with transaction.atomic():
        order, check = _open_check(item.guest_check)
        item = CheckItem.objects.get(pk=item.pk)
        targets = [Check.objects.get(pk=c.pk) for c in (checks or [])]
        if targets and len(targets) != ways - 1:
            raise ValidationError({"checks": _("Name one other check for each other part.")})
        for target in targets:
            if target.order_id != order.pk or target.status != Check.Status.OPEN or target.pk == check.pk:
                raise ValidationError({"checks": _("Share with other open checks of the same order.")})
        _refuse_if_frozen(check, *targets)
        if not targets:
            _refuse_fixed_discounts(check)
            targets = [_new_check(order, like=check) for _n in range(ways - 1)]
            _copy_percent_discounts(check, targets)
        _rescale_line(item.line_id, ways)
        item.refresh_from_db()
        part = item.shares // ways
        item.shares = part
        item.save(update_fields=["shares"])
        for target in targets:
            _put(item.line_id, target, part, item.of_shares)
        _simplify_lines([item.line_id])
        _audit_if_bill_printed(check, by=by, action="item_shared", details={"line": item.line_id, "ways": ways})
        _touch(check, *targets)
    return [check, *targets]


def merge_checks(*, source: Check, target: Check, by: User) -> Check:
    """Put everything on `source` back onto `target`; `source` is marked merged."""
    _require_billing_role(by)
    if source.pk == target.pk:
        raise ValidationError({"source": _("A check cannot be merged into itself.")})
    with transaction.atomic():
        order, source = _open_check(source)
        target = Check.objects.get(pk=target.pk)
        if target.order_id != order.pk or target.status != Check.Status.OPEN:
            raise ValidationError({"target": _("Merge into an open check of the same order.")})
        _refuse_if_frozen(source, target)
        moved = list(source.items.all())
        for item in moved:
            line_id, shares, of_shares = item.line_id, item.shares, item.of_shares
            item.delete()
            _put(line_id, target, shares, of_shares)
        _simplify_lines([item.line_id for item in moved])
        now = timezone.now()
        # A percent discount copied by an earlier split is on the target already: same origin.
        on_target = {d.split_from_id or d.pk for d in target.discounts.filter(removed_at__isnull=True)}
        for discount in source.discounts.filter(removed_at__isnull=True):
            if (discount.split_from_id or discount.pk) in on_target:
                discount.removed_at, discount.removed_by = now, by
                discount.save(update_fields=["removed_at", "removed_by"])
            else:
                discount.guest_check = target
                discount.save(update_fields=["guest_check"])
        _set_check_status(check=source, to_status=Check.Status.MERGED, by=by)
        source.merged_into = target
        source.save(update_fields=["status", "merged_into"])
        _audit_if_bill_printed(target, by=by, action="merged", details={"source": source.pk})
        _touch(target)
    return target


def _set_check_status(*, check: Check, to_status: str, by: User, reason: str = "", approval=None) -> None:
    CHECK_WORKFLOW.check(check.status, to_status)
    CheckStatusChange.objects.create(
        guest_check=check, from_status=check.status, to_status=to_status, by=by, reason=reason, approval=approval
    )
    check.status = to_status


# Discounts and service charge ---------------------------------------------------


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


def print_bill(*, check: Check, by: User) -> PrintJob:
    """Queue the pro forma bill on the outlet's receipt printer and mark the bill printed.

    From then on every change to the check is audited. With no receipt printer (or one
    switched off) nothing is queued or marked: the waiter is told, never told "printed".
    """
    _require_billing_role(by)
    problem = printouts.receipt_printer_problem(outlet_id=check.order.outlet_id)
    if problem:
        raise ValidationError({"printer": problem})
    with transaction.atomic():
        order, check = _open_check(check)
        check.bill_printed_at = timezone.now()
        check.save(update_fields=["bill_printed_at"])
        record_audit(actor=by, action="bill_printed", subject=check)
        job = printouts.queue_receipt(check=check, by=by, title=_("PRO FORMA"))
    order_services.mark_bill_printed(order=order, by=by)
    return job


# Payments -------------------------------------------------------------------------


def _freeze(check: Check, order: Order) -> None:
    """Store the check's figures and its items' amounts: a payment is about to count on them."""
    if check.is_frozen:
        return
    _checks, totals = order_bill(order=order)
    figures = totals[check.pk]
    check.frozen_totals = figures.as_dict()
    check.save(update_fields=["frozen_totals"])
    shares = {s.key: s for s in figures.shares}
    items = list(CheckItem.objects.filter(guest_check=check))
    for item in items:
        item.frozen_amount = shares[item.pk].amount
        item.frozen_discount = shares[item.pk].discount
    CheckItem.objects.bulk_update(items, ["frozen_amount", "frozen_discount"])


def check_total(check: Check) -> int:
    """The check's total, frozen or computed."""
    if check.is_frozen:
        return sum(row[6] for row in check.frozen_totals["rates"])
    _checks, totals = order_bill(order=check.order)
    return totals[check.pk].total


def _record_payment_state(payment: Payment, to_state: str, *, by: User | None, note: str = "") -> None:
    PAYMENT_WORKFLOW.check(payment.state, to_state)
    PaymentStateChange.objects.create(
        payment=payment, from_state=payment.state, to_state=to_state, by=by, note=note[:200]
    )
    payment.state = to_state


def _close_if_paid(check: Check, order: Order, by: User) -> bool:
    """Close the check when captured payments cover it; the order when all its checks are closed."""
    check = Check.objects.prefetch_related("payments").get(pk=check.pk)
    if check.status != Check.Status.OPEN or paid_towards(check) < check_total(check):
        return False
    _set_check_status(check=check, to_status=Check.Status.CLOSED, by=by)
    check.closed_at = timezone.now()
    check.business_day = _day_taking_money()
    check.save(update_fields=["status", "closed_at", "business_day"])
    check_closed.send(sender=Check, check=check, by=by)
    still_open = Check.objects.filter(order=order, status=Check.Status.OPEN).exists()
    loose = OrderLine.objects.filter(order=order, check_items__isnull=True).exclude(
        status__in=[OrderLine.Status.REMOVED, OrderLine.Status.VOID]
    )
    if not still_open and not loose.exists() and order.status == Order.Status.OPEN:
        order_services.close_order(order=order, by=by)
    return True


def _start_payment(*, check: Check, tender: Tender, amount: int, tip: int, by: User, client_uuid) -> tuple:
    """Lock, freeze and check the amount against what is left; returns (order, check, existing payment)."""
    if client_uuid is not None:
        existing = Payment.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return None, None, existing
    if not tender.is_active:
        raise ValidationError({"tender": _("This tender is not in use.")})
    if not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": _("An amount is a whole number of cents, at least 1.")})
    if not isinstance(tip, int) or tip < 0:
        raise ValidationError({"tip": _("A tip is a whole number of cents, 0 or more.")})
    if tip and not tender.allows_tip:
        raise ValidationError({"tip": _("This tender takes no tips.")})
    order, check = _open_check(check)
    _freeze(check, order)
    check = Check.objects.prefetch_related("payments").get(pk=check.pk)
    left = check_total(check) - reserved_towards(check)
    if left <= 0:
        raise ValidationError({"amount": _("This check is paid (or a payment for it is under way).")})
    return order, check, left


def pay_cash(
    *,
    check: Check,
    tender: Tender,
    cash_given: int,
    by: User,
    tip: int = 0,
    amount: int | None = None,
    client_uuid=None,
) -> Payment:
    """Take cash. Paying off the check rounds what is due to 5 cents (CASH_ROUNDING); returns change.

    `amount` pays part of the check; without it the cash pays what is left.
    """
    _require_billing_role(by)
    if tender.kind != Tender.Kind.CASH:
        raise ValidationError({"tender": _("This is not a cash tender.")})
    if not isinstance(cash_given, int) or cash_given < 1:
        raise ValidationError({"cash_given": _("Type the cash handed over, in cents.")})
    with transaction.atomic():
        order, check, left = _start_payment(
            check=check, tender=tender, amount=amount or 1, tip=tip, by=by, client_uuid=client_uuid
        )
        if order is None:
            return left  # the payment this client_uuid made before
        applied = left if amount is None else amount
        if applied > left:
            raise ValidationError({"amount": _("That is more than is left to pay.")})
        drawer = open_drawer_for(order.outlet_id)
        if drawer is None:
            raise ValidationError(
                {"tender": _("No cash drawer is open at this outlet: a cashier or manager opens it with the float.")}
            )
        rounding = cash_rounded(applied, settings.CASH_ROUNDING) - applied if applied == left else 0
        due = applied + rounding + tip
        if cash_given < due:
            raise ValidationError({"cash_given": _("The cash handed over does not cover what is due.")})
        payment = _new_payment(
            check=check,
            tender=tender,
            by=by,
            client_uuid=client_uuid,
            amount=applied,
            tip=tip,
            cash_given=cash_given,
            change_due=cash_given - due,
            rounding=rounding,
            drawer_session=drawer,
        )
        _capture(payment, by=by, order=order)
        transaction.on_commit(lambda: kick_drawer(outlet_id=order.outlet_id), robust=True)
    return payment


def pay_other(
    *, check: Check, tender: Tender, amount: int, by: User, tip: int = 0, reference: str = "", client_uuid=None
) -> Payment:
    """Take a payment by another tender the manager set up (voucher, an outside card terminal)."""
    _require_billing_role(by)
    if tender.kind != Tender.Kind.OTHER:
        raise ValidationError({"tender": _("Use the cash, card or room charge flow for this tender.")})
    with transaction.atomic():
        order, check, left = _start_payment(
            check=check, tender=tender, amount=amount, tip=tip, by=by, client_uuid=client_uuid
        )
        if order is None:
            return left
        if amount > left:
            raise ValidationError({"amount": _("That is more than is left to pay.")})
        payment = _new_payment(
            check=check,
            tender=tender,
            by=by,
            client_uuid=client_uuid,
            amount=amount,
            tip=tip,
            reference=(reference or "")[:80],
        )
        _capture(payment, by=by, order=order)
    return payment


def _new_payment(*, check: Check, tender: Tender, by: User, client_uuid, **fields) -> Payment:
    """A pending payment row and its first history entry; the caller captures it or waits for the provider."""
    payment = Payment.objects.create(
        client_uuid=client_uuid or Payment._meta.get_field("client_uuid").default(),
        guest_check=check,
        tender=tender,
        by=by,
        **fields,
    )
    PaymentStateChange.objects.create(payment=payment, from_state="", to_state=Payment.State.PENDING, by=by)
    return payment


def _capture(payment: Payment, *, by: User, order: Order) -> None:
    _record_payment_state(payment, Payment.State.CAPTURED, by=by)
    payment.captured_at = timezone.now()
    payment.business_day = _day_taking_money()
    payment.save(update_fields=["state", "captured_at", "business_day"])
    record_audit(
        actor=by,
        action="payment_captured",
        subject=payment,
        details={"check": payment.guest_check_id, "amount": payment.amount, "tip": payment.tip},
    )
    payment_captured.send(sender=Payment, payment=payment, by=by)
    _close_if_paid(payment.guest_check, order, by)
    _announce_bill_on_commit(order)


# Card payments on a Stripe Terminal reader ------------------------------------------


def _payment_key(payment: Payment) -> str:
    return f"tafel-payment-{payment.client_uuid}"


def _fail_payment(
    payment_id: int, *, message: str, state: str = Payment.State.FAILED, by: User | None = None
) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state != Payment.State.PENDING:
            return payment
        _record_payment_state(payment, state, by=by, note=message)
        payment.failure_message = message[:200]
        payment.save(update_fields=["state", "failure_message"])
        _announce_payment_on_commit(payment)
    return payment


def _announce_payment_on_commit(payment: Payment) -> None:
    transaction.on_commit(lambda: broadcasts.announce_payment(payment.pk), robust=True)


def start_card_payment(
    *, check: Check, reader: CardReader, by: User, amount: int | None = None, client_uuid=None
) -> Payment:
    """Send (part of) the check to a card reader; the guest taps and picks a tip there.

    The payment row is committed first (it holds its amount against the check, so
    two tablets can never collect twice); then Stripe gets the PaymentIntent, with an
    idempotency key derived from that row, and the reader gets it. The outcome comes
    by webhook or by polling (`settle_card_payment`).
    """
    _require_billing_role(by)
    tender = Tender.objects.filter(kind=Tender.Kind.CARD, is_active=True).first()
    if tender is None:
        raise ValidationError({"tender": _("No card tender is set up.")})
    if not reader.is_active:
        raise ValidationError({"reader": _("This card reader is switched off in the back office.")})
    with transaction.atomic():
        order, check, left = _start_payment(
            check=check, tender=tender, amount=amount or 1, tip=0, by=by, client_uuid=client_uuid
        )
        if order is None:
            return left
        if reader.outlet_id != order.outlet_id:
            raise ValidationError({"reader": _("This card reader belongs to another outlet.")})
        applied = left if amount is None else amount
        if applied > left:
            raise ValidationError({"amount": _("That is more than is left to pay.")})
        payment = _new_payment(
            check=check,
            tender=tender,
            by=by,
            client_uuid=client_uuid,
            amount=applied,
            reader=reader,
        )
    key = _payment_key(payment)
    try:
        intent = card_terminal.create_intent(
            key=key,
            amount=applied,
            description=f"Check {check.order_id}-{check.number}",
            metadata={"payment": payment.pk, "check": check.pk, "order": check.order_id},
        )
        Payment.objects.filter(pk=payment.pk).update(provider_id=intent.id, provider_status=intent.status)
        card_terminal.process_on_reader(
            key=key, reader_id=reader.stripe_id, intent_id=intent.id, tip_eligible=applied if tender.allows_tip else 0
        )
    except card_terminal.CardTerminalError as error:
        payment.refresh_from_db()
        if payment.provider_id:
            # If even the cancel fails, the intent was never on a reader: nothing can capture it.
            with contextlib.suppress(card_terminal.CardTerminalError):
                card_terminal.cancel_intent(key=key, intent_id=payment.provider_id)
        return _fail_payment(payment.pk, message=error.message, by=by)
    Payment.objects.filter(pk=payment.pk).update(provider_status="on_reader")
    follow_card_payment_later(payment.pk)
    payment.refresh_from_db()
    _announce_payment_on_commit(payment)
    return payment


def follow_card_payment_later(payment_id: int) -> None:
    from billing import tasks  # the task module imports this one

    run_after = timezone.now() + timezone.timedelta(seconds=settings.CARD_POLL_SECONDS)
    try:
        tasks.follow_card_payment.using(run_after=run_after).enqueue(payment_id=payment_id)
    except Exception:  # the poll is a fallback: the webhook and the tablet's own refresh remain
        logger.warning("Could not queue the follow-up of card payment %s", payment_id, exc_info=True)


def settle_card_payment(*, payment: Payment, by: User | None = None) -> Payment:
    """Bring a card payment in line with what Stripe says now. Safe to call any time, any number of times.

    Webhooks (in any order, duplicated) and the poll both end here, and each asks
    Stripe for the current state instead of trusting the message: an old event can
    never undo a newer outcome. Captures only when the reader's action succeeded.
    """
    payment = Payment.objects.select_related("reader").get(pk=payment.pk)
    if payment.state != Payment.State.PENDING or not payment.provider_id:
        return payment
    key = _payment_key(payment)
    intent = card_terminal.retrieve_intent(payment.provider_id)
    if intent.status == "requires_capture":
        intent = card_terminal.capture_intent(key=key, intent_id=intent.id)
    if intent.status == "succeeded":
        return _record_card_captured(payment.pk, intent=intent, by=by)
    if intent.status == "canceled":
        return _fail_payment(
            payment.pk, message=_("The card payment was cancelled."), state=Payment.State.CANCELLED, by=by
        )
    if intent.status == "requires_payment_method" and payment.reader is not None:
        status, on_reader, code, text = card_terminal.reader_action(payment.reader.stripe_id)
        if status == "failed" and on_reader == intent.id:
            card_terminal.cancel_intent(key=key, intent_id=intent.id)
            return _fail_payment(payment.pk, message=card_terminal.message_for(code, text), by=by)
    if timezone.now() - payment.created_at > timezone.timedelta(seconds=settings.CARD_PAYMENT_TIMEOUT):
        return cancel_card_payment(payment=payment, by=by, message=_("No card was presented in time."))
    return payment


def _record_card_captured(payment_id: int, *, intent, by: User | None) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_related("guest_check").get(pk=payment_id)
        order = _lock_order(payment.guest_check.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state != Payment.State.PENDING:
            return payment
        payment.tip = max(intent.tip, intent.amount_received - payment.amount, 0)
        payment.provider_status = intent.status
        payment.save(update_fields=["tip", "provider_status"])
        _capture(payment, by=by or payment.by, order=order)
        _announce_payment_on_commit(payment)
    return payment


def cancel_card_payment(*, payment: Payment, by: User | None, message: str = "") -> Payment:
    """Stop a card payment from the tablet (or on time-out): the reader's action and the intent are cancelled.

    If the guest's card went through at that very moment, the payment is captured
    instead: money taken is never dropped.
    """
    if by is not None:
        _require_billing_role(by)
    payment = Payment.objects.select_related("reader").get(pk=payment.pk)
    if payment.state != Payment.State.PENDING:
        return payment
    if payment.reader is not None:
        card_terminal.cancel_reader_action(payment.reader.stripe_id)
    if payment.provider_id:
        key = _payment_key(payment)
        intent = card_terminal.retrieve_intent(payment.provider_id)
        if intent.status == "requires_capture":
            return _record_card_captured(
                payment.pk, intent=card_terminal.capture_intent(key=key, intent_id=intent.id), by=by
            )
        if intent.status == "succeeded":
            return _record_card_captured(payment.pk, intent=intent, by=by)
        if intent.status != "canceled":
            card_terminal.cancel_intent(key=key, intent_id=intent.id)
    return _fail_payment(
        payment.pk, message=message or _("The card payment was cancelled."), state=Payment.State.CANCELLED, by=by
    )


def receive_card_event(*, body: bytes, signature: str) -> str:
    """A webhook from the card provider: verified, kept once, then the payment is settled.

    Returns what happened ("duplicate", "ignored", "settled"). A bad signature raises ValueError.
    """
    event = card_terminal.verified_event(body=body, signature=signature)
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(event_id=event.id, type=event.type, payload=json.loads(body))
    except IntegrityError:
        return "duplicate"
    obj = event.data.object
    intent_id = ""
    if event.type.startswith("payment_intent."):
        intent_id = obj.id
    elif event.type.startswith("terminal.reader."):
        action = getattr(obj, "action", None)
        process = getattr(action, "process_payment_intent", None) if action is not None else None
        intent_id = getattr(process, "payment_intent", "") if process is not None else ""
        if not isinstance(intent_id, str):
            intent_id = getattr(intent_id, "id", "")
    payment = Payment.objects.filter(provider_id=intent_id).first() if intent_id else None
    if payment is None:
        return "ignored"
    settle_card_payment(payment=payment)
    return "settled"


# Charge to room through the PMS gateway ----------------------------------------------


def _posting_outlet(order: Order):
    setup = pms_services.posting_outlet_for(order.outlet_id)
    if setup is None:
        raise ValidationError({"tender": _("This outlet does not charge to hotel rooms.")})
    return setup


def find_room_guests(*, check: Check, by: User, room: str = "", name: str = "") -> list[InHouseGuest]:
    """The in-house guests a waiter can charge this check to: by room (sharers too) or by name."""
    _require_billing_role(by)
    setup = _posting_outlet(Order.objects.get(pk=check.order_id))
    try:
        return pms_services.find_in_house_guests(posting_outlet=setup, room=room, name=name)
    except PmsUnreachable as error:
        raise ValidationError({"room": error.message}) from None


def charge_to_room(
    *,
    check: Check,
    room: str,
    guest_id: str,
    by: User,
    amount: int | None = None,
    tip: int = 0,
    approver_id: int | None = None,
    approver_pin: str | None = None,
    client_uuid=None,
    workstation: str = "",
) -> Payment:
    """Charge (part of) the check to a hotel guest's folio; it counts once the PMS confirms it.

    The guest is looked up again right now: a checked-out guest is refused; a no-post
    guest or one over the credit limit only with a manager's PIN (sent with the
    override flag, audited). When the PMS is unreachable the outlet's setting
    decides: refuse, or accept (the check closes now and the posting waits in the
    queue until the PMS takes or refuses it).
    """
    _require_billing_role(by)
    tender = Tender.objects.filter(kind=Tender.Kind.ROOM_CHARGE, is_active=True).first()
    if tender is None:
        raise ValidationError({"tender": _("No room-charge tender is set up.")})
    if client_uuid is not None:
        existing = Payment.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    room, guest_id = (room or "").strip(), str(guest_id or "").strip()
    if not room:
        raise ValidationError({"room": _("Enter the room number.")})
    order = Order.objects.select_related("table", "waiter").get(pk=check.order_id)
    setup = _posting_outlet(order)
    # A first look outside the lock: the PMS may take seconds, and refusals need no lock.
    estimate = check_total(check) - reserved_towards(Check.objects.prefetch_related("payments").get(pk=check.pk))
    wanted = (estimate if amount is None else amount) + (tip if isinstance(tip, int) else 0)
    approval = None
    try:
        guest = pms_services.vet_guest(posting_outlet=setup, room=room, guest_id=guest_id, amount=wanted)
    except RoomChargeRefused as refusal:
        if not refusal.overridable:
            raise
        if not approver_id or not approver_pin:
            raise ValidationError({"guest": refusal.text, "override": refusal.reason}) from None
        approval = approve_action(
            action="room_charge_override",
            approver_id=approver_id,
            pin=approver_pin,
            requested_by=by,
            reason=refusal.text,
        )
        guest = pms_services.vet_guest(posting_outlet=setup, room=room, guest_id=guest_id, amount=wanted, override=True)
    except PmsUnreachable as error:
        raise ValidationError({"room": error.message}) from None
    if guest is not None and not guest_id:
        raise ValidationError({"guest": _("Pick the guest to charge.")})
    with transaction.atomic():
        order, check, left = _start_payment(
            check=check, tender=tender, amount=amount or 1, tip=tip, by=by, client_uuid=client_uuid
        )
        if order is None:
            return left
        applied = left if amount is None else amount
        if applied > left:
            raise ValidationError({"amount": _("That is more than is left to pay.")})
        payment = _new_payment(
            check=check,
            tender=tender,
            by=by,
            client_uuid=client_uuid,
            amount=applied,
            tip=tip,
            reference=_("Room %(room)s") % {"room": room},
        )
        splits, service_charge = revenue_splits(check=check, amount=applied)
        posting = pms_services.request_posting(
            posting_outlet=setup,
            charge=ChargeRequest(
                key=f"tafel-room-{payment.client_uuid}",
                room=room,
                guest_id=str(guest_id),
                guest_name=guest.name if guest else "",
                amount=applied + tip,
                tip=tip,
                service_charge=service_charge,
                revenue=splits,
                taxes_included=check.frozen_totals["prices_include_tax"],
                check_number=check.pk,
                business_date=current_business_day().date,
                check_text=printouts.receipt_as_text(check=check),
                covers=order.covers,
                table=str(order.table.number) if order.table_id else order.room_number or "",
                waiter=str(by),
                waiter_code=str(by.pk),
                workstation=(workstation or "POS")[:16],
                credit_override=approval is not None,
            ),
            offline=guest is None,
            by=by,
        )
        payment.posting = posting
        payment.provider_status = posting.state
        payment.save(update_fields=["posting", "provider_status"])
        if approval is not None:
            record_audit(
                actor=by, action="room_charge_override", subject=payment, approval=approval, reason=approval.reason
            )
        if guest is None:
            # The house's word stands in for the PMS's: the check closes, the posting follows.
            _capture(payment, by=by, order=order)
        pms_services.dispatch_posting(posting=posting)
        _announce_payment_on_commit(payment)
    payment.refresh_from_db()
    return payment


def _room_charge_payment(posting) -> Payment | None:
    return Payment.objects.filter(posting_id=posting.pk).select_related("guest_check").first()


def record_room_charge_posted(*, posting, by: User | None = None) -> Payment | None:
    """The PMS confirmed the posting: its waiting payment is captured (the check may close)."""
    payment = _room_charge_payment(posting)
    if payment is None:
        return None
    order = _lock_order(payment.guest_check.order_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    payment.provider_status = posting.state
    payment.failure_message = ""  # an earlier "no answer" is settled: it is on the folio
    payment.save(update_fields=["provider_status", "failure_message"])
    if payment.state == Payment.State.PENDING:
        _capture(payment, by=by or payment.by, order=order)
    _announce_payment_on_commit(payment)
    return payment


def record_room_charge_refused(*, posting, by: User | None = None) -> Payment | None:
    """The PMS refused the posting: a waiting payment fails with its reason; an accepted one waits for the front desk."""
    payment = _room_charge_payment(posting)
    if payment is None:
        return None
    Payment.objects.filter(pk=payment.pk).update(provider_status=posting.state)
    if payment.state == Payment.State.PENDING:
        return _fail_payment(payment.pk, message=f"{posting.room}: {posting.answer_text}", by=by)
    _announce_payment_on_commit(payment)
    return payment


def note_room_charge_unanswered(*, posting) -> None:
    """No answer from the PMS: the payment keeps waiting; the front desk checks the folio."""
    payment = _room_charge_payment(posting)
    if payment is None:
        return
    Payment.objects.filter(pk=payment.pk).update(
        provider_status=posting.state,
        failure_message=_("No answer from the hotel system: the front desk is checking the folio.")[:200],
    )
    _announce_payment_on_commit(payment)


def follow_redirected_posting(*, old, new) -> None:
    """The front desk sent the charge to another guest: the payment follows the new posting."""
    payment = _room_charge_payment(old)
    if payment is None:
        return
    Payment.objects.filter(pk=payment.pk).update(
        posting=new, provider_status=new.state, reference=(_("Room %(room)s") % {"room": new.room})[:80]
    )
    _announce_payment_on_commit(payment)


def withdraw_room_charge(*, posting, by: User, reason: str) -> Payment | None:
    """The front desk settles a room charge another way: the payment stops counting and the check reopens.

    A waiting payment is cancelled. One the house had accepted offline is reversed
    (the hotel never took it), and its check reopens for the cashier. Refused when
    that check's business day is closed: then the charge must go to another guest.
    """
    payment = _room_charge_payment(posting)
    if payment is None:
        return None
    order = _lock_order(payment.guest_check.order_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.state == Payment.State.PENDING:
        return _fail_payment(payment.pk, message=reason, state=Payment.State.CANCELLED, by=by)
    if payment.state != Payment.State.CAPTURED:
        return payment
    check = Check.objects.select_related("business_day").get(pk=payment.guest_check_id)
    if check.business_day_id and check.business_day.is_closed:
        raise ValidationError(
            {"posting": _("This check's business day is closed: post the charge to another guest or room instead.")}
        )
    _record_payment_state(payment, Payment.State.REVERSED, by=by, note=reason)
    payment.provider_status = posting.state
    payment.save(update_fields=["state", "provider_status"])
    record_audit(actor=by, action="room_charge_reversed", subject=payment, reason=reason[:200])
    if check.status == Check.Status.CLOSED:
        _set_check_status(check=check, to_status=Check.Status.OPEN, by=by, reason=reason)
        check.closed_at = None
        check.save(update_fields=["status", "closed_at"])
        if order.status == Order.Status.CLOSED:
            order_services.reopen_order(order=order, by=by, note=reason)
    _touch(check)
    _announce_payment_on_commit(payment)
    return payment


# The business day, cash drawers, refunds and reopening ---------------------------------


def business_date(moment) -> datetime.date:
    """The trading date of a moment: before BUSINESS_DAY_ENDS_AT it is still yesterday's night."""
    local = timezone.localtime(moment)
    ends_at = datetime.time.fromisoformat(settings.BUSINESS_DAY_ENDS_AT)
    return local.date() - datetime.timedelta(days=1) if local.time() < ends_at else local.date()


def current_business_day() -> BusinessDay:
    """The open business day, opened now if there is none (the first sale after a Z report)."""
    day = BusinessDay.objects.filter(closed_at__isnull=True).order_by("date").first()
    if day is not None:
        return day
    date = business_date(timezone.now())
    last = BusinessDay.objects.order_by("-date").first()
    if last is not None and last.date >= date:
        # Closed early (a Z before the night ended): what follows is the next day's.
        date = last.date + datetime.timedelta(days=1)
    try:
        with transaction.atomic():
            return BusinessDay.objects.create(date=date)
    except IntegrityError:
        return BusinessDay.objects.get(date=date)


def _day_taking_money() -> BusinessDay:
    """The open business day, held (FOR SHARE) until this transaction commits the money it writes into it.

    The Z (`close_business_day`) locks the same row FOR UPDATE: it waits for payments
    being written to commit, and whatever comes after it lands in the next day. Money
    is never booked into a day whose report is already stored. (SQLite runs one
    writer at a time, so it needs no lock.)
    """
    for _attempt in range(3):
        day = current_business_day()
        if connection.vendor != "postgresql":
            return day
        with connection.cursor() as cursor:
            # The ORM has no FOR SHARE; the table name is our own model's, the id a parameter.
            table = connection.ops.quote_name(BusinessDay._meta.db_table)
            cursor.execute(f"SELECT closed_at FROM {table} WHERE id = %s FOR SHARE", [day.pk])  # noqa: S608
            (closed_at,) = cursor.fetchone()
        if closed_at is None:
            return day
    raise ValidationError({"business_day": _("The business day is being closed: try again in a moment.")})


def close_business_day(*, by: User, carry_over_open_orders: bool = False) -> BusinessDay:
    """The Z: number the open business day, store its report and lock it. Nothing changes in it afterwards.

    Refused while a cash drawer of the day is still open (count it first) or a payment
    is still under way. Orders still open are refused too unless
    `carry_over_open_orders`: their checks then count in the day they are paid.
    """
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager closes the business day."))
    from billing.reports import day_report  # the report reads billing's rows, as this module does

    with transaction.atomic():
        day = BusinessDay.objects.filter(closed_at__isnull=True).order_by("date").first()
        if day is None:
            raise ValidationError({"business_day": _("No business day is open: nothing was sold since the last Z.")})
        day = BusinessDay.objects.select_for_update().get(pk=day.pk)
        if day.is_closed:
            raise ValidationError({"business_day": _("This business day was closed a moment ago.")})
        drawers = list(DrawerSession.objects.filter(business_day=day, closed_at__isnull=True).select_related("outlet"))
        if drawers:
            raise ValidationError(
                {
                    "drawers": _("Count and close the cash drawer first: %(outlets)s.")
                    % {"outlets": ", ".join(str(d.outlet) for d in drawers)}
                }
            )
        waiting = list(Payment.objects.filter(state=Payment.State.PENDING).select_related("guest_check", "tender")[:5])
        if waiting:
            raise ValidationError(
                {
                    "payments": _("A payment is still under way (%(payments)s): let it finish or cancel it.")
                    % {
                        "payments": ", ".join(
                            f"{p.tender} {p.guest_check.order_id}-{p.guest_check.number}" for p in waiting
                        )
                    }
                }
            )
        open_orders = Order.objects.filter(status=Order.Status.OPEN).count()
        if open_orders and not carry_over_open_orders:
            raise ValidationError(
                {
                    "open_orders": ngettext(
                        "%(count)d order is still open: settle it, or carry it over to the next day.",
                        "%(count)d orders are still open: settle them, or carry them over to the next day.",
                        open_orders,
                    )
                    % {"count": open_orders}
                }
            )
        day.closed_at, day.closed_by = timezone.now(), by
        day.z_number = (BusinessDay.objects.aggregate(n=Max("z_number"))["n"] or 0) + 1
        day.save(update_fields=["closed_at", "closed_by", "z_number"])
        day.report = day_report(day=day)
        day.save(update_fields=["report"])
        record_audit(
            actor=by,
            action="business_day_closed",
            subject=day,
            details={
                "z_number": day.z_number,
                "gross": day.report["sales"]["gross"],
                "open_orders_carried_over": open_orders,
            },
        )
        business_day_closed.send(sender=BusinessDay, day=day, by=by)
    return day


def open_drawer(*, outlet, opening_float: int, by: User) -> DrawerSession:
    """Start a cash drawer's shift with the float counted into it."""
    if not by.has_role(Role.CASHIER, Role.MANAGER, Role.BARTENDER, Role.WAITER):
        raise PermissionDenied(_("You cannot open a cash drawer."))
    if not isinstance(opening_float, int) or opening_float < 0:
        raise ValidationError({"opening_float": _("The float is a whole number of cents, 0 or more.")})
    try:
        with transaction.atomic():
            session = DrawerSession.objects.create(
                outlet=outlet, business_day=_day_taking_money(), opened_by=by, opening_float=opening_float
            )
            record_audit(actor=by, action="drawer_opened", subject=session, details={"float": opening_float})
    except IntegrityError:
        raise ValidationError({"outlet": _("This outlet's cash drawer is open already.")}) from None
    return session


def open_drawer_for(outlet_id: int) -> DrawerSession | None:
    return DrawerSession.objects.filter(outlet_id=outlet_id, closed_at__isnull=True).first()


def record_cash_movement(*, session: DrawerSession, kind: str, amount: int, reason: str, by: User) -> CashMovement:
    """A pay-in or pay-out of the drawer (change bought, a supplier paid from the till)."""
    if not by.has_role(Role.CASHIER, Role.MANAGER):
        raise PermissionDenied(_("Only cashiers and managers move cash in or out of the drawer."))
    if kind not in CashMovement.Kind.values:
        raise ValidationError({"kind": _("Pay-in or pay-out.")})
    if not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": _("An amount is a whole number of cents, at least 1.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    with transaction.atomic():
        session = DrawerSession.objects.select_for_update().get(pk=session.pk)
        if session.closed_at:
            raise ValidationError({"session": _("This drawer is closed.")})
        movement = CashMovement.objects.create(session=session, kind=kind, amount=amount, reason=reason.strip(), by=by)
        record_audit(
            actor=by, action=f"cash_{kind}", subject=movement, reason=movement.reason, details={"amount": amount}
        )
    return movement


def expected_cash(session: DrawerSession) -> int:
    """Float + cash taken (with its rounding and tips) - change given - cash refunds +/- movements."""
    from django.db.models import Sum

    taken = session.payments.filter(state=Payment.State.CAPTURED).aggregate(
        cash=Sum("cash_given"), change=Sum("change_due")
    )
    refunds = session.refunds.filter(state=Refund.State.SUCCEEDED).aggregate(total=Sum("amount"))["total"] or 0
    moves = {row["kind"]: row["total"] for row in session.movements.values("kind").annotate(total=Sum("amount"))}
    return (
        session.opening_float
        + (taken["cash"] or 0)
        - (taken["change"] or 0)
        - refunds
        + moves.get(CashMovement.Kind.PAY_IN, 0)
        - moves.get(CashMovement.Kind.PAY_OUT, 0)
    )


def close_drawer(*, session: DrawerSession, counted: int, by: User) -> DrawerSession:
    """End the drawer's shift with a blind count; the variance is kept with it."""
    if not by.has_role(Role.CASHIER, Role.MANAGER):
        raise PermissionDenied(_("Only cashiers and managers close a cash drawer."))
    if not isinstance(counted, int) or counted < 0:
        raise ValidationError({"counted": _("Type the cash counted, in cents.")})
    with transaction.atomic():
        session = DrawerSession.objects.select_for_update().get(pk=session.pk)
        if session.closed_at:
            raise ValidationError({"session": _("This drawer is closed already.")})
        session.expected = expected_cash(session)
        session.counted = counted
        session.closed_at, session.closed_by = timezone.now(), by
        session.save(update_fields=["expected", "counted", "closed_at", "closed_by"])
        record_audit(
            actor=by,
            action="drawer_closed",
            subject=session,
            details={"counted": counted, "expected": session.expected, "variance": session.variance},
        )
    return session


def refund_payment(
    *, payment: Payment, amount: int, reason: str, by: User, approver_id: int | None, approver_pin: str | None
) -> Refund:
    """Give money back on a captured payment, to the same tender, with a manager's approval.

    Cards are refunded through Stripe (keyed by the refund row); cash comes out of the open drawer.
    """
    _require_billing_role(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": _("An amount is a whole number of cents, at least 1.")})
    approval = _approval_if_needed(
        needed=True, action="refund", by=by, reason=reason, approver_id=approver_id, approver_pin=approver_pin
    )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("tender", "guest_check__order").get(pk=payment.pk)
        if payment.state != Payment.State.CAPTURED:
            raise ValidationError({"payment": _("Only a completed payment can be refunded.")})
        if payment.tender.kind == Tender.Kind.ROOM_CHARGE:
            raise ValidationError({"payment": _("A room charge is corrected on the guest's folio by the front desk.")})
        refundable = payment.amount + payment.tip - payment.refunded
        if amount > refundable:
            raise ValidationError(
                {"amount": _("At most %(left)s can still be refunded on this payment.") % {"left": refundable}}
            )
        drawer = None
        if payment.tender.kind == Tender.Kind.CASH:
            drawer = open_drawer_for(payment.guest_check.order.outlet_id)
            if drawer is None:
                raise ValidationError({"payment": _("Open the cash drawer to give cash back.")})
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            reason=reason,
            approval=approval,
            by=by,
            business_day=_day_taking_money(),
            drawer_session=drawer,
        )
        payment.refunded += amount
        payment.save(update_fields=["refunded"])
        record_audit(actor=by, action="refund_given", subject=refund, approval=approval, reason=reason)
    if payment.tender.kind == Tender.Kind.CARD:
        try:
            provider_id = card_terminal.refund(
                key=f"tafel-refund-{refund.pk}", intent_id=payment.provider_id, amount=amount
            )
        except card_terminal.CardTerminalError as error:
            with transaction.atomic():
                Refund.objects.filter(pk=refund.pk).update(state=Refund.State.FAILED, failure_message=error.message)
                Payment.objects.filter(pk=payment.pk).update(refunded=F("refunded") - amount)
            refund.refresh_from_db()
            return refund
        Refund.objects.filter(pk=refund.pk).update(state=Refund.State.SUCCEEDED, provider_id=provider_id)
    else:
        Refund.objects.filter(pk=refund.pk).update(state=Refund.State.SUCCEEDED)
        if drawer is not None:
            transaction.on_commit(lambda: kick_drawer(outlet_id=drawer.outlet_id), robust=True)
    refund.refresh_from_db()
    return refund


def reopen_check(*, check: Check, reason: str, by: User, approver_id: int | None, approver_pin: str | None) -> Check:
    """Reopen a paid check with a manager's approval (and its order with it); refused once its day is closed."""
    _require_billing_role(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    approval = _approval_if_needed(
        needed=True, action="reopen_check", by=by, reason=reason, approver_id=approver_id, approver_pin=approver_pin
    )
    with transaction.atomic():
        order = _lock_order(check.order_id)
        check = Check.objects.select_related("business_day").get(pk=check.pk)
        if check.status != Check.Status.CLOSED:
            raise ValidationError({"check": _("Only a paid check can be reopened.")})
        if check.business_day_id and check.business_day.is_closed:
            raise ValidationError(
                {"check": _("This check belongs to a closed business day: refund it instead of reopening it.")}
            )
        _set_check_status(check=check, to_status=Check.Status.OPEN, by=by, reason=reason, approval=approval)
        check.closed_at = None
        check.save(update_fields=["status", "closed_at"])
        record_audit(actor=by, action="check_reopened", subject=check, approval=approval, reason=reason)
        if order.status == Order.Status.CLOSED:
            order_services.reopen_order(order=order, by=by, note=reason)
        _touch(check)
    return check


def kick_drawer(*, outlet_id: int) -> None:
    """Open the cash drawer wired to the outlet's receipt printer (a pulse through the printer)."""
    from printing.receipts import render_drawer_kick
    from printing.services import queue_print_job

    rules = billing_settings(outlet_id)
    printer = rules.receipt_printer
    if printer is None or not printer.is_active:
        return
    queue_print_job(
        printer=printer,
        payload=render_drawer_kick(profile=printer.profile),
        title=_("Open cash drawer"),
        source=f"billing.drawer:{outlet_id}",
    )


def print_check_receipt(*, check: Check, by: User) -> PrintJob:
    """Queue the receipt of a paid check (marked COPY after the first), or the pro forma of an open one.

    With no receipt printer (or one switched off) nothing is queued: the caller is told why.
    """
    _require_billing_role(by)
    check = Check.objects.select_related("order").get(pk=check.pk)
    problem = printouts.receipt_printer_problem(outlet_id=check.order.outlet_id)
    if problem:
        raise ValidationError({"printer": problem})
    if check.status == Check.Status.OPEN:
        return printouts.queue_receipt(check=check, by=by, title=_("PRO FORMA"))
    with transaction.atomic():
        printed_before = AuditEntry.objects.filter(
            action="receipt_printed", subject_type="billing.check", subject_id=str(check.pk)
        ).exists()
        record_audit(actor=by, action="receipt_printed", subject=check)
        return printouts.queue_receipt(check=check, by=by, title=_("COPY") if printed_before else "")
