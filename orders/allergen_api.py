"""The allergen matrix's save: a manager declares the allergens of items and choices. Thin: the service checks."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.decorators import idempotent
from orders import services
from orders.allergens import Allergen
from staff.models import Role
from staff.permissions import role_required


def codes() -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=Allergen.values))


class AllergenMatrixSerializer(serializers.Serializer):
    # Checked by the service, which names the row at fault ("items.12"); these shapes are for the schema.
    items = serializers.DictField(child=codes(), required=False, help_text="Item id -> allergen codes (all of them).")
    modifiers = serializers.DictField(
        child=codes(), required=False, help_text="Modifier id -> allergen codes (all of them)."
    )


class AllergenMatrixAnswerSerializer(serializers.Serializer):
    items = serializers.IntegerField(help_text="How many items changed.")
    modifiers = serializers.IntegerField(help_text="How many choices changed.")


class AllergenMatrixView(APIView):
    """Save rows of the allergen matrix; tablets showing these dishes take their menu again."""

    permission_classes = [role_required(Role.MANAGER)]

    @extend_schema(request=AllergenMatrixSerializer, responses=AllergenMatrixAnswerSerializer)
    @idempotent
    def post(self, request):
        data = request.data
        if not isinstance(data, dict):
            raise ValidationError({"items": _("Send an object with items and modifiers.")})
        changed = services.set_allergens(by=request.user, items=data.get("items"), modifiers=data.get("modifiers"))
        return Response(changed)
