"""Shared fixtures. Service-backed tests skip on a bare machine but fail in CI.

CI sets REQUIRE_SERVICES=1 for the PostgreSQL + Redis run and REQUIRE_BROWSER=1 for
the browser tests: there a skip is a failure, so a green CI means they really ran.
"""

import os
from dataclasses import dataclass

import pytest
from channels.layers import channel_layers
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from kitchen.models import ModifierRoute, Station, StationRoute
from staff.models import Role
from tests.factories import (
    AreaFactory,
    CategoryFactory,
    ItemFactory,
    MenuFactory,
    ModifierFactory,
    ModifierGroupFactory,
    OutletFactory,
    StaffFactory,
    TableFactory,
    TaxRateFactory,
    attach,
    courses,
)


def _must_or_skip(reason: str, env: str) -> None:
    if os.environ.get(env) == "1":
        pytest.fail(f"{reason} ({env}=1 says this run must have it)")
    pytest.skip(reason)


def pytest_sessionfinish(session, exitstatus):
    # Belt and braces for CI: with REQUIRE_SERVICES=1 nothing may be skipped at all.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("REQUIRE_SERVICES") == "1" and skipped and exitstatus == 0:
        reporter.write_line(f"REQUIRE_SERVICES=1 but {skipped} tests were skipped: failing the run", red=True)
        session.exitstatus = 1


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _english_unless_asked():
    # A request through the test client leaves its language active in this thread;
    # without this a Dutch page in one test makes the next test's messages Dutch.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Wrong PINs are counted in the cache; one test's guesses must not make the next wait.
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    # PBKDF2 with a million rounds per PIN check would make the suite crawl; browser
    # tests keep the real hasher because a separate daphne process checks their PINs.
    if "e2e" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def requires_postgres(db):
    if connection.vendor != "postgresql":
        _must_or_skip("needs PostgreSQL: set DATABASE_URL", "REQUIRE_SERVICES")


@pytest.fixture
def requires_redis(settings):
    if not settings.REDIS_URL:
        _must_or_skip("needs Redis: set REDIS_URL", "REQUIRE_SERVICES")


@pytest.fixture
def private_redis(settings):
    """This test's own redis-server, as the channel layer of this process (with the installation's prefix).

    A test that kills and restarts it disturbs nobody else (tests/fault/redis_server.py).
    """
    from tests.fault.redis_server import PrivateRedis, pubsub_layers, require_redis_server

    require_redis_server()
    server = PrivateRedis()
    server.start()
    settings.CHANNEL_LAYERS = pubsub_layers(server.url, settings.CHANNEL_PREFIX)
    channel_layers.backends.clear()
    yield server
    server.stop()
    channel_layers.backends.clear()


IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def redis_layers(url: str) -> dict:
    return {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [url]}}}


@pytest.fixture(params=["in_memory", "redis"])
async def layer(request, settings):
    """Run a socket test on both channel layers, with a fresh layer instance each time."""
    if request.param == "redis":
        request.getfixturevalue("requires_redis")
        settings.CHANNEL_LAYERS = redis_layers(settings.REDIS_URL)
    else:
        settings.CHANNEL_LAYERS = IN_MEMORY
    channel_layers.backends.clear()
    yield request.param
    for backend in list(channel_layers.backends.values()):
        if hasattr(backend, "flush"):
            await backend.flush()
    channel_layers.backends.clear()


@dataclass
class World:
    """A small bistro: one outlet, a floor, a menu with modifier rules, staff."""

    outlet: object
    area: object
    tables: list
    waiter: object
    other_waiter: object
    manager: object
    kitchen: object
    steak: object
    salad: object
    soup: object
    cooking: object
    extras: object
    sides: object
    dressing: object
    rare: object
    medium: object
    bacon: object
    cheese: object
    egg: object
    fries: object
    side_salad: object
    vinaigrette: object


@pytest.fixture
def world(db) -> World:
    outlet = OutletFactory(name="Bistro")
    courses(outlet)
    area = AreaFactory(outlet=outlet, name="Main room")
    tables = [TableFactory(area=area, number=str(n), seats=4) for n in range(1, 7)]
    menu = MenuFactory(outlet=outlet)
    low = TaxRateFactory(name="Low", percent="9.00")
    starters = CategoryFactory(menu=menu, name="Starters", default_course=1)
    mains = CategoryFactory(menu=menu, name="Mains", default_course=2)
    steak = ItemFactory(category=mains, name="Steak", price=2450, tax_rate=low)
    salad = ItemFactory(category=starters, name="Salad", price=950, tax_rate=low)
    soup = ItemFactory(category=starters, name="Soup", price=750, tax_rate=low)
    cooking = ModifierGroupFactory(name="Cooking", min_choices=1, max_choices=1)
    rare = ModifierFactory(group=cooking, name="Rare")
    medium = ModifierFactory(group=cooking, name="Medium")
    ModifierFactory(group=cooking, name="Well done")
    extras = ModifierGroupFactory(name="Extras", min_choices=0, max_choices=3)
    bacon = ModifierFactory(group=extras, name="Bacon", price_delta=150)
    cheese = ModifierFactory(group=extras, name="Cheese", price_delta=150)
    egg = ModifierFactory(group=extras, name="Egg", price_delta=150)
    ModifierFactory(group=extras, name="Onions", price_delta=150)
    dressing = ModifierGroupFactory(name="Dressing", min_choices=1, max_choices=1)
    vinaigrette = ModifierFactory(group=dressing, name="Vinaigrette")
    ModifierFactory(group=dressing, name="Yoghurt")
    sides = ModifierGroupFactory(name="Side", min_choices=1, max_choices=2, free_choices=1)
    fries = ModifierFactory(group=sides, name="Fries", price_delta=350)
    side_salad = ModifierFactory(group=sides, name="Side salad", price_delta=400, opens_group=dressing)
    attach(steak, cooking, sides, extras)
    return World(
        outlet=outlet,
        area=area,
        tables=tables,
        waiter=StaffFactory(display_name="Anna", role=Role.WAITER),
        other_waiter=StaffFactory(display_name="Bram", role=Role.WAITER),
        manager=StaffFactory(display_name="Mila", role=Role.MANAGER, pin="9999"),
        kitchen=StaffFactory(display_name="Kees", role=Role.KITCHEN),
        steak=steak,
        salad=salad,
        soup=soup,
        cooking=cooking,
        extras=extras,
        sides=sides,
        dressing=dressing,
        rare=rare,
        medium=medium,
        bacon=bacon,
        cheese=cheese,
        egg=egg,
        fries=fries,
        side_salad=side_salad,
        vinaigrette=vinaigrette,
    )


@pytest.fixture
def api_as():
    """api_as(person) -> an APIClient signed in as that person (with CSRF checks on)."""

    def make(person):
        client = APIClient(enforce_csrf_checks=False)
        client.force_authenticate(user=person)
        return client

    return make


@dataclass
class Kitchen:
    hot: Station
    cold: Station
    expo: Station
    dessert: object  # an item of course 3, routed to cold


@pytest.fixture
def kitchen(world) -> Kitchen:
    """A kitchen for the bistro of `world`: cold does starters (and side salads), hot the mains, expo the pass."""
    hot = Station.objects.create(outlet=world.outlet, name="Hot", code="hot", sort_order=1)
    cold = Station.objects.create(outlet=world.outlet, name="Cold", code="cold", sort_order=2)
    expo = Station.objects.create(outlet=world.outlet, name="Expo", code="expo", kind=Station.Kind.EXPO, sort_order=9)
    StationRoute.objects.create(station=hot, category=world.steak.category)
    StationRoute.objects.create(station=cold, category=world.salad.category)
    ModifierRoute.objects.create(modifier=world.side_salad, station=cold)
    desserts = CategoryFactory(menu=world.salad.category.menu, name="Desserts", default_course=3)
    dessert = ItemFactory(category=desserts, name="Crème brûlée", price=850, tax_rate=world.salad.tax_rate)
    StationRoute.objects.create(station=cold, category=desserts)
    return Kitchen(hot=hot, cold=cold, expo=expo, dessert=dessert)
