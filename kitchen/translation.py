"""Station names in every language: cooks and waiters read them ("Warm" / "Hot")."""

from modeltranslation.translator import TranslationOptions, register

from kitchen.models import Station


@register(Station)
class StationTranslation(TranslationOptions):
    fields = ("name",)
