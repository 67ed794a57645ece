"""Where a category's or an item's tickets go: the manager's station routes (services).

Kept beside, not inside, `kitchen/services.py` (tickets and fires), which is long enough.
The menu editor calls these; routing is read when lines are sent, so a change applies
to the next send and never to tickets already made.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kitchen.models import Station, StationRoute
from orders.models import Category, Item
from staff.models import Role, User
from staff.services import record_audit


def route_to_station(
    *, by: User, station: Station | None, category: Category | None = None, item: Item | None = None
) -> StationRoute | None:
    """Send a category's items (or one item, overriding its category) to `station`; None removes the route.

    An item without a route of its own follows its category.
    """
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager routes the menu to stations."))
    if (category is None) == (item is None):
        raise ValidationError({"detail": _("Route either a category or an item.")})
    subject = category or item
    outlet_id = category.menu.outlet_id if category else item.category.menu.outlet_id
    if station is not None and station.outlet_id != outlet_id:
        raise ValidationError({"station": _("The station belongs to another outlet than this menu.")})
    if station is not None and station.kind != Station.Kind.PREP:
        raise ValidationError({"station": _("Route to a preparation station, not the expo.")})
    key = {"category": category} if category else {"item": item}
    with transaction.atomic():
        route = StationRoute.objects.select_for_update().filter(**key).first()
        before = route.station_id if route else None
        if station is None:
            if route is not None:
                route.delete()
            route = None
        elif route is None:
            route = StationRoute.objects.create(station=station, **key)
        elif route.station_id != station.pk:
            route.station = station
            route.save(update_fields=["station"])
        after = station.pk if station else None
        if before != after:
            record_audit(
                actor=by, action="station_route_changed", subject=subject, details={"from": before, "to": after}
            )
    return route
