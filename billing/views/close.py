"""The close of day (Z) wizard: what blocks the close, a button to clear each, then the Z, its print and PDF.

Every button acts through a service (the drawer's blind count, the card payment's
status or cancel, the room charge's retry or confirmation, the failed print job's
retry) and comes back to the wizard, which reads the blockers again. The Z itself is
`close_business_day`: it checks everything again under its lock and stays the only rule.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import services
from billing.models import BusinessDay, DrawerSession, Payment
from billing.selectors import close_blockers, open_drawer_for
from billing.views.day import manager_only
from pms_integration import services as pms
from pms_integration.models import Posting
from printing.models import PrintJob
from printing.services import retry_failed_print_job
from printing.z_slip import z_report_pdf
from tables.models import Outlet


def _open_day() -> BusinessDay | None:
    return BusinessDay.objects.filter(closed_at__isnull=True).order_by("date").first()


def _messages(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error) or _("You may not do that.")]
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def _wizard(request, *, errors: list[str] | None = None, done: str = ""):
    day = _open_day()
    blockers = close_blockers(day=day)
    return render(
        request,
        "billing/close_wizard.html",
        {"day": day, "blockers": blockers, "errors": errors or [], "done": done},
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def close_day(request):
    """GET: the wizard. POST: the Z (with the open orders carried over when ticked), then its last page."""
    if (refused := manager_only(request)) is not None:
        return refused
    if request.method == "GET":
        return _wizard(request)
    try:
        day = services.close_business_day(
            by=request.user, carry_over_open_orders=request.POST.get("carry_over_open_orders") == "1"
        )
    except (ValidationError, PermissionDenied) as error:
        return _wizard(request, errors=_messages(error))
    return redirect("billing:day-closed", date=day.date.isoformat())


def _cents(raw: str, field: str) -> int:
    """A typed amount ("123.45" as the number field sends it) in cents; 4xx naming the field when it is not one."""
    wrong = ValidationError({field: _("Type the amount counted, for example 123.45.")})
    try:
        amount = Decimal((raw or "").strip().replace(",", "."))
    except InvalidOperation:
        raise wrong from None
    if not amount.is_finite() or amount < 0 or amount > 10**7 or amount != amount.quantize(Decimal("0.01")):
        raise wrong
    return int(amount * 100)


def _row(model, request, **filters):
    try:
        pk = int(request.POST.get("id", ""))
    except ValueError:
        raise ValidationError({"id": _("Choose what to act on.")}) from None
    found = model.objects.filter(pk=pk, **filters).first()
    if found is None:
        raise ValidationError({"id": _("That is no longer waiting: the list was read again.")})
    return found


def _count_drawer(request) -> str:
    session = _row(DrawerSession, request, closed_at__isnull=True)
    counted = _cents(request.POST.get("counted", ""), "counted")
    session = services.close_drawer(session=session, counted=counted, by=request.user)
    return f"drawer-{session.pk}"


def _check_card(request) -> str:
    payment = _row(Payment, request, state=Payment.State.PENDING, posting__isnull=True)
    services.settle_card_payment(payment=payment, by=request.user)
    return "card-payments"


def _cancel_card(request) -> str:
    payment = _row(Payment, request, state=Payment.State.PENDING, posting__isnull=True)
    services.cancel_card_payment(payment=payment, by=request.user, message=_("Cancelled at the close of day."))
    return "card-payments"


def _retry_room_charge(request) -> str:
    posting = _row(Posting, request)
    pms.retry_posting(posting=posting, by=request.user, checked_folio=request.POST.get("checked_folio") == "1")
    return "room-charges"


def _confirm_room_charge(request) -> str:
    pms.confirm_posted(
        posting=_row(Posting, request), by=request.user, note=_("Found on the folio at the close of day")
    )
    return "room-charges"


def _ask_the_hotel(request) -> str:
    pms.reconcile_unknown(posting=_row(Posting, request, state=Posting.State.UNKNOWN))
    return "room-charges"


def _retry_print(request) -> str:
    retry_failed_print_job(job=_row(PrintJob, request, state=PrintJob.State.FAILED), by=request.user)
    return "print-jobs"


ACTIONS = {
    "count-drawer": _count_drawer,
    "check-card": _check_card,
    "cancel-card": _cancel_card,
    "retry-room-charge": _retry_room_charge,
    "confirm-room-charge": _confirm_room_charge,
    "ask-the-hotel": _ask_the_hotel,
    "retry-print": _retry_print,
}


@require_POST
def close_action(request, action: str):
    """One button of the wizard; back to the wizard, which reads the blockers again."""
    if (refused := manager_only(request)) is not None:
        return refused
    act = ACTIONS.get(action)
    if act is None:
        raise Http404(_("There is no such step."))
    try:
        anchor = act(request)
    except (ValidationError, PermissionDenied) as error:
        return _wizard(request, errors=_messages(error))
    return redirect(f"{reverse('billing:day-close')}?done={action}#{anchor}")


def _closed_day(date: str) -> BusinessDay:
    try:
        wanted = datetime.date.fromisoformat(date)
    except ValueError:
        raise Http404(_("Give the date as YYYY-MM-DD.")) from None
    day = get_object_or_404(BusinessDay, date=wanted)
    if not day.is_closed or not day.report:
        raise Http404(_("This business day is not closed yet."))
    return day


def _drawers_to_open() -> list[Outlet]:
    """The active outlets that keep a cash drawer and have none open: the next day's cash starts with opening them."""
    outlets = list(
        Outlet.objects.filter(is_active=True, drawer_sessions__isnull=False).distinct().order_by("name", "pk")
    )
    return [outlet for outlet in outlets if open_drawer_for(outlet.pk) is None]


@require_http_methods(["GET", "POST"])
def day_closed(request, date: str):
    """The wizard's last page: the day is closed, its Z number, print and PDF, the drawers to open next.

    POST prints the stored Z on the receipt printers and shows this page again with what was printed.
    """
    if (refused := manager_only(request)) is not None:
        return refused
    day = _closed_day(date)
    printed, missing, errors = None, [], []
    if request.method == "POST":
        try:
            printed, missing = services.print_z_report(day=day, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            errors = _messages(error)
    return render(
        request,
        "billing/day_closed.html",
        {
            "day": day,
            "report": day.report,
            "printed": printed,
            "missing": missing,
            "errors": errors,
            "drawers_to_open": _drawers_to_open(),
        },
        status=400 if errors else 200,
    )


@require_GET
def z_pdf(request, date: str):
    """The stored Z as a PDF: the house's, then each outlet's."""
    if (refused := manager_only(request)) is not None:
        return refused
    day = _closed_day(date)
    report = day.report
    sections = [(_("House"), report)] + [(s["outlet"]["name"], s) for s in report.get("outlets", [])]
    title = _("Z report %(number)s") % {"number": day.z_number}
    response = HttpResponse(z_report_pdf(sections, title=title), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="z-{day.z_number}-{day.date.isoformat()}.pdf"'
    return response
