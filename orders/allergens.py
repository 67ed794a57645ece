"""The EU's 14 declarable allergens (Regulation 1169/2011, Annex II) and how rows keep them.

Items, choices and order lines keep a JSON list of codes in Annex II order. One list
column is read with the row it belongs to (the waiter's menu costs no extra query,
unlike a join table) and the 14 codes never change; a validator holds the list to them.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Allergen(models.TextChoices):
    """In the order of Annex II, which is the order they are shown and printed in."""

    GLUTEN = "gluten", _("Gluten")
    CRUSTACEANS = "crustaceans", _("Crustaceans")
    EGGS = "eggs", _("Eggs")
    FISH = "fish", _("Fish")
    PEANUTS = "peanuts", _("Peanuts")
    SOYBEANS = "soybeans", _("Soybeans")
    MILK = "milk", _("Milk")
    NUTS = "nuts", _("Nuts")
    CELERY = "celery", _("Celery")
    MUSTARD = "mustard", _("Mustard")
    SESAME = "sesame", _("Sesame")
    SULPHITES = "sulphites", _("Sulphites")
    LUPIN = "lupin", _("Lupin")
    MOLLUSCS = "molluscs", _("Molluscs")


ALLERGEN_ORDER = {code: index for index, code in enumerate(Allergen.values)}

# The legal wording under each name on the guests' card (Annex II, shortened).
ALLERGEN_DETAILS = {
    Allergen.GLUTEN: _("Cereals containing gluten: wheat, rye, barley, oats, spelt, kamut"),
    Allergen.CRUSTACEANS: _("Crustaceans and products thereof"),
    Allergen.EGGS: _("Eggs and products thereof"),
    Allergen.FISH: _("Fish and products thereof"),
    Allergen.PEANUTS: _("Peanuts and products thereof"),
    Allergen.SOYBEANS: _("Soybeans and products thereof"),
    Allergen.MILK: _("Milk and products thereof (including lactose)"),
    Allergen.NUTS: _("Nuts: almonds, hazelnuts, walnuts, cashews, pecans, Brazil nuts, pistachios, macadamia"),
    Allergen.CELERY: _("Celery and products thereof"),
    Allergen.MUSTARD: _("Mustard and products thereof"),
    Allergen.SESAME: _("Sesame seeds and products thereof"),
    Allergen.SULPHITES: _("Sulphur dioxide and sulphites above 10 mg/kg or 10 mg/litre"),
    Allergen.LUPIN: _("Lupin and products thereof"),
    Allergen.MOLLUSCS: _("Molluscs and products thereof"),
}

# Two letters for a tile or a matrix column, per language (the names' first letters clash in Dutch).
ALLERGEN_MARKS = {
    Allergen.GLUTEN: pgettext_lazy("allergen mark for gluten", "GL"),
    Allergen.CRUSTACEANS: pgettext_lazy("allergen mark for crustaceans", "CR"),
    Allergen.EGGS: pgettext_lazy("allergen mark for eggs", "EG"),
    Allergen.FISH: pgettext_lazy("allergen mark for fish", "FI"),
    Allergen.PEANUTS: pgettext_lazy("allergen mark for peanuts", "PE"),
    Allergen.SOYBEANS: pgettext_lazy("allergen mark for soybeans", "SO"),
    Allergen.MILK: pgettext_lazy("allergen mark for milk", "MI"),
    Allergen.NUTS: pgettext_lazy("allergen mark for nuts", "NU"),
    Allergen.CELERY: pgettext_lazy("allergen mark for celery", "CE"),
    Allergen.MUSTARD: pgettext_lazy("allergen mark for mustard", "MU"),
    Allergen.SESAME: pgettext_lazy("allergen mark for sesame", "SE"),
    Allergen.SULPHITES: pgettext_lazy("allergen mark for sulphites", "SU"),
    Allergen.LUPIN: pgettext_lazy("allergen mark for lupin", "LU"),
    Allergen.MOLLUSCS: pgettext_lazy("allergen mark for molluscs", "MO"),
}


def in_annex_order(codes) -> list[str]:
    """Known codes, each once, in Annex II order."""
    return sorted({code for code in codes if code in ALLERGEN_ORDER}, key=ALLERGEN_ORDER.__getitem__)


def allergen_names(codes) -> list[str]:
    """The names in the active language, in Annex II order."""
    return [str(Allergen(code).label) for code in in_annex_order(codes)]


def clean_allergens(value, *, field: str = "allergens") -> list[str]:
    """A list of codes from a client, or a ValidationError naming `field`."""
    if not isinstance(value, list | tuple) or any(not isinstance(code, str) for code in value):
        raise ValidationError({field: _("Give the allergens as a list of codes.")})
    unknown = sorted({code for code in value if code not in ALLERGEN_ORDER})
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown allergen: %(codes)s. Use one of: %(known)s.")
                % {"codes": ", ".join(unknown), "known": ", ".join(Allergen.values)}
            }
        )
    return in_annex_order(value)


def validate_allergen_codes(value) -> None:
    """Model validator: only the 14 codes (run by full_clean, the admin and the matrix)."""
    if not isinstance(value, list) or any(not isinstance(code, str) for code in value):
        raise ValidationError(_("Give the allergens as a list of codes."), code="not_a_list")
    unknown = sorted({code for code in value if code not in ALLERGEN_ORDER})
    if unknown:
        raise ValidationError(
            _("Unknown allergen: %(codes)s."), code="unknown_allergen", params={"codes": ", ".join(unknown)}
        )


class AllergenChoiceField(forms.TypedMultipleChoiceField):
    """Ticks for the 14 in forms (the Django admin): a list of codes in Annex II order."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        for key in ("max_length", "encoder", "decoder", "empty_value"):
            kwargs.pop(key, None)
        kwargs["choices"] = Allergen.choices
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value or []

    def clean(self, value):
        return in_annex_order(super().clean(value) or [])

    def has_changed(self, initial, data):
        return in_annex_order(initial or []) != in_annex_order(data or [])


class AllergensField(models.JSONField):
    """A list of allergen codes; empty means none declared."""

    default_validators = [validate_allergen_codes]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("verbose_name", _("allergens"))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is list:
            kwargs.pop("default")
        if kwargs.get("blank") is True:
            kwargs.pop("blank")
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return models.Field.formfield(self, form_class=AllergenChoiceField, **kwargs)
