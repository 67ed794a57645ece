"""A receipt as a one-page PDF: the guest's copy by e-mail or on screen, line for line the paper one.

The PDF is written here rather than by a library: a receipt needs one page, two of the
fonts every PDF reader has (Courier and Courier-Bold, so the columns line up as on the
thermal paper) and WinAnsi text, which prints the euro sign and Dutch accents. The
page is as wide as an 80 mm roll and as tall as the receipt.
"""

from printing.receipts import Receipt, _layout

FONT_SIZE = 9  # points
LEADING = 11  # points from one line to the next
MARGIN = 14  # points around the text
COURIER_ADVANCE = 0.6  # a Courier character is 0.6 em wide


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252), with the three characters that must be escaped."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_from_rows(rows: list[list[tuple[str, bool]]], *, width_chars: int, title: str = "") -> bytes:
    """A PDF page of monospaced rows; each row is (text, bold) spans laid one after the other."""
    width = round(2 * MARGIN + width_chars * COURIER_ADVANCE * FONT_SIZE)
    height = round(2 * MARGIN + max(len(rows), 1) * LEADING)
    content = [b"BT", f"{MARGIN} {height - MARGIN - FONT_SIZE} Td {LEADING} TL".encode()]
    for row in rows:
        for text, bold in row:
            if text:
                content.append(b"/F%d %d Tf " % (2 if bold else 1, FONT_SIZE) + _pdf_string(text) + b" Tj")
        content.append(b"T*")
    content.append(b"ET")
    stream = b"\n".join(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>" % (width, height),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + _pdf_string(title) + b" /Producer (Tafel) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        len(objects),
        xref,
    )
    return bytes(out)


def receipt_pdf(receipt: Receipt, *, width_chars: int = 42) -> bytes:
    """The receipt as a PDF, with the characters `receipt_text` shows; emphasised text is bold."""
    rows = [
        [(text, look.bold or look.wide or look.tall or look.inverted) for text, look in row]
        for row in _layout(receipt, width_chars)
    ]
    return pdf_from_rows(rows, width_chars=width_chars, title=receipt.check_label)
