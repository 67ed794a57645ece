"""The manager's menu editor: menus and their hours, categories, items, modifier groups, and their order.

Every edit runs in one transaction, locks the row it changes, writes an audit entry with
what it set, and after commit tells the open tablets of the outlets concerned to take
their menu again (the floor socket's "menu" message, beside the 86 path's "item").
Orders are never touched: lines copied name, price and tax rate when ordered.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.models import (
    Category,
    Item,
    ItemModifierGroup,
    Menu,
    MenuWindow,
    Modifier,
    ModifierGroup,
    OrderLineModifier,
    TaxRate,
)
from staff.models import Role, User
from staff.services import record_audit
from tables.models import Outlet

MENU_EDITOR_ROLES = (Role.MANAGER,)
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MAX_PRICE = 10_000_000  # cents: € 100.000,00, far above any dish; keeps typos out
MAX_SORT = 32767
# Names are kept in every language of the site (name_en, name_nl: orders/translation.py); a
# screen shows its own and falls back to the other. Each kind's translated fields, in ONE place:
# field -> (max length, required in at least one language).
LANGUAGE_CODES = tuple(code for code, _label in settings.LANGUAGES)
NAME_ONLY = {"name": (80, True)}
ITEM_NAMES = {"name": (80, True), "short_name": (40, False), "description": (200, False)}
TRANSLATED_NAMES = {
    "menu": NAME_ONLY,
    "category": NAME_ONLY,
    "item": ITEM_NAMES,
    "group": NAME_ONLY,
    "choice": NAME_ONLY,
}


@dataclass(frozen=True)
class ServingWindow:
    weekdays: str
    starts_at: datetime.time
    ends_at: datetime.time


@dataclass(frozen=True)
class Choice:
    """One modifier of a group as the editor sends it; `id` None is a new one."""

    names: dict[str, str]
    price_delta: int = 0
    is_available: bool = True
    opens_group_id: int | None = None
    id: int | None = None


def _require_editor(by: User) -> None:
    if not by.has_role(*MENU_EDITOR_ROLES):
        raise PermissionDenied(_("Only a manager edits the menu."))


def _names(names: dict[str, str], kind: str, prefix: str = "") -> dict[str, str]:
    """Every translated field of `kind` in every language, trimmed: {"name_en": ..., "name_nl": ...}.

    A required one needs at least one language (the screens fall back to the other).
    """
    fields = TRANSLATED_NAMES[kind]
    known = {f"{field}_{code}" for field in fields for code in LANGUAGE_CODES}
    for key in names:
        if key not in known:
            raise ValidationError({prefix + key: _("Unknown field.")})
    cleaned = {}
    for field, (max_length, required) in fields.items():
        for code in LANGUAGE_CODES:
            key = f"{field}_{code}"
            value = names.get(key)
            value = value.strip() if isinstance(value, str) else ""
            if len(value) > max_length:
                raise ValidationError({prefix + key: _("At most %(count)d characters.") % {"count": max_length}})
            cleaned[key] = value
        if required and not any(cleaned[f"{field}_{code}"] for code in LANGUAGE_CODES):
            raise ValidationError({prefix + f"{field}_{code}": _("Give it a name.") for code in LANGUAGE_CODES})
    return cleaned


def _set_names(row, names: dict[str, str]) -> None:
    for key, value in names.items():
        setattr(row, key, value)


def _colour(value: str, *, field: str = "colour", blank: bool = False) -> str:
    value = (value or "").strip()
    if blank and not value:
        return ""
    if not COLOUR.fullmatch(value):
        raise ValidationError({field: _("A colour is written #rrggbb, e.g. #2e7d32.")})
    return value.lower()


def _course(value: int | None, *, field: str = "default_course", blank: bool = False) -> int | None:
    if value is None and blank:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9:
        raise ValidationError({field: _("A course is a number from 1 to 9.")})
    return value


def _price(value: int, field: str = "price", *, signed: bool = False) -> int:
    low = -MAX_PRICE if signed else 0
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_PRICE:
        raise ValidationError({field: _("Enter an amount from 0 to 100000 euros.")})
    return value


def _announce_outlets(outlet_ids: set[int]) -> None:
    broadcasts.announce_menu_on_commit(sorted(outlet_ids))


def _outlets_offering_group(group_id: int) -> set[int]:
    """The outlets whose items offer this group, directly or opened by another group's choice."""
    direct = Outlet.objects.filter(menus__categories__items__modifier_groups=group_id)
    opened = Outlet.objects.filter(menus__categories__items__modifier_groups__modifiers__opens_group=group_id)
    return set(direct.values_list("pk", flat=True)) | set(opened.values_list("pk", flat=True))


# ---- menus ---------------------------------------------------------------------------


def _windows(windows: list[ServingWindow]) -> list[ServingWindow]:
    for index, window in enumerate(windows):
        days = window.weekdays
        if not days or any(ch not in "0123456" for ch in days) or len(set(days)) != len(days):
            raise ValidationError({f"windows.{index}.weekdays": _("Pick at least one day.")})
        if window.starts_at == window.ends_at:
            raise ValidationError({f"windows.{index}.ends_at": _("The end cannot be the start.")})
    return windows


def save_menu(
    *,
    by: User,
    outlet: Outlet | None = None,
    menu: Menu | None = None,
    names: dict[str, str],
    is_active: bool = True,
    windows: list[ServingWindow] | None = None,
) -> Menu:
    """Create a menu for `outlet`, or change `menu`: its name, whether it is on, its serving windows.

    `windows` replaces the menu's windows; an empty list serves it all day, None keeps them.
    """
    _require_editor(by)
    names = _names(names, "menu")
    windows = _windows(windows) if windows is not None else None
    with transaction.atomic():
        if menu is None:
            if outlet is None:
                raise ValidationError({"outlet": _("Pick an outlet.")})
            last = Menu.objects.filter(outlet=outlet).order_by("-sort_order").first()
            menu = Menu(
                outlet=outlet,
                is_active=is_active,
                sort_order=min((last.sort_order + 1) if last else 0, MAX_SORT),
            )
            action = "menu_created"
        else:
            menu = Menu.objects.select_for_update().get(pk=menu.pk)
            menu.is_active = is_active
            action = "menu_changed"
        _set_names(menu, names)
        menu.save()
        if windows is not None:
            menu.windows.all().delete()
            MenuWindow.objects.bulk_create(
                MenuWindow(menu=menu, weekdays="".join(sorted(w.weekdays)), starts_at=w.starts_at, ends_at=w.ends_at)
                for w in windows
            )
        record_audit(
            actor=by,
            action=action,
            subject=menu,
            details={
                **names,
                "is_active": menu.is_active,
                "windows": [f"{w.weekdays} {w.starts_at:%H:%M}-{w.ends_at:%H:%M}" for w in windows or []],
            },
        )
        _announce_outlets({menu.outlet_id})
    return menu


# ---- categories ----------------------------------------------------------------------


def save_category(
    *,
    by: User,
    menu: Menu,
    category: Category | None = None,
    names: dict[str, str],
    colour: str,
    default_course: int = 1,
) -> Category:
    """Create a category at the end of `menu`, or change one (also moving it to `menu` of the same outlet)."""
    _require_editor(by)
    names, colour, default_course = _names(names, "category"), _colour(colour), _course(default_course)
    with transaction.atomic():
        if category is None:
            last = Category.objects.filter(menu=menu).order_by("-sort_order").first()
            category = Category(
                menu=menu,
                colour=colour,
                default_course=default_course,
                sort_order=min((last.sort_order + 1) if last else 0, MAX_SORT),
            )
            action = "category_created"
        else:
            category = Category.objects.select_for_update(of=("self",)).select_related("menu").get(pk=category.pk)
            if menu.outlet_id != category.menu.outlet_id:
                raise ValidationError({"menu": _("The menu belongs to another outlet.")})
            category.menu, category.colour, category.default_course = menu, colour, default_course
            action = "category_changed"
        _set_names(category, names)
        category.save()
        record_audit(
            actor=by,
            action=action,
            subject=category,
            details={**names, "colour": colour, "default_course": default_course, "menu": menu.pk},
        )
        _announce_outlets({menu.outlet_id})
    return category


def reorder_categories(*, by: User, menu: Menu, category_ids: list[int]) -> list[Category]:
    """Put the menu's categories in this order; the list names each of them once."""
    _require_editor(by)
    with transaction.atomic():
        categories = {c.pk: c for c in Category.objects.select_for_update().filter(menu=menu)}
        if sorted(category_ids) != sorted(categories):
            raise ValidationError({"categories": _("Name every category of this menu once.")})
        ordered = [categories[pk] for pk in category_ids]
        for index, category in enumerate(ordered):
            category.sort_order = index
        Category.objects.bulk_update(ordered, ["sort_order"])
        record_audit(actor=by, action="categories_reordered", subject=menu, details={"categories": category_ids})
        _announce_outlets({menu.outlet_id})
    return ordered


# ---- items ---------------------------------------------------------------------------


def _modifier_groups(ids: list[int]) -> list[int]:
    if len(set(ids)) != len(ids):
        raise ValidationError({"modifier_groups": _("A group is attached once.")})
    found = set(ModifierGroup.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        raise ValidationError({"modifier_groups": _("No such modifier group.")})
    return ids


def save_item(
    *,
    by: User,
    category: Category,
    item: Item | None = None,
    names: dict[str, str],
    price: int,
    tax_rate: TaxRate,
    takeaway_tax_rate: TaxRate | None = None,
    default_course: int | None = None,
    colour: str = "",
    is_available: bool = True,
    modifier_groups: list[int] | None = None,
) -> Item:
    """Create an item at the end of `category`, or change one (moving it to `category` of the same outlet).

    `modifier_groups` are attached in the order given; None keeps the item's.
    """
    _require_editor(by)
    names = _names(names, "item")
    price = _price(price)
    colour = _colour(colour, blank=True)
    default_course = _course(default_course, blank=True)
    with transaction.atomic():
        groups = _modifier_groups(modifier_groups) if modifier_groups is not None else None
        fields = {
            **names,
            "price": price,
            "tax_rate": tax_rate,
            "takeaway_tax_rate": takeaway_tax_rate,
            "default_course": default_course,
            "colour": colour,
            "is_available": is_available,
        }
        outlets = {category.menu.outlet_id}
        if item is None:
            last = Item.objects.filter(category=category).order_by("-sort_order").first()
            item = Item.objects.create(
                category=category, sort_order=min((last.sort_order + 1) if last else 0, MAX_SORT), **fields
            )
            action = "item_created"
        else:
            item = Item.objects.select_for_update(of=("self",)).select_related("category__menu").get(pk=item.pk)
            if item.category.menu.outlet_id != category.menu.outlet_id:
                raise ValidationError({"category": _("The category belongs to another outlet.")})
            if item.category_id != category.pk:
                last = Item.objects.filter(category=category).order_by("-sort_order").first()
                item.sort_order = min((last.sort_order + 1) if last else 0, MAX_SORT)
            item.category = category
            for field, value in fields.items():
                setattr(item, field, value)
            item.save()
            action = "item_changed"
        if groups is not None:
            ItemModifierGroup.objects.filter(item=item).delete()
            ItemModifierGroup.objects.bulk_create(
                ItemModifierGroup(item=item, group_id=group_id, sort_order=index)
                for index, group_id in enumerate(groups)
            )
        record_audit(
            actor=by,
            action=action,
            subject=item,
            details={
                **{key: value for key, value in fields.items() if "tax_rate" not in key},
                "tax_rate": tax_rate.pk,
                "takeaway_tax_rate": takeaway_tax_rate.pk if takeaway_tax_rate else None,
                "category": category.pk,
                "modifier_groups": groups,
            },
        )
        _announce_outlets(outlets)
    return item


def reorder_items(*, by: User, category: Category, item_ids: list[int]) -> list[Item]:
    """Put the category's items in this order; the list names each of them once."""
    _require_editor(by)
    with transaction.atomic():
        items = {i.pk: i for i in Item.objects.select_for_update().filter(category=category)}
        if sorted(item_ids) != sorted(items):
            raise ValidationError({"items": _("Name every item of this category once.")})
        ordered = [items[pk] for pk in item_ids]
        for index, item in enumerate(ordered):
            item.sort_order = index
        Item.objects.bulk_update(ordered, ["sort_order"])
        record_audit(actor=by, action="items_reordered", subject=category, details={"items": item_ids})
        _announce_outlets({category.menu.outlet_id})
    return ordered


# ---- modifier groups -----------------------------------------------------------------


def _check_choice_counts(min_choices: int, max_choices: int | None, free_choices: int) -> None:
    for field, value in (("min_choices", min_choices), ("free_choices", free_choices)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
            raise ValidationError({field: _("A number from 0 to 99.")})
    if max_choices is not None:
        if isinstance(max_choices, bool) or not isinstance(max_choices, int) or not 1 <= max_choices <= 99:
            raise ValidationError({"max_choices": _("A number from 1 to 99, or empty for no limit.")})
        if max_choices < min_choices:
            raise ValidationError({"max_choices": _("The maximum cannot be below the minimum.")})
        if free_choices > max_choices:
            raise ValidationError({"free_choices": _("Free choices cannot exceed the maximum.")})


def _groups_reached_from(start_ids: set[int]) -> set[int]:
    """Every group a guest can be led to from these groups by choices that open groups."""
    reached: set[int] = set()
    pending = set(start_ids)
    while pending:
        reached |= pending
        opened = Modifier.objects.filter(group__in=pending, opens_group__isnull=False).values_list(
            "opens_group", flat=True
        )
        pending = set(opened) - reached
    return reached


def save_modifier_group(
    *,
    by: User,
    group: ModifierGroup | None = None,
    names: dict[str, str],
    min_choices: int = 0,
    max_choices: int | None = None,
    free_choices: int = 0,
    choices: list[Choice],
) -> ModifierGroup:
    """Create a modifier group with its choices, or change one; `choices` is the whole list, in order.

    A choice may open another group (nested: Side salad -> Dressing), never one that leads
    back to this group. A choice left out is removed, unless it was ever ordered: then it
    stays on the old orders and the editor is told to mark it unavailable instead.
    """
    _require_editor(by)
    names = _names(names, "group")
    _check_choice_counts(min_choices, max_choices, free_choices)
    if not choices:
        raise ValidationError({"choices": _("A group needs at least one choice.")})
    choice_names = [_names(choice.names, "choice", f"choices.{index}.") for index, choice in enumerate(choices)]
    for index, choice in enumerate(choices):
        _price(choice.price_delta, f"choices.{index}.price_delta", signed=True)
    with transaction.atomic():
        if group is None:
            group = ModifierGroup(min_choices=min_choices, max_choices=max_choices, free_choices=free_choices)
            action = "modifier_group_created"
        else:
            group = ModifierGroup.objects.select_for_update().get(pk=group.pk)
            group.min_choices, group.max_choices = min_choices, max_choices
            group.free_choices = free_choices
            action = "modifier_group_changed"
        _set_names(group, names)
        group.save()
        existing = {m.pk: m for m in Modifier.objects.select_for_update().filter(group=group)}
        opened = {c.opens_group_id for c in choices if c.opens_group_id}
        known = set(ModifierGroup.objects.filter(pk__in=opened).values_list("pk", flat=True))
        for index, choice in enumerate(choices):
            if choice.id is not None and choice.id not in existing:
                raise ValidationError({f"choices.{index}.id": _("This choice belongs to another group.")})
            if choice.opens_group_id and choice.opens_group_id not in known:
                raise ValidationError({f"choices.{index}.opens_group": _("No such modifier group.")})
        if group.pk in _groups_reached_from(opened):
            raise ValidationError({"choices": _("A choice cannot lead back to its own group.")})
        kept = {c.id for c in choices if c.id is not None}
        gone = [pk for pk in existing if pk not in kept]
        if OrderLineModifier.objects.filter(modifier__in=gone).exists():
            raise ValidationError({"choices": _("A choice that was ordered stays: mark it unavailable instead.")})
        Modifier.objects.filter(pk__in=gone).delete()
        for index, choice in enumerate(choices):
            modifier = existing.get(choice.id) if choice.id else Modifier(group=group)
            _set_names(modifier, choice_names[index])
            modifier.price_delta = choice.price_delta
            modifier.is_available = choice.is_available
            modifier.opens_group_id = choice.opens_group_id
            modifier.sort_order = index
            modifier.save()
        record_audit(
            actor=by,
            action=action,
            subject=group,
            details={
                **names,
                "min_choices": min_choices,
                "max_choices": max_choices,
                "free_choices": free_choices,
                "choices": [
                    {**choice_names[index], "price_delta": c.price_delta, "opens_group": c.opens_group_id}
                    for index, c in enumerate(choices)
                ],
                "removed": gone,
            },
        )
        _announce_outlets(_outlets_offering_group(group.pk))
    return group
