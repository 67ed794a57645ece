"""Checks: the bill opened, split, shared, moved and merged, and the pro forma printed.

Every service locks the order first, so two tablets splitting one table are served
one after the other. A check with a payment is frozen: its items no longer move.
"""

import logging
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import broadcasts, printouts
from billing.models import (
    CHECK_WORKFLOW,
    Check,
    CheckItem,
    CheckStatusChange,
    Discount,
)
from orders import services as order_services
from orders.models import Order, OrderLine
from printing.models import PrintJob
from staff.models import Role, User
from staff.services import record_audit

logger = logging.getLogger(__name__)


BILLING_ROLES = (Role.WAITER, Role.BARTENDER, Role.CASHIER, Role.MANAGER)
# Who works the cashier's screen (every open check of an outlet, today's paid checks).
CASHIER_ROLES = (Role.CASHIER, Role.MANAGER)
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
        items = {
            i.pk: i
            for i in CheckItem.objects.filter(guest_check=check, pk__in=[m[0] for m in moves]).select_related("line")
        }
        if len(items) != len({m[0] for m in moves}):
            raise ValidationError({"items": _("An item is not on this check.")})
        moves = _with_set_dishes(check, moves, items)
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


def _with_set_dishes(check: Check, moves: list[tuple[int, int | None]], items: dict[int, CheckItem]):
    """A set menu moves with its dishes (the same shares of each); a dish alone does not move."""
    if any(item.line.set_line_id for item in items.values()):
        raise ValidationError({"items": _("This dish is part of a set menu: move the set.")})
    by_line = {item.line_id: item for item in items.values()}
    dishes = list(
        CheckItem.objects.filter(guest_check=check, line__set_line_id__in=list(by_line)).select_related("line")
    )
    extra = []
    for dish in dishes:
        set_item = by_line[dish.line.set_line_id]
        shares = dict(moves)[set_item.pk]
        extra.append((dish.pk, None if shares is None or shares == set_item.shares else shares))
    return list(moves) + extra


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
