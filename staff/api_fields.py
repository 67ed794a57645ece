"""API fields shared by the apps' query-parameter filters (staff is the lowest app that has one).

A DateTimeField alone takes `0001-01-01T00:00:00`, which overflows when it is moved to
UTC (a 500), and treats an empty `?until=` as absent (the filter silently ignored).
"""

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC)


class BoundedDateTimeField(serializers.DateTimeField):
    """A date and time between 2000 and 9000; given but empty is an error, not "no filter"."""

    default_error_messages = {
        "blank": _("Give a date and time, e.g. 2026-12-07T18:00."),
        "out_of_range": _("Give a date and time between the years 2000 and 9000."),
    }

    def get_value(self, dictionary):
        # DRF reads an empty query parameter as absent when the field is optional.
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, value):
        if value == "":
            self.fail("blank")
        try:
            moment = super().to_internal_value(value)
            in_utc = moment.astimezone(datetime.UTC) if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
        except OverflowError:
            self.fail("out_of_range")
        if not EARLIEST <= in_utc < LATEST:
            self.fail("out_of_range")
        return moment
