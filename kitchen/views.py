"""The kitchen's pages: the screen a paired display shows, the kitchen person's screens and 86 board,
and the manager's pairing page.

Server-rendered shells; the live parts are small ES modules and every change goes
through the kitchen API. These views only read.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from kitchen.authentication import SESSION_KEY
from kitchen.models import KitchenDisplay, Station
from kitchen.selectors import display_for_session, stations_by_outlet
from kitchen.services import KITCHEN_ROLES
from staff.models import Role
from tables.selectors import active_outlets


def _station_page(request, station: Station, display: KitchenDisplay | None):
    template = "kitchen/expo.html" if station.kind == Station.Kind.EXPO else "kitchen/station.html"
    # A person opened it from a list: the kitchen's screens, or the manager's pairing page.
    back = "kitchen:stations" if display is None and request.user.has_role(Role.MANAGER) else "kitchen:screen"
    return render(request, template, {"display": display, "station": station, "back": back})


def _is_kitchen_person(user) -> bool:
    return user.is_authenticated and user.has_role(*KITCHEN_ROLES)


@ensure_csrf_cookie
def screen(request):
    """A paired display shows its station (or the pass); a cook signed in with a PIN sees the
    kitchen's screens and the 86 board; anything else (a manager too) is asked for a pairing code."""
    display = display_for_session(request.session.get(SESSION_KEY))
    if display is not None:
        return _station_page(request, display.station, display)
    if (
        request.user.is_authenticated
        and request.user.has_role(Role.KITCHEN)
        and not request.user.has_role(Role.MANAGER)
    ):
        return render(request, "kitchen/home.html", {"outlets": stations_by_outlet()})
    return render(request, "kitchen/pair.html")


@ensure_csrf_cookie
def station_screen(request, station_id: int):
    """A station's live screen for a signed-in cook (or a manager), on any tablet."""
    if not _is_kitchen_person(request.user):
        return redirect("waiter:sign-in")
    station = get_object_or_404(Station.objects.select_related("outlet"), pk=station_id, outlet__is_active=True)
    return _station_page(request, station, None)


@ensure_csrf_cookie
def sold_out(request):
    """The 86 board: what is sold out or counting down, for the kitchen and managers."""
    if not _is_kitchen_person(request.user):
        return redirect("waiter:sign-in")
    outlets = list(active_outlets())
    chosen = request.GET.get("outlet")
    outlet = next((o for o in outlets if str(o.pk) == chosen), outlets[0] if outlets else None)
    return render(
        request,
        "kitchen/sold_out.html",
        {
            "outlets": outlets,
            "outlet": outlet,
            # Only a manager gets the back office's navigation around the board.
            "frame": "manager/base.html" if request.user.has_role(Role.MANAGER) else "kitchen/_sold_out_frame.html",
            "currency": settings.CURRENCY,
            "currency_decimals": settings.CURRENCY_DECIMALS,
        },
    )


@ensure_csrf_cookie
def stations(request):
    """Managers pair screens here: every station of every active outlet, with its screens."""
    if not (request.user.is_authenticated and request.user.has_role(Role.MANAGER)):
        return redirect("waiter:sign-in")
    displays = KitchenDisplay.objects.filter(is_active=True).order_by("name", "pk")
    outlets = []
    for outlet in active_outlets():
        rows = (
            Station.objects.filter(outlet=outlet)
            .order_by("sort_order", "name")
            .prefetch_related(Prefetch("displays", queryset=displays, to_attr="active_displays"))
        )
        outlets.append({"outlet": outlet, "stations": list(rows)})
    return render(
        request,
        "kitchen/stations.html",
        {"outlets": outlets, "currency": settings.CURRENCY, "currency_decimals": settings.CURRENCY_DECIMALS},
    )
