import uuid

import pytest
from django.core.exceptions import ValidationError

from orders import services
from orders.models import Item, LineStatusChange, Order, OrderLine
from orders.selectors import TableState, floor_plan, order_detail, table_states

pytestmark = pytest.mark.django_db


def open_table(world, table_index=3, covers=3, waiter=None):
    order, created = services.open_order(
        client_uuid=uuid.uuid4(),
        outlet=world.outlet,
        waiter=waiter or world.waiter,
        table=world.tables[table_index],
        covers=covers,
    )
    assert created
    return order


def steak_request(world, **overrides):
    values = {"item_id": world.steak.pk, "seat": 1, "modifier_ids": [world.rare.pk, world.fries.pk]}
    values.update(overrides)
    return services.LineRequest(**values)


def test_opening_a_table_is_idempotent_on_the_client_uuid(world):
    key = uuid.uuid4()
    first, created = services.open_order(
        client_uuid=key, outlet=world.outlet, waiter=world.waiter, table=world.tables[3], covers=3
    )
    again, created_again = services.open_order(
        client_uuid=key, outlet=world.outlet, waiter=world.waiter, table=world.tables[3], covers=3
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Order.objects.count() == 1


def test_a_second_tablet_cannot_open_a_table_that_is_open(world):
    open_table(world)
    with pytest.raises(ValidationError) as error:
        services.open_order(
            client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.other_waiter, table=world.tables[3], covers=2
        )
    assert "table" in error.value.message_dict
    assert "Anna" in error.value.message_dict["table"][0]


def test_a_line_copies_name_price_and_tax_and_charges_modifiers(world):
    order = open_table(world)
    line, created = services.add_line(
        order=order,
        request=steak_request(
            world,
            modifier_ids=[world.rare.pk, world.fries.pk, world.side_salad.pk, world.vinaigrette.pk, world.bacon.pk],
        ),
        by=world.waiter,
    )
    assert created
    # Fries is the first (free) side; the side salad is charged; bacon is an extra.
    assert line.modifiers_price == 400 + 150
    assert line.unit_price == 2450
    assert line.name == "Steak"
    assert str(line.tax_percent) == "9.00"
    assert line.course == 2  # the mains category's course
    names = [m.name for m in line.modifiers.all()]
    assert names == ["Rare", "Fries", "Side salad", "Vinaigrette", "Bacon"]
    vinaigrette = line.modifiers.get(name="Vinaigrette")
    assert vinaigrette.parent.name == "Side salad"
    # Changing the menu afterwards does not touch the line.
    Item.objects.filter(pk=world.steak.pk).update(price=9999, name="Ribeye")
    line.refresh_from_db()
    assert (line.name, line.unit_price) == ("Steak", 2450)


@pytest.mark.parametrize(
    ("modifiers", "message"),
    [
        (lambda w: [w.fries.pk], "Cooking: choose at least 1."),
        (lambda w: [w.rare.pk, w.medium.pk, w.fries.pk], "Cooking: choose at most 1."),
        (
            lambda w: [
                w.rare.pk,
                w.fries.pk,
                w.bacon.pk,
                w.cheese.pk,
                w.egg.pk,
                w.extras.modifiers.get(name="Onions").pk,
            ],
            "Extras: choose at most 3.",
        ),
        (lambda w: [w.rare.pk, w.side_salad.pk], "Dressing: choose at least 1."),
        (lambda w: [w.rare.pk, w.fries.pk, w.vinaigrette.pk], "is not offered with Steak"),
        (lambda w: [w.rare.pk, w.rare.pk, w.fries.pk], "chosen twice"),
    ],
)
def test_modifier_rules_are_enforced(world, modifiers, message):
    order = open_table(world)
    with pytest.raises(ValidationError) as error:
        services.add_line(order=order, request=steak_request(world, modifier_ids=modifiers(world)), by=world.waiter)
    assert message in error.value.message_dict["modifiers"][0]
    assert not OrderLine.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"qty": 0}, "qty"),
        ({"qty": -2}, "qty"),
        ({"seat": 4}, "seat"),
        ({"course": 9}, "course"),
    ],
)
def test_bad_quantities_seats_and_courses_name_the_field(world, overrides, field):
    order = open_table(world, covers=3)
    with pytest.raises(ValidationError) as error:
        services.add_line(order=order, request=steak_request(world, **overrides), by=world.waiter)
    assert field in error.value.message_dict


def test_countdown_86s_the_item_at_zero(world):
    Item.objects.filter(pk=world.soup.pk).update(remaining_qty=2)
    order = open_table(world)
    services.add_line(order=order, request=services.LineRequest(item_id=world.soup.pk, qty=2, seat=1), by=world.waiter)
    world.soup.refresh_from_db()
    assert world.soup.remaining_qty == 0 and world.soup.is_86d
    with pytest.raises(ValidationError) as error:
        services.add_line(order=order, request=services.LineRequest(item_id=world.soup.pk, seat=2), by=world.waiter)
    assert "86" in error.value.message_dict["item"][0]


def test_removing_a_pending_line_gives_back_the_countdown(world):
    Item.objects.filter(pk=world.soup.pk).update(remaining_qty=3)
    order = open_table(world)
    line, _ = services.add_line(
        order=order, request=services.LineRequest(item_id=world.soup.pk, qty=2, seat=1), by=world.waiter
    )
    services.remove_pending_line(line=line, by=world.waiter)
    world.soup.refresh_from_db()
    assert world.soup.remaining_qty == 3
    line.refresh_from_db()
    assert line.status == OrderLine.Status.REMOVED


def test_send_marks_pending_lines_sent_with_history_and_the_table_shows_food_sent(world):
    order = open_table(world)
    assert table_states(table_ids=[order.table_id])[0]["state"] == TableState.SEATED
    services.add_line(order=order, request=steak_request(world), by=world.waiter)
    services.add_line(order=order, request=services.LineRequest(item_id=world.salad.pk, seat=2), by=world.waiter)
    sent = services.send_to_kitchen(order=order, by=world.waiter)
    assert len(sent) == 2
    assert set(OrderLine.objects.values_list("status", flat=True)) == {OrderLine.Status.SENT}
    assert LineStatusChange.objects.filter(to_status="sent").count() == 2
    assert table_states(table_ids=[order.table_id])[0]["state"] == TableState.FOOD_SENT
    services.serve_lines(order=order, by=world.waiter)
    assert table_states(table_ids=[order.table_id])[0]["state"] == TableState.SERVED
    services.mark_bill_printed(order=order, by=world.waiter)
    assert table_states(table_ids=[order.table_id])[0]["state"] == TableState.BILL_PRINTED


def test_sent_lines_cannot_be_edited_only_voided_with_a_manager(world):
    order = open_table(world)
    line, _ = services.add_line(order=order, request=steak_request(world), by=world.waiter)
    services.send_to_kitchen(order=order, by=world.waiter)
    with pytest.raises(ValidationError):
        services.update_pending_line(line=line, by=world.waiter, qty=2)
    with pytest.raises(ValidationError) as error:
        services.void_line(
            line=line, by=world.waiter, reason="Guest left", approver_id=world.manager.pk, approver_pin="0000"
        )
    assert "pin" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.void_line(
            line=line, by=world.waiter, reason="Guest left", approver_id=world.other_waiter.pk, approver_pin="1234"
        )
    assert "approver" in error.value.message_dict
    services.void_line(
        line=line, by=world.waiter, reason="Guest left", approver_id=world.manager.pk, approver_pin="9999"
    )
    line.refresh_from_db()
    assert line.status == OrderLine.Status.VOID
    change = line.status_changes.get(to_status="void")
    assert change.approval.approver == world.manager and change.reason == "Guest left"
    assert order_detail(order_id=order.pk)["total"] == 0


def test_transfer_and_merge(world):
    first = open_table(world, table_index=0, covers=2)
    second = open_table(world, table_index=1, covers=2)
    services.add_line(order=first, request=services.LineRequest(item_id=world.salad.pk, seat=2), by=world.waiter)
    services.transfer_order(order=first, to_table=world.tables[2], by=world.waiter)
    first.refresh_from_db()
    assert first.table == world.tables[2]
    with pytest.raises(ValidationError):
        services.transfer_order(order=first, to_table=world.tables[1], by=world.waiter)
    services.merge_orders(source=first, target=second, by=world.waiter)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Order.Status.MERGED and first.merged_into == second
    assert second.covers == 4
    assert list(second.lines.values_list("seat", flat=True)) == [4]
    states = {t["id"]: t["state"] for t in floor_plan(outlet=world.outlet)["areas"][0]["tables"]}
    assert states[world.tables[2].pk] == TableState.FREE
    assert states[world.tables[1].pk] == TableState.ORDERED  # the merged salad is not sent yet


def test_a_pending_lines_choices_can_be_changed_under_the_same_rules(world):
    order = open_table(world)
    line, _ = services.add_line(
        order=order,
        request=steak_request(world, modifier_ids=[world.rare.pk, world.side_salad.pk, world.vinaigrette.pk]),
        by=world.waiter,
    )
    assert line.modifiers_price == 0  # the first side is free
    with pytest.raises(ValidationError) as error:
        services.update_pending_line(line=line, by=world.waiter, modifier_ids=[world.fries.pk])
    assert "Cooking" in error.value.message_dict["modifiers"][0]
    line.refresh_from_db()
    assert [m.name for m in line.modifiers.all()] == ["Rare", "Side salad", "Vinaigrette"]

    services.update_pending_line(
        line=line,
        by=world.waiter,
        modifier_ids=[world.medium.pk, world.fries.pk, world.side_salad.pk, world.vinaigrette.pk, world.bacon.pk],
    )
    line.refresh_from_db()
    assert [m.name for m in line.modifiers.all()] == ["Medium", "Fries", "Side salad", "Vinaigrette", "Bacon"]
    assert line.modifiers.get(name="Vinaigrette").parent.name == "Side salad"
    assert line.modifiers_price == world.side_salad.price_delta + world.bacon.price_delta
    assert order_detail(order_id=order.pk)["total"] == world.steak.price + line.modifiers_price

    services.send_to_kitchen(order=order, by=world.waiter)
    with pytest.raises(ValidationError):
        services.update_pending_line(line=line, by=world.waiter, modifier_ids=[world.rare.pk, world.fries.pk])
