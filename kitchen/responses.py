"""The shapes of the kitchen API's answers, for the OpenAPI schema (selectors build the bodies)."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from orders.allergens import Allergen

# An error body naming the fields at fault (too many wrong pairing codes names `code`).
FIELD_ERRORS = {"type": "object", "additionalProperties": {}}


class StationEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outlet = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    kind = serializers.CharField()
    warn_after_minutes = serializers.IntegerField()
    late_after_minutes = serializers.IntegerField()


class TicketItemEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    line = serializers.IntegerField()
    menu_item = serializers.IntegerField(help_text="The menu item, to 86 it from the screen.")
    name = serializers.CharField()
    qty = serializers.IntegerField()
    seat = serializers.IntegerField()
    modifiers = serializers.ListField(child=serializers.CharField(allow_blank=True), help_text="Choices as printed.")
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.values), help_text="EU allergen codes, in Annex II order."
    )
    note = serializers.CharField(allow_blank=True)
    note_changed_at = serializers.DateTimeField(allow_null=True)
    for_item = serializers.CharField(allow_blank=True)
    status = serializers.CharField()


class TicketEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    station = serializers.IntegerField()
    order = serializers.IntegerField()
    fire = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    rush = serializers.BooleanField()
    table = serializers.CharField(allow_blank=True)
    course = serializers.IntegerField()
    course_name = serializers.CharField(allow_blank=True)
    covers = serializers.IntegerField()
    waiter = serializers.CharField()
    print_failed = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    fired_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    ready_at = serializers.DateTimeField(allow_null=True)
    bumped_at = serializers.DateTimeField(allow_null=True)
    items = TicketItemEntrySerializer(many=True)


class FireStationSerializer(serializers.Serializer):
    station = serializers.IntegerField()
    name = serializers.CharField()
    ticket = serializers.IntegerField()
    status = serializers.CharField()
    items = serializers.IntegerField()
    ready_items = serializers.IntegerField()
    print_failed = serializers.BooleanField()


class FireItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    qty = serializers.IntegerField()
    seat = serializers.IntegerField()
    modifiers = serializers.ListField(child=serializers.CharField(allow_blank=True))
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.values), help_text="EU allergen codes, in Annex II order."
    )
    note = serializers.CharField(allow_blank=True)
    for_item = serializers.CharField(allow_blank=True)
    station = serializers.CharField()
    status = serializers.CharField()


class FireEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outlet = serializers.IntegerField()
    order = serializers.IntegerField()
    table = serializers.CharField(allow_blank=True)
    course = serializers.IntegerField()
    course_name = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    rush = serializers.BooleanField()
    covers = serializers.IntegerField()
    waiter = serializers.CharField()
    created_at = serializers.DateTimeField()
    fired_at = serializers.DateTimeField(allow_null=True)
    ready_at = serializers.DateTimeField(allow_null=True)
    bumped_at = serializers.DateTimeField(allow_null=True)
    stations = FireStationSerializer(many=True)
    items = FireItemSerializer(many=True)


class AllDaySerializer(serializers.Serializer):
    name = serializers.CharField()
    qty = serializers.IntegerField()


class RecentSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="A ticket (prep station) or a fire (expo).")
    table = serializers.CharField(allow_blank=True)
    bumped_at = serializers.DateTimeField(allow_null=True)


class PrintAlarmSerializer(serializers.Serializer):
    station = serializers.IntegerField()
    name = serializers.CharField()
    tables = serializers.ListField(child=serializers.CharField(allow_blank=True))


class PrepBoardSerializer(serializers.Serializer):
    """A prep station's screen: open tickets, all-day counts, the last bumped ones."""

    station = StationEntrySerializer()
    seq = serializers.IntegerField(help_text="The board is as of this number of the station's feed.")
    tickets = TicketEntrySerializer(many=True)
    all_day = AllDaySerializer(many=True)
    recent = RecentSerializer(many=True)


class ExpoBoardSerializer(serializers.Serializer):
    """The pass: every fired order of the outlet, print alarms, the last bumped ones."""

    station = StationEntrySerializer()
    seq = serializers.IntegerField(help_text="The board is as of this number of the station's feed.")
    fires = FireEntrySerializer(many=True)
    alarms = PrintAlarmSerializer(many=True)
    recent = RecentSerializer(many=True)


class PrepChangesSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='"changes"')
    seq = serializers.IntegerField()
    tickets = TicketEntrySerializer(many=True)


class ExpoChangesSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='"changes"')
    seq = serializers.IntegerField()
    fires = FireEntrySerializer(many=True)
    alarms = PrintAlarmSerializer(many=True)


class PrepBoardAgainSerializer(PrepBoardSerializer):
    type = serializers.CharField(help_text='"board": the number was beyond the feed, here is everything.')


class ExpoBoardAgainSerializer(ExpoBoardSerializer):
    type = serializers.CharField(help_text='"board": the number was beyond the feed, here is everything.')


BoardSerializer = PolymorphicProxySerializer(
    component_name="StationBoard",
    serializers=[PrepBoardSerializer, ExpoBoardSerializer],
    resource_type_field_name=None,
)
# What a screen missed after a number: the changed tickets (or fires), or the whole board again.
ChangesSerializer = PolymorphicProxySerializer(
    component_name="StationChanges",
    serializers=[PrepChangesSerializer, ExpoChangesSerializer, PrepBoardAgainSerializer, ExpoBoardAgainSerializer],
    resource_type_field_name=None,
)


class CourseFireSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField()
    course_name = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    rush = serializers.BooleanField()


class OrderFiresSerializer(serializers.Serializer):
    fires = CourseFireSerializer(many=True)


class ReadyEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    table = serializers.CharField(allow_blank=True)
    course = serializers.IntegerField()
    course_name = serializers.CharField(allow_blank=True)
    ready_at = serializers.DateTimeField(allow_null=True)


class ReadySerializer(serializers.Serializer):
    ready = ReadyEntrySerializer(many=True)


class StationsSerializer(serializers.Serializer):
    stations = StationEntrySerializer(many=True)


class PairingCodeAnswerSerializer(serializers.Serializer):
    code = serializers.CharField()
    station = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class DisplayEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    station = StationEntrySerializer()


class UnpairedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    is_active = serializers.BooleanField()


# Recalling the last one gives back a fire on the expo station and a ticket on a prep station.
RecalledSerializer = PolymorphicProxySerializer(
    component_name="RecalledTicketOrFire",
    serializers=[TicketEntrySerializer, FireEntrySerializer],
    resource_type_field_name=None,
)
