"""The waiter's pages. Server-rendered shells; the live parts are small ES modules."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import ensure_csrf_cookie

from billing.printouts import receipt_choice_first
from orders.models import Order
from orders.services import FLOOR_ROLES, FLOOR_WATCH_ROLES, KITCHEN_86_ROLES
from staff.models import Role
from staff.selectors import person_with_shift
from tables.selectors import active_outlets


def _may_take_orders(request) -> bool:
    return request.user.is_authenticated and request.user.has_role(*FLOOR_ROLES)


def _may_settle(request) -> bool:
    """The bill screen: the floor, and the cashier (who settles any check of the outlet)."""
    return request.user.is_authenticated and request.user.has_role(*FLOOR_WATCH_ROLES)


def _page(request, template: str, context: dict | None = None):
    """Render a waiter page with what every page's scripts need (the currency)."""
    return render(
        request,
        template,
        {"currency": settings.CURRENCY, "currency_decimals": settings.CURRENCY_DECIMALS, **(context or {})},
    )


@ensure_csrf_cookie
def sign_in(request):
    # Where to go after signing in (the front desk page sends its people back there).
    wanted = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return _page(
        request,
        "waiter/sign_in.html",
        {"may_take_orders": _may_take_orders(request), "next_url": wanted if wanted and safe else ""},
    )


@ensure_csrf_cookie
def floor(request):
    if not _may_take_orders(request):
        return redirect("waiter:sign-in")
    outlets = list(active_outlets())
    chosen = request.GET.get("outlet")
    outlet = next((o for o in outlets if str(o.pk) == chosen), outlets[0] if outlets else None)
    # The clock button starts right (no "Clock in" flashing before the API answers).
    on_shift_since = parse_datetime(person_with_shift(request.user)["on_shift_since"] or "")
    return _page(
        request,
        "waiter/floor.html",
        {
            "outlets": outlets,
            "outlet": outlet,
            "on_shift_since": on_shift_since,
            "is_manager": request.user.has_role(Role.MANAGER),
        },
    )


@ensure_csrf_cookie
def order_screen(request, order_id: int):
    if not _may_take_orders(request):
        return redirect("waiter:sign-in")
    order = get_object_or_404(Order.objects.select_related("table", "outlet", "waiter"), pk=order_id)
    # Where the outlet says so, a waiter 86'es an item only with a manager's PIN (the service checks it).
    asks_manager = order.outlet.waiter_86_needs_manager and not request.user.has_role(*KITCHEN_86_ROLES)
    return _page(
        request,
        "waiter/order.html",
        {"order": order, "title": order.label, "sold_out_asks_manager": asks_manager},
    )


@ensure_csrf_cookie
def bill_screen(request, order_id: int):
    """The bill: the order's checks side by side, split tools and the tender pad.

    A cashier (who does not take orders) comes from and goes back to the cashier's open checks.
    """
    if not _may_settle(request):
        return redirect("waiter:sign-in")
    order = get_object_or_404(Order.objects.select_related("table", "outlet", "waiter"), pk=order_id)
    return_url = ""
    if not _may_take_orders(request):
        return_url = f"{reverse('cashier:checks')}?outlet={order.outlet_id}"
    return _page(
        request,
        "waiter/bill.html",
        {
            "order": order,
            "title": order.label,
            "cash_rounding": settings.CASH_ROUNDING,
            "return_url": return_url,
            "receipt_default": receipt_choice_first(outlet_id=order.outlet_id),
        },
    )
