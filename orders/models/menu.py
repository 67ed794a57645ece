"""The menu: tax rates, courses, menus with their hours, categories, items and modifier groups."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.allergens import AllergensField
from tables.models import Outlet


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
    allergens = AllergensField(help_text=_("The EU allergens this choice adds to the dish."))
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
    # The key a menu file (CSV) finds the item by across exports and imports; empty: category and name.
    code = models.CharField(_("code"), max_length=20, blank=True, help_text=_("The item's number (PLU), optional."))
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
    allergens = AllergensField(help_text=_("The EU allergens in the dish as served, without its choices."))
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
        from orders.models.order import Order  # the order module imports this one

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


class SetMenuCourse(models.Model):
    """One course of a set menu ("3-gangen keuzemenu"): the guest picks one of `choices`.

    The set item carries the one price; each chosen dish becomes a line of its own,
    routed and fired in this course like any line.
    """

    set_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="set_courses", verbose_name=_("set menu"))
    course = models.PositiveSmallIntegerField(_("course"), validators=[MinValueValidator(1)])
    choices = models.ManyToManyField(Item, related_name="+", verbose_name=_("choices"))

    class Meta:
        ordering = ["set_item", "course"]
        verbose_name = _("set menu course")
        verbose_name_plural = _("set menu courses")
        constraints = [models.UniqueConstraint(fields=["set_item", "course"], name="set_menu_course_once")]

    def __str__(self) -> str:
        return f"{self.set_item} / {self.course}"
