"""`{{ cents|money }}`: integer minor units as the receipts print them ("€ 12.50", "€ 12,50" in Dutch)."""

from django import template
from django.conf import settings

from printing.receipts import format_money

register = template.Library()


@register.filter
def money(cents, currency: str = ""):
    """Format cents in the given currency (a stored report's own), else the configured one; blank stays blank."""
    if cents is None or cents == "":
        return ""
    return format_money(cents, currency=currency or settings.CURRENCY, decimals=settings.CURRENCY_DECIMALS)
