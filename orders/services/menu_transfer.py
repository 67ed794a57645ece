"""A menu moved as a whole: copied to another outlet, or read in from a CSV file.

Both run in one transaction: a copy or an import is all there or not at all.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.menu_file import DEFAULT_LANGUAGE, LANGUAGES, NAMED, MenuRow, key_name, read_menu_csv
from orders.models import (
    Category,
    Course,
    Item,
    ItemModifierGroup,
    Menu,
    ModifierGroup,
)
from staff.models import Role, User
from staff.services import record_audit
from tables.models import Outlet


def _require_manager(by: User) -> None:
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager changes menus."))


def _clone(obj: models.Model, **changes) -> models.Model:
    """A new row with every field of `obj` (each language's name too), `changes` applied."""
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and not f.auto_created
    }
    values.update(changes)
    return type(obj).objects.create(**values)


@dataclass(frozen=True)
class MenuCopy:
    menus: int
    categories: int
    items: int
    modifier_groups: int


def copy_menu(*, source: Outlet, target: Outlet, by: User) -> MenuCopy:
    """Copy an outlet's menus (windows, categories, items, modifier groups and their links) to another.

    The copies are the target's own: its manager may change prices or 86 a choice there
    without touching the source. The target's courses are taken from the source when it
    has none. Kitchen routes stay the kitchen's to set.
    """
    _require_manager(by)
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another outlet to copy to.")})
    with transaction.atomic():
        # The target first, locked: two copies into one outlet run one after the other.
        Outlet.objects.select_for_update().get(pk=target.pk)
        menus = list(Menu.objects.filter(outlet=source).prefetch_related("windows", "categories__items"))
        items = [item for menu in menus for category in menu.categories.all() for item in category.items.all()]
        links = list(ItemModifierGroup.objects.filter(item__in=items).order_by("sort_order", "pk"))
        groups = _copy_modifier_groups({link.group_id for link in links})
        new_items: dict[int, Item] = {}
        categories = 0
        for menu in menus:
            new_menu = _clone(menu, outlet_id=target.pk)
            for window in menu.windows.all():
                _clone(window, menu_id=new_menu.pk)
            for category in menu.categories.all():
                new_category = _clone(category, menu_id=new_menu.pk)
                categories += 1
                for item in category.items.all():
                    new_items[item.pk] = _clone(item, category_id=new_category.pk, remaining_qty=None)
        ItemModifierGroup.objects.bulk_create(
            ItemModifierGroup(item=new_items[link.item_id], group=groups[link.group_id], sort_order=link.sort_order)
            for link in links
        )
        if not Course.objects.filter(outlet=target).exists():
            for course in Course.objects.filter(outlet=source):
                _clone(course, outlet_id=target.pk)
        result = MenuCopy(menus=len(menus), categories=categories, items=len(new_items), modifier_groups=len(groups))
        record_audit(
            actor=by,
            action="menu_copied",
            subject=target,
            details={"from": source.pk, "to": target.pk, **result.__dict__},
        )
        broadcasts.announce_prices_on_commit(target.pk, [item.pk for item in new_items.values()])
    return result


def _copy_modifier_groups(group_ids: set[int]) -> dict[int, ModifierGroup]:
    """Copies of these groups and of every group their choices open, with the openings re-pointed."""
    groups: dict[int, ModifierGroup] = {}
    pending = set(group_ids)
    while pending:  # nested groups: a choice may open a group no item has
        found = list(ModifierGroup.objects.filter(pk__in=pending).prefetch_related("modifiers"))
        pending = set()
        for group in found:
            groups[group.pk] = group
            pending.update(m.opens_group_id for m in group.modifiers.all() if m.opens_group_id)
        pending -= set(groups)
    copies = {pk: _clone(group) for pk, group in groups.items()}
    for pk, group in groups.items():
        for modifier in group.modifiers.all():
            _clone(
                modifier,
                group_id=copies[pk].pk,
                opens_group_id=copies[modifier.opens_group_id].pk if modifier.opens_group_id else None,
            )
    return copies


@dataclass(frozen=True)
class MenuImport:
    created: int
    updated: int


def _names_of(row: MenuRow, prefix: str, model_field: str) -> dict[str, str]:
    # Only the languages' own fields: the plain one would write the screen's language.
    return {f"{model_field}_{language}": row.names[prefix][language] for language in LANGUAGES}


def import_menu_file(*, outlet: Outlet, by: User, text: str) -> MenuImport:
    """Read a menu file into an outlet: every row is checked first, and nothing is written if one is wrong.

    Items found by code (or menu, category and name) are updated; the rest are created,
    with their menu and category when those are new. Raises `MenuFileErrors`.
    """
    _require_manager(by)
    rows = read_menu_csv(text)
    with transaction.atomic(), translation.override(DEFAULT_LANGUAGE):
        Outlet.objects.select_for_update().get(pk=outlet.pk)
        menus = {key_name(menu): menu for menu in Menu.objects.filter(outlet=outlet)}
        categories = {
            (c.menu_id, key_name(c)): c for c in Category.objects.filter(menu__outlet=outlet).select_related("menu")
        }
        items = list(Item.objects.filter(category__menu__outlet=outlet))
        by_code = {item.code: item for item in items if item.code}
        by_name = {(item.category_id, key_name(item)): item for item in items}
        created = updated = 0
        changed: list[int] = []
        for row in rows:
            menu = menus.get(row.name("menu"))
            if menu is None:
                menu = Menu.objects.create(outlet=outlet, sort_order=len(menus), **_names_of(row, "menu", "name"))
                menus[row.name("menu")] = menu
            category = categories.get((menu.pk, row.name("category")))
            if category is None:
                count = sum(1 for key in categories if key[0] == menu.pk)
                category = Category.objects.create(menu=menu, sort_order=count, **_names_of(row, "category", "name"))
                categories[(menu.pk, row.name("category"))] = category
            item = by_code.get(row.code) if row.code else by_name.get((category.pk, row.name("name")))
            values = {
                "code": row.code,
                "category": category,
                "price": row.price,
                "tax_rate": row.tax_rate,
                "takeaway_tax_rate": row.takeaway_tax_rate,
                "default_course": row.course,
                "colour": row.colour,
                "is_available": row.is_available,
            }
            for prefix, model_field in NAMED[2:]:
                values.update(_names_of(row, prefix, model_field))
            if item is None:
                position = sum(1 for known in by_name.values() if known.category_id == category.pk)
                item = Item.objects.create(sort_order=position, **values)
                created += 1
            else:
                for name, value in values.items():
                    setattr(item, name, value)
                item.save()
                updated += 1
            by_name[(category.pk, row.name("name"))] = item
            if item.code:
                by_code[item.code] = item
            changed.append(item.pk)
        record_audit(
            actor=by,
            action="menu_imported",
            subject=outlet,
            details={"created": created, "updated": updated, "rows": len(rows)},
        )
        broadcasts.announce_prices_on_commit(outlet.pk, changed)
    return MenuImport(created=created, updated=updated)
