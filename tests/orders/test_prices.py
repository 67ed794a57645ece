"""The one price function, by example and by property (hypothesis): what wins when several rules apply."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.prices import (
    HAPPY_HOUR,
    PRICE_LIST,
    ROUNDING_STEPS,
    PriceRule,
    cents_from_euros,
    effective_price,
    euros_text,
    price_after_percentage,
    window_covers,
)

FRIDAY_NIGHT = datetime.datetime(2026, 12, 11, 17, 30)  # a Friday
ITEM, CATEGORY = 7, 3


def listed(price, starts_on, rank=1, item_id=ITEM):
    return PriceRule(kind=PRICE_LIST, rank=rank, item_id=item_id, price=price, starts_on=starts_on)


def happy(
    *, price=None, percent=None, rank=1, days="01234", start=(17, 0), end=(19, 0), item_id=None, category_id=None
):
    return PriceRule(
        kind=HAPPY_HOUR,
        rank=rank,
        item_id=item_id,
        category_id=category_id,
        price=price,
        percent_off=Decimal(percent) if percent is not None else None,
        weekdays=days,
        starts_at=datetime.time(*start),
        ends_at=datetime.time(*end),
    )


def price_at(rules, at=FRIDAY_NIGHT, price=1000):
    return effective_price(item_id=ITEM, category_id=CATEGORY, price=price, rules=rules, at=at)


def test_without_rules_the_item_costs_its_own_price():
    assert price_at([]) == 1000


def test_a_price_list_counts_from_its_first_day_and_the_latest_started_wins():
    monday = datetime.date(2026, 12, 14)
    rules = [listed(1100, datetime.date(2026, 12, 1), rank=5), listed(1200, datetime.date(2026, 12, 10), rank=2)]
    assert price_at(rules) == 1200  # started the 10th, though scheduled before the other
    assert price_at([*rules, listed(1300, monday, rank=9)]) == 1200  # not yet
    assert price_at([*rules, listed(1300, monday, rank=9)], at=datetime.datetime(2026, 12, 14, 0, 0)) == 1300


def test_on_the_same_first_day_the_list_scheduled_last_wins():
    day = datetime.date(2026, 12, 1)
    assert price_at([listed(1500, day, rank=3), listed(1400, day, rank=4)]) == 1400


def test_a_list_for_another_item_changes_nothing():
    assert price_at([listed(1, datetime.date(2026, 1, 1), item_id=99)]) == 1000


def test_happy_hour_lowers_the_price_inside_its_window_only():
    rules = [happy(percent="50", category_id=CATEGORY)]
    assert price_at(rules) == 500
    assert price_at(rules, at=FRIDAY_NIGHT.replace(hour=19)) == 1000  # until is exclusive
    assert price_at(rules, at=FRIDAY_NIGHT + datetime.timedelta(days=1)) == 1000  # Saturday


def test_an_item_price_wins_over_a_category_percentage_even_when_higher():
    rules = [happy(percent="50", category_id=CATEGORY), happy(price=800, item_id=ITEM, rank=2)]
    assert price_at(rules) == 800


def test_of_several_happy_hours_the_lowest_price_wins_and_none_raises_the_price():
    assert price_at([happy(price=800, item_id=ITEM), happy(price=700, item_id=ITEM, rank=2)]) == 700
    assert price_at([happy(price=1500, item_id=ITEM)]) == 1000
    assert price_at([happy(percent="10", category_id=CATEGORY), happy(percent="25", category_id=CATEGORY)]) == 750


def test_happy_hour_applies_to_the_price_list_price():
    rules = [listed(2000, datetime.date(2026, 12, 1)), happy(percent="10", category_id=CATEGORY)]
    assert price_at(rules) == 1800


def test_a_window_past_midnight_belongs_to_the_day_it_starts():
    rules = [happy(price=100, item_id=ITEM, days="4", start=(22, 0), end=(2, 0))]  # Friday night
    assert price_at(rules, at=datetime.datetime(2026, 12, 12, 1, 0)) == 100  # Saturday 01:00
    assert price_at(rules, at=datetime.datetime(2026, 12, 13, 1, 0)) == 1000  # Sunday 01:00


@pytest.mark.parametrize(
    ("price", "percent", "step", "expected"),
    [(1000, "5", 1, 1050), (1234, "5", 1, 1296), (1234, "5", 5, 1295), (1234, "5", 10, 1300), (999, "-10", 1, 899)],
)
def test_a_percentage_rounds_half_up_to_the_step(price, percent, step, expected):
    assert price_after_percentage(price, Decimal(percent), step=step) == expected


@given(
    price=st.integers(0, 1_000_000),
    percent=st.decimals(-90, 100, places=2),
    step=st.sampled_from(ROUNDING_STEPS),
)
def test_a_percentage_change_lands_on_the_step_within_half_a_step(price, percent, step):
    new = price_after_percentage(price, percent, step=step)
    exact = Decimal(price) * (100 + percent) / 100
    assert new % step == 0
    assert abs(Decimal(new) - exact) <= Decimal(step) / 2


@given(price=st.integers(0, 1_000_000), a=st.decimals(-90, 100, places=1), b=st.decimals(-90, 100, places=1))
def test_a_bigger_percentage_never_gives_a_lower_price(price, a, b):
    low, high = sorted([a, b])
    assert price_after_percentage(price, low) <= price_after_percentage(price, high)


rules_strategy = st.lists(
    st.one_of(
        st.builds(
            listed,
            price=st.integers(0, 100_000),
            starts_on=st.dates(datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)),
            rank=st.integers(1, 50),
            item_id=st.sampled_from([ITEM, 99]),
        ),
        st.builds(
            happy,
            price=st.integers(0, 100_000),
            item_id=st.sampled_from([ITEM, 99]),
            days=st.sampled_from(["0123456", "4", "56"]),
        ),
        st.builds(
            happy,
            percent=st.sampled_from(["10", "25", "50", "100"]),
            category_id=st.sampled_from([CATEGORY, 98]),
            days=st.sampled_from(["0123456", "4", "56"]),
        ),
    ),
    max_size=8,
)


@given(rules=rules_strategy, price=st.integers(0, 100_000), order=st.randoms())
def test_the_price_is_never_negative_never_above_the_base_and_ignores_the_rules_order(rules, price, order):
    from orders.prices import base_price

    result = price_at(rules, price=price)
    base = base_price(item_id=ITEM, price=price, rules=rules, on=FRIDAY_NIGHT.date())
    shuffled = list(rules)
    order.shuffle(shuffled)
    assert 0 <= result <= base
    assert price_at(shuffled, price=price) == result
    # Outside every window only the price lists count.
    assert price_at(rules, price=price, at=FRIDAY_NIGHT.replace(hour=12)) == base


def test_window_covers_on_its_days():
    assert window_covers(weekdays="4", starts_at=datetime.time(17), ends_at=datetime.time(19), at=FRIDAY_NIGHT)
    assert not window_covers(weekdays="3", starts_at=datetime.time(17), ends_at=datetime.time(19), at=FRIDAY_NIGHT)


@pytest.mark.parametrize(
    ("text", "cents"), [("12.50", 1250), ("12,50", 1250), ("12", 1200), ("€ 12,5", 1250), ("-0.05", -5), ("0", 0)]
)
def test_euros_are_read_in_both_ways_of_writing(text, cents):
    assert cents_from_euros(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1.234,50", "12.505", "12.", "1e3", "١٢"])
def test_what_is_not_money_is_refused(text):
    with pytest.raises(ValueError):
        cents_from_euros(text)


@given(st.integers(-10_000_000, 10_000_000))
def test_euros_written_read_back_the_same(cents):
    assert cents_from_euros(euros_text(cents)) == cents
