"""Cash drawers: opened with a float, cash paid in or out, closed with a blind count."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import responses as R
from billing import services
from billing.api.fields import CENTS, BillingRole
from billing.models import CashMovement, DrawerSession
from idempotency.decorators import idempotent
from orders.api import IdField, StrictSerializer, _valid
from tables.models import Outlet


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
