"""The floor-plan services: tables and areas changed in one transaction, audited, announced by a signal."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from orders import services as orders
from orders.selectors import floor_version
from staff.models import AuditEntry
from tables import services
from tables.models import Area, Outlet, Table
from tables.selectors import floor_plan_for_editing
from tables.signals import floor_plan_changed
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """What floor_plan_changed said, in order."""
    said = []

    def listen(sender, **kwargs):
        said.append(kwargs)

    floor_plan_changed.connect(listen)
    yield said
    floor_plan_changed.disconnect(listen)


@pytest.fixture(autouse=True)
def tables_in_a_row(world):
    """The factory's positions run on across tests; here the six tables stand in a row inside the plan."""
    for index, each in enumerate(world.tables):
        Table.objects.filter(pk=each.pk).update(x=20 + index * 110, y=20)


@pytest.fixture
def terrace(world):
    return AreaFactory(outlet=world.outlet, name="Terrace", sort_order=1, plan_width=800, plan_height=400)


def table(world, number: str) -> Table:
    return Table.objects.get(outlet=world.outlet, number=number)


def version(world) -> int:
    return Outlet.objects.get(pk=world.outlet.pk).layout_version


def seat_guests(world, number: str):
    order, _ = orders.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=table(world, number), covers=2
    )
    return order


def plan_rows(world) -> tuple[list[dict], list[dict]]:
    """The plan as the editor sends it back unchanged: areas keyed by id."""
    plan = floor_plan_for_editing(outlet=Outlet.objects.get(pk=world.outlet.pk))
    areas = [{**area, "key": str(area["id"])} for area in plan["areas"]]
    tables = [{**row, "area": str(row["area"])} for row in plan["tables"]]
    return areas, tables


def test_moving_a_table_onto_the_terrace_is_saved_audited_and_announced(world, terrace, heard):
    moved = services.move_table(table=table(world, "3"), by=world.manager, x=100, y=40, area=terrace)

    moved.refresh_from_db()
    assert (moved.area_id, moved.x, moved.y) == (terrace.pk, 100, 40)
    entry = AuditEntry.objects.get(action="floor_plan:table_moved")
    assert entry.actor == world.manager
    assert entry.subject_id == str(moved.pk)
    assert entry.details["before"]["area_id"] == world.area.pk
    assert entry.details["after"]["area_id"] == terrace.pk
    assert [said["action"] for said in heard] == ["table_moved"]
    assert heard[0]["table_ids"] == [moved.pk]
    assert heard[0]["reload"] is False
    assert version(world) == 1


def test_a_table_outside_its_plan_is_refused_naming_the_field_and_nothing_changes(world, terrace, heard):
    with pytest.raises(ValidationError) as refused:
        services.move_table(table=table(world, "3"), by=world.manager, x=790, y=10, area=terrace)
    assert "x" in refused.value.message_dict
    assert table(world, "3").area_id == world.area.pk
    assert not heard
    assert version(world) == 0


def test_resize_rotate_reshape_reseat_and_rename_each_write_one_audit_entry(world):
    four = table(world, "4")
    services.resize_table(table=four, by=world.manager, width=120, height=60)
    services.rotate_table(table=four, by=world.manager, rotation=45)
    services.reshape_table(table=four, by=world.manager, shape=Table.Shape.RECTANGLE)
    services.reseat_table(table=four, by=world.manager, seats=6)
    services.rename_table(table=four, by=world.manager, number="T4")

    four.refresh_from_db()
    assert (four.width, four.height, four.rotation, four.shape, four.seats, four.number) == (
        120,
        60,
        45,
        "rectangle",
        6,
        "T4",
    )
    actions = set(AuditEntry.objects.filter(action__startswith="floor_plan:").values_list("action", flat=True))
    assert actions == {
        "floor_plan:table_resized",
        "floor_plan:table_rotated",
        "floor_plan:table_reshaped",
        "floor_plan:table_reseated",
        "floor_plan:table_renamed",
    }
    assert version(world) == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seats": 0}, "seats"),
        ({"width": 5}, "width"),
        ({"rotation": 400}, "rotation"),
        ({"shape": "hexagon"}, "shape"),
        ({"number": "2"}, "number"),
        ({"number": "  "}, "number"),
    ],
)
def test_bad_values_are_refused_naming_the_field(world, change, field):
    with pytest.raises(ValidationError) as refused:
        services._change_table(table=table(world, "1"), by=world.manager, action="table_changed", changes=change)
    assert field in refused.value.message_dict
    assert version(world) == 0


def test_a_table_with_an_open_order_cannot_be_removed_and_says_why(world):
    seat_guests(world, "2")
    with pytest.raises(ValidationError) as refused:
        services.remove_table(table=table(world, "2"), by=world.manager)
    assert refused.value.message_dict["table"] == [
        "Table 2 has an open order: settle it or move it to another table first."
    ]
    assert table(world, "2").is_active


def test_a_removed_table_comes_back_when_its_number_is_added_again(world, heard):
    five = table(world, "5")
    services.remove_table(table=five, by=world.manager)
    assert not Table.objects.get(pk=five.pk).is_active
    assert heard[-1]["reload"] is True

    again = services.add_table(area=world.area, by=world.manager, number="5", x=300, y=300)
    assert again.pk == five.pk and again.is_active
    assert AuditEntry.objects.filter(action="floor_plan:table_added", subject_id=str(five.pk)).exists()


def test_areas_are_added_renamed_reordered_and_removed_once_empty(world, terrace):
    garden = services.add_area(outlet=world.outlet, by=world.manager, name="Garden", plan_width=600, plan_height=600)
    assert garden.sort_order == 2
    services.rename_area(area=garden, by=world.manager, name="Tuin")
    services.reorder_areas(outlet=world.outlet, by=world.manager, area_ids=[garden.pk, world.area.pk, terrace.pk])
    assert list(Area.objects.filter(outlet=world.outlet).values_list("name", flat=True)) == [
        "Tuin",
        "Main room",
        "Terrace",
    ]
    with pytest.raises(ValidationError) as refused:
        services.remove_area(area=world.area, by=world.manager)
    assert "area" in refused.value.message_dict
    services.remove_area(area=garden, by=world.manager)
    assert not Area.objects.get(pk=garden.pk).is_active
    with pytest.raises(ValidationError):
        services.reorder_areas(outlet=world.outlet, by=world.manager, area_ids=[world.area.pk])
    with pytest.raises(ValidationError) as refused:
        services.add_area(outlet=world.outlet, by=world.manager, name="", plan_width=50)
    assert set(refused.value.message_dict) == {"name", "plan_width"}


def test_a_whole_session_is_saved_in_one_go_with_one_audit_entry(world, terrace, heard):
    areas, tables = plan_rows(world)
    areas.append({"id": None, "key": "new-1", "name": "Garden", "plan_width": 600, "plan_height": 400})
    by_number = {row["number"]: row for row in tables}
    by_number["1"].update(area=str(terrace.pk), x=20, y=20, rotation=90)
    by_number["2"].update(area="new-1", x=40, y=40)
    tables.remove(by_number["6"])
    tables.append({"id": None, "area": "new-1", "number": "20", "seats": 2, "shape": "round", "x": 200, "y": 100, "width": 60, "height": 60, "rotation": 0})  # fmt: skip

    services.save_floor_plan(outlet=world.outlet, by=world.manager, version=0, areas=areas, tables=tables)

    garden = Area.objects.get(outlet=world.outlet, name="Garden")
    assert (table(world, "1").area_id, table(world, "1").rotation) == (terrace.pk, 90)
    assert table(world, "2").area_id == garden.pk
    assert table(world, "20").area_id == garden.pk
    assert not table(world, "6").is_active
    assert version(world) == 1
    entry = AuditEntry.objects.get(action="floor_plan:floor_plan_saved")
    assert entry.details["changed"] == ["1", "2"]
    assert entry.details["added"] == ["20"]
    assert entry.details["removed"] == ["6"]
    assert len(heard) == 1
    assert sorted(heard[0]["table_ids"]) == sorted([table(world, "1").pk, table(world, "2").pk])
    assert heard[0]["reload"] is True


def test_the_second_manager_saving_an_older_plan_gets_a_conflict_and_nothing_is_written(world):
    areas, tables = plan_rows(world)
    first = [dict(row, x=row["x"] + 10) if row["number"] == "1" else row for row in tables]
    services.save_floor_plan(outlet=world.outlet, by=world.manager, version=0, areas=areas, tables=first)
    moved_by_first = table(world, "1").x

    second = [dict(row, y=row["y"] + 10) if row["number"] == "2" else row for row in tables]
    with pytest.raises(services.FloorPlanConflict) as conflict:
        services.save_floor_plan(outlet=world.outlet, by=world.manager, version=0, areas=areas, tables=second)
    assert conflict.value.current_version == 1
    assert table(world, "1").x == moved_by_first
    assert table(world, "2").y == next(row["y"] for row in tables if row["number"] == "2")


def test_a_bad_row_in_a_session_names_it_and_writes_nothing(world, terrace):
    areas, tables = plan_rows(world)
    areas.append({"id": None, "key": "new-1", "name": "Garden", "plan_width": 600, "plan_height": 400})
    tables[1] = dict(tables[1], area=str(terrace.pk), x=790)
    with pytest.raises(ValidationError) as refused:
        services.save_floor_plan(outlet=world.outlet, by=world.manager, version=0, areas=areas, tables=tables)
    assert refused.value.message_dict["tables[1].x"] == [
        "Table 2: The table must lie inside the area's plan (800 x 400)."
    ]
    assert not Area.objects.filter(name="Garden").exists()
    assert version(world) == 0


def test_a_session_removing_a_table_with_an_open_order_is_refused(world):
    seat_guests(world, "6")
    areas, tables = plan_rows(world)
    with pytest.raises(ValidationError) as refused:
        services.save_floor_plan(
            outlet=world.outlet,
            by=world.manager,
            version=0,
            areas=areas,
            tables=[t for t in tables if t["number"] != "6"],
        )
    assert "Table 6 has an open order" in refused.value.message_dict["tables"][0]
    assert table(world, "6").is_active


def test_numbers_swap_between_tables_in_one_session(world):
    areas, tables = plan_rows(world)
    one, two = (next(row for row in tables if row["number"] == n) for n in ("1", "2"))
    one["number"], two["number"] = "2", "1"
    services.save_floor_plan(outlet=world.outlet, by=world.manager, version=0, areas=areas, tables=tables)
    assert table(world, "1").pk == two["id"]
    assert table(world, "2").pk == one["id"]


def test_a_session_naming_a_table_twice_or_an_unknown_area_is_refused(world):
    areas, tables = plan_rows(world)
    twice = [*tables, dict(tables[0], id=None)]
    with pytest.raises(ValidationError) as refused:
        services.save_floor_plan(outlet=world.outlet, by=world.manager, version=0, areas=areas, tables=twice)
    assert f"tables[{len(tables)}].number" in refused.value.message_dict
    nowhere = [dict(tables[0], area="new-9"), *tables[1:]]
    with pytest.raises(ValidationError) as refused:
        services.save_floor_plan(outlet=world.outlet, by=world.manager, version=0, areas=areas, tables=nowhere)
    assert "tables[0].area" in refused.value.message_dict


def test_the_editors_plan_is_read_in_two_queries(world, terrace, django_assert_num_queries):
    AreaFactory(outlet=world.outlet, name="Gone", is_active=False)
    with django_assert_num_queries(2):
        plan = floor_plan_for_editing(outlet=world.outlet)
    assert [area["name"] for area in plan["areas"]] == ["Main room", "Terrace"]
    assert [row["number"] for row in plan["tables"]] == ["1", "2", "3", "4", "5", "6"]
    assert plan["version"] == 0


def test_the_waiters_floor_version_moves_with_the_plan(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        before = floor_version(outlet_id=world.outlet.pk)
    services.rotate_table(table=table(world, "1"), by=world.manager, rotation=30)
    assert floor_version(outlet_id=world.outlet.pk) != before


def test_a_tablet_that_still_shows_a_removed_table_cannot_open_it(world):
    on_the_tablet = table(world, "5")  # loaded before the manager removed it
    services.remove_table(table=table(world, "5"), by=world.manager)
    with pytest.raises(ValidationError) as refused:
        orders.open_order(client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=on_the_tablet)
    assert "table" in refused.value.message_dict
