from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outlet(models.Model):
    """A revenue centre: a selling point with its own menu and PMS code."""

    class Kind(models.TextChoices):
        RESTAURANT = "restaurant", _("Restaurant")
        BAR = "bar", _("Bar")
        ROOM_SERVICE = "room_service", _("Room service")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RESTAURANT)
    pms_code = models.CharField(_("PMS outlet code"), max_length=20, blank=True)
    prices_include_tax = models.BooleanField(_("prices include tax"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    waiter_86_needs_manager = models.BooleanField(
        _("86 by waiters needs a manager"),
        default=False,
        help_text=_("Waiters and bartenders 86 an item or set its countdown only with a manager's PIN."),
    )
    # Moves with every change to the floor plan: the editor's save names the version it
    # started from (two managers editing: the second is told, not overwritten), and the
    # waiters' keep-alive carries it so a missed layout message is caught.
    layout_version = models.PositiveIntegerField(_("floor plan version"), default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("outlet")

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A room or terrace of an outlet; its plan is drawn on a width x height canvas."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="areas")
    name = models.CharField(_("name"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    plan_width = models.PositiveIntegerField(_("plan width"), default=1000)
    plan_height = models.PositiveIntegerField(_("plan height"), default=700)
    # A removed area stays (its removed tables, and their old orders, still point to it).
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["outlet", "sort_order", "name"]
        verbose_name = _("area")

    def __str__(self) -> str:
        return f"{self.outlet} / {self.name}"


class Table(models.Model):
    """A table drawn on its area's plan, in plan units (x, y is the top-left corner)."""

    class Shape(models.TextChoices):
        SQUARE = "square", _("Square")
        ROUND = "round", _("Round")
        RECTANGLE = "rectangle", _("Rectangle")

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="tables")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="tables")
    number = models.CharField(_("number"), max_length=10)
    seats = models.PositiveSmallIntegerField(_("seats"), default=4)
    shape = models.CharField(_("shape"), max_length=10, choices=Shape.choices, default=Shape.SQUARE)
    x = models.IntegerField(default=0)
    y = models.IntegerField(default=0)
    width = models.PositiveIntegerField(default=80)
    height = models.PositiveIntegerField(default=80)
    rotation = models.SmallIntegerField(_("rotation (degrees)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["area", "number"]
        verbose_name = _("table")
        constraints = [models.UniqueConstraint(fields=["outlet", "number"], name="table_number_unique_per_outlet")]

    def __str__(self) -> str:
        return _("Table %(number)s") % {"number": self.number}

    def save(self, *args, **kwargs):
        # The outlet is denormalised from the area so table numbers are unique per outlet.
        if self.area_id and not self.outlet_id:
            self.outlet_id = self.area.outlet_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.area_id and self.outlet_id and self.area.outlet_id != self.outlet_id:
            raise ValidationError({"area": _("The area belongs to another outlet.")})
        if not -360 <= self.rotation <= 360:
            raise ValidationError({"rotation": _("Rotation is between -360 and 360 degrees.")})
        if self.area_id and (
            self.x < 0
            or self.y < 0
            or self.x + self.width > self.area.plan_width
            or self.y + self.height > self.area.plan_height
        ):
            raise ValidationError(
                {
                    "x": _("The table must lie inside the area's plan (%(w)d x %(h)d).")
                    % {"w": self.area.plan_width, "h": self.area.plan_height}
                }
            )
