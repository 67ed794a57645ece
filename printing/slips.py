"""What a kitchen slip says, and how it becomes ESC/POS bytes for the printer.

The slip is plain data, so the kitchen (or anyone) describes a ticket without this
app knowing what a ticket is. Rendering goes through python-escpos's `Dummy`
printer, which only collects bytes; the bytes become a `PrintJob`'s payload.

Three rules from the printers themselves shape the code:
- One code page for the whole job. python-escpos's magic encoder would switch code
  pages per character ("€" is not in the default page); `charcode("CP858")` after
  INIT fixes CP858 (euro 0xD5, é ë ü ñ) and turns that switching off. Characters
  CP858 lacks print as "?"; common typographic ones are replaced first.
- Size and bold in one `set()` call: the size goes out as `ESC !`, which also clears
  bold and underline, so every change here sets the whole look at once.
- Double width halves the characters per line; text is wrapped to the width of
  the size it is printed in.
"""

import datetime
import textwrap
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from escpos.printer import Dummy

from printing.models import CODE_PAGE


@dataclass(frozen=True, kw_only=True)
class SlipItem:
    """One line of a kitchen slip: "2 x Steak" for seat 2, with its choices and note."""

    qty: int
    name: str
    # 0 is the table (shared, or not said).
    seat: int = 0
    # Already in order; a nested choice may start with spaces ("  Vinaigrette").
    modifiers: tuple[str, ...] = ()
    # Allergen names, already translated and in order; printed as one shouted line.
    allergens: tuple[str, ...] = ()
    note: str = ""
    is_void: bool = False


@dataclass(frozen=True, kw_only=True)
class KitchenSlip:
    """What one station prints for one order and one fire."""

    station_name: str
    table_label: str  # as the cook says it: "Table 12", "Room 214", "Tab Jan"
    order_label: str  # "#42"
    course_name: str = ""
    waiter_name: str = ""
    printed_at: datetime.datetime
    covers: int = 0  # 0: not printed
    # Shouted on top, in this order: "VOID", "RUSH", "FIRE", "REPRINT" (already translated).
    banners: tuple[str, ...] = ()
    items: tuple[SlipItem, ...] = ()
    # The station's ticket number, small at the bottom; None: not printed.
    sequence: int | None = None

    def __post_init__(self):
        if timezone.is_naive(self.printed_at):
            raise ValueError("printed_at must be an aware datetime")


@dataclass(frozen=True)
class Look:
    """Everything about how a piece of text looks; each piece sets all of it."""

    wide: bool = False
    tall: bool = False
    bold: bool = False
    inverted: bool = False
    underline: bool = False
    small: bool = False  # font B


NORMAL = Look()
BANNER = Look(wide=True, tall=True, bold=True, inverted=True)
HEADLINE = Look(wide=True, tall=True, bold=True)
STATION = Look(bold=True)
ITEM = Look(tall=True, bold=True)
VOID_MARK = Look(tall=True, bold=True, inverted=True)
NOTE = Look(bold=True, inverted=True)
ALLERGENS = Look(bold=True, inverted=True, underline=True)
SMALL = Look(small=True)

# Characters CP858 does not have, replaced by ones it has before encoding.
PLAIN_CHARACTERS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": ",",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "*",
    }
)
MODIFIER_INDENT = "   "
NOTE_INDENT = "   "


def printable(text: str) -> str:
    """Text as the printer should get it: composed accents, no control characters.

    A control character in a note (ESC, GS) would be a command to the printer, e.g.
    a cut in the middle of the slip; it becomes a space.
    """
    text = unicodedata.normalize("NFC", str(text)).translate(PLAIN_CHARACTERS)
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


class SlipWriter:
    """Writes styled, wrapped lines to a `Dummy` printer and hands back the bytes."""

    def __init__(self, *, width_chars: int, profile: str):
        self.width_chars = width_chars
        self.printer = Dummy(profile=profile)
        self.printer.hw("INIT")
        # Once, right after INIT (which resets the printer to its default page); from
        # here on the encoder writes every character in CP858 and never switches.
        self.printer.charcode(CODE_PAGE)
        self._look: Look | None = None

    def width(self, look: Look) -> int:
        return self.width_chars // 2 if look.wide else self.width_chars

    def _use(self, look: Look) -> None:
        if look == self._look:
            return
        self.printer.set(
            font="b" if look.small else "a",
            bold=look.bold,
            underline=1 if look.underline else 0,
            invert=look.inverted,
            normal_textsize=not (look.wide or look.tall),
            double_width=look.wide,
            double_height=look.tall,
        )
        self._look = look

    def spans(self, *spans: tuple[str, Look]) -> None:
        """One printed line made of differently styled pieces (already fitted)."""
        for text, look in spans:
            if text:
                self._use(look)
                self.printer.text(text)
        # The line feed in the normal look: an inverted newline paints a black bar.
        self._use(NORMAL)
        self.printer.text("\n")

    def wrapped(self, text: str, look: Look, *, indent: str = "", first_width: int | None = None) -> list[str]:
        """Lines of `text` fitted to the width of `look` (the first maybe narrower)."""
        width = self.width(look) - len(indent)
        first = width if first_width is None else first_width - len(indent)
        lines = textwrap.wrap(printable(text), width=max(first, 1), break_on_hyphens=False) or [""]
        if len(lines) > 1 and first != width:
            rest = textwrap.wrap(" ".join(lines[1:]), width=max(width, 1), break_on_hyphens=False)
            lines = lines[:1] + rest
        return lines

    def paragraph(self, text: str, look: Look) -> None:
        for line in self.wrapped(text, look):
            self.spans((line, look))

    def bar(self, text: str, look: Look) -> None:
        """A full-width line, text centred: banners read as one black bar."""
        for line in self.wrapped(text, look):
            self.spans((line.center(self.width(look)), look))

    def two_columns(self, left: str, right: str, look: Look) -> None:
        """`left` and `right` on one line if they fit, else `right` under it on the right."""
        width = self.width(look)
        left, right = printable(left), printable(right)
        if len(left) + 1 + len(right) <= width:
            self.spans((left + " " * (width - len(left) - len(right)) + right, look))
            return
        self.paragraph(left, look)
        if right:
            self.spans((right.rjust(width), look))

    def rule(self) -> None:
        self.spans(("-" * self.width_chars, NORMAL))

    def uncut(self) -> bytes:
        """The bytes so far, in the normal look and with no cut: a piece that goes before a slip."""
        self._use(NORMAL)
        return self.printer.output

    def finish(self) -> bytes:
        self._use(NORMAL)
        # Feeds past the cutter (it sits a few lines above the print head), then a
        # partial cut, which leaves the slip hanging instead of dropping it.
        self.printer.cut(mode="PART")
        return self.printer.output


def _item(writer: SlipWriter, item: SlipItem) -> None:
    seat = _("S%(seat)d") % {"seat": item.seat} if item.seat else ""
    mark = _("VOID") if item.is_void else ""
    head = f"{item.qty} x {item.name}"
    width = writer.width(ITEM)
    first_width = width - (len(mark) + 1 if mark else 0) - (len(seat) + 1 if seat else 0)
    lines = writer.wrapped(head, ITEM, first_width=first_width)
    first = lines[0]
    # The seat goes to the right edge, where the cook's eye finds it.
    padding = " " * (first_width - len(first) + 1) if seat else ""
    writer.spans((mark, VOID_MARK), (" " if mark else "", ITEM), (first, ITEM), (padding + seat, ITEM))
    for line in lines[1:]:
        writer.spans((line, ITEM))
    for modifier in item.modifiers:
        modifier = printable(modifier)
        # Nested choices keep their own leading spaces under the one they belong to.
        nested = modifier[: len(modifier) - len(modifier.lstrip(" "))]
        indent = MODIFIER_INDENT + nested
        for line in writer.wrapped(modifier.strip(), NORMAL, indent=indent):
            writer.spans((indent, NORMAL), (line, NORMAL))
    if item.allergens:
        text = _("ALLERGENS: %(names)s") % {"names": ", ".join(item.allergens)}
        for line in writer.wrapped(text, ALLERGENS, indent=NOTE_INDENT + "  "):
            writer.spans((NOTE_INDENT, NORMAL), (f" {line} ", ALLERGENS))
    if item.note.strip():
        # Two more columns for the spaces that widen the inverted bar around the text.
        for line in writer.wrapped(item.note.strip(), NOTE, indent=NOTE_INDENT + "  "):
            writer.spans((NOTE_INDENT, NORMAL), (f" {line} ", NOTE))


def render_kitchen_slip(slip: KitchenSlip, *, width_chars: int, profile: str) -> bytes:
    """The slip as ESC/POS bytes for a printer of `width_chars` normal characters a line.

    Labels ("Waiter", "covers") are in the active language: render inside
    `translation.override(...)` to print in the kitchen's language.
    """
    writer = SlipWriter(width_chars=width_chars, profile=profile)
    for banner in slip.banners:
        writer.bar(f" {banner} ", BANNER)
    if slip.station_name:
        writer.bar(slip.station_name.upper(), STATION)
    writer.two_columns(slip.table_label, slip.order_label, HEADLINE)
    if slip.course_name:
        writer.paragraph(slip.course_name, HEADLINE)
    # The restaurant's clock (settings.TIME_ZONE), whatever zone a request activated.
    clock = timezone.localtime(slip.printed_at, timezone.get_default_timezone()).strftime("%H:%M")
    waiter = _("Waiter: %(name)s") % {"name": slip.waiter_name} if slip.waiter_name else ""
    writer.two_columns(waiter, clock, NORMAL)
    if slip.covers:
        writer.paragraph(ngettext("%(count)d cover", "%(count)d covers", slip.covers) % {"count": slip.covers}, NORMAL)
    writer.rule()
    for item in slip.items:
        _item(writer, item)
    writer.rule()
    if slip.sequence is not None:
        writer.paragraph(
            _("%(station)s ticket %(sequence)d") % {"station": slip.station_name, "sequence": slip.sequence}, SMALL
        )
    return writer.finish()


def render_duplicate_warning(*, width_chars: int, profile: str) -> bytes:
    """A banner printed above a job sent again after an attempt that may already have printed it.

    In the active language: render inside `translation.override(job.language)`.
    """
    writer = SlipWriter(width_chars=width_chars, profile=profile)
    writer.bar(f" {_('REPRINT - may be a duplicate')} ", BANNER)
    return writer.uncut()


def render_test_page(
    printer_name: str, width_chars: int, *, profile: str = "default", printed_at: datetime.datetime | None = None
) -> bytes:
    """A page that shows the printer is set up right: sizes, accents, € and the width."""
    writer = SlipWriter(width_chars=width_chars, profile=profile)
    writer.bar(_("TEST PAGE"), BANNER)
    writer.paragraph(printer_name, HEADLINE)
    moment = timezone.localtime(printed_at or timezone.now(), timezone.get_default_timezone())
    writer.paragraph(moment.strftime("%Y-%m-%d %H:%M"), NORMAL)
    writer.rule()
    writer.paragraph(_("Accents and euro: € é è ë ü ñ ç à ß"), NORMAL)
    writer.paragraph(_("Large type for dishes"), ITEM)
    writer.spans((" " + _("Notes look like this") + " ", NOTE))
    writer.paragraph(_("Each line below should fill the paper exactly:"), NORMAL)
    writer.spans(("".join(str(n % 10) for n in range(1, width_chars + 1)), NORMAL))
    writer.spans(("".join(str(n % 10) for n in range(1, width_chars // 2 + 1)), HEADLINE))
    return writer.finish()
