"""A check's money cut by menu category and tax rate, the way a PMS folio wants it.

The PMS books restaurant revenue by category (food, beverage, ...) into its own
subtotals; the figures come from the check's frozen totals, so what the folio shows
is what the guest's receipt shows, to the cent. Part of a check (the rest paid by
cash, say) is cut down proportionally, so the parts still add up to what is posted.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils import translation

from billing.models import Check, CheckItem
from billing.totals import CheckTotals, allocate
from pms_integration.interfaces import RevenueSplit


def revenue_splits(*, check: Check, amount: int) -> tuple[tuple[RevenueSplit, ...], int]:
    """(splits, service charge) of `amount` cents of a frozen check; they add up to `amount` exactly.

    Each split's `amount - discount` (plus `tax` when prices exclude tax), plus the
    service charge, sums to `amount`.
    """
    figures = CheckTotals.from_dict(check.pk, check.frozen_totals)
    items = CheckItem.objects.filter(guest_check=check).select_related("line__item__category")
    # The PMS routes revenue by the category's name: one language for every posting, whoever posts it.
    with translation.override(settings.LANGUAGE_CODE):
        category_of = {item.pk: item.line.item.category.name for item in items}
    rate_of = {item.pk: item.line.tax_percent for item in items}
    groups: dict[tuple[Decimal, str], list[int]] = defaultdict(lambda: [0, 0])
    for share in figures.shares:
        group = groups[(rate_of[share.key], category_of[share.key])]
        group[0] += share.amount
        group[1] += share.discount
    splits: list[RevenueSplit] = []
    for rate in sorted(figures.rates, key=lambda r: r.tax_percent):
        keys = sorted(key for key in groups if key[0] == rate.tax_percent)
        if not keys:  # a rate with no goods of its own: book it on the house
            keys = [(rate.tax_percent, "")]
        goods = [groups[key][0] - groups[key][1] for key in keys]
        check_discounts = allocate(rate.discount, goods)
        taxes = allocate(rate.tax, goods)
        for key, discount, tax in zip(keys, check_discounts, taxes, strict=True):
            items_amount, line_discount = groups[key]
            splits.append(
                RevenueSplit(
                    category=key[1],
                    tax_percent=rate.tax_percent,
                    amount=items_amount,
                    discount=line_discount + discount,
                    tax=tax,
                )
            )
    service_charge = figures.service_charge
    if amount == figures.total:
        return tuple(splits), service_charge
    return _cut_down(splits, service_charge, amount=amount, taxes_included=figures.prices_include_tax)


def _cut_down(
    splits: list[RevenueSplit], service_charge: int, *, amount: int, taxes_included: bool
) -> tuple[tuple[RevenueSplit, ...], int]:
    """Scale every part to `amount`, keeping the sum exact (largest remainder on what each part adds)."""

    def adds(split: RevenueSplit) -> int:
        return split.amount - split.discount + (0 if taxes_included else split.tax)

    contributions = [adds(split) for split in splits] + [service_charge]
    scaled = allocate(amount, contributions)
    cut: list[RevenueSplit] = []
    for split, new, old in zip(splits, scaled, contributions, strict=False):
        discount = split.discount * new // old if old else 0
        tax = split.tax * new // old if old else 0
        cut.append(
            RevenueSplit(
                category=split.category,
                tax_percent=split.tax_percent,
                amount=new + discount - (0 if taxes_included else tax),
                discount=discount,
                tax=tax,
            )
        )
    return tuple(cut), scaled[-1]
