"""The Z report on paper (ESC/POS) and as a PDF, laid out from the report stored at the close.

Like a receipt, the Z slip is plain data laid out: billing hands over the report dict
it froze when the day closed (`BusinessDay.report`, or one outlet's section of it) and
this module only places its figures in columns; it adds nothing up, so the paper, the
PDF and the screen show the same stored numbers. Labels and the decimal separator
follow the active language.
"""

from django.conf import settings
from django.utils import dateparse, formats
from django.utils.translation import gettext as _

from printing.receipt_pdf import pdf_from_rows
from printing.receipts import BOLD, MIN_WIDTH_CHARS, Row, _Layout, format_money
from printing.slips import HEADLINE, NORMAL, SlipWriter


def _moment(value: str | None) -> str:
    moment = dateparse.parse_datetime(value) if value else None
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment else ""


def _day(value: str) -> str:
    date = dateparse.parse_date(value)
    return formats.date_format(date, "DATE_FORMAT") if date else value


def z_rows(report: dict, *, place: str, width_chars: int = 42) -> list[Row]:
    """The Z report (the house's or one outlet's section) as rows of styled spans."""
    if width_chars < MIN_WIDTH_CHARS:
        raise ValueError(f"a Z report needs at least {MIN_WIDTH_CHARS} characters a line")
    decimals = settings.CURRENCY_DECIMALS

    def money(cents: int) -> str:
        return format_money(cents, currency=report.get("currency", settings.CURRENCY), decimals=decimals, symbol=False)

    layout = _Layout(width_chars)
    number = report.get("z_number")
    layout.centred(_("Z report no. %(number)s") % {"number": number} if number else _("X report"), HEADLINE)
    layout.centred(place, BOLD)
    layout.centred(_day(report["date"]), NORMAL)
    if report.get("closed_at"):
        layout.centred(_("Closed %(moment)s") % {"moment": _moment(report["closed_at"])}, NORMAL)
    layout.rule()

    sales = report["sales"]
    layout.row((_("Sales"), BOLD))
    layout.two_columns(_("Checks"), str(sales["checks"]), NORMAL)
    layout.two_columns(_("Covers"), str(sales["covers"]), NORMAL)
    layout.two_columns(_("Items"), money(sales["items"]), NORMAL)
    layout.two_columns(_("Discounts"), money(-sales["discounts"]), NORMAL)
    layout.two_columns(_("Comps"), money(-sales["comps"]), NORMAL)
    layout.two_columns(_("Service charge"), money(sales["service_charge"]), NORMAL)
    layout.two_columns(_("Net"), money(sales["net"]), NORMAL)
    layout.two_columns(_("VAT"), money(sales["tax"]), NORMAL)
    layout.two_columns(_("Gross sales"), money(sales["gross"]), BOLD)
    layout.rule()

    layout.row((_("VAT per rate"), BOLD))
    for rate in report["by_tax_rate"]:
        layout.two_columns(
            f"{rate['rate']}%  {money(rate['net'])}", f"{money(rate['tax'])}  {money(rate['gross'])}", NORMAL
        )
    layout.rule()

    layout.row((_("Tenders"), BOLD))
    for tender in report["by_tender"]:
        layout.two_columns(f"{tender['name']} ({tender['count']})", money(tender["amount"]), NORMAL)
    layout.two_columns(_("Tips"), money(report["tips"]), NORMAL)
    layout.two_columns(_("Cash rounding"), money(report["cash_rounding"]), NORMAL)
    layout.two_columns(_("Refunds"), money(-report["refunds_total"]), NORMAL)
    layout.two_columns(_("Voids"), f"{len(report['voids'])} / {money(report['voids_total'])}", NORMAL)
    layout.rule()

    if report["drawers"]:
        layout.row((_("Cash drawers"), BOLD))
        for drawer in report["drawers"]:
            variance = drawer["variance"]
            layout.two_columns(
                drawer["outlet"],
                _("counted %(counted)s, variance %(variance)s")
                % {
                    "counted": money(drawer["counted"]) if drawer["counted"] is not None else "-",
                    "variance": money(variance) if variance is not None else "-",
                },
                NORMAL,
            )
        layout.rule()

    if report.get("outlets"):
        layout.row((_("Per outlet"), BOLD))
        for outlet in report["outlets"]:
            layout.two_columns(outlet["outlet"]["name"], money(outlet["sales"]["gross"]), NORMAL)
        layout.rule()
    if report.get("open_orders"):
        layout.paragraph(_("Orders carried over to the next day: %(count)d") % {"count": report["open_orders"]})
    return layout.rows


def render_z_report(report: dict, *, place: str, width_chars: int, profile: str) -> bytes:
    """The Z report as ESC/POS bytes for a receipt printer of `width_chars` characters a line."""
    writer = SlipWriter(width_chars=width_chars, profile=profile)
    for row in z_rows(report, place=place, width_chars=width_chars):
        writer.spans(*row)
    return writer.finish()


def z_report_text(report: dict, *, place: str, width_chars: int = 42) -> str:
    """The Z report as plain text, line for line what `render_z_report` prints."""
    return "\n".join(
        "".join(text for text, _look in row) for row in z_rows(report, place=place, width_chars=width_chars)
    )


def z_report_pdf(sections: list[tuple[str, dict]], *, title: str, width_chars: int = 42) -> bytes:
    """The house's Z and each outlet's after it, one under the other on one page, as on the paper roll."""
    rows: list[list[tuple[str, bool]]] = []
    for place, report in sections:
        if rows:
            rows.extend([[], [("=" * width_chars, False)], []])
        rows.extend(
            [(text, look.bold or look.wide or look.tall or look.inverted) for text, look in row]
            for row in z_rows(report, place=place, width_chars=width_chars)
        )
    return pdf_from_rows(rows, width_chars=width_chars, title=title)
