"""Staff API: PIN sign-in on shared tablets, PIN unlock, clock in/out, shifts, audit log."""

from django.contrib.auth import login, logout
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import idempotent
from staff import selectors, services
from staff.models import AuditEntry, Role, User, WorkShift
from staff.permissions import role_required

# Too many sign-in attempts from one place: wait and try again.
TOO_MANY_TRIES = {"type": "object", "properties": {"detail": {"type": "string"}}, "additionalProperties": {}}


class PinSignInSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    pin = serializers.CharField(max_length=6, min_length=4, trim_whitespace=False)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class SignInTileSerializer(PersonSerializer):
    pin_locked = serializers.BooleanField()


class SignInTilesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=SignInTileSerializer(many=True))
    def get(self, request):
        return Response(selectors.sign_in_tiles())


class PinSignInView(APIView):
    """Sign in on a shared tablet: tap your name, type your PIN."""

    permission_classes = [AllowAny]

    @extend_schema(request=PinSignInSerializer, responses={200: PersonSerializer, 429: TOO_MANY_TRIES})
    def post(self, request):
        data = PinSignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.sign_in_with_pin(person_id=data.validated_data["user"], pin=data.validated_data["pin"])
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        return Response(selectors.person_summary(person))


class SignOutView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        logout(request)
        return Response(status=204)


class MeSerializer(PersonSerializer):
    on_shift_since = serializers.DateTimeField(allow_null=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(selectors.person_with_shift(request.user))


class UnlockPinView(APIView):
    permission_classes = [role_required(Role.MANAGER)]

    @extend_schema(request=None, responses=SignInTileSerializer)
    @idempotent
    def post(self, request, person_id: int):
        person = services.unlock_pin(person=get_object_or_404(User, pk=person_id), manager=request.user)
        return Response({**selectors.person_summary(person), "pin_locked": person.pin_locked})


class WorkShiftSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.__str__", read_only=True)
    duration_minutes = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = WorkShift
        fields = ["id", "person", "person_name", "clocked_in_at", "clocked_out_at", "duration_minutes"]


class ClockInView(APIView):
    @extend_schema(request=None, responses={201: WorkShiftSerializer})
    @idempotent
    def post(self, request):
        return Response(WorkShiftSerializer(services.clock_in(person=request.user)).data, status=201)


class ClockOutView(APIView):
    @extend_schema(request=None, responses=WorkShiftSerializer)
    @idempotent
    def post(self, request):
        return Response(WorkShiftSerializer(services.clock_out(person=request.user)).data)


class ShiftFilterSerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    person = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class WorkShiftListView(ListAPIView):
    """The manager's shift list, newest first."""

    permission_classes = [role_required(Role.MANAGER)]
    serializer_class = WorkShiftSerializer

    @extend_schema(parameters=[ShiftFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = ShiftFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.work_shifts(
            since=filters.validated_data.get("since"),
            until=filters.validated_data.get("until"),
            person_id=filters.validated_data.get("person"),
        )


class AuditEntrySerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    approver_name = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "subject_type",
            "subject_id",
            "approver_name",
            "reason",
            "details",
        ]

    def get_actor_name(self, entry) -> str:
        return str(entry.actor) if entry.actor_id else ""

    def get_approver_name(self, entry) -> str:
        return str(entry.approval.approver) if entry.approval_id else ""


class AuditFilterSerializer(serializers.Serializer):
    action = serializers.CharField(required=False, max_length=60)
    actor = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class AuditLogView(ListAPIView):
    """The append-only audit log, for managers."""

    permission_classes = [role_required(Role.MANAGER)]
    serializer_class = AuditEntrySerializer

    @extend_schema(parameters=[AuditFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = AuditFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.audit_log(
            action=filters.validated_data.get("action") or None, actor_id=filters.validated_data.get("actor")
        )[:500]
