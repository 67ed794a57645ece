"""The cash drawer's count slip: what was counted by note and coin, what was expected, the variance.

Plain data in (this app knows nothing of drawers), ESC/POS bytes out, through the
same `SlipWriter` as the kitchen's slips. Labels are in the active language: render
inside `translation.override(...)` for another.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from printing.receipts import format_money
from printing.slips import HEADLINE, NORMAL, STATION, SlipWriter


@dataclass(frozen=True)
class CountLine:
    value: int  # cents
    pieces: int


@dataclass(frozen=True)
class DrawerCountSlip:
    outlet_name: str
    session_id: int
    opened_by: str
    counted_by: str
    counted_at: datetime.datetime
    opening_float: int
    lines: tuple[CountLine, ...]
    counted: int
    expected: int
    currency: str = "EUR"
    decimals: int = 2


def render_drawer_count_slip(slip: DrawerCountSlip, *, width_chars: int, profile: str) -> bytes:
    """The count slip as ESC/POS bytes for a printer of `width_chars` normal characters a line."""

    def money(cents: int) -> str:
        return format_money(cents, currency=slip.currency, decimals=slip.decimals)

    writer = SlipWriter(width_chars=width_chars, profile=profile)
    writer.paragraph(_("DRAWER COUNT"), HEADLINE)
    writer.paragraph(slip.outlet_name, STATION)
    clock = timezone.localtime(slip.counted_at, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")
    writer.two_columns(_("Drawer %(number)d") % {"number": slip.session_id}, clock, NORMAL)
    writer.paragraph(_("Opened by: %(name)s") % {"name": slip.opened_by}, NORMAL)
    writer.paragraph(_("Counted by: %(name)s") % {"name": slip.counted_by}, NORMAL)
    writer.rule()
    for line in slip.lines:
        piece = format_money(line.value, currency=slip.currency, decimals=slip.decimals, symbol=False)
        writer.two_columns(f"{line.pieces} x {piece}", money(line.value * line.pieces), NORMAL)
    if slip.lines:
        writer.rule()
    writer.two_columns(_("Float"), money(slip.opening_float), NORMAL)
    writer.two_columns(_("Counted"), money(slip.counted), STATION)
    writer.two_columns(_("Expected"), money(slip.expected), NORMAL)
    variance = slip.counted - slip.expected
    sign = "+" if variance > 0 else ""
    writer.two_columns(_("Variance"), sign + money(variance), STATION)
    writer.rule()
    writer.paragraph(_("Signature:"), NORMAL)
    writer.paragraph(" ", NORMAL)
    return writer.finish()
