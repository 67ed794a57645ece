"""Staff API: PIN sign-in on shared tablets, clearing PIN waits, clock in/out, shifts, audit log."""

from django.conf import settings
from django.contrib.auth import login, logout
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import idempotent
from staff import pin_guard, selectors, services
from staff.api_fields import BoundedDateTimeField
from staff.backends import PIN_SESSION_BACKEND
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
    pin_locked = serializers.BooleanField(help_text="Wrong PINs make this tablet wait before trying this PIN.")
    retry_after = serializers.IntegerField(help_text="Seconds until this tablet may try this PIN (0: now).")


def _with_device_cookie(request, response: Response) -> Response:
    """Give the tablet its id (a long-lived random cookie) so its wrong PINs are its own."""
    if not pin_guard.device_of(request):
        response.set_cookie(
            pin_guard.DEVICE_COOKIE,
            pin_guard.new_device_id(),
            max_age=pin_guard.DEVICE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


class SignInTilesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=SignInTileSerializer(many=True))
    def get(self, request):
        tiles = selectors.sign_in_tiles(client=pin_guard.client_for_request(request))
        return _with_device_cookie(request, Response(tiles))


class PinSignInView(APIView):
    """Sign in on a shared tablet: tap your name, type your PIN. Wrong PINs make the tablet wait (429)."""

    permission_classes = [AllowAny]

    @extend_schema(request=PinSignInSerializer, responses={200: PersonSerializer, 429: TOO_MANY_TRIES})
    def post(self, request):
        data = PinSignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.sign_in_with_pin(
            person_id=data.validated_data["user"],
            pin=data.validated_data["pin"],
            client=pin_guard.client_for_request(request),
        )
        # A PIN session is never a password sign-in: the admin asks for the password.
        login(request, person, backend=PIN_SESSION_BACKEND)
        return _with_device_cookie(request, Response(selectors.person_summary(person)))


class ClearPinWaitSerializer(serializers.Serializer):
    manager = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    pin = serializers.CharField(max_length=6, min_length=4, trim_whitespace=False)


class ClearPinWaitView(APIView):
    """On the sign-in screen, a manager clears a person's wait after wrong PINs with her own PIN."""

    permission_classes = [AllowAny]

    @extend_schema(request=ClearPinWaitSerializer, responses=SignInTileSerializer)
    def post(self, request, person_id: int):
        data = ClearPinWaitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = pin_guard.client_for_request(request)
        person = get_object_or_404(User, pk=person_id, is_active=True)
        services.clear_pin_wait_at_tablet(
            person=person,
            manager_id=data.validated_data["manager"],
            manager_pin=data.validated_data["pin"],
            client=client,
        )
        wait = pin_guard.waits_for(person_ids=[person.pk], client=client)[person.pk]
        return Response({**selectors.person_summary(person), "pin_locked": wait > 0, "retry_after": wait})


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
    """A signed-in manager clears the waits wrong PINs put on a person, everywhere."""

    permission_classes = [role_required(Role.MANAGER)]

    @extend_schema(request=None, responses=SignInTileSerializer)
    @idempotent
    def post(self, request, person_id: int):
        person = services.unlock_pin(person=get_object_or_404(User, pk=person_id), manager=request.user)
        wait = pin_guard.waits_for(person_ids=[person.pk], client=pin_guard.client_for_request(request))[person.pk]
        return Response({**selectors.person_summary(person), "pin_locked": wait > 0, "retry_after": wait})


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
    since = BoundedDateTimeField(required=False)
    until = BoundedDateTimeField(required=False)
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
