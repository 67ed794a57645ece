from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def minutes_seconds(seconds: int | None) -> str:
    """A ticket time as the kitchen says it: 7:05 (minutes and seconds); blank when there is none."""
    if seconds is None:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


@register.filter
def signed_percent(value) -> str:
    """A change in percent with its sign, in the page's language: +12.5 (en), +12,5 (nl), -3,0."""
    if value is None:
        return ""
    number = floatformat(value, 1)
    return f"+{number}" if value > 0 else number
