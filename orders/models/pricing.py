"""Prices that change by date or by hour: price lists that start on a day, and happy hours.

An item's own price is what it costs until a rule says otherwise; which rule wins when
several apply is decided in one place, `orders.prices` (its docstring states the order).
A line copies its price when it is added, so none of these ever changes an order.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models.menu import Category, Item
from orders.prices import window_covers
from tables.models import Outlet


class PriceList(models.Model):
    """New prices for some items of an outlet from a day on; visible and cancellable before it starts."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ACTIVE = "active", _("In effect")
        CANCELLED = "cancelled", _("Cancelled")

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="price_lists")
    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(_("starts on"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["outlet", "-starts_on", "-pk"]
        verbose_name = _("price list")

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%Y-%m-%d})"

    def state_on(self, today: datetime.date) -> str:
        if self.cancelled_at is not None:
            return self.State.CANCELLED
        return self.State.ACTIVE if self.starts_on <= today else self.State.SCHEDULED


class PriceListEntry(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="price_list_entries")
    price = models.IntegerField(_("price (cents)"), validators=[MinValueValidator(0)])
    # The item's price when the list was made, for the page's "old -> new".
    price_before = models.IntegerField(_("price before (cents)"), default=0)

    class Meta:
        ordering = ["price_list", "item"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "item"], name="price_list_item_once"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_list_price_not_negative"),
        ]


class HappyHour(models.Model):
    """Lower prices at some hours of some weekdays: a price per item or a % off per category."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="happy_hours")
    name = models.CharField(_("name"), max_length=80)
    weekdays = models.CharField(
        _("weekdays"),
        max_length=7,
        default="0123456",
        help_text=_("Digits of the days, Monday 0 to Sunday 6, e.g. 01234 for weekdays."),
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["outlet", "starts_at", "name"]
        verbose_name = _("happy hour")

    def __str__(self) -> str:
        return f"{self.name} {self.weekdays} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def clean(self):
        if not self.weekdays or any(ch not in "0123456" for ch in self.weekdays):
            raise ValidationError({"weekdays": _("Use the digits 0 (Monday) to 6 (Sunday).")})
        if self.starts_at == self.ends_at:
            raise ValidationError({"ends_at": _("The window ends when it starts.")})

    def covers(self, local_dt: datetime.datetime) -> bool:
        return self.is_active and window_covers(
            weekdays=self.weekdays, starts_at=self.starts_at, ends_at=self.ends_at, at=local_dt
        )


class HappyHourPrice(models.Model):
    """One rule of a happy hour: an item's price, or a percentage off a whole category."""

    happy_hour = models.ForeignKey(HappyHour, on_delete=models.CASCADE, related_name="prices")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    price = models.IntegerField(_("price (cents)"), null=True, blank=True, validators=[MinValueValidator(0)])
    percent_off = models.DecimalField(
        _("% off"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["happy_hour", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(item__isnull=False, price__isnull=False, category__isnull=True, percent_off__isnull=True)
                    | Q(item__isnull=True, price__isnull=True, category__isnull=False, percent_off__isnull=False)
                ),
                name="happy_hour_price_item_or_category",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="happy_hour_price_not_negative"
            ),
        ]
