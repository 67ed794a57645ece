"""Shared tablets go back to the PIN pad when nobody has used them for a while.

The session remembers when it was last used; a request after more than
IDLE_SIGN_OUT_MINUTES (a person) or DEVICE_IDLE_SIGN_OUT_MINUTES (a kitchen screen,
which is a device) ends it, and the request goes on signed out: pages go to the PIN
pad, the API answers 401. Every HTTP request counts as use; WebSocket traffic (the
keep-alives of an open screen) never passes here and does not, so a tablet left on
the floor plan still times out. The open page's own timer (static/waiter/idle.js)
does the same while nobody touches it.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from staff import pin_guard

LAST_USED_KEY = "last_used_at"
# Sessions that belong to a device, not a person (kitchen.authentication.SESSION_KEY;
# staff sits below kitchen and cannot import it).
DEVICE_SESSION_KEYS = ("kitchen_display",)


def idle_limit_seconds(session) -> float | None:
    """How long this session may sit unused, or None when it signs nobody in."""
    if any(key in session for key in DEVICE_SESSION_KEYS):
        return settings.DEVICE_IDLE_SIGN_OUT_MINUTES * 60
    if SESSION_KEY in session:
        return settings.IDLE_SIGN_OUT_MINUTES * 60
    return None


@receiver(user_logged_in, dispatch_uid="staff.idle_clock_starts_at_sign_in")
def _start_idle_clock(sender, request, user, **kwargs):
    # A sign-in may keep the session's data (same person again): start the clock afresh.
    if request is not None and hasattr(request, "session"):
        request.session[LAST_USED_KEY] = time.time()


class IdleSignOutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._sign_out_when_idle(request)
        token = pin_guard.current_device.set(pin_guard.device_of(request))
        try:
            return self.get_response(request)
        finally:
            pin_guard.current_device.reset(token)

    def _sign_out_when_idle(self, request) -> None:
        session = request.session
        limit = idle_limit_seconds(session)
        if limit is None:
            return
        now = time.time()
        last_used = session.get(LAST_USED_KEY)
        if isinstance(last_used, (int, float)) and now - last_used > limit:
            logout(request)  # flushes the session, and request.user is anonymous from here
            return
        # Write the session at most every tenth of the limit (and at least each minute).
        if not isinstance(last_used, (int, float)) or now - last_used > min(60.0, limit / 10):
            session[LAST_USED_KEY] = now
