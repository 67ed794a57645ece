"""Payments on a check: cash, other tenders, the card terminal and its webhook, charges to a room."""

import contextlib

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import responses as R
from billing import services
from billing.api.fields import CENTS, ApprovalFields, BillingRole, bill_answer, check_or_404
from billing.broadcasts import payment_message
from billing.card_terminal import CardTerminalError
from billing.models import CardReader, Payment, Tender
from idempotency.decorators import idempotent
from orders.api import IdField, StrictSerializer, _valid
from pms_integration.responses import GUEST_SEARCH


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


class CashPaymentView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=CashSerializer, responses=R.BillAfterCashSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(CashSerializer, request.data)
        check = check_or_404(check_id)
        payment = services.pay_cash(
            check=check,
            tender=get_object_or_404(Tender, pk=data["tender"]),
            cash_given=data["cash_given"],
            amount=data.get("amount"),
            tip=data["tip"],
            client_uuid=data.get("client_uuid"),
            by=request.user,
        )
        response = bill_answer(check.order_id)
        response.data["payment"] = {"id": payment.pk, "change_due": payment.change_due, "rounding": payment.rounding}
        return response


class OtherPaymentView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=OtherSerializer, responses=R.BillAfterOtherPaymentSerializer)
    @idempotent
    def post(self, request, check_id: int):
        data = _valid(OtherSerializer, request.data)
        check = check_or_404(check_id)
        payment = services.pay_other(
            check=check,
            tender=get_object_or_404(Tender, pk=data["tender"]),
            amount=data["amount"],
            tip=data["tip"],
            reference=data["reference"],
            client_uuid=data.get("client_uuid"),
            by=request.user,
        )
        response = bill_answer(check.order_id)
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
        check = check_or_404(check_id)
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
        check = check_or_404(check_id)
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
            check=check_or_404(check_id),
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
