"""The manager's home at /manager/: the way in from the floor to every manager page."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from staff.models import Role


def manager_home(request):
    """Links to the day report, printers, front desk, kitchen screens and (for IT) the admin."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    return render(request, "staff/manager_home.html")
