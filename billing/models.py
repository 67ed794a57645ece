"""Checks, their items and discounts, tenders and payments.

A check holds shares of order lines (`CheckItem`); every live line of an order is on
exactly one check, whole or in shares. Amounts are never stored while a check is
open: they are computed by `billing.totals` from the lines. When a check takes its
first payment its figures are frozen onto it, so nothing done elsewhere on the order
can move a cent of what the guest is paying.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderLine
from tables.models import Outlet
from workflow import Workflow


class OutletBilling(models.Model):
    """How an outlet bills: service charge, approval limits, what the receipt says."""

    class ReceiptChoice(models.TextChoices):
        PRINT = "print", _("Print")
        EMAIL = "email", _("E-mail")
        QR = "qr", _("QR code")
        NONE = "none", _("No receipt")

    outlet = models.OneToOneField(Outlet, on_delete=models.CASCADE, related_name="billing")
    business_name = models.CharField(_("business name"), max_length=120, blank=True)
    address = models.TextField(_("address"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=40, blank=True)
    receipt_footer = models.TextField(_("receipt footer"), blank=True)
    service_charge_percent = models.DecimalField(
        _("automatic service charge (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    service_charge_min_covers = models.PositiveSmallIntegerField(
        _("service charge from covers"), default=8, help_text=_("Tables with at least this many guests pay it.")
    )
    discount_approval_percent = models.DecimalField(
        _("discounts above this percent need a manager"), max_digits=5, decimal_places=2, default=10
    )
    discount_approval_amount = models.PositiveIntegerField(
        _("discounts above this amount (cents) need a manager"), default=1000
    )
    receipt_printer = models.ForeignKey(
        "printing.Printer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receipt printer"),
        help_text=_("Prints bills and receipts, and opens the cash drawer wired to it."),
    )
    receipt_default = models.CharField(
        _("receipt after payment"),
        max_length=5,
        choices=ReceiptChoice.choices,
        default=ReceiptChoice.PRINT,
        help_text=_("What the receipt dialog offers first once a check is paid."),
    )

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return str(self.outlet)


CHECK_WORKFLOW = Workflow(
    "check",
    {
        "open": ["closed", "merged"],
        # Reopened with a manager's approval.
        "closed": ["open"],
    },
)


class Check(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Paid")
        MERGED = "merged", _("Merged into another check")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="checks")
    number = models.PositiveSmallIntegerField(help_text="1, 2, 3 within the order.")
    label = models.CharField(_("label"), max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    # None: the outlet's automatic rule (covers); a number: set on this check (0 waived).
    service_charge_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # Set on the first payment: the figures the guest pays, kept as they were.
    frozen_totals = models.JSONField(null=True, blank=True)
    # The frozen rates' net, tax and gross summed, written with frozen_totals: reports over
    # a year sum these columns instead of unpacking 150,000 JSON documents.
    frozen_net = models.BigIntegerField(null=True, blank=True)
    frozen_tax = models.BigIntegerField(null=True, blank=True)
    frozen_gross = models.BigIntegerField(null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    business_day = models.ForeignKey(
        "BusinessDay", on_delete=models.PROTECT, null=True, blank=True, related_name="checks"
    )
    bill_printed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # A company invoice: the guest's company on the receipt, which then reads as an invoice.
    invoice_company = models.CharField(_("company"), max_length=120, blank=True)
    invoice_address = models.TextField(_("company address"), max_length=300, blank=True)
    invoice_vat_number = models.CharField(_("company VAT number"), max_length=20, blank=True)
    # Signed into the guest's receipt links (QR code): a new key makes the old links useless.
    receipt_link_key = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["order", "number"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="check_number_unique_per_order")]
        verbose_name = _("check")

    def __str__(self) -> str:
        return f"{self.order_id}-{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_totals is not None

    def freeze_figures(self, frozen: dict) -> None:
        """Keep `frozen` (CheckTotals.as_dict) and its sums over the tax rates (net, tax, gross)."""
        self.frozen_totals = frozen
        rates = frozen["rates"]
        self.frozen_net = sum(rate[5] for rate in rates)
        self.frozen_tax = sum(rate[4] for rate in rates)
        self.frozen_gross = sum(rate[6] for rate in rates)

    @property
    def is_invoice(self) -> bool:
        """The guest asked for a company invoice: the receipt names the company and reads as an invoice."""
        return bool(self.invoice_company)


class CheckStatusChange(models.Model):
    guest_check = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    approval = models.ForeignKey("staff.Approval", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]


class CheckItem(models.Model):
    """`shares` of `of_shares` of an order line, on a check.

    All the items of one line have the same `of_shares` and their shares add up to
    it: the whole line, exactly once.
    """

    guest_check = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="items")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="check_items")
    shares = models.PositiveIntegerField(default=1)
    of_shares = models.PositiveIntegerField(default=1)
    # Stored when the check is frozen (see Check.frozen_totals).
    frozen_amount = models.IntegerField(null=True, blank=True)
    frozen_discount = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["line_id", "guest_check_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["guest_check", "line"], name="one_item_per_line_per_check"),
            models.CheckConstraint(condition=models.Q(shares__gte=1), name="check_item_has_shares"),
            models.CheckConstraint(condition=models.Q(shares__lte=models.F("of_shares")), name="check_item_share"),
        ]

    @property
    def units(self) -> int:
        """How many of the line this item paid for (what a refund counts): its quantity, or 1 for a share."""
        return self.line.qty if self.shares == self.of_shares else 1


class Discount(models.Model):
    """A discount or comp on a line or a whole check. Removing one keeps the row."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent")
        AMOUNT = "amount", _("Amount")
        COMP = "comp", _("Comp")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="discounts")
    guest_check = models.ForeignKey(Check, on_delete=models.PROTECT, null=True, blank=True, related_name="discounts")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="discounts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.PositiveIntegerField(null=True, blank=True)
    # Set on what a split leaves of a fixed check discount: it applies to this rate only.
    tax_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approval = models.ForeignKey("staff.Approval", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    split_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(guest_check__isnull=True) | models.Q(line__isnull=True),
                name="discount_on_check_or_line",
            )
        ]


class Tender(models.Model):
    """A means of payment the manager offers: cash, card, room charge, or another."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        CARD = "card", _("Card (Stripe Terminal)")
        ROOM_CHARGE = "room_charge", _("Charge to room")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    allows_tip = models.BooleanField(_("tips allowed"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("tender")

    def __str__(self) -> str:
        return self.name


class CardReader(models.Model):
    """A Stripe Terminal reader registered for an outlet (server-driven)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="card_readers")
    label = models.CharField(_("label"), max_length=60)
    stripe_id = models.CharField(_("Stripe reader id"), max_length=60, unique=True, help_text="tmr_...")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["outlet", "label"]
        verbose_name = _("card reader")

    def __str__(self) -> str:
        return self.label


PAYMENT_WORKFLOW = Workflow(
    "payment",
    {
        # Card: waiting for the reader; cash and others are captured at once.
        "pending": ["captured", "failed", "cancelled"],
        "captured": ["reversed"],
        "failed": [],
        "cancelled": [],
        "reversed": [],
    },
)


class Payment(models.Model):
    """Money taken (or being taken) for a check. `amount` is what counts towards it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CAPTURED = "captured", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        # A room charge the house accepted while the PMS was down, which the hotel then refused.
        REVERSED = "reversed", _("Reversed by the hotel")

    client_uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    guest_check = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="payments")
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    amount = models.PositiveIntegerField()
    tip = models.PositiveIntegerField(default=0)
    # Cash: what the guest handed over, the change, and the 5-cent rounding (paid minus amount).
    cash_given = models.PositiveIntegerField(null=True, blank=True)
    change_due = models.PositiveIntegerField(default=0)
    rounding = models.IntegerField(default=0)
    reference = models.CharField(max_length=80, blank=True)
    # Card: the reader and Stripe's PaymentIntent, followed by webhook and by polling.
    reader = models.ForeignKey(CardReader, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    provider_id = models.CharField(max_length=80, blank=True, db_index=True)
    provider_status = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=200, blank=True)
    refunded = models.PositiveIntegerField(default=0)
    # Room charge: the posting to the guest's folio; captured when the PMS confirms it.
    posting = models.OneToOneField(
        "pms_integration.Posting", on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    business_day = models.ForeignKey(
        "BusinessDay", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    drawer_session = models.ForeignKey(
        "DrawerSession", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.tender} {self.amount}"


class PaymentStateChange(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="changes")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]


class ProviderEvent(models.Model):
    """A webhook event from the card provider, kept once: a duplicate delivery is ignored."""

    event_id = models.CharField(max_length=80, unique=True)
    type = models.CharField(max_length=80)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField()

    class Meta:
        ordering = ["-received_at"]


class BusinessDay(models.Model):
    """A trading day, from its first sale to its Z report. Money events carry the day they fell in.

    The date is the restaurant's calendar date at opening, moved back one day before
    BUSINESS_DAY_ENDS_AT (a night that runs past midnight belongs to the day it began).
    Once closed (the Z report), nothing may be added to it or changed in it.
    """

    date = models.DateField(unique=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    z_number = models.PositiveIntegerField(null=True, blank=True, unique=True)
    # The Z report as it was at closing: the figures never change afterwards.
    report = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("business day")

    def __str__(self) -> str:
        return str(self.date)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Denomination(models.Model):
    """A note or coin of a currency, as the drawer is counted: the counts are per denomination."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        COIN = "coin", _("Coin")

    currency = models.CharField(_("currency"), max_length=3)
    value = models.PositiveIntegerField(_("value in cents"))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["currency", "sort_order", "-value"]
        verbose_name = _("denomination")
        constraints = [models.UniqueConstraint(fields=["currency", "value"], name="one_denomination_per_value")]

    def __str__(self) -> str:
        return f"{self.currency} {self.value}"


class DrawerSession(models.Model):
    """A cash drawer's shift: the float in, cash sales and movements, a blind count out."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="drawer_sessions")
    business_day = models.ForeignKey(BusinessDay, on_delete=models.PROTECT, related_name="drawer_sessions")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    opening_float = models.PositiveIntegerField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The count is typed without seeing what is expected (blind); the variance follows.
    counted = models.IntegerField(null=True, blank=True)
    expected = models.IntegerField(null=True, blank=True)
    # Counts by denomination ({"5000": 2} is two 50.00 notes), written once: the float
    # when opened, the blind count when closed. The totals above are computed from them.
    float_counts = models.JSONField(default=dict, blank=True)
    close_counts = models.JSONField(null=True, blank=True)
    # A hand-over between shifts: the session this one took its float from.
    handed_over_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="handed_over_to"
    )

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("cash drawer session")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet"], condition=models.Q(closed_at__isnull=True), name="one_open_drawer_per_outlet"
            )
        ]

    @property
    def variance(self) -> int | None:
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected


class CashMovement(models.Model):
    """Cash put into (pay-in) or taken out of (pay-out) a drawer, not for a sale."""

    class Kind(models.TextChoices):
        PAY_IN = "pay_in", _("Pay-in")
        PAY_OUT = "pay_out", _("Pay-out")

    class Reason(models.TextChoices):
        TIPS_PAID_OUT = "tips_paid_out", _("Tips paid out")
        SUPPLIER_PAID = "supplier_paid", _("Supplier paid in cash")
        CHANGE_BOUGHT = "change_bought", _("Change bought")
        OTHER = "other", _("Other")

    session = models.ForeignKey(DrawerSession, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reason_code = models.CharField(max_length=16, choices=Reason.choices, blank=True)
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Refund(models.Model):
    """Money given back on a payment, to the same tender, with a reason and a manager's approval."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.CharField(max_length=200)
    approval = models.ForeignKey("staff.Approval", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    provider_id = models.CharField(max_length=80, blank=True)
    failure_message = models.CharField(max_length=200, blank=True)
    business_day = models.ForeignKey(BusinessDay, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    drawer_session = models.ForeignKey(
        DrawerSession, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    # A room charge's refund: the negative posting to the same folio; refunded once the PMS takes it.
    posting = models.OneToOneField(
        "pms_integration.Posting", on_delete=models.PROTECT, null=True, blank=True, related_name="refund"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class RefundLine(models.Model):
    """A line (or part of it) a refund gave money back for: which item, how many, and how much.

    The amount comes from the item's frozen figures, so a line is never refunded beyond what was paid for it.
    """

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="refund_lines")
    qty = models.PositiveIntegerField()
    amount = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(qty__gte=1), name="refund_line_has_qty")]
