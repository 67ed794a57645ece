"""What a customer receipt says, and how it becomes ESC/POS bytes or plain text.

Like the kitchen slip, a receipt is plain data: billing fills in a `Receipt` with
amounts it has already worked out (integer minor units, never floats) and this
module only lays them out; it adds nothing up except the VAT table's own totals.

One layout function turns a receipt into rows of styled spans. Two backends emit
the rows: `render_receipt` as ESC/POS bytes through `SlipWriter`, `receipt_text`
as plain text for the on-screen copy. Both show the same characters, already
fitted to CP858 (what the printer can print), so the copy on screen and the one
on paper cannot disagree.

Amounts line up in one column at the right edge; when items carry a VAT code
("A", "B") the codes take the last columns and every amount ends just before them.
"""

import datetime
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from escpos.printer import Dummy

from printing.models import CODE_PAGE
from printing.slips import BANNER, HEADLINE, NORMAL, Look, SlipWriter, printable


@dataclass(frozen=True, kw_only=True)
class ReceiptModifier:
    """A choice on a receipt line: "Bacon", with what it adds to the whole line."""

    name: str
    amount: int = 0  # cents, per the whole line (0: not shown)


@dataclass(frozen=True, kw_only=True)
class ReceiptLine:
    """One item as the guest pays for it on this check."""

    qty_label: str  # "2", or "1/3" for a shared bottle
    name: str
    amount: int  # cents, line total on this check (before discounts)
    modifiers: tuple[ReceiptModifier, ...] = ()
    discount_label: str = ""  # e.g. "Discount 10% (birthday)" or "Comp (staff meal)"
    discount_amount: int = 0  # cents, positive number, shown as -x.xx
    tax_code: str = ""  # letter that refers to the VAT table ("A", "B")
    is_void: bool = False  # printed with a "VOID" mark, amount 0


@dataclass(frozen=True, kw_only=True)
class ReceiptTaxRow:
    """One rate of the VAT table, amounts as billing computed them."""

    code: str  # "A"
    percent: str  # "9" or "21" (already formatted)
    net: int
    tax: int
    gross: int


@dataclass(frozen=True, kw_only=True)
class ReceiptTender:
    """One payment applied to the check."""

    label: str  # "Cash", "Visa •••• 4242", "Room 214", "Voucher"
    amount: int  # applied to the check
    tip: int = 0
    change: int = 0  # cash only
    detail: str = ""  # e.g. auth code / "Refund"


@dataclass(frozen=True, kw_only=True)
class ReceiptRefund:
    """Money given back on the check: when, to which tender, how much, for which lines and why."""

    at: datetime.datetime  # aware
    tender: str
    amount: int  # cents, positive, shown as -x.xx
    lines: tuple[str, ...] = ()  # "1x Salad"
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Receipt:
    """Everything a customer receipt (or pro forma, copy, refund) prints."""

    business_name: str
    address_lines: tuple[str, ...] = ()
    vat_number: str = ""
    outlet_name: str = ""
    title: str = ""  # "" for a receipt; e.g. "PRO FORMA" / "COPY" / "REFUND" shown as an inverted banner
    check_label: str  # "Check 1042"
    table_label: str = ""  # "Table 12", "Room 214", "Tab Jan"
    waiter_name: str = ""
    covers: int = 0
    printed_at: datetime.datetime  # aware
    lines: tuple[ReceiptLine, ...] = ()
    subtotal: int
    check_discounts: tuple[tuple[str, int], ...] = ()  # (label, positive cents)
    service_charge_label: str = ""  # "Service 12.5%"
    service_charge: int = 0
    tax_rows: tuple[ReceiptTaxRow, ...] = ()
    # False (US style): tax rows are added to the total and shown as "Tax" lines above it.
    prices_include_tax: bool = True
    total: int
    tenders: tuple[ReceiptTender, ...] = ()
    tips_total: int = 0
    cash_rounding: int = 0  # cents (+/-), shown when non-zero ("Rounding")
    balance_due: int = 0  # > 0 on a pro forma or partly paid check
    footer_lines: tuple[str, ...] = ()
    refunds: tuple[ReceiptRefund, ...] = ()
    # A company invoice: the guest's company, its address lines and VAT number, under "Invoice to".
    customer_lines: tuple[str, ...] = ()
    currency: str = "EUR"
    # Digits after the decimal separator; None: settings.CURRENCY_DECIMALS.
    currency_decimals: int | None = None

    def __post_init__(self):
        if timezone.is_naive(self.printed_at):
            raise ValueError("printed_at must be an aware datetime")


# Symbols CP858 can print; any other currency shows its ISO code.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$"}

BOLD = Look(bold=True)
VOID = Look(bold=True, inverted=True)
TOTAL = HEADLINE  # double width and height, bold
DUE = Look(tall=True, bold=True)

# A name gets at least this many columns beside its amount, else the amount goes on a line of its own.
MIN_NAME_WIDTH = 8
MIN_WIDTH_CHARS = 16
# Wider quantities and deeper nesting are folded into the text, so they still wrap.
MAX_QTY_WIDTH = 5
MAX_NESTED_INDENT = 6
SUB_INDENT = "  "

Span = tuple[str, Look]
Row = tuple[Span, ...]
Money = Callable[[int], str]


def format_money(cents: int, *, currency: str = "EUR", decimals: int = 2, symbol: bool = True) -> str:
    """`cents` (integer minor units) as text: "12.50" in English, "12,50" in Dutch.

    The decimal separator is the active language's; there is no thousands grouping
    (a receipt column reads better without it). With `symbol` the currency comes
    first with a space: "€ 12.50", "$ 12.50", "CHF 12.50"; a negative amount puts its
    sign in front of everything: "-€ 4.90", "-4.90".
    """
    # bool is an int too; a float here would be a bug upstream, never rounded away.
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"money is integer minor units, not {type(cents).__name__}")
    if decimals < 0:
        raise ValueError("decimals must be 0 or more")
    whole, fraction = divmod(abs(cents), 10**decimals)
    number = str(whole)
    if decimals:
        number += f"{formats.get_format('DECIMAL_SEPARATOR')}{fraction:0{decimals}d}"
    sign = "-" if cents < 0 else ""
    if not symbol:
        return sign + number
    return f"{sign}{CURRENCY_SYMBOLS.get(currency, currency)} {number}"


def _clean(text: str) -> str:
    """`text` exactly as the printer will show it, so widths are measured on that.

    The printer prints "?" for a character its code page lacks; the text backend
    shows the same "?".
    """
    return printable(text).encode(CODE_PAGE, "replace").decode(CODE_PAGE)


class _Layout:
    """Collects rows of (text, Look) spans, each row fitted to the paper."""

    def __init__(self, width_chars: int, *, code_width: int = 0):
        self.width_chars = width_chars
        # Where amounts end: the last columns are the VAT codes' when items have them.
        self.edge = width_chars - code_width
        self.rows: list[Row] = []

    def width(self, look: Look) -> int:
        return self.width_chars // 2 if look.wide else self.width_chars

    def row(self, *spans: Span) -> None:
        self.rows.append(tuple((text, look) for text, look in spans if text))

    def blank(self) -> None:
        self.rows.append(())

    def rule(self) -> None:
        self.row(("-" * self.width_chars, NORMAL))

    @staticmethod
    def wrapped(text: str, width: int, *, first_width: int | None = None) -> list[str]:
        """Lines of `text` no wider than `width` (the first no wider than `first_width`)."""
        text = _clean(text).strip()
        first = width if first_width is None else first_width
        lines = textwrap.wrap(text, width=max(first, 1), break_on_hyphens=False) or [""]
        if len(lines) > 1 and first != width:
            rest = textwrap.wrap(" ".join(lines[1:]), width=max(width, 1), break_on_hyphens=False)
            lines = lines[:1] + rest
        return lines

    def centred(self, text: str, look: Look) -> None:
        # Only leading spaces: trailing ones would print nothing and cost a column.
        width = self.width(look)
        for line in self.wrapped(text, width):
            self.row((" " * ((width - len(line)) // 2) + line, look))

    def bar(self, text: str, look: Look) -> None:
        """Full-width centred lines: an inverted look reads as one black band."""
        width = self.width(look)
        for line in self.wrapped(text, width - 2):
            self.row((f" {line} ".center(width), look))

    def paragraph(self, text: str, look: Look = NORMAL, *, indent: str = "") -> None:
        for line in self.wrapped(text, self.width(look) - len(indent)):
            self.row((indent, NORMAL), (line, look))

    def two_columns(self, left: str, right: str, look: Look, *, edge: int | None = None) -> None:
        """`left` and `right` on one line ending at `edge`, else `right` under it on the right."""
        edge = self.width(look) if edge is None else edge
        left, right = _clean(left).strip(), _clean(right).strip()
        if len(left) + 1 + len(right) <= edge and left and right:
            self.row((left + " " * (edge - len(left) - len(right)) + right, look))
            return
        if left:
            self.paragraph(left, look)
        for line in self.wrapped(right, edge) if right else ():
            self.row((line.rjust(edge), look))

    def priced(self, prefix: tuple[Span, ...], text: str, amount: str, *, code: str = "", look: Look = NORMAL) -> None:
        """`prefix` and `text` (wrapped under itself), `amount` right-aligned, then `code`.

        The amount sits on the first line; if it would leave the text too little room
        it goes on a line of its own below the text.
        """
        used = sum(len(piece) for piece, _look in prefix)
        hang = " " * used
        suffix = f" {code}" if code else ""
        if not amount:
            lines = self.wrapped(text, self.edge - used)
            self.row(*prefix, (lines[0] + suffix, look))
            for line in lines[1:]:
                self.row((hang, NORMAL), (line, look))
            return
        first_width = self.edge - used - len(amount) - 1
        if first_width < MIN_NAME_WIDTH:
            lines = self.wrapped(text, self.edge - used)
            self.row(*prefix, (lines[0], look))
            for line in lines[1:]:
                self.row((hang, NORMAL), (line, look))
            self.row((amount.rjust(self.edge) + suffix, look))
            return
        lines = self.wrapped(text, self.edge - used, first_width=first_width)
        padding = " " * (self.edge - used - len(lines[0]) - len(amount))
        self.row(*prefix, (lines[0] + padding + amount + suffix, look))
        for line in lines[1:]:
            self.row((hang, NORMAL), (line, look))


def _header(layout: _Layout, receipt: Receipt) -> None:
    layout.centred(receipt.business_name, HEADLINE)
    for line in receipt.address_lines:
        layout.centred(line, NORMAL)
    if receipt.vat_number:
        layout.centred(_("VAT no. %(number)s") % {"number": receipt.vat_number}, NORMAL)
    if receipt.outlet_name:
        layout.centred(receipt.outlet_name, NORMAL)
    if receipt.title:
        layout.blank()
        layout.bar(receipt.title, BANNER)
    if receipt.customer_lines:
        layout.blank()
        layout.paragraph(_("Invoice to:"), BOLD)
        for line in receipt.customer_lines:
            layout.paragraph(line)
    layout.blank()
    layout.two_columns(receipt.check_label, receipt.table_label, BOLD)
    waiter = _("Waiter: %(name)s") % {"name": receipt.waiter_name} if receipt.waiter_name else ""
    covers = (
        ngettext("%(count)d cover", "%(count)d covers", receipt.covers) % {"count": receipt.covers}
        if receipt.covers
        else ""
    )
    if waiter or covers:
        layout.two_columns(waiter, covers, NORMAL)
    # The restaurant's clock (settings.TIME_ZONE), whatever zone a request activated.
    moment = timezone.localtime(receipt.printed_at, timezone.get_default_timezone())
    layout.paragraph(moment.strftime("%Y-%m-%d %H:%M"))


def _items(layout: _Layout, receipt: Receipt, money: Money) -> None:
    # Names start in one column, after the widest quantity.
    qty_width = min(max((len(_clean(line.qty_label).strip()) for line in receipt.lines), default=1), MAX_QTY_WIDTH)
    sub_indent = " " * (qty_width + 2)
    for line in receipt.lines:
        mark: tuple[Span, ...] = ((_("VOID"), VOID), (" ", NORMAL)) if line.is_void else ()
        qty = _clean(line.qty_label).strip()
        amount = money(0 if line.is_void else line.amount)
        if len(qty) > qty_width:
            layout.priced(mark, f"{qty} {line.name}", amount, code=line.tax_code)
        else:
            layout.priced((*mark, (qty.ljust(qty_width) + " ", NORMAL)), line.name, amount, code=line.tax_code)
        for modifier in line.modifiers:
            name = _clean(modifier.name)
            # Nested choices keep their own leading spaces under the one they belong to.
            nested = name[: len(name) - len(name.lstrip(" "))][:MAX_NESTED_INDENT]
            amount = money(modifier.amount) if modifier.amount and not line.is_void else ""
            layout.priced(((sub_indent + nested, NORMAL),), name, amount)
        if not line.is_void and (line.discount_label or line.discount_amount):
            amount = money(-line.discount_amount) if line.discount_amount else ""
            layout.priced(((sub_indent, NORMAL),), line.discount_label or _("Discount"), amount)


def _totals(layout: _Layout, receipt: Receipt, money: Money, money_with_symbol: Money) -> None:
    layout.priced((), _("Subtotal"), money(receipt.subtotal))
    for label, cents in receipt.check_discounts:
        layout.priced((), label or _("Discount"), money(-cents))
    if receipt.service_charge or receipt.service_charge_label:
        layout.priced((), receipt.service_charge_label or _("Service charge"), money(receipt.service_charge))
    if not receipt.prices_include_tax:
        for row in receipt.tax_rows:
            layout.priced((), _("Tax %(percent)s%%") % {"percent": row.percent}, money(row.tax))
    layout.two_columns(_("Total"), money_with_symbol(receipt.total), TOTAL)


def _vat_table(layout: _Layout, receipt: Receipt, money: Money) -> None:
    """Rate, net, VAT and gross per code, in columns if they fit, else one block per rate."""
    headers = (_("Rate"), _("Net"), _("VAT"), _("Gross"))
    rows = [
        (f"{row.code} {row.percent}%".strip(), money(row.net), money(row.tax), money(row.gross))
        for row in receipt.tax_rows
    ]
    if len(receipt.tax_rows) > 1:
        rows.append(
            (
                _("Total"),
                money(sum(row.net for row in receipt.tax_rows)),
                money(sum(row.tax for row in receipt.tax_rows)),
                money(sum(row.gross for row in receipt.tax_rows)),
            )
        )
    rows = [tuple(_clean(cell) for cell in row) for row in rows]
    headers = tuple(_clean(cell) for cell in headers)
    needed = max(len(row[0]) for row in (headers, *rows))
    # A space before each number column; the three share what the labels leave.
    number_width = max(len(row[i]) + 1 for row in (headers, *rows) for i in (1, 2, 3))
    number_width = max(number_width, (layout.edge - needed) // 3)
    label_width = layout.edge - 3 * number_width
    if label_width >= needed:
        for cells, look in ((headers, BOLD), *((row, NORMAL) for row in rows)):
            text = cells[0].ljust(label_width) + "".join(cell.rjust(number_width) for cell in cells[1:])
            layout.row((text, look))
        return
    for cells in rows:
        layout.paragraph(cells[0], BOLD)
        for header, cell in zip(headers[1:], cells[1:], strict=True):
            layout.priced(((SUB_INDENT, NORMAL),), header, cell)


def _payments(layout: _Layout, receipt: Receipt, money: Money, money_with_symbol: Money) -> None:
    for tender in receipt.tenders:
        layout.priced((), tender.label, money(tender.amount))
        if tender.tip:
            layout.priced(((SUB_INDENT, NORMAL),), _("Tip"), money(tender.tip))
        if tender.detail:
            layout.paragraph(tender.detail, indent=SUB_INDENT)
        if tender.change:
            # "Change" alone is ambiguous for translators (money back, or "edit").
            layout.priced((), pgettext("money handed back", "Change"), money(tender.change), look=BOLD)
    tips = [tender.tip for tender in receipt.tenders if tender.tip]
    # One tip already reads as the total; several (or none listed) get a total line.
    if receipt.tips_total and tips != [receipt.tips_total]:
        layout.priced((), _("Tips"), money(receipt.tips_total))
    if receipt.cash_rounding:
        layout.priced((), _("Rounding"), money(receipt.cash_rounding))
    if receipt.balance_due > 0:
        layout.two_columns(_("Balance due"), money_with_symbol(receipt.balance_due), DUE, edge=layout.edge)


def _refunds(layout: _Layout, receipt: Receipt, money: Money) -> None:
    for refund in receipt.refunds:
        layout.priced((), _("Refund %(tender)s") % {"tender": refund.tender}, money(-refund.amount), look=BOLD)
        moment = timezone.localtime(refund.at, timezone.get_default_timezone())
        layout.paragraph(moment.strftime("%Y-%m-%d %H:%M"), indent=SUB_INDENT)
        for line in refund.lines:
            layout.paragraph(line, indent=SUB_INDENT)
        if refund.reason:
            layout.paragraph(refund.reason, indent=SUB_INDENT)
    if len(receipt.refunds) > 1:
        layout.priced((), _("Refunded"), money(-sum(refund.amount for refund in receipt.refunds)), look=BOLD)


def _layout(receipt: Receipt, width_chars: int) -> list[Row]:
    """The receipt as rows of styled spans, every row at most `width_chars` columns."""
    if width_chars < MIN_WIDTH_CHARS:
        raise ValueError(f"a receipt needs at least {MIN_WIDTH_CHARS} characters a line")
    decimals = settings.CURRENCY_DECIMALS if receipt.currency_decimals is None else receipt.currency_decimals

    def money(cents: int) -> str:
        return format_money(cents, currency=receipt.currency, decimals=decimals, symbol=False)

    def money_with_symbol(cents: int) -> str:
        return format_money(cents, currency=receipt.currency, decimals=decimals)

    codes = [len(_clean(line.tax_code)) for line in receipt.lines if line.tax_code]
    layout = _Layout(width_chars, code_width=1 + max(codes) if codes else 0)
    _header(layout, receipt)
    layout.rule()
    _items(layout, receipt, money)
    layout.rule()
    _totals(layout, receipt, money, money_with_symbol)
    if receipt.prices_include_tax and receipt.tax_rows:
        layout.rule()
        _vat_table(layout, receipt, money)
    if receipt.tenders or receipt.tips_total or receipt.cash_rounding or receipt.balance_due > 0:
        layout.rule()
        _payments(layout, receipt, money, money_with_symbol)
    if receipt.refunds:
        layout.rule()
        _refunds(layout, receipt, money)
    if receipt.footer_lines:
        layout.blank()
        for line in receipt.footer_lines:
            layout.centred(line, NORMAL)
    return layout.rows


def render_receipt(receipt: Receipt, *, width_chars: int, profile: str) -> bytes:
    """The receipt as ESC/POS bytes for a printer of `width_chars` normal characters a line.

    Labels ("Total", "VAT") and the decimal separator follow the active language:
    render inside `translation.override(...)` to print in the guest's language.
    """
    writer = SlipWriter(width_chars=width_chars, profile=profile)
    for row in _layout(receipt, width_chars):
        writer.spans(*row)
    return writer.finish()


def receipt_text(receipt: Receipt, *, width_chars: int = 42) -> str:
    """The receipt as plain text, line for line what `render_receipt` prints."""
    return "\n".join("".join(text for text, _look in row) for row in _layout(receipt, width_chars))


# ESC p m t1 t2: pulse drawer pin m (0: connector pin 2) on for t1 x 2 ms, off for t2 x 2 ms.
DRAWER_PIN = 2


def render_drawer_kick(*, profile: str = "default") -> bytes:
    """ESC/POS bytes that open the cash drawer wired to the receipt printer, printing nothing.

    INIT first, like every job here, so the printer starts from a known state; then
    python-escpos's pin-2 kick, `ESC p 0 50 50` (a 100 ms pulse, 100 ms rest). No
    cut and no feed: the paper does not move.
    """
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    printer.cashdraw(DRAWER_PIN)
    return printer.output
