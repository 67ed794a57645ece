from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline

from orders import broadcasts
from orders.models import (
    Category,
    Course,
    Item,
    ItemModifierGroup,
    Menu,
    MenuWindow,
    Modifier,
    ModifierGroup,
    Order,
    OrderLine,
    SetMenuCourse,
    TaxRate,
)


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["name", "percent"]


@admin.register(Course)
class CourseAdmin(TabbedTranslationAdmin):
    list_display = ["outlet", "number", "name"]
    list_filter = ["outlet"]


class MenuWindowInline(admin.TabularInline):
    model = MenuWindow
    extra = 0


@admin.register(Menu)
class MenuAdmin(TabbedTranslationAdmin):
    list_display = ["name", "outlet", "is_active", "sort_order"]
    list_filter = ["outlet", "is_active"]
    inlines = [MenuWindowInline]


@admin.register(Category)
class CategoryAdmin(TabbedTranslationAdmin):
    list_display = ["name", "menu", "default_course", "colour", "sort_order"]
    list_filter = ["menu__outlet", "menu"]
    list_select_related = ["menu__outlet"]


class ModifierInline(TranslationStackedInline):
    model = Modifier
    fk_name = "group"
    extra = 1
    # Stacked: the 14 allergen ticks do not fit a table row.
    fields = ["name", "price_delta", "is_available", "sort_order", "opens_group", "allergens"]


@admin.register(ModifierGroup)
class ModifierGroupAdmin(TabbedTranslationAdmin):
    list_display = ["name", "min_choices", "max_choices", "free_choices"]
    inlines = [ModifierInline]


class ItemModifierGroupInline(admin.TabularInline):
    model = ItemModifierGroup
    extra = 1


class SetMenuCourseInline(admin.TabularInline):
    """An item with courses here is a set menu: its price is spread over the dishes chosen."""

    model = SetMenuCourse
    fk_name = "set_item"
    extra = 0
    filter_horizontal = ["choices"]


@admin.register(Item)
class ItemAdmin(TabbedTranslationAdmin):
    list_display = ["name", "category", "price", "tax_rate", "is_available", "remaining_qty"]
    list_editable = ["is_available", "remaining_qty"]
    list_filter = ["category__menu__outlet", "category", "is_available"]
    list_select_related = ["category", "tax_rate"]
    search_fields = ["name_en", "name_nl"]
    inlines = [ItemModifierGroupInline, SetMenuCourseInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # An item 86'd or back from the back office must reach every tablet too.
        broadcasts.announce_items_on_commit([obj.pk])


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ["name", "qty", "seat", "course", "unit_price", "modifiers_price", "status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders are read here; they change only through the POS services."""

    list_display = ["id", "outlet", "kind", "table", "covers", "waiter", "status", "opened_at"]
    list_filter = ["outlet", "status", "kind"]
    list_select_related = ["outlet", "table", "waiter"]
    inlines = [OrderLineInline]
    date_hierarchy = "opened_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
