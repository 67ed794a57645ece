import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tables.models import Outlet, Table
from workflow import Workflow


class TaxRate(models.Model):
    """A VAT/sales-tax rate. Lines copy the percentage when ordered."""

    name = models.CharField(_("name"), max_length=40)
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["percent"]
        verbose_name = _("tax rate")

    def __str__(self) -> str:
        return f"{self.name} ({self.percent.normalize()}%)"


class Course(models.Model):
    """A named wave of the meal for an outlet: 1 starters, 2 mains, 3 desserts."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="courses")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        ordering = ["outlet", "number"]
        constraints = [models.UniqueConstraint(fields=["outlet", "number"], name="course_number_unique_per_outlet")]
        verbose_name = _("course")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Menu(models.Model):
    """A menu of an outlet; served always, or only inside its time windows."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="menus")
    name = models.CharField(_("name"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["outlet", "sort_order", "name"]
        verbose_name = _("menu")

    def __str__(self) -> str:
        return f"{self.outlet} / {self.name}"

    def is_served_at(self, local_dt: datetime.datetime) -> bool:
        """True if the menu is active and `local_dt` (outlet local time) is inside a window.

        Works on prefetched windows so a whole menu is checked without more queries.
        """
        if not self.is_active:
            return False
        windows = list(self.windows.all())
        return not windows or any(window.covers(local_dt) for window in windows)


class MenuWindow(models.Model):
    """When a menu is served: some weekdays, from a time to a time (may pass midnight)."""

    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="windows")
    weekdays = models.CharField(
        _("weekdays"),
        max_length=7,
        default="0123456",
        help_text=_("Digits of the days served, Monday 0 to Sunday 6, e.g. 01234 for weekdays."),
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("serving window")

    def __str__(self) -> str:
        return f"{self.weekdays} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def clean(self):
        if not self.weekdays or any(ch not in "0123456" for ch in self.weekdays):
            raise ValidationError({"weekdays": _("Use the digits 0 (Monday) to 6 (Sunday).")})

    def covers(self, local_dt: datetime.datetime) -> bool:
        now = local_dt.time()
        day = local_dt.weekday()
        if self.starts_at <= self.ends_at:
            return str(day) in self.weekdays and self.starts_at <= now < self.ends_at
        # Past midnight: 22:00-02:00 on Friday covers Friday 23:00 and Saturday 01:00.
        if now >= self.starts_at:
            return str(day) in self.weekdays
        return now < self.ends_at and str((day - 1) % 7) in self.weekdays


class Category(models.Model):
    menu = models.ForeignKey(Menu, on_delete=models.PROTECT, related_name="categories")
    name = models.CharField(_("name"), max_length=80)
    colour = models.CharField(_("colour"), max_length=7, default="#607d8b")
    default_course = models.PositiveSmallIntegerField(_("default course"), default=1)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["menu", "sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class ModifierGroup(models.Model):
    """Choices offered with an item, e.g. "Cooking: exactly 1" or "Extras: up to 3".

    The first `free_choices` modifiers chosen are free whatever their price delta.
    """

    name = models.CharField(_("name"), max_length=80)
    min_choices = models.PositiveSmallIntegerField(_("minimum choices"), default=0)
    max_choices = models.PositiveSmallIntegerField(
        _("maximum choices"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    free_choices = models.PositiveSmallIntegerField(_("free choices"), default=0)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("modifier group")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.max_choices is not None and self.max_choices < self.min_choices:
            raise ValidationError({"max_choices": _("The maximum cannot be below the minimum.")})
        if self.max_choices is not None and self.free_choices > self.max_choices:
            raise ValidationError({"free_choices": _("Free choices cannot exceed the maximum.")})


class Modifier(models.Model):
    group = models.ForeignKey(ModifierGroup, on_delete=models.CASCADE, related_name="modifiers")
    name = models.CharField(_("name"), max_length=80)
    price_delta = models.IntegerField(_("price change (cents)"), default=0)
    is_available = models.BooleanField(_("available"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    opens_group = models.ForeignKey(
        ModifierGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opened_by",
        verbose_name=_("opens group"),
        help_text=_("Choosing this modifier asks for this group too (e.g. Side salad -> Dressing)."),
    )

    class Meta:
        ordering = ["group", "sort_order", "name"]
        verbose_name = _("modifier")

    def __str__(self) -> str:
        return f"{self.group}: {self.name}"


class Item(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("kitchen name"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    price = models.IntegerField(_("price (cents)"), validators=[MinValueValidator(0)])
    tax_rate = models.ForeignKey(TaxRate, on_delete=models.PROTECT, related_name="+", verbose_name=_("tax rate"))
    takeaway_tax_rate = models.ForeignKey(
        TaxRate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("takeaway tax rate"),
        help_text=_("Empty means the same rate as dine-in."),
    )
    default_course = models.PositiveSmallIntegerField(
        _("default course"), null=True, blank=True, help_text=_("Empty means the category's course.")
    )
    colour = models.CharField(_("colour"), max_length=7, blank=True, help_text=_("Empty means the category's."))
    is_available = models.BooleanField(_("available"), default=True)
    remaining_qty = models.IntegerField(
        _("left (countdown)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty means no countdown. At 0 the item is 86'd."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    modifier_groups = models.ManyToManyField(ModifierGroup, through="ItemModifierGroup", blank=True)

    class Meta:
        ordering = ["category", "sort_order", "name"]
        verbose_name = _("item")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remaining_qty__isnull=True) | models.Q(remaining_qty__gte=0),
                name="item_remaining_qty_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_86d(self) -> bool:
        return not self.is_available or self.remaining_qty == 0

    @property
    def course(self) -> int:
        return self.default_course or self.category.default_course

    @property
    def display_colour(self) -> str:
        return self.colour or self.category.colour

    def tax_rate_for(self, order_kind: str) -> "TaxRate":
        if order_kind == Order.Kind.TAKEAWAY and self.takeaway_tax_rate_id:
            return self.takeaway_tax_rate
        return self.tax_rate


class ItemModifierGroup(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE)
    group = models.ForeignKey(ModifierGroup, on_delete=models.PROTECT)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "group"], name="modifier_group_once_per_item")]


ORDER_WORKFLOW = Workflow(
    "order",
    {
        "open": ["closed", "cancelled", "merged"],
        "closed": ["open"],
    },
)

LINE_WORKFLOW = Workflow(
    "order line",
    {
        "pending": ["sent", "removed"],
        "sent": ["served", "void"],
        "served": ["void"],
    },
)


class Order(models.Model):
    class Kind(models.TextChoices):
        DINE_IN = "dine_in", _("Dine-in")
        BAR_TAB = "bar_tab", _("Bar tab")
        TAKEAWAY = "takeaway", _("Takeaway")
        ROOM_SERVICE = "room_service", _("Room service")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        MERGED = "merged", _("Merged into another order")

    client_uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DINE_IN)
    table = models.ForeignKey(Table, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    covers = models.PositiveSmallIntegerField(default=1)
    waiter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    tab_name = models.CharField(_("tab name"), max_length=60, blank=True)
    room_number = models.CharField(_("room"), max_length=10, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    bill_printed_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change so tablets can tell a stale copy from the current one.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("order")
        constraints = [
            # One open order per table: a second tablet opening the same table is refused.
            models.UniqueConstraint(
                fields=["table"],
                condition=models.Q(status="open", table__isnull=False),
                name="one_open_order_per_table",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def label(self) -> str:
        """How people name the order on a screen: "Table 7", "Room 214", the tab's name or "Order 12".

        Reads `table`: select it with the order where many are labelled.
        """
        if self.table_id:
            return str(_("Table %(number)s") % {"number": self.table.number})
        if self.kind == self.Kind.ROOM_SERVICE and self.room_number:
            return str(_("Room %(number)s") % {"number": self.room_number})
        if self.tab_name:
            return self.tab_name
        return str(_("Order %(number)s") % {"number": self.pk})


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]


class OrderLine(models.Model):
    """One item ordered, with its name, price and tax copied from the menu at that moment."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SERVED = "served", _("Served")
        VOID = "void", _("Void")
        REMOVED = "removed", _("Removed")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    client_uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    kitchen_name = models.CharField(max_length=40, blank=True)
    unit_price = models.IntegerField()
    modifiers_price = models.IntegerField(default=0, help_text="Per unit, after free choices.")
    tax_percent = models.DecimalField(max_digits=5, decimal_places=2)
    qty = models.PositiveSmallIntegerField(default=1)
    seat = models.PositiveSmallIntegerField(default=0, help_text="0 is shared by the table.")
    course = models.PositiveSmallIntegerField(default=1)
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.qty} x {self.name}"

    @property
    def total(self) -> int:
        if self.status in (self.Status.VOID, self.Status.REMOVED):
            return 0
        return self.qty * (self.unit_price + self.modifiers_price)


class OrderLineModifier(models.Model):
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="modifiers")
    modifier = models.ForeignKey(Modifier, on_delete=models.PROTECT, related_name="+")
    group_name = models.CharField(max_length=80)
    name = models.CharField(max_length=80)
    price_delta = models.IntegerField(help_text="Charged per unit; 0 when it was a free choice.")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class LineStatusChange(models.Model):
    """History of a line: sent, served, voided (with reason and approving manager)."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    approval = models.ForeignKey("staff.Approval", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]
