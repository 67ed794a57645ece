"""The waiter's pages. Server-rendered shells; the live parts are small ES modules."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from orders.models import Order
from orders.services import FLOOR_ROLES
from tables.selectors import active_outlets


def _may_take_orders(request) -> bool:
    return request.user.is_authenticated and request.user.has_role(*FLOOR_ROLES)


def _page(request, template: str, context: dict | None = None):
    """Render a waiter page with what every page's scripts need (the currency)."""
    return render(
        request,
        template,
        {"currency": settings.CURRENCY, "currency_decimals": settings.CURRENCY_DECIMALS, **(context or {})},
    )


@ensure_csrf_cookie
def sign_in(request):
    return _page(request, "waiter/sign_in.html", {"may_take_orders": _may_take_orders(request)})


@ensure_csrf_cookie
def floor(request):
    if not _may_take_orders(request):
        return redirect("waiter:sign-in")
    outlets = list(active_outlets())
    chosen = request.GET.get("outlet")
    outlet = next((o for o in outlets if str(o.pk) == chosen), outlets[0] if outlets else None)
    return _page(request, "waiter/floor.html", {"outlets": outlets, "outlet": outlet})


@ensure_csrf_cookie
def order_screen(request, order_id: int):
    if not _may_take_orders(request):
        return redirect("waiter:sign-in")
    order = get_object_or_404(Order.objects.select_related("table", "outlet", "waiter"), pk=order_id)
    return _page(request, "waiter/order.html", {"order": order})
