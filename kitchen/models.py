from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.allergens import AllergensField
from orders.models import Category, Item, Modifier, Order, OrderLine
from printing.models import Printer
from tables.models import Outlet
from workflow import Workflow


class Station(models.Model):
    """A kitchen section with its screen and/or printer; expo sees whole orders."""

    class Kind(models.TextChoices):
        PREP = "prep", _("Preparation")
        EXPO = "expo", _("Expo")

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="stations")
    name = models.CharField(_("name"), max_length=60)
    code = models.SlugField(_("code"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PREP)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    warn_after_minutes = models.PositiveSmallIntegerField(_("ticket turns yellow after (minutes)"), default=5)
    late_after_minutes = models.PositiveSmallIntegerField(_("ticket turns red after (minutes)"), default=10)
    printer = models.ForeignKey(
        Printer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("printer"),
        help_text=_("Tickets print here (its backup takes over when it fails). Leave empty for a screen only."),
    )
    # The last number of this station's event feed, and of its tickets; bumped under the row's lock.
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    last_ticket_number = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["outlet", "sort_order", "name"]
        verbose_name = _("station")
        constraints = [models.UniqueConstraint(fields=["outlet", "code"], name="station_code_unique_per_outlet")]

    def __str__(self) -> str:
        return f"{self.outlet} / {self.name}"


class StationRoute(models.Model):
    """Sends a category's items (or one item, overriding its category) to a station."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="routes")
    category = models.OneToOneField(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="station_route"
    )
    item = models.OneToOneField(Item, on_delete=models.CASCADE, null=True, blank=True, related_name="station_route")

    class Meta:
        verbose_name = _("station route")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(category__isnull=False, item__isnull=True))
                | (models.Q(category__isnull=True, item__isnull=False)),
                name="route_is_for_a_category_or_an_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item or self.category} -> {self.station.name}"

    def clean(self):
        if (self.category_id is None) == (self.item_id is None):
            raise ValidationError(_("Route either a category or an item."))
        menu = self.category.menu if self.category_id else (self.item.category.menu if self.item_id else None)
        if menu is not None and self.station_id and menu.outlet_id != self.station.outlet_id:
            raise ValidationError({"station": _("The station belongs to another outlet than this menu.")})


class ModifierRoute(models.Model):
    """A choice that also needs another station: "side salad" with a steak goes to cold too."""

    # Choices are shared between outlets' menus: one route per outlet's station.
    modifier = models.ForeignKey(Modifier, on_delete=models.CASCADE, related_name="station_routes")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="modifier_routes")

    class Meta:
        verbose_name = _("choice route")
        constraints = [models.UniqueConstraint(fields=["modifier", "station"], name="modifier_route_unique")]

    def __str__(self) -> str:
        return f"{self.modifier} -> {self.station.name}"


class KitchenSettings(models.Model):
    """Per outlet: whether held courses fire by themselves after the previous one is bumped."""

    outlet = models.OneToOneField(Outlet, on_delete=models.CASCADE, related_name="kitchen_settings")
    auto_fire_after_minutes = models.PositiveSmallIntegerField(
        _("fire the next course automatically after (minutes)"),
        null=True,
        blank=True,
        help_text=_("Minutes after every ticket of a course is bumped. Leave empty to fire by hand only."),
    )

    class Meta:
        verbose_name = _("kitchen settings")
        verbose_name_plural = _("kitchen settings")

    def __str__(self) -> str:
        return str(self.outlet)


class Fire(models.Model):
    """One wave of one order sent to the kitchen: a course fired (or held), its tickets across stations.

    Expo works on fires: a fire is ready when every prep ticket in it is bumped,
    and leaves the pass when expo bumps it.
    """

    class Status(models.TextChoices):
        HELD = "held", _("On hold")
        FIRED = "fired", _("Fired")
        READY = "ready", _("Ready")
        BUMPED = "bumped", _("Bumped")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="kitchen_fires")
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    course = models.PositiveSmallIntegerField(_("course"))
    course_name = models.CharField(_("course name"), max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    rush = models.BooleanField(_("rush"), default=False)
    table_label = models.CharField(max_length=60)
    covers = models.PositiveSmallIntegerField(default=1)
    waiter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    fired_at = models.DateTimeField(null=True, blank=True)
    auto_fire_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    bumped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("fire")
        indexes = [models.Index(fields=["outlet", "status"], name="fire_outlet_status")]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.table_label} course {self.course} ({self.status})"


class FireStatusChange(models.Model):
    fire = models.ForeignKey(Fire, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    at = models.DateTimeField(default=timezone.now)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    by_display = models.ForeignKey("KitchenDisplay", on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]


# A ticket's print jobs carry this source, so printing's answers find their ticket.
TICKET_PRINT_SOURCE = "kitchen.ticket:"


class Ticket(models.Model):
    """What one station sees of one fire: its items, with table, waiter, course and seat."""

    class Status(models.TextChoices):
        HELD = "held", _("On hold")
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        READY = "ready", _("Ready")
        BUMPED = "bumped", _("Bumped")

    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        VOID = "void", _("Void")

    fire = models.ForeignKey(Fire, on_delete=models.PROTECT, related_name="tickets")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="tickets")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="kitchen_tickets")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ORDER)
    # The station's own ticket number ("ticket 57 of the hot station today"), given when first announced.
    number = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    rush = models.BooleanField(_("rush"), default=False)
    table_label = models.CharField(max_length=60)
    print_failed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    fired_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    bumped_at = models.DateTimeField(null=True, blank=True)
    recalled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["fired_at", "created_at", "pk"]
        verbose_name = _("ticket")
        indexes = [models.Index(fields=["station", "status"], name="ticket_station_status")]

    def __str__(self) -> str:
        return f"{self.station.name} #{self.order_id} {self.table_label} ({self.status})"


class TicketItem(models.Model):
    """One line (or one routed choice of a line) on a ticket, with its text copied for the cook."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        READY = "ready", _("Ready")
        VOID = "void", _("Void")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="items")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="kitchen_items")
    name = models.CharField(max_length=80)
    qty = models.PositiveSmallIntegerField()
    seat = models.PositiveSmallIntegerField(default=0)
    modifiers = models.JSONField(default=list, help_text="Choice texts as printed; nested ones indented.")
    # The line's allergen codes, shown and printed as one ALLERGENS line.
    allergens = AllergensField()
    note = models.CharField(max_length=200, blank=True)
    note_changed_at = models.DateTimeField(null=True, blank=True)
    for_item = models.CharField(
        max_length=80, blank=True, help_text="Set when a choice was routed here: the dish it goes with."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ticket", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.qty} x {self.name}"


class TicketStatusChange(models.Model):
    """History of a ticket, or of one of its items when `item` is set."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_changes")
    item = models.ForeignKey(TicketItem, on_delete=models.CASCADE, null=True, related_name="status_changes")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField(default=timezone.now)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    by_display = models.ForeignKey("KitchenDisplay", on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class StationEvent(models.Model):
    """The station's numbered feed: each change a screen must hear, in order.

    Screens remember the last number they saw; after a gap or a reconnect they ask
    for everything after it, which is read from here.
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, related_name="+")
    fire = models.ForeignKey(Fire, on_delete=models.CASCADE, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["station", "seq"]
        constraints = [models.UniqueConstraint(fields=["station", "seq"], name="station_event_seq_unique")]


class KitchenDisplay(models.Model):
    """A kitchen screen paired to one station. Screens sign in as devices, not people."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="displays")
    name = models.CharField(_("name"), max_length=60)
    is_active = models.BooleanField(_("active"), default=True)
    paired_at = models.DateTimeField(default=timezone.now)
    paired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["station", "name"]
        verbose_name = _("kitchen display")

    def __str__(self) -> str:
        return f"{self.name} ({self.station.name})"

    # A display's Idempotency-Keys are stored under the manager who paired it, in its own scope.
    @property
    def idempotency_user(self):
        return self.paired_by

    @property
    def idempotency_scope(self) -> str:
        return f"kds{self.pk}:"


class PairingCode(models.Model):
    """A short-lived code a manager issues so a screen can pair itself to a station."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="pairing_codes")
    code = models.CharField(max_length=12, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    display = models.ForeignKey(KitchenDisplay, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("pairing code")


FIRE_WORKFLOW = Workflow(
    "fire",
    {
        Fire.Status.HELD: [Fire.Status.FIRED],
        Fire.Status.FIRED: [Fire.Status.READY, Fire.Status.BUMPED],
        Fire.Status.READY: [Fire.Status.FIRED, Fire.Status.BUMPED],
        Fire.Status.BUMPED: [Fire.Status.READY, Fire.Status.FIRED],
    },
)

TICKET_WORKFLOW = Workflow(
    "ticket",
    {
        Ticket.Status.HELD: [Ticket.Status.NEW],
        Ticket.Status.NEW: [Ticket.Status.IN_PROGRESS, Ticket.Status.READY, Ticket.Status.BUMPED],
        Ticket.Status.IN_PROGRESS: [Ticket.Status.READY, Ticket.Status.BUMPED],
        Ticket.Status.READY: [Ticket.Status.IN_PROGRESS, Ticket.Status.BUMPED],
        Ticket.Status.BUMPED: [Ticket.Status.IN_PROGRESS],
    },
)

TICKET_ITEM_WORKFLOW = Workflow(
    "ticket item",
    {
        TicketItem.Status.NEW: [TicketItem.Status.IN_PROGRESS, TicketItem.Status.READY, TicketItem.Status.VOID],
        TicketItem.Status.IN_PROGRESS: [TicketItem.Status.READY, TicketItem.Status.VOID],
        TicketItem.Status.READY: [TicketItem.Status.IN_PROGRESS, TicketItem.Status.VOID],
    },
)
