"""Cash drawers: opened with a float, cash paid in and out, counted blind at close, kicked open."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import (
    CashMovement,
    DrawerSession,
)
from billing.selectors import billing_settings, expected_cash
from billing.services.business_day import _day_taking_money
from staff.models import Role, User
from staff.services import record_audit

logger = logging.getLogger(__name__)


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
