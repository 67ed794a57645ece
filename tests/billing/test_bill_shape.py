"""The bill's figures read as an integrator's client (and the tablet) expects them."""

import uuid

from billing import selectors, services
from orders.models import Order
from orders.services import LineRequest, add_lines, open_order
from tests.factories import ItemFactory, TaxRateFactory


def test_a_round_tax_rate_reads_as_a_plain_number(world):
    wine = ItemFactory(
        category=world.salad.category, name="Wine", price=3200, tax_rate=TaxRateFactory(name="High", percent="20.00")
    )
    order, _ = open_order(client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0])
    add_lines(order=order, requests=[LineRequest(item_id=wine.pk), LineRequest(item_id=world.soup.pk)], by=world.waiter)

    services.open_bill(order=order, by=world.waiter)

    bill = selectors.bill_payload(order=Order.objects.select_related("outlet").get(pk=order.pk))

    assert sorted(rate["tax_percent"] for rate in bill["checks"][0]["totals"]["rates"]) == ["20", "9"]
