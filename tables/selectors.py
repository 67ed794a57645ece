"""Reads of the floor's furniture (its live state is derived from orders, in orders.selectors)."""

from typing import Any

from django.db.models import QuerySet

from tables.models import Area, Outlet, Table


def active_outlets() -> QuerySet[Outlet]:
    return Outlet.objects.filter(is_active=True).order_by("name")


def floor_plan_for_editing(*, outlet: Outlet) -> dict[str, Any]:
    """An outlet's areas (in tab order) and active tables, with the plan's version; two queries."""
    areas = list(Area.objects.filter(outlet=outlet, is_active=True).order_by("sort_order", "name", "pk"))
    tables = sorted(
        Table.objects.filter(outlet=outlet, is_active=True, area__is_active=True),
        key=lambda t: (len(t.number), t.number),  # "2" before "10", as the waiter's floor
    )
    return {
        "outlet": {"id": outlet.pk, "name": outlet.name},
        "version": outlet.layout_version,
        "areas": [
            {"id": a.pk, "name": a.name, "plan_width": a.plan_width, "plan_height": a.plan_height} for a in areas
        ],
        "tables": [
            {
                "id": t.pk,
                "area": t.area_id,
                "number": t.number,
                "seats": t.seats,
                "shape": t.shape,
                "x": t.x,
                "y": t.y,
                "width": t.width,
                "height": t.height,
                "rotation": t.rotation,
            }
            for t in tables
        ],
    }
