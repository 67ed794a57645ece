"""The money invariants of a bill, by example and by property (hypothesis).

However an order is split (by seat, by items, evenly, a line shared), and whatever
its rates, discounts and service charge, the checks add up to the cent to the
unsplit bill: in total, and per tax rate for discounts, service charge and tax.
"""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from billing.totals import (
    CheckDiscountIn,
    CheckIn,
    LineDiscountIn,
    LineIn,
    ShareIn,
    allocate,
    cash_rounded,
    compute_order,
    largest_remainder,
    line_discount_amounts,
    round_half_up,
)

RATES = [Decimal("9"), Decimal("21"), Decimal("0"), Decimal("7.25")]


def one_check_lines(lines):
    return [
        LineIn(
            key=key,
            amount=amount,
            tax_percent=rate,
            discounts=discounts,
            shares=(ShareIn(key=f"{key}-1", check=1, shares=1, of_shares=1),),
        )
        for key, amount, rate, discounts in lines
    ]


def test_allocate_adds_up_and_gives_odd_cents_to_largest_remainders():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(100, [1, 1, 1], start=1) == [33, 34, 33]
    assert allocate(3500, [1, 1, 1]) == [1167, 1167, 1166]
    assert allocate(10, [0, 0]) == [5, 5]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(7, [3, 1]) == [5, 2]  # 5.25 and 1.75: the 0.75 gets the cent


def test_largest_remainder_rounds_the_sum_half_up():
    assert largest_remainder([Fraction(1, 2), Fraction(1, 2)]) == [1, 0]
    assert largest_remainder([Fraction(1, 3)] * 3) == [1, 0, 0]
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(-5, 2)) == -3


def test_dutch_cash_rounding_to_five_cents():
    assert [cash_rounded(a, 5) for a in (1001, 1002, 1003, 1007, 1008)] == [1000, 1000, 1005, 1005, 1010]
    assert cash_rounded(1003, 1) == 1003


def test_line_discounts_never_take_more_than_is_left():
    assert line_discount_amounts(1000, [LineDiscountIn(percent=Decimal("10")), LineDiscountIn(amount=2000)]) == [
        100,
        900,
    ]
    assert line_discount_amounts(999, [LineDiscountIn(percent=Decimal("100"))]) == [999]


def test_dutch_bistro_check_tax_inside_the_price():
    # Steak 24.50 at 9%, two glasses of wine 2 x 6.50 at 21%, a 10% check discount, 12.5% service.
    lines = one_check_lines([("steak", 2450, Decimal("9"), ()), ("wine", 1300, Decimal("21"), ())])
    check = CheckIn(
        key=1,
        discounts=(CheckDiscountIn(key="d", percent=Decimal("10")),),
        service_percent=Decimal("12.5"),
    )
    totals = compute_order(lines=lines, checks=[check], prices_include_tax=True)[1]
    nine, twenty_one = sorted(totals.rates, key=lambda r: r.tax_percent)
    assert (nine.goods, nine.discount, nine.service_charge) == (2450, 245, 276)  # 12.5% of 22.05 = 2.75625
    assert nine.gross == 2450 - 245 + 276
    assert nine.tax == round_half_up(Fraction(nine.gross) * 9 / 109)
    assert (twenty_one.goods, twenty_one.discount, twenty_one.service_charge) == (1300, 130, 146)
    assert twenty_one.tax == round_half_up(Fraction(twenty_one.gross) * 21 / 121)
    assert totals.total == 3750 - 375 + 422
    assert totals.discount_amounts == {"d": 375}


def test_us_check_tax_on_top():
    lines = one_check_lines([("burger", 1500, Decimal("8.875"), ())])
    totals = compute_order(lines=lines, checks=[CheckIn(key=1)], prices_include_tax=False)[1]
    assert totals.tax == 133  # 1.33125
    assert totals.total == 1633


def test_a_bottle_shared_by_three_adds_up():
    line = LineIn(
        key="wine",
        amount=3500,
        tax_percent=Decimal("21"),
        shares=tuple(ShareIn(key=i, check=i, shares=1, of_shares=3) for i in range(3)),
    )
    result = compute_order(lines=[line], checks=[CheckIn(key=i) for i in range(3)], prices_include_tax=True)
    assert sorted(result[i].total for i in range(3)) == [1166, 1167, 1167]


def test_even_split_of_a_long_check_stays_within_a_cent():
    lines = [
        LineIn(
            key=n,
            amount=101 + n,
            tax_percent=RATES[n % 2],
            shares=tuple(ShareIn(key=(n, c), check=c, shares=1, of_shares=7) for c in range(7)),
        )
        for n in range(200)
    ]
    result = compute_order(lines=lines, checks=[CheckIn(key=c) for c in range(7)], prices_include_tax=True)
    totals = [result[c].total for c in range(7)]
    assert sum(totals) == sum(line.amount for line in lines)
    assert max(totals) - min(totals) <= 2


def test_a_frozen_check_keeps_its_figures():
    line = LineIn(
        key="wine",
        amount=3500,
        tax_percent=Decimal("21"),
        shares=(ShareIn(key="a", check="a", shares=1, of_shares=2), ShareIn(key="b", check="b", shares=1, of_shares=2)),
    )
    first = compute_order(lines=[line], checks=[CheckIn(key="a"), CheckIn(key="b")], prices_include_tax=True)
    frozen_a = first["a"]
    # Now the line is voided for what is left (amount 0): the paid half stays as it was.
    line_after = LineIn(
        key="wine",
        amount=3500,
        tax_percent=Decimal("21"),
        shares=(
            ShareIn(key="a", check="a", shares=1, of_shares=2, frozen_amount=1750, frozen_discount=0),
            ShareIn(key="b", check="b", shares=1, of_shares=2),
        ),
    )
    again = compute_order(
        lines=[line_after],
        checks=[CheckIn(key="a", frozen=frozen_a), CheckIn(key="b", service_percent=Decimal("10"))],
        prices_include_tax=True,
    )
    assert again["a"] is frozen_a
    assert again["b"].items_amount == 1750
    assert again["b"].service_charge == 175
    restored = type(frozen_a).from_dict("a", frozen_a.as_dict())
    assert restored.total == frozen_a.total and restored.rates == frozen_a.rates


# Properties ---------------------------------------------------------------------

line_discounts = st.lists(
    st.one_of(
        st.builds(LineDiscountIn, percent=st.decimals(min_value=0, max_value=100, places=2)),
        st.builds(LineDiscountIn, amount=st.integers(min_value=0, max_value=5000)),
    ),
    max_size=2,
).map(tuple)

order_lines = st.lists(
    st.tuples(st.integers(min_value=0, max_value=20000), st.sampled_from(RATES), line_discounts),
    min_size=1,
    max_size=25,
)

check_discounts = st.lists(
    st.one_of(
        st.decimals(min_value=0, max_value=50, places=2).map(lambda p: ("percent", p)),
        st.integers(min_value=0, max_value=3000).map(lambda a: ("amount", a)),
    ),
    max_size=2,
)


def build(lines_spec, assignment, shares_per_line, discounts_spec, service, per_check_discounts):
    """Lines with their shares spread over checks per `assignment`; check discounts given per check."""
    lines = []
    for n, (amount, rate, discounts) in enumerate(lines_spec):
        parts = shares_per_line[n]
        shares = tuple(ShareIn(key=(n, p), check=assignment[n][p], shares=1, of_shares=parts) for p in range(parts))
        lines.append(LineIn(key=n, amount=amount, tax_percent=rate, discounts=discounts, shares=shares))
    checks = [
        CheckIn(key=c, discounts=tuple(per_check_discounts.get(c, ())), service_percent=service)
        for c in sorted({c for row in assignment for c in row})
    ]
    return lines, checks


@settings(max_examples=300, deadline=None)
@given(
    lines_spec=order_lines,
    ways=st.integers(min_value=1, max_value=9),
    service=st.sampled_from([Decimal(0), Decimal("12.5"), Decimal("10"), Decimal("15.33")]),
    discounts_spec=check_discounts,
    include=st.booleans(),
    data=st.data(),
)
def test_any_split_adds_up_to_the_unsplit_bill(lines_spec, ways, service, discounts_spec, include, data):
    """Split an order's lines (whole or in shares) over checks: per rate and in total nothing moves a cent.

    Percent discounts are copied to every check of the split and fixed amounts are
    cut per rate in proportion to each check's goods, as the split services do.
    """
    whole_lines, whole_checks = build(
        lines_spec, [[0] for _ in lines_spec], [1] * len(lines_spec), discounts_spec, service, {}
    )
    whole_discounts = tuple(
        CheckDiscountIn(key=i, percent=v) if kind == "percent" else CheckDiscountIn(key=i, amount=v)
        for i, (kind, v) in enumerate(discounts_spec)
    )
    whole_checks = [CheckIn(key=0, discounts=whole_discounts, service_percent=service)]
    whole = compute_order(lines=whole_lines, checks=whole_checks, prices_include_tax=include)[0]

    shares_per_line = [data.draw(st.integers(min_value=1, max_value=ways)) for _ in lines_spec]
    assignment = [
        [data.draw(st.integers(min_value=0, max_value=ways - 1)) for _ in range(parts)] for parts in shares_per_line
    ]
    split_lines, _ = build(lines_spec, assignment, shares_per_line, discounts_spec, service, {})
    # First the goods per check per rate, to cut the fixed discounts the way a split does.
    plain = compute_order(
        lines=split_lines,
        checks=[CheckIn(key=c) for c in range(ways)],
        prices_include_tax=include,
    )
    per_check: dict[int, list] = {c: [] for c in range(ways)}
    for i, (kind, _value) in enumerate(discounts_spec):
        if kind == "percent":
            for c in range(ways):
                per_check[c].append(CheckDiscountIn(key=i, percent=_value))
    # All fixed discounts together, per rate, cut once in proportion to each check's goods of that rate.
    fixed_keys = [i for i, (kind, _value) in enumerate(discounts_spec) if kind == "amount"]
    for rate in {r.tax_percent for r in whole.rates} if fixed_keys else ():
        taken = sum(_fixed_taken(whole_lines, whole_discounts, include, rate, i) for i in fixed_keys)
        weights = [sum(s.net for s in plain[c].shares if split_lines[s.line].tax_percent == rate) for c in range(ways)]
        for c, part in enumerate(allocate(taken, weights)):
            if part:
                per_check[c].append(CheckDiscountIn(key=("fixed", str(rate)), amount=part, tax_percent=rate))
    checks = [CheckIn(key=c, discounts=tuple(per_check[c]), service_percent=service) for c in range(ways)]
    split = compute_order(lines=split_lines, checks=checks, prices_include_tax=include)

    assert sum(split[c].total for c in range(ways)) == whole.total
    assert sum(split[c].items_amount for c in range(ways)) == whole.items_amount
    for rate_totals in whole.rates:
        rate = rate_totals.tax_percent
        rows = [r for c in range(ways) for r in split[c].rates if r.tax_percent == rate]
        assert sum(r.goods for r in rows) == rate_totals.goods
        assert sum(r.discount for r in rows) == rate_totals.discount
        assert sum(r.service_charge for r in rows) == rate_totals.service_charge
        assert sum(r.tax for r in rows) == rate_totals.tax
    for c in range(ways):
        totals = split[c]
        assert totals.total == totals.goods - totals.check_discounts + totals.service_charge + (
            0 if include else totals.tax
        )
        for r in totals.rates:
            assert 0 <= r.discount <= r.goods or r.goods <= 0


def _fixed_taken(lines, discounts, include, rate, index):
    """How much of fixed discount `index` fell on `rate` on the unsplit check."""
    fixed = [d for d in discounts if d.amount is not None]
    if not fixed:
        return 0
    # Re-run with only the fixed discounts up to and including `index` to see this one's part per rate.
    before = compute_order(
        lines=lines,
        checks=[CheckIn(key=0, discounts=tuple(d for d in fixed if d.key < index))],
        prices_include_tax=include,
    )[0]
    upto = compute_order(
        lines=lines,
        checks=[CheckIn(key=0, discounts=tuple(d for d in fixed if d.key <= index))],
        prices_include_tax=include,
    )[0]

    def on_rate(totals):
        return next((r.discount for r in totals.rates if r.tax_percent == rate), 0)

    return on_rate(upto) - on_rate(before)
