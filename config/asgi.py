"""ASGI entry point: HTTP through Django, WebSockets through Channels.

A WebSocket's Origin must be this site's own scheme, host and port (or a trusted
origin; config.websocket_security), and sockets carry the Django session, so
consumers see the signed-in staff member (or KDS device) as scope["user"].
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.websocket_security import SameOriginValidator  # noqa: E402
from config.websocket_urls import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
