from django.core.exceptions import PermissionDenied
from django.utils.translation import ngettext


class PinThrottled(PermissionDenied):
    """Too many wrong PINs: this client must wait `retry_after` seconds before the next guess."""

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            ngettext(
                "Too many wrong PINs. Try again in %(seconds)d second.",
                "Too many wrong PINs. Try again in %(seconds)d seconds.",
                self.retry_after,
            )
            % {"seconds": self.retry_after}
        )
