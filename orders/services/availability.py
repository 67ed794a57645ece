"""86: an item or a choice sold out or back, a countdown set, by the kitchen, a screen or a waiter (with a manager where the outlet asks)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.models import (
    Item,
    Modifier,
)
from orders.services.lifecycle import FLOOR_WATCH_ROLES
from orders.signals import (
    item_availability_changed,
)
from staff.models import Role, User
from staff.services import approve_action, record_audit
from tables.models import Outlet

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
