"""When the prices next change by themselves (a price list's first day, a happy hour opening or closing):
by example and by property (hypothesis): no price changes before that moment, and some rule turns at it."""

import datetime
import zoneinfo
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orders.prices import HAPPY_HOUR, PRICE_LIST, PriceRule, base_price, next_price_change, window_covers

FRIDAY_NIGHT = datetime.datetime(2026, 12, 11, 17, 30)  # a Friday
ITEM, CATEGORY = 7, 3


def listed(starts_on, price=1200):
    return PriceRule(kind=PRICE_LIST, rank=1, item_id=ITEM, price=price, starts_on=starts_on)


def happy(*, days="01234", start=(17, 0), end=(19, 0), price=800):
    return PriceRule(
        kind=HAPPY_HOUR,
        rank=1,
        item_id=ITEM,
        price=price,
        weekdays=days,
        starts_at=datetime.time(*start),
        ends_at=datetime.time(*end),
    )


def test_without_rules_the_prices_never_change_by_themselves():
    assert next_price_change(rules=[], at=FRIDAY_NIGHT) is None


def test_inside_a_happy_hour_the_next_change_is_its_end():
    assert next_price_change(rules=[happy()], at=FRIDAY_NIGHT) == FRIDAY_NIGHT.replace(hour=19, minute=0)


def test_before_a_happy_hour_the_next_change_is_its_start():
    at = FRIDAY_NIGHT.replace(hour=16, minute=59, second=58)
    assert next_price_change(rules=[happy()], at=at) == FRIDAY_NIGHT.replace(hour=17, minute=0)


def test_after_friday_s_happy_hour_the_next_is_monday_s():
    at = FRIDAY_NIGHT.replace(hour=19, minute=0)  # the window has just closed: that moment is not "next"
    assert next_price_change(rules=[happy()], at=at) == datetime.datetime(2026, 12, 14, 17, 0)


def test_a_window_past_midnight_closes_on_the_next_day():
    night = happy(days="4", start=(22, 0), end=(2, 0))
    at = datetime.datetime(2026, 12, 12, 0, 30)  # Saturday, in Friday's window
    assert window_covers(weekdays="4", starts_at=night.starts_at, ends_at=night.ends_at, at=at)
    assert next_price_change(rules=[night], at=at) == datetime.datetime(2026, 12, 12, 2, 0)


def test_a_price_list_changes_the_prices_at_midnight_of_its_first_day_and_the_earliest_moment_wins():
    rules = [listed(datetime.date(2026, 12, 1)), listed(datetime.date(2027, 3, 1)), happy(days="6")]
    # The list started in the past changes nothing; Sunday's happy hour comes before March.
    assert next_price_change(rules=rules, at=FRIDAY_NIGHT) == datetime.datetime(2026, 12, 13, 17, 0)
    assert next_price_change(rules=rules[:2], at=FRIDAY_NIGHT) == datetime.datetime(2027, 3, 1, 0, 0)


def test_an_empty_window_changes_nothing():
    assert next_price_change(rules=[happy(start=(17, 0), end=(17, 0))], at=FRIDAY_NIGHT) is None


def test_the_moment_keeps_the_outlet_s_time_zone_across_a_clock_change():
    amsterdam = zoneinfo.ZoneInfo("Europe/Amsterdam")
    at = datetime.datetime(2027, 3, 27, 19, 30, tzinfo=amsterdam)  # Saturday; clocks go forward that night
    moment = next_price_change(rules=[happy(days="6")], at=at)
    assert moment == datetime.datetime(2027, 3, 28, 17, 0, tzinfo=amsterdam)
    assert moment.utcoffset() == datetime.timedelta(hours=2)


def _in_force(rules, at):
    """Which rules count at `at`: the lists started, the happy hours whose window covers it."""
    return frozenset(
        index
        for index, rule in enumerate(rules)
        if (rule.kind == PRICE_LIST and rule.starts_on <= at.date())
        or (
            rule.kind == HAPPY_HOUR
            and window_covers(weekdays=rule.weekdays, starts_at=rule.starts_at, ends_at=rule.ends_at, at=at)
        )
    )


times = st.builds(datetime.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]))
rules_strategy = st.lists(
    st.one_of(
        st.builds(listed, starts_on=st.dates(datetime.date(2026, 11, 1), datetime.date(2027, 2, 1))),
        st.builds(
            lambda days, start, end: happy(days=days, start=(start.hour, start.minute), end=(end.hour, end.minute)),
            days=st.sampled_from(["0123456", "4", "56", "0", "135"]),
            start=times,
            end=times,
        ),
    ),
    max_size=6,
)
moments = st.datetimes(datetime.datetime(2026, 12, 1), datetime.datetime(2027, 1, 15))


@given(rules=rules_strategy, at=moments, share=st.floats(0, 1, exclude_max=True))
def test_nothing_changes_before_the_moment_and_something_changes_at_it(rules, at, share):
    moment = next_price_change(rules=rules, at=at)
    # With no moment, look a week ahead: nothing may turn there either.
    until = moment or at + datetime.timedelta(days=7)
    assert until > at
    just_before = until - datetime.timedelta(microseconds=1)
    # A share just under 1 can round up to the moment itself (timedelta keeps microseconds).
    before = [min(at + (until - at) * share, just_before), just_before]
    for instant in before:
        assert _in_force(rules, instant) == _in_force(rules, at), instant
        assert base_price(item_id=ITEM, price=1000, rules=rules, on=instant.date()) == base_price(
            item_id=ITEM, price=1000, rules=rules, on=at.date()
        )
    if moment is not None:
        assert _in_force(rules, moment) != _in_force(rules, at)


def test_a_percentage_happy_hour_counts_too():
    off = PriceRule(
        kind=HAPPY_HOUR,
        rank=2,
        category_id=CATEGORY,
        percent_off=Decimal("50"),
        weekdays="4",
        starts_at=datetime.time(18),
        ends_at=datetime.time(20),
    )
    assert next_price_change(rules=[off], at=FRIDAY_NIGHT) == FRIDAY_NIGHT.replace(hour=18, minute=0)
