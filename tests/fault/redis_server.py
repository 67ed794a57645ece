"""A private redis-server for fault tests: started on a free port, killed and restarted at will.

Only the `redis-server` binary is needed (CI has it in both of its runs), not a shared
Redis: a test that kills its own server disturbs nobody else.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest
import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def wait_for_subscriber(self, channel: str, within: float = 15) -> None:
        """Until a client listens on `channel` again (the layer reconnects on its own)."""
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + within
        try:
            while time.monotonic() < deadline:
                if dict(client.pubsub_numsub(channel)).get(channel.encode()):
                    return
                time.sleep(0.1)
        finally:
            client.close()
        raise AssertionError(f"nobody subscribed to {channel} again within {within}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def require_redis_server() -> None:
    """Skip on a machine without redis-server; fail where the run must have it (CI)."""
    if shutil.which("redis-server"):
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail("redis-server is missing (REQUIRE_SERVICES=1 says this run must have it)")
    pytest.skip("needs the redis-server binary")


def pubsub_layers(url: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": prefix},
        }
    }
