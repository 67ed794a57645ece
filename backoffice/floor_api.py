"""The floor-plan editor's API: read an outlet's plan, save an editing session's plan in one request.

Thin: shapes are checked here (400 naming the field), the rules in tables.services.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import idempotent
from staff.models import Role
from staff.permissions import role_required
from tables import selectors, services
from tables.models import Outlet, Table

ManagerOnly = role_required(Role.MANAGER)
MAX_KEY = 40
MAX_PLAN = services.MAX_PLAN_SIZE


class EditorPlanAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, required=False, min_value=1, max_value=2**63 - 1)
    key = serializers.CharField(max_length=MAX_KEY, required=False, help_text="The editor's name for a new area.")
    name = serializers.CharField(max_length=80)
    plan_width = serializers.IntegerField(min_value=services.MIN_PLAN_SIZE, max_value=MAX_PLAN, required=False)
    plan_height = serializers.IntegerField(min_value=services.MIN_PLAN_SIZE, max_value=MAX_PLAN, required=False)


class EditorPlanTableSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, required=False, min_value=1, max_value=2**63 - 1)
    area = serializers.CharField(max_length=MAX_KEY, help_text="The key (or id) of the area it stands in.")
    number = serializers.CharField(max_length=10)
    seats = serializers.IntegerField(min_value=1, max_value=services.MAX_SEATS)
    shape = serializers.ChoiceField(choices=Table.Shape.choices)
    x = serializers.IntegerField(min_value=0, max_value=MAX_PLAN)
    y = serializers.IntegerField(min_value=0, max_value=MAX_PLAN)
    width = serializers.IntegerField(min_value=services.MIN_TABLE_SIZE, max_value=MAX_PLAN)
    height = serializers.IntegerField(min_value=services.MIN_TABLE_SIZE, max_value=MAX_PLAN)
    rotation = serializers.IntegerField(min_value=-360, max_value=360)


class EditorPlanSaveSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The plan's version the editor loaded.")
    areas = serializers.ListField(child=EditorPlanAreaSerializer(), max_length=50)
    tables = serializers.ListField(child=EditorPlanTableSerializer(), max_length=500)


class EditorPlanOutletSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EditorPlanAreaOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    plan_width = serializers.IntegerField()
    plan_height = serializers.IntegerField()


class EditorPlanTableOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    area = serializers.IntegerField()
    number = serializers.CharField()
    seats = serializers.IntegerField()
    shape = serializers.ChoiceField(choices=Table.Shape.choices)
    x = serializers.IntegerField()
    y = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    rotation = serializers.IntegerField()


class EditorFloorPlanSerializer(serializers.Serializer):
    outlet = EditorPlanOutletSerializer()
    version = serializers.IntegerField()
    areas = EditorPlanAreaOutSerializer(many=True)
    tables = EditorPlanTableOutSerializer(many=True)


class EditorFloorPlanConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    version = serializers.IntegerField(help_text="The plan's version now.")


def _as_rows(items: list) -> list[dict]:
    return [dict(item) for item in items]


class FloorPlanView(APIView):
    """An outlet's floor plan as the editor edits it; PUT replaces it (what is not listed is removed)."""

    permission_classes = [ManagerOnly]

    def _outlet(self, outlet_id: int) -> Outlet:
        return get_object_or_404(Outlet, pk=outlet_id, is_active=True)

    @extend_schema(responses=EditorFloorPlanSerializer)
    def get(self, request, outlet_id: int):
        return Response(
            EditorFloorPlanSerializer(selectors.floor_plan_for_editing(outlet=self._outlet(outlet_id))).data
        )

    @extend_schema(
        request=EditorPlanSaveSerializer,
        responses={200: EditorFloorPlanSerializer, 409: EditorFloorPlanConflictSerializer},
    )
    @idempotent
    def put(self, request, outlet_id: int):
        outlet = self._outlet(outlet_id)
        body = EditorPlanSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            outlet = services.save_floor_plan(
                outlet=outlet,
                by=request.user,
                version=body.validated_data["version"],
                areas=_as_rows(body.validated_data["areas"]),
                tables=_as_rows(body.validated_data["tables"]),
            )
        except services.FloorPlanConflict as conflict:
            return Response(
                {"detail": str(conflict), "code": "floor_plan_changed", "version": conflict.current_version},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(EditorFloorPlanSerializer(selectors.floor_plan_for_editing(outlet=outlet)).data)
