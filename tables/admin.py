from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from tables.models import Area, Outlet, Table


class TableInline(admin.TabularInline):
    model = Table
    fields = ["number", "seats", "shape", "x", "y", "width", "height", "rotation", "is_active"]
    extra = 1


@admin.register(Outlet)
class OutletAdmin(TabbedTranslationAdmin):
    list_display = ["name", "kind", "pms_code", "prices_include_tax", "waiter_86_needs_manager", "is_active"]


@admin.register(Area)
class AreaAdmin(TabbedTranslationAdmin):
    list_display = ["name", "outlet", "sort_order", "plan_width", "plan_height", "is_active"]
    list_filter = ["outlet", "is_active"]
    inlines = [TableInline]

    def save_formset(self, request, form, formset, change):
        for table in formset.save(commit=False):
            table.outlet_id = form.instance.outlet_id
            table.save()
        for table in formset.deleted_objects:
            table.delete()


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["number", "area", "seats", "shape", "x", "y", "is_active"]
    list_filter = ["outlet", "area", "is_active"]
    list_select_related = ["area__outlet"]
    exclude = ["outlet"]
