"""Tablets racing each other on PostgreSQL: real threads, real connections, real locks.

Each thread is one tablet with its own database connection and its own copies of
the rows; a barrier starts them together so the races are real. SQLite serialises
every writer, so these only mean something (and only run) on PostgreSQL.
"""

import time
import uuid
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from idempotency.models import IdempotentResponse
from orders import services, signals
from orders.models import Item, Order, OrderLine
from staff import pin_guard
from staff import services as staff_services
from staff.errors import PinThrottled
from staff.models import User
from tests import races

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

JOIN_TIMEOUT = 60


@pytest.fixture(autouse=True)
def _postgres_only(requires_postgres):
    """Row locks are what these tests are about; SQLite locks the whole file instead."""


def run_together(count: int, work) -> tuple[list, list]:
    return races.run_together(count, work, timeout=JOIN_TIMEOUT, name="tablet")


@pytest.fixture
def slow_receiver():
    """slow_receiver(signal, seconds): a receiver that dawdles inside the service's
    transaction, as a kitchen or printer receiver may, holding its locks open so the
    other tablets really run into them."""
    connected = []

    def connect(signal, seconds: float) -> None:
        def dawdle(**kwargs):
            time.sleep(seconds)

        signal.connect(dawdle, weak=False)
        connected.append((signal, dawdle))

    yield connect
    for signal, receiver in connected:
        signal.disconnect(receiver)


def open_table(world, table_index: int = 0, covers: int = 4) -> Order:
    order, created = services.open_order(
        client_uuid=uuid.uuid4(),
        outlet=world.outlet,
        waiter=world.waiter,
        table=world.tables[table_index],
        covers=covers,
    )
    assert created
    return order


def fresh(model, pk):
    """This tablet's own copy of a row."""
    return model.objects.get(pk=pk)


# --- Many tablets, one order --------------------------------------------------------------


@pytest.mark.parametrize(("tablets", "lines_each"), [(2, 1), (8, 1), (8, 3)])
def test_tablets_adding_lines_to_one_order_at_once_lose_none(world, tablets, lines_each, slow_receiver):
    order = open_table(world)
    slow_receiver(signals.lines_added, 0.01)
    waiter_ids = [world.waiter.pk, world.other_waiter.pk, world.manager.pk]

    def add(index: int) -> list[int]:
        me = fresh(User, waiter_ids[index % len(waiter_ids)])
        mine = fresh(Order, order.pk)
        added = []
        for n in range(lines_each):
            if (index + n) % 2:
                request = services.LineRequest(
                    item_id=world.steak.pk, seat=n % 4 + 1, modifier_ids=[world.rare.pk, world.fries.pk]
                )
            else:
                request = services.LineRequest(item_id=world.salad.pk, seat=index % 4 + 1, note=f"tablet {index}")
            line, created = services.add_line(order=mine, request=request, by=me)
            assert created
            added.append(line.pk)
        return added

    results, errors = run_together(tablets, add)

    assert errors == [None] * tablets
    total = tablets * lines_each
    added = [pk for lines in results for pk in lines]
    assert len(set(added)) == total
    assert set(OrderLine.objects.filter(order=order).values_list("pk", flat=True)) == set(added)
    order.refresh_from_db()
    assert order.version == 1 + total
    salads = sum(1 for index in range(tablets) for n in range(lines_each) if not (index + n) % 2)
    assert OrderLine.objects.filter(order=order, item=world.salad).count() == salads
    assert OrderLine.objects.filter(order=order, item=world.steak, modifiers__isnull=False).distinct().count() == (
        total - salads
    )


def test_tablets_retrying_one_line_uuid_at_once_add_it_once(world):
    order = open_table(world)
    line_uuid = uuid.uuid4()
    tablets = 6

    def add(index: int):
        return services.add_line(
            order=fresh(Order, order.pk),
            request=services.LineRequest(item_id=world.salad.pk, seat=1, client_uuid=line_uuid),
            by=fresh(User, world.waiter.pk),
        )

    results, errors = run_together(tablets, add)

    assert errors == [None] * tablets
    assert {line.pk for line, _ in results} == {OrderLine.objects.get(client_uuid=line_uuid).pk}
    assert sum(created for _, created in results) == 1
    order.refresh_from_db()
    assert order.version == 2


# --- Countdown races ----------------------------------------------------------------------


@pytest.mark.parametrize("orders", ["one order each", "one shared order"])
def test_a_countdown_of_five_is_never_oversold_to_ten_tablets(world, orders, slow_receiver):
    stock, tablets = 5, 10
    Item.objects.filter(pk=world.soup.pk).update(remaining_qty=stock)
    if orders == "one order each":
        order_ids = [
            services.open_order(
                client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, kind=Order.Kind.TAKEAWAY
            )[0].pk
            for _ in range(tablets)
        ]
    else:
        order_ids = [open_table(world).pk] * tablets
    slow_receiver(signals.lines_added, 0.05)

    def add(index: int):
        return services.add_line(
            order=fresh(Order, order_ids[index]),
            request=services.LineRequest(item_id=world.soup.pk, qty=1, seat=0),
            by=fresh(User, world.waiter.pk),
        )

    results, errors = run_together(tablets, add)

    succeeded = [result for result in results if result is not None]
    refused = [error for error in errors if error is not None]
    assert len(succeeded) == stock
    assert len(refused) == tablets - stock
    for error in refused:
        assert isinstance(error, ValidationError), repr(error)
        assert set(error.message_dict) & {"item", "qty"}, error.message_dict
    assert Item.objects.get(pk=world.soup.pk).remaining_qty == 0
    assert sum(OrderLine.objects.filter(item=world.soup).values_list("qty", flat=True)) == stock


def test_a_countdown_race_with_bigger_quantities_sells_exactly_what_there_is(world, slow_receiver):
    stock = 7
    Item.objects.filter(pk=world.soup.pk).update(remaining_qty=stock)
    quantities = [3, 3, 2, 2, 1, 1]
    order_ids = [
        services.open_order(
            client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, kind=Order.Kind.TAKEAWAY
        )[0].pk
        for _ in quantities
    ]
    slow_receiver(signals.lines_added, 0.05)

    def add(index: int):
        return services.add_line(
            order=fresh(Order, order_ids[index]),
            request=services.LineRequest(item_id=world.soup.pk, qty=quantities[index], seat=0),
            by=fresh(User, world.waiter.pk),
        )

    results, errors = run_together(len(quantities), add)

    assert all(error is None or isinstance(error, ValidationError) for error in errors), errors
    sold = sum(quantities[i] for i, result in enumerate(results) if result is not None)
    left = Item.objects.get(pk=world.soup.pk).remaining_qty
    assert left >= 0
    assert sold + left == stock
    assert sum(OrderLine.objects.filter(item=world.soup).values_list("qty", flat=True)) == sold
    # Whoever was refused asked for more than was left when their turn came.
    assert all(quantities[i] > left for i, error in enumerate(errors) if error is not None)


# --- Opening one table from several tablets -------------------------------------------


@pytest.mark.parametrize("tablets", [2, 8])
def test_tablets_opening_one_table_at_once_open_one_order(world, tablets, slow_receiver):
    slow_receiver(signals.order_opened, 0.3)
    table = world.tables[3]
    waiter_ids = [world.waiter.pk, world.other_waiter.pk]

    def open_it(index: int):
        return services.open_order(
            client_uuid=uuid.uuid4(),
            outlet=world.outlet,
            waiter=fresh(User, waiter_ids[index % 2]),
            table=table,
            covers=2,
        )

    results, errors = run_together(tablets, open_it)

    opened = [result for result in results if result is not None]
    assert len(opened) == 1 and opened[0][1] is True
    assert Order.objects.filter(table=table).count() == 1
    refused = [error for error in errors if error is not None]
    assert len(refused) == tablets - 1
    for error in refused:
        assert isinstance(error, ValidationError), repr(error)
        assert "table" in error.message_dict
        assert "already open" in error.message_dict["table"][0]


@pytest.mark.parametrize("tablets", [2, 8])
def test_one_client_uuid_sent_from_several_tablets_at_once_opens_one_order(world, tablets, slow_receiver):
    slow_receiver(signals.order_opened, 0.3)
    key = uuid.uuid4()

    def open_it(index: int):
        return services.open_order(
            client_uuid=key, outlet=world.outlet, waiter=fresh(User, world.waiter.pk), table=world.tables[2], covers=2
        )

    results, errors = run_together(tablets, open_it)

    assert errors == [None] * tablets
    assert Order.objects.count() == 1
    assert {order.pk for order, _ in results} == {Order.objects.get(client_uuid=key).pk}
    assert Counter(created for _, created in results) == Counter({True: 1, False: tablets - 1})


# --- Moving tables around at the same time ------------------------------------------------


def test_two_orders_moved_to_one_free_table_at_once_one_wins_the_other_is_told(world, slow_receiver):
    first = open_table(world, table_index=0)
    second = open_table(world, table_index=1)
    slow_receiver(signals.order_transferred, 0.5)
    free = world.tables[5]
    order_ids = [first.pk, second.pk]

    def move(index: int):
        return services.transfer_order(
            order=fresh(Order, order_ids[index]), to_table=free, by=fresh(User, world.waiter.pk)
        )

    results, errors = run_together(2, move)

    assert Order.objects.filter(table=free, status=Order.Status.OPEN).count() == 1
    assert sum(result is not None for result in results) == 1
    refused = [error for error in errors if error is not None]
    assert len(refused) == 1
    # A clear refusal naming the table (a 400), not a database error (a 500).
    assert isinstance(refused[0], ValidationError), repr(refused[0])
    assert "table" in refused[0].message_dict


def test_two_tables_merged_into_each_other_at_once_do_not_deadlock(world, slow_receiver):
    first = open_table(world, table_index=0, covers=2)
    second = open_table(world, table_index=1, covers=2)
    services.add_line(order=first, request=services.LineRequest(item_id=world.salad.pk, seat=1), by=world.waiter)
    services.add_line(order=second, request=services.LineRequest(item_id=world.soup.pk, seat=2), by=world.waiter)
    pairs = [(first.pk, second.pk), (second.pk, first.pk)]
    slow_receiver(signals.orders_merged, 0.3)

    def merge(index: int):
        source, target = pairs[index]
        return services.merge_orders(
            source=fresh(Order, source), target=fresh(Order, target), by=fresh(User, world.waiter.pk)
        )

    results, errors = run_together(2, merge)

    assert sum(result is not None for result in results) == 1
    refused = [error for error in errors if error is not None]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError), repr(refused)
    assert "source_order" in refused[0].message_dict
    survivor = Order.objects.get(status=Order.Status.OPEN)
    assert survivor.covers == 4
    assert OrderLine.objects.filter(order=survivor).count() == 2
    assert Order.objects.filter(status=Order.Status.MERGED, merged_into=survivor).count() == 1


# --- Over HTTP: one Idempotency-Key from several tablets --------------------------------


def test_one_idempotency_key_sent_from_several_tablets_at_once_adds_one_line(world):
    order = open_table(world)
    key = str(uuid.uuid4())
    tablets = 6

    def post(index: int):
        client = APIClient()
        client.force_login(fresh(User, world.waiter.pk))
        response = client.post(
            f"/api/orders/{order.pk}/lines/",
            {"item": world.salad.pk, "seat": 1},
            format="json",
            headers={"Idempotency-Key": key},
        )
        return response.status_code, response.json()

    results, errors = run_together(tablets, post)

    assert errors == [None] * tablets
    assert OrderLine.objects.filter(order=order).count() == 1
    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    line_ids = {body["line"] for status, body in results if status == 201}
    assert line_ids == {OrderLine.objects.get(order=order).pk}
    assert IdempotentResponse.objects.filter(key=key).count() == 1


# --- Wrong PINs typed on several tablets at once --------------------------------------


def test_wrong_pins_typed_at_once_never_get_past_the_minutes_limit(world, settings):
    settings.PIN_TRIES_BEFORE_WAIT = 100  # only the minute's limit holds them back
    tablets = settings.PIN_GUESSES_PER_MINUTE + 5
    client = pin_guard.PinClient(key="addr:10.8.0.1|dev:")

    def wrong(index: int):
        return staff_services.sign_in_with_pin(person_id=world.waiter.pk, pin="0000", client=client)

    results, errors = run_together(tablets, wrong)

    assert results == [None] * tablets
    kinds = Counter(
        "wrong" if isinstance(e, ValidationError) else "wait" if isinstance(e, PinThrottled) else repr(e)
        for e in errors
    )
    assert kinds == Counter(
        {"wrong": settings.PIN_GUESSES_PER_MINUTE, "wait": tablets - settings.PIN_GUESSES_PER_MINUTE}
    )
    assert User.objects.get(pk=world.waiter.pk).is_active  # slowed down, never locked
