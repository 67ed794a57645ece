"""The guest's receipt link (QR code), the e-mail endpoint's limits, and the company invoice on paper and PDF."""

import io
import time

import pytest
import segno
from django.core import mail, signing
from django.utils import translation
from pypdf import PdfReader

from billing import printouts, services
from billing.models import Check, OutletBilling, Tender
from billing.selectors import RECEIPT_LINK_SALT
from staff.models import AuditEntry, Role
from tests.billing.test_checks import first_check, table_for_four
from tests.billing.test_receipts_printed import printed_text, receipt_printer  # noqa: F401 (a fixture)
from tests.factories import StaffFactory

COMPANY = {"company": "Acme B.V.", "address": "Damrak 1\n1012 LG Amsterdam", "vat_number": "nl 8123.45.678 b01"}


def pay(world, check):
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    cash = Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)
    services.pay_cash(check=check, tender=cash, cash_given=10000, by=world.waiter)
    return Check.objects.get(pk=check.pk)


@pytest.fixture
def open_check(world):
    OutletBilling.objects.get_or_create(
        outlet=world.outlet, defaults={"business_name": "Bistro De Tafel", "vat_number": "NL001234567B01"}
    )
    return first_check(table_for_four(world), world)


@pytest.fixture
def paid(world, open_check):
    return pay(world, open_check)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data), strict=True).pages[0].extract_text(extraction_mode="layout")


def link_for(client, check, **headers):
    response = client.post(f"/api/billing/checks/{check.pk}/receipt/link/", format="json", **headers)
    assert response.status_code == 200, response.content
    return response.json()


# ---- the link and its QR code ---------------------------------------------------------------


def test_the_link_opens_the_pdf_without_signing_in_and_the_qr_code_encodes_it(world, paid, api_as, client):
    cashier = StaffFactory(display_name="Cas", role=Role.CASHIER)
    answer = link_for(api_as(cashier), paid, HTTP_IDEMPOTENCY_KEY="link-1")
    assert link_for(api_as(cashier), paid, HTTP_IDEMPOTENCY_KEY="link-1") == answer  # a retry: the same link
    assert answer["url"].startswith("http://testserver/r/")
    path = answer["url"].removeprefix("http://testserver")

    page = client.get(path)  # a guest's phone: nobody signed in
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert page["Cache-Control"] == "private, no-store"
    text = pdf_text(page.content)
    assert "78.50" in text and "Bistro De Tafel" in text

    qr = client.get(answer["qr_svg"])
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    expected = io.BytesIO()
    segno.make(answer["url"], error="m").save(expected, kind="svg", scale=8, border=2, title="Receipt")
    assert qr.content == expected.getvalue()
    assert AuditEntry.objects.filter(action="receipt_link_made", actor=cashier, subject_id=str(paid.pk)).count() == 1


def test_a_dutch_screen_makes_a_dutch_pdf(world, paid, api_as, client):
    answer = link_for(api_as(world.waiter), paid, HTTP_ACCEPT_LANGUAGE="nl")
    text = pdf_text(client.get(answer["url"].removeprefix("http://testserver")).content)
    assert "Totaal" in text and "78,50" in text


def test_an_expired_link_is_gone_with_a_friendly_page_in_its_language(world, paid, api_as, client, settings):
    answer = link_for(api_as(world.waiter), paid, HTTP_ACCEPT_LANGUAGE="nl")
    path = answer["url"].removeprefix("http://testserver")
    settings.RECEIPT_LINK_HOURS = 0
    time.sleep(1.1)
    page = client.get(path)
    assert page.status_code == 410
    assert "Deze link naar de bon is verlopen" in page.content.decode()
    assert client.get(answer["qr_svg"]).status_code == 410


def test_a_tampered_link_or_another_checks_key_finds_nothing(world, paid, api_as, client):
    answer = link_for(api_as(world.waiter), paid)
    token = answer["url"].rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    page = client.get(f"/r/{tampered}/")
    assert page.status_code == 404
    assert "Receipt not found" in page.content.decode()

    # Check 2 of the same order, paid too: its id signed with check 1's key opens nothing.
    other = Check.objects.create(order=paid.order, number=9, status=Check.Status.CLOSED, receipt_link_key="x" * 32)
    forged = signing.dumps({"c": other.pk, "k": Check.objects.get(pk=paid.pk).receipt_link_key}, salt=RECEIPT_LINK_SALT)
    assert client.get(f"/r/{forged}/").status_code == 404
    # The right key under another salt (a token made for something else) opens nothing either.
    reused = signing.dumps({"c": paid.pk, "k": Check.objects.get(pk=paid.pk).receipt_link_key})
    assert client.get(f"/r/{reused}/").status_code == 404


def test_an_open_check_has_no_link_and_a_reopened_check_stops_its_link(world, open_check, api_as, client):
    refused = api_as(world.waiter).post(f"/api/billing/checks/{open_check.pk}/receipt/link/")
    assert refused.status_code == 400 and "check" in refused.json()

    paid = pay(world, open_check)
    answer = link_for(api_as(world.waiter), paid)
    path = answer["url"].removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    services.reopen_check(
        check=paid, reason="Wrong tender", by=world.manager, approver_id=world.manager.pk, approver_pin="9999"
    )
    assert client.get(path).status_code == 404


def test_the_link_is_for_billing_roles_only(world, paid, api_as, client):
    assert api_as(world.kitchen).post(f"/api/billing/checks/{paid.pk}/receipt/link/").status_code == 403
    assert client.post(f"/api/billing/checks/{paid.pk}/receipt/link/").status_code in (401, 403)


# ---- e-mail: the address, the check, the limit -------------------------------------------------


@pytest.mark.parametrize("address", ["", "   ", "not-an-address", "a@b", "x" * 250 + "@example.com"])
def test_a_bad_address_is_a_400_naming_email(world, paid, api_as, address):
    response = api_as(world.waiter).post(
        f"/api/billing/checks/{paid.pk}/receipt/email/", {"email": address}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert mail.outbox == []


def test_an_open_check_is_not_emailed(world, open_check, api_as):
    response = api_as(world.waiter).post(
        f"/api/billing/checks/{open_check.pk}/receipt/email/", {"email": "guest@example.com"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["check"]
    assert mail.outbox == []


def test_one_checks_receipt_is_emailed_a_few_times_an_hour_at_most(world, paid, api_as, settings):
    settings.RECEIPT_EMAILS_PER_CHECK = 2
    client = api_as(world.waiter)
    url = f"/api/billing/checks/{paid.pk}/receipt/email/"
    for n in range(2):
        assert client.post(url, {"email": f"guest{n}@example.com"}, format="json").status_code == 200
    response = client.post(url, {"email": "guest3@example.com"}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert response.json() == {"detail": "This check's receipt was e-mailed too often: wait an hour, or print it."}
    assert [m.to for m in mail.outbox] == [["guest0@example.com"], ["guest1@example.com"]]
    assert mail.outbox[0].attachments[0][1].startswith(b"%PDF")


# ---- the company invoice ---------------------------------------------------------------------


def test_company_details_go_on_the_check_normalised_and_audited(world, open_check, api_as):
    response = api_as(world.waiter).post(
        f"/api/billing/checks/{open_check.pk}/invoice-details/", COMPANY, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "company": "Acme B.V.",
        "address": "Damrak 1\n1012 LG Amsterdam",
        "vat_number": "NL812345678B01",
    }
    bill = api_as(world.waiter).get(f"/api/billing/orders/{open_check.order_id}/bill/").json()
    (check,) = [c for c in bill["checks"] if c["id"] == open_check.pk]
    assert check["invoice"]["company"] == "Acme B.V."
    entry = AuditEntry.objects.get(action="invoice_details_set", subject_id=str(open_check.pk))
    assert entry.actor == world.waiter and entry.details["vat_number"] == "NL812345678B01"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**COMPANY, "vat_number": "XX123456789"}, "vat_number"),
        ({**COMPANY, "vat_number": "NL123456789"}, "vat_number"),
        ({**COMPANY, "vat_number": "DE12345678"}, "vat_number"),
        ({**COMPANY, "company": ""}, "company"),
        ({**COMPANY, "address": "  "}, "address"),
        ({**COMPANY, "company": "x" * 121}, "company"),
        ({"company": "Acme"}, "address"),
        ({**COMPANY, "extra": 1}, "extra"),
    ],
)
def test_bad_company_details_are_a_400_naming_the_field(world, open_check, api_as, body, field):
    response = api_as(world.waiter).post(f"/api/billing/checks/{open_check.pk}/invoice-details/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Check.objects.get(pk=open_check.pk).invoice_company == ""


def test_other_eu_vat_numbers_pass_the_loose_check(world, open_check):
    for number in ("BE0123456789", "DE123456789", "FR12345678901", "ATU12345678", "EL123456789"):
        check = services.set_invoice_details(
            check=open_check, company="Acme", address="Rue 1", vat_number=number, by=world.waiter
        )
        assert check.invoice_vat_number == number


def test_all_blank_takes_the_company_off(world, open_check):
    services.set_invoice_details(check=open_check, by=world.waiter, **COMPANY)
    check = services.set_invoice_details(check=open_check, company="", address="", vat_number="", by=world.waiter)
    assert not check.is_invoice
    assert AuditEntry.objects.filter(action="invoice_details_removed", subject_id=str(check.pk)).exists()


def test_a_cashier_sets_them_on_a_paid_check_and_the_reprint_is_an_invoice(world, receipt_printer, paid, api_as):  # noqa: F811
    cashier = StaffFactory(display_name="Cas", role=Role.CASHIER)
    response = api_as(cashier).post(f"/api/billing/checks/{paid.pk}/invoice-details/", COMPANY, format="json")
    assert response.status_code == 200
    services.print_check_receipt(check=paid, by=cashier)
    text = printed_text(receipt_printer)
    assert "INVOICE" in text
    assert "Invoice to:" in text and "Acme B.V." in text and "1012 LG Amsterdam" in text
    assert "VAT no. NL812345678B01" in text  # the guest's company
    assert "VAT no. NL001234567B01" in text  # the business
    assert "78.50" in text


def test_the_pdf_reads_as_an_invoice_in_english_and_dutch(world, paid):
    services.set_invoice_details(check=paid, by=world.waiter, **COMPANY)
    text = pdf_text(printouts.receipt_as_pdf(check=paid))
    assert "INVOICE" in text and "Invoice to:" in text and "Acme B.V." in text and "NL812345678B01" in text
    with translation.override("nl"):
        dutch = pdf_text(printouts.receipt_as_pdf(check=paid))
    assert "FACTUUR" in dutch and "Factuur aan:" in dutch and "Btw-nr. NL812345678B01" in dutch


def test_an_open_checks_pro_forma_names_the_company_but_is_no_invoice_yet(world, open_check):
    services.set_invoice_details(check=open_check, by=world.waiter, **COMPANY)
    text = printouts.receipt_as_text(check=open_check, title="PRO FORMA")
    assert "PRO FORMA" in text and "Acme B.V." in text and "INVOICE" not in text


def test_an_emailed_invoice_says_so(world, paid, api_as):
    services.set_invoice_details(check=paid, by=world.waiter, **COMPANY)
    response = api_as(world.waiter).post(
        f"/api/billing/checks/{paid.pk}/receipt/email/", {"email": "boekhouding@acme.example"}, format="json"
    )
    assert response.status_code == 200
    (message,) = mail.outbox
    assert message.subject == "Your invoice from Bistro De Tafel"
    name, data, kind = message.attachments[0]
    assert name == f"invoice-{paid.order_id}-1.pdf" and kind == "application/pdf"
    assert "Acme B.V." in pdf_text(data)


def test_the_dialog_picks_print_first_only_where_a_receipt_printer_can_print(world, receipt_printer):  # noqa: F811
    """The outlet's default stands, except "print" with no printer (or one switched off): then "no receipt"."""
    rules = OutletBilling.objects.get(outlet=world.outlet)
    assert printouts.receipt_choice_first(outlet_id=world.outlet.pk) == "print"
    rules.receipt_printer.is_active = False
    rules.receipt_printer.save(update_fields=["is_active"])
    assert printouts.receipt_choice_first(outlet_id=world.outlet.pk) == "none"
    for choice in ("email", "qr", "none"):
        OutletBilling.objects.filter(pk=rules.pk).update(receipt_default=choice)
        assert printouts.receipt_choice_first(outlet_id=world.outlet.pk) == choice
    OutletBilling.objects.filter(pk=rules.pk).update(receipt_default="print", receipt_printer=None)
    assert printouts.receipt_choice_first(outlet_id=world.outlet.pk) == "none"
