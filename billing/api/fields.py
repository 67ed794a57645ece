"""What the billing endpoints share: the role, money fields, the manager's approval, the check and bill looked up."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.response import Response

from billing import selectors, services
from billing.models import Check
from orders.api import IdField, StrictSerializer
from orders.models import Order
from staff.permissions import role_required

BillingRole = role_required(*services.BILLING_ROLES)
CENTS = {"min_value": 0, "max_value": 100_000_000}


class ApprovalFields(StrictSerializer):
    approver = IdField(required=False, allow_null=True)
    approver_pin = serializers.CharField(max_length=6, required=False, allow_blank=True, trim_whitespace=False)


class ReasonApprovalSerializer(ApprovalFields):
    reason = serializers.CharField(max_length=200)


def check_or_404(check_id: int) -> Check:
    return get_object_or_404(Check.objects.select_related("order__outlet"), pk=check_id)


def bill_answer(order_id: int) -> Response:
    order = Order.objects.select_related("outlet").get(pk=order_id)
    return Response(selectors.bill_payload(order=order))


def approval_fields(data) -> dict:
    return {"approver_id": data.get("approver"), "approver_pin": data.get("approver_pin") or None}
