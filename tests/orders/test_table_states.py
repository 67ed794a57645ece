"""The floor's table states, derived from the table's open order through the real services.

Seated (nothing ordered), ordered (lines not sent), food sent (something at the kitchen),
served (everything sent is on the table), bill printed, part paid (money taken, more to pay).
"""

import uuid

import pytest

from billing import services as billing
from billing.models import Check, OutletBilling, Tender
from orders import services
from orders.selectors import TableState, floor_plan, table_states
from printing.models import Printer


def state_of(order) -> str:
    return table_states(table_ids=[order.table_id])[0]["state"]


def open_table(world, covers=2):
    order, _ = services.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0], covers=covers
    )
    return order


def test_food_at_the_kitchen_is_food_sent_and_everything_on_the_table_is_served(world):
    order = open_table(world)
    assert state_of(order) == TableState.SEATED
    services.add_line(order=order, request=services.LineRequest(item_id=world.soup.pk, seat=1), by=world.waiter)
    assert state_of(order) == TableState.ORDERED  # taken, not sent
    services.add_line(order=order, request=services.LineRequest(item_id=world.salad.pk, seat=2), by=world.waiter)
    services.send_to_kitchen(order=order, by=world.waiter)
    assert state_of(order) == TableState.FOOD_SENT
    services.serve_lines(order=order, by=world.waiter)
    assert state_of(order) == TableState.SERVED
    # Dessert taken but not sent: everything the kitchen had is on the table still.
    services.add_line(order=order, request=services.LineRequest(item_id=world.soup.pk, seat=1), by=world.waiter)
    assert state_of(order) == TableState.SERVED
    services.send_to_kitchen(order=order, by=world.waiter)
    assert state_of(order) == TableState.FOOD_SENT
    services.serve_lines(order=order, by=world.waiter)
    services.mark_bill_printed(order=order, by=world.waiter)
    assert state_of(order) == TableState.BILL_PRINTED
    tables = {t["id"]: t for t in floor_plan(outlet=world.outlet)["areas"][0]["tables"]}
    assert tables[world.tables[0].pk]["state"] == TableState.BILL_PRINTED
    assert tables[world.tables[1].pk]["state"] == TableState.FREE


def test_a_course_served_while_another_cooks_is_still_food_sent(world):
    order = open_table(world)
    services.add_line(order=order, request=services.LineRequest(item_id=world.soup.pk, seat=1), by=world.waiter)
    main = services.LineRequest(item_id=world.salad.pk, seat=1, course=2)
    services.add_line(order=order, request=main, by=world.waiter)
    services.send_to_kitchen(order=order, by=world.waiter)
    services.serve_lines(order=order, course=1, by=world.waiter)
    assert state_of(order) == TableState.FOOD_SENT
    services.serve_lines(order=order, course=2, by=world.waiter)
    assert state_of(order) == TableState.SERVED


@pytest.fixture
def cash(world):
    billing.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    return Tender.objects.create(name="Cash", kind=Tender.Kind.CASH, sort_order=1)


def test_money_taken_on_part_of_the_bill_is_part_paid_until_all_is_paid(world, cash):
    order = open_table(world)
    for seat in (1, 2):
        services.add_line(order=order, request=services.LineRequest(item_id=world.soup.pk, seat=seat), by=world.waiter)
    services.send_to_kitchen(order=order, by=world.waiter)
    services.serve_lines(order=order, by=world.waiter)
    billing.open_bill(order=order, by=world.waiter)
    first, second = billing.split_check_by_seat(check=Check.objects.get(order=order), by=world.waiter)
    # Printing the bill needs a receipt printer (the job waits in the outbox; none answers here).
    kassa = Printer.objects.create(outlet=world.outlet, name="Kassa", host="127.0.0.1")
    OutletBilling.objects.update_or_create(outlet=world.outlet, defaults={"receipt_printer": kassa})
    billing.print_bill(check=first, by=world.waiter)
    assert state_of(order) == TableState.BILL_PRINTED

    billing.pay_cash(check=first, tender=cash, cash_given=1000, by=world.waiter)
    assert state_of(order) == TableState.PART_PAID
    plan = floor_plan(outlet=world.outlet)["areas"][0]["tables"]
    assert next(t for t in plan if t["id"] == order.table_id)["state"] == TableState.PART_PAID

    billing.pay_cash(check=second, tender=cash, cash_given=1000, by=world.waiter)
    assert state_of(order) == TableState.FREE  # paid in full: the order closed, the table is free
