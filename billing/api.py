"""Billing API: the bill view, split tools, discounts, and cash and other payments. Thin."""

import contextlib

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import printouts, selectors, services
from billing import responses as R
from billing.broadcasts import payment_message
from billing.card_terminal import CardTerminalError
from billing.models import CardReader, CashMovement, Check, CheckItem, Discount, DrawerSession, Payment, Tender
from idempotency.decorators import idempotent
from orders.api import IdField, StrictSerializer, _valid
from orders.models import Order, OrderLine
from pms_integration.responses import GUEST_SEARCH
from staff.models import Role
from staff.permissions import role_required
from tables.models import Outlet

BillingRole = role_required(*services.BILLING_ROLES)
CENTS = {"min_value": 0, "max_value": 100_000_000}


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


class ApprovalFields(StrictSerializer):
    approver = IdField(required=False, allow_null=True)
    approver_pin = serializers.CharField(max_length=6, required=False, allow_blank=True, trim_whitespace=False)


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


class CashSerializer(StrictSerializer):
    client_uuid = serializers.UUIDField(required=False)
    tender = IdField()
    cash_given = serializers.IntegerField(min_value=1, max_value=100_000_000)
    amount = serializers.IntegerField(min_value=1, max_value=100_000_000, required=False, allow_null=True)
    tip = serializers.IntegerField(default=0, **CENTS)


class OtherSerializer(StrictSerializer):
    client_uuid = serializers.UUIDField(required=False)
    tender = IdField()
    amount = serializers.IntegerField(min_value=1, max_value=100_000_000)
    tip = serializers.IntegerField(default=0, **CENTS)
    reference = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")


def _check(check_id: int) -> Check:
    return get_object_or_404(Check.objects.select_related("order__outlet"), pk=check_id)


def _bill(order_id: int) -> Response:
    order = Order.objects.select_related("outlet").get(pk=order_id)
    return Response(selectors.bill_payload(order=order))


def _approval(data) -> dict:
    return {"approver_id": data.get("approver"), "approver_pin": data.get("approver_pin") or None}


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
        answer = _bill(order.pk)
        answer.data.update(selectors.tenders_for(outlet_id=order.outlet_id))
        return answer


class SplitBySeatView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=None, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        check = _check(check_id)
        services.split_check_by_seat(check=check, by=request.user)
        return _bill(check.order_id)


class SplitEvenlyView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=WaysSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(WaysSerializer, request.data)
        check = _check(check_id)
        services.split_check_evenly(check=check, ways=data["ways"], by=request.user)
        return _bill(check.order_id)


class MoveItemsView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=MoveItemsSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(MoveItemsSerializer, request.data)
        check = _check(check_id)
        to_check = _check(data["to_check"]) if data.get("to_check") else None
        services.move_items(
            check=check,
            moves=[(m["item"], m.get("shares")) for m in data["items"]],
            to_check=to_check,
            by=request.user,
        )
        return _bill(check.order_id)


class ShareItemView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=ShareSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, item_id: int):
        data = _valid(ShareSerializer, request.data)
        item = get_object_or_404(CheckItem.objects.select_related("guest_check"), pk=item_id)
        checks = [_check(pk) for pk in data.get("checks", [])]
        services.share_item(item=item, ways=data["ways"], checks=checks or None, by=request.user)
        return _bill(item.guest_check.order_id)


class MergeChecksView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=MergeChecksSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(MergeChecksSerializer, request.data)
        target = _check(check_id)
        services.merge_checks(source=_check(data["source"]), target=target, by=request.user)
        return _bill(target.order_id)


class DiscountView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=DiscountSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(DiscountSerializer, request.data)
        check = _check(check_id)
        line = get_object_or_404(OrderLine, pk=data["line"], order_id=check.order_id) if data.get("line") else None
        services.give_discount(
            check=check,
            by=request.user,
            reason=data["reason"],
            percent=data.get("percent"),
            amount=data.get("amount"),
            line=line,
            **_approval(data),
        )
        return _bill(check.order_id)


class CompView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=CompSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(CompSerializer, request.data)
        check = _check(check_id)
        line = get_object_or_404(OrderLine, pk=data["line"], order_id=check.order_id)
        services.comp_line(check=check, line=line, by=request.user, reason=data["reason"], **_approval(data))
        return _bill(check.order_id)


class RemoveDiscountView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=None, responses=R.BillSerializer)
    @idempotent
    def post(self, request, discount_id: int):
        discount = get_object_or_404(Discount, pk=discount_id)
        services.remove_discount(discount=discount, by=request.user)
        return _bill(discount.order_id)


class ServiceChargeView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=ServiceChargeSerializer, responses=R.BillSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(ServiceChargeSerializer, request.data)
        check = _check(check_id)
        services.set_service_charge(
            check=check, percent=data["percent"], by=request.user, reason=data["reason"], **_approval(data)
        )
        return _bill(check.order_id)


class PrintBillView(APIView):
    """POST: queue the pro forma bill (the bill, with `print_job`); GET: how that print job is doing."""

    permission_classes = [BillingRole]

    @extend_schema(responses=R.BillPrintJobSerializer)
    def get(self, request, check_id: int):
        return Response({"print_job": selectors.bill_print_job(check=_check(check_id))})

    @extend_schema(request=None, responses=R.BillPrintedSerializer)
    @idempotent
    def post(self, request, check_id: int):
        check = _check(check_id)
        services.print_bill(check=check, by=request.user)
        answer = selectors.bill_payload(order=Order.objects.select_related("outlet").get(pk=check.order_id))
        # Queued is not printed: the screen follows the job until the printer says so.
        return Response({**answer, "print_job": selectors.bill_print_job(check=check)})


class CashPaymentView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=CashSerializer, responses=R.BillAfterCashSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(CashSerializer, request.data)
        check = _check(check_id)
        payment = services.pay_cash(
            check=check,
            tender=get_object_or_404(Tender, pk=data["tender"]),
            cash_given=data["cash_given"],
            amount=data.get("amount"),
            tip=data["tip"],
            client_uuid=data.get("client_uuid"),
            by=request.user,
        )
        response = _bill(check.order_id)
        response.data["payment"] = {"id": payment.pk, "change_due": payment.change_due, "rounding": payment.rounding}
        return response


class OtherPaymentView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=OtherSerializer, responses=R.BillAfterOtherPaymentSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(OtherSerializer, request.data)
        check = _check(check_id)
        payment = services.pay_other(
            check=check,
            tender=get_object_or_404(Tender, pk=data["tender"]),
            amount=data["amount"],
            tip=data["tip"],
            reference=data["reference"],
            client_uuid=data.get("client_uuid"),
            by=request.user,
        )
        response = _bill(check.order_id)
        response.data["payment"] = {"id": payment.pk}
        return response


class CardSerializer(StrictSerializer):
    client_uuid = serializers.UUIDField(required=False)
    reader = IdField()
    amount = serializers.IntegerField(min_value=1, max_value=100_000_000, required=False, allow_null=True)


def _payment_answer(payment: Payment) -> Response:
    payment = Payment.objects.select_related("guest_check__order", "tender", "reader").get(pk=payment.pk)
    body = payment_message(payment)
    body["check_status"] = payment.guest_check.status
    body["order_status"] = payment.guest_check.order.status
    return Response(body)


class CardPaymentView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=CardSerializer, responses=R.PaymentAnswerSerializer)
    @idempotent(commits_in_steps=True)
    def post(self, request, check_id: int):
        data = _valid(CardSerializer, request.data)
        check = _check(check_id)
        payment = services.start_card_payment(
            check=check,
            reader=get_object_or_404(CardReader, pk=data["reader"]),
            amount=data.get("amount"),
            client_uuid=data.get("client_uuid"),
            by=request.user,
        )
        return _payment_answer(payment)


class RoomGuestsView(APIView):
    """The in-house guests this check may be charged to: `?room=214` (sharers too) or `?name=...`."""

    permission_classes = [BillingRole]

    @extend_schema(parameters=GUEST_SEARCH, responses=R.RoomGuestsSerializer)
    def get(self, request, check_id: int):
        check = _check(check_id)
        guests = services.find_room_guests(
            check=check,
            room=request.query_params.get("room", ""),
            name=request.query_params.get("name", ""),
            by=request.user,
        )
        return Response({"guests": [guest.as_dict() for guest in guests]})


class RoomChargeSerializer(ApprovalFields):
    client_uuid = serializers.UUIDField(required=False)
    room = serializers.CharField(max_length=10)
    # Blank only while the hotel system is offline and the outlet accepts room charges then.
    guest = serializers.CharField(max_length=40, allow_blank=True)
    amount = serializers.IntegerField(min_value=1, max_value=100_000_000, required=False, allow_null=True)
    tip = serializers.IntegerField(default=0, **CENTS)
    workstation = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")


class RoomChargePaymentView(APIView):
    """Charge the check to a guest's folio. 400 with `override` when a manager's PIN would allow it."""

    permission_classes = [BillingRole]

    @extend_schema(request=RoomChargeSerializer, responses=R.PaymentAnswerSerializer)
    @idempotent(commits_in_steps=True)
    def post(self, request, check_id: int):
        data = _valid(RoomChargeSerializer, request.data)
        payment = services.charge_to_room(
            check=_check(check_id),
            room=data["room"],
            guest_id=data["guest"],
            amount=data.get("amount"),
            tip=data["tip"],
            approver_id=data.get("approver"),
            approver_pin=data.get("approver_pin"),
            client_uuid=data.get("client_uuid"),
            workstation=data["workstation"],
            by=request.user,
        )
        return _payment_answer(payment)


class PaymentView(APIView):
    """GET: a payment's state as we know it (a read). POST: ask Stripe about a waiting card
    payment now (the tender pad's poll; the webhook and the worker settle it too)."""

    permission_classes = [BillingRole]

    @extend_schema(responses=R.PaymentAnswerSerializer)
    def get(self, request, payment_id: int):
        return _payment_answer(get_object_or_404(Payment, pk=payment_id))

    @extend_schema(request=None, responses=R.PaymentAnswerSerializer)
    @idempotent
    def post(self, request, payment_id: int):
        payment = get_object_or_404(Payment, pk=payment_id)
        if payment.state == Payment.State.PENDING and payment.provider_id:
            with contextlib.suppress(CardTerminalError):  # Stripe away: the answer is our last known state
                payment = services.settle_card_payment(payment=payment, by=request.user)
        return _payment_answer(payment)


class CancelPaymentView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=None, responses={200: R.PaymentAnswerSerializer, 502: R.PROVIDER_ERROR})
    @idempotent
    def post(self, request, payment_id: int):
        payment = get_object_or_404(Payment, pk=payment_id)
        try:
            payment = services.cancel_card_payment(payment=payment, by=request.user)
        except CardTerminalError as error:
            return Response({"detail": error.message}, status=502)
        return _payment_answer(payment)


class CardWebhookView(APIView):
    """Stripe's webhook: no session, the signature is the authentication."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: R.WebhookOutcomeSerializer, 503: R.PROVIDER_ERROR})
    def post(self, request):
        try:
            outcome = services.receive_card_event(
                body=request.body, signature=request.headers.get("Stripe-Signature", "")
            )
        except ValueError:
            return Response({"detail": "Bad signature."}, status=400)
        except CardTerminalError as error:
            # Stripe retries a webhook that fails; the poll settles it meanwhile.
            return Response({"detail": error.message}, status=503)
        return Response({"outcome": outcome})


class ReceiptView(APIView):
    """GET: the on-screen copy of the receipt (or pro forma); POST: queue it on the outlet's printer.

    POST answers with `print_job` (queued, not yet printed): GET .../print/ follows it.
    """

    permission_classes = [BillingRole]

    @extend_schema(responses=R.ReceiptTextSerializer)
    def get(self, request, check_id: int):
        check = _check(check_id)
        title = "" if check.status == Check.Status.CLOSED else _("PRO FORMA")
        return Response({"text": printouts.receipt_as_text(check=check, title=title)})

    @extend_schema(request=None, responses=R.BillPrintJobSerializer)
    @idempotent
    def post(self, request, check_id: int):
        check = _check(check_id)
        services.print_check_receipt(check=check, by=request.user)
        return Response({"print_job": selectors.bill_print_job(check=check)})


class ReceiptPdfView(APIView):
    """GET: the receipt (or pro forma) as a PDF, for the guest's copy on screen or by e-mail."""

    permission_classes = [BillingRole]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, check_id: int):
        check = _check(check_id)
        title = "" if check.status == Check.Status.CLOSED else _("PRO FORMA")
        response = HttpResponse(printouts.receipt_as_pdf(check=check, title=title), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{check.order_id}-{check.number}.pdf"'
        return response


class ReasonApprovalSerializer(ApprovalFields):
    reason = serializers.CharField(max_length=200)


class RefundSerializer(ReasonApprovalSerializer):
    amount = serializers.IntegerField(min_value=1, max_value=100_000_000)


class RefundView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=RefundSerializer, responses=R.RefundAnswerSerializer)
    @idempotent
    def post(self, request, payment_id: int):
        data = _valid(RefundSerializer, request.data)
        refund = services.refund_payment(
            payment=get_object_or_404(Payment, pk=payment_id),
            amount=data["amount"],
            reason=data["reason"],
            by=request.user,
            **_approval(data),
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
        check = _check(check_id)
        services.reopen_check(check=check, reason=data["reason"], by=request.user, **_approval(data))
        return _bill(check.order_id)


class DrawerOpenSerializer(StrictSerializer):
    outlet = IdField()
    opening_float = serializers.IntegerField(**CENTS)


class DrawerCountSerializer(StrictSerializer):
    counted = serializers.IntegerField(**CENTS)


class CashMovementSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=CashMovement.Kind.choices)
    amount = serializers.IntegerField(min_value=1, max_value=100_000_000)
    reason = serializers.CharField(max_length=200)


def _drawer_answer(session: DrawerSession) -> Response:
    # Blind count: what the drawer should hold is shown only once it is closed.
    body = {
        "id": session.pk,
        "outlet": session.outlet_id,
        "opening_float": session.opening_float,
        "open": not session.closed_at,
    }
    if session.closed_at:
        body.update({"counted": session.counted, "expected": session.expected, "variance": session.variance})
    return Response(body)


class CloseDaySerializer(StrictSerializer):
    carry_over_open_orders = serializers.BooleanField(default=False)


class CloseDayView(APIView):
    """POST: the Z. Closes the open business day, numbers it and stores its report (managers)."""

    permission_classes = [role_required(Role.MANAGER)]

    @extend_schema(request=CloseDaySerializer, responses=R.DayClosedSerializer)
    @idempotent
    def post(self, request):
        data = _valid(CloseDaySerializer, request.data)
        day = services.close_business_day(by=request.user, **data)
        return Response({"date": day.date.isoformat(), "z_number": day.z_number, "report": day.report})


class DrawerView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=DrawerOpenSerializer, responses=R.DrawerAnswerSerializer)
    @idempotent
    def post(self, request):
        data = _valid(DrawerOpenSerializer, request.data)
        outlet = get_object_or_404(Outlet, pk=data["outlet"])
        return _drawer_answer(services.open_drawer(outlet=outlet, opening_float=data["opening_float"], by=request.user))


class DrawerCloseView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=DrawerCountSerializer, responses=R.DrawerAnswerSerializer)
    @idempotent
    def post(self, request, session_id: int):
        data = _valid(DrawerCountSerializer, request.data)
        session = get_object_or_404(DrawerSession, pk=session_id)
        return _drawer_answer(services.close_drawer(session=session, counted=data["counted"], by=request.user))


class CashMovementView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=CashMovementSerializer, responses=R.CashMovementAnswerSerializer)
    @idempotent
    def post(self, request, session_id: int):
        data = _valid(CashMovementSerializer, request.data)
        session = get_object_or_404(DrawerSession, pk=session_id)
        movement = services.record_cash_movement(session=session, by=request.user, **data)
        return Response({"id": movement.pk, "kind": movement.kind, "amount": movement.amount})
