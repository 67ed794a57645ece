"""The manager's printer page: live status, unprinted slips and the buttons to fix them."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from printing import selectors
from staff.models import Role
from tables.selectors import active_outlets

# The page asks the server again this often (milliseconds), for its scripts.
REFRESH_MS = 5000


@ensure_csrf_cookie
def printers(request):
    """Every printer with its status and unprinted jobs; the page refreshes itself every 5 s."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    outlets = list(active_outlets())
    chosen = request.GET.get("outlet", "")
    outlet = next((o for o in outlets if str(o.pk) == chosen), None)
    board = selectors.printer_board(outlet_id=outlet.pk if outlet else None)
    return render(
        request,
        "printing/printers.html",
        {"outlets": outlets, "outlet": outlet, "refresh_ms": REFRESH_MS, **board},
    )
