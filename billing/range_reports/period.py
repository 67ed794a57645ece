"""The range a report covers: business days from `start` to `end` (both included), the house or one outlet."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.services import business_date
from tables.models import Outlet

PRESETS = ("today", "yesterday", "this-week", "last-week", "this-month", "last-month", "custom")
LONGEST = 3 * 366  # days: three years is the longest range a page asks for


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    outlet_id: int | None = None
    preset: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def local_bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The moments the range's business days begin and end (BUSINESS_DAY_ENDS_AT, local time)."""
        ends_at = datetime.time.fromisoformat(settings.BUSINESS_DAY_ENDS_AT)
        zone = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, ends_at, tzinfo=zone)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), ends_at, tzinfo=zone)
        return first, after


def preset_dates(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last business date of a preset; weeks start on Monday."""
    one = datetime.timedelta(days=1)
    monday = today - datetime.timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - one
    return {
        "today": (today, today),
        "yesterday": (today - one, today - one),
        "this-week": (monday, today),
        "last-week": (monday - 7 * one, monday - one),
        "this-month": (first_of_month, today),
        "last-month": (last_month_end.replace(day=1), last_month_end),
    }[preset]


def _date(params, field: str, errors: dict) -> datetime.date | None:
    text = (params.get(field) or "").strip()
    if not text:
        errors[field] = _("Give a date (YYYY-MM-DD).")
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        errors[field] = _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text[:20]}
        return None


def period_from(params, *, default_preset: str = "this-week") -> Period:
    """The period a page's query string asks for (`preset`, or `from` and `to`; `outlet`).

    Raises ValidationError with a message per field (preset, from, to, outlet).
    """
    errors: dict[str, str] = {}
    preset = params.get("preset") or ("custom" if params.get("from") or params.get("to") else default_preset)
    start = end = None
    if preset not in PRESETS:
        errors["preset"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(PRESETS)}
    elif preset == "custom":
        start, end = _date(params, "from", errors), _date(params, "to", errors)
        if start and end and end < start:
            errors["to"] = _("The last day comes before the first.")
        elif start and end and (end - start).days >= LONGEST:
            errors["to"] = _("A range is at most %(days)d days.") % {"days": LONGEST}
    else:
        start, end = preset_dates(preset, business_date(timezone.now()))
    outlet_id = None
    outlet_text = (params.get("outlet") or "").strip()
    if outlet_text:
        if not outlet_text.isdigit() or not Outlet.objects.filter(pk=int(outlet_text)).exists():
            errors["outlet"] = _("No such outlet.")
        else:
            outlet_id = int(outlet_text)
    if errors:
        raise ValidationError(errors)
    return Period(start=start, end=end, outlet_id=outlet_id, preset=preset)
