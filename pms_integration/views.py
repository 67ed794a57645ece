"""The front desk's pages: a shell for the live postings page, and a printable folio."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie

from pms_integration import selectors, services
from pms_integration.models import GuestStay, Hotel, PostingOutlet
from staff.models import Role


def _front_desk_only(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_role(*services.FRONT_DESK_ROLES):
        raise PermissionDenied
    return None


def _page(request, template: str, context: dict):
    return render(
        request,
        template,
        {"currency": settings.CURRENCY, "currency_decimals": settings.CURRENCY_DECIMALS, **context},
    )


@ensure_csrf_cookie
def front_desk(request):
    """Postings of the day (problems first), the link's state and the guests in house."""
    if (refused := _front_desk_only(request)) is not None:
        return refused
    hotels = list(Hotel.objects.select_related("pms_link"))
    # Sorted here: the outlet's name is read in the screen's language (with fallback).
    outlets = sorted(
        (setup.outlet for setup in PostingOutlet.objects.select_related("outlet")), key=lambda o: (o.name, o.pk)
    )
    ledger_hotels = [h for h in hotels if not hasattr(h, "pms_link") or h.pms_link.interface == "ledger"]
    return _page(
        request,
        "frontdesk/front_desk.html",
        {
            "hotels": hotels,
            "ledger_hotels": ledger_hotels,
            "outlets": outlets,
            "today": selectors.front_desk_date(),
            "is_manager": request.user.has_role(Role.MANAGER),
        },
    )


def folio(request, stay_id: int):
    """A guest's folio as the built-in ledger holds it, laid out to print at check-out."""
    if (refused := _front_desk_only(request)) is not None:
        return refused
    stay = get_object_or_404(GuestStay.objects.select_related("room__hotel"), pk=stay_id)
    entries, total = selectors.folio_of(stay)
    return _page(
        request,
        "frontdesk/folio.html",
        {"stay": stay, "entries": entries, "total": total, "printed_at": timezone.now()},
    )
