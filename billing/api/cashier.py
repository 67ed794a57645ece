"""The cashier's lists: every open check of an outlet, and the checks paid in the open business day."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import cashier_selectors, services
from billing import responses as R
from orders.api import StrictSerializer, _valid
from staff.permissions import role_required
from tables.models import Outlet

CashierRole = role_required(*services.CASHIER_ROLES)


class ClosedSearchSerializer(StrictSerializer):
    q = serializers.CharField(max_length=60, required=False, allow_blank=True)
    amount = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False)


class OpenChecksView(APIView):
    permission_classes = [CashierRole]

    @extend_schema(responses=R.OpenCheckSerializer(many=True))
    def get(self, request, outlet_id: int):
        outlet = get_object_or_404(Outlet, pk=outlet_id, is_active=True)
        return Response(cashier_selectors.open_checks(outlet_id=outlet.pk))


class ClosedChecksView(APIView):
    permission_classes = [CashierRole]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="An order or check number (12-1), a table, a room or a tab's name."),
            OpenApiParameter("amount", int, description="The check's total in cents."),
        ],
        responses=R.ClosedCheckSerializer(many=True),
    )
    def get(self, request, outlet_id: int):
        outlet = get_object_or_404(Outlet, pk=outlet_id, is_active=True)
        data = _valid(ClosedSearchSerializer, request.query_params.dict())
        return Response(
            cashier_selectors.closed_checks(outlet_id=outlet.pk, search=data.get("q", ""), amount=data.get("amount"))
        )
