"""`{{ cents|money }}`: integer minor units as every page shows money, one format per language.

The same as the pages' scripts (static/waiter/money.js, Intl.NumberFormat with style
"currency"): English "€1,234.50" and "-€4.90"; Dutch "€ 1.234,50" and "€ -4,90", the
space a no-break space. Paper receipts keep their own column format (printing.receipts).
"""

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()

NBSP = "\u00a0"
# (thousands separator, decimal separator, symbol then number, signs) per language, as Intl has them.
STYLES = {
    "nl": (".", ",", "{symbol}" + NBSP + "{sign}{number}", {"EUR": "€", "USD": "US$", "GBP": "£"}),
    "en": (",", ".", "{sign}{symbol}{number}", {"EUR": "€", "USD": "$", "GBP": "£"}),
}


def money_text(cents: int, *, currency: str, decimals: int, language: str) -> str:
    """`cents` as a page shows it in `language` (a language without a style of its own reads English)."""
    # bool is an int too; a float here would be a bug upstream, never rounded away.
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"money is integer minor units, not {type(cents).__name__}")
    thousands, point, pattern, symbols = STYLES.get((language or "en").split("-")[0], STYLES["en"])
    whole, fraction = divmod(abs(cents), 10**decimals)
    number = f"{whole:,}".replace(",", thousands)
    if decimals:
        number += f"{point}{fraction:0{decimals}d}"
    symbol = symbols.get(currency)
    if symbol is None:
        # A code, not a sign ("CHF"): Intl puts a space after it in every language.
        symbol = currency + NBSP if pattern.startswith("{sign}") else currency
    return pattern.format(symbol=symbol, sign="-" if cents < 0 else "", number=number)


@register.filter
def money(cents, currency: str = ""):
    """Format cents in the given currency (a stored report's own), else the configured one; blank stays blank."""
    if cents is None or cents == "":
        return ""
    return money_text(
        cents, currency=currency or settings.CURRENCY, decimals=settings.CURRENCY_DECIMALS, language=get_language()
    )
