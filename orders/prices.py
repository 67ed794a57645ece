"""The price of an item at a moment, and a price raised or lowered by a percentage: pure, no database.

What wins when several rules apply (the one place this is decided):

1. The base price is the item's own price, unless a price list of its outlet that has
   started (its first day is on or before the day of `at`, and it was not cancelled)
   names the item: then the list that started last sets it (on the same first day,
   the list scheduled last wins).
2. A happy hour whose window covers `at` then lowers that base price: a price named
   for the item wins over a percentage off its category (the manager chose that
   price). Among several of the same kind, the lowest price wins (the guest's
   favour). A happy hour never raises a price: if its price is above the base,
   the base stands.

A line copies the price it gets when it is added; none of this ever touches a line
already on an order.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PRICE_LIST = "list"
HAPPY_HOUR = "happy_hour"
# Steps a menu prints prices in: whole cents, 5 cents, 10 cents, 50 cents, whole euros.
ROUNDING_STEPS = (1, 5, 10, 50, 100)


@dataclass(frozen=True)
class PriceRule:
    """One price list entry or one happy-hour price, as read for an outlet (see `orders.selectors`)."""

    kind: str
    rank: int  # the price list's or happy hour's id: a later one wins a tie
    item_id: int | None = None
    category_id: int | None = None
    price: int | None = None
    percent_off: Decimal | None = None
    starts_on: datetime.date | None = None
    weekdays: str = ""
    starts_at: datetime.time | None = None
    ends_at: datetime.time | None = None


def window_covers(*, weekdays: str, starts_at: datetime.time, ends_at: datetime.time, at: datetime.datetime) -> bool:
    """Like a menu's serving window: some weekdays (Monday 0), from/until, may pass midnight."""
    now, day = at.time(), at.weekday()
    if starts_at <= ends_at:
        return str(day) in weekdays and starts_at <= now < ends_at
    # Past midnight: 22:00-02:00 on Friday covers Friday 23:00 and Saturday 01:00.
    if now >= starts_at:
        return str(day) in weekdays
    return now < ends_at and str((day - 1) % 7) in weekdays


def round_to_step(cents: Decimal, step: int) -> int:
    """Round an exact amount of cents half up to a multiple of `step` cents."""
    return int((cents / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step


def price_after_percentage(price: int, percent: Decimal, *, step: int = 1) -> int:
    """`price` raised (or, negative, lowered) by `percent`, rounded half up to `step` cents, never below 0."""
    exact = Decimal(price) * (Decimal(100) + Decimal(percent)) / Decimal(100)
    return max(0, round_to_step(exact, step))


def base_price(*, item_id: int, price: int, rules: Iterable[PriceRule], on: datetime.date) -> int:
    """The item's price on a day: its own, or the price list that started last and names it."""
    started = [
        rule
        for rule in rules
        if rule.kind == PRICE_LIST and rule.item_id == item_id and rule.starts_on is not None and rule.starts_on <= on
    ]
    if not started:
        return price
    return max(started, key=lambda rule: (rule.starts_on, rule.rank)).price


def effective_price(
    *, item_id: int, category_id: int, price: int, rules: Iterable[PriceRule], at: datetime.datetime
) -> int:
    """What an item costs at `at` (outlet local time): see the module's rules."""
    rules = list(rules)
    base = base_price(item_id=item_id, price=price, rules=rules, on=at.date())
    covering = [
        rule
        for rule in rules
        if rule.kind == HAPPY_HOUR
        and rule.starts_at is not None
        and rule.ends_at is not None
        and window_covers(weekdays=rule.weekdays, starts_at=rule.starts_at, ends_at=rule.ends_at, at=at)
    ]
    named = [rule.price for rule in covering if rule.item_id == item_id and rule.price is not None]
    if named:
        return min(base, *named)
    off = [rule.percent_off for rule in covering if rule.category_id == category_id and rule.percent_off is not None]
    if off:
        return min(base, *(price_after_percentage(base, -percent) for percent in off))
    return base


def next_price_change(*, rules: Iterable[PriceRule], at: datetime.datetime) -> datetime.datetime | None:
    """The first moment after `at` (outlet local time) at which a rule may change a price, or None.

    That is a price list's first day starting (at midnight) or a happy hour's window opening
    or closing. Nobody saves anything at that moment, so an open tablet reloads its menu then.
    A week ahead covers every weekly window; a list further away is found on a later load.
    """
    tz = at.tzinfo
    moments: list[datetime.datetime] = []
    for rule in rules:
        if rule.kind == PRICE_LIST and rule.starts_on is not None:
            moments.append(datetime.datetime.combine(rule.starts_on, datetime.time(0), tzinfo=tz))
        elif rule.kind == HAPPY_HOUR and rule.starts_at is not None and rule.ends_at is not None:
            if rule.starts_at == rule.ends_at:
                continue  # an empty window covers nothing (see `window_covers`)
            past_midnight = rule.ends_at < rule.starts_at
            # From yesterday, whose window past midnight may close today, to a week ahead.
            for offset in range(-1, 8):
                day = at.date() + datetime.timedelta(days=offset)
                if str(day.weekday()) not in rule.weekdays:
                    continue
                last_day = day + datetime.timedelta(days=1) if past_midnight else day
                moments.append(datetime.datetime.combine(day, rule.starts_at, tzinfo=tz))
                moments.append(datetime.datetime.combine(last_day, rule.ends_at, tzinfo=tz))
    later = [moment for moment in moments if moment > at]
    return min(later, default=None)


def euros_text(cents: int) -> str:
    """Cents as a file writes euros, whatever the language: "12.50", "-0.05"."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole}.{fraction:02d}"


def cents_from_euros(text: str) -> int:
    """Euros typed or read from a file ("12,50", "12.50", "12", "€ 12,5") as cents; ValueError if not money.

    One separator at most, and at most two decimals: "1.234,50" is refused rather than guessed.
    """
    cleaned = (text or "").replace("€", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    match = _EUROS.fullmatch(cleaned)
    if match is None:
        raise ValueError(text)
    sign, whole, fraction = match.groups()
    cents = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    return -cents if sign else cents


_EUROS = re.compile(r"(-?)([0-9]{1,7})(?:\.([0-9]{1,2}))?")
