"""Price changes by a manager: a percentage on a category or an outlet, price lists from a day, happy hours.

Every change is audited and announced to the outlet's tablets (the same `floor.item`
message an 86 sends, now carrying the price), and none touches a line already on an
order: lines copy their price when added.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.models import Category, HappyHour, HappyHourPrice, Item, PriceList, PriceListEntry
from orders.prices import ROUNDING_STEPS, base_price, price_after_percentage
from orders.selectors import local_now, price_rules
from staff.models import Role, User
from staff.services import record_audit
from tables.models import Outlet

# A bigger jump than this is a typo ("50" for "5.0"), not a price change.
MAX_PERCENT = Decimal(100)
MIN_PERCENT = Decimal(-90)


def _require_manager(by: User) -> None:
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager changes prices."))


def _percent(value) -> Decimal:
    try:
        percent = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"percent": _("Enter a percentage, e.g. 5 or -2.5.")}) from None
    if not percent.is_finite() or percent == 0 or not MIN_PERCENT <= percent <= MAX_PERCENT:
        raise ValidationError(
            {"percent": _("The percentage is between %(low)s and %(high)s, and not 0.") % {"low": -90, "high": 100}}
        )
    return percent


def _step(value) -> int:
    if value not in ROUNDING_STEPS:
        raise ValidationError({"rounding": _("Round to 1, 5, 10, 50 or 100 cents.")})
    return value


def _outlet_items(outlet: Outlet, category: Category | None):
    items = Item.objects.filter(category__menu__outlet=outlet).select_related("category")
    if category is not None:
        if category.menu.outlet_id != outlet.pk:
            raise ValidationError({"category": _("This category is on another outlet's menu.")})
        items = items.filter(category=category)
    return items.order_by("category__sort_order", "category__name", "sort_order", "name", "pk")


@dataclass(frozen=True)
class PriceChange:
    item: Item
    old: int
    new: int


def preview_percentage_change(
    *, outlet: Outlet, percent, category: Category | None = None, rounding: int = 1, starts_on=None
) -> list[PriceChange]:
    """Old -> new price of every item a percentage change would touch; writes nothing.

    The old price is the item's on the first day (a price list already in effect then counts).
    """
    percent, step = _percent(percent), _step(rounding)
    on = starts_on or local_now().date()
    items = list(_outlet_items(outlet, category))
    rules = price_rules(outlet_id=outlet.pk, on=on, item_ids=[item.pk for item in items])
    changes = []
    for item in items:
        old = base_price(item_id=item.pk, price=item.price, rules=rules, on=on)
        changes.append(PriceChange(item=item, old=old, new=price_after_percentage(old, percent, step=step)))
    return changes


def _first_day(starts_on) -> datetime.date | None:
    if starts_on in (None, ""):
        return None
    if not isinstance(starts_on, datetime.date):
        raise ValidationError({"starts_on": _("Enter a date.")})
    if starts_on < local_now().date():
        raise ValidationError({"starts_on": _("A price list cannot start in the past.")})
    return starts_on


def change_prices_by_percentage(
    *,
    outlet: Outlet,
    by: User,
    percent,
    category: Category | None = None,
    rounding: int = 1,
    starts_on: datetime.date | None = None,
    name: str = "",
) -> PriceList | list[PriceChange]:
    """Raise or lower the prices of a category (or the whole outlet) by a percentage.

    With a first day after today it becomes a scheduled price list (returned); without
    one the items' own prices change now (the changes are returned).
    """
    _require_manager(by)
    starts_on = _first_day(starts_on)
    changes = preview_percentage_change(
        outlet=outlet, percent=percent, category=category, rounding=rounding, starts_on=starts_on
    )
    if not changes:
        raise ValidationError({"category": _("There are no items to change.")})
    what = category.name if category is not None else outlet.name
    if starts_on is not None and starts_on > local_now().date():
        return schedule_price_list(
            outlet=outlet,
            by=by,
            name=name or f"{what} {_percent(percent):+}%",
            starts_on=starts_on,
            prices={change.item.pk: change.new for change in changes if change.new != change.old},
        )
    with transaction.atomic():
        locked = Item.objects.select_for_update().in_bulk([change.item.pk for change in changes])
        for change in changes:
            item = locked[change.item.pk]
            item.price = change.new
            item.save(update_fields=["price"])
        record_audit(
            actor=by,
            action="prices_changed_by_percentage",
            subject=category if category is not None else outlet,
            details={
                "outlet": outlet.pk,
                "percent": str(_percent(percent)),
                "rounding": rounding,
                "prices": {str(change.item.pk): [change.old, change.new] for change in changes},
            },
        )
        broadcasts.announce_prices_on_commit(outlet.pk, [change.item.pk for change in changes])
    return changes


def _clean_prices(outlet: Outlet, prices: Mapping[int, int]) -> dict[int, Item]:
    if not prices:
        raise ValidationError({"prices": _("Name at least one item and its new price.")})
    for item_id, price in prices.items():
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise ValidationError({f"prices.{item_id}": _("A price is a whole number of cents, 0 or more.")})
    items = Item.objects.filter(category__menu__outlet=outlet).in_bulk(list(prices))
    missing = [item_id for item_id in prices if item_id not in items]
    if missing:
        raise ValidationError({f"prices.{missing[0]}": _("No such item on this outlet's menu.")})
    return items


def schedule_price_list(
    *, outlet: Outlet, by: User, name: str, starts_on: datetime.date, prices: Mapping[int, int]
) -> PriceList:
    """New prices for some items from a first day on (today or later); shown as scheduled until then."""
    _require_manager(by)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": _("Give the price list a name (at most 80 characters).")})
    if _first_day(starts_on) is None:
        raise ValidationError({"starts_on": _("Enter a date.")})
    with transaction.atomic():
        items = _clean_prices(outlet, prices)
        price_list = PriceList.objects.create(outlet=outlet, name=name, starts_on=starts_on, created_by=by)
        PriceListEntry.objects.bulk_create(
            PriceListEntry(price_list=price_list, item_id=item_id, price=price, price_before=items[item_id].price)
            for item_id, price in prices.items()
        )
        record_audit(
            actor=by,
            action="price_list_scheduled",
            subject=price_list,
            details={
                "outlet": outlet.pk,
                "starts_on": starts_on.isoformat(),
                "prices": {str(k): v for k, v in prices.items()},
            },
        )
        if starts_on <= local_now().date():
            broadcasts.announce_prices_on_commit(outlet.pk, list(prices))
    return price_list


def cancel_price_list(*, price_list: PriceList, by: User) -> PriceList:
    """Call off a price list before its first day; one in effect stays (schedule a new one instead)."""
    _require_manager(by)
    with transaction.atomic():
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
        if price_list.state_on(local_now().date()) != PriceList.State.SCHEDULED:
            raise ValidationError({"price_list": _("Only a price list that has not started can be cancelled.")})
        price_list.cancelled_at, price_list.cancelled_by = timezone.now(), by
        price_list.save(update_fields=["cancelled_at", "cancelled_by"])
        record_audit(actor=by, action="price_list_cancelled", subject=price_list, details={"name": price_list.name})
    return price_list


def _clean_happy_hour(outlet: Outlet, *, name, weekdays, starts_at, ends_at, item_prices, category_percents):
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": _("Give the happy hour a name (at most 80 characters).")})
    if not weekdays or not isinstance(weekdays, str) or any(ch not in "0123456" for ch in weekdays):
        raise ValidationError({"weekdays": _("Choose at least one day.")})
    weekdays = "".join(sorted(set(weekdays)))
    if not isinstance(starts_at, datetime.time):
        raise ValidationError({"starts_at": _("Enter a time.")})
    if not isinstance(ends_at, datetime.time) or ends_at == starts_at:
        raise ValidationError({"ends_at": _("Enter a time other than the start.")})
    if not item_prices and not category_percents:
        raise ValidationError({"prices": _("Give a price for an item or a % off for a category.")})
    if item_prices:
        _clean_prices(outlet, item_prices)
    categories = Category.objects.filter(menu__outlet=outlet).in_bulk(list(category_percents or {}))
    for category_id, percent in (category_percents or {}).items():
        if category_id not in categories:
            raise ValidationError({f"categories.{category_id}": _("No such category on this outlet's menu.")})
        if not isinstance(percent, Decimal) or not Decimal("0.01") <= percent <= 100:
            raise ValidationError({f"categories.{category_id}": _("The % off is between 0.01 and 100.")})
    return name, weekdays


def _affected_items(outlet: Outlet, happy_hour: HappyHour) -> list[int]:
    rules = list(happy_hour.prices.all())
    categories = [rule.category_id for rule in rules if rule.category_id]
    items = [rule.item_id for rule in rules if rule.item_id]
    items += list(Item.objects.filter(category__in=categories).values_list("pk", flat=True))
    return items


def save_happy_hour(
    *,
    outlet: Outlet,
    by: User,
    name: str,
    weekdays: str,
    starts_at: datetime.time,
    ends_at: datetime.time,
    item_prices: Mapping[int, int] | None = None,
    category_percents: Mapping[int, Decimal] | None = None,
    is_active: bool = True,
    happy_hour: HappyHour | None = None,
) -> HappyHour:
    """Create a happy hour, or replace one's window and prices (`happy_hour` given)."""
    _require_manager(by)
    item_prices, category_percents = dict(item_prices or {}), dict(category_percents or {})
    with transaction.atomic():
        name, weekdays = _clean_happy_hour(
            outlet,
            name=name,
            weekdays=weekdays,
            starts_at=starts_at,
            ends_at=ends_at,
            item_prices=item_prices,
            category_percents=category_percents,
        )
        touched: list[int] = []
        if happy_hour is None:
            happy_hour = HappyHour(outlet=outlet)
        else:
            happy_hour = HappyHour.objects.select_for_update().get(pk=happy_hour.pk, outlet=outlet)
            touched = _affected_items(outlet, happy_hour)
            happy_hour.prices.all().delete()
        happy_hour.name, happy_hour.weekdays, happy_hour.is_active = name, weekdays, bool(is_active)
        happy_hour.starts_at, happy_hour.ends_at = starts_at, ends_at
        created = happy_hour.pk is None
        happy_hour.save()
        HappyHourPrice.objects.bulk_create(
            [HappyHourPrice(happy_hour=happy_hour, item_id=k, price=v) for k, v in item_prices.items()]
            + [
                HappyHourPrice(happy_hour=happy_hour, category_id=k, percent_off=v)
                for k, v in category_percents.items()
            ]
        )
        record_audit(
            actor=by,
            action="happy_hour_created" if created else "happy_hour_changed",
            subject=happy_hour,
            details={
                "outlet": outlet.pk,
                "weekdays": weekdays,
                "from": starts_at.strftime("%H:%M"),
                "until": ends_at.strftime("%H:%M"),
                "items": {str(k): v for k, v in item_prices.items()},
                "categories": {str(k): str(v) for k, v in category_percents.items()},
                "active": happy_hour.is_active,
            },
        )
        broadcasts.announce_prices_on_commit(outlet.pk, touched + _affected_items(outlet, happy_hour))
    return happy_hour


def remove_happy_hour(*, happy_hour: HappyHour, by: User) -> None:
    """End a happy hour for good (lines keep the prices they got during it)."""
    _require_manager(by)
    with transaction.atomic():
        happy_hour = HappyHour.objects.select_for_update().get(pk=happy_hour.pk)
        touched = _affected_items(happy_hour.outlet, happy_hour)
        record_audit(
            actor=by,
            action="happy_hour_removed",
            subject=happy_hour,
            details={"name": happy_hour.name, "outlet": happy_hour.outlet_id},
        )
        outlet_id = happy_hour.outlet_id
        happy_hour.delete()
        broadcasts.announce_prices_on_commit(outlet_id, touched)
