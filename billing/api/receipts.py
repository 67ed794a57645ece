"""A check's receipt: printed, read as a PDF, e-mailed to the guest or linked by a QR code; the company invoice."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import printouts, selectors, services
from billing import responses as R
from billing.api.fields import BillingRole, check_or_404
from billing.models import Check
from idempotency.decorators import idempotent
from orders.api import StrictSerializer, _valid


class ReceiptView(APIView):
    """GET: the on-screen copy of the receipt (or pro forma); POST: queue it on the outlet's printer.

    POST answers with `print_job` (queued, not yet printed): GET .../print/ follows it.
    """

    permission_classes = [BillingRole]

    @extend_schema(responses=R.ReceiptTextSerializer)
    def get(self, request, check_id: int):
        check = check_or_404(check_id)
        title = "" if check.status == Check.Status.CLOSED else _("PRO FORMA")
        return Response({"text": printouts.receipt_as_text(check=check, title=title)})

    @extend_schema(request=None, responses=R.BillPrintJobSerializer)
    @idempotent
    def post(self, request, check_id: int):
        check = check_or_404(check_id)
        services.print_check_receipt(check=check, by=request.user)
        return Response({"print_job": selectors.bill_print_job(check=check)})


class ReceiptPdfView(APIView):
    """GET: the receipt (or pro forma) as a PDF, for the guest's copy on screen or by e-mail."""

    permission_classes = [BillingRole]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, check_id: int):
        check = check_or_404(check_id)
        title = "" if check.status == Check.Status.CLOSED else _("PRO FORMA")
        response = HttpResponse(printouts.receipt_as_pdf(check=check, title=title), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{check.order_id}-{check.number}.pdf"'
        return response


class EmailReceiptSerializer(StrictSerializer):
    email = serializers.CharField(max_length=254, help_text="The guest's address.")


class EmailReceiptView(APIView):
    """POST: e-mail the paid check's receipt (an invoice if a company is on it) as a PDF, in the screen's language.

    400 names `email` (not an address, or refused by the mail server) or `check` (not paid);
    429 when this check's receipt was mailed too often; 503 when the mail server is down.
    """

    permission_classes = [BillingRole]

    @extend_schema(
        request=EmailReceiptSerializer,
        responses={200: R.ReceiptEmailedSerializer, 429: R.ReceiptNotSentSerializer, 503: R.ReceiptNotSentSerializer},
    )
    # No transaction around the view: nothing is locked while the mail server takes its time.
    @idempotent(commits_in_steps=True)
    def post(self, request, check_id: int):
        data = _valid(EmailReceiptSerializer, request.data)
        check = check_or_404(check_id)
        try:
            sent_to = services.email_receipt(
                check=check, to=data["email"], by=request.user, language=translation.get_language()
            )
        except services.ReceiptNotSent as problem:
            headers = {"Retry-After": str(problem.retry_after)} if problem.retry_after else None
            body = {"detail": problem.message} if problem.field == "detail" else {problem.field: [problem.message]}
            return Response(body, status=problem.status, headers=headers)
        return Response({"sent_to": sent_to})


class ReceiptLinkView(APIView):
    """POST: a time-limited public link to the paid check's PDF copy, and its QR code for the guest's phone."""

    permission_classes = [BillingRole]

    @extend_schema(request=None, responses=R.ReceiptLinkSerializer)
    @idempotent
    def post(self, request, check_id: int):
        link = services.receipt_link(check=check_or_404(check_id), by=request.user, language=translation.get_language())
        return Response(
            {
                "url": request.build_absolute_uri(reverse("receipt-link", args=[link.token])),
                "qr_svg": reverse("receipt-link-qr", args=[link.token]),
                "expires_at": link.expires_at.isoformat(),
            }
        )


class InvoiceDetailsRequestSerializer(StrictSerializer):
    company = serializers.CharField(max_length=120, allow_blank=True, trim_whitespace=True)
    address = serializers.CharField(max_length=300, allow_blank=True, trim_whitespace=True)
    vat_number = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")


class InvoiceDetailsView(APIView):
    """POST: the guest's company (name, address, VAT number) on the check, open or paid; all blank takes it off."""

    permission_classes = [BillingRole]

    @extend_schema(request=InvoiceDetailsRequestSerializer, responses=R.InvoiceDetailsSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(InvoiceDetailsRequestSerializer, request.data)
        check = services.set_invoice_details(
            check=check_or_404(check_id),
            company=data["company"],
            address=data["address"],
            vat_number=data["vat_number"],
            by=request.user,
        )
        return Response(
            {"company": check.invoice_company, "address": check.invoice_address, "vat_number": check.invoice_vat_number}
        )
