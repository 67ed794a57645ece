"""The guest's receipt behind a QR code: a public page (no sign-in) with the PDF copy, and the QR code itself."""

import io

import segno
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from billing import printouts
from billing.selectors import ReceiptLinkExpired, ReceiptLinkInvalid, check_for_receipt_link


def _language(code: str) -> str:
    return code if code in {known for known, _name in settings.LANGUAGES} else translation.get_language()


def _gone(request, *, status: int, language: str = ""):
    """A friendly page in the link's language (else the browser's): expired (410) or no such receipt (404)."""
    with translation.override(_language(language)):
        response = render(request, "billing/receipt_link_gone.html", {"expired": status == 410}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def receipt_link(request, token: str):
    """The paid check's receipt (or invoice) as a PDF, written in the language the link was made in."""
    try:
        check, language = check_for_receipt_link(token)
    except ReceiptLinkExpired as expired:
        return _gone(request, status=410, language=expired.language)
    except ReceiptLinkInvalid:
        return _gone(request, status=404)
    with translation.override(_language(language)):
        pdf = printouts.receipt_as_pdf(check=check)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{check.order_id}-{check.number}.pdf"'
    return _private(response)


@require_GET
def receipt_link_qr(request, token: str):
    """The link as a QR code, an SVG image the bill screen shows the guest (no inline markup under the CSP)."""
    try:
        check_for_receipt_link(token)
    except ReceiptLinkExpired as expired:
        return _gone(request, status=410, language=expired.language)
    except ReceiptLinkInvalid:
        return _gone(request, status=404)
    out = io.BytesIO()
    segno.make(request.build_absolute_uri(reverse("receipt-link", args=[token])), error="m").save(
        out, kind="svg", scale=8, border=2, title="Receipt"
    )
    return _private(HttpResponse(out.getvalue(), content_type="image/svg+xml"))
