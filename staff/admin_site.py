"""The back office's admin site: only a password sign-in opens it.

A PIN is four digits typed on a shared tablet; it opens the POS screens only. A browser
holding a PIN session (even a manager's, even with is_staff) gets the admin's own login
page and must type the password.
"""

from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY

from staff.backends import PIN_SESSION_BACKEND


def signed_in_with_password(request) -> bool:
    backend = request.session.get(BACKEND_SESSION_KEY)
    return bool(backend) and backend != PIN_SESSION_BACKEND


class BackOfficeSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and signed_in_with_password(request)
