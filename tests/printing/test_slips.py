"""What the cook reads: the rendered bytes decoded back into styled lines."""

import datetime
import zoneinfo

import pytest

from printing.slips import KitchenSlip, SlipItem, render_kitchen_slip, render_test_page
from tests.printing.escpos_decoder import decode

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
CP858 = 19


def slip(**changes) -> KitchenSlip:
    fields = {
        "station_name": "Hot",
        "table_label": "Table 12",
        "order_label": "#42",
        "course_name": "Mains",
        "waiter_name": "Anna",
        # 18:30 UTC is 19:30 in Amsterdam (winter time).
        "printed_at": datetime.datetime(2026, 11, 20, 18, 30, tzinfo=datetime.UTC),
        "covers": 4,
        "banners": (),
        "items": (
            SlipItem(qty=2, name="Steak", seat=2, modifiers=("Rare", "Side salad", "  Vinaigrette"), note="No salt"),
            SlipItem(qty=1, name="Crème brûlée", modifiers=("Extra ë ü ñ",), note="Allergie: noten, €5 toeslag"),
        ),
        "sequence": 123,
    }
    return KitchenSlip(**{**fields, **changes})


def printed(kitchen_slip: KitchenSlip, width: int = 42):
    return decode(render_kitchen_slip(kitchen_slip, width_chars=width, profile="TM-T88V"))


def test_the_table_and_course_are_big_and_bold():
    out = printed(slip())

    table = out.line_with("Table 12")
    assert table.style_of("Table 12").big and table.style_of("Table 12").bold
    assert "#42" in table.text
    course = out.line_with("Mains")
    assert course.style_of("Mains").big and course.style_of("Mains").bold


def test_the_waiter_time_and_covers_are_in_normal_type_in_local_time():
    out = printed(slip())

    details = out.line_with("Waiter: Anna")
    assert "19:30" in details.text
    assert details.style_of("Anna") == details.style_of("19:30")
    assert not details.style_of("Anna").double_width
    assert out.line_with("4 covers")


def test_items_are_large_with_quantity_and_seat_and_modifiers_indented_below():
    out = printed(slip())

    steak = out.line_with("2 x Steak")
    assert steak.style_of("2 x Steak").double_height and steak.style_of("2 x Steak").bold
    assert steak.text.rstrip().endswith("S2")
    lines = out.text_lines
    at = lines.index(steak.text)
    assert lines[at + 1] == "   Rare"
    assert lines[at + 2] == "   Side salad"
    assert lines[at + 3] == "     Vinaigrette", "a nested choice sits under the one that opened it"
    assert not out.line_with("Rare").style_of("Rare").double_height


def test_notes_are_highlighted():
    out = printed(slip())

    note = out.line_with("No salt")
    assert note.style_of("No salt").inverted and note.style_of("No salt").bold


def test_banners_are_inverted_and_double_size_on_top():
    out = printed(slip(banners=("VOID", "RUSH")))

    assert out.lines[0].text.strip() == "VOID"
    banner = out.lines[0].style_of("VOID")
    assert banner.inverted and banner.big
    assert out.lines[1].text.strip() == "RUSH"
    # The bar is the whole width of double-size text: a black band across the slip.
    assert len(out.lines[0].text) == 21


def test_a_voided_item_is_marked():
    out = printed(slip(items=(SlipItem(qty=1, name="Soup", is_void=True),)))

    line = out.line_with("1 x Soup")
    assert line.text.startswith("VOID ")
    assert line.style_of("VOID").inverted


def test_euro_and_accents_arrive_as_single_cp858_bytes():
    data = render_kitchen_slip(slip(), width_chars=42, profile="TM-T88V")
    out = decode(data)

    assert "Crème brûlée" in out.text
    assert "Extra ë ü ñ" in out.text
    assert "€5" in out.text
    assert b"\xd5" in data  # the euro in CP858
    assert "€".encode() not in data


def test_one_code_page_selection_per_job_right_after_init():
    data = render_kitchen_slip(slip(), width_chars=42, profile="TM-T88V")
    out = decode(data)

    assert out.inits == 1
    assert out.code_pages == [CP858]
    assert data.startswith(b"\x1b@\x1bt\x13")


def test_the_slip_ends_with_a_feed_and_one_partial_cut():
    data = render_kitchen_slip(slip(), width_chars=42, profile="TM-T88V")
    out = decode(data)

    assert out.cuts == ["partial"]
    assert data.endswith(b"\x1dV\x01")
    assert out.feeds, "fed past the cutter before cutting"


def test_the_sequence_number_is_small_at_the_bottom():
    out = printed(slip())

    last = out.lines[-1]
    assert "123" in last.text
    assert last.style_of("123").small


@pytest.mark.parametrize("width", [32, 42, 48])
def test_long_text_wraps_to_the_width_of_its_size(width):
    long_name = "Slow cooked beef cheek with celeriac puree and red wine jus"
    out = printed(
        slip(
            table_label="Room service 1204",
            course_name="Mains for the whole table now",
            items=(SlipItem(qty=12, name=long_name, seat=3, note="Well done please, " * 4),),
        ),
        width=width,
    )

    for line in out.lines:
        wide = any(span.style.double_width for span in line.spans)
        assert len(line.text) <= (width // 2 if wide else width), line.text
    words = " ".join(line.text.strip() for line in out.lines)
    assert "12 x Slow cooked beef cheek" in words
    assert "red wine jus" in words


def test_control_characters_in_a_note_cannot_drive_the_printer():
    out = printed(slip(items=(SlipItem(qty=1, name="Soup", note="no \x1dV\x00 cut \x1b@ here"),)))

    assert out.cuts == ["partial"], "only the slip's own cut"
    assert out.inits == 1
    assert "no  V  cut  @ here" in out.text


def test_typographic_quotes_and_dashes_become_printable():
    out = printed(slip(items=(SlipItem(qty=1, name="Chef\u2019s \u201cspecial\u201d \u2013 today\u2026"),)))

    assert 'Chef\'s "special" - today...' in out.text


def test_the_printed_at_time_must_be_aware():
    with pytest.raises(ValueError):
        slip(printed_at=datetime.datetime(2026, 11, 20, 19, 30))


def test_the_test_page_shows_the_printer_and_a_ruler_of_the_width():
    page = decode(
        render_test_page(
            "Hot pass", 42, profile="TM-T20II", printed_at=datetime.datetime(2026, 11, 20, 19, 30, tzinfo=AMSTERDAM)
        )
    )

    assert page.code_pages == [CP858]
    assert page.line_with("Hot pass").style_of("Hot pass").big
    assert page.line_with("TEST PAGE").style_of("TEST PAGE").inverted
    assert "€ é è ë ü ñ ç à ß" in page.text
    assert "123456789012345678901234567890123456789012" in page.text_lines
    assert "123456789012345678901" in page.text_lines, "and half as many in double width"
    assert page.cuts == ["partial"]
