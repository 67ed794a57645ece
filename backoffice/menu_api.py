"""The menu editor's JSON API. Thin: validate the shape (400 naming the field), call the services.

Prices travel as euros in text ("12,50" or "12.50") and are stored as cents; every answer
is the outlet's whole editor (`menu_selectors.menu_editor`), so the page redraws from it.
A station route lives in the kitchen, above the menu: the back office calls both services
in one transaction.
"""

import functools
import re

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.menu_responses import MenuEditorSerializer
from backoffice.menu_selectors import menu_editor
from idempotency.decorators import idempotent
from kitchen.models import Station
from kitchen.station_routing import route_to_station
from orders import services
from orders.models import Category, Item, Menu, ModifierGroup, TaxRate
from staff.permissions import role_required
from tables.models import Outlet

MenuEditorRole = role_required(*services.MENU_EDITOR_ROLES)
MAX_ID = 2**63 - 1
# "12,50", "12.50", "1.250,00", "1,250.00", "€ 12", "-0,50": the last separator followed by
# one or two digits is the decimal one; any other separates thousands.
AMOUNT = re.compile(
    r"^(?P<sign>[-\u2212]?)\s*€?\s*(?P<whole>\d{1,3}(?:[.,\s]\d{3})*|\d+)(?:[.,](?P<fraction>\d{1,2}))?$"
)


def euros_to_cents(text: str, *, signed: bool = False) -> int:
    """The amount a manager typed, in cents; ValueError if it is not one."""
    match = AMOUNT.match(text.strip().replace("\u00a0", " "))
    if not match or (match["sign"] and not signed):
        raise ValueError(text)
    decimals = settings.CURRENCY_DECIMALS
    whole = int(re.sub(r"\D", "", match["whole"]))
    fraction = int((match["fraction"] or "0").ljust(decimals, "0")[:decimals] or 0)
    cents = whole * 10**decimals + fraction
    return -cents if match["sign"] else cents


@extend_schema_field(OpenApiTypes.STR)
class EuroField(serializers.Field):
    """Money as the manager types it ("12,50" in Dutch, "12.50" in English); cents inside."""

    def __init__(self, *, signed: bool = False, **kwargs):
        self.signed = signed
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail_amount()
        try:
            return euros_to_cents(data, signed=self.signed)
        except ValueError:
            self.fail_amount()

    def fail_amount(self):
        raise serializers.ValidationError(_("Enter an amount in euros, e.g. 12.50."))

    def to_representation(self, value):
        return value


def IdField(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = {key: [_("Unknown field.")] for key in data if key not in self.fields}
            if unknown:
                raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)


@functools.cache
def with_names(kind: str) -> type[StrictSerializer]:
    """A base holding `kind`'s translated fields in every language (name_en, name_nl...), all optional
    here: the service asks for a name in at least one language and names the field."""
    declared = {
        f"{field}_{code}": serializers.CharField(max_length=max_length, allow_blank=True, required=False)
        for field, (max_length, _required) in services.TRANSLATED_NAMES[kind].items()
        for code, _label in settings.LANGUAGES
    }
    return type(f"{kind.title()}Names", (StrictSerializer,), declared)


def names_of(kind: str, data: dict) -> dict[str, str]:
    """The translated fields out of validated data."""
    return {key: value for key, value in data.items() if key in with_names(kind)._declared_fields}


class WindowEditSerializer(StrictSerializer):
    weekdays = serializers.RegexField(r"^[0-6]{1,7}$", error_messages={"invalid": _("Pick at least one day.")})
    starts_at = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"])
    ends_at = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"])


class MenuEditSerializer(with_names("menu")):
    is_active = serializers.BooleanField(default=True)
    windows = serializers.ListField(child=WindowEditSerializer(), max_length=14, required=False)


class CategoryEditSerializer(with_names("category")):
    colour = serializers.CharField(max_length=7)
    default_course = serializers.IntegerField(min_value=1, max_value=9, default=1)
    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all(), allow_null=True, default=None)
    menu = IdField(required=False)


class ItemEditSerializer(with_names("item")):
    price = EuroField()
    tax_rate = serializers.PrimaryKeyRelatedField(queryset=TaxRate.objects.all())
    takeaway_tax_rate = serializers.PrimaryKeyRelatedField(
        queryset=TaxRate.objects.all(), allow_null=True, default=None
    )
    default_course = serializers.IntegerField(min_value=1, max_value=9, allow_null=True, default=None)
    colour = serializers.CharField(max_length=7, allow_blank=True, default="")
    is_available = serializers.BooleanField(default=True)
    modifier_groups = serializers.ListField(child=IdField(), max_length=20, default=list)
    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all(), allow_null=True, default=None)
    category = IdField(required=False)


class ChoiceEditSerializer(with_names("choice")):
    id = IdField(required=False, allow_null=True, default=None)
    price_delta = EuroField(signed=True, default=0)
    is_available = serializers.BooleanField(default=True)
    opens_group = IdField(allow_null=True, default=None)


class ModifierGroupEditSerializer(with_names("group")):
    outlet = IdField(help_text="The outlet whose editor the answer shows.")
    min_choices = serializers.IntegerField(min_value=0, max_value=99, default=0)
    max_choices = serializers.IntegerField(min_value=1, max_value=99, allow_null=True, default=None)
    free_choices = serializers.IntegerField(min_value=0, max_value=99, default=0)
    choices = serializers.ListField(child=ChoiceEditSerializer(), min_length=1, max_length=50)


class CategoryOrderEditSerializer(StrictSerializer):
    categories = serializers.ListField(child=IdField(), max_length=200)


class ItemOrderEditSerializer(StrictSerializer):
    items = serializers.ListField(child=IdField(), max_length=500)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _editor(outlet_id: int) -> Response:
    return Response(menu_editor(outlet=Outlet.objects.get(pk=outlet_id)))


def _windows(data: dict) -> list[services.ServingWindow] | None:
    if "windows" not in data:
        return None
    return [services.ServingWindow(**window) for window in data["windows"]]


def _of_outlet(queryset, pk: int, field: str):
    """The row `pk` of `queryset` (already narrowed to one outlet), or a 400 naming `field`."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise serializers.ValidationError({field: [_("Pick one of this outlet's.")]})
    return row


class EditorView(APIView):
    """The outlet's menus, categories and items, every modifier group, and the pickers' lists."""

    permission_classes = [MenuEditorRole]

    @extend_schema(responses=MenuEditorSerializer)
    def get(self, request, outlet_id: int):
        return Response(menu_editor(outlet=get_object_or_404(Outlet, pk=outlet_id)))


class MenusView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=MenuEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def post(self, request, outlet_id: int):
        """A new menu for the outlet."""
        outlet = get_object_or_404(Outlet, pk=outlet_id)
        data = _valid(MenuEditSerializer, request.data)
        services.save_menu(
            by=request.user,
            outlet=outlet,
            names=names_of("menu", data),
            is_active=data["is_active"],
            windows=_windows(data),
        )
        return _editor(outlet.pk)


class MenuView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=MenuEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def put(self, request, menu_id: int):
        """A menu's name, whether it is on, and its serving windows."""
        menu = get_object_or_404(Menu, pk=menu_id)
        data = _valid(MenuEditSerializer, request.data)
        services.save_menu(
            by=request.user,
            menu=menu,
            names=names_of("menu", data),
            is_active=data["is_active"],
            windows=_windows(data),
        )
        return _editor(menu.outlet_id)


def _save_category(request, *, menu: Menu, category: Category | None) -> Response:
    data = _valid(CategoryEditSerializer, request.data)
    if "menu" in data:
        menu = _of_outlet(Menu.objects.filter(outlet_id=menu.outlet_id), data["menu"], "menu")
    with transaction.atomic():
        category = services.save_category(
            by=request.user,
            menu=menu,
            category=category,
            names=names_of("category", data),
            colour=data["colour"],
            default_course=data["default_course"],
        )
        route_to_station(by=request.user, station=data["station"], category=category)
    return _editor(menu.outlet_id)


class CategoriesView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=CategoryEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def post(self, request, menu_id: int):
        """A new category at the end of the menu."""
        return _save_category(request, menu=get_object_or_404(Menu, pk=menu_id), category=None)


class CategoryView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=CategoryEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def put(self, request, category_id: int):
        """A category's name, colour, course and station (and its menu, of the same outlet)."""
        category = get_object_or_404(Category.objects.select_related("menu"), pk=category_id)
        return _save_category(request, menu=category.menu, category=category)


class CategoryOrderView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=CategoryOrderEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def post(self, request, menu_id: int):
        """The menu's categories in a new order (dragged)."""
        menu = get_object_or_404(Menu, pk=menu_id)
        data = _valid(CategoryOrderEditSerializer, request.data)
        services.reorder_categories(by=request.user, menu=menu, category_ids=data["categories"])
        return _editor(menu.outlet_id)


def _save_item(request, *, category: Category, item: Item | None) -> Response:
    data = _valid(ItemEditSerializer, request.data)
    if "category" in data:
        outlet_categories = Category.objects.select_related("menu").filter(menu__outlet_id=category.menu.outlet_id)
        category = _of_outlet(outlet_categories, data["category"], "category")
    names = names_of("item", data)
    fields = {key: value for key, value in data.items() if key not in ("station", "category", *names)}
    with transaction.atomic():
        item = services.save_item(by=request.user, category=category, item=item, names=names, **fields)
        route_to_station(by=request.user, station=data["station"], item=item)
    return _editor(category.menu.outlet_id)


class ItemsView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=ItemEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def post(self, request, category_id: int):
        """A new item at the end of the category."""
        category = get_object_or_404(Category.objects.select_related("menu"), pk=category_id)
        return _save_item(request, category=category, item=None)


class ItemView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=ItemEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def put(self, request, item_id: int):
        """Everything about an item: name, price in euros, rates, course, colour, station, its groups."""
        item = get_object_or_404(Item.objects.select_related("category__menu"), pk=item_id)
        return _save_item(request, category=item.category, item=item)


class ItemOrderView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=ItemOrderEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def post(self, request, category_id: int):
        """The category's items in a new order (dragged)."""
        category = get_object_or_404(Category.objects.select_related("menu"), pk=category_id)
        data = _valid(ItemOrderEditSerializer, request.data)
        services.reorder_items(by=request.user, category=category, item_ids=data["items"])
        return _editor(category.menu.outlet_id)


def _save_group(request, group: ModifierGroup | None) -> Response:
    data = _valid(ModifierGroupEditSerializer, request.data)
    outlet = Outlet.objects.filter(pk=data["outlet"]).first()
    if outlet is None:
        raise serializers.ValidationError({"outlet": [_("No such outlet.")]})
    services.save_modifier_group(
        by=request.user,
        group=group,
        names=names_of("group", data),
        min_choices=data["min_choices"],
        max_choices=data["max_choices"],
        free_choices=data["free_choices"],
        choices=[
            services.Choice(
                id=choice["id"],
                names=names_of("choice", choice),
                price_delta=choice["price_delta"],
                is_available=choice["is_available"],
                opens_group_id=choice["opens_group"],
            )
            for choice in data["choices"]
        ],
    )
    return _editor(outlet.pk)


class ModifierGroupsView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=ModifierGroupEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def post(self, request):
        """A new modifier group with its choices (shared by every outlet's items)."""
        return _save_group(request, None)


class ModifierGroupView(APIView):
    permission_classes = [MenuEditorRole]

    @extend_schema(request=ModifierGroupEditSerializer, responses=MenuEditorSerializer)
    @idempotent
    def put(self, request, group_id: int):
        """A group's name, min/max/free, and its whole list of choices in order."""
        return _save_group(request, get_object_or_404(ModifierGroup, pk=group_id))
