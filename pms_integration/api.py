"""The front desk's API: postings and their fixes, the link's state, the built-in ledger. Thin."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as FieldError
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import idempotent
from pms_integration import responses as R
from pms_integration import selectors, services
from pms_integration.interfaces import PmsUnreachable
from pms_integration.models import GuestStay, Hotel, Posting
from staff.permissions import role_required

FrontDeskRole = role_required(*services.FRONT_DESK_ROLES)


class Strict(serializers.Serializer):
    """Refuses fields it does not know, naming them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = {key: [_("Unknown field.")] for key in data if key not in self.fields}
            if unknown:
                raise FieldError(unknown)
        return super().to_internal_value(data)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def posting_row(posting: Posting) -> dict:
    payment = getattr(posting, "payment", None)
    return {
        "id": posting.pk,
        "hotel": posting.hotel_id,
        "state": posting.state,
        "state_label": posting.get_state_display(),
        "outlet": posting.posting_outlet.outlet.name,
        "room": posting.room,
        "guest": posting.guest_name,
        "guest_id": posting.guest_id,
        "amount": posting.amount,
        "tip": posting.tip,
        "check_number": posting.check_number,
        "check_text": posting.check_text,
        "answer_code": posting.answer_code,
        "answer_text": posting.answer_text,
        "accepted_offline": posting.accepted_offline,
        "credit_override": posting.credit_override,
        "attempts": posting.attempts,
        "created_at": posting.created_at.isoformat(),
        "replaces": posting.replaces_id,
        "payment_state": payment.state if payment else None,
        "check_status": payment.guest_check.status if payment else None,
    }


class PostingFilterSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        help_text="The business day; today when left out.",
        error_messages={"invalid": _("Give the date as YYYY-MM-DD.")},
    )
    outlet = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    room = serializers.CharField(required=False, allow_blank=True, max_length=10)


class PostingListView(APIView):
    """`?date=YYYY-MM-DD&outlet=ID&room=214`: the day's postings, rejected and unknown first."""

    permission_classes = [FrontDeskRole]

    @extend_schema(parameters=[PostingFilterSerializer], responses=R.PostingListSerializer)
    def get(self, request):
        filters = _valid(PostingFilterSerializer, request.query_params)
        postings = selectors.postings_for_front_desk(
            business_date=filters.get("date") or timezone.localdate(),
            outlet_id=filters.get("outlet"),
            room=filters.get("room", ""),
        )
        links = [
            {
                "hotel": report["hotel"].name,
                "interface": report["interface"],
                "state": report["state"],
                "since": report["since"].isoformat() if report["since"] else None,
                "last_answer_at": report["last_answer_at"].isoformat() if report["last_answer_at"] else None,
                "last_error": report["last_error"],
                "queue": report["queue"],
                "alarm": report["alarm"],
            }
            for report in selectors.link_reports()
        ]
        return Response({"postings": [posting_row(p) for p in postings], "links": links})


class CheckedFolio(Strict):
    """`checked_folio`: the person looked at the PMS folio (required to touch an unknown posting)."""

    checked_folio = serializers.BooleanField(default=False)


class RedirectSerializer(CheckedFolio):
    room = serializers.CharField(max_length=10)
    guest = serializers.CharField(max_length=40)
    override = serializers.BooleanField(default=False)


class WithdrawSerializer(CheckedFolio):
    reason = serializers.CharField(max_length=200)


class ConfirmSerializer(Strict):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _fix_posting(request, posting_id: int, serializer_class, fix) -> Response:
    """Validate, apply one front-desk fix `fix(posting, data)`, answer with the posting it leaves."""
    data = _valid(serializer_class, request.data)
    posting = fix(get_object_or_404(Posting, pk=posting_id), data)
    posting = Posting.objects.select_related("posting_outlet__outlet", "payment__guest_check").get(pk=posting.pk)
    return Response(posting_row(posting))


class RetryPostingView(APIView):
    permission_classes = [FrontDeskRole]

    @extend_schema(request=CheckedFolio, responses=R.PostingRowSerializer)
    @idempotent
    def post(self, request, posting_id: int):
        return _fix_posting(
            request,
            posting_id,
            CheckedFolio,
            lambda posting, data: services.retry_posting(
                posting=posting, by=request.user, checked_folio=data["checked_folio"]
            ),
        )


class RedirectPostingView(APIView):
    """Post the charge to another guest or room instead; answers with the new posting."""

    permission_classes = [FrontDeskRole]

    @extend_schema(request=RedirectSerializer, responses=R.PostingRowSerializer)
    @idempotent(commits_in_steps=True)
    def post(self, request, posting_id: int):
        def redirect(posting, data):
            try:
                return services.redirect_posting(
                    posting=posting,
                    room=data["room"],
                    guest_id=data["guest"],
                    override=data["override"],
                    checked_folio=data["checked_folio"],
                    by=request.user,
                )
            except PmsUnreachable as error:
                raise FieldError({"room": [error.message]}) from None

        return _fix_posting(request, posting_id, RedirectSerializer, redirect)


class WithdrawPostingView(APIView):
    """Settle the charge by another tender: the posting is cancelled and billing reopens the check."""

    permission_classes = [FrontDeskRole]

    @extend_schema(request=WithdrawSerializer, responses=R.PostingRowSerializer)
    @idempotent
    def post(self, request, posting_id: int):
        return _fix_posting(
            request,
            posting_id,
            WithdrawSerializer,
            lambda posting, data: services.withdraw_posting(
                posting=posting, reason=data["reason"], checked_folio=data["checked_folio"], by=request.user
            ),
        )


class ConfirmPostingView(APIView):
    """The front desk found an unanswered charge on the folio: it counts as posted."""

    permission_classes = [FrontDeskRole]

    @extend_schema(request=ConfirmSerializer, responses=R.PostingRowSerializer)
    @idempotent
    def post(self, request, posting_id: int):
        return _fix_posting(
            request,
            posting_id,
            ConfirmSerializer,
            lambda posting, data: services.confirm_posted(posting=posting, note=data["note"], by=request.user),
        )


class HotelGuestsView(APIView):
    """In-house guests of a hotel, through its PMS: `?room=214` or `?name=...`."""

    permission_classes = [FrontDeskRole]

    @extend_schema(parameters=R.GUEST_SEARCH, responses=R.InHouseGuestsSerializer)
    def get(self, request, hotel_id: int):
        hotel = get_object_or_404(Hotel, pk=hotel_id)
        setup = hotel.posting_outlets.filter(is_active=True).first()
        if setup is None:
            raise FieldError({"hotel": [_("No outlet charges to this hotel.")]})
        try:
            guests = services.find_in_house_guests(
                posting_outlet=setup,
                room=request.query_params.get("room", ""),
                name=request.query_params.get("name", ""),
            )
        except PmsUnreachable as error:
            raise FieldError({"room": [error.message]}) from None
        return Response({"guests": [guest.as_dict() for guest in guests]})


class CheckInSerializer(Strict):
    hotel = serializers.IntegerField(min_value=1)
    room = serializers.CharField(max_length=10)
    guest_name = serializers.CharField(max_length=120)
    arrival = serializers.DateField(required=False, allow_null=True)
    departure = serializers.DateField()
    allow_postings = serializers.BooleanField(default=True)
    credit_limit = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False, allow_null=True)


def stay_row(stay: GuestStay) -> dict:
    return {
        "id": stay.pk,
        "room": stay.room.number,
        "guest_name": stay.guest_name,
        "arrival": stay.arrival.isoformat(),
        "departure": stay.departure.isoformat(),
        "status": stay.status,
        "allow_postings": stay.allow_postings,
        "credit_limit": stay.credit_limit,
    }


class CheckInView(APIView):
    """GET `?hotel=ID`: the guests in house on the built-in ledger, with their balance. POST: check one in."""

    permission_classes = [FrontDeskRole]

    @extend_schema(
        operation_id="pms_stays_list", parameters=[OpenApiParameter("hotel", int)], responses=R.StaysSerializer
    )
    def get(self, request):
        hotel_id = request.query_params.get("hotel", "")
        hotel = get_object_or_404(Hotel, pk=hotel_id) if hotel_id.isdigit() else None
        stays = selectors.in_house_stays(hotel=hotel)
        return Response({"stays": [{**stay_row(stay), "balance": stay.balance or 0} for stay in stays]})

    @extend_schema(request=CheckInSerializer, responses={201: R.StayRowSerializer})
    @idempotent
    def post(self, request):
        data = _valid(CheckInSerializer, request.data)
        stay = services.check_in_guest(
            hotel=get_object_or_404(Hotel, pk=data["hotel"]),
            room_number=data["room"],
            guest_name=data["guest_name"],
            arrival=data.get("arrival"),
            departure=data["departure"],
            allow_postings=data["allow_postings"],
            credit_limit=data.get("credit_limit"),
            by=request.user,
        )
        return Response(stay_row(stay), status=201)


class StaySerializer(Strict):
    allow_postings = serializers.BooleanField()
    credit_limit = serializers.IntegerField(min_value=0, max_value=100_000_000, allow_null=True)


class StayView(APIView):
    """A stay with its folio; PATCH changes the no-post flag and the credit limit."""

    permission_classes = [FrontDeskRole]

    @extend_schema(responses=R.StayWithFolioSerializer)
    def get(self, request, stay_id: int):
        stay = get_object_or_404(GuestStay.objects.select_related("room"), pk=stay_id)
        entries, total = selectors.folio_of(stay)
        body = stay_row(stay)
        body["folio"] = [
            {"text": e.text, "amount": e.amount, "posted_at": e.posted_at.isoformat(), "posting": e.posting_id}
            for e in entries
        ]
        body["balance"] = total
        return Response(body)

    @extend_schema(request=StaySerializer, responses=R.StayRowSerializer)
    @idempotent
    def patch(self, request, stay_id: int):
        data = _valid(StaySerializer, request.data)
        stay = services.update_stay(
            stay=get_object_or_404(GuestStay, pk=stay_id),
            allow_postings=data["allow_postings"],
            credit_limit=data["credit_limit"],
            by=request.user,
        )
        return Response(stay_row(GuestStay.objects.select_related("room").get(pk=stay.pk)))


class CheckOutView(APIView):
    permission_classes = [FrontDeskRole]

    @extend_schema(request=None, responses=R.StayRowSerializer)
    @idempotent
    def post(self, request, stay_id: int):
        stay = services.check_out_guest(stay=get_object_or_404(GuestStay, pk=stay_id), by=request.user)
        return Response(stay_row(GuestStay.objects.select_related("room").get(pk=stay.pk)))
