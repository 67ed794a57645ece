"""Every change to an outlet's floor plan: its areas (rooms, terrace) and the tables on them.

Each service locks the outlet's row (its `layout_version` moves with every change, so
a whole-plan save from an editor that started on an older plan is refused, not
silently overwriting), writes in one transaction and sends `floor_plan_changed`
inside it. tables is a low layer and imports neither staff nor orders: orders
receives the signal, writes the audit entry with the change and, on commit, tells
the waiters' floors.

Tables and areas are never deleted: old orders point at them. A removed table is
inactive, and adding its number again brings it back.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tables.models import Area, Outlet, Table
from tables.signals import floor_plan_changed

MIN_TABLE_SIZE = 20  # plan units; smaller is not a table anyone can tap
MAX_SEATS = 99
MIN_PLAN_SIZE = 200
MAX_PLAN_SIZE = 5000
TABLE_FIELDS = ("number", "seats", "shape", "x", "y", "width", "height", "rotation")

# Higher apps say why a table may not be removed now ({table id: reason}); orders adds
# "it has an open order" (tables cannot import orders).
table_in_use_checks: list[Callable[[list[Table]], dict[int, str]]] = []


class FloorPlanConflict(Exception):
    """The plan changed since the editor loaded it (another manager saved first)."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(
            _("Someone else changed this floor plan while you were editing. Load it again and redo your changes.")
        )


def _locked_outlet(outlet_id: int) -> Outlet:
    return Outlet.objects.select_for_update().get(pk=outlet_id)


def _bump(outlet: Outlet) -> None:
    outlet.layout_version += 1
    outlet.save(update_fields=["layout_version"])


def _announce(
    *,
    outlet: Outlet,
    by,
    action: str,
    subject: Table | Area | None,
    table_ids: list[int] = (),
    reload: bool = False,
    details: dict[str, Any] | None = None,
) -> None:
    floor_plan_changed.send(
        sender=Outlet,
        outlet=outlet,
        by=by,
        action=action,
        subject=subject,
        table_ids=list(table_ids),
        reload=reload,
        details={"outlet": outlet.pk, "version": outlet.layout_version, **(details or {})},
    )


def _table_errors(table: Table, *, field_prefix: str = "", check_unique: bool = True) -> dict[str, list[str]]:
    """What is wrong with a table as it would be saved, keyed by (prefixed) field."""
    errors: dict[str, list[str]] = {}
    if not isinstance(table.seats, int) or not 1 <= table.seats <= MAX_SEATS:
        errors["seats"] = [_("A table has 1 to %(most)d seats.") % {"most": MAX_SEATS}]
    for field in ("width", "height"):
        if not isinstance(getattr(table, field), int) or getattr(table, field) < MIN_TABLE_SIZE:
            errors[field] = [_("A table is at least %(least)d wide and deep.") % {"least": MIN_TABLE_SIZE}]
    table.number = str(table.number or "").strip()
    if not table.number:
        errors["number"] = [_("A table needs a number or name.")]
    if not errors:
        try:
            # The area is the service's to check (it sets it); clean() still keeps the table inside its plan.
            table.full_clean(exclude=["outlet", "area"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors.update(error.message_dict)
    if check_unique and "number" not in errors:
        taken = Table.objects.filter(outlet_id=table.outlet_id, number=table.number).exclude(pk=table.pk).first()
        if taken is not None:
            errors["number"] = [
                _("Table %(number)s exists already.") % {"number": table.number}
                if taken.is_active
                else _("Table %(number)s was removed: add it again to bring it back.") % {"number": table.number}
            ]
    return {f"{field_prefix}{field}": messages for field, messages in errors.items()}


def _check_table(table: Table) -> None:
    errors = _table_errors(table)
    if errors:
        raise ValidationError(errors)


def _reasons_in_use(tables: list[Table]) -> dict[int, str]:
    reasons: dict[int, str] = {}
    for check in table_in_use_checks:
        reasons.update(check(tables))
    return reasons


def _change_table(*, table: Table, by, action: str, changes: dict[str, Any]) -> Table:
    with transaction.atomic():
        outlet = _locked_outlet(table.outlet_id)
        table = Table.objects.select_for_update().get(pk=table.pk, is_active=True)
        # The audit keeps plain values: the area by its id.
        fields = sorted({"area_id" if field == "area" else field for field in changes} | {"area_id"})
        before = {field: getattr(table, field) for field in fields}
        for field, value in changes.items():
            setattr(table, field, value)
        _check_table(table)
        table.save()
        _bump(outlet)
        after = {field: getattr(table, field) for field in before}
        _announce(
            outlet=outlet,
            by=by,
            action=action,
            subject=table,
            table_ids=[table.pk],
            details={"number": table.number, "before": before, "after": after},
        )
        return table


def add_table(
    *,
    area: Area,
    by,
    number: str,
    seats: int = 4,
    shape: str = Table.Shape.SQUARE,
    x: int = 0,
    y: int = 0,
    width: int = 80,
    height: int = 80,
    rotation: int = 0,
) -> Table:
    """Put a table on an area's plan; a removed table with that number comes back, its old orders with it."""
    with transaction.atomic():
        outlet = _locked_outlet(area.outlet_id)
        number = str(number or "").strip()
        table = Table.objects.select_for_update().filter(outlet=outlet, number=number, is_active=False).first()
        table = table or Table(outlet=outlet)
        for field, value in {
            "area": area,
            "number": number,
            "seats": seats,
            "shape": shape,
            "x": x,
            "y": y,
            "width": width,
            "height": height,
            "rotation": rotation,
        }.items():
            setattr(table, field, value)
        table.is_active = True
        _check_table(table)
        table.save()
        _bump(outlet)
        _announce(outlet=outlet, by=by, action="table_added", subject=table, reload=True, details={"number": number})
        return table


def move_table(*, table: Table, by, x: int, y: int, area: Area | None = None) -> Table:
    """Move a table on its plan, or onto another area (room, terrace) of the same outlet."""
    changes: dict[str, Any] = {"x": x, "y": y}
    if area is not None:
        if area.outlet_id != table.outlet_id or not area.is_active:
            raise ValidationError({"area": _("The area belongs to another outlet.")})
        changes["area"] = area
    return _change_table(table=table, by=by, action="table_moved", changes=changes)


def resize_table(*, table: Table, by, width: int, height: int) -> Table:
    return _change_table(table=table, by=by, action="table_resized", changes={"width": width, "height": height})


def rotate_table(*, table: Table, by, rotation: int) -> Table:
    return _change_table(table=table, by=by, action="table_rotated", changes={"rotation": rotation})


def reshape_table(*, table: Table, by, shape: str) -> Table:
    return _change_table(table=table, by=by, action="table_reshaped", changes={"shape": shape})


def reseat_table(*, table: Table, by, seats: int) -> Table:
    return _change_table(table=table, by=by, action="table_reseated", changes={"seats": seats})


def rename_table(*, table: Table, by, number: str) -> Table:
    return _change_table(table=table, by=by, action="table_renamed", changes={"number": number})


def remove_table(*, table: Table, by) -> Table:
    """Take a table off the plan; not while it has an open order (settle or move the order first)."""
    with transaction.atomic():
        outlet = _locked_outlet(table.outlet_id)
        table = Table.objects.select_for_update().get(pk=table.pk, is_active=True)
        reason = _reasons_in_use([table]).get(table.pk)
        if reason:
            raise ValidationError({"table": [reason]})
        table.is_active = False
        table.save(update_fields=["is_active"])
        _bump(outlet)
        _announce(
            outlet=outlet, by=by, action="table_removed", subject=table, reload=True, details={"number": table.number}
        )
        return table


def _area_errors(*, name: str, plan_width: int, plan_height: int, field_prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not str(name or "").strip():
        errors["name"] = [_("An area needs a name.")]
    elif len(str(name).strip()) > 80:
        errors["name"] = [_("An area's name is at most 80 characters.")]
    for field, value in (("plan_width", plan_width), ("plan_height", plan_height)):
        if not isinstance(value, int) or not MIN_PLAN_SIZE <= value <= MAX_PLAN_SIZE:
            errors[field] = [
                _("A plan is %(least)d to %(most)d wide and deep.") % {"least": MIN_PLAN_SIZE, "most": MAX_PLAN_SIZE}
            ]
    return {f"{field_prefix}{field}": messages for field, messages in errors.items()}


def add_area(*, outlet: Outlet, by, name: str, plan_width: int = 1000, plan_height: int = 700) -> Area:
    with transaction.atomic():
        outlet = _locked_outlet(outlet.pk)
        errors = _area_errors(name=name, plan_width=plan_width, plan_height=plan_height)
        if errors:
            raise ValidationError(errors)
        last = Area.objects.filter(outlet=outlet, is_active=True).order_by("-sort_order").first()
        area = Area.objects.create(
            outlet=outlet,
            name=name.strip(),
            sort_order=(last.sort_order + 1) if last else 0,
            plan_width=plan_width,
            plan_height=plan_height,
        )
        _bump(outlet)
        _announce(outlet=outlet, by=by, action="area_added", subject=area, reload=True, details={"name": area.name})
        return area


def rename_area(*, area: Area, by, name: str) -> Area:
    with transaction.atomic():
        outlet = _locked_outlet(area.outlet_id)
        area = Area.objects.select_for_update().get(pk=area.pk, is_active=True)
        errors = _area_errors(name=name, plan_width=area.plan_width, plan_height=area.plan_height)
        if errors:
            raise ValidationError(errors)
        before = area.name
        area.name = name.strip()
        area.save(update_fields=["name"])
        _bump(outlet)
        _announce(
            outlet=outlet,
            by=by,
            action="area_renamed",
            subject=area,
            reload=True,
            details={"before": before, "after": area.name},
        )
        return area


def reorder_areas(*, outlet: Outlet, by, area_ids: list[int]) -> list[Area]:
    """Put the area tabs in this order; every active area of the outlet is named once."""
    with transaction.atomic():
        outlet = _locked_outlet(outlet.pk)
        areas = {area.pk: area for area in Area.objects.select_for_update().filter(outlet=outlet, is_active=True)}
        if sorted(area_ids) != sorted(areas):
            raise ValidationError({"areas": [_("Name every area of the outlet once.")]})
        for position, area_id in enumerate(area_ids):
            areas[area_id].sort_order = position
        Area.objects.bulk_update(areas.values(), ["sort_order"])
        _bump(outlet)
        _announce(
            outlet=outlet, by=by, action="areas_reordered", subject=None, reload=True, details={"order": area_ids}
        )
        return [areas[pk] for pk in area_ids]


def remove_area(*, area: Area, by) -> Area:
    """Take an area off the floor; only once its tables are moved or removed."""
    with transaction.atomic():
        outlet = _locked_outlet(area.outlet_id)
        area = Area.objects.select_for_update().get(pk=area.pk, is_active=True)
        if Table.objects.filter(area=area, is_active=True).exists():
            raise ValidationError({"area": [_("Move or remove the tables of %(area)s first.") % {"area": area.name}]})
        area.is_active = False
        area.save(update_fields=["is_active"])
        _bump(outlet)
        _announce(outlet=outlet, by=by, action="area_removed", subject=area, reload=True, details={"name": area.name})
        return area


def _payload_int(row: dict, field: str, default: int | None = None) -> Any:
    value = row.get(field, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def save_floor_plan(*, outlet: Outlet, by, version: int, areas: list[dict], tables: list[dict]) -> Outlet:
    """Save an editor's whole session at once: the outlet's areas and tables as they should now be.

    `areas`: [{"id": existing id or None, "key": the editor's name for it, "name", "plan_width",
    "plan_height"}] in tab order. `tables`: [{"id": existing id or None, "area": an area's key,
    "number", "seats", "shape", "x", "y", "width", "height", "rotation"}]. What is not listed is
    removed. `version` is the plan's version the editor loaded: if someone saved since,
    FloorPlanConflict and nothing is written.
    """
    with transaction.atomic():
        outlet = _locked_outlet(outlet.pk)
        if version != outlet.layout_version:
            raise FloorPlanConflict(outlet.layout_version)
        old_areas = {area.pk: area for area in Area.objects.select_for_update().filter(outlet=outlet, is_active=True)}
        old_tables = {t.pk: t for t in Table.objects.select_for_update().filter(outlet=outlet, is_active=True)}
        removed_numbers = {t.number: t for t in Table.objects.filter(outlet=outlet, is_active=False)}
        area_looks = {pk: (a.name, a.sort_order, a.plan_width, a.plan_height) for pk, a in old_areas.items()}
        errors: dict[str, list[str]] = {}

        # Areas: check everything before writing anything.
        keys: dict[str, Area] = {}
        for index, row in enumerate(areas):
            prefix = f"areas[{index}]."
            key = str(row.get("key") or row.get("id") or "")
            area_id = row.get("id")
            if not key or key in keys:
                errors[f"{prefix}key"] = [_("Each area needs its own key.")]
                continue
            if area_id is not None and area_id not in old_areas:
                errors[f"{prefix}id"] = [_("This area is not on this outlet's floor plan (any more).")]
                continue
            area = old_areas[area_id] if area_id is not None else Area(outlet=outlet)
            name = str(row.get("name") or "").strip()
            width = _payload_int(row, "plan_width", area.plan_width or 1000)
            height = _payload_int(row, "plan_height", area.plan_height or 700)
            errors.update(_area_errors(name=name, plan_width=width, plan_height=height, field_prefix=prefix))
            area.name, area.plan_width, area.plan_height, area.sort_order = name, width, height, index
            keys[key] = area
        if not keys and tables:
            errors["areas"] = [_("Tables need an area to stand in.")]

        # Tables: each listed once, on a listed area, with a number no other table has. A new
        # table under the number of a removed (or unlisted) one is that table back, old orders and all.
        listed_ids = {row.get("id") for row in tables if row.get("id") is not None}
        unlisted = {t.number: t for pk, t in old_tables.items() if pk not in listed_ids}
        seen_ids: set[int] = set()
        numbers: dict[str, int] = {}
        planned: list[tuple[Table, dict, str]] = []
        for index, row in enumerate(tables):
            prefix = f"tables[{index}]."
            table_id = row.get("id")
            if table_id is not None and (table_id not in old_tables or table_id in seen_ids):
                errors[f"{prefix}id"] = [_("This table is not on this outlet's floor plan (any more).")]
                continue
            number = str(row.get("number") or "").strip()
            if number in numbers:
                errors[f"{prefix}number"] = [_("Table %(number)s is on the plan twice.") % {"number": number}]
                continue
            numbers[number] = index
            if str(row.get("area") or "") not in keys:
                errors[f"{prefix}area"] = [_("Table %(number)s stands in no area of the plan.") % {"number": number}]
                continue
            if table_id is not None:
                table = old_tables[table_id]
            else:
                table = unlisted.get(number) or removed_numbers.get(number) or Table(outlet=outlet)
            if table.pk:
                seen_ids.add(table.pk)
            planned.append((table, row, prefix))

        removed = [table for pk, table in old_tables.items() if pk not in seen_ids]
        in_use = _reasons_in_use(removed)
        for table in removed:
            if table.pk in in_use:
                errors.setdefault("tables", []).append(in_use[table.pk])
        if errors:
            raise ValidationError(errors)

        # Write: areas first (new tables may stand in a new area), then tables.
        for area in keys.values():
            area.save()
        kept_area_ids = {area.pk for area in keys.values()}
        removed_areas = [area for pk, area in old_areas.items() if pk not in kept_area_ids]
        areas_changed = bool(removed_areas) or any(
            area_looks.get(area.pk) != (area.name, area.sort_order, area.plan_width, area.plan_height)
            for area in keys.values()
        )
        for table in removed:
            table.is_active = False
            table.save(update_fields=["is_active"])
        # Numbers swapped between tables (12 <-> 14) would collide on the way: park them first.
        renumbered = [t for t, row, _p in planned if t.pk and t.number != str(row.get("number") or "").strip()]
        for table in renumbered:
            Table.objects.filter(pk=table.pk).update(number=f"~{table.pk}"[:10])

        added, changed = [], []
        for table, row, prefix in planned:
            before = {field: getattr(table, field) for field in TABLE_FIELDS} if table.pk else None
            was_active, old_area = table.is_active if table.pk else False, table.area_id
            table.area = keys[str(row.get("area"))]
            table.number = str(row.get("number") or "").strip()
            table.shape = row.get("shape") or Table.Shape.SQUARE
            for field, default in (("seats", 4), ("x", 0), ("y", 0), ("width", 80), ("height", 80), ("rotation", 0)):
                setattr(table, field, _payload_int(row, field, default))
            table.is_active = True
            table_errors = _table_errors(table, field_prefix=prefix, check_unique=False)
            if table_errors:
                # The editor shows the messages, not the keys: each says which table it is about.
                named = _("Table %(number)s") % {"number": table.number or "?"}
                raise ValidationError({key: [f"{named}: {m}" for m in msgs] for key, msgs in table_errors.items()})
            unchanged = before == {field: getattr(table, field) for field in TABLE_FIELDS}
            if was_active and unchanged and old_area == table.area_id:
                continue
            table.save()
            (changed if was_active else added).append(table)
        for area in removed_areas:
            area.is_active = False
            area.save(update_fields=["is_active"])

        _bump(outlet)
        _announce(
            outlet=outlet,
            by=by,
            action="floor_plan_saved",
            subject=None,
            table_ids=[table.pk for table in changed],
            reload=bool(added or removed or areas_changed),
            details={
                "changed": [table.number for table in changed],
                "added": [table.number for table in added],
                "removed": [table.number for table in removed],
                "areas": [area.name for area in keys.values()],
                "areas_removed": [area.name for area in removed_areas],
            },
        )
        return outlet
