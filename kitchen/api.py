"""Kitchen API: boards and commands for kitchen screens, firing for waiters, pairing for managers.

Screens only listen on their socket; every command comes through here and calls a service.
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from idempotency.decorators import idempotent
from kitchen import responses as R
from kitchen import selectors, services
from kitchen.authentication import SESSION_KEY, KitchenDisplayAuthentication
from kitchen.models import Fire, KitchenDisplay, Station, Ticket, TicketItem
from orders import responses as orders_responses
from orders import selectors as orders_selectors
from orders import services as orders_services
from orders.api import AvailabilitySerializer, availability_changes
from orders.models import Item, Order
from staff.models import Role
from staff.permissions import role_required

# People sign in as everywhere else; kitchen screens by their paired-device session.
AUTHENTICATION = [*api_settings.DEFAULT_AUTHENTICATION_CLASSES, KitchenDisplayAuthentication]
FiringRole = role_required(*services.FIRING_ROLES)
ManagerRole = role_required(Role.MANAGER)
PAIRING_STRIKES_PER_MINUTE = 10


class KitchenActor(BasePermission):
    """A paired kitchen display, or a signed-in person with a kitchen or manager role."""

    message = "Only kitchen screens, the kitchen and managers may do this."

    def has_permission(self, request, view):
        if isinstance(request.auth, KitchenDisplay):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(*services.KITCHEN_ROLES))


def actor(request):
    return request.auth if isinstance(request.auth, KitchenDisplay) else request.user


def _station_for(request, station_id: int) -> Station:
    station = get_object_or_404(Station, pk=station_id)
    services.require_kitchen_actor(actor(request), station)
    return station


class KitchenView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [KitchenActor]


class AfterSerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=2**62)


class RushSerializer(serializers.Serializer):
    rush = serializers.BooleanField(default=True)


class OverrideSerializer(serializers.Serializer):
    override = serializers.BooleanField(default=False)


class FireCourseSerializer(serializers.Serializer):
    course = serializers.IntegerField(min_value=1, max_value=99)


class PairSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StationBoardView(KitchenView):
    @extend_schema(responses=R.BoardSerializer)
    def get(self, request, station_id: int):
        return Response(selectors.board(station=_station_for(request, station_id)))


class StationChangesView(KitchenView):
    @extend_schema(parameters=[OpenApiParameter("after", int, required=True)], responses=R.ChangesSerializer)
    def get(self, request, station_id: int):
        data = _valid(AfterSerializer, request.query_params)
        return Response(selectors.changes_since(station=_station_for(request, station_id), after=data["after"]))


# --- 86 from a station screen -----------------------------------------------------------------


def _availability_actor(request):
    """Who 86'es: the signed-in person, or the paired screen itself (its outlet's items only)."""
    if isinstance(request.auth, KitchenDisplay):
        display = request.auth
        return orders_services.StationScreen(
            display_id=display.pk, outlet_id=display.station.outlet_id, name=str(display)
        )
    return request.user


class StationSoldOutView(KitchenView):
    """The 86 board of the station's outlet, for the screen's 86 panel."""

    @extend_schema(responses=orders_responses.SoldOutBoardSerializer)
    def get(self, request, station_id: int):
        station = _station_for(request, station_id)
        return Response(orders_selectors.sold_out_board(outlet=station.outlet))


class StationItemAvailabilityView(KitchenView):
    """86 an item of the station's outlet, bring it back or set its countdown, from the kitchen screen."""

    @extend_schema(request=AvailabilitySerializer, responses=orders_responses.ItemAvailabilityAnswerSerializer)
    @idempotent
    def post(self, request, station_id: int, item_id: int):
        _station_for(request, station_id)
        data = _valid(AvailabilitySerializer, request.data)
        item = orders_services.set_item_availability(
            item=get_object_or_404(Item, pk=item_id), by=_availability_actor(request), **availability_changes(data)
        )
        return Response(orders_selectors.item_availability(item))


def _ticket_answer(ticket: Ticket) -> Response:
    return Response(selectors.tickets_by_id({ticket.pk})[ticket.pk])


def _ticket(ticket_id: int) -> Ticket:
    return get_object_or_404(Ticket.objects.select_related("station"), pk=ticket_id)


class TicketActionView(KitchenView):
    action = ""

    @extend_schema(request=None, responses=R.TicketEntrySerializer)
    @idempotent
    def post(self, request, ticket_id: int):
        service = {
            "start": services.start_ticket,
            "bump": services.bump_ticket,
            "recall": services.recall_ticket,
        }[self.action]
        ticket = service(ticket=_ticket(ticket_id), by=actor(request))
        return _ticket_answer(ticket)


class TicketRushView(KitchenView):
    @extend_schema(request=RushSerializer, responses=R.TicketEntrySerializer)
    @idempotent
    def post(self, request, ticket_id: int):
        data = _valid(RushSerializer, request.data)
        ticket = services.set_ticket_rush(ticket=_ticket(ticket_id), rush=data["rush"], by=actor(request))
        return _ticket_answer(ticket)


class TicketReprintView(KitchenView):
    @extend_schema(request=None, responses=R.TicketEntrySerializer)
    @idempotent
    def post(self, request, ticket_id: int):
        ticket = _ticket(ticket_id)
        services.reprint_ticket(ticket=ticket, by=actor(request))
        return _ticket_answer(ticket)


class TicketItemActionView(KitchenView):
    action = ""

    @extend_schema(request=None, responses=R.TicketEntrySerializer)
    @idempotent
    def post(self, request, item_id: int):
        item = get_object_or_404(TicketItem, pk=item_id)
        service = services.start_item if self.action == "start" else services.ready_item
        item = service(item=item, by=actor(request))
        return _ticket_answer(item.ticket)


class RecallLastView(KitchenView):
    @extend_schema(request=None, responses=R.RecalledSerializer)
    @idempotent
    def post(self, request, station_id: int):
        station = get_object_or_404(Station, pk=station_id)
        if station.kind == Station.Kind.EXPO:
            fire = services.recall_last_fire(station=station, by=actor(request))
            return Response(selectors.fires_by_id({fire.pk})[fire.pk])
        ticket = services.recall_last_ticket(station=station, by=actor(request))
        return _ticket_answer(ticket)


class FireBumpView(KitchenView):
    @extend_schema(request=OverrideSerializer, responses=R.FireEntrySerializer)
    @idempotent
    def post(self, request, fire_id: int):
        data = _valid(OverrideSerializer, request.data)
        fire = services.bump_fire(
            fire=get_object_or_404(Fire, pk=fire_id), by=actor(request), override=data["override"]
        )
        return Response(selectors.fires_by_id({fire.pk})[fire.pk])


class FireRecallView(KitchenView):
    @extend_schema(request=None, responses=R.FireEntrySerializer)
    @idempotent
    def post(self, request, fire_id: int):
        fire = services.recall_fire(fire=get_object_or_404(Fire, pk=fire_id), by=actor(request))
        return Response(selectors.fires_by_id({fire.pk})[fire.pk])


# --- waiters --------------------------------------------------------------------------------


class OrderFireView(APIView):
    permission_classes = [FiringRole]

    @extend_schema(request=FireCourseSerializer, responses=R.OrderFiresSerializer)
    @idempotent
    def post(self, request, order_id: int):
        data = _valid(FireCourseSerializer, request.data)
        order = get_object_or_404(Order, pk=order_id)
        services.fire_course(order=order, course=data["course"], by=request.user)
        return Response({"fires": selectors.fires_for_order(order_id=order.pk)})


class OrderRushView(APIView):
    permission_classes = [FiringRole]

    @extend_schema(request=None, responses=R.OrderFiresSerializer)
    @idempotent
    def post(self, request, order_id: int):
        order = get_object_or_404(Order, pk=order_id)
        services.rush_order(order=order, by=request.user)
        return Response({"fires": selectors.fires_for_order(order_id=order.pk)})


class OrderFiresView(APIView):
    permission_classes = [FiringRole]

    @extend_schema(responses=R.OrderFiresSerializer)
    def get(self, request, order_id: int):
        order = get_object_or_404(Order, pk=order_id)
        return Response({"fires": selectors.fires_for_order(order_id=order.pk)})


class ReadyView(APIView):
    permission_classes = [FiringRole]

    @extend_schema(responses=R.ReadySerializer)
    def get(self, request):
        return Response({"ready": selectors.ready_for_waiter(waiter_id=request.user.pk)})


# --- pairing screens --------------------------------------------------------------------------


class StationsView(APIView):
    permission_classes = [ManagerRole]

    @extend_schema(responses=R.StationsSerializer)
    def get(self, request):
        stations = Station.objects.select_related("outlet").order_by("outlet_id", "sort_order", "name")
        return Response({"stations": [selectors.station_entry(s) for s in stations]})


class PairingCodeView(APIView):
    permission_classes = [ManagerRole]

    @extend_schema(request=None, responses={201: R.PairingCodeAnswerSerializer})
    def post(self, request, station_id: int):
        # Not idempotent on purpose: each press issues a fresh single-use code.
        pairing = services.issue_pairing_code(station=get_object_or_404(Station, pk=station_id), by=request.user)
        return Response(
            {"code": pairing.code, "station": pairing.station_id, "expires_at": pairing.expires_at.isoformat()},
            status=201,
        )


class PairDisplayView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=PairSerializer, responses={201: R.DisplayEntrySerializer, 429: R.FIELD_ERRORS})
    def post(self, request):
        # Six digits for fifteen minutes: a few wrong guesses a minute per address keep guessing hopeless.
        strikes_key = f"kitchen-pairing-strikes:{request.META.get('REMOTE_ADDR', '')}"
        if cache.get(strikes_key, 0) >= PAIRING_STRIKES_PER_MINUTE:
            return Response({"code": [_("Too many wrong codes. Wait a minute and try again.")]}, status=429)
        data = _valid(PairSerializer, request.data)
        try:
            display = services.pair_display(code=data["code"], name=data["name"])
        except ValidationError:
            cache.add(strikes_key, 0, timeout=60)
            cache.incr(strikes_key)
            raise
        # A screen is a device: whoever was signed in on it is signed out.
        request._request.session.flush()
        request._request.session[SESSION_KEY] = display.pk
        request._request.session.set_expiry(60 * 60 * 24 * 365)
        return Response(_display_entry(display), status=201)


def _display_entry(display: KitchenDisplay) -> dict:
    return {"id": display.pk, "name": display.name, "station": selectors.station_entry(display.station)}


class CurrentDisplayView(KitchenView):
    @extend_schema(responses={200: R.DisplayEntrySerializer, 400: R.FIELD_ERRORS})
    def get(self, request):
        if not isinstance(request.auth, KitchenDisplay):
            return Response({"display": ["This is not a paired kitchen screen."]}, status=400)
        return Response(_display_entry(request.auth))


class UnpairDisplayView(APIView):
    permission_classes = [ManagerRole]

    @extend_schema(request=None, responses=R.UnpairedSerializer)
    @idempotent
    def post(self, request, display_id: int):
        display = services.unpair_display(display=get_object_or_404(KitchenDisplay, pk=display_id), by=request.user)
        return Response({"id": display.pk, "is_active": display.is_active})
