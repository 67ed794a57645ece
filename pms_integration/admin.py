from django.contrib import admin

from pms_integration.models import GuestStay, Hotel, Room


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
