"""Kitchen screens sign in as devices: a session that names a paired display, not a person."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from kitchen.selectors import display_for_session

SESSION_KEY = "kitchen_display"


class KitchenDisplayAuthentication(BaseAuthentication):
    """`request.auth` is the paired `KitchenDisplay`; `request.user` stays anonymous.

    Like a signed-in session, it is a cookie, so unsafe methods need the CSRF token.
    """

    def authenticate(self, request):
        session = getattr(request._request, "session", None)
        display = display_for_session(session.get(SESSION_KEY) if session is not None else None)
        if display is None:
            return None
        SessionAuthentication().enforce_csrf(request)
        return AnonymousUser(), display

    def authenticate_header(self, request):
        return 'Session realm="kitchen-display"'


class KitchenDisplayScheme(OpenApiAuthenticationExtension):
    target_class = "kitchen.authentication.KitchenDisplayAuthentication"
    name = "kitchenDisplaySession"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
