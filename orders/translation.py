"""Menu names in every language (name_en, name_nl); the screen's language is read, with fallback.

An order line keeps its copies of those names in every language too (see orders.languages).
"""

from modeltranslation.translator import TranslationOptions, register

from orders.models import Category, Course, Item, Menu, Modifier, ModifierGroup, OrderLine, OrderLineModifier


@register(Menu)
class MenuTranslation(TranslationOptions):
    fields = ("name",)


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Item)
class ItemTranslation(TranslationOptions):
    fields = ("name", "short_name", "description")


@register(ModifierGroup)
class ModifierGroupTranslation(TranslationOptions):
    fields = ("name",)


@register(Modifier)
class ModifierTranslation(TranslationOptions):
    fields = ("name",)


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = ("name",)


@register(OrderLine)
class OrderLineTranslation(TranslationOptions):
    fields = ("name", "kitchen_name")


@register(OrderLineModifier)
class OrderLineModifierTranslation(TranslationOptions):
    fields = ("group_name", "name")
