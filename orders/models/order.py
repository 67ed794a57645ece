"""Orders (checks being built), their lines and the modifiers chosen, with their status history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.allergens import AllergensField
from orders.models.menu import Item, Modifier
from tables.models import Outlet, Table
from workflow import Workflow

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
    # The item's and the chosen modifiers' allergens when ordered: a later menu edit never changes a ticket.
    allergens = AllergensField()
    qty = models.PositiveSmallIntegerField(default=1)
    seat = models.PositiveSmallIntegerField(default=0, help_text="0 is shared by the table.")
    course = models.PositiveSmallIntegerField(default=1)
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A dish chosen in a set menu points at the set's line. The set's price is spread over its
    # dishes (each at its own tax rate, as Dutch VAT wants), so the set's own line is 0.
    set_line = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="set_parts")

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
        # The voids report: the void events of a period, without reading every status change.
        indexes = [models.Index(fields=["to_status", "at"], name="linechange_to_status_at_idx")]
