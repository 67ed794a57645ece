"""Printing API: printers and their alarms, reprint, retry, test print. Thin: call a selector or a service."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import idempotent
from printing import selectors, services
from printing.models import Printer, PrintJob
from staff.permissions import role_required

KitchenOrManager = role_required(*services.REPRINT_ROLES)
ManagerOnly = role_required(*services.RETRY_ROLES)


class PrintingRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PrinterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    outlet = PrintingRefSerializer()
    host = serializers.CharField()
    port = serializers.IntegerField()
    is_active = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Printer.Status.choices)
    status_label = serializers.CharField()
    can_print = serializers.BooleanField()
    status_checked_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    backup = PrintingRefSerializer(allow_null=True)
    unprinted_count = serializers.IntegerField()
    failed_count = serializers.IntegerField()
    alarm_count = serializers.IntegerField(help_text="Unprinted jobs that need a person: failed, retrying or stuck.")
    oldest_unprinted_at = serializers.DateTimeField(allow_null=True)
    oldest_unprinted_seconds = serializers.IntegerField(allow_null=True)


class PrintJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    source = serializers.CharField()
    state = serializers.ChoiceField(choices=PrintJob.State.choices)
    state_label = serializers.CharField()
    printer = PrintingRefSerializer()
    target = PrintingRefSerializer(help_text="Where the next attempt goes: the printer or its backup.")
    printed_on = PrintingRefSerializer(allow_null=True)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    age_seconds = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    printed_at = serializers.DateTimeField(allow_null=True)
    reprint_of = serializers.IntegerField(allow_null=True)
    is_alarming = serializers.BooleanField()


class OutletFilterSerializer(serializers.Serializer):
    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


def _outlet_id(request) -> int | None:
    serializer = OutletFilterSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data.get("outlet")


def _job_answer(job: PrintJob, status: int = 200) -> Response:
    return Response(PrintJobSerializer(selectors.job_detail(job_id=job.pk)).data, status=status)


class PrinterListView(APIView):
    permission_classes = [KitchenOrManager]

    @extend_schema(parameters=[OutletFilterSerializer], responses=PrinterSerializer(many=True))
    def get(self, request):
        rows = selectors.printers_overview(outlet_id=_outlet_id(request))
        return Response(PrinterSerializer(rows, many=True).data)


class AlarmListView(APIView):
    permission_classes = [KitchenOrManager]

    @extend_schema(parameters=[OutletFilterSerializer], responses=PrinterSerializer(many=True))
    def get(self, request):
        rows = selectors.printer_alarms(outlet_id=_outlet_id(request))
        return Response(PrinterSerializer(rows, many=True).data)


class UnprintedJobListView(APIView):
    permission_classes = [KitchenOrManager]

    @extend_schema(parameters=[OutletFilterSerializer], responses=PrintJobSerializer(many=True))
    def get(self, request):
        rows = selectors.unprinted_jobs(outlet_id=_outlet_id(request))
        return Response(PrintJobSerializer(rows, many=True).data)


class ReprintView(APIView):
    """Print a job again, as a new job with the same bytes (a lost or spoiled slip)."""

    permission_classes = [KitchenOrManager]

    @extend_schema(request=None, responses={201: PrintJobSerializer})
    @idempotent
    def post(self, request, job_id: int):
        job = services.reprint_print_job(job=get_object_or_404(PrintJob, pk=job_id), by=request.user)
        return _job_answer(job, status=201)


class RetryView(APIView):
    """Send a failed job again, once someone has fixed the printer."""

    permission_classes = [ManagerOnly]

    @extend_schema(request=None, responses=PrintJobSerializer)
    @idempotent
    def post(self, request, job_id: int):
        job = services.retry_failed_print_job(job=get_object_or_404(PrintJob, pk=job_id), by=request.user)
        return _job_answer(job)


class TestPrintView(APIView):
    permission_classes = [ManagerOnly]

    @extend_schema(request=None, responses={201: PrintJobSerializer})
    @idempotent
    def post(self, request, printer_id: int):
        job = services.print_test_page(printer=get_object_or_404(Printer, pk=printer_id), by=request.user)
        return _job_answer(job, status=201)
