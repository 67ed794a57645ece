from django.contrib import admin

from pms_integration.models import (
    GuestStay,
    Hotel,
    LinkState,
    PmsLink,
    Posting,
    PostingOutlet,
    PostingStateChange,
    RevenueRoute,
    Room,
    TaxRoute,
)


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Hotel)
class HotelAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    inlines = [RoomInline]


@admin.register(GuestStay)
class GuestStayAdmin(admin.ModelAdmin):
    list_display = ["room", "guest_name", "arrival", "departure", "status", "allow_postings", "credit_limit"]
    list_filter = ["status", "room__hotel"]
    list_select_related = ["room"]
    search_fields = ["guest_name", "room__number"]


class LinkStateInline(admin.StackedInline):
    """What the link process last reported; written by that process only."""

    model = LinkState
    extra = 0
    can_delete = False
    readonly_fields = ["state", "since", "last_answer_at", "last_error", "owner", "heartbeat_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PmsLink)
class PmsLinkAdmin(admin.ModelAdmin):
    list_display = ["hotel", "interface", "host", "port", "opera_hotel_id", "posting_timeout", "queue_alarm"]
    list_select_related = ["hotel"]
    inlines = [LinkStateInline]


class RevenueRouteInline(admin.TabularInline):
    model = RevenueRoute
    extra = 1


class TaxRouteInline(admin.TabularInline):
    model = TaxRoute
    extra = 1


@admin.register(PostingOutlet)
class PostingOutletAdmin(admin.ModelAdmin):
    """Which outlets charge to which hotel, with the PMS's codes and the offline rule."""

    list_display = ["outlet", "hotel", "outlet_code", "payment_method", "when_unreachable", "is_active"]
    list_select_related = ["outlet", "hotel"]
    inlines = [RevenueRouteInline, TaxRouteInline]


class PostingStateChangeInline(admin.TabularInline):
    model = PostingStateChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "at", "by", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin):
    """Read only: postings change through the front desk's fixes, never by hand."""

    list_display = ["created_at", "hotel", "posting_outlet", "room", "guest_name", "amount", "state", "answer_code"]
    list_filter = ["state", "hotel", "posting_outlet", "business_date"]
    list_select_related = ["hotel", "posting_outlet__outlet"]
    search_fields = ["room", "guest_name", "check_number", "key"]
    inlines = [PostingStateChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
