"""Cash drawers: opened with a float, cash paid in and out, counted blind at close, kicked open.

The float and the close are counted by denomination (`billing.models.Denomination`);
the totals are computed here from the counts, never taken from the client alone.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.drawer_printouts import queue_drawer_count_slip
from billing.drawer_selectors import denomination_values
from billing.models import (
    CashMovement,
    Denomination,
    DrawerSession,
)
from billing.selectors import billing_settings, expected_cash
from billing.services.business_day import _day_taking_money
from staff.models import Role, User
from staff.services import record_audit

logger = logging.getLogger(__name__)


# No drawer holds this many of one note or coin; a bigger number is a typing slip.
MAX_PIECES = 100_000
# A million in the drawer is a typing slip too (and the column's limit is not far off).
MAX_CASH = 100_000_000
OPENING_ROLES = (Role.CASHIER, Role.MANAGER, Role.BARTENDER, Role.WAITER)
CLOSING_ROLES = (Role.CASHIER, Role.MANAGER)


# The notes and coins the code knows out of the box (migration 0005 seeds the same for EUR).
STANDARD_DENOMINATIONS = {
    "EUR": {
        Denomination.Kind.NOTE: (50000, 20000, 10000, 5000, 2000, 1000, 500),
        Denomination.Kind.COIN: (200, 100, 50, 20, 10, 5, 2, 1),
    },
}


def stock_denominations(*, currency: str) -> int:
    """Add the currency's standard notes and coins that are missing (a fresh demo database); how many."""
    standard = STANDARD_DENOMINATIONS.get(currency, {})
    rows = [(kind, value) for kind, values in standard.items() for value in values]
    added = 0
    with transaction.atomic():
        for sort_order, (kind, value) in enumerate(rows):
            _row, created = Denomination.objects.get_or_create(
                currency=currency, value=value, defaults={"kind": kind, "sort_order": sort_order}
            )
            added += created
    return added


def counted_total(counts, *, field: str) -> tuple[dict[str, int], int]:
    """The counts by denomination, checked and tidied ({"5000": 2}), and the cash they make.

    Keys are a denomination's value in cents (of settings.CURRENCY, active); values
    are how many pieces, 0 or more. Zero lines are left out of what is kept.
    """
    if not isinstance(counts, dict):
        raise ValidationError({field: _("Count per note and coin: {value in cents: how many}.")})
    values = denomination_values()
    tidy: dict[str, int] = {}
    for key, pieces in counts.items():
        try:
            value = int(str(key))
        except ValueError:
            value = None
        if value not in values:
            raise ValidationError({field: _("%(value)s is not a note or coin of this currency.") % {"value": key}})
        if isinstance(pieces, bool) or not isinstance(pieces, int) or not 0 <= pieces <= MAX_PIECES:
            raise ValidationError(
                {
                    field: _("How many of %(value)s: a whole number from 0 to %(most)d.")
                    % {"value": key, "most": MAX_PIECES}
                }
            )
        if pieces:
            tidy[str(value)] = tidy.get(str(value), 0) + pieces
    ordered = dict(sorted(tidy.items(), key=lambda item: -int(item[0])))
    total = sum(int(value) * pieces for value, pieces in ordered.items())
    if total > MAX_CASH:
        raise ValidationError({field: _("That is more cash than a drawer holds: check the count.")})
    return ordered, total


def _cash_from(*, amount, counts, amount_field: str, counts_field: str) -> tuple[dict[str, int], int]:
    """A count by denomination, or (for the API's older callers) a plain amount in cents; not both."""
    if counts is not None and amount is not None:
        raise ValidationError({counts_field: _("Send the count by note and coin, or an amount, not both.")})
    if counts is not None:
        return counted_total(counts, field=counts_field)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValidationError({amount_field: _("Count the cash by note and coin, or give a whole number of cents.")})
    return {}, amount


def open_drawer(
    *,
    outlet,
    by: User,
    opening_float: int | None = None,
    float_counts: dict | None = None,
    handed_over_from: DrawerSession | None = None,
) -> DrawerSession:
    """Start a cash drawer's shift with the float counted into it (by note and coin, or as an amount)."""
    if not by.has_role(*OPENING_ROLES):
        raise PermissionDenied(_("You cannot open a cash drawer."))
    counts, total = _cash_from(
        amount=opening_float, counts=float_counts, amount_field="opening_float", counts_field="float_counts"
    )
    try:
        with transaction.atomic():
            session = DrawerSession.objects.create(
                outlet=outlet,
                business_day=_day_taking_money(),
                opened_by=by,
                opening_float=total,
                float_counts=counts,
                handed_over_from=handed_over_from,
            )
            record_audit(actor=by, action="drawer_opened", subject=session, details={"float": total, "counts": counts})
    except IntegrityError:
        raise ValidationError({"outlet": _("This outlet's cash drawer is open already.")}) from None
    return session


def record_cash_movement(
    *, session: DrawerSession, kind: str, amount: int, reason: str = "", reason_code: str = "", by: User
) -> CashMovement:
    """A pay-in or pay-out of the drawer (tips paid out, a supplier paid from the till, change bought)."""
    if not by.has_role(*CLOSING_ROLES):
        raise PermissionDenied(_("Only cashiers and managers move cash in or out of the drawer."))
    if kind not in CashMovement.Kind.values:
        raise ValidationError({"kind": _("Pay-in or pay-out.")})
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": _("An amount is a whole number of cents, at least 1.")})
    if reason_code and reason_code not in CashMovement.Reason.values:
        raise ValidationError({"reason_code": _("Choose one of the reasons offered.")})
    reason = (reason or "").strip()
    if not reason and reason_code and reason_code != CashMovement.Reason.OTHER:
        reason = str(CashMovement.Reason(reason_code).label)
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    with transaction.atomic():
        session = DrawerSession.objects.select_for_update().get(pk=session.pk)
        if session.closed_at:
            raise ValidationError({"session": _("This drawer is closed.")})
        movement = CashMovement.objects.create(
            session=session, kind=kind, amount=amount, reason=reason, reason_code=reason_code, by=by
        )
        record_audit(
            actor=by,
            action=f"cash_{kind}",
            subject=movement,
            reason=movement.reason,
            details={"amount": amount, "reason_code": reason_code},
        )
    return movement


def close_drawer(
    *, session: DrawerSession, by: User, counted: int | None = None, counts: dict | None = None
) -> DrawerSession:
    """End the drawer's shift with a blind count; the variance is kept with it and the count slip printed.

    The count comes first (by note and coin, or as an amount); only the answer, once
    the count is stored, says what was expected. The slip goes to the outlet's
    receipt printer in the same transaction (`drawer_count_slip_job` finds it).
    """
    if not by.has_role(*CLOSING_ROLES):
        raise PermissionDenied(_("Only cashiers and managers close a cash drawer."))
    tidy, total = _cash_from(amount=counted, counts=counts, amount_field="counted", counts_field="counts")
    with transaction.atomic():
        session = DrawerSession.objects.select_for_update().get(pk=session.pk)
        if session.closed_at:
            raise ValidationError({"session": _("This drawer is closed already.")})
        session.expected = expected_cash(session)
        session.counted = total
        session.close_counts = tidy if counts is not None else None
        session.closed_at, session.closed_by = timezone.now(), by
        session.save(update_fields=["expected", "counted", "close_counts", "closed_at", "closed_by"])
        record_audit(
            actor=by,
            action="drawer_closed",
            subject=session,
            details={"counted": total, "expected": session.expected, "variance": session.variance, "counts": tidy},
        )
        queue_drawer_count_slip(session=session, by=by)
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
