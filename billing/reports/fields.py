"""The small conversions every section of the report shares: names, times, rates, averages."""

from decimal import Decimal
from fractions import Fraction

from django.db.models import Q

from billing.totals import round_half_up

_PERSON = ("display_name", "first_name", "last_name", "username")


def person_fields(prefix: str) -> list[str]:
    return [f"{prefix}__{name}" for name in _PERSON]


def person(row: dict, prefix: str) -> str:
    """A staff member's name as `User.__str__` gives it, from a `values()` row; "" when there is none."""
    display, first, last, username = (row.get(f"{prefix}__{name}") for name in _PERSON)
    if username is None:
        return ""
    return display or f"{first or ''} {last or ''}".strip() or username


def within(outlet_id: int | None, path: str) -> Q:
    """The rows of one outlet (revenue centre), reached by `path`; every row when `outlet_id` is None (the house)."""
    return Q() if outlet_id is None else Q(**{path: outlet_id})


def when(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def rate_key(value) -> str:
    return f"{Decimal(value):.2f}"


def average(total: int, count: int) -> int:
    return round_half_up(Fraction(total, count)) if count else 0
