from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


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
