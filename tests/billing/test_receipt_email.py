"""A paid check's receipt e-mailed through a REAL local SMTP server (aiosmtpd), read back from it.

The server runs in this process on a free port; Django's SMTP backend talks to it over
TCP like it would to the restaurant's provider. A server that refuses, or is not there,
gives a clear answer naming the problem and leaves nothing written.
"""

import email
import email.policy
import io
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage
from django.db import connection
from pypdf import PdfReader

from billing import services
from billing.models import OutletBilling, Tender
from idempotency.models import IdempotentResponse
from staff.models import AuditEntry, Role
from tests.billing.test_checks import first_check, table_for_four
from tests.factories import StaffFactory


class MailBox:
    """An aiosmtpd handler keeping what it receives; `refuse_rcpt` / `refuse_data` make it say no."""

    def __init__(self):
        self.envelopes = []
        self.refuse_rcpt = False
        self.refuse_data = False
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return "554 5.7.1 Message refused"
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        with self.lock:
            return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    box = MailBox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "bonnen@bistro.example"
    yield box
    controller.stop()


@pytest.fixture
def paid(world):
    """Check 1 of a table for four (78.50), paid in cash."""
    OutletBilling.objects.create(outlet=world.outlet, business_name="Bistro De Tafel", vat_number="NL001234567B01")
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    cash = Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)
    check = first_check(table_for_four(world), world)
    services.pay_cash(check=check, tender=cash, cash_given=10000, by=world.waiter)
    return check


def pdf_text(data: bytes) -> str:
    return PdfReader(io.BytesIO(data), strict=True).pages[0].extract_text(extraction_mode="layout")


def attachment_of(message):
    (part,) = list(message.iter_attachments())
    return part


def test_a_cashier_emails_the_receipt_and_the_server_has_it_with_the_pdf(world, paid, smtp_server, api_as):
    cashier = StaffFactory(display_name="Cas", role=Role.CASHIER)
    response = api_as(cashier).post(
        f"/api/billing/checks/{paid.pk}/receipt/email/",
        {"email": "  guest@example.com "},
        format="json",
        HTTP_IDEMPOTENCY_KEY="mail-1",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"sent_to": "guest@example.com"}

    (message,) = smtp_server.messages()
    assert message["Subject"] == "Your receipt from Bistro De Tafel"
    assert message["To"] == "guest@example.com"
    assert message["From"] == "bonnen@bistro.example"
    assert smtp_server.envelopes[0].rcpt_tos == ["guest@example.com"]
    assert "total € 78.50" in message.get_body(preferencelist=("plain",)).get_content()
    part = attachment_of(message)
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == f"receipt-{paid.order_id}-1.pdf"
    data = part.get_content()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "78.50" in text and "Bistro De Tafel" in text and "Cash" in text

    (entry,) = AuditEntry.objects.filter(action="receipt_emailed", subject_id=str(paid.pk))
    assert entry.actor == cashier
    assert entry.details == {"to": "g***@example.com", "invoice": False}


def test_in_dutch_the_mail_and_its_pdf_are_dutch(world, paid, smtp_server, api_as):
    response = api_as(world.waiter).post(
        f"/api/billing/checks/{paid.pk}/receipt/email/",
        {"email": "gast@voorbeeld.nl"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200, response.content
    (message,) = smtp_server.messages()
    assert message["Subject"] == "Uw bon van Bistro De Tafel"
    assert "totaal € 78,50" in message.get_body(preferencelist=("plain",)).get_content()
    text = pdf_text(attachment_of(message).get_content())
    assert "Totaal" in text and "78,50" in text


def test_a_refused_address_is_a_400_naming_email_and_nothing_is_written(world, paid, smtp_server, api_as):
    smtp_server.refuse_rcpt = True
    response = api_as(world.waiter).post(
        f"/api/billing/checks/{paid.pk}/receipt/email/",
        {"email": "nobody@example.com"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="mail-refused",
    )
    assert response.status_code == 400
    assert response.json() == {"email": ["The mail server refused this address."]}
    assert smtp_server.messages() == []
    assert not AuditEntry.objects.filter(action="receipt_emailed").exists()
    assert not IdempotentResponse.objects.filter(key="mail-refused").exists()


def test_a_server_refusing_the_mail_is_a_503_and_a_retry_goes_through(world, paid, smtp_server, api_as):
    smtp_server.refuse_data = True
    url = f"/api/billing/checks/{paid.pk}/receipt/email/"
    client = api_as(world.waiter)
    response = client.post(url, {"email": "guest@example.com"}, format="json", HTTP_IDEMPOTENCY_KEY="mail-2")
    assert response.status_code == 503
    assert "mail server" in response.json()["email"][0]
    assert not AuditEntry.objects.filter(action="receipt_emailed").exists()

    smtp_server.refuse_data = False
    again = client.post(url, {"email": "guest@example.com"}, format="json", HTTP_IDEMPOTENCY_KEY="mail-2")
    assert again.status_code == 200
    assert len(smtp_server.messages()) == 1
    assert AuditEntry.objects.filter(action="receipt_emailed").count() == 1


def test_no_mail_server_is_a_503_never_a_500(world, paid, settings, api_as):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    response = api_as(world.waiter).post(
        f"/api/billing/checks/{paid.pk}/receipt/email/", {"email": "guest@example.com"}, format="json"
    )
    assert response.status_code == 503
    assert response.json() == {
        "email": ["The mail server could not be reached or refused the mail. Print the receipt or try again later."]
    }
    assert not AuditEntry.objects.filter(action="receipt_emailed").exists()


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_the_mail_server_is_talked_to(world, paid, smtp_server, api_as, monkeypatch):
    seen = []
    send = EmailMessage.send

    def watched(message, *args, **kwargs):
        seen.append(connection.in_atomic_block)
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", watched)
    response = api_as(world.waiter).post(
        f"/api/billing/checks/{paid.pk}/receipt/email/",
        {"email": "guest@example.com"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="mail-no-transaction",
    )
    assert response.status_code == 200
    assert seen == [False]
    assert len(smtp_server.messages()) == 1
