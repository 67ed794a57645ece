"""The arithmetic of a bill, in integer cents, with no database.

Every amount a guest sees is computed here from what was ordered, never typed in.
The rules, in order:

1. A line's amount is qty x (unit price + modifiers). Its own discounts (percent,
   amount, comp) come off it, each rounded half up on the line.
2. A line may be spread over several checks in shares (a bottle of wine over 3
   checks). Its discounted amount is cut into those shares by largest remainder, so
   the shares always add up to the line. Remainder cents go round-robin over the
   order's lines, so an even split of a long check stays within a few cents per check.
3. Per check and per tax rate: check discounts (percent of the goods, or a fixed
   amount spread over the rates by their goods, or a fixed amount on one rate), then
   the service charge (a percent of what is left), then the tax on that base (tax
   inside the price in the EU, added to it in the US).
4. Discounts, service charge and tax are rounded *jointly over the open checks of
   the order*: the exact (rational) amounts are summed, the sum is rounded half up,
   and the cents are handed out by largest remainder. So however a bill is split,
   the checks add up to the cent to what the unsplit bill would be, per rate and in
   total, and each check is within a cent of its own exact figures.

A check that has taken a payment is frozen: its figures are stored and used as they
are, and the open checks are rounded among themselves. A later change on another
check can never move a cent on a check the guest has already paid.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

HUNDRED = Fraction(100)


def round_half_up(value: Fraction) -> int:
    """Commercial rounding of an exact amount to whole cents (halves away from zero)."""
    if value < 0:
        return -round_half_up(-value)
    return math.floor(value + Fraction(1, 2))


def percent_of(amount: int, percent: Decimal | Fraction | int) -> int:
    """`percent`% of `amount`, rounded half up."""
    return round_half_up(Fraction(amount) * Fraction(percent) / HUNDRED)


def allocate(total: int, weights: Sequence[int], *, start: int = 0) -> list[int]:
    """Cut `total` into parts proportional to `weights` that add up to exactly `total`.

    Largest remainder: each part is first rounded down, then the cents left go to the
    parts with the largest fractions. Ties go to positions from `start` onwards, so a
    caller spreading many totals over the same parts can rotate who gets the odd cent.
    With all weights zero the total is cut into equal parts.
    """
    if not weights:
        if total:
            raise ValueError("Cannot allocate a non-zero total over no parts.")
        return []
    if total < 0:
        return [-part for part in allocate(-total, weights, start=start)]
    if any(w < 0 for w in weights):
        raise ValueError("Weights must not be negative.")
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    parts = []
    remainders = []
    for w in weights:
        share, remainder = divmod(total * w, weight_sum)
        parts.append(share)
        remainders.append(remainder)
    left = total - sum(parts)
    n = len(weights)
    order = sorted(range(n), key=lambda i: (-remainders[i], (i - start) % n))
    for i in order[:left]:
        parts[i] += 1
    return parts


def largest_remainder(exact: Sequence[Fraction]) -> list[int]:
    """Round exact amounts to cents so that they add up to the rounded exact sum."""
    if not exact:
        return []
    target = round_half_up(sum(exact, Fraction(0)))
    floors = [math.floor(value) for value in exact]
    left = target - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    # left is between 0 and len(exact): the floors lose less than one cent each.
    for i in order[:left]:
        floors[i] += 1
    return floors


# What goes in -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LineDiscountIn:
    """A discount on one order line: `percent` (100 for a comp) or a fixed `amount`."""

    percent: Decimal | None = None
    amount: int | None = None


@dataclass(frozen=True, kw_only=True)
class ShareIn:
    """A part of a line on a check: `shares` of the line's `of_shares`.

    `frozen_amount`/`frozen_discount` are set when the check is frozen (paid on):
    the share keeps those figures and the rest of the line goes to the other shares.
    """

    key: Hashable
    check: Hashable
    shares: int
    of_shares: int
    frozen_amount: int | None = None
    frozen_discount: int | None = None


@dataclass(frozen=True, kw_only=True)
class LineIn:
    key: Hashable
    amount: int  # qty x (unit + modifiers); 0 for a void line
    tax_percent: Decimal
    discounts: tuple[LineDiscountIn, ...] = ()
    shares: tuple[ShareIn, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CheckDiscountIn:
    """A discount on a whole check: a percent of its goods, or a fixed amount.

    A fixed amount with `tax_percent` applies to the goods of that rate only (what
    a split leaves of a fixed discount); without, it is spread over the rates.
    """

    key: Hashable
    percent: Decimal | None = None
    amount: int | None = None
    tax_percent: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class CheckIn:
    key: Hashable
    discounts: tuple[CheckDiscountIn, ...] = ()
    service_percent: Decimal = Decimal(0)
    frozen: CheckTotals | None = None


# What comes out ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShareOut:
    key: Hashable
    line: Hashable
    amount: int  # the share of the line's amount, before its discounts
    discount: int  # the share of the line's own discounts (positive)

    @property
    def net(self) -> int:
        return self.amount - self.discount


@dataclass(frozen=True, kw_only=True)
class RateTotals:
    """One tax rate on one check. `base` is what the tax is reckoned on or in."""

    tax_percent: Decimal
    goods: int  # line shares after their own discounts
    discount: int  # check discounts on this rate (positive)
    service_charge: int
    tax: int
    net: int
    gross: int


@dataclass(frozen=True, kw_only=True)
class CheckTotals:
    key: Hashable
    prices_include_tax: bool
    shares: tuple[ShareOut, ...]
    rates: tuple[RateTotals, ...]
    # Per check discount, how much of it applied (positive); keyed like the input.
    discount_amounts: dict = field(default_factory=dict)
    service_percent: Decimal = Decimal(0)

    @property
    def items_amount(self) -> int:
        """What the lines come to before any discount."""
        return sum(s.amount for s in self.shares)

    @property
    def line_discounts(self) -> int:
        return sum(s.discount for s in self.shares)

    @property
    def goods(self) -> int:
        return sum(r.goods for r in self.rates)

    @property
    def check_discounts(self) -> int:
        return sum(r.discount for r in self.rates)

    @property
    def service_charge(self) -> int:
        return sum(r.service_charge for r in self.rates)

    @property
    def tax(self) -> int:
        return sum(r.tax for r in self.rates)

    @property
    def total(self) -> int:
        return sum(r.gross for r in self.rates)

    def as_dict(self) -> dict:
        """A JSON-able copy, to freeze a check's figures (see `from_dict`)."""
        return {
            "prices_include_tax": self.prices_include_tax,
            "service_percent": str(self.service_percent),
            "shares": [[s.key, s.line, s.amount, s.discount] for s in self.shares],
            "rates": [
                [str(r.tax_percent), r.goods, r.discount, r.service_charge, r.tax, r.net, r.gross] for r in self.rates
            ],
            "discount_amounts": [[k, v] for k, v in self.discount_amounts.items()],
        }

    @classmethod
    def from_dict(cls, key: Hashable, data: dict) -> CheckTotals:
        return cls(
            key=key,
            prices_include_tax=data["prices_include_tax"],
            service_percent=Decimal(data["service_percent"]),
            shares=tuple(ShareOut(key=k, line=ln, amount=a, discount=d) for k, ln, a, d in data["shares"]),
            rates=tuple(
                RateTotals(tax_percent=Decimal(p), goods=g, discount=d, service_charge=s, tax=t, net=n, gross=gr)
                for p, g, d, s, t, n, gr in data["rates"]
            ),
            discount_amounts=dict((k, v) for k, v in data["discount_amounts"]),  # noqa: C402 - keys may be lists
        )


# The computation --------------------------------------------------------------


def line_discount_amounts(amount: int, discounts: Iterable[LineDiscountIn]) -> list[int]:
    """How much each of a line's discounts takes, in order; never more than is left."""
    left = amount
    taken = []
    for discount in discounts:
        cut = percent_of(left, discount.percent) if discount.percent is not None else discount.amount or 0
        cut = max(0, min(cut, left))
        taken.append(cut)
        left -= cut
    return taken


def _split_lines(lines: Sequence[LineIn]) -> dict[Hashable, list[ShareOut]]:
    """Cut every line into its shares; returns the shares per check."""
    per_check: dict[Hashable, list[ShareOut]] = defaultdict(list)
    cursor = 0
    for line in lines:
        discount = sum(line_discount_amounts(line.amount, line.discounts))
        frozen = [s for s in line.shares if s.frozen_amount is not None]
        moving = [s for s in line.shares if s.frozen_amount is None]
        for share in frozen:
            per_check[share.check].append(
                ShareOut(key=share.key, line=line.key, amount=share.frozen_amount, discount=share.frozen_discount or 0)
            )
        if not moving:
            continue
        amount_left = line.amount - sum(s.frozen_amount for s in frozen)
        discount_left = discount - sum(s.frozen_discount or 0 for s in frozen)
        weights = [s.shares for s in moving]
        start = cursor % len(moving)
        amounts = allocate(amount_left, weights, start=start)
        discounts = allocate(discount_left, weights, start=start)
        # Rotate who gets the odd cents, so 200 lines split 7 ways do not all favour check 1.
        total_weight = sum(weights)
        cursor += amount_left - sum(amount_left * w // total_weight for w in weights) if total_weight else 0
        for share, amount, cut in zip(moving, amounts, discounts, strict=True):
            per_check[share.check].append(ShareOut(key=share.key, line=line.key, amount=amount, discount=cut))
    return per_check


def _goods_by_rate(shares: Iterable[ShareOut], rate_of_line: dict) -> dict[Decimal, int]:
    goods: dict[Decimal, int] = defaultdict(int)
    for share in shares:
        goods[rate_of_line[share.line]] += share.net
    return goods


def compute_order(
    *, lines: Sequence[LineIn], checks: Sequence[CheckIn], prices_include_tax: bool
) -> dict[Hashable, CheckTotals]:
    """Every check's totals for one order (see the module's docstring for the rules)."""
    rate_of_line = {line.key: Decimal(line.tax_percent) for line in lines}
    shares_per_check = _split_lines(lines)
    result: dict[Hashable, CheckTotals] = {}
    open_checks = []
    for check in checks:
        if check.frozen is not None:
            result[check.key] = check.frozen
        else:
            open_checks.append(check)
    if not open_checks:
        return result

    rates = sorted({rate for line in lines for rate in [rate_of_line[line.key]]}, reverse=True)
    goods = {c.key: _goods_by_rate(shares_per_check.get(c.key, ()), rate_of_line) for c in open_checks}

    # Stage 1: check discounts, per rate. Fixed amounts are whole cents already.
    fixed: dict[Hashable, dict[Decimal, int]] = {}
    applied: dict[Hashable, dict] = {}
    for check in open_checks:
        per_rate: dict[Decimal, int] = defaultdict(int)
        applied[check.key] = {}
        for discount in check.discounts:
            if discount.amount is None:
                continue
            if discount.tax_percent is not None:
                rate = Decimal(discount.tax_percent)
                cut = min(discount.amount, goods[check.key].get(rate, 0) - per_rate[rate])
                per_rate[rate] += max(cut, 0)
                applied[check.key][discount.key] = max(cut, 0)
            else:
                room = {r: goods[check.key].get(r, 0) - per_rate[r] for r in rates}
                amount = max(0, min(discount.amount, sum(room.values())))
                parts = allocate(amount, [room[r] for r in rates])
                for r, part in zip(rates, parts, strict=True):
                    per_rate[r] += part
                applied[check.key][discount.key] = amount
        fixed[check.key] = per_rate
    percent_discount = {}
    for rate in rates:
        exact = []
        for check in open_checks:
            percent = sum((Fraction(d.percent) for d in check.discounts if d.percent is not None), Fraction(0))
            room = goods[check.key].get(rate, 0) - fixed[check.key].get(rate, 0)
            exact.append(Fraction(room) * min(percent, HUNDRED) / HUNDRED)
        for check, cents in zip(open_checks, largest_remainder(exact), strict=True):
            percent_discount[check.key, rate] = cents
    # How much each percent discount took, for the receipt: the check's percent cut shared by their percents.
    for check in open_checks:
        percent_total = sum(percent_discount[check.key, r] for r in rates)
        percents = [d for d in check.discounts if d.percent is not None]
        if percents:
            parts = allocate(percent_total, [int(Fraction(d.percent) * 100) for d in percents])
            for d, part in zip(percents, parts, strict=True):
                applied[check.key][d.key] = part

    # Stage 2: the service charge on what is left, per rate.
    after = {
        (c.key, r): goods[c.key].get(r, 0) - fixed[c.key].get(r, 0) - percent_discount[c.key, r]
        for c in open_checks
        for r in rates
    }
    service = {}
    for rate in rates:
        exact = [Fraction(after[c.key, rate]) * Fraction(c.service_percent) / HUNDRED for c in open_checks]
        for check, cents in zip(open_checks, largest_remainder(exact), strict=True):
            service[check.key, rate] = cents

    # Stage 3: the tax on that base, inside the price or on top of it.
    tax = {}
    for rate in rates:
        r = Fraction(rate)
        divisor = (HUNDRED + r) if prices_include_tax else HUNDRED
        exact = [Fraction(after[c.key, rate] + service[c.key, rate]) * r / divisor for c in open_checks]
        for check, cents in zip(open_checks, largest_remainder(exact), strict=True):
            tax[check.key, rate] = cents

    for check in open_checks:
        rows = []
        for rate in rates:
            g = goods[check.key].get(rate, 0)
            if not g and not any(s for s in shares_per_check.get(check.key, ()) if rate_of_line[s.line] == rate):
                continue
            base = after[check.key, rate] + service[check.key, rate]
            t = tax[check.key, rate]
            rows.append(
                RateTotals(
                    tax_percent=rate,
                    goods=g,
                    discount=fixed[check.key].get(rate, 0) + percent_discount[check.key, rate],
                    service_charge=service[check.key, rate],
                    tax=t,
                    net=base - t if prices_include_tax else base,
                    gross=base if prices_include_tax else base + t,
                )
            )
        result[check.key] = CheckTotals(
            key=check.key,
            prices_include_tax=prices_include_tax,
            shares=tuple(shares_per_check.get(check.key, ())),
            rates=tuple(rows),
            discount_amounts=applied[check.key],
            service_percent=Decimal(check.service_percent),
        )
    return result


def cash_rounded(amount: int, step: int) -> int:
    """`amount` rounded to the nearest `step` cents for cash (Dutch: 5), halves up."""
    if step <= 1:
        return amount
    return round_half_up(Fraction(amount, step)) * step


def quantize_percent(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
