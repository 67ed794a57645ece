from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups with these names; permissions hang off the groups."""

    WAITER = "waiter", _("Waiter")
    BARTENDER = "bartender", _("Bartender")
    KITCHEN = "kitchen", _("Kitchen")
    CASHIER = "cashier", _("Cashier")
    FRONT_DESK = "front_desk", _("Front desk")
    MANAGER = "manager", _("Manager")


class User(AbstractUser):
    """A member of staff. Managers also have a password for the back office."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    pin_hash = models.CharField(_("PIN (hashed)"), max_length=128, blank=True, editable=False)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["display_name", "username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)

    def pin_matches(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)

    def role_names(self) -> set[str]:
        # Cached per instance: role checks run on every request and socket message.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(self.role_names() & set(roles))


class Approval(models.Model):
    """A manager's PIN-confirmed consent to one named action (void, discount, refund)."""

    action = models.CharField(max_length=60)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals_requested"
    )
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals_given")
    reason = models.CharField(max_length=200)
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"{self.action} approved by {self.approver}"


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes, which would bypass the model's own refusal."""

    def update(self, **kwargs):
        raise ValueError("Audit entries are append-only.")

    def delete(self):
        raise ValueError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """Append-only record of a sensitive action. Rows are never changed or deleted."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    action = models.CharField(max_length=60, db_index=True)
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} by {self.actor}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")


class WorkShift(models.Model):
    """One stretch of work between clocking in and clocking out."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="work_shifts")
    clocked_in_at = models.DateTimeField()
    clocked_out_at = models.DateTimeField(null=True, blank=True)
    # A manager's correction (times changed, a forgotten shift added, an open one closed):
    # the last one is kept here, every one in the audit log.
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="shift_corrections"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-clocked_in_at"]
        constraints = [
            # At most one open shift per person: clocking in twice is refused by the database too.
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(clocked_out_at__isnull=True), name="one_open_shift_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} from {self.clocked_in_at:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int | None:
        if self.clocked_out_at is None:
            return None
        return int((self.clocked_out_at - self.clocked_in_at).total_seconds() // 60)
