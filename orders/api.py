"""Orders API: floor, menu, orders and lines. Thin: validate the shape, call a service."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import idempotent
from orders import responses as R
from orders import selectors, services
from orders.models import Item, Modifier, Order, OrderLine
from staff.models import User
from staff.permissions import role_required
from tables.models import Outlet, Table

FloorRole = role_required(*services.FLOOR_ROLES)
# Fields a client might try to set that only the menu decides.
SERVER_OWNED_FIELDS = (
    "price",
    "unit_price",
    "name",
    "total",
    "modifiers_price",
    "tax_percent",
    "tax_rate",
    "status",
    "allergens",
)


MAX_ID = 2**63 - 1  # the largest id a database column can hold


def IdField(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def SmallField(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=-32768, max_value=32767, **kwargs)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming them; prices and names above all."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for key in data:
                if key in SERVER_OWNED_FIELDS:
                    errors[key] = [_("Set by the menu; a client may not send it.")]
                elif key not in self.fields:
                    errors[key] = [_("Unknown field.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class OpenOrderSerializer(StrictSerializer):
    client_uuid = serializers.UUIDField()
    outlet = serializers.PrimaryKeyRelatedField(queryset=Outlet.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=Order.Kind.choices, default=Order.Kind.DINE_IN)
    table = serializers.PrimaryKeyRelatedField(queryset=Table.objects.all(), required=False, allow_null=True)
    covers = serializers.IntegerField(min_value=1, max_value=99, default=1)
    tab_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    room_number = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


class SetChoiceSerializer(StrictSerializer):
    """The dish chosen for one course of a set menu."""

    course = SmallField()
    item = IdField()
    modifiers = serializers.ListField(child=IdField(), required=False, default=list, max_length=50)


class AddLineSerializer(StrictSerializer):
    client_uuid = serializers.UUIDField(required=False)
    item = IdField()
    qty = SmallField(default=1)
    seat = SmallField(default=0)
    course = SmallField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    modifiers = serializers.ListField(child=IdField(), required=False, default=list, max_length=50)
    set_choices = serializers.ListField(child=SetChoiceSerializer(), required=False, default=list, max_length=10)


class AddLinesSerializer(StrictSerializer):
    lines = serializers.ListField(child=AddLineSerializer(), min_length=1, max_length=100)


class UpdateLineSerializer(StrictSerializer):
    qty = SmallField(required=False)
    seat = SmallField(required=False)
    course = SmallField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    modifiers = serializers.ListField(child=IdField(), required=False, max_length=50)


class CourseSerializer(StrictSerializer):
    course = SmallField(required=False, allow_null=True)


class VoidLineSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200)
    approver = IdField()
    approver_pin = serializers.CharField(max_length=6, trim_whitespace=False)


class TransferSerializer(StrictSerializer):
    table = IdField()


class MergeSerializer(StrictSerializer):
    source_order = IdField()


class AssignSerializer(StrictSerializer):
    waiter = IdField()


class CoversSerializer(StrictSerializer):
    covers = SmallField()


class OutletFilterSerializer(serializers.Serializer):
    outlet = IdField()


class AvailabilityApprovalFields(StrictSerializer):
    """A manager's PIN, where the outlet asks for one when a waiter 86'es."""

    approver = IdField(required=False, allow_null=True)
    approver_pin = serializers.CharField(max_length=6, required=False, allow_blank=True, trim_whitespace=False)


class AvailabilitySerializer(AvailabilityApprovalFields):
    is_available = serializers.BooleanField(required=False)
    remaining_qty = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)


def availability_changes(data: dict) -> dict:
    """The service's keywords from a valid AvailabilitySerializer (absent fields stay unchanged)."""
    changes = {"approver_id": data.get("approver"), "approver_pin": data.get("approver_pin") or None}
    if "is_available" in data:
        changes["is_available"] = data["is_available"]
    if "remaining_qty" in data:
        changes["remaining_qty"] = data["remaining_qty"]
    return changes


def _order(order_id: int) -> Order:
    return get_object_or_404(Order, pk=order_id)


def _line(order_id: int, line_id: int) -> OrderLine:
    return get_object_or_404(OrderLine.objects.select_related("order", "item"), pk=line_id, order_id=order_id)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class FloorView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(responses=R.FloorPlanSerializer)
    def get(self, request, outlet_id: int):
        return Response(selectors.floor_plan(outlet=get_object_or_404(Outlet, pk=outlet_id, is_active=True)))


class MenuView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(responses=R.MenuSerializer)
    def get(self, request, outlet_id: int):
        return Response(selectors.menu_for_outlet(outlet=get_object_or_404(Outlet, pk=outlet_id, is_active=True)))


class OrderListView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(
        operation_id="orders_open_list",
        parameters=[OutletFilterSerializer],
        responses=R.OpenOrderRowSerializer(many=True),
    )
    def get(self, request):
        data = _valid(OutletFilterSerializer, request.query_params)
        return Response(selectors.open_orders_for(outlet=get_object_or_404(Outlet, pk=data["outlet"])))

    @extend_schema(request=OpenOrderSerializer, responses={201: R.OrderDetailSerializer, 200: R.OrderDetailSerializer})
    @idempotent
    def post(self, request):
        data = _valid(OpenOrderSerializer, request.data)
        order, created = services.open_order(waiter=request.user, **data)
        return Response(selectors.order_detail(order_id=order.pk), status=201 if created else 200)


class OrderDetailView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(responses=R.OrderDetailSerializer)
    def get(self, request, order_id: int):
        get_object_or_404(Order, pk=order_id)
        return Response(selectors.order_detail(order_id=order_id))


class OrderLinesView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=AddLineSerializer, responses={201: R.LineAddedSerializer, 200: R.LineAddedSerializer})
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(AddLineSerializer, request.data)
        line, created = services.add_line(order=_order(order_id), by=request.user, request=_line_request(data))
        return Response(
            {"line": line.pk, "order": selectors.order_detail(order_id=order_id)}, status=201 if created else 200
        )


def _line_request(data: dict) -> services.LineRequest:
    return services.LineRequest(
        item_id=data["item"],
        qty=data["qty"],
        seat=data["seat"],
        course=data.get("course"),
        note=data["note"],
        modifier_ids=data["modifiers"],
        client_uuid=data.get("client_uuid"),
        set_choices=[
            services.SetChoice(course=choice["course"], item_id=choice["item"], modifier_ids=choice["modifiers"])
            for choice in data.get("set_choices", [])
        ],
    )


class OrderLinesBatchView(APIView):
    """Add several lines in one request, all or none (a tablet catching up after Wi-Fi loss)."""

    permission_classes = [FloorRole]

    @extend_schema(request=AddLinesSerializer, responses={201: R.LinesAddedSerializer, 200: R.LinesAddedSerializer})
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(AddLinesSerializer, request.data)
        results = services.add_lines(
            order=_order(order_id), by=request.user, requests=[_line_request(line) for line in data["lines"]]
        )
        return Response(
            {"lines": [line.pk for line, _ in results], "order": selectors.order_detail(order_id=order_id)},
            status=201 if any(created for _, created in results) else 200,
        )


class OrderLineView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=UpdateLineSerializer, responses=R.OrderDetailSerializer)
    @idempotent
    def patch(self, request, order_id: int, line_id: int):
        data = _valid(UpdateLineSerializer, request.data)
        if "modifiers" in data:
            data["modifier_ids"] = data.pop("modifiers")
        services.update_pending_line(line=_line(order_id, line_id), by=request.user, **data)
        return Response(selectors.order_detail(order_id=order_id))

    @extend_schema(responses={200: R.OrderDetailSerializer})
    @idempotent
    def delete(self, request, order_id: int, line_id: int):
        services.remove_pending_line(line=_line(order_id, line_id), by=request.user)
        return Response(selectors.order_detail(order_id=order_id))


class LineNoteSerializer(StrictSerializer):
    note = serializers.CharField(max_length=200, allow_blank=True)


class SentLineNoteView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=LineNoteSerializer, responses=R.OrderDetailSerializer)
    @idempotent
    def post(self, request, order_id: int, line_id: int):
        data = _valid(LineNoteSerializer, request.data)
        services.change_sent_line_note(line=_line(order_id, line_id), by=request.user, note=data["note"])
        return Response(selectors.order_detail(order_id=order_id))


class VoidLineView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=VoidLineSerializer, responses=R.OrderDetailSerializer)
    @idempotent
    def post(self, request, order_id: int, line_id: int):
        data = _valid(VoidLineSerializer, request.data)
        services.void_line(
            line=_line(order_id, line_id),
            by=request.user,
            reason=data["reason"],
            approver_id=data["approver"],
            approver_pin=data["approver_pin"],
        )
        return Response(selectors.order_detail(order_id=order_id))


class SendView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=CourseSerializer, responses=R.LinesSentSerializer)
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(CourseSerializer, request.data)
        lines = services.send_to_kitchen(order=_order(order_id), by=request.user, course=data.get("course"))
        return Response({"sent": [line.pk for line in lines], "order": selectors.order_detail(order_id=order_id)})


class ServeView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=CourseSerializer, responses=R.LinesServedSerializer)
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(CourseSerializer, request.data)
        lines = services.serve_lines(order=_order(order_id), by=request.user, course=data.get("course"))
        return Response({"served": [line.pk for line in lines], "order": selectors.order_detail(order_id=order_id)})


class TransferView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=TransferSerializer, responses=R.OrderDetailSerializer)
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(TransferSerializer, request.data)
        table = Table.objects.filter(pk=data["table"]).first()
        if table is None:
            return Response({"table": [_("No such table.")]}, status=400)
        services.transfer_order(order=_order(order_id), to_table=table, by=request.user)
        return Response(selectors.order_detail(order_id=order_id))


class MergeView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=MergeSerializer, responses=R.OrderDetailSerializer)
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(MergeSerializer, request.data)
        source = Order.objects.filter(pk=data["source_order"]).first()
        if source is None:
            return Response({"source_order": [_("No such order.")]}, status=400)
        services.merge_orders(source=source, target=_order(order_id), by=request.user)
        return Response(selectors.order_detail(order_id=order_id))


class AssignView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=AssignSerializer, responses=R.OrderDetailSerializer)
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(AssignSerializer, request.data)
        waiter = User.objects.filter(pk=data["waiter"], is_active=True).first()
        if waiter is None:
            return Response({"waiter": [_("No such staff member.")]}, status=400)
        services.assign_order(order=_order(order_id), waiter=waiter, by=request.user)
        return Response(selectors.order_detail(order_id=order_id))


class CoversView(APIView):
    permission_classes = [FloorRole]

    @extend_schema(request=CoversSerializer, responses=R.OrderDetailSerializer)
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(CoversSerializer, request.data)
        services.change_covers(order=_order(order_id), covers=data["covers"], by=request.user)
        return Response(selectors.order_detail(order_id=order_id))


AvailabilityRole = role_required(*services.AVAILABILITY_ROLES)


class SoldOutBoardView(APIView):
    """The 86 board: every item of the outlet's menus and every choice they offer, with what is sold out."""

    permission_classes = [AvailabilityRole]

    @extend_schema(responses=R.SoldOutBoardSerializer)
    def get(self, request, outlet_id: int):
        return Response(selectors.sold_out_board(outlet=get_object_or_404(Outlet, pk=outlet_id, is_active=True)))


class ItemAvailabilityView(APIView):
    """86 an item, bring it back, or set its countdown; every tablet hears it."""

    permission_classes = [AvailabilityRole]

    @extend_schema(request=AvailabilitySerializer, responses=R.ItemAvailabilityAnswerSerializer)
    @idempotent
    def post(self, request, item_id: int):
        data = _valid(AvailabilitySerializer, request.data)
        item = services.set_item_availability(
            item=get_object_or_404(Item, pk=item_id), by=request.user, **availability_changes(data)
        )
        return Response(selectors.item_availability(item))


class ModifierAvailabilitySerializer(AvailabilityApprovalFields):
    is_available = serializers.BooleanField()


class ModifierAvailabilityView(APIView):
    """Mark a choice sold out or back (no more fries); every tablet offering it hears it."""

    permission_classes = [AvailabilityRole]

    @extend_schema(request=ModifierAvailabilitySerializer, responses=R.ModifierAvailabilityAnswerSerializer)
    @idempotent
    def post(self, request, modifier_id: int):
        data = _valid(ModifierAvailabilitySerializer, request.data)
        modifier = services.set_modifier_availability(
            modifier=get_object_or_404(Modifier, pk=modifier_id),
            by=request.user,
            is_available=data["is_available"],
            approver_id=data.get("approver"),
            approver_pin=data.get("approver_pin") or None,
        )
        return Response({"id": modifier.pk, "is_available": modifier.is_available})
