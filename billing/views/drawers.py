"""The cash drawer pages: the cashier's drawer (/cashier/drawer/) and the manager's drawers (/manager/drawers/)."""

import datetime

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from billing.drawer_selectors import cashier_drawer, drawers_overview
from billing.models import CashMovement
from staff.models import Role
from tables.models import Outlet
from tables.selectors import active_outlets

DRAWER_PAGE_ROLES = (Role.CASHIER, Role.MANAGER)


def _money_context() -> dict:
    return {"currency": settings.CURRENCY, "currency_decimals": settings.CURRENCY_DECIMALS}


def _signed_in_as(request, *roles):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_role(*roles):
        raise PermissionDenied
    return None


@ensure_csrf_cookie
def cashier_drawer_page(request):
    """The outlet's drawer: open it on a counted float, pay in and out, no-sale, hand over, close blind."""
    if (refused := _signed_in_as(request, *DRAWER_PAGE_ROLES)) is not None:
        return refused
    outlets = [o for o in active_outlets() if o.kind != Outlet.Kind.ROOM_SERVICE]
    chosen = request.GET.get("outlet")
    outlet = next((o for o in outlets if str(o.pk) == chosen), outlets[0] if outlets else None)
    drawer = cashier_drawer(outlet_id=outlet.pk, me=request.user) if outlet else None
    return render(
        request,
        "billing/cashier/drawer.html",
        {
            **_money_context(),
            "outlets": outlets,
            "outlet": outlet,
            "drawer": drawer,
            "reasons": CashMovement.Reason.choices,
            "is_manager": request.user.has_role(Role.MANAGER),
        },
    )


def _date_or_none(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def manager_drawers_page(request):
    """Open drawers with what they should hold so far; closed ones with their variance, by day and person."""
    if (refused := _signed_in_as(request, Role.MANAGER)) is not None:
        return refused
    date_from = _date_or_none(request.GET.get("from"))
    date_to = _date_or_none(request.GET.get("to"))
    person = request.GET.get("person", "")
    person_id = int(person) if person.isdigit() else None
    overview = drawers_overview(date_from=date_from, date_to=date_to, person_id=person_id)
    return render(
        request,
        "billing/drawers.html",
        {
            **_money_context(),
            "overview": overview,
            "date_from": date_from,
            "date_to": date_to,
            "person_id": person_id,
        },
    )
