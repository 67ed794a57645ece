"""Cash drawers: opened with a float, cash paid in or out, opened without a sale, handed over, closed blind.

Counts go by note and coin ({"5000": 2, "200": 5}: value in cents -> pieces); the
server adds them up. A plain amount in cents is still taken from older callers.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import responses as R
from billing import services
from billing.api.fields import CENTS, BillingRole
from billing.drawer_selectors import drawer_count_slip_job
from billing.models import CashMovement, DrawerSession
from billing.printouts import receipt_printer_problem
from idempotency.decorators import idempotent
from orders.api import IdField, StrictSerializer, _valid
from staff.models import User
from tables.models import Outlet

PIECES = {"min_value": 0, "max_value": 100_000}


def _counts_field(**kwargs):
    return serializers.DictField(
        child=serializers.IntegerField(**PIECES),
        allow_empty=True,
        help_text="By note and coin: {value in cents: pieces}.",
        **kwargs,
    )


class DrawerOpenSerializer(StrictSerializer):
    outlet = IdField()
    float_counts = _counts_field(required=False)
    opening_float = serializers.IntegerField(required=False, help_text="Older callers: the float in cents.", **CENTS)


class DrawerCountSerializer(StrictSerializer):
    counts = _counts_field(required=False)
    counted = serializers.IntegerField(required=False, help_text="Older callers: the cash in cents.", **CENTS)


class DrawerHandOverSerializer(StrictSerializer):
    counts = _counts_field()
    to = IdField(help_text="The person who takes the drawer over.")
    to_pin = serializers.CharField(max_length=12, help_text="Her own PIN: she takes the counted cash.")


class NoSaleSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200)


class CashMovementSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=CashMovement.Kind.choices)
    amount = serializers.IntegerField(min_value=1, max_value=100_000_000)
    reason_code = serializers.ChoiceField(choices=CashMovement.Reason.choices, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


def drawer_body(session: DrawerSession) -> dict:
    # Blind count: what the drawer should hold is shown only once it is closed.
    body = {
        "id": session.pk,
        "outlet": session.outlet_id,
        "opening_float": session.opening_float,
        "float_counts": session.float_counts,
        "open": not session.closed_at,
    }
    if session.closed_at:
        job = drawer_count_slip_job(session.pk)
        body.update(
            {
                "counted": session.counted,
                "expected": session.expected,
                "variance": session.variance,
                "close_counts": session.close_counts,
                "count_slip_printed_on": job["printer"]["name"] if job else "",
                "count_slip_problem": "" if job else receipt_printer_problem(outlet_id=session.outlet_id),
            }
        )
    return body


class DrawerView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=DrawerOpenSerializer, responses=R.DrawerAnswerSerializer)
    @idempotent
    def post(self, request):
        data = _valid(DrawerOpenSerializer, request.data)
        outlet = get_object_or_404(Outlet, pk=data["outlet"])
        session = services.open_drawer(
            outlet=outlet,
            opening_float=data.get("opening_float"),
            float_counts=data.get("float_counts"),
            by=request.user,
        )
        return Response(drawer_body(session))


class DrawerCloseView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=DrawerCountSerializer, responses=R.DrawerAnswerSerializer)
    @idempotent
    def post(self, request, session_id: int):
        data = _valid(DrawerCountSerializer, request.data)
        session = get_object_or_404(DrawerSession, pk=session_id)
        closed = services.close_drawer(
            session=session, counted=data.get("counted"), counts=data.get("counts"), by=request.user
        )
        return Response(drawer_body(closed))


class DrawerHandOverView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=DrawerHandOverSerializer, responses=R.DrawerHandOverAnswerSerializer)
    @idempotent
    def post(self, request, session_id: int):
        data = _valid(DrawerHandOverSerializer, request.data)
        session = get_object_or_404(DrawerSession, pk=session_id)
        to = User.objects.filter(pk=data["to"], is_active=True).first()  # the service refuses nobody
        opened = services.hand_over_drawer(
            session=session, counts=data["counts"], to=to, to_pin=data["to_pin"], by=request.user
        )
        return Response({"closed": drawer_body(opened.handed_over_from), "opened": drawer_body(opened)})


class DrawerNoSaleView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=NoSaleSerializer, responses=R.DrawerNoSaleAnswerSerializer)
    @idempotent
    def post(self, request, session_id: int):
        data = _valid(NoSaleSerializer, request.data)
        session = get_object_or_404(DrawerSession, pk=session_id)
        session = services.open_cash_drawer_without_sale(session=session, reason=data["reason"], by=request.user)
        # No receipt printer, no pulse: the screen says the drawer did not open by itself.
        return Response({**drawer_body(session), "kick_problem": receipt_printer_problem(outlet_id=session.outlet_id)})


class CashMovementView(APIView):
    permission_classes = [BillingRole]

    @extend_schema(request=CashMovementSerializer, responses=R.CashMovementAnswerSerializer)
    @idempotent
    def post(self, request, session_id: int):
        data = _valid(CashMovementSerializer, request.data)
        session = get_object_or_404(DrawerSession, pk=session_id)
        movement = services.record_cash_movement(
            session=session,
            kind=data["kind"],
            amount=data["amount"],
            reason=data.get("reason", ""),
            reason_code=data.get("reason_code", ""),
            by=request.user,
        )
        return Response(
            {
                "id": movement.pk,
                "kind": movement.kind,
                "amount": movement.amount,
                "reason": movement.reason,
                "reason_code": movement.reason_code,
            }
        )
