import codecs

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow import Workflow


class Hotel(models.Model):
    """A property whose guests can charge to their room."""

    name = models.CharField(_("name"), max_length=80)
    code = models.SlugField(_("code"), max_length=20, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hotel")

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(_("number"), max_length=10)

    class Meta:
        ordering = ["hotel", "number"]
        verbose_name = _("room")
        constraints = [models.UniqueConstraint(fields=["hotel", "number"], name="room_number_unique_per_hotel")]

    def __str__(self) -> str:
        return self.number


class GuestStay(models.Model):
    """A guest's stay: the built-in ledger's folio owner when no external PMS is linked."""

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        IN_HOUSE = "in_house", _("In house")
        CHECKED_OUT = "checked_out", _("Checked out")

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="stays")
    guest_name = models.CharField(_("guest name"), max_length=120)
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RESERVED)
    allow_postings = models.BooleanField(_("room charges allowed"), default=True)
    credit_limit = models.IntegerField(_("credit limit (cents)"), null=True, blank=True)

    class Meta:
        ordering = ["room", "arrival"]
        verbose_name = _("guest stay")

    def __str__(self) -> str:
        return f"{self.room} {self.guest_name}"

    def clean(self):
        if self.arrival and self.departure and self.departure <= self.arrival:
            raise ValidationError({"departure": _("Departure must be after arrival.")})


class Interface(models.TextChoices):
    """Which property-management system holds the hotel's folios."""

    LEDGER = "ledger", _("Built-in ledger")
    FIAS = "fias", _("FIAS (OPERA, Suite8 and others over TCP)")
    OPERA_CLOUD = "opera_cloud", _("OPERA Cloud (OHIP REST)")


def validate_fias_encoding(value: str) -> None:
    """A code page Python knows that keeps STX, ETX and "|" as single bytes (FIAS frames on them)."""
    try:
        codecs.lookup(value)
        framing_intact = "\x02\x03|AZ09".encode(value) == b"\x02\x03|AZ09"
    except (LookupError, UnicodeError):
        framing_intact = False
    if not framing_intact:
        raise ValidationError(
            _("%(value)s is not an encoding FIAS records can use (for example cp1252 or utf-8)."),
            params={"value": value},
            code="encoding",
        )


class PmsLink(models.Model):
    """How one hotel's PMS is reached. One row per hotel; the built-in ledger needs no address."""

    hotel = models.OneToOneField(Hotel, on_delete=models.PROTECT, related_name="pms_link")
    interface = models.CharField(_("interface"), max_length=12, choices=Interface.choices, default=Interface.LEDGER)
    # FIAS: the PMS interface is the TCP server, we are its one client.
    host = models.CharField(_("host"), max_length=120, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    # The interface server's code page; IFC8 is usually set to cp1252, some sites to UTF-8.
    encoding = models.CharField(
        _("FIAS encoding"),
        max_length=20,
        default="cp1252",
        validators=[validate_fias_encoding],
        help_text=_("The character set of the FIAS interface: cp1252 (usual), utf-8, or another one Python knows."),
    )
    # One WS on every record, lookups and postings alike: the PMS ties a posting to the inquiry of its WS.
    workstation = models.CharField(
        _("FIAS workstation"), max_length=16, default="POS", help_text=_("FIAS WS: how the PMS knows this POS.")
    )
    # OPERA Cloud: the hotel id in the URL; the gateway address and credentials are settings.
    opera_hotel_id = models.CharField(_("OPERA hotel id"), max_length=20, blank=True)
    inquiry_timeout = models.PositiveSmallIntegerField(
        _("guest inquiry timeout (s)"), default=30, help_text=_("How long to wait for the guest list.")
    )
    posting_timeout = models.PositiveSmallIntegerField(
        _("posting timeout (s)"), default=60, help_text=_("After this the posting is unknown: never resent blindly.")
    )
    queue_alarm = models.PositiveSmallIntegerField(
        _("queue alarm"), default=5, help_text=_("Warn the front desk when this many postings wait.")
    )

    class Meta:
        verbose_name = _("PMS link")

    def __str__(self) -> str:
        return f"{self.hotel} ({self.get_interface_display()})"


class LinkState(models.Model):
    """What the process that owns a PMS link last saw; written by that process only."""

    class State(models.TextChoices):
        UP = "up", _("Up")
        DOWN = "down", _("Down")
        NIGHT_AUDIT = "night_audit", _("Night audit")

    link = models.OneToOneField(PmsLink, on_delete=models.CASCADE, related_name="state")
    state = models.CharField(max_length=12, choices=State.choices, default=State.DOWN)
    since = models.DateTimeField(auto_now_add=True)
    last_answer_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    owner = models.CharField(max_length=80, blank=True, help_text="host:pid of the link process")
    heartbeat_at = models.DateTimeField(null=True, blank=True)


class PostingOutlet(models.Model):
    """An outlet that may charge to rooms: which hotel, its codes in the PMS, and what to do when it is down."""

    class WhenUnreachable(models.TextChoices):
        REFUSE = "refuse", _("Refuse the room charge")
        QUEUE = "queue", _("Accept it and post when the PMS is back")

    outlet = models.OneToOneField("tables.Outlet", on_delete=models.PROTECT, related_name="posting_setup")
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="posting_outlets")
    outlet_code = models.PositiveIntegerField(_("PMS outlet number"), help_text=_("FIAS SO, at most 5 digits."))
    payment_method = models.CharField(
        _("payment method code"), max_length=5, blank=True, help_text=_("FIAS PM, e.g. ROOM.")
    )
    when_unreachable = models.CharField(
        _("when the PMS is unreachable"),
        max_length=8,
        choices=WhenUnreachable.choices,
        default=WhenUnreachable.REFUSE,
    )
    tip_code = models.CharField(_("tip transaction code"), max_length=20, blank=True)
    service_charge_code = models.CharField(_("service charge transaction code"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room-charge outlet")

    def __str__(self) -> str:
        return f"{self.outlet} → {self.hotel}"

    def clean(self):
        if self.outlet_code is not None and not 0 < self.outlet_code < 100000:
            raise ValidationError({"outlet_code": _("A PMS outlet number has 1 to 5 digits.")})


class RevenueRoute(models.Model):
    """Where one menu category's revenue goes in the PMS. The row with no category takes the rest."""

    posting_outlet = models.ForeignKey(PostingOutlet, on_delete=models.CASCADE, related_name="revenue_routes")
    # Matched on the menu category's name, ignoring case: the PMS knows "Food", not our ids.
    category = models.CharField(_("menu category"), max_length=80, blank=True)
    subtotal = models.PositiveSmallIntegerField(_("subtotal slot (1-9)"), default=1)
    transaction_code = models.CharField(_("transaction code"), max_length=20, blank=True)

    class Meta:
        ordering = ["posting_outlet", "category"]
        verbose_name = _("revenue route")
        constraints = [
            models.UniqueConstraint(fields=["posting_outlet", "category"], name="one_route_per_category"),
            models.CheckConstraint(condition=models.Q(subtotal__gte=1, subtotal__lte=9), name="subtotal_slot_1_to_9"),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} → S{self.subtotal}"


class TaxRoute(models.Model):
    """Which tax slot (FIAS T1-T9) carries one tax rate."""

    posting_outlet = models.ForeignKey(PostingOutlet, on_delete=models.CASCADE, related_name="tax_routes")
    tax_percent = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2)
    slot = models.PositiveSmallIntegerField(_("tax slot (1-9)"), default=1)

    class Meta:
        ordering = ["posting_outlet", "tax_percent"]
        verbose_name = _("tax route")
        constraints = [
            models.UniqueConstraint(fields=["posting_outlet", "tax_percent"], name="one_route_per_tax_rate"),
            models.CheckConstraint(condition=models.Q(slot__gte=1, slot__lte=9), name="tax_slot_1_to_9"),
        ]

    def __str__(self) -> str:
        return f"{self.tax_percent}% → T{self.slot}"


class Posting(models.Model):
    """One charge to one guest's folio, and where it stands. The outbox the link process reads.

    queued -> sent -> posted | rejected | unknown. Unknown means it was sent and no
    answer came: it may be on the folio, so it is never resent without a person
    checking the PMS first.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        POSTED = "posted", _("Posted")
        REJECTED = "rejected", _("Rejected")
        UNKNOWN = "unknown", _("No answer")
        CANCELLED = "cancelled", _("Cancelled")

    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="postings")
    posting_outlet = models.ForeignKey(PostingOutlet, on_delete=models.PROTECT, related_name="postings")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    key = models.CharField(max_length=80, unique=True, help_text="Idempotency key from the caller")
    room = models.CharField(_("room"), max_length=10)
    guest_id = models.CharField(_("guest id"), max_length=40, blank=True, help_text="FIAS G#, OPERA reservation id")
    guest_name = models.CharField(_("guest"), max_length=120, blank=True)
    amount = models.IntegerField(_("amount"), help_text="Everything posted, tip included, in cents")
    tip = models.IntegerField(default=0)
    service_charge = models.IntegerField(default=0)
    # The neutral breakdown: [{"category", "tax_percent", "amount", "discount", "tax"}].
    revenue = models.JSONField(default=list)
    taxes_included = models.BooleanField(default=True)
    check_number = models.PositiveIntegerField(_("check number"))
    check_text = models.TextField(blank=True, help_text="The check as printed, for the front desk")
    covers = models.PositiveSmallIntegerField(default=0)
    table = models.CharField(max_length=20, blank=True)
    waiter = models.CharField(max_length=60, blank=True)
    waiter_code = models.CharField(max_length=16, blank=True)
    workstation = models.CharField(max_length=16, blank=True)
    credit_override = models.BooleanField(default=False)
    # Accepted while the PMS was unreachable: the check closed on the house's word.
    accepted_offline = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField(null=True, blank=True, help_text="FIAS P# of the posting record")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answer_code = models.CharField(max_length=4, blank=True)
    answer_text = models.CharField(max_length=200, blank=True)
    pms_reference = models.CharField(max_length=80, blank=True)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    business_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("room charge posting")
        indexes = [models.Index(fields=["hotel", "state", "next_attempt_at"], name="posting_outbox")]

    def __str__(self) -> str:
        return f"{self.room} {self.amount} ({self.state})"


# Sent and unanswered is "unknown", never "failed": it may be on the folio. A late
# answer still counts; only a person who checked the folio may send it again.
POSTING_WORKFLOW = Workflow(
    "posting",
    {
        "queued": ["sent", "rejected", "cancelled"],
        "sent": ["posted", "rejected", "unknown", "queued"],
        "unknown": ["posted", "rejected", "queued", "cancelled"],
        "rejected": ["queued", "cancelled"],
        "posted": [],
        "cancelled": [],
    },
)


class PostingStateChange(models.Model):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="changes")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]


class SequenceCounter(models.Model):
    """The last FIAS P# handed out for a hotel: persisted, so a restart never repeats one."""

    hotel = models.OneToOneField(Hotel, on_delete=models.CASCADE, related_name="sequence_counter")
    last = models.PositiveIntegerField(default=0)


class FolioEntry(models.Model):
    """A charge on a guest's folio in the built-in ledger."""

    stay = models.ForeignKey(GuestStay, on_delete=models.PROTECT, related_name="folio")
    posting = models.OneToOneField(Posting, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=120)
    amount = models.IntegerField()
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["posted_at", "id"]
        verbose_name = _("folio entry")
        verbose_name_plural = _("folio entries")


class GuestInquiry(models.Model):
    """A guest lookup asked by a web process of a link that another process owns (FIAS).

    The web process writes it and waits; the link process sends the PR inquiry, and
    writes the PMS's guest list (or why there is none) back here.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the PMS")
        ANSWERED = "answered", _("Answered")
        FAILED = "failed", _("Failed")

    link = models.ForeignKey(PmsLink, on_delete=models.CASCADE, related_name="inquiries")
    room = models.CharField(max_length=10, blank=True)
    name = models.CharField(max_length=60, blank=True)
    workstation = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # [InHouseGuest.as_dict(), ...]
    guests = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["link", "state"], name="inquiry_outbox")]
