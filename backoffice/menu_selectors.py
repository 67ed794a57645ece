"""What the menu editor shows for one outlet: its menus, categories and items with their
stations, every modifier group with its choices, and the lists the pickers offer.

A fixed ten queries whatever the size of the menu (pinned in a test).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch

from kitchen.models import Station
from orders.models import Category, Course, Item, ItemModifierGroup, Menu, Modifier, ModifierGroup, TaxRate
from orders.services import TRANSLATED_NAMES
from tables.models import Outlet


def _route(row) -> int | None:
    # The reverse one-to-one raises when there is no route; select_related caches that too.
    try:
        return row.station_route.station_id
    except ObjectDoesNotExist:
        return None


def _names(row, kind: str) -> dict[str, str]:
    """The row's names in every language, for the editor's inputs (`name` is the screen's own)."""
    return {
        f"{field}_{code}": getattr(row, f"{field}_{code}") or ""
        for field in TRANSLATED_NAMES[kind]
        for code, _label in settings.LANGUAGES
    }


def _item_entry(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.name,
        **_names(item, "item"),
        "short_name": item.short_name,
        "description": item.description,
        "price": item.price,
        "tax_rate": item.tax_rate_id,
        "takeaway_tax_rate": item.takeaway_tax_rate_id,
        "default_course": item.default_course,
        "colour": item.colour,
        "is_available": item.is_available,
        "station": _route(item),
        "modifier_groups": [link.group_id for link in item.itemmodifiergroup_set.all()],
    }


def _group_entry(group: ModifierGroup) -> dict[str, Any]:
    return {
        "id": group.pk,
        "name": group.name,
        **_names(group, "group"),
        "min_choices": group.min_choices,
        "max_choices": group.max_choices,
        "free_choices": group.free_choices,
        "choices": [
            {
                "id": m.pk,
                "name": m.name,
                **_names(m, "choice"),
                "price_delta": m.price_delta,
                "is_available": m.is_available,
                "opens_group": m.opens_group_id,
            }
            for m in group.modifiers.all()
        ],
    }


def menu_editor(*, outlet: Outlet) -> dict[str, Any]:
    """The outlet's whole menu as the editor edits it; modifier groups are shared by all outlets."""
    menus = Menu.objects.filter(outlet=outlet).prefetch_related(
        "windows",
        Prefetch(
            "categories", queryset=Category.objects.select_related("station_route").order_by("sort_order", "name")
        ),
        Prefetch(
            "categories__items",
            queryset=Item.objects.select_related("station_route")
            .order_by("sort_order", "name")
            .prefetch_related(
                Prefetch("itemmodifiergroup_set", queryset=ItemModifierGroup.objects.order_by("sort_order", "id"))
            ),
        ),
    )
    groups = ModifierGroup.objects.order_by("name", "pk").prefetch_related(
        Prefetch("modifiers", queryset=Modifier.objects.order_by("sort_order", "name"))
    )
    return {
        "outlet": {"id": outlet.pk, "name": outlet.name, "prices_include_tax": outlet.prices_include_tax},
        "menus": [
            {
                "id": menu.pk,
                "name": menu.name,
                **_names(menu, "menu"),
                "is_active": menu.is_active,
                "windows": [
                    {"weekdays": w.weekdays, "starts_at": f"{w.starts_at:%H:%M}", "ends_at": f"{w.ends_at:%H:%M}"}
                    for w in menu.windows.all()
                ],
                "categories": [
                    {
                        "id": category.pk,
                        "name": category.name,
                        **_names(category, "category"),
                        "colour": category.colour,
                        "default_course": category.default_course,
                        "station": _route(category),
                        "items": [_item_entry(item) for item in category.items.all()],
                    }
                    for category in menu.categories.all()
                ],
            }
            for menu in menus
        ],
        "modifier_groups": [_group_entry(group) for group in groups],
        "tax_rates": [
            {"id": r.pk, "name": r.name, "percent": str(r.percent.normalize())} for r in TaxRate.objects.all()
        ],
        "courses": [{"number": c.number, "name": c.name} for c in Course.objects.filter(outlet=outlet)],
        "stations": [
            {"id": s.pk, "name": s.name} for s in Station.objects.filter(outlet=outlet, kind=Station.Kind.PREP)
        ],
    }
