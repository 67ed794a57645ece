"""The kitchen's pages: the screen a paired display shows, and the manager's pairing page.

Server-rendered shells; the live parts are small ES modules and every change goes
through the kitchen API. These views only read.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from kitchen.authentication import SESSION_KEY
from kitchen.models import KitchenDisplay, Station
from kitchen.selectors import display_for_session
from staff.models import Role
from tables.selectors import active_outlets


@ensure_csrf_cookie
def screen(request):
    """A paired display shows its station (or the pass); anything else is asked for a pairing code."""
    display = display_for_session(request.session.get(SESSION_KEY))
    if display is None:
        return render(request, "kitchen/pair.html")
    station = display.station
    template = "kitchen/expo.html" if station.kind == Station.Kind.EXPO else "kitchen/station.html"
    return render(request, template, {"display": display, "station": station})


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
