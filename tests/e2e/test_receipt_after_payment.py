"""After a check is paid on the bill screen the guest's receipt is asked for: print, e-mail, QR code or none.

A real daphne talks to a real local SMTP server (aiosmtpd) and a local ESC/POS printer:
the e-mail is read back from the server, the printout from the printer's socket, and the
QR code's link is opened like a guest's phone would (nobody signed in).
"""

import email
import email.policy
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from billing.models import OutletBilling
from demo.management.commands.seed_demo import BISTRO_NAME
from printing.models import Printer, PrintJob
from printing.services import deliver_print_job
from tests.e2e.conftest import PHONE, TABLET, running_daphne
from tests.e2e.steps import in_own_thread, send_order, sign_in
from tests.e2e.test_bill import open_tender_pad
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import FakePrinter

DUTCH = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
ENGLISH = {"locale": "en-GB", "timezone_id": "Europe/Amsterdam"}
DINNER = [{"item": "Carpaccio", "seat": 1}, {"item": "Bottle of house red", "seat": 0}]
DINNER_TOTAL = 1250 + 3200


@pytest.fixture
def server_url(demo_data, mail_box, request):
    """The daphne of these tests sends its mail to the local SMTP server."""
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_box.port),
        "EMAIL_TIMEOUT": "5",
        "DEFAULT_FROM_EMAIL": "bonnen@bistro.example",
    }
    with running_daphne(request.node.name.removeprefix("test_"), extra_env=env) as base_url:
        yield base_url


def receipt_default(choice: str) -> None:
    in_own_thread(lambda: OutletBilling.objects.filter(outlet__name=BISTRO_NAME).update(receipt_default=choice))


def pay_cash_exactly(pages, device) -> tuple:
    """Anna sends a dinner, opens its bill and the guest pays the exact cash: the tender pad shows it paid."""
    page = pages.open(device)
    sign_in(page, "Anna", "1111")
    order = send_order(page, pages.base_url, "6", DINNER)
    page.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    column = page.locator(".bill-check")
    expect(column).to_have_count(1)
    pad = open_tender_pad(page, column)
    pad.locator('[data-quick="exact"]').tap()
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", "0")
    return page, pad, order


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data), strict=True).pages[0].extract_text(extraction_mode="layout")


def touch_targets_too_small(page, scope: str) -> list[str]:
    return page.evaluate(
        """(scope) => [...document.querySelector(scope).querySelectorAll("button, a")]
            .filter((el) => el.offsetParent !== null)
            .map((el) => ({text: el.textContent.trim().slice(0, 30), box: el.getBoundingClientRect()}))
            .filter(({box}) => box.width < 44 || box.height < 44)
            .map(({text, box}) => `${text} ${Math.round(box.width)}x${Math.round(box.height)}`)""",
        scope,
    )


def test_on_a_tablet_the_outlets_default_email_is_picked_and_the_mail_arrives(pages, mail_box):
    receipt_default("email")
    page, pad, _order = pay_cash_exactly(pages, {**TABLET, **ENGLISH})
    choice = pad.locator(".receipt-choice")
    expect(choice).to_be_visible()
    expect(choice.locator('[data-receipt="email"]')).to_have_attribute("aria-checked", "true")
    expect(choice.locator('[data-receipt="print"]')).to_have_attribute("aria-checked", "false")
    expect(choice.locator(".receipt-choice__choice")).to_have_text(["Print", "E-mail", "QR code", "No receipt"])
    assert touch_targets_too_small(page, ".tender-pad") == []
    pages.screenshot(page, "1-receipt-choice")

    choice.locator('input[name="email"]').fill("not an address")
    choice.locator('[data-action="email-receipt"]').tap()
    expect(choice.locator(".receipt-choice__note")).to_have_text("This is not an e-mail address.")
    choice.locator('input[name="email"]').fill("guest@example.com")
    choice.locator('[data-action="email-receipt"]').tap()
    expect(choice.locator(".receipt-choice__note")).to_have_text("Sent to guest@example.com.")
    pages.screenshot(page, "2-emailed")

    (envelope,) = mail_box.envelopes
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Your receipt from Bistro De Tafel"
    assert envelope.rcpt_tos == ["guest@example.com"]
    (attachment,) = list(message.iter_attachments())
    assert "44.50" in pdf_text(attachment.get_content())  # the dinner's total, €12.50 + €32.00

    # The whole order is paid: the waiter leaves when the guest has the receipt.
    pad.locator('[data-action="done"]').tap()
    page.wait_for_url("**/floor/**")


def test_on_a_dutch_phone_the_qr_code_opens_the_pdf(pages):
    receipt_default("qr")
    page, pad, _order = pay_cash_exactly(pages, {**PHONE, **DUTCH})
    choice = pad.locator(".receipt-choice")
    expect(choice.locator('[data-receipt="qr"]')).to_have_attribute("aria-checked", "true")
    expect(choice.locator(".receipt-choice__choice")).to_have_text(["Afdrukken", "E-mail", "QR-code", "Geen bon"])
    qr = choice.locator("img.receipt-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.receipt-qr')?.naturalWidth > 0")
    qr.scroll_into_view_if_needed()
    assert touch_targets_too_small(page, ".tender-pad") == []
    pages.screenshot(page, "1-qr-code")

    url = qr.get_attribute("data-url")
    assert url.startswith(f"{pages.base_url}/r/")
    guest = pages.browser.new_context(**PHONE, **DUTCH)  # the guest's phone: nobody signed in
    try:
        response = guest.request.get(url)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        text = pdf_text(response.body())
        assert "Totaal" in text and "44,50" in text
        svg = guest.request.get(pages.base_url + qr.get_attribute("src"))
        assert svg.status == 200 and svg.headers["content-type"] == "image/svg+xml"
        gone = guest.new_page()
        gone.goto(url[:-3] + "xx/")
        expect(gone.locator("h1")).to_have_text("Bon niet gevonden")
        pages.screenshot(gone, "2-link-not-found")
    finally:
        guest.close()

    # "Geen bon": nothing more to do.
    choice.locator('[data-receipt="none"]').tap()
    expect(choice.locator(".receipt-choice__note")).to_have_text("Geen bon voor deze gast.")


@pytest.fixture
def receipt_printer(demo_data):
    """The bistro's receipt printer: a local ESC/POS printer on 127.0.0.1."""
    server = FakePrinter("online").start()

    def set_up():
        billing = OutletBilling.objects.get(outlet__name=BISTRO_NAME)
        printer = Printer.objects.create(outlet=billing.outlet, name="Kassa", host="127.0.0.1", port=server.port)
        billing.receipt_printer = printer
        billing.save(update_fields=["receipt_printer"])

    in_own_thread(set_up)
    yield server
    server.stop()


def printed(server) -> str:
    def deliver():
        for job in PrintJob.objects.filter(state=PrintJob.State.QUEUED, source__startswith="billing.check:"):
            deliver_print_job(job_id=job.pk)

    in_own_thread(deliver)
    return decode(server.received).text


def test_a_company_invoice_entered_on_a_dutch_tablet_prints_as_an_invoice(pages, receipt_printer):
    page = pages.open({**TABLET, **DUTCH})
    sign_in(page, "Anna", "1111")
    order = send_order(page, pages.base_url, "6", DINNER)
    page.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    column = page.locator(".bill-check")
    column.locator('[data-action="invoice"]').tap()
    sheet = page.locator(".invoice-sheet")
    expect(sheet).to_be_visible()
    sheet.locator('input[name="company"]').fill("Acme B.V.")
    sheet.locator('textarea[name="address"]').fill("Damrak 1\n1012 LG Amsterdam")
    sheet.locator('input[name="vat_number"]').fill("NL123")
    sheet.locator('[data-action="save-invoice"]').tap()
    expect(sheet.locator('[data-field="vat_number"] .field__error')).to_have_text("Dit is geen btw-nummer van NL.")
    pages.screenshot(page, "1-invoice-dialog")
    sheet.locator('input[name="vat_number"]').fill("NL812345678B01")
    sheet.locator('[data-action="save-invoice"]').tap()
    expect(sheet).to_have_count(0)
    expect(column.locator(".bill-invoice")).to_have_text("Factuur aan Acme B.V.")
    pages.screenshot(page, "2-invoice-on-the-check")

    pad = open_tender_pad(page, column)
    pad.locator('[data-quick="exact"]').tap()
    pad.locator('[data-action="take-cash"]').tap()
    choice = pad.locator(".receipt-choice")
    expect(choice.locator('[data-receipt="print"]')).to_have_attribute("aria-checked", "true")  # the default
    choice.locator('[data-action="print-receipt"]').tap()
    expect(choice.locator(".receipt-choice__note")).to_have_text("De bon is naar de printer gestuurd.")
    pages.screenshot(page, "3-printed")

    text = printed(receipt_printer)
    assert "FACTUUR" in text and "Factuur aan:" in text
    assert "Acme B.V." in text and "1012 LG Amsterdam" in text and "Btw-nr. NL812345678B01" in text
    assert "Btw-nr. NL001234567B01" in text  # the bistro's own
    assert "44,50" in text
