"""A paid check's receipt: printed again or read as a PDF."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import printouts, selectors, services
from billing import responses as R
from billing.api.fields import BillingRole, check_or_404
from billing.models import Check
from idempotency.decorators import idempotent


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
