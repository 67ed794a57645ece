"""Between sales at the drawer: opening it without a sale, and handing it over between shifts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import DrawerSession
from billing.services.drawers import CLOSING_ROLES, OPENING_ROLES, close_drawer, kick_drawer, open_drawer
from staff.models import User
from staff.services import confirm_person_with_pin, record_audit

NO_SALE_REASON_LENGTH = 200


def open_cash_drawer_without_sale(*, session: DrawerSession, reason: str, by: User) -> DrawerSession:
    """A no-sale: the drawer pulses open with nothing sold (change for a note, a check of the till).

    Always with a reason, always in the audit log, only while the drawer's session is open.
    """
    if not by.has_role(*CLOSING_ROLES):
        raise PermissionDenied(_("Only cashiers and managers open the drawer without a sale."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    if len(reason) > NO_SALE_REASON_LENGTH:
        raise ValidationError({"reason": _("Keep the reason under 200 characters.")})
    with transaction.atomic():
        session = DrawerSession.objects.select_for_update().get(pk=session.pk)
        if session.closed_at:
            raise ValidationError({"session": _("This drawer is closed.")})
        record_audit(actor=by, action="drawer_no_sale", subject=session, reason=reason)
        kick_drawer(outlet_id=session.outlet_id)
    return session


def hand_over_drawer(*, session: DrawerSession, counts: dict, to: User | None, to_pin: str, by: User) -> DrawerSession:
    """The outgoing cashier counts blind; the session closes and the incoming person's opens on that cash.

    One transaction: the count closes `session` (variance, count slip), and a new
    session for `to` starts with the very counts as its float. Either both happen or
    neither does. Both are in the audit log, and the hand-over itself too. The incoming
    person takes the cash with her own PIN: nobody is handed a drawer behind her back.
    """
    if not by.has_role(*CLOSING_ROLES):
        raise PermissionDenied(_("Only cashiers and managers close a cash drawer."))
    if not isinstance(to, User) or not to.has_role(*OPENING_ROLES):
        raise ValidationError({"to": _("Hand the drawer to someone who may open it.")})
    if to.pk == by.pk:
        raise ValidationError({"to": _("Hand the drawer over to someone else.")})
    try:
        confirm_person_with_pin(person=to, pin=to_pin, requested_by=by)
    except ValidationError as error:
        raise ValidationError({"to_pin": error.message_dict.get("pin", error.messages)}) from None
    with transaction.atomic():
        closed = close_drawer(session=session, counts=counts, by=by)
        opened = open_drawer(outlet=closed.outlet, float_counts=closed.close_counts, by=to, handed_over_from=closed)
        record_audit(
            actor=by,
            action="drawer_handed_over",
            subject=opened,
            details={"from_session": closed.pk, "to": to.pk, "cash": opened.opening_float},
        )
    return opened
