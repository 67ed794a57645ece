from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from kitchen import services
from kitchen.models import (
    Fire,
    KitchenDisplay,
    KitchenSettings,
    ModifierRoute,
    Station,
    StationRoute,
    Ticket,
    TicketItem,
    TicketStatusChange,
)


class StationRouteInline(admin.TabularInline):
    model = StationRoute
    autocomplete_fields = ["item"]
    extra = 1


class ModifierRouteInline(admin.TabularInline):
    model = ModifierRoute
    extra = 0


@admin.register(Station)
class StationAdmin(TabbedTranslationAdmin):
    list_display = ["name", "code", "outlet", "kind", "printer", "warn_after_minutes", "late_after_minutes"]
    list_filter = ["outlet", "kind"]
    inlines = [StationRouteInline, ModifierRouteInline]
    actions = ["issue_pairing_code"]

    @admin.action(description=_("Issue a code to pair a screen"))
    def issue_pairing_code(self, request, queryset):
        for station in queryset:
            pairing = services.issue_pairing_code(station=station, by=request.user)
            self.message_user(
                request,
                _("%(station)s: pair a screen at /kitchen/ with code %(code)s (valid until %(until)s).")
                % {"station": station, "code": pairing.code, "until": f"{pairing.expires_at:%H:%M}"},
                messages.SUCCESS,
            )


@admin.register(KitchenSettings)
class KitchenSettingsAdmin(admin.ModelAdmin):
    list_display = ["outlet", "auto_fire_after_minutes"]


@admin.register(KitchenDisplay)
class KitchenDisplayAdmin(admin.ModelAdmin):
    list_display = ["name", "station", "is_active", "paired_at", "paired_by", "last_seen_at"]
    list_filter = ["is_active", "station__outlet"]
    readonly_fields = ["station", "paired_at", "paired_by", "last_seen_at", "is_active"]
    actions = ["unpair"]

    def has_add_permission(self, request):
        return False  # screens pair themselves with a code

    @admin.action(description=_("Unpair the selected screens"))
    def unpair(self, request, queryset):
        for display in queryset:
            services.unpair_display(display=display, by=request.user)


class TicketItemInline(admin.TabularInline):
    model = TicketItem
    fields = ["qty", "name", "seat", "modifiers", "note", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class TicketStatusChangeInline(admin.TabularInline):
    model = TicketStatusChange
    fields = ["at", "item", "from_status", "to_status", "by_user", "by_display", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: the kitchen's history. Tickets change only through the screens' services."""

    list_display = ["pk", "station", "table_label", "order", "kind", "status", "rush", "print_failed", "fired_at"]
    list_filter = ["station__outlet", "station", "status", "kind", "print_failed"]
    inlines = [TicketItemInline, TicketStatusChangeInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fire)
class FireAdmin(TicketAdmin):
    list_display = ["pk", "order", "table_label", "course", "status", "rush", "fired_at", "ready_at", "bumped_at"]
    list_filter = ["outlet", "status"]
    inlines = []
