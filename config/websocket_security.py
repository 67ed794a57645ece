"""WebSocket handshakes: the Origin must be this very site.

Channels' AllowedHostsOriginValidator compares the Origin's host only, so a page on
http://127.0.0.1:9999 (another program on the till) could open the POS's sockets on
:8000 with the staff's cookie. Here the Origin's scheme, host and port must equal the
request's own (its Host header, ws -> http, wss -> https, or https behind a TLS proxy
that says so), or be listed in CSRF_TRUSTED_ORIGINS, as Django does for a form post.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) origin, or None when it is not one (e.g. "null")."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _request_scheme(scope) -> str:
    if settings.SECURE_PROXY_SSL_HEADER:
        meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        header = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        forwarded = (_header(scope, header) or "").split(",")[0].strip()
        if forwarded:
            return "https" if forwarded == secure_value else "http"
    return "https" if scope.get("scheme") == "wss" else "http"


def _allowed_hosts() -> list[str]:
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]
    return settings.ALLOWED_HOSTS


def _trusted(origin: tuple[str, str, int], trusted: str) -> bool:
    """As Django's CSRF check reads CSRF_TRUSTED_ORIGINS: "https://*.example.com" is any subdomain."""
    wildcard = "://*." in trusted
    pattern = _origin(trusted.replace("://*.", "://", 1))
    if pattern is None or origin[0] != pattern[0] or origin[2] != pattern[2]:
        return False
    return is_same_domain(origin[1], f".{pattern[1]}") if wildcard else origin[1] == pattern[1]


def same_site_origin(scope) -> bool:
    origin = _origin(_header(scope, b"origin") or "")
    host_header = _header(scope, b"host") or ""
    if origin is None or not host_header:
        return False
    domain, _port = split_domain_port(host_header)
    if not domain or not validate_host(domain, _allowed_hosts()):
        return False
    own = _origin(f"{_request_scheme(scope)}://{host_header}")
    if origin == own:
        return True
    return any(_trusted(origin, trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS)


class SameOriginValidator:
    """Refuses the handshake (HTTP 403) unless the Origin is this site's own."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if same_site_origin(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
