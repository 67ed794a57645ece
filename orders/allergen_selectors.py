"""Reads for the allergen matrix and the guests' allergen card: an outlet's dishes and choices."""

from typing import Any

from django.db.models import Prefetch

from orders.models import Category, Item, ItemModifierGroup, Menu, Modifier, ModifierGroup
from tables.models import Outlet


def _menus(outlet: Outlet, *, only_active: bool) -> list[Menu]:
    menus = Menu.objects.filter(outlet=outlet)
    if only_active:
        menus = menus.filter(is_active=True)
    return list(
        menus.prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("sort_order", "name")),
            Prefetch(
                "categories__items",
                queryset=Item.objects.order_by("sort_order", "name").prefetch_related(
                    Prefetch("itemmodifiergroup_set", queryset=ItemModifierGroup.objects.order_by("sort_order", "id"))
                ),
            ),
        )
    )


def _groups(group_ids: set[int]) -> list[ModifierGroup]:
    """The groups, and the groups their choices open (Side salad -> Dressing), one query per level."""
    groups: dict[int, ModifierGroup] = {}
    pending = set(group_ids)
    while pending:
        fetched = ModifierGroup.objects.filter(pk__in=pending).prefetch_related(
            Prefetch("modifiers", queryset=Modifier.objects.order_by("sort_order", "name"))
        )
        pending = set()
        for group in fetched:
            groups[group.pk] = group
            pending |= {m.opens_group_id for m in group.modifiers.all() if m.opens_group_id}
        pending -= set(groups)
    return sorted(groups.values(), key=lambda group: (group.sort_order, group.name, group.pk))


def outlet_allergens(*, outlet: Outlet, only_active: bool = False) -> dict[str, Any]:
    """An outlet's items by menu and category, and every choice offered with them, with their allergens.

    Five queries for a menu without nested groups (one more per level of nesting).
    """
    categories = []
    group_ids: set[int] = set()
    for menu in _menus(outlet, only_active=only_active):
        for category in menu.categories.all():
            items = []
            for item in category.items.all():
                groups = [link.group_id for link in item.itemmodifiergroup_set.all()]
                group_ids.update(groups)
                items.append(
                    {
                        "id": item.pk,
                        "name": item.name,
                        "description": item.description,
                        "allergens": item.allergens,
                        "modifier_groups": groups,
                    }
                )
            if items:
                categories.append({"id": category.pk, "name": category.name, "menu": menu.name, "items": items})
    groups = [
        {
            "id": group.pk,
            "name": group.name,
            "modifiers": [{"id": m.pk, "name": m.name, "allergens": m.allergens} for m in group.modifiers.all()],
        }
        for group in _groups(group_ids)
    ]
    return {
        "outlet": {"id": outlet.pk, "name": outlet.name},
        "categories": categories,
        "modifier_groups": [group for group in groups if group["modifiers"]],
    }
