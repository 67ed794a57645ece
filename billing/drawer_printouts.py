"""The drawer count slip on the outlet's receipt printer, from a closed drawer session."""

from django.conf import settings
from django.utils.translation import gettext as _

from billing.models import DrawerSession
from billing.selectors import billing_settings
from printing.drawer_slips import CountLine, DrawerCountSlip, render_drawer_count_slip
from printing.models import PrintJob
from printing.services import queue_print_job
from staff.models import User


def drawer_count_slip(session: DrawerSession) -> DrawerCountSlip:
    return DrawerCountSlip(
        outlet_name=session.outlet.name,
        session_id=session.pk,
        opened_by=str(session.opened_by),
        counted_by=str(session.closed_by),
        counted_at=session.closed_at,
        opening_float=session.opening_float,
        lines=tuple(
            CountLine(value=int(value), pieces=pieces)
            for value, pieces in sorted((session.close_counts or {}).items(), key=lambda item: -int(item[0]))
        ),
        counted=session.counted,
        expected=session.expected,
        currency=settings.CURRENCY,
        decimals=settings.CURRENCY_DECIMALS,
    )


def queue_drawer_count_slip(*, session: DrawerSession, by: User) -> PrintJob | None:
    """Queue the count slip of a closed drawer on the outlet's receipt printer; None when it has none.

    The screen then says it was not printed (see `billing.printouts.receipt_printer_problem`).
    """
    printer = billing_settings(session.outlet_id).receipt_printer
    if printer is None or not printer.is_active:
        return None
    payload = render_drawer_count_slip(
        drawer_count_slip(session), width_chars=printer.paper_width_chars, profile=printer.profile
    )
    return queue_print_job(
        printer=printer,
        payload=payload,
        title=_("Drawer count %(number)d") % {"number": session.pk},
        source=f"billing.drawer_count:{session.pk}",
        by=by,
    )
