from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication


class PosSessionAuthentication(SessionAuthentication):
    """Session sign-in that answers 401 (not 403) when nobody is signed in.

    Tablets tell "signed out, show the PIN pad" from "your role may not do this" by
    the status alone.
    """

    def authenticate_header(self, request):
        return 'Session realm="pos"'


class PosSessionScheme(SessionScheme):
    """Describes our session sign-in in the OpenAPI schema, like DRF's own."""

    target_class = "config.authentication.PosSessionAuthentication"
