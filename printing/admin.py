import contextlib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from printing import services
from printing.models import Printer, PrintJob, PrintJobStateChange
from workflow import TransitionNotAllowed

# How much of a job's ESC/POS bytes the admin shows, in hex.
PAYLOAD_PREVIEW_BYTES = 64


@contextlib.contextmanager
def refusals_shown(model_admin: admin.ModelAdmin, request):
    """A service's refusal (wrong role) becomes a message on the page, not an error page."""
    try:
        yield
    except PermissionDenied as refusal:
        model_admin.message_user(request, str(refusal), level=messages.ERROR)


@admin.register(Printer)
class PrinterAdmin(admin.ModelAdmin):
    list_display = ["name", "outlet", "host", "port", "status", "status_checked_at", "backup", "is_active"]
    list_filter = ["outlet", "status", "is_active"]
    list_select_related = ["outlet", "backup"]
    search_fields = ["name", "host"]
    readonly_fields = ["status", "status_checked_at", "last_error"]
    actions = ["print_test_pages"]

    @admin.action(description=gettext_lazy("Print a test page"))
    def print_test_pages(self, request, queryset):
        with refusals_shown(self, request):
            for printer in queryset:
                services.print_test_page(printer=printer, by=request.user)
            self.message_user(request, _("Test pages queued: %(count)d.") % {"count": queryset.count()})


class PrintJobStateChangeInline(admin.TabularInline):
    model = PrintJobStateChange
    extra = 0
    can_delete = False
    fields = ["at", "from_state", "to_state", "printer", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PrintJob)
class PrintJobAdmin(admin.ModelAdmin):
    """Jobs are the record of what was printed: read only; reprint or retry through the services."""

    list_display = ["id", "title", "printer", "state", "attempts", "printed_on", "created_at", "printed_at"]
    list_filter = ["state", "printer"]
    list_select_related = ["printer", "printed_on"]
    search_fields = ["title", "source"]
    date_hierarchy = "created_at"
    exclude = ["payload", "claim_token"]
    readonly_fields = [
        "printer",
        "target",
        "printed_on",
        "title",
        "source",
        "payload_summary",
        "state",
        "attempts",
        "target_attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "printed_at",
        "reprint_of",
    ]
    inlines = [PrintJobStateChangeInline]
    actions = ["reprint", "retry"]

    def get_queryset(self, request):
        # Lists never need the bytes; the one page that shows them loads them then.
        return super().get_queryset(request).defer("payload")

    @admin.display(description=gettext_lazy("ESC/POS bytes"))
    def payload_summary(self, job: PrintJob) -> str:
        payload = bytes(job.payload)
        preview = payload[:PAYLOAD_PREVIEW_BYTES].hex(" ")
        more = " ..." if len(payload) > PAYLOAD_PREVIEW_BYTES else ""
        return _("%(count)d bytes: %(hex)s%(more)s") % {"count": len(payload), "hex": preview, "more": more}

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Reprint (a new job with the same slip)"))
    def reprint(self, request, queryset):
        with refusals_shown(self, request):
            for job in queryset:
                services.reprint_print_job(job=job, by=request.user)
            self.message_user(request, _("Reprints queued: %(count)d.") % {"count": queryset.count()})

    @admin.action(description=gettext_lazy("Print failed jobs again"))
    def retry(self, request, queryset):
        sent = 0
        with refusals_shown(self, request):
            for job in queryset:
                try:
                    services.retry_failed_print_job(job=job, by=request.user)
                    sent += 1
                except TransitionNotAllowed:
                    self.message_user(
                        request, _("#%(job)d is not failed; left as it is.") % {"job": job.pk}, level=messages.WARNING
                    )
            self.message_user(request, _("Sent again: %(count)d.") % {"count": sent})
