"""The shape of the menu editor's answer, for the OpenAPI schema (`menu_selectors.menu_editor` builds it).

Documentation only: every menu editor endpoint answers with the outlet's whole editor.
"""

import functools

from django.conf import settings
from rest_framework import serializers

from orders.services import TRANSLATED_NAMES


@functools.cache
def names_in_every_language(kind: str) -> type[serializers.Serializer]:
    """`kind`'s translated fields in every language (name_en, name_nl...), "" where not given."""
    declared = {
        f"{field}_{code}": serializers.CharField(allow_blank=True)
        for field in TRANSLATED_NAMES[kind]
        for code, _label in settings.LANGUAGES
    }
    return type(f"Editor{kind.title()}Names", (serializers.Serializer,), declared)


class EditorOutletSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prices_include_tax = serializers.BooleanField()


class EditorWindowSerializer(serializers.Serializer):
    weekdays = serializers.CharField(help_text="Days 0 (Monday) to 6, e.g. 01234.")
    starts_at = serializers.CharField(help_text="HH:MM")
    ends_at = serializers.CharField(help_text="HH:MM")


class EditorItemSerializer(names_in_every_language("item")):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the screen's language.")
    short_name = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    price = serializers.IntegerField(help_text="In cents.")
    tax_rate = serializers.IntegerField()
    takeaway_tax_rate = serializers.IntegerField(allow_null=True)
    default_course = serializers.IntegerField(allow_null=True)
    colour = serializers.CharField(allow_blank=True)
    is_available = serializers.BooleanField()
    station = serializers.IntegerField(allow_null=True, help_text="The prep station it is routed to, if any.")
    modifier_groups = serializers.ListField(child=serializers.IntegerField(), help_text="Group ids, in order.")


class EditorCategorySerializer(names_in_every_language("category")):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the screen's language.")
    colour = serializers.CharField()
    default_course = serializers.IntegerField()
    station = serializers.IntegerField(allow_null=True, help_text="The prep station it is routed to, if any.")
    items = EditorItemSerializer(many=True)


class EditorMenuSerializer(names_in_every_language("menu")):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the screen's language.")
    is_active = serializers.BooleanField()
    windows = EditorWindowSerializer(many=True)
    categories = EditorCategorySerializer(many=True)


class EditorChoiceSerializer(names_in_every_language("choice")):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the screen's language.")
    price_delta = serializers.IntegerField(help_text="In cents; may be negative.")
    is_available = serializers.BooleanField()
    opens_group = serializers.IntegerField(allow_null=True)


class EditorModifierGroupSerializer(names_in_every_language("group")):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the screen's language.")
    min_choices = serializers.IntegerField()
    max_choices = serializers.IntegerField(allow_null=True)
    free_choices = serializers.IntegerField()
    choices = EditorChoiceSerializer(many=True)


class EditorTaxRateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    percent = serializers.CharField(help_text='e.g. "9" or "21".')


class EditorCourseSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class EditorStationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MenuEditorSerializer(serializers.Serializer):
    outlet = EditorOutletSerializer()
    menus = EditorMenuSerializer(many=True)
    modifier_groups = EditorModifierGroupSerializer(many=True, help_text="Shared by every outlet.")
    tax_rates = EditorTaxRateSerializer(many=True)
    courses = EditorCourseSerializer(many=True)
    stations = EditorStationSerializer(many=True, help_text="The outlet's prep stations.")
