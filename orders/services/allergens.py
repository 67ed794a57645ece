"""Allergens declared on items and choices by a manager (the back office's allergen matrix)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orders import broadcasts
from orders.allergens import clean_allergens
from orders.models import Item, Modifier
from staff.models import Role, User
from staff.services import record_audit
from tables.models import Outlet


def _cleaned(rows, *, kind: str) -> dict[int, list[str]]:
    """{id: codes} from a client's {id: [codes]}, each error naming its field (items.12)."""
    if not isinstance(rows, dict):
        raise ValidationError({kind: _("Give an object of ids to lists of allergen codes.")})
    cleaned = {}
    for key, codes in rows.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise ValidationError({f"{kind}.{key}": _("Not an id.")}) from None
        cleaned[pk] = clean_allergens(codes, field=f"{kind}.{key}")
    return cleaned


def set_allergens(*, by: User, items=None, modifiers=None) -> dict[str, int]:
    """Declare the allergens of some items and choices, all or none; returns how many rows changed.

    Only rows whose list changes are written, audited (before and after) and announced, so
    saving the whole matrix twice changes nothing the second time. Lines already ordered
    keep their own copy.
    """
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager declares allergens."))
    wanted_items = _cleaned(items or {}, kind="items")
    wanted_modifiers = _cleaned(modifiers or {}, kind="modifiers")
    with transaction.atomic():
        found_items = {
            item.pk: item for item in Item.objects.select_for_update().filter(pk__in=wanted_items).order_by("pk")
        }
        found_modifiers = {
            m.pk: m for m in Modifier.objects.select_for_update().filter(pk__in=wanted_modifiers).order_by("pk")
        }
        for kind, wanted, found in (
            ("items", wanted_items, found_items),
            ("modifiers", wanted_modifiers, found_modifiers),
        ):
            missing = sorted(set(wanted) - set(found))
            if missing:
                raise ValidationError({f"{kind}.{missing[0]}": _("No such row.")})
        changed_items = [item for pk, item in found_items.items() if item.allergens != wanted_items[pk]]
        changed_modifiers = [m for pk, m in found_modifiers.items() if m.allergens != wanted_modifiers[pk]]
        for row, wanted, action in [
            *((item, wanted_items[item.pk], "item_allergens_changed") for item in changed_items),
            *((m, wanted_modifiers[m.pk], "modifier_allergens_changed") for m in changed_modifiers),
        ]:
            record_audit(
                actor=by, action=action, subject=row, details={"name": row.name, "from": row.allergens, "to": wanted}
            )
            row.allergens = wanted
        Item.objects.bulk_update(changed_items, ["allergens"])
        Modifier.objects.bulk_update(changed_modifiers, ["allergens"])
        if changed_items or changed_modifiers:
            _announce_menu_on_commit(
                item_ids=[item.pk for item in changed_items], group_ids=[m.group_id for m in changed_modifiers]
            )
    return {"items": len(changed_items), "modifiers": len(changed_modifiers)}


def _announce_menu_on_commit(*, item_ids: list[int], group_ids: list[int]) -> None:
    """After commit: the outlets whose menus show these rows take their menu again."""

    def announce() -> None:
        outlets = set(Outlet.objects.filter(menus__categories__items__in=item_ids).values_list("pk", flat=True))
        if group_ids:
            outlets |= set(
                Outlet.objects.filter(menus__categories__items__modifier_groups__in=group_ids).values_list(
                    "pk", flat=True
                )
            )
            # A group opened by another group's choice (Side salad -> Dressing) is on those outlets too.
            outlets |= set(
                Outlet.objects.filter(
                    menus__categories__items__modifier_groups__modifiers__opens_group__in=group_ids
                ).values_list("pk", flat=True)
            )
        broadcasts.send_messages(
            [
                (broadcasts.floor_group(pk), {"type": "floor.relay", "message": {"type": "menu"}})
                for pk in sorted(outlets)
            ]
        )

    transaction.on_commit(announce)
