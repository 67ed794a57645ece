"""The bill and its checks: read and placed, split, shared, moved, merged, discounted, comped, printed."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import responses as R
from billing import selectors, services
from billing.api.fields import ApprovalFields, BillingRole, approval_fields, bill_answer, check_or_404
from billing.models import CheckItem, Discount
from idempotency.decorators import idempotent
from orders.api import IdField, StrictSerializer, _valid
from orders.models import Order, OrderLine


class WaysSerializer(StrictSerializer):
    ways = serializers.IntegerField(min_value=2, max_value=services.MAX_SPLIT)


class ItemMoveSerializer(StrictSerializer):
    item = IdField()
    shares = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)


class MoveItemsSerializer(StrictSerializer):
    items = serializers.ListField(child=ItemMoveSerializer(), min_length=1, max_length=200)
    to_check = IdField(required=False, allow_null=True)


class ShareSerializer(StrictSerializer):
    ways = serializers.IntegerField(min_value=2, max_value=services.MAX_SPLIT)
    checks = serializers.ListField(child=IdField(), required=False, max_length=services.MAX_SPLIT)


class MergeChecksSerializer(StrictSerializer):
    source = IdField()


class DiscountSerializer(ApprovalFields):
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    amount = serializers.IntegerField(min_value=1, max_value=100_000_000, required=False, allow_null=True)
    line = IdField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200)


class CompSerializer(ApprovalFields):
    line = IdField()
    reason = serializers.CharField(max_length=200)


class ServiceChargeSerializer(ApprovalFields):
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BillView(APIView):
    """GET: the bill, read only (lines on no check yet shown where they will go, `unplaced_lines`);
    POST: open the bill, placing those lines on a check so that they can be split and paid."""

    permission_classes = [BillingRole]

    @extend_schema(responses=R.BillWithTendersSerializer)
    def get(self, request, order_id: int):
        order = get_object_or_404(Order.objects.select_related("outlet"), pk=order_id)
        payload = selectors.bill_payload(order=order)
        payload.update(selectors.tenders_for(outlet_id=order.outlet_id))
        return Response(payload)

    @extend_schema(request=None, responses=R.BillWithTendersSerializer)
    @idempotent
    def post(self, request, order_id: int):
        order = services.open_bill(order=get_object_or_404(Order, pk=order_id), by=request.user)
        answer = bill_answer(order.pk)
        answer.data.update(selectors.tenders_for(outlet_id=order.outlet_id))
        return answer


class SplitBySeatView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=None, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        check = check_or_404(check_id)
        services.split_check_by_seat(check=check, by=request.user)
        return bill_answer(check.order_id)


class SplitEvenlyView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=WaysSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(WaysSerializer, request.data)
        check = check_or_404(check_id)
        services.split_check_evenly(check=check, ways=data["ways"], by=request.user)
        return bill_answer(check.order_id)


class MoveItemsView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=MoveItemsSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(MoveItemsSerializer, request.data)
        check = check_or_404(check_id)
        to_check = check_or_404(data["to_check"]) if data.get("to_check") else None
        services.move_items(
            check=check,
            moves=[(m["item"], m.get("shares")) for m in data["items"]],
            to_check=to_check,
            by=request.user,
        )
        return bill_answer(check.order_id)


class ShareItemView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=ShareSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, item_id: int):
        data = _valid(ShareSerializer, request.data)
        item = get_object_or_404(CheckItem.objects.select_related("guest_check"), pk=item_id)
        checks = [check_or_404(pk) for pk in data.get("checks", [])]
        services.share_item(item=item, ways=data["ways"], checks=checks or None, by=request.user)
        return bill_answer(item.guest_check.order_id)


class MergeChecksView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=MergeChecksSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(MergeChecksSerializer, request.data)
        target = check_or_404(check_id)
        services.merge_checks(source=check_or_404(data["source"]), target=target, by=request.user)
        return bill_answer(target.order_id)


class DiscountView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=DiscountSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(DiscountSerializer, request.data)
        check = check_or_404(check_id)
        line = get_object_or_404(OrderLine, pk=data["line"], order_id=check.order_id) if data.get("line") else None
        services.give_discount(
            check=check,
            by=request.user,
            reason=data["reason"],
            percent=data.get("percent"),
            amount=data.get("amount"),
            line=line,
            **approval_fields(data),
        )
        return bill_answer(check.order_id)


class CompView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=CompSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(CompSerializer, request.data)
        check = check_or_404(check_id)
        line = get_object_or_404(OrderLine, pk=data["line"], order_id=check.order_id)
        services.comp_line(check=check, line=line, by=request.user, reason=data["reason"], **approval_fields(data))
        return bill_answer(check.order_id)


class RemoveDiscountView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=None, responses=R.BillSerializer)
    @idempotent
    def post(self, request, discount_id: int):
        discount = get_object_or_404(Discount, pk=discount_id)
        services.remove_discount(discount=discount, by=request.user)
        return bill_answer(discount.order_id)


class ServiceChargeView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=ServiceChargeSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(ServiceChargeSerializer, request.data)
        check = check_or_404(check_id)
        services.set_service_charge(
            check=check, percent=data["percent"], by=request.user, reason=data["reason"], **approval_fields(data)
        )
        return bill_answer(check.order_id)


class PrintBillView(APIView):
    """POST: queue the pro forma bill (the bill, with `print_job`); GET: how that print job is doing."""

    permission_classes = [BillingRole]

    @extend_schema(responses=R.BillPrintJobSerializer)
    def get(self, request, check_id: int):
        return Response({"print_job": selectors.bill_print_job(check=check_or_404(check_id))})

    @extend_schema(request=None, responses=R.BillPrintedSerializer)
    @idempotent
    def post(self, request, check_id: int):
        check = check_or_404(check_id)
        services.print_bill(check=check, by=request.user)
        answer = selectors.bill_payload(order=Order.objects.select_related("outlet").get(pk=check.order_id))
        # Queued is not printed: the screen follows the job until the printer says so.
        return Response({**answer, "print_job": selectors.bill_print_job(check=check)})
