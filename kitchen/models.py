from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.models import Category, Item
from tables.models import Outlet


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
