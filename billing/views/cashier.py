"""The cashier's pages: every open check of an outlet, and the checks paid today.

Server-rendered shells; the lists are drawn by small ES modules (static/billing/) from the API.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from billing import services
from staff.models import Role
from tables.selectors import active_outlets


def may_work_the_cashier(request) -> bool:
    return request.user.is_authenticated and request.user.has_role(*services.CASHIER_ROLES)


def _cashier_page(request, template: str, tab: str):
    if not may_work_the_cashier(request):
        return redirect("waiter:sign-in")
    outlets = list(active_outlets())
    chosen = request.GET.get("outlet")
    outlet = next((o for o in outlets if str(o.pk) == chosen), outlets[0] if outlets else None)
    return render(
        request,
        template,
        {
            "outlets": outlets,
            "outlet": outlet,
            "tab": tab,
            "is_manager": request.user.has_role(Role.MANAGER),
            "currency": settings.CURRENCY,
            "currency_decimals": settings.CURRENCY_DECIMALS,
        },
    )


@ensure_csrf_cookie
def open_checks(request):
    """/cashier/: every open check of the chosen outlet, live."""
    return _cashier_page(request, "billing/cashier/open_checks.html", "open")


@ensure_csrf_cookie
def closed_checks(request):
    """/cashier/closed/: a check paid today, found by number, table or amount; reprint, refund, reopen."""
    return _cashier_page(request, "billing/cashier/closed_checks.html", "closed")
