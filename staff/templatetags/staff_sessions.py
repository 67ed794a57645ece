from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def idle_sign_out_seconds() -> int:
    """For the page's idle timer: the same limit the server keeps for a person's session."""
    return max(1, round(settings.IDLE_SIGN_OUT_MINUTES * 60))
