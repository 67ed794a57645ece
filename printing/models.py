import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tables.models import Outlet
from workflow import Workflow

# Every job selects this one code page once, right after INIT (see printing.slips):
# it has the euro sign (byte 0xD5) and the accents of western Europe.
CODE_PAGE = "CP858"


def validate_profile(name: str) -> None:
    """The name of a python-escpos printer profile that can print CP858."""
    # escpos is imported here, not at the top, so that loading the models (migrations,
    # admin) does not load escpos and its printer database.
    from escpos.capabilities import CAPABILITIES

    profile = CAPABILITIES["profiles"].get(name)
    if profile is None:
        raise ValidationError(_("Unknown printer profile %(name)s. Try TM-T88V, TM-T20II or default.") % {"name": name})
    if CODE_PAGE not in profile.get("codePages", {}).values():
        raise ValidationError(
            _("The profile %(name)s cannot print the euro sign (no code page %(code_page)s).")
            % {"name": name, "code_page": CODE_PAGE}
        )


class Printer(models.Model):
    """A network ESC/POS printer (port 9100) and what it last said about itself."""

    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("Not checked yet")
        ONLINE = "online", _("Online")
        PAPER_NEAR_END = "paper_near_end", _("Paper running out")
        PAPER_OUT = "paper_out", _("Paper out")
        COVER_OPEN = "cover_open", _("Cover open")
        OFFLINE = "offline", _("Offline")

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="printers", verbose_name=_("outlet"))
    name = models.CharField(_("name"), max_length=60)
    host = models.CharField(_("host"), max_length=253, help_text=_("The printer's IP address or host name."))
    port = models.PositiveIntegerField(_("port"), default=9100, validators=[MaxValueValidator(65535)])
    profile = models.CharField(
        _("model profile"),
        max_length=40,
        default="TM-T88V",
        validators=[validate_profile],
        help_text=_("The python-escpos profile of the printer model, e.g. TM-T88V, TM-T20II or default."),
    )
    paper_width_chars = models.PositiveSmallIntegerField(
        _("characters per line"),
        default=42,
        validators=[MinValueValidator(24), MaxValueValidator(64)],
        help_text=_("In the normal font: 42 on most 80 mm printers (TM-T88), 48 on some (TM-T20), 32 on 58 mm."),
    )
    backup = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backup_for",
        verbose_name=_("backup printer"),
        help_text=_("Gets the jobs this printer could not print after its retries."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Live status: written on every status read by the print worker.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    status_checked_at = models.DateTimeField(_("status checked at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        ordering = ["outlet", "name"]
        verbose_name = _("printer")
        constraints = [
            models.CheckConstraint(condition=~models.Q(backup=models.F("pk")), name="printer_is_not_its_own_backup"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.backup_id and self.backup_id == self.pk:
            raise ValidationError({"backup": _("A printer cannot be its own backup.")})

    @property
    def can_print(self) -> bool:
        return self.status in (self.Status.ONLINE, self.Status.PAPER_NEAR_END)


PRINT_JOB_WORKFLOW = Workflow(
    "print job",
    {
        # A worker claims a due job.
        "queued": ["printing"],
        # Confirmed by the printer; or a failed attempt with retries left; or none left.
        "printing": ["printed", "queued", "failed"],
        # A person fixed the printer and sends the job again.
        "failed": ["queued"],
        "printed": [],
    },
)


def claim_lease() -> datetime.timedelta:
    """How long a worker may hold a job in `printing` before it is presumed dead.

    One attempt is a connection, a few one-byte status reads and one send, each
    bounded by PRINTER_TIMEOUT; ten of those (and at least PRINT_CLAIM_LEASE, 30 s by
    default) is far beyond it.
    """
    return datetime.timedelta(seconds=max(settings.PRINT_CLAIM_LEASE, 10 * settings.PRINTER_TIMEOUT))


class PrintJob(models.Model):
    """One slip to print: the rendered bytes and their delivery, kept until printed.

    This row is the outbox: the task that delivers it is only a wake-up call, so a
    job survives a worker, Redis or the printer being down.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PRINTING = "printing", _("Printing")
        PRINTED = "printed", _("Printed")
        FAILED = "failed", _("Failed")

    UNPRINTED = (State.QUEUED, State.PRINTING, State.FAILED)

    printer = models.ForeignKey(
        Printer, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("printer"), help_text=_("Queued for.")
    )
    # Where the next attempt goes: the printer, or its backup once the printer's
    # retries are used up.
    target = models.ForeignKey(
        Printer, on_delete=models.PROTECT, related_name="targeted_jobs", verbose_name=_("sent to")
    )
    printed_on = models.ForeignKey(
        Printer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="printed_jobs",
        verbose_name=_("printed on"),
    )
    title = models.CharField(_("title"), max_length=100)
    # Who asked, as "<app>.<thing>:<id>" (e.g. "kitchen.ticket:123"): printing does not
    # know what a ticket is, the app that queued the job finds its jobs by this.
    source = models.CharField(_("source"), max_length=100, db_index=True)
    payload = models.BinaryField(_("ESC/POS bytes"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts on the current target; starts again at 0 when the job moves to the backup.
    target_attempts = models.PositiveSmallIntegerField(_("attempts on this printer"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    # An attempt may have put it on paper without the printer confirming it (the worker
    # died mid-attempt, or the printer went away after the bytes): the next copy says so.
    may_have_printed = models.BooleanField(_("may have printed"), default=False)
    # The language the payload was rendered in, so that a warning added later matches it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    reprint_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reprints", verbose_name=_("reprint of")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("print job")
        indexes = [
            # The screens' question "what is not printed yet, per printer" reads only these rows.
            models.Index(
                fields=["printer", "created_at"],
                condition=models.Q(state__in=["queued", "printing", "failed"]),
                name="printjob_unprinted_idx",
            ),
            # The stale-claim sweep at the start of every delivery.
            models.Index(fields=["claimed_at"], condition=models.Q(state="printing"), name="printjob_claimed_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class PrintJobStateChange(models.Model):
    """One move of a print job through its workflow, with the attempt's outcome."""

    job = models.ForeignKey(PrintJob, on_delete=models.PROTECT, related_name="changes")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    printer = models.ForeignKey(Printer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("print job change")

    def __str__(self) -> str:
        return f"{self.from_state or '-'} -> {self.to_state}"
