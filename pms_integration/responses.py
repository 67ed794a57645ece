"""The shapes of the front desk API's answers, for the OpenAPI schema (money in cents)."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

# Find in-house guests by room number (sharers too) or by name.
GUEST_SEARCH = [OpenApiParameter("room", str), OpenApiParameter("name", str)]


class PostingRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hotel = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    outlet = serializers.CharField(help_text="The outlet's name.")
    room = serializers.CharField()
    guest = serializers.CharField(allow_blank=True, help_text="The guest's name.")
    guest_id = serializers.CharField(allow_blank=True)
    amount = serializers.IntegerField()
    tip = serializers.IntegerField()
    check_number = serializers.IntegerField()
    check_text = serializers.CharField(allow_blank=True)
    answer_code = serializers.CharField(allow_blank=True)
    answer_text = serializers.CharField(allow_blank=True)
    accepted_offline = serializers.BooleanField()
    credit_override = serializers.BooleanField()
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    replaces = serializers.IntegerField(allow_null=True)
    payment_state = serializers.CharField(allow_null=True)
    check_status = serializers.CharField(allow_null=True)


class LinkReportSerializer(serializers.Serializer):
    hotel = serializers.CharField(help_text="The hotel's name.")
    interface = serializers.CharField()
    state = serializers.CharField()
    since = serializers.DateTimeField(allow_null=True)
    last_answer_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    queue = serializers.IntegerField()
    alarm = serializers.BooleanField()


class PostingListSerializer(serializers.Serializer):
    postings = PostingRowSerializer(many=True)
    links = LinkReportSerializer(many=True)


class InHouseGuestSerializer(serializers.Serializer):
    room = serializers.CharField()
    guest_id = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    allow_postings = serializers.BooleanField()
    credit_left = serializers.IntegerField(allow_null=True, help_text="Cents still allowed; null: no limit.")
    departure = serializers.CharField(allow_blank=True, help_text="ISO date when the PMS tells it.")


class InHouseGuestsSerializer(serializers.Serializer):
    guests = InHouseGuestSerializer(many=True)


class StayRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    room = serializers.CharField()
    guest_name = serializers.CharField()
    arrival = serializers.DateField()
    departure = serializers.DateField()
    status = serializers.CharField()
    allow_postings = serializers.BooleanField()
    credit_limit = serializers.IntegerField(allow_null=True)


class StayWithBalanceSerializer(StayRowSerializer):
    balance = serializers.IntegerField()


class StaysSerializer(serializers.Serializer):
    stays = StayWithBalanceSerializer(many=True)


class FolioEntrySerializer(serializers.Serializer):
    text = serializers.CharField()
    amount = serializers.IntegerField()
    posted_at = serializers.DateTimeField()
    posting = serializers.IntegerField(allow_null=True)


class StayWithFolioSerializer(StayWithBalanceSerializer):
    folio = FolioEntrySerializer(many=True)
