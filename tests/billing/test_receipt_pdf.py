"""The PDF copy of a receipt: a well-formed PDF (read back by pypdf) with the paper receipt's lines."""

import io

import pytest
from pypdf import PdfReader

from billing import printouts, services
from billing.models import OutletBilling, Tender
from printing.receipt_pdf import pdf_from_rows
from tests.billing.test_checks import first_check, table_for_four


def pdf_lines(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 1
    return [line.rstrip() for line in reader.pages[0].extract_text(extraction_mode="layout").splitlines()]


def test_the_writer_escapes_brackets_and_backslashes_and_prints_the_euro_sign():
    data = pdf_from_rows([[("Soep (groot) \\ 1/2", False)], [("Totaal ", True), ("€ 7,50 é", False)]], width_chars=42)
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    lines = [line.strip() for line in pdf_lines(data) if line.strip()]
    assert lines == ["Soep (groot) \\ 1/2", "Totaal € 7,50 é"]


@pytest.fixture
def billed(world):
    OutletBilling.objects.create(
        outlet=world.outlet, business_name="Bistro De Tafel", vat_number="NL001234567B01", receipt_footer="Tot ziens!"
    )
    world.soup.name = "Soep van de dag, crème"
    world.soup.save()
    return first_check(table_for_four(world), world)


def test_the_pdf_says_what_the_text_copy_says(world, billed):
    text = printouts.receipt_as_text(check=billed, title="PRO FORMA")
    lines = [line.strip() for line in pdf_lines(printouts.receipt_as_pdf(check=billed, title="PRO FORMA"))]
    expected = [line.strip() for line in text.splitlines()]
    assert [line for line in lines if line] == [line for line in expected if line]
    page = "\n".join(lines)
    for wanted in ("Bistro De Tafel", "NL001234567B01", "Soep van de dag, crème", "PRO FORMA", "€", "21%", "9%"):
        assert wanted in page, wanted


def test_waiters_get_the_pdf_and_the_kitchen_does_not(world, billed, api_as, client):
    response = api_as(world.waiter).get(f"/api/billing/checks/{billed.pk}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="receipt-{billed.order_id}-1.pdf"'
    assert "PRO FORMA" in "\n".join(pdf_lines(response.content))

    voucher = Tender.objects.create(name="Voucher", kind=Tender.Kind.OTHER)
    services.pay_other(check=billed, tender=voucher, amount=services.check_total(billed), by=world.waiter)
    paid = "\n".join(pdf_lines(api_as(world.waiter).get(f"/api/billing/checks/{billed.pk}/receipt.pdf").content))
    assert "PRO FORMA" not in paid and "Voucher" in paid

    assert api_as(world.kitchen).get(f"/api/billing/checks/{billed.pk}/receipt.pdf").status_code == 403
    assert client.get(f"/api/billing/checks/{billed.pk}/receipt.pdf").status_code in (401, 403)
