"""Reads of the floor's furniture (its live state is derived from orders, in orders.selectors)."""

from django.db.models import QuerySet

from tables.models import Outlet


def active_outlets() -> QuerySet[Outlet]:
    return Outlet.objects.filter(is_active=True).order_by("name")
