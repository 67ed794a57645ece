from django.contrib import admin

from kitchen.models import Station, StationRoute


class StationRouteInline(admin.TabularInline):
    model = StationRoute
    autocomplete_fields = ["item"]
    extra = 1


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "outlet", "kind", "sort_order"]
    list_filter = ["outlet", "kind"]
    inlines = [StationRouteInline]
