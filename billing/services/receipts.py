"""The guest's receipt once a check is paid: printed, e-mailed, or a QR code's link; and the company invoice.

Talking to a mail server takes seconds and may fail: `email_receipt` builds the PDF
and the message from committed rows, sends with no transaction open and no row
locked, and writes its audit entry only once the server took the mail. A refused or
unreachable server raises `ReceiptNotSent` naming the problem, and nothing is written.
"""

import logging
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing import printouts
from billing.models import Check
from billing.selectors import RECEIPT_LINK_SALT, billing_settings, check_total
from billing.services.checks import _announce_bill_on_commit, _lock_order, _require_billing_role
from printing.models import PrintJob
from printing.receipts import format_money
from staff.models import AuditEntry, User
from staff.services import record_audit

logger = logging.getLogger(__name__)

MAX_EMAIL_LENGTH = 254
# The VIES formats of EU VAT numbers after the country code, loosely (the checksum is the tax office's).
EU_VAT_NUMBERS = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[0-9A-Z]\d{7}[0-9A-Z]",
    "FI": r"\d{8}",
    "FR": r"[0-9A-Z]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d[0-9A-Z+*]\d{5}[A-Z]{1,2}",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"\d{2,10}",
    "SE": r"\d{12}",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}


class ReceiptNotSent(Exception):
    """The receipt did not go out: `field` names what is at fault, `status` the HTTP answer it deserves."""

    def __init__(self, message: str, *, field: str = "email", status: int = 503, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class ReceiptLink:
    token: str
    expires_at: datetime


def print_check_receipt(*, check: Check, by: User) -> PrintJob:
    """Queue the receipt of a paid check (marked COPY after the first), or the pro forma of an open one.

    With no receipt printer (or one switched off) nothing is queued: the caller is told why.
    """
    _require_billing_role(by)
    check = Check.objects.select_related("order").get(pk=check.pk)
    problem = printouts.receipt_printer_problem(outlet_id=check.order.outlet_id)
    if problem:
        raise ValidationError({"printer": problem})
    if check.status == Check.Status.OPEN:
        return printouts.queue_receipt(check=check, by=by, title=_("PRO FORMA"))
    with transaction.atomic():
        printed_before = AuditEntry.objects.filter(
            action="receipt_printed", subject_type="billing.check", subject_id=str(check.pk)
        ).exists()
        record_audit(actor=by, action="receipt_printed", subject=check)
        return printouts.queue_receipt(check=check, by=by, title=_("COPY") if printed_before else "")


def _paid_check(check: Check) -> Check:
    check = Check.objects.select_related("order__outlet").get(pk=check.pk)
    if check.status != Check.Status.CLOSED:
        raise ValidationError({"check": _("This check is not paid: the guest's receipt comes once it is.")})
    return check


def _clean_address(to) -> str:
    address = to.strip() if isinstance(to, str) else ""
    if not address:
        raise ValidationError({"email": _("Type the guest's e-mail address.")})
    if len(address) > MAX_EMAIL_LENGTH:
        raise ValidationError({"email": _("An e-mail address is at most 254 characters.")})
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": _("This is not an e-mail address.")}) from None
    return address


def masked_address(address: str) -> str:
    """ "j***@example.com": enough to tell which guest it was, not a mailing list in the audit log."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


def _count_mail_attempt(check: Check) -> None:
    """At most RECEIPT_EMAILS_PER_CHECK mails an hour for one check: the endpoint is no spam cannon."""
    key = f"billing:receipt-mail:{check.pk}"
    cache.add(key, 0, timeout=3600)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        tries = 1
    if tries > settings.RECEIPT_EMAILS_PER_CHECK:
        raise ReceiptNotSent(
            _("This check's receipt was e-mailed too often: wait an hour, or print it."),
            field="detail",
            status=429,
            retry_after=3600,
        )


def _receipt_mail(check: Check, to: str) -> EmailMessage:
    rules = billing_settings(check.order.outlet_id)
    business = rules.business_name or check.order.outlet.name
    total = format_money(check_total(check), currency=settings.CURRENCY, decimals=settings.CURRENCY_DECIMALS)
    label = f"{check.order_id}-{check.number}"
    if check.is_invoice:
        subject = _("Your invoice from %(business)s") % {"business": business}
        kind = _("invoice")
    else:
        subject = _("Your receipt from %(business)s") % {"business": business}
        kind = _("receipt")
    body = _(
        "Thank you for your visit to %(business)s.\n\nAttached is your %(kind)s for check %(check)s, total %(total)s.\n"
    ) % {"business": business, "kind": kind, "check": label, "total": total}
    message = EmailMessage(subject=subject, body=body, to=[to])
    message.attach(f"{kind}-{label}.pdf", printouts.receipt_as_pdf(check=check), "application/pdf")
    return message


def email_receipt(*, check: Check, to: str, by: User, language: str | None = None) -> str:
    """E-mail the paid check's receipt (or invoice) as a PDF to `to`; returns the address it went to.

    Written in `language` (the screen's), else the active one. Raises ValidationError for a
    bad address or an unpaid check, and ReceiptNotSent when the mail server refused or could
    not be reached (nothing is then recorded).
    """
    _require_billing_role(by)
    address = _clean_address(to)
    check = _paid_check(check)
    _count_mail_attempt(check)
    with translation.override(language or translation.get_language()):
        message = _receipt_mail(check, address)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        raise ReceiptNotSent(_("The mail server refused this address."), field="email", status=400) from None
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Receipt of check %s not e-mailed: %s", check.pk, error)
        raise ReceiptNotSent(
            _("The mail server could not be reached or refused the mail. Print the receipt or try again later.")
        ) from None
    with transaction.atomic():
        # The address is masked: the audit log is kept for years and read by managers; it
        # needs to show that and when a receipt went out, not hold the guest's address.
        record_audit(
            actor=by,
            action="receipt_emailed",
            subject=check,
            details={"to": masked_address(address), "invoice": check.is_invoice},
        )
    return address


def receipt_link(*, check: Check, by: User, language: str | None = None) -> ReceiptLink:
    """A signed, time-limited token for the paid check's PDF copy (the guest's QR code).

    The token carries the check's id and its own random link key (so no id alone, nor another
    check's token, opens it) and the screen's language, in which the PDF is then written.
    """
    _require_billing_role(by)
    with transaction.atomic():
        _lock_order(check.order_id)
        check = _paid_check(check)
        if not check.receipt_link_key:
            check.receipt_link_key = secrets.token_hex(16)
            check.save(update_fields=["receipt_link_key"])
        record_audit(actor=by, action="receipt_link_made", subject=check)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    token = signing.dumps({"c": check.pk, "k": check.receipt_link_key, "l": language}, salt=RECEIPT_LINK_SALT)
    return ReceiptLink(token=token, expires_at=timezone.now() + timedelta(hours=settings.RECEIPT_LINK_HOURS))


def _clean_vat_number(value) -> str:
    number = re.sub(r"[\s.\-]", "", value if isinstance(value, str) else "").upper()
    if not number:
        return ""
    pattern = EU_VAT_NUMBERS.get(number[:2])
    if pattern is None:
        raise ValidationError({"vat_number": _("A VAT number starts with its EU country code, like NL, BE or DE.")})
    if not re.fullmatch(pattern, number[2:]):
        raise ValidationError({"vat_number": _("This is not a VAT number of %(country)s.") % {"country": number[:2]}})
    return number


def set_invoice_details(*, check: Check, company: str, address: str, vat_number: str, by: User) -> Check:
    """Put the guest's company on the check (or take it off, all blank): its receipt becomes an invoice.

    Allowed while the check is open and after it was paid (a reprint then carries it).
    """
    _require_billing_role(by)
    company = company.strip() if isinstance(company, str) else ""
    address = "\n".join(line.strip() for line in (address or "").strip().splitlines() if line.strip())
    vat = _clean_vat_number(vat_number)
    if company or address or vat:
        errors = {}
        if not company:
            errors["company"] = [_("Type the company's name.")]
        elif len(company) > Check._meta.get_field("invoice_company").max_length:
            errors["company"] = [_("A company name is at most 120 characters.")]
        if not address:
            errors["address"] = [_("Type the company's address: an invoice names it.")]
        elif len(address) > Check._meta.get_field("invoice_address").max_length:
            errors["address"] = [_("An address is at most 300 characters.")]
        if errors:
            raise ValidationError(errors)
    with transaction.atomic():
        order = _lock_order(check.order_id)
        check = Check.objects.get(pk=check.pk)
        if check.status == Check.Status.MERGED:
            raise ValidationError({"check": _("This check was merged into another one.")})
        before = {"company": check.invoice_company, "vat_number": check.invoice_vat_number}
        check.invoice_company, check.invoice_address, check.invoice_vat_number = company, address, vat
        check.save(update_fields=["invoice_company", "invoice_address", "invoice_vat_number"])
        record_audit(
            actor=by,
            action="invoice_details_set" if company else "invoice_details_removed",
            subject=check,
            details={"company": company, "vat_number": vat, "before": before},
        )
        _announce_bill_on_commit(order)
    return check
