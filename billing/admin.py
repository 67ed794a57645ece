from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from billing.models import CardReader, Check, CheckItem, Discount, OutletBilling, Payment, PaymentStateChange, Tender


@admin.register(OutletBilling)
class OutletBillingAdmin(admin.ModelAdmin):
    list_display = ["outlet", "business_name", "vat_number", "service_charge_percent", "receipt_printer"]
    list_select_related = ["outlet", "receipt_printer"]


@admin.register(Tender)
class TenderAdmin(TabbedTranslationAdmin):
    list_display = ["name", "kind", "allows_tip", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]


@admin.register(CardReader)
class CardReaderAdmin(admin.ModelAdmin):
    list_display = ["label", "outlet", "stripe_id", "is_active"]
    list_filter = ["outlet", "is_active"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CheckItemInline(ReadOnlyInline):
    model = CheckItem
    fields = ["line", "shares", "of_shares", "frozen_amount", "frozen_discount"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["tender", "state", "amount", "tip", "rounding", "change_due", "by", "captured_at"]


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    """Checks are changed only through the bill screens and their services: read-only here."""

    list_display = ["__str__", "order", "label", "status", "opened_at", "closed_at"]
    list_filter = ["status"]
    inlines = [CheckItemInline, PaymentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Discount)
class DiscountAdmin(admin.ModelAdmin):
    list_display = ["kind", "percent", "amount", "reason", "by", "approval", "created_at", "removed_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentStateChange)
class PaymentStateChangeAdmin(admin.ModelAdmin):
    list_display = ["payment", "from_state", "to_state", "by", "at", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
