"""The shapes of the orders API's answers, for the OpenAPI schema (selectors build the bodies).

Documentation only: views return what `orders.selectors` builds; these say what that is.
"""

from rest_framework import serializers

from orders.allergens import Allergen
from orders.selectors import TableState

# Every state the floor shows, in the order a table goes through them.
TABLE_STATES = [
    TableState.FREE,
    TableState.SEATED,
    TableState.ORDERED,
    TableState.FOOD_SENT,
    TableState.SERVED,
    TableState.BILL_PRINTED,
    TableState.PART_PAID,
]


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FloorOutletSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class TableOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    covers = serializers.IntegerField()
    waiter = PersonRefSerializer()
    opened_at = serializers.DateTimeField()
    pending_count = serializers.IntegerField()
    version = serializers.IntegerField()


class FloorTableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    seats = serializers.IntegerField()
    shape = serializers.CharField()
    x = serializers.IntegerField()
    y = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    rotation = serializers.IntegerField()
    area = serializers.IntegerField()
    outlet = serializers.IntegerField()
    state = serializers.ChoiceField(choices=TABLE_STATES)
    order = TableOrderSerializer(allow_null=True)


class FloorAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    plan_width = serializers.IntegerField()
    plan_height = serializers.IntegerField()
    tables = FloorTableSerializer(many=True)


class FloorPlanSerializer(serializers.Serializer):
    outlet = FloorOutletSerializer()
    areas = FloorAreaSerializer(many=True)


class MenuOutletSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prices_include_tax = serializers.BooleanField()
    waiter_86_needs_manager = serializers.BooleanField(help_text="Waiters 86 only with a manager's PIN.")


class MenuCourseSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class ItemAvailabilityAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    is_available = serializers.BooleanField()
    remaining_qty = serializers.IntegerField(allow_null=True, help_text="A countdown; null means no limit.")
    is_86d = serializers.BooleanField(help_text="Sold out: unavailable or the countdown reached 0.")


class MenuSetCourseSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    choices = serializers.ListField(child=serializers.IntegerField(), help_text="Item ids to choose from.")


class MenuItemSerializer(ItemAvailabilityAnswerSerializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    price = serializers.IntegerField(help_text="Minor units (cents).")
    course = serializers.IntegerField()
    colour = serializers.CharField(allow_blank=True)
    modifier_groups = serializers.ListField(child=serializers.IntegerField(), help_text="Ids in `modifier_groups`.")
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.values), help_text="EU allergen codes, in Annex II order."
    )
    set_courses = MenuSetCourseSerializer(many=True, help_text="For a set menu: one dish per course; else empty.")


class MenuCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    colour = serializers.CharField()
    menu = serializers.CharField(help_text="The menu's name.")
    items = MenuItemSerializer(many=True)


class MenuModifierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price_delta = serializers.IntegerField()
    is_available = serializers.BooleanField()
    opens_group = serializers.IntegerField(allow_null=True, help_text="A nested group this choice opens.")
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.values), help_text="EU allergen codes, in Annex II order."
    )


class MenuModifierGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    min_choices = serializers.IntegerField()
    max_choices = serializers.IntegerField(allow_null=True, help_text="Null means no limit.")
    free_choices = serializers.IntegerField()
    modifiers = MenuModifierSerializer(many=True)


class MenuSerializer(serializers.Serializer):
    outlet = MenuOutletSerializer()
    courses = MenuCourseSerializer(many=True)
    categories = MenuCategorySerializer(many=True)
    modifier_groups = serializers.DictField(child=MenuModifierGroupSerializer(), help_text="By group id.")
    prices_change_at = serializers.DateTimeField(
        allow_null=True, help_text="When a price list starts or a happy hour opens or closes next: reload then."
    )


class LineModifierSerializer(serializers.Serializer):
    line_modifier = serializers.IntegerField()
    id = serializers.IntegerField(help_text="The menu's modifier.")
    group = serializers.CharField()
    name = serializers.CharField()
    price_delta = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True, help_text="Another entry's `line_modifier` (nested choices).")


class OrderLineEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_uuid = serializers.UUIDField()
    item = serializers.IntegerField()
    name = serializers.CharField()
    qty = serializers.IntegerField()
    seat = serializers.IntegerField()
    course = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["pending", "sent", "served", "void"])
    unit_price = serializers.IntegerField()
    modifiers_price = serializers.IntegerField()
    tax_percent = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.values), help_text="EU allergen codes, in Annex II order."
    )
    total = serializers.IntegerField()
    added_by = serializers.IntegerField()
    sent_at = serializers.DateTimeField(allow_null=True)
    set_line = serializers.IntegerField(allow_null=True, help_text="The set menu's line this dish was chosen in.")
    modifiers = LineModifierSerializer(many=True)


class TableRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class OrderDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_uuid = serializers.UUIDField()
    outlet = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    table = TableRefSerializer(allow_null=True)
    covers = serializers.IntegerField()
    waiter = PersonRefSerializer()
    tab_name = serializers.CharField(allow_blank=True)
    room_number = serializers.CharField(allow_blank=True)
    merged_into = serializers.IntegerField(allow_null=True)
    opened_at = serializers.DateTimeField()
    bill_printed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    lines = OrderLineEntrySerializer(many=True)
    total = serializers.IntegerField()
    pending_total = serializers.IntegerField()


class OpenOrderRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    table = serializers.CharField(allow_null=True, help_text="The table's number.")
    tab_name = serializers.CharField(allow_blank=True)
    room_number = serializers.CharField(allow_blank=True)
    covers = serializers.IntegerField()
    waiter = serializers.CharField(help_text="The waiter's name.")


class LineAddedSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    order = OrderDetailSerializer()


class LinesAddedSerializer(serializers.Serializer):
    lines = serializers.ListField(child=serializers.IntegerField())
    order = OrderDetailSerializer()


class LinesSentSerializer(serializers.Serializer):
    sent = serializers.ListField(child=serializers.IntegerField())
    order = OrderDetailSerializer()


class LinesServedSerializer(serializers.Serializer):
    served = serializers.ListField(child=serializers.IntegerField())
    order = OrderDetailSerializer()


class ModifierAvailabilityAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    is_available = serializers.BooleanField()


class SoldOutOutletSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    waiter_86_needs_manager = serializers.BooleanField(help_text="Waiters 86 only with a manager's PIN.")


class SoldOutItemSerializer(ItemAvailabilityAnswerSerializer):
    name = serializers.CharField()
    colour = serializers.CharField(allow_blank=True)


class SoldOutCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    menu = serializers.CharField()
    items = SoldOutItemSerializer(many=True)


class SoldOutModifierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_available = serializers.BooleanField()


class SoldOutModifierGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    modifiers = SoldOutModifierSerializer(many=True)


class SoldOutBoardSerializer(serializers.Serializer):
    """The 86 board: every item of the outlet's active menus, and every choice they offer."""

    outlet = SoldOutOutletSerializer()
    categories = SoldOutCategorySerializer(many=True)
    modifier_groups = SoldOutModifierGroupSerializer(many=True)
