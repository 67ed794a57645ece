"""Kitchen fan-out: from a waiter's "send" to the ticket on every kitchen screen, against a bare group_send.

What is measured
----------------
A fresh PostgreSQL database (`bench_kitchen`) is migrated and seeded (`seed_demo`). The
demo bistro's kitchen (Koud, Warm, Dessert, Bar, Expo) gets 15 more prep stations, so
a busy kitchen of 20 stations has 2 screens each: 40 screens. The orderable items of
the à la carte menu are routed round-robin over the 19 prep stations (about 2 each).
40 displays are paired the real way (a manager's code, then `POST
/api/kitchen/displays/pair/` over HTTP, keeping the device's session cookie). 20 waiters
are signed in as the tests do it (`force_login`, no PIN: checking one costs ~2 s of CPU
here and is not what is measured); each waiter's tablet also listens on the floor socket.
No page or static file is requested, so `collectstatic` is skipped.

Two daphne processes serve the app (DEBUG=0, PostgreSQL, REDIS_URL set, so the
project's `RedisPubSubChannelLayer` links them). Screen 1 of every station listens on
process A, screen 2 on process B; waiters alternate between A and B for both their
HTTP requests and their floor socket. Every delivery thus crosses Redis, half of them
into the process that committed the order and half into the other one.

Load: orders at a fixed rate (`--rate`, `--seconds`), waiters taking turns. Each order
is opened on its own table, gets 1-2 lines for each of 2-3 random prep stations in one
batch request (with the fewest choices each item needs, so that no choice is routed to
another station), and is sent (`POST /api/orders/{id}/send/`). t0 is taken just before
the send request. Every screen stamps each ticket (prep) or fire (expo) message on
arrival; a delivery is one (order, screen) pair that should show the order: its prep
stations' screens and both expo screens. Latency = first arrival of the order on that
screen - t0. Screens follow the sequence numbers as static/kitchen/kds.js does: a
message past a gap is held back and the socket is asked to resync, so such tickets count
when the answer arrives. A delivery that has not arrived a few seconds after the last send is
missing (it must be 0: the database is the truth, the socket only notifies).

Baseline, in the same run: the bench process itself `group_send`s a small `kds.ticket`
message to the same station groups (2-3 prep stations and expo per probe, like an
order), so the consumers in the daphne processes forward it to the very same screens.
Its order number is negative, which tells the screens it is a probe outside the
sequence. That is the raw cost of the layer, the consumer and the socket (DESIGN.md:
p50 1.5 ms, p99 5-8 ms for pub/sub on this kind of machine). It is measured on a quiet
system before the load (the RESULT's baseline) and again at a low rate during the load,
which shows how much of the gap is the machine being busy rather than the send path.
`ratio = p99_ms / baseline_p99_ms`.

Resync: afterwards one more station gets 300 open tickets (300 bar tabs sent through
the services in-process), and a screen paired to it connects with `?after=0`; the time
from opening the socket to the `changes` message holding the 300 tickets is
`resync_300_ms`, the median of 5 tries (alternating between the processes).

Run from the project root:  .venv/bin/python bench/kitchen_fanout.py [--rate 5] [--seconds 40]
Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and Redis at 127.0.0.1:6379.
The last line printed is `RESULT kitchen_fanout p50_ms=... p99_ms=... ...`. Exits non-zero
if a request failed, a delivery went missing, or the resync did not hold 300 tickets.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, TypeVar

from harness import (
    HOST,
    ROOT,
    cpu_seconds,
    drop_database,
    free_port,
    percentile,
    recreate_database,
    run_checked,
    stop,
    wait_healthy,
)

try:
    from websockets.asyncio.client import ClientConnection, connect
    from websockets.exceptions import ConnectionClosed
except ImportError:  # pragma: no cover - a dev dependency
    raise SystemExit("this bench needs the `websockets` client, a dev dependency in pyproject.toml") from None

PYTHON = ROOT / ".venv" / "bin" / "python"
DAPHNE = ROOT / ".venv" / "bin" / "daphne"
REDIS_URL = "redis://127.0.0.1:6379/0"
OUTLET_NAME = "Bistro De Tafel"
MENU_NAME = "À la carte"
MANAGER_USERNAME = "mila"
EXTRA_PREP_STATIONS = 15
SCREENS_PER_STATION = 2
WAITERS = 20
RESYNC_TICKETS = 300
RESYNC_TRIES = 5
# After the last send: how long screens may take before a delivery counts as missing.
DRAIN_SECONDS = 5.0
# As static/kitchen/kds.js: how long a screen waits for a missing number before it resyncs.
GAP_WAIT_S = 0.3
MAX_ERROR_BODIES = 5
T = TypeVar("T")


class BenchError(Exception):
    """A request or socket that did not behave; the bench reports it and fails."""


# --------------------------------------------------------------------------- setup


def setup_django(env: dict[str, str]) -> None:
    """Point this process's Django at the bench database (for fixtures, codes and the resync tickets)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class Fixtures:
    outlet_id: int
    expo_id: int
    prep_ids: list[int]  # the stations orders go to (the demo's and the bench's)
    item_station: dict[int, int]  # orderable item -> its prep station
    table_ids: list[int]
    waiters: list[tuple[int, str]]  # (user id, session key)
    codes: list[tuple[int, str]]  # (station id, pairing code), SCREENS_PER_STATION per station
    resync_station_id: int
    resync_code: str
    resync_item_id: int


def prepare_fixtures(tables: int) -> Fixtures:
    """Stations, routes, tables, waiters and pairing codes, through the ORM in this process.

    Pairing codes come from `issue_pairing_code`, as a manager's screen gets them.
    Waiters are signed in here the way the tests do it (`force_login`): a PIN check is
    PBKDF2 with a million rounds, ~2 s of CPU each on this machine, and not measured.
    The connection is closed afterwards.
    """
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connections, transaction
    from django.test import Client

    from kitchen.models import Station, StationRoute
    from kitchen.services import issue_pairing_code
    from orders.models import Item
    from staff.models import Role, User
    from staff.services import ensure_role_groups
    from tables.models import Area, Outlet, Table

    try:
        outlet = Outlet.objects.filter(name=OUTLET_NAME, is_active=True).first()
        if outlet is None:
            raise SystemExit(f"seed_demo did not create the outlet {OUTLET_NAME!r}")
        manager = User.objects.get(username=MANAGER_USERNAME)
        with transaction.atomic():
            ensure_role_groups()
            base = Station.objects.filter(outlet=outlet).count()
            Station.objects.bulk_create(
                Station(outlet=outlet, code=f"bench{n:02d}", name=f"Bench {n:02d}", sort_order=base + n)
                for n in range(1, EXTRA_PREP_STATIONS + 1)
            )
            resync = Station.objects.create(outlet=outlet, code="resync", name="Resync", sort_order=99)
            stations = list(Station.objects.filter(outlet=outlet).exclude(pk=resync.pk).order_by("pk"))
            expo = next(s for s in stations if s.kind == Station.Kind.EXPO)
            prep = [s for s in stations if s.kind == Station.Kind.PREP]
            items = list(
                Item.objects.filter(
                    category__menu__outlet=outlet,
                    category__menu__name=MENU_NAME,
                    is_available=True,
                    remaining_qty__isnull=True,
                )
                .prefetch_related("modifier_groups")
                .order_by("category__sort_order", "sort_order", "pk")
            )
            # The resync station gets one plain item of its own, never ordered in the load.
            resync_item = next(item for item in items if not item.modifier_groups.all())
            items.remove(resync_item)
            if len(items) < len(prep):
                raise SystemExit(f"only {len(items)} orderable items for {len(prep)} prep stations")
            routed = {item.pk: prep[n % len(prep)].pk for n, item in enumerate(items)}
            routed[resync_item.pk] = resync.pk
            # Item routes override the category routes seed_demo made.
            StationRoute.objects.filter(item_id__in=routed).delete()
            StationRoute.objects.bulk_create(
                StationRoute(station_id=station_id, item_id=item_id) for item_id, station_id in routed.items()
            )
            area = Area.objects.create(outlet=outlet, name="Bench", sort_order=99)
            created = Table.objects.bulk_create(
                Table(outlet=outlet, area=area, number=f"K{n:04d}", seats=2, x=(n % 10) * 90, y=(n // 10) * 90)
                for n in range(1, tables + 1)
            )
            waiter_group = Group.objects.get(name=Role.WAITER)
            people = []
            for n in range(1, WAITERS + 1):
                person = User.objects.create(username=f"kfbench{n:03d}", display_name=f"Waiter {n:03d}")
                person.set_unusable_password()
                person.save(update_fields=["password"])
                person.groups.add(waiter_group)
                people.append(person)
        waiters = []
        for person in people:
            browser = Client()
            browser.force_login(person)
            waiters.append((person.pk, browser.cookies[settings.SESSION_COOKIE_NAME].value))
        codes = [
            (station.pk, issue_pairing_code(station=station, by=manager).code)
            for station in stations
            for _screen in range(SCREENS_PER_STATION)
        ]
        resync_code = issue_pairing_code(station=resync, by=manager).code
        del routed[resync_item.pk]
        return Fixtures(
            outlet_id=outlet.pk,
            expo_id=expo.pk,
            prep_ids=[s.pk for s in prep],
            item_station=routed,
            table_ids=[t.pk for t in created],
            waiters=waiters,
            codes=codes,
            resync_station_id=resync.pk,
            resync_code=resync_code,
            resync_item_id=resync_item.pk,
        )
    finally:
        connections.close_all()


def start_daphne(env: dict[str, str], log) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [str(DAPHNE), "-b", HOST, "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, port


def machine_cpu() -> tuple[float, float] | None:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat; None elsewhere."""
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    idle = ticks[3] + ticks[4]  # idle + iowait
    return float(sum(ticks) - idle), float(sum(ticks))


@dataclass
class CpuUse:
    """Who used the CPU during a phase, in % of one core (the machine's in % of all its cores)."""

    daphnes: list[float]
    bench: float
    machine: float | None

    @classmethod
    def measure_from(cls, pids: list[int]) -> Callable[[], CpuUse]:
        """Start measuring now; the returned function gives the use up to the moment it is called."""
        began, bench, machine = time.perf_counter(), time.process_time(), machine_cpu()
        daphnes = [cpu_seconds(pid) for pid in pids]

        def finish() -> CpuUse:
            wall = time.perf_counter() - began
            after = [cpu_seconds(pid) for pid in pids]
            used = [
                (a - b) / wall * 100 for a, b in zip(after, daphnes, strict=True) if a is not None and b is not None
            ]
            machine_now = machine_cpu()
            share = None
            if machine is not None and machine_now is not None and machine_now[1] > machine[1]:
                share = (machine_now[0] - machine[0]) / (machine_now[1] - machine[1]) * 100
            return cls(used, (time.process_time() - bench) / wall * 100, share)

        return finish

    def describe(self) -> str:
        machine = f"; whole machine {self.machine:.0f} % busy" if self.machine is not None else ""
        daphnes = " / ".join(f"{pct:.0f} %" for pct in self.daphnes)
        return f"CPU of a core: daphnes {daphnes}, bench process {self.bench:.0f} %{machine} ({os.cpu_count()} cores)"


# ----------------------------------------------------------------- HTTP client


@dataclass
class Errors:
    count: int = 0
    bodies: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.count += 1  # a lost update under threads would only under-count an already failing run
        if len(self.bodies) < MAX_ERROR_BODIES:
            self.bodies.append(text)


class Http:
    """One device's keep-alive connection to one daphne, with its cookies and CSRF header."""

    def __init__(self, port: int, errors: Errors):
        self.port = port
        self.origin = f"http://{HOST}:{port}"
        self.errors = errors
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        """Send one request; return its JSON. Non-2xx and transport errors raise BenchError."""
        headers = {"Accept": "application/json"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        payload = None
        if method != "GET":
            payload = json.dumps(body or {}).encode()
            headers.update(
                {
                    "Content-Type": "application/json",
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                    "Origin": self.origin,
                    "Referer": self.origin + "/",
                }
            )
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            self.errors.add(f"{method} {path}: {exc!r}")
            raise BenchError(str(exc)) from exc
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if not 200 <= response.status < 300:
            self.errors.add(f"{method} {path} -> {response.status}: {data[:600].decode(errors='replace')}")
            raise BenchError(f"{method} {path} -> {response.status}")
        is_json = response.headers.get("Content-Type", "").startswith("application/json")
        return json.loads(data) if data and is_json else {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def close(self) -> None:
        self.conn.close()


def pair_screen(port: int, code: str, name: str, errors: Errors) -> str:
    """Pair a display with a manager's code, as the screen does; return its Cookie header."""
    device = Http(port, errors)
    try:
        device.request("POST", "/api/kitchen/displays/pair/", {"code": code, "name": name})
        if "sessionid" not in device.cookies:
            raise BenchError(f"no session cookie after pairing {name}")
        return device.cookie_header()
    finally:
        device.close()


@dataclass
class Waiter:
    """A tablet: its HTTP session (one request at a time, hence its own thread) and its server."""

    http: Http
    port: int
    executor: ThreadPoolExecutor


def signed_in_tablet(port: int, user_id: int, session_key: str, errors: Errors) -> Waiter:
    """A tablet holding the waiter's session, and a CSRF secret of its own (any well-formed one passes)."""
    tablet = Http(port, errors)
    tablet.cookies = {"sessionid": session_key, "csrftoken": secrets.token_hex(16)}
    return Waiter(tablet, port, ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"waiter-{user_id}"))


# ------------------------------------------------------------------- orders


def required_modifiers(item: dict, groups: dict[int, dict]) -> list[int]:
    """The fewest choices the item's groups (and groups a choice opens) accept, plain ones first."""
    chosen: list[int] = []
    pending = list(item["modifier_groups"])
    while pending:
        group = groups[pending.pop(0)]
        options = sorted(
            (m for m in group["modifiers"] if m["is_available"]), key=lambda m: m["opens_group"] is not None
        )
        for modifier in options[: group["min_choices"]]:
            chosen.append(modifier["id"])
            if modifier["opens_group"]:
                pending.append(modifier["opens_group"])
    return chosen


@dataclass
class OrderPlan:
    table_id: int
    lines: list[dict]  # bodies for lines/batch/ (client_uuid added when sent)
    stations: frozenset[int]  # every station whose screens must show it, expo included


class Menu:
    """The served menu's orderable items grouped by prep station, with valid modifier sets."""

    def __init__(self, menu: dict, fixtures: Fixtures):
        groups = {int(key): group for key, group in menu["modifier_groups"].items()}
        self.expo_id = fixtures.expo_id
        self.by_station: dict[int, list[tuple[int, list[int]]]] = {}
        for category in menu["categories"]:
            for item in category["items"]:
                station = fixtures.item_station.get(item["id"])
                if station and item["is_available"] and not item["is_86d"] and item["remaining_qty"] is None:
                    self.by_station.setdefault(station, []).append((item["id"], required_modifiers(item, groups)))
        unserved = set(fixtures.prep_ids) - set(self.by_station)
        if unserved:
            raise SystemExit(f"prep stations {sorted(unserved)} have no item on the menu served now")

    def plan(self, rng: random.Random, table_id: int) -> OrderPlan:
        """1-2 lines for each of 2-3 random prep stations."""
        stations = rng.sample(sorted(self.by_station), rng.choice((2, 3)))
        lines = []
        for station in stations:
            for _line in range(rng.choice((1, 2))):
                item, modifiers = rng.choice(self.by_station[station])
                lines.append({"item": item, "qty": 1, "seat": len(lines) % 2 + 1, "modifiers": modifiers})
        return OrderPlan(table_id, lines, frozenset([*stations, self.expo_id]))


@dataclass
class SentOrder:
    order_id: int
    stations: frozenset[int]
    t0: float  # perf_counter just before the send request
    send_ms: float  # the send request's own round trip


def place_order(waiter: Waiter, outlet_id: int, plan: OrderPlan) -> SentOrder:
    """Open, add the lines in one batch, send; runs in the waiter's own thread."""
    order = waiter.http.request(
        "POST",
        "/api/orders/",
        {"client_uuid": str(uuid.uuid4()), "outlet": outlet_id, "table": plan.table_id, "covers": 2},
    )
    lines = [{"client_uuid": str(uuid.uuid4()), **line} for line in plan.lines]
    waiter.http.request("POST", f"/api/orders/{order['id']}/lines/batch/", {"lines": lines})
    t0 = time.perf_counter()
    waiter.http.request("POST", f"/api/orders/{order['id']}/send/", {})
    return SentOrder(order["id"], plan.stations, t0, (time.perf_counter() - t0) * 1000)


# ---------------------------------------------------------- WebSocket clients


def ws_url(port: int, path: str) -> str:
    return f"ws://{HOST}:{port}{path}"


async def open_socket(port: int, path: str, cookie: str) -> ClientConnection:
    """A browser-like socket: the Origin Channels checks, and the device's session cookie."""
    return await connect(
        ws_url(port, path),
        origin=f"http://{HOST}:{port}",
        additional_headers={"Cookie": cookie},
        max_size=None,
        open_timeout=20,
    )


class Screen:
    """A kitchen screen: follows its station's numbered feed and stamps when each order shows up.

    Probe messages (negative order numbers) are stamped apart and stay outside the
    sequence. On a gap it asks for what it missed, as the real screen does.
    """

    def __init__(self, station_id: int, port: int, cookie: str):
        self.station_id = station_id
        self.port = port
        self.cookie = cookie
        self.seq = 0
        self.resync_pending = False
        self.early: dict[int, dict] = {}  # messages past a gap, by number
        self.gap_since: float | None = None
        self.gaps = 0
        self.arrivals: dict[int, float] = {}  # order id -> first time it was on this screen
        self.via_resync: set[int] = set()
        self.probe_arrivals: dict[int, float] = {}
        self.ws: ClientConnection | None = None

    async def connect(self) -> None:
        self.ws = await open_socket(self.port, f"/ws/kitchen/stations/{self.station_id}/?after=0", self.cookie)
        first = json.loads(await asyncio.wait_for(self.ws.recv(), 20))
        if first.get("type") != "changes":
            raise BenchError(f"screen of station {self.station_id} got {first.get('type')!r} instead of changes")
        self.seq = first["seq"]

    async def listen(self) -> None:
        while True:
            wait = None if self.gap_since is None else max(0.0, self.gap_since + GAP_WAIT_S - time.perf_counter())
            try:
                raw = await asyncio.wait_for(self.ws.recv(), wait)
            except TimeoutError:
                reply = self.gap_not_filled()
            except ConnectionClosed:
                return
            else:
                reply = self.handle(json.loads(raw), time.perf_counter())
            if reply is not None:
                await self.ws.send(json.dumps(reply))

    def gap_not_filled(self) -> dict:
        """The missing number did not come within GAP_WAIT_S: ask for everything after the last one."""
        self.early.clear()
        self.gap_since = None
        self.gaps += 1
        self.resync_pending = True
        return {"type": "resync", "after": self.seq}

    def _arrived(self, order_id: int, now: float, *, resync: bool = False) -> None:
        if order_id not in self.arrivals:
            self.arrivals[order_id] = now
            if resync:
                self.via_resync.add(order_id)

    def handle(self, message: dict, now: float) -> dict | None:
        """Stamp what the screen shows, following static/kitchen/kds.js.

        Like the real screen, a message past a gap is not shown yet: it waits up to
        GAP_WAIT_S for the missing number (two commits published in the other order),
        after which `gap_not_filled` asks for a resync.
        """
        kind = message.get("type")
        if kind == "changes":
            self.resync_pending = False
            self.early.clear()
            self.gap_since = None
            if message["seq"] >= self.seq:
                self.seq = message["seq"]
                for entry in message.get("tickets", message.get("fires", [])):
                    self._arrived(entry["order"], now, resync=True)
            return None
        if kind not in ("ticket", "fire"):
            return None
        entry = message.get(kind) or {}
        order_id = entry.get("order")
        if order_id is not None and order_id < 0:
            self.probe_arrivals.setdefault(-order_id, now)
            return None
        seq = message["seq"]
        if seq <= self.seq:
            return None  # old news: a resync answer already showed it
        if seq != self.seq + 1:
            if not self.resync_pending:
                self.early[seq] = message  # perhaps only overtaken: wait briefly for the missing one
                self.gap_since = self.gap_since or now
            return None
        self._apply(message, now)
        while self.seq + 1 in self.early:
            self._apply(self.early.pop(self.seq + 1), now)
        if not self.early:
            self.gap_since = None
        return None

    def _apply(self, message: dict, now: float) -> None:
        self.seq = message["seq"]
        order_id = (message.get(message["type"]) or {}).get("order")
        if order_id is not None:
            self._arrived(order_id, now)


class Tablet:
    """A waiter's floor socket: it only has to keep up; messages are counted."""

    def __init__(self, outlet_id: int, port: int, cookie: str):
        self.path = f"/ws/outlets/{outlet_id}/floor/"
        self.port = port
        self.cookie = cookie
        self.messages = 0
        self.ws: ClientConnection | None = None

    async def connect(self) -> None:
        self.ws = await open_socket(self.port, self.path, self.cookie)

    async def listen(self) -> None:
        async for _raw in self.ws:
            self.messages += 1


# ------------------------------------------------------------------- probes


@dataclass
class Probe:
    t0: float
    stations: frozenset[int]


async def send_probes(layer, plans: list[frozenset[int]], rate: float, first_id: int) -> dict[int, Probe]:
    """A bare group_send per probe to each of its station groups, at a fixed rate.

    The message has the consumer's `kds.ticket` shape, so it takes exactly the path a
    ticket takes from the layer to the screen.
    """
    from kitchen.broadcasts import station_group

    probes: dict[int, Probe] = {}
    start = time.perf_counter()
    for n, stations in enumerate(plans):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        probe_id = first_id + n
        message = {"type": "kds.ticket", "seq": 0, "ticket": {"id": -probe_id, "order": -probe_id, "items": []}}
        t0 = time.perf_counter()
        for station in sorted(stations):
            await layer.group_send(station_group(station), message)
        probes[probe_id] = Probe(t0, stations)
    return probes


def probe_plans(rng: random.Random, fixtures: Fixtures, count: int) -> list[frozenset[int]]:
    return [frozenset([*rng.sample(fixtures.prep_ids, rng.choice((2, 3))), fixtures.expo_id]) for _ in range(count)]


# -------------------------------------------------------------------- phases


@dataclass
class Fanout:
    """What the live phases measured (times in ms)."""

    sent: list[SentOrder] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    via_resync: int = 0
    gaps_expo: int = 0
    gaps_prep: int = 0
    baseline: list[float] = field(default_factory=list)
    baseline_missing: int = 0
    loaded_baseline: list[float] = field(default_factory=list)
    loaded_baseline_missing: int = 0
    tablet_messages: int = 0
    load_wall_s: float = 0.0
    cpu: CpuUse | None = None


def delivery_latencies(
    t0s: dict[int, tuple[float, frozenset[int]]], screens: list[Screen], *, probes: bool
) -> tuple[list[float], int]:
    """(latencies in ms, missing count) over every (order or probe, screen of its stations)."""
    by_station: dict[int, list[Screen]] = {}
    for screen in screens:
        by_station.setdefault(screen.station_id, []).append(screen)
    latencies, missing = [], 0
    for key, (t0, stations) in t0s.items():
        for station in stations:
            for screen in by_station[station]:
                arrived = (screen.probe_arrivals if probes else screen.arrivals).get(key)
                if arrived is None:
                    missing += 1
                else:
                    latencies.append((arrived - t0) * 1000)
    return latencies, missing


def all_arrived(sent: list[SentOrder], screens: list[Screen]) -> bool:
    return all(order.order_id in s.arrivals for order in sent for s in screens if s.station_id in order.stations)


async def run_orders(
    loop: asyncio.AbstractEventLoop,
    waiters: list[Waiter],
    outlet_id: int,
    plans: list[OrderPlan],
    rate: float,
    errors: Errors,
) -> list[SentOrder]:
    """Start order k at start + k / rate on waiter k mod N; return the orders that were sent."""
    futures = []
    start = time.perf_counter()
    for n, plan in enumerate(plans):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        waiter = waiters[n % len(waiters)]
        futures.append(loop.run_in_executor(waiter.executor, place_order, waiter, outlet_id, plan))
    sent = []
    for outcome in await asyncio.gather(*futures, return_exceptions=True):
        if isinstance(outcome, SentOrder):
            sent.append(outcome)
        elif not isinstance(outcome, BenchError):  # BenchErrors are already counted
            errors.add(repr(outcome))
    return sent


async def run_fanout(
    args: argparse.Namespace,
    fixtures: Fixtures,
    screens: list[Screen],
    tablets: list[Tablet],
    waiters: list[Waiter],
    plans: list[OrderPlan],
    daphne_pids: list[int],
    errors: Errors,
) -> Fanout:
    """Connect every socket, warm up, measure the quiet baseline, then the load (with probes)."""
    from channels.layers import get_channel_layer

    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    rng = random.Random(args.seed + 1)
    result = Fanout()
    await asyncio.gather(*(client.connect() for client in [*screens, *tablets]))
    listeners = [asyncio.create_task(client.listen()) for client in [*screens, *tablets]]
    try:
        print(f"{len(screens)} screens and {len(tablets)} tablets connected; warming up ...", flush=True)
        warm, plans = plans[: len(waiters)], plans[len(waiters) :]
        await run_orders(loop, waiters, fixtures.outlet_id, warm, rate=len(waiters), errors=errors)
        await send_probes(layer, probe_plans(rng, fixtures, 20), rate=20, first_id=1_000_000)
        await asyncio.sleep(1.0)

        count = round(args.baseline_rate * args.baseline_seconds)
        print(f"baseline: {count} bare group_sends at {args.baseline_rate:g}/s on a quiet system ...", flush=True)
        quiet = await send_probes(layer, probe_plans(rng, fixtures, count), args.baseline_rate, first_id=1)
        await asyncio.sleep(1.0)
        quiet_t0s = {key: (p.t0, p.stations) for key, p in quiet.items()}
        result.baseline, result.baseline_missing = delivery_latencies(quiet_t0s, screens, probes=True)

        for screen in screens:
            screen.gaps = 0  # the warm-up burst is not the load
        print(f"load: {len(plans)} orders at {args.rate:g}/s (probes at {args.load_probe_rate:g}/s) ...", flush=True)
        cpu = CpuUse.measure_from(daphne_pids)
        began = time.perf_counter()
        probe_count = max(1, round(args.load_probe_rate * len(plans) / args.rate))
        sent, loaded = await asyncio.gather(
            run_orders(loop, waiters, fixtures.outlet_id, plans, args.rate, errors),
            send_probes(layer, probe_plans(rng, fixtures, probe_count), args.load_probe_rate, first_id=100_000),
        )
        result.load_wall_s = time.perf_counter() - began
        result.cpu = cpu()
        deadline = time.perf_counter() + DRAIN_SECONDS
        while not all_arrived(sent, screens) and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)  # the last probes and floor messages
    finally:
        for task in listeners:
            if task.done() and not task.cancelled() and task.exception() is not None:
                errors.add(f"a socket stopped listening: {task.exception()!r}")
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        await asyncio.gather(*(c.ws.close() for c in [*screens, *tablets] if c.ws is not None), return_exceptions=True)

    result.sent = sent
    order_t0s = {order.order_id: (order.t0, order.stations) for order in sent}
    result.latencies, result.missing = delivery_latencies(order_t0s, screens, probes=False)
    loaded_t0s = {key: (p.t0, p.stations) for key, p in loaded.items()}
    result.loaded_baseline, result.loaded_baseline_missing = delivery_latencies(loaded_t0s, screens, probes=True)
    result.via_resync = sum(
        1 for s in screens for order in sent if s.station_id in order.stations and order.order_id in s.via_resync
    )
    result.gaps_expo = sum(s.gaps for s in screens if s.station_id == fixtures.expo_id)
    result.gaps_prep = sum(s.gaps for s in screens if s.station_id != fixtures.expo_id)
    result.tablet_messages = sum(t.messages for t in tablets)
    return result


def create_open_tickets(fixtures: Fixtures, count: int) -> int:
    """Send `count` bar tabs with two lines of the resync station's item, through the services.

    Returns the station's open tickets afterwards. Runs in this process, no event loop.
    """
    from django.db import connections

    from kitchen.models import Ticket
    from kitchen.selectors import OPEN_TICKET
    from orders import services
    from orders.models import Order
    from staff.models import User
    from tables.models import Outlet

    try:
        waiter = User.objects.get(pk=fixtures.waiters[0][0])
        outlet = Outlet.objects.get(pk=fixtures.outlet_id)
        for n in range(count):
            order, _created = services.open_order(
                client_uuid=uuid.uuid4(),
                outlet=outlet,
                waiter=waiter,
                kind=Order.Kind.BAR_TAB,
                tab_name=f"Resync {n + 1}",
                covers=2,
            )
            services.add_lines(
                order=order,
                by=waiter,
                requests=[services.LineRequest(item_id=fixtures.resync_item_id, seat=seat) for seat in (1, 2)],
            )
            services.send_to_kitchen(order=order, by=waiter)
        return Ticket.objects.filter(station_id=fixtures.resync_station_id, status__in=OPEN_TICKET).count()
    finally:
        connections.close_all()


async def create_open_tickets_async(fixtures: Fixtures, count: int) -> int:
    """`create_open_tickets` off the event loop, as daphne runs views: their broadcasts share this loop's layer."""
    from asgiref.sync import sync_to_async

    return await sync_to_async(create_open_tickets, thread_sensitive=False)(fixtures, count)


async def time_resyncs(ports: list[int], station_id: int, cookie: str, expected: int, errors: Errors) -> list[float]:
    """Open a fresh screen with ?after=0 and wait for its `changes`; ms per try."""
    times = []
    for attempt in range(RESYNC_TRIES):
        port = ports[attempt % len(ports)]
        began = time.perf_counter()
        ws = await open_socket(port, f"/ws/kitchen/stations/{station_id}/?after=0", cookie)
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            elapsed = (time.perf_counter() - began) * 1000
        finally:
            await ws.close()
        tickets = len(message.get("tickets", []))
        if message.get("type") != "changes" or tickets != expected:
            errors.add(f"resync answered {message.get('type')!r} with {tickets} tickets, expected {expected}")
        times.append(elapsed)
        await asyncio.sleep(0.2)
    return times


# ---------------------------------------------------------------------- report


def describe(label: str, values: list[float], missing: int | None = None) -> str:
    lost = f"  missing={missing}" if missing is not None else ""
    return (
        f"  {label:34} n={len(values):5}  p50={percentile(values, 50):7.1f}  p99={percentile(values, 99):7.1f}"
        f"  max={max(values, default=0):7.1f} ms{lost}"
    )


def report(args: argparse.Namespace, fixtures: Fixtures, fanout: Fanout, resyncs: list[float]) -> str:
    """Print the human summary; return the RESULT line."""
    stations = len(fixtures.prep_ids) + 1
    sent = fanout.sent
    print(
        f"kitchen: {stations} stations ({len(fixtures.prep_ids)} prep + expo) x {SCREENS_PER_STATION} screens,"
        f" on 2 daphne processes; {WAITERS} waiter tablets on the floor socket"
    )
    print(
        f"load: {len(sent)} orders sent in {fanout.load_wall_s:.1f} s ({len(sent) / fanout.load_wall_s:.1f}/s,"
        f" target {args.rate:g}/s), each to 2-3 prep stations + expo"
    )
    if fanout.cpu is not None:
        print(f"  {fanout.cpu.describe()}")
    print(describe("send request (HTTP round trip)", [o.send_ms for o in sent]))
    print(describe("send request -> ticket on screen", fanout.latencies, fanout.missing))
    print(describe("bare group_send, quiet (baseline)", fanout.baseline, fanout.baseline_missing))
    print(describe("bare group_send, during the load", fanout.loaded_baseline, fanout.loaded_baseline_missing))
    print(
        f"  sequence gaps not filled within 0.3 s (each a resync): {fanout.gaps_expo} on the 2 expo screens, {fanout.gaps_prep} on the"
        f" {len(fixtures.prep_ids) * SCREENS_PER_STATION} prep screens; deliveries shown by a resync answer:"
        f" {fanout.via_resync}; floor messages to tablets: {fanout.tablet_messages}"
    )
    resync_ms = statistics.median(resyncs) if resyncs else 0.0
    print(f"  resync of {RESYNC_TICKETS} open tickets: " + ", ".join(f"{ms:.0f}" for ms in resyncs) + " ms")
    baseline_p99 = percentile(fanout.baseline, 99)
    p99 = percentile(fanout.latencies, 99)
    ratio = p99 / baseline_p99 if baseline_p99 else 0.0
    return (
        f"RESULT kitchen_fanout p50_ms={percentile(fanout.latencies, 50):.1f} p99_ms={p99:.1f}"
        f" max_ms={max(fanout.latencies, default=0):.1f} baseline_p99_ms={baseline_p99:.1f} ratio={ratio:.1f}"
        f" resync_300_ms={resync_ms:.0f} orders={len(sent)} deliveries={len(fanout.latencies)}"
        f" missing={fanout.missing}"
    )


# ------------------------------------------------------------------------ main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=5.0, help="orders sent per second, default 5")
    parser.add_argument("--seconds", type=float, default=40.0, help="how long orders are sent, default 40")
    parser.add_argument("--baseline-rate", type=float, default=15.0, help="quiet probes per second, default 15")
    parser.add_argument("--baseline-seconds", type=float, default=10.0, help="quiet probing time, default 10")
    parser.add_argument("--load-probe-rate", type=float, default=2.0, help="probes per second during the load")
    parser.add_argument("--seed", type=int, default=1, help="random seed for stations and items")
    parser.add_argument("--db-name", default="bench_kitchen", help="database to create (and drop)")
    parser.add_argument("--keep", action="store_true", help="keep the database and daphne logs afterwards")
    args = parser.parse_args()
    if not 0 < args.rate <= 100 or not 0 < args.seconds <= 600:
        parser.error("rate 0..100 orders/s, seconds 0..600")
    if not 0 < args.baseline_rate <= 200 or not 0 < args.baseline_seconds <= 120 or not 0 < args.load_probe_rate <= 50:
        parser.error("baseline-rate 0..200/s, baseline-seconds 0..120, load-probe-rate 0..50/s")
    return args


def bench_env(db_name: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        # As in production: no debug bookkeeping. Connections are not kept (the default):
        # under ASGI every request runs in a fresh thread, so a kept connection is only
        # closed when the garbage collector finds it, and two processes at this rate run
        # PostgreSQL out of connections (max_connections=100) within a minute.
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_CONN_MAX_AGE": "0",
    }


def connect_clients(
    fixtures: Fixtures, ports: list[int], errors: Errors
) -> tuple[list[Screen], list[Tablet], list[Waiter]]:
    """Pair the screens and sign the waiters in over HTTP, alternating between the processes."""
    screens = []
    for n, (station_id, code) in enumerate(fixtures.codes):
        port = ports[n % len(ports)]  # the two screens of a station sit on different processes
        cookie = pair_screen(port, code, f"Screen {n + 1:02d}", errors)
        screens.append(Screen(station_id, port, cookie))
    waiters, tablets = [], []
    for n, (user_id, session_key) in enumerate(fixtures.waiters):
        waiter = signed_in_tablet(ports[n % len(ports)], user_id, session_key, errors)
        waiters.append(waiter)
        tablets.append(Tablet(fixtures.outlet_id, waiter.port, waiter.http.cookie_header()))
    return screens, tablets, waiters


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, where SIGTERM cancels the work as Ctrl-C does, so every `finally` runs."""

    async def cancellable() -> T:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
        try:
            return await coro
        finally:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, interrupt)

    try:
        return asyncio.run(cancellable())
    except asyncio.CancelledError:
        raise KeyboardInterrupt from None


def interrupt(signum, frame) -> None:
    """SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so the daphnes are stopped and the database dropped."""
    raise KeyboardInterrupt


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, interrupt)
    env = bench_env(args.db_name)
    orders = round(args.rate * args.seconds)
    errors = Errors()
    daphnes: list[subprocess.Popen] = []
    waiters: list[Waiter] = []
    logs = [
        tempfile.NamedTemporaryFile(prefix=f"bench-kitchen-daphne{n}-", suffix=".log", delete=False)  # noqa: SIM115
        for n in (1, 2)
    ]
    result = ""
    status = 1
    try:
        print(f"creating database {args.db_name}, migrating, seeding ...", flush=True)
        recreate_database(args.db_name)
        run_checked([str(PYTHON), "manage.py", "migrate", "--noinput"], env, timeout=300)
        run_checked([str(PYTHON), "manage.py", "seed_demo"], env, timeout=300)
        setup_django(env)
        fixtures = prepare_fixtures(tables=orders + WAITERS)

        ports = []
        for log in logs:
            process, port = start_daphne(env, log)
            daphnes.append(process)
            ports.append(port)
        for process, port in zip(daphnes, ports, strict=True):
            wait_healthy(port, process, timeout=60)
        print(f"daphne on ports {ports[0]} and {ports[1]}; pairing screens, signing waiters in ...", flush=True)

        try:
            screens, tablets, waiters = connect_clients(fixtures, ports, errors)
            menu = Menu(waiters[0].http.request("GET", f"/api/outlets/{fixtures.outlet_id}/menu/"), fixtures)
            resync_cookie = pair_screen(ports[0], fixtures.resync_code, "Resync screen", errors)
        except BenchError as exc:
            for body in errors.bodies:
                print(f"ERROR {body}", file=sys.stderr)
            raise SystemExit(f"setup over HTTP failed: {exc}") from exc
        rng = random.Random(args.seed)
        plans = [menu.plan(rng, table_id) for table_id in fixtures.table_ids]  # the first WAITERS warm up

        fanout = run_async(
            run_fanout(args, fixtures, screens, tablets, waiters, plans, [d.pid for d in daphnes], errors)
        )
        print(f"resync: sending {RESYNC_TICKETS} tabs to one station in-process ...", flush=True)
        open_tickets = run_async(create_open_tickets_async(fixtures, RESYNC_TICKETS))
        if open_tickets != RESYNC_TICKETS:
            errors.add(f"the resync station has {open_tickets} open tickets, expected {RESYNC_TICKETS}")
        resyncs = run_async(time_resyncs(ports, fixtures.resync_station_id, resync_cookie, RESYNC_TICKETS, errors))
        result = report(args, fixtures, fanout, resyncs)
        for body in errors.bodies:
            print(f"ERROR {body}", file=sys.stderr)
        status = 1 if errors.count or fanout.missing or len(fanout.sent) < orders else 0
    finally:
        for waiter in waiters:
            waiter.executor.shutdown(wait=False, cancel_futures=True)
            waiter.http.close()
        for process in daphnes:
            stop(process)
            if process.returncode not in (0, -15, None):
                print(f"daphne exited with {process.returncode}", file=sys.stderr)
        for log in logs:
            log.close()
            if status == 0 and not args.keep:
                Path(log.name).unlink(missing_ok=True)
            else:
                print(f"daphne log kept: {log.name}", file=sys.stderr)
        if args.keep:
            print(f"kept database {args.db_name}", file=sys.stderr)
        else:
            drop_database(args.db_name)
    print(result, flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
