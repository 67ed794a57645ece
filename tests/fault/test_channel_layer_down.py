"""The database is the truth: a dead channel layer must not fail or undo an order."""

import socket
import uuid

import pytest
from channels.layers import channel_layers

from orders import services
from orders.models import OrderLine


@pytest.fixture
def dead_redis_layer(settings):
    # A port nobody listens on: connections are refused at once, as when Redis is down.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{port}/0"]},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
def test_sending_an_order_succeeds_while_the_channel_layer_is_down(world, dead_redis_layer):
    order, _ = services.open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[0], covers=2
    )
    services.add_line(order=order, request=services.LineRequest(item_id=world.salad.pk, seat=1), by=world.waiter)
    sent = services.send_to_kitchen(order=order, by=world.waiter)
    assert [line.status for line in sent] == [OrderLine.Status.SENT]
    assert OrderLine.objects.get().status == OrderLine.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_the_dead_channel_layer(client, dead_redis_layer):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["channel_layer"] == "failing"
    assert response.json()["database"] == "ok"
