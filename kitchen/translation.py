"""Station names in every language (cooks and waiters read them), and the tickets' copies of line names."""

from modeltranslation.translator import TranslationOptions, register

from kitchen.models import Fire, Station, TicketItem


@register(Station)
class StationTranslation(TranslationOptions):
    fields = ("name",)


@register(Fire)
class FireTranslation(TranslationOptions):
    fields = ("course_name",)


@register(TicketItem)
class TicketItemTranslation(TranslationOptions):
    fields = ("name", "modifiers", "for_item")
