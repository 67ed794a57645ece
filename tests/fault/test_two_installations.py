"""Two installations on one Redis never hear each other.

Redis pub/sub channels ignore the database number in REDIS_URL, so the channel layer's
prefix keeps installations apart; by default it is derived from the installation's
database. Here two real daphne processes serve two installations (two SQLite files with
the same demo data, so their station numbers and group names are the same) on one
private redis-server: a ticket sent in one reaches its own screen, never the other's.
"""

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import websockets

from config.settings import default_channel_prefix
from tests.e2e.conftest import PROJECT_ROOT, running_daphne
from tests.fault.redis_server import PrivateRedis, require_redis_server

SET_UP = """
from django.core.management import call_command
from django.test import Client
from kitchen.models import Station
from staff.models import User
call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=open("/dev/null", "w"))
"""
SIGN_IN = """
import json
from django.conf import settings
from django.test import Client
from kitchen.models import Station
browser = Client()
browser.force_login(User.objects.get(username="mila"))
station = Station.objects.get(outlet__name="Bistro De Tafel", code="koud")
print(json.dumps({"cookie": browser.cookies[settings.SESSION_COOKIE_NAME].value, "station": station.pk}))
"""
SEND_ORDER = """
import uuid
from orders import services as orders
from orders.models import Item
from tables.models import Table
anna = User.objects.get(username="anna")
table = Table.objects.get(outlet__name="Bistro De Tafel", number="7")
carpaccio = Item.objects.get(category__menu__outlet=table.outlet, name="Carpaccio")
order, _ = orders.open_order(client_uuid=uuid.uuid4(), outlet=table.outlet, waiter=anna, table=table, covers=2)
orders.add_lines(order=order, requests=[orders.LineRequest(item_id=carpaccio.pk, seat=1, course=1)], by=anna)
orders.send_to_kitchen(order=order, by=anna)
"""


def installation_env(database: Path, redis_url: str) -> dict[str, str]:
    """The environment of one installation: its database, the shared Redis, no prefix given."""
    env = {key: value for key, value in os.environ.items() if key not in ("CHANNEL_PREFIX", "DATABASE_URL")}
    return {**env, "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": redis_url, "CHANNEL_PREFIX": ""}


def manage_shell(env: dict[str, str], code: str) -> str:
    script = "from staff.models import User\n" + code
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


async def listen(base_url: str, station: int, cookie: str, seconds: float) -> list[dict]:
    """Everything a kitchen socket hears for a while (Mila, a manager, may watch any station)."""
    url = base_url.replace("http://", "ws://") + f"/ws/kitchen/stations/{station}/"
    heard = []
    async with websockets.connect(
        url, origin=base_url, additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=20
    ) as socket:
        # Listen for `seconds`: the timeout is the end of listening, not a failure.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                async for raw in socket:
                    heard.append(json.loads(raw))
    return heard


@pytest.fixture
def shared_redis():
    require_redis_server()
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def test_a_ticket_in_one_installation_never_reaches_the_other_on_the_same_redis(tmp_path, shared_redis):
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    manage_shell(installation_env(first, shared_redis.url), SET_UP)
    shutil.copy(first, second)  # the same restaurant twice: same stations, same group names
    first_env, second_env = installation_env(first, shared_redis.url), installation_env(second, shared_redis.url)
    first_login = json.loads(manage_shell(first_env, SIGN_IN))
    second_login = json.loads(manage_shell(second_env, SIGN_IN))
    assert first_login["station"] == second_login["station"]

    with (
        running_daphne("first-installation", extra_env=first_env) as first_url,
        running_daphne("second-installation", extra_env=second_env) as second_url,
    ):

        async def both_screens_while_the_first_sends() -> tuple[list[dict], list[dict]]:
            screens = asyncio.gather(
                listen(first_url, first_login["station"], first_login["cookie"], 12),
                listen(second_url, second_login["station"], second_login["cookie"], 12),
            )
            await asyncio.sleep(3)  # both sockets connected and subscribed
            await asyncio.to_thread(manage_shell, first_env, SEND_ORDER)
            return await screens

        heard_by_first, heard_by_second = asyncio.run(both_screens_while_the_first_sends())

    assert [m["ticket"]["table"] for m in heard_by_first if m["type"] == "ticket"] == ["7"]
    assert not [m for m in heard_by_second if m["type"] != "keepalive"], heard_by_second
    assert {m["seq"] for m in heard_by_second if m["type"] == "keepalive"} == {0}


def test_the_default_prefix_is_one_per_installation_database():
    bistro = {"ENGINE": "django.db.backends.postgresql", "HOST": "db", "PORT": "5432", "NAME": "bistro"}
    assert default_channel_prefix(bistro) == default_channel_prefix(dict(bistro))
    others = [{**bistro, "NAME": "hotel"}, {**bistro, "HOST": "db2"}, {**bistro, "PORT": "5433"}]
    assert len({default_channel_prefix(d) for d in [bistro, *others]}) == 4
    assert default_channel_prefix(bistro).startswith("tafel.")


def test_the_channel_layer_takes_the_prefix_from_the_environment_or_derives_it():
    def layer_config(**env) -> dict:
        base = {key: value for key, value in os.environ.items() if key not in ("CHANNEL_PREFIX", "DATABASE_URL")}
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "import json; from django.conf import settings; "
                "print(json.dumps(settings.CHANNEL_LAYERS['default']['CONFIG']))",
            ],
            cwd=PROJECT_ROOT,
            env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": "redis://127.0.0.1:1/5", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert layer_config(CHANNEL_PREFIX="bistro.")["prefix"] == "bistro."
    first = layer_config(DATABASE_URL="postgres://pos@db:5432/bistro")["prefix"]
    second = layer_config(DATABASE_URL="postgres://pos@db:5432/hotel")["prefix"]
    assert first != second
    assert first == default_channel_prefix(
        {"ENGINE": "django.db.backends.postgresql", "HOST": "db", "PORT": 5432, "NAME": "bistro"}
    )
