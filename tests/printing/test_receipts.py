"""What the guest reads: receipts rendered to ESC/POS, decoded back into styled lines."""

import datetime
import re

import pytest
from django.utils import translation

from printing.receipts import (
    Receipt,
    ReceiptLine,
    ReceiptModifier,
    ReceiptTaxRow,
    ReceiptTender,
    format_money,
    receipt_text,
    render_drawer_kick,
    render_receipt,
)
from tests.printing.escpos_decoder import decode

CP858 = 19
STEAK = ReceiptLine(
    qty_label="2",
    name="Steak",
    amount=4900,
    tax_code="A",
    modifiers=(
        ReceiptModifier(name="Rare"),
        ReceiptModifier(name="Bacon", amount=300),
        ReceiptModifier(name="  Vinaigrette"),
    ),
)
WINE = ReceiptLine(
    qty_label="1/3",
    name="Rioja Reserva",
    amount=1500,
    tax_code="B",
    discount_label="Discount 10% (birthday)",
    discount_amount=150,
)
SOUP = ReceiptLine(qty_label="1", name="Soup", amount=750, tax_code="A", is_void=True, discount_amount=100)
DESSERT = ReceiptLine(
    qty_label="1",
    name="Crème brûlée",
    amount=850,
    tax_code="A",
    discount_label="Comp (staff meal)",
    discount_amount=850,
)
TAX_ROWS = (
    ReceiptTaxRow(code="A", percent="9", net=4495, tax=405, gross=4900),
    ReceiptTaxRow(code="B", percent="21", net=1116, tax=234, gross=1350),
)


def receipt(**changes) -> Receipt:
    fields = {
        "business_name": "Bistro de Hoek",
        "address_lines": ("Hoofdstraat 1", "1011 AB Amsterdam"),
        "vat_number": "NL123456789B01",
        "outlet_name": "Terrace",
        "check_label": "Check 1042",
        "table_label": "Table 12",
        "waiter_name": "Anna",
        "covers": 4,
        # 18:30 UTC is 19:30 in Amsterdam (winter time).
        "printed_at": datetime.datetime(2026, 11, 20, 18, 30, tzinfo=datetime.UTC),
        "lines": (STEAK, WINE, SOUP, DESSERT),
        "subtotal": 7550,
        "check_discounts": (("Regular guest", 500),),
        "service_charge_label": "Service 12.5%",
        "service_charge": 881,
        "tax_rows": TAX_ROWS,
        "total": 7931,
        "tenders": (
            ReceiptTender(label="Visa \u2022\u2022\u2022\u2022 4242", amount=5000, tip=500, detail="Auth 123456"),
            ReceiptTender(label="Cash", amount=2931, change=69),
        ),
        "tips_total": 500,
        "cash_rounding": -1,
        "footer_lines": ("Thank you!", "See you soon"),
    }
    return Receipt(**{**fields, **changes})


def printed(the_receipt: Receipt, width: int = 42):
    return decode(render_receipt(the_receipt, width_chars=width, profile="TM-T88V"))


def columns(line) -> int:
    """How many normal character columns a decoded line takes on paper."""
    return sum(len(span.text) * (2 if span.style.double_width else 1) for span in line.spans)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_business_name_is_big_and_centred_above_address_vat_number_and_outlet():
    out = printed(receipt())

    name = out.lines[0]
    assert name.text.strip() == "Bistro de Hoek"
    assert name.style_of("Bistro de Hoek").big and name.style_of("Bistro de Hoek").bold
    # Centred in the 21 columns of double-width type.
    assert name.text == " " * 3 + "Bistro de Hoek"
    assert out.lines[1].text == " " * 14 + "Hoofdstraat 1"
    assert out.lines[2].text.strip() == "1011 AB Amsterdam"
    assert out.lines[3].text.strip() == "VAT no. NL123456789B01"
    assert out.lines[4].text.strip() == "Terrace"


def test_check_table_waiter_covers_and_local_time():
    out = printed(receipt())

    check = out.line_with("Check 1042")
    assert check.text == "Check 1042" + " " * 24 + "Table 12"
    assert check.style_of("Check 1042").bold
    waiter = out.line_with("Waiter: Anna")
    assert waiter.text.endswith("4 covers")
    assert "2026-11-20 19:30" in out.text_lines


def test_a_title_is_an_inverted_double_size_banner_and_a_plain_receipt_has_none():
    out = printed(receipt(title="PRO FORMA"))

    banner = out.line_with("PRO FORMA")
    assert banner.style_of("PRO FORMA").inverted and banner.style_of("PRO FORMA").big
    assert len(banner.text) == 21, "a black band across the paper"
    assert not any(
        span.style.inverted for line in printed(receipt()).lines for span in line.spans if "VOID" not in span.text
    )


def test_item_amounts_are_right_aligned_with_the_vat_code_at_the_edge():
    out = printed(receipt())

    steak = out.line_with("Steak")
    assert steak.text == "2   Steak" + " " * 26 + "49.00 A"
    assert len(steak.text) == 42
    wine = out.line_with("Rioja")
    assert wine.text.startswith("1/3 Rioja Reserva") and wine.text.endswith(" 15.00 B")
    # Amounts without a code end in the same column as those with one.
    assert out.line_with("Subtotal").text == "Subtotal".ljust(35) + "75.50"
    assert out.line_with("Regular guest").text.endswith(" -5.00") and len(out.line_with("Regular guest").text) == 40


def test_modifiers_are_indented_with_their_amounts_and_discounts_sit_under_their_item():
    lines = printed(receipt()).text_lines

    at = lines.index(next(line for line in lines if "Steak" in line))
    assert lines[at + 1] == "     Rare"
    assert lines[at + 2] == "     Bacon".ljust(36) + "3.00"
    assert lines[at + 3] == "       Vinaigrette", "a nested choice sits under the one that opened it"
    at = lines.index(next(line for line in lines if "Rioja" in line))
    assert lines[at + 1] == "     Discount 10% (birthday)".ljust(35) + "-1.50"
    at = lines.index(next(line for line in lines if "Crème brûlée" in line))
    assert lines[at + 1].strip().startswith("Comp (staff meal)") and lines[at + 1].endswith("-8.50")


def test_a_voided_line_is_marked_and_costs_nothing():
    out = printed(receipt())

    soup = out.line_with("Soup")
    assert soup.text.startswith("VOID ")
    assert soup.style_of("VOID").inverted
    assert soup.text.endswith(" 0.00 A")
    assert "-1.00" not in out.text, "a voided line's discount is not printed"


def test_the_total_is_double_size_and_bold_with_the_euro_sign():
    out = printed(receipt())

    total = out.line_with("€ 79.31")
    assert total.text == "Total" + " " * 9 + "€ 79.31"
    assert total.style_of("€ 79.31").big and total.style_of("€ 79.31").bold
    assert total.style_of("Total").big


def test_euro_and_accents_arrive_as_single_cp858_bytes_in_one_code_page():
    data = render_receipt(receipt(), width_chars=42, profile="TM-T88V")
    out = decode(data)

    assert b"\xd5 79.31" in data  # the euro in CP858
    assert "€".encode() not in data
    assert "Crème brûlée" in out.text
    assert out.inits == 1
    assert out.code_pages == [CP858]
    assert data.startswith(b"\x1b@\x1bt\x13")


def test_subtotal_check_discount_and_service_charge_come_before_the_total():
    lines = printed(receipt()).text_lines

    labels = [
        next(i for i, line in enumerate(lines) if line.startswith(label))
        for label in ("Subtotal", "Regular guest", "Service 12.5%", "Total ")
    ]
    assert labels == sorted(labels)
    assert lines[labels[2]].endswith(" 8.81")


def test_a_service_charge_without_a_label_is_called_service_charge():
    out = printed(receipt(service_charge_label=""))

    assert out.line_with("Service charge").text.endswith(" 8.81")


@pytest.mark.parametrize("width", [32, 42])
def test_the_vat_table_rows_are_printed_as_given_and_add_up(width):
    out = printed(receipt(), width=width)

    header = out.line_with("Gross")
    assert header.text.split() == ["Rate", "Net", "VAT", "Gross"]
    assert header.style_of("Gross").bold
    rows = {}
    for line in out.text_lines:
        match = re.fullmatch(r"(A 9%|B 21%|Total)\s+(\d+\.\d\d)\s+(\d+\.\d\d)\s+(\d+\.\d\d)", line)
        if match:
            rows[match[1]] = [int(value.replace(".", "")) for value in match.groups()[1:]]
    assert rows == {"A 9%": [4495, 405, 4900], "B 21%": [1116, 234, 1350], "Total": [5611, 639, 6250]}
    for net, tax, gross in rows.values():
        assert net + tax == gross
    # The gross column ends where the other amounts do, before the VAT code column.
    assert len(out.line_with("A 9%").text) == width - 2


def test_one_vat_rate_has_no_totals_row():
    out = printed(receipt(tax_rows=TAX_ROWS[:1]))

    assert out.line_with("A 9%")
    assert not any(re.fullmatch(r"Total\s+[\d.]+\s+[\d.]+\s+[\d.]+", line) for line in out.text_lines)


def test_huge_vat_amounts_on_narrow_paper_stack_instead_of_overflowing():
    rows = (ReceiptTaxRow(code="A", percent="9", net=123456789, tax=11111111, gross=134567900),)
    out = printed(receipt(tax_rows=rows, total=134567900), width=32)

    assert out.line_with("A 9%").style_of("A 9%").bold
    assert out.line_with("Gross").text.endswith("1345679.00")
    assert all(columns(line) <= 32 for line in out.lines)


def test_us_style_tax_is_a_line_above_the_total_and_there_is_no_vat_table():
    rows = (ReceiptTaxRow(code="", percent="8.875", net=7550, tax=670, gross=8220),)
    out = printed(receipt(prices_include_tax=False, tax_rows=rows, currency="USD", total=8220))

    lines = out.text_lines
    tax = lines.index(out.line_with("Tax 8.875%").text)
    assert lines[tax].endswith(" 6.70")
    assert lines[tax + 1] == "Total" + " " * 9 + "$ 82.20"
    assert "Gross" not in out.text


def test_tenders_show_tip_detail_change_and_rounding():
    lines = printed(receipt()).text_lines

    at = lines.index("Visa **** 4242".ljust(35) + "50.00")
    assert lines[at + 1] == "  Tip".ljust(36) + "5.00"
    assert lines[at + 2] == "  Auth 123456"
    assert lines[at + 3] == "Cash".ljust(35) + "29.31"
    assert lines[at + 4] == "Change".ljust(36) + "0.69"
    assert lines[at + 5] == "Rounding".ljust(35) + "-0.01"
    assert not any("Tips" in line for line in lines), "one tip is its own total"
    assert not any("Balance due" in line for line in lines), "paid: nothing due"


def test_several_tips_get_a_total_line():
    tenders = (
        ReceiptTender(label="Visa", amount=4000, tip=300),
        ReceiptTender(label="Mastercard", amount=3931, tip=200),
    )
    out = printed(receipt(tenders=tenders, cash_rounding=0))

    assert out.line_with("Tips").text == "Tips".ljust(36) + "5.00"
    assert "Change" not in out.text


def test_a_pro_forma_shows_the_balance_due_in_bold():
    out = printed(receipt(title="PRO FORMA", tenders=(), tips_total=0, cash_rounding=0, balance_due=7931))

    due = out.line_with("Balance due")
    assert due.text == "Balance due".ljust(33) + "€ 79.31"
    assert due.style_of("Balance due").bold and due.style_of("Balance due").double_height
    assert not due.style_of("Balance due").double_width


def test_footer_lines_are_centred_and_the_receipt_ends_with_one_partial_cut():
    data = render_receipt(receipt(), width_chars=42, profile="TM-T88V")
    out = decode(data)

    assert out.lines[-2].text == " " * 16 + "Thank you!"
    assert out.lines[-1].text.strip() == "See you soon"
    assert out.cuts == ["partial"]
    assert data.endswith(b"\x1dV\x01")


@pytest.mark.parametrize("width", [32, 42, 48])
def test_every_line_fits_the_paper_and_long_names_wrap(width):
    long_name = "Slow cooked beef cheek with celeriac puree and red wine jus"
    the_receipt = receipt(
        business_name="Grand Café Restaurant De Gouden Leeuw",
        title="COPY FOR THE CUSTOMER",
        table_label="Room service 1204 (late night)",
        lines=(
            ReceiptLine(
                qty_label="12",
                name=long_name,
                amount=123456789,
                tax_code="A",
                modifiers=(ReceiptModifier(name="Extra jus for the whole table please", amount=99999),),
                discount_label="Discount 10% (birthday of the chef's grandmother)",
                discount_amount=12345678,
            ),
            STEAK,
            ReceiptLine(qty_label="1 bottle of 75 cl", name="House wine", amount=2400, tax_code="B", is_void=True),
        ),
        check_discounts=(("Loyalty programme gold member discount", 100000),),
        tenders=(ReceiptTender(label="Room 214 - Mr. and Mrs. Vandenberghe-Oosterhuis", amount=123456789),),
        balance_due=9999999,
        footer_lines=("Thank you for dining with us, we hope to see you again soon",),
    )
    out = printed(the_receipt, width=width)

    for line in out.lines:
        assert columns(line) <= width, line.text
    words = " ".join(line.text.strip() for line in out.lines)
    assert re.search(r"^12 +Slow cooked", out.text, re.MULTILINE)
    assert "red wine jus" in words
    assert "1234567.89 A" in out.text
    # A quantity too wide for its column goes with the name and wraps with it.
    assert out.line_with("VOID 1 bottle of 75").text.endswith(" 0.00 B")
    assert "House wine" in words


def test_control_characters_in_a_name_cannot_drive_the_printer():
    out = printed(receipt(lines=(ReceiptLine(qty_label="1", name="Soup \x1dV\x00 \x1b@ x", amount=750),)))

    assert out.cuts == ["partial"], "only the receipt's own cut"
    assert out.inits == 1


@pytest.mark.parametrize("width", [32, 42])
@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_text_copy_is_exactly_what_the_printer_prints(width, language):
    the_receipt = receipt(
        title="COPY", balance_due=1000, lines=(*receipt().lines, ReceiptLine(qty_label="1", name="漢 x", amount=1))
    )
    with translation.override(language):
        assert receipt_text(the_receipt, width_chars=width) == printed(the_receipt, width).text


def test_in_dutch_amounts_have_a_decimal_comma():
    with translation.override("nl"):
        out = printed(receipt())

    assert out.line_with("Steak").text.endswith(" 49,00 A")
    # "Total" is already in the Dutch catalog; the other labels are not translated yet.
    assert out.line_with("€ 79,31").text.startswith("Totaal ")


def test_the_printed_at_time_must_be_aware():
    with pytest.raises(ValueError):
        receipt(printed_at=datetime.datetime(2026, 11, 20, 19, 30))


@pytest.mark.parametrize(
    ("cents", "kwargs", "expected"),
    [
        (1250, {}, "€ 12.50"),
        (5, {}, "€ 0.05"),
        (0, {"symbol": False}, "0.00"),
        (-100, {"symbol": False}, "-1.00"),
        (-490, {}, "-€ 4.90"),
        (123456789, {"symbol": False}, "1234567.89"),
        (1250, {"currency": "USD"}, "$ 12.50"),
        (1250, {"currency": "CHF"}, "CHF 12.50"),
        (1250, {"currency": "JPY", "decimals": 0}, "JPY 1250"),
        (12500, {"currency": "KWD", "decimals": 3}, "KWD 12.500"),
    ],
)
def test_format_money(cents, kwargs, expected):
    assert format_money(cents, **kwargs) == expected


def test_format_money_uses_the_decimal_comma_in_dutch():
    with translation.override("nl"):
        assert format_money(1250) == "€ 12,50"
        assert format_money(-100, symbol=False) == "-1,00"


@pytest.mark.parametrize("amount", [12.5, "1250", True])
def test_format_money_refuses_anything_but_integer_cents(amount):
    with pytest.raises(TypeError):
        format_money(amount)


def test_the_drawer_kick_is_init_then_a_pin_2_pulse_and_nothing_else():
    data = render_drawer_kick(profile="TM-T88V")

    # ESC @, then ESC p m t1 t2 with m = 0 (connector pin 2).
    assert data == b"\x1b@\x1bp\x00\x32\x32"
    on_ms, off_ms = data[-2] * 2, data[-1] * 2
    # Epson: times are t x 2 ms; drawers want roughly 50-200 ms, and off >= on.
    assert 50 <= on_ms <= 250
    assert off_ms >= on_ms
    assert b"\n" not in data and b"\x1dV" not in data, "prints nothing, no cut"
    assert render_drawer_kick() == data, "the same for the default profile"
