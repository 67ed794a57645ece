from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from staff import services
from staff.models import Approval, AuditEntry, User, WorkShift


def pin_field() -> forms.CharField:
    return forms.CharField(
        label=_("New PIN"),
        required=False,
        min_length=4,
        max_length=6,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("4 to 6 digits. Stored hashed; leave empty to keep the current PIN."),
    )


class StaffChangeForm(UserChangeForm):
    new_pin = pin_field()

    class Meta(UserChangeForm.Meta):
        model = User
        fields = [
            "username",
            "display_name",
            "first_name",
            "last_name",
            "email",
            "password",
            "groups",
            "is_active",
            "is_staff",
            "is_superuser",
        ]

    def clean_new_pin(self):
        pin = self.cleaned_data.get("new_pin")
        if pin:
            services.validate_pin(pin)
        return pin


class StaffCreationForm(forms.ModelForm):
    """New staff sign in with a PIN; only back-office users need a password (set later)."""

    new_pin = pin_field()

    class Meta:
        model = User
        fields = ["username", "display_name", "groups"]

    def clean_new_pin(self):
        pin = self.cleaned_data.get("new_pin")
        if pin:
            services.validate_pin(pin)
        return pin

    def save(self, commit=True):
        person = super().save(commit=False)
        person.set_unusable_password()
        if commit:
            person.save()
            self.save_m2m()
        return person


@admin.register(User)
class StaffAdmin(UserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    add_fieldsets = [(None, {"fields": ["username", "display_name", "groups", "new_pin"]})]
    list_display = ["username", "display_name", "roles", "has_pin", "is_active"]
    list_filter = ["groups", "is_active"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "display_name", "first_name", "last_name", "email", "password"]}),
        (_("Roles"), {"fields": ["groups", "is_active", "is_staff", "is_superuser"]}),
        (_("PIN"), {"fields": ["new_pin"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    actions = ["unlock_pins"]

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(sorted(g.name for g in obj.groups.all()))

    @admin.display(boolean=True, description=_("PIN set"))
    def has_pin(self, obj):
        return obj.has_pin

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pin = form.cleaned_data.get("new_pin")
        if pin:
            services.set_pin(person=obj, pin=pin, by=request.user)

    @admin.action(description=_("Clear the wait after wrong PINs for the selected staff"))
    def unlock_pins(self, request, queryset):
        for person in queryset:
            services.unlock_pin(person=person, manager=request.user)
        self.message_user(request, _("Waits cleared."), messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "subject_type", "subject_id", "approval", "reason"]
    list_filter = ["action"]
    search_fields = ["reason", "subject_id", "actor__username", "actor__display_name"]
    list_select_related = ["actor", "approval__approver"]
    date_hierarchy = "at"


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["approved_at", "action", "requested_by", "approver", "reason"]
    list_select_related = ["requested_by", "approver"]


@admin.register(WorkShift)
class WorkShiftAdmin(ReadOnlyAdmin):
    list_display = ["person", "clocked_in_at", "clocked_out_at", "duration_minutes"]
    list_filter = ["person"]
    list_select_related = ["person"]
    date_hierarchy = "clocked_in_at"
