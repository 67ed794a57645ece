"""Money given back on a payment, and a paid check reopened, each with a manager's approval."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import responses as R
from billing import services
from billing.api.fields import BillingRole, ReasonApprovalSerializer, approval_fields, bill_answer, check_or_404
from billing.models import Payment
from idempotency.decorators import idempotent
from orders.api import IdField, StrictSerializer, _valid


class RefundLineSerializer(StrictSerializer):
    item = IdField(help_text="A check item of the payment's check.")
    qty = serializers.IntegerField(min_value=1, max_value=10_000)


class RefundSerializer(ReasonApprovalSerializer):
    """An amount, or the lines (the server computes their amount from what was paid for them)."""

    amount = serializers.IntegerField(min_value=1, max_value=100_000_000, required=False)
    lines = RefundLineSerializer(many=True, required=False, allow_empty=False, max_length=200)

    def validate(self, attrs):
        if ("amount" in attrs) == ("lines" in attrs):
            raise serializers.ValidationError({"amount": _("Give an amount or the lines to refund, not both.")})
        return attrs


class RefundView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=RefundSerializer, responses=R.RefundAnswerSerializer)
    @idempotent
    def post(self, request, payment_id: int):
        data = _valid(RefundSerializer, request.data)
        refund = services.refund_payment(
            payment=get_object_or_404(Payment, pk=payment_id),
            amount=data.get("amount"),
            lines=[dict(line) for line in data["lines"]] if "lines" in data else None,
            reason=data["reason"],
            by=request.user,
            **approval_fields(data),
        )
        return Response(
            {"id": refund.pk, "state": refund.state, "amount": refund.amount, "failure_message": refund.failure_message}
        )


class ReopenView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=ReasonApprovalSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(ReasonApprovalSerializer, request.data)
        check = check_or_404(check_id)
        services.reopen_check(check=check, reason=data["reason"], by=request.user, **approval_fields(data))
        return bill_answer(check.order_id)
