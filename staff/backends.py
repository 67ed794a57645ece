"""The backend a PIN sign-in names for its session.

PINs are checked (and throttled) by `staff.services`, never by `authenticate()`: this
backend only restores the person from the session. Its name in the session is what
tells a tablet's PIN session from a password sign-in, which alone opens the admin.
"""

from django.contrib.auth.backends import ModelBackend

PIN_SESSION_BACKEND = "staff.backends.PinSessionBackend"


class PinSessionBackend(ModelBackend):
    def authenticate(self, request, **credentials):
        return None
