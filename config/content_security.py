"""The Content-Security-Policy header (django-csp), with this request's own WebSocket origin.

CSP Level 3 counts ws:// and wss:// of the page's host as 'self', but older Safari
(iPads on the floor) does not, and the screens' live updates are WebSockets.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:
            # Django answers such a request 400 itself; the policy needs no socket origin then.
            return parts
        parts.update = {**(parts.update or {}), "connect-src": [f"ws://{host}", f"wss://{host}"]}
        return parts
