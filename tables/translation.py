"""Outlet and area names in every language, as waiters and guests read them."""

from modeltranslation.translator import TranslationOptions, register

from tables.models import Area, Outlet


@register(Outlet)
class OutletTranslation(TranslationOptions):
    fields = ("name",)


@register(Area)
class AreaTranslation(TranslationOptions):
    fields = ("name",)
