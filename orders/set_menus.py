"""How a set menu's one price is spread over the dishes chosen in it, in whole cents.

Dutch VAT wants a mixed-rate set split by the value of its parts: each dish's share
is proportional to its own menu price (largest remainder, so the shares add up to the
set price exactly), and each share is taxed at that dish's rate.
"""

from collections.abc import Sequence


def spread_set_price(set_price: int, part_prices: Sequence[int]) -> list[int]:
    """Cut `set_price` into shares proportional to `part_prices` that add up to it exactly.

    The leftover cents go to the parts with the largest fractions (the earlier part on a
    tie); with every part priced 0 the set price is cut into equal shares.
    """
    if set_price < 0 or any(price < 0 for price in part_prices):
        raise ValueError("Prices must not be negative.")
    if not part_prices:
        if set_price:
            raise ValueError("A set menu needs at least one dish to carry its price.")
        return []
    weights = list(part_prices) if any(part_prices) else [1] * len(part_prices)
    weight_sum = sum(weights)
    shares, remainders = [], []
    for weight in weights:
        share, remainder = divmod(set_price * weight, weight_sum)
        shares.append(share)
        remainders.append(remainder)
    by_fraction = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_fraction[: set_price - sum(shares)]:
        shares[i] += 1
    return shares
