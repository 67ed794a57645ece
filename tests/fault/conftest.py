import pytest
from channels.layers import channel_layers

from tests.fault.redis_server import PrivateRedis, pubsub_layers, require_redis_server
from tests.orders.test_floor_socket import cookies  # noqa: F401 - a fixture the floor tests here share


@pytest.fixture
def private_redis(settings):
    """This test's own redis-server, as the channel layer of this process (with the installation's prefix)."""
    require_redis_server()
    server = PrivateRedis()
    server.start()
    settings.CHANNEL_LAYERS = pubsub_layers(server.url, settings.CHANNEL_PREFIX)
    channel_layers.backends.clear()
    yield server
    server.stop()
    channel_layers.backends.clear()
