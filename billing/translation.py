"""Tender names in every language: the cashier, the bill and the day's report show the screen's one."""

from modeltranslation.translator import TranslationOptions, register

from billing.models import Tender


@register(Tender)
class TenderTranslation(TranslationOptions):
    fields = ("name",)
