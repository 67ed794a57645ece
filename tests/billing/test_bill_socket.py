"""Other tablets hear that a bill changed: a split or a payment reaches the outlet's floor socket after commit."""

import pytest
from channels.db import database_sync_to_async

from billing import services
from billing.models import Check, Tender
from tests.billing.test_checks import first_check, table_for_four
from tests.orders.test_floor_socket import connected_socket, cookies, receive_until  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def is_bill_of(order_id: int):
    return lambda message: message == {"type": "bill", "order": order_id}


async def test_a_split_and_a_payment_tell_every_tablet_of_the_outlet(layer, world, cookies):  # noqa: F811
    order = await database_sync_to_async(table_for_four)(world)
    check = await database_sync_to_async(first_check)(order, world)
    other_tablet = await connected_socket(world.outlet.pk, cookies["other_waiter"])
    try:
        checks = await database_sync_to_async(services.split_check_by_seat)(check=check, by=world.waiter)
        await receive_until(other_tablet, is_bill_of(order.pk), "bill message after the split")

        voucher = await database_sync_to_async(Tender.objects.create)(name="Voucher", kind=Tender.Kind.OTHER)
        seat_check = await database_sync_to_async(Check.objects.get)(pk=checks[1].pk)
        await database_sync_to_async(services.pay_other)(check=seat_check, tender=voucher, amount=100, by=world.waiter)
        await receive_until(other_tablet, is_bill_of(order.pk), "bill message after the payment")
    finally:
        await other_tablet.disconnect()
