"""The close of the business day (the Z)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import responses as R
from billing import services
from idempotency.decorators import idempotent
from orders.api import StrictSerializer, _valid
from staff.models import Role
from staff.permissions import role_required


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
