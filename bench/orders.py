"""Orders API throughput: N waiters taking orders over HTTP, against a raw-SQL floor.

What is measured
----------------
A fresh PostgreSQL database (`bench_orders`) is migrated and seeded (`seed_demo`),
then given one "Bench" area with a table per order and N extra waiters with PINs. A
real daphne serves the app (PostgreSQL + Redis channel layer, as in production). N
threads, one per waiter, each with its own keep-alive HTTP connection and cookies,
sign in with their PIN and then, for every order:

    POST /api/orders/                 open a dine-in order on a free table (2 covers)
    POST /api/orders/{id}/lines/ x 6  one item each, seat 1 or 2, ~2 valid modifiers
    POST /api/orders/{id}/send/       hand the lines to the kitchen

Sign-in and the menu fetch happen before the clock starts. Reported: completed
orders per second of wall time, p50/p99 latency of the timed requests (per request
type too), and the wall time of a whole order.

Why the baseline is the floor
-----------------------------
The same rows an order leaves behind (1 order, 6 lines, 12 line modifiers) are then
written with raw psycopg 3 into plain tables of a `bench_baseline` schema in the same
database, one transaction per order, one statement per row, on 2 connections. That is
the least work PostgreSQL must do for an order on this machine: no HTTP, no session,
no CSRF, no validation, no audit/status rows, no broadcasts. No API over this database
can beat it, so `ratio = orders_per_s / baseline_orders_per_s` says how much of the
database's capacity the orders API turns into orders (DESIGN.md: ~460 orders/s on
one connection, ~750 on two, on a 2-core machine).

Run from the project root:  .venv/bin/python bench/orders.py [--waiters 8] [--orders-per-waiter 25]
The last line printed is `RESULT orders orders_per_s=... p50_ms=... p99_ms=... ...`.
Exits non-zero if any request answered non-2xx (the first bodies go to stderr).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
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

PYTHON = ROOT / ".venv" / "bin" / "python"
DAPHNE = ROOT / ".venv" / "bin" / "daphne"
BENCH_AREA = "Bench"
OUTLET_NAME = "Bistro De Tafel"
# Bench waiters get PINs 9001, 9002, ...; seed_demo's staff keep theirs.
BENCH_PIN_BASE = 9000
MAX_ERROR_BODIES = 5


# --------------------------------------------------------------------------- setup


@dataclass
class Fixtures:
    outlet_id: int
    table_ids: list[int]
    # (display name, PIN) of the bench waiters, in thread order.
    waiters: list[tuple[str, str]]


def prepare_fixtures(env: dict[str, str], waiters: int, tables: int) -> Fixtures:
    """Add the bench's own waiters and tables through the ORM (in this process).

    Uses the staff services so PINs are hashed exactly as the app expects. Django's
    connection is closed afterwards so the database can be dropped at the end.
    """
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connections, transaction

    from staff.models import Role, User
    from staff.services import ensure_role_groups, set_pin
    from tables.models import Area, Outlet, Table

    try:
        outlet = Outlet.objects.filter(name=OUTLET_NAME, is_active=True).first()
        if outlet is None:
            raise SystemExit(f"seed_demo did not create the outlet {OUTLET_NAME!r}")
        with transaction.atomic():
            ensure_role_groups()
            area = Area.objects.create(outlet=outlet, name=BENCH_AREA, sort_order=99)
            created = Table.objects.bulk_create(
                Table(outlet=outlet, area=area, number=f"B{n:04d}", seats=2, x=(n % 10) * 90, y=(n // 10) * 90)
                for n in range(1, tables + 1)
            )
            waiter_group = Group.objects.get(name=Role.WAITER)
            people = []
            for n in range(1, waiters + 1):
                person = User.objects.create(username=f"bench{n:03d}", display_name=f"Bench waiter {n:03d}")
                person.set_unusable_password()
                person.save(update_fields=["password"])
                person.groups.add(waiter_group)
                pin = str(BENCH_PIN_BASE + n)
                set_pin(person=person, pin=pin)
                people.append((str(person), pin))
        return Fixtures(outlet_id=outlet.pk, table_ids=[t.pk for t in created], waiters=people)
    finally:
        connections.close_all()


# ----------------------------------------------------------------- HTTP client


@dataclass
class Sample:
    kind: str
    ms: float
    status: int


@dataclass
class Stats:
    """Shared between the waiter threads; every append happens under the lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[Sample] = field(default_factory=list)
    order_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    # Average modifiers per planned line, to check the "about two" premise.
    modifiers_per_line: float = 0.0
    # CPU seconds daphne used during the timed phase (None where /proc is missing).
    server_cpu_s: float | None = None

    def error(self, text: str) -> None:
        with self.lock:
            self.error_count += 1
            if len(self.errors) < MAX_ERROR_BODIES:
                self.errors.append(text)


class ApiError(Exception):
    """An answer outside 2xx (already counted in the stats)."""


class Client:
    """One tablet: a keep-alive connection, its cookies, CSRF header on writes."""

    def __init__(self, port: int, stats: Stats, deadline: float):
        self.port = port
        self.origin = f"http://{HOST}:{port}"
        self.stats = stats
        self.deadline = deadline
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None, *, kind: str | None = None) -> dict:
        """Send one request; return its JSON. Non-2xx and transport errors raise ApiError.

        Only requests with a `kind` are recorded as latency samples.
        """
        if time.monotonic() > self.deadline:
            raise ApiError("overall timeout reached")
        headers = {"Accept": "application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
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
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            # Start the next request on a fresh connection.
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            self.stats.error(f"{method} {path}: {exc!r}")
            raise ApiError(str(exc)) from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if kind is not None:
            with self.stats.lock:
                self.stats.samples.append(Sample(kind, elapsed_ms, response.status))
        if not 200 <= response.status < 300:
            self.stats.error(f"{method} {path} -> {response.status}: {data[:600].decode(errors='replace')}")
            raise ApiError(f"{method} {path} -> {response.status}")
        ctype = response.headers.get("Content-Type", "")
        return json.loads(data) if data and ctype.startswith("application/json") else {}

    def sign_in(self, name: str, pin: str) -> None:
        self.request("GET", "/")  # the sign-in page sets the csrftoken cookie
        tiles = self.request("GET", "/api/staff/sign-in-tiles/")
        person = next((tile for tile in tiles if tile["name"] == name), None)
        if person is None:
            raise ApiError(f"{name} is not on the sign-in tiles")
        # Login rotates the CSRF token; the new cookie is picked up by request().
        self.request("POST", "/api/staff/pin-sign-in/", {"user": person["id"], "pin": pin})
        if "sessionid" not in self.cookies:
            raise ApiError(f"no session cookie after {name} signed in")

    def close(self) -> None:
        self.conn.close()


# ------------------------------------------------------------------------ menu


@dataclass
class LinePlan:
    item: int
    modifiers: list[int]


class MenuPicker:
    """Picks items and modifier sets that the server's group rules accept.

    Each line first draws how many modifiers it wants (0-4, averaging two), then an
    item that can carry that many. Every group of the item, and every group a chosen
    modifier opens (Side salad -> Dressing), gets at least `min_choices` and at most
    `max_choices`. Items on a countdown are skipped so the bench never 86es them.
    """

    # Drawn without replacement, refilled when empty: exactly two per line on average.
    WANTED = (0, 1, 2, 2, 3, 4)

    def __init__(self, menu: dict, rng: random.Random):
        self.rng = rng
        self.groups = {int(key): group for key, group in menu["modifier_groups"].items()}
        self.items = [
            item
            for category in menu["categories"]
            for item in category["items"]
            if item["is_available"] and not item["is_86d"] and item["remaining_qty"] is None
        ]
        if not self.items:
            raise SystemExit("the menu served now has no orderable items")
        self.wanted: list[int] = []

    def _available(self, group_id: int) -> list[dict]:
        return [m for m in self.groups[group_id]["modifiers"] if m["is_available"]]

    def _opens_required(self, modifier: dict) -> int:
        """How many more choices picking this modifier forces (its opened group's minimum)."""
        opened = modifier["opens_group"]
        return self.groups[opened]["min_choices"] if opened else 0

    def _bounds(self, item: dict) -> tuple[int, int]:
        """Fewest and most modifiers the item takes (without groups a choice opens)."""
        low = high = 0
        for group_id in item["modifier_groups"]:
            group = self.groups[group_id]
            count = len(self._available(group_id))
            low += group["min_choices"]
            high += count if group["max_choices"] is None else min(count, group["max_choices"])
        return low, high

    def plan(self) -> LinePlan:
        if not self.wanted:
            self.wanted = list(self.WANTED)
            self.rng.shuffle(self.wanted)
        wanted = self.wanted.pop()
        fitting = [item for item in self.items if self._bounds(item)[0] <= wanted <= self._bounds(item)[1]]
        item = self.rng.choice(fitting or self.items)
        chosen: list[int] = []
        counts: dict[int, int] = {}
        offered = list(item["modifier_groups"])

        def room(group_id: int) -> bool:
            maximum = self.groups[group_id]["max_choices"]
            return maximum is None or counts.get(group_id, 0) < maximum

        def take(group_id: int, modifier: dict) -> None:
            chosen.append(modifier["id"])
            counts[group_id] = counts.get(group_id, 0) + 1
            opened = modifier["opens_group"]
            if opened and opened not in offered:
                offered.append(opened)
                require(opened)

        def require(group_id: int) -> None:
            # A group's minimum; modifiers that open further groups only if the budget allows.
            candidates = [m for m in self._available(group_id) if m["id"] not in chosen]
            self.rng.shuffle(candidates)
            candidates.sort(key=lambda m: len(chosen) + 1 + self._opens_required(m) > wanted)
            for modifier in candidates[: self.groups[group_id]["min_choices"]]:
                take(group_id, modifier)

        for group_id in list(offered):
            require(group_id)
        # Optional choices up to the wanted count, within each group's maximum.
        while len(chosen) < wanted:
            options = [
                (group_id, m)
                for group_id in offered
                if room(group_id)
                for m in self._available(group_id)
                if m["id"] not in chosen and len(chosen) + 1 + self._opens_required(m) <= wanted
            ]
            if not options:
                break
            take(*self.rng.choice(options))
        return LinePlan(item=item["id"], modifiers=chosen)


# ---------------------------------------------------------------- the waiters


def waiter_run(
    *,
    client: Client,
    outlet_id: int,
    tables: list[int],
    plans: list[list[LinePlan]],
    start: threading.Barrier,
    stats: Stats,
    batch: bool = False,
) -> None:
    """Take one order per table: open, add lines, send. Bounded by tables and the deadline."""
    start.wait()
    for table_id, lines in zip(tables, plans, strict=True):
        if time.monotonic() > client.deadline:
            stats.error("overall timeout reached before all orders were taken")
            return
        began = time.perf_counter()
        try:
            order = client.request(
                "POST",
                "/api/orders/",
                {
                    "client_uuid": str(uuid.uuid4()),
                    "outlet": outlet_id,
                    "kind": "dine_in",
                    "table": table_id,
                    "covers": 2,
                },
                kind="open",
            )
            bodies = [
                {
                    "client_uuid": str(uuid.uuid4()),
                    "item": line.item,
                    "qty": 1,
                    "seat": seat % 2 + 1,
                    "modifiers": line.modifiers,
                }
                for seat, line in enumerate(lines)
            ]
            if batch:
                # The tablet that queued its taps sends them in one request.
                client.request("POST", f"/api/orders/{order['id']}/lines/batch/", {"lines": bodies}, kind="batch")
            else:
                # One request per tap, as the order screen does.
                for body in bodies:
                    client.request("POST", f"/api/orders/{order['id']}/lines/", body, kind="line")
            client.request("POST", f"/api/orders/{order['id']}/send/", {}, kind="send")
        except ApiError:
            continue  # already counted; go on with the next table
        except Exception as exc:  # an unexpected answer shape: count it, stop this waiter
            stats.error(f"{threading.current_thread().name}: {exc!r}")
            return
        with stats.lock:
            stats.order_ms.append((time.perf_counter() - began) * 1000)


def run_api(port: int, server_pid: int, fixtures: Fixtures, args: argparse.Namespace, stats: Stats) -> float:
    """Sign every waiter in, then release them together; return the timed wall seconds."""
    deadline = time.monotonic() + args.timeout
    clients = [Client(port, stats, deadline) for _ in fixtures.waiters]
    for client, (name, pin) in zip(clients, fixtures.waiters, strict=True):
        client.sign_in(name, pin)
    menu = clients[0].request("GET", f"/api/outlets/{fixtures.outlet_id}/menu/")
    picker = MenuPicker(menu, random.Random(args.seed))
    per = args.orders_per_waiter
    plans = [[[picker.plan() for _ in range(args.lines_per_order)] for _ in range(per)] for _ in clients]
    planned = [len(line.modifiers) for waiter in plans for order in waiter for line in order]
    stats.modifiers_per_line = statistics.fmean(planned)
    start = threading.Barrier(len(clients) + 1)
    threads = []
    for index, client in enumerate(clients):
        thread = threading.Thread(
            target=waiter_run,
            name=f"waiter-{index + 1}",
            kwargs={
                "client": client,
                "outlet_id": fixtures.outlet_id,
                "tables": fixtures.table_ids[index * per : (index + 1) * per],
                "plans": plans[index],
                "start": start,
                "stats": stats,
                "batch": args.batch,
            },
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    start.wait()
    began = time.perf_counter()
    cpu_before = cpu_seconds(server_pid)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 35)  # a request in flight may take its 30 s
    wall = time.perf_counter() - began
    cpu_after = cpu_seconds(server_pid)
    if cpu_before is not None and cpu_after is not None:
        stats.server_cpu_s = cpu_after - cpu_before
    if any(thread.is_alive() for thread in threads):
        stats.error("a waiter thread did not finish before the overall timeout")
    for client in clients:
        client.close()
    return wall


# -------------------------------------------------------------------- baseline

BASELINE_SCHEMA = """
DROP SCHEMA IF EXISTS bench_baseline CASCADE;
CREATE SCHEMA bench_baseline;
CREATE TABLE bench_baseline.orders (
    id bigserial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    outlet_id integer NOT NULL,
    table_id integer,
    covers smallint NOT NULL,
    waiter_id integer NOT NULL,
    status varchar(12) NOT NULL,
    version integer NOT NULL DEFAULT 1,
    opened_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON bench_baseline.orders (status);
CREATE TABLE bench_baseline.lines (
    id bigserial PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES bench_baseline.orders (id),
    uuid uuid NOT NULL UNIQUE,
    item_id integer NOT NULL,
    name varchar(80) NOT NULL,
    kitchen_name varchar(40) NOT NULL,
    unit_price integer NOT NULL,
    modifiers_price integer NOT NULL,
    tax_percent numeric(5, 2) NOT NULL,
    qty smallint NOT NULL,
    seat smallint NOT NULL,
    course smallint NOT NULL,
    note varchar(200) NOT NULL,
    status varchar(10) NOT NULL,
    added_by integer NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON bench_baseline.lines (order_id);
CREATE INDEX ON bench_baseline.lines (status);
CREATE TABLE bench_baseline.line_modifiers (
    id bigserial PRIMARY KEY,
    line_id bigint NOT NULL REFERENCES bench_baseline.lines (id),
    modifier_id integer NOT NULL,
    group_name varchar(80) NOT NULL,
    name varchar(80) NOT NULL,
    price_delta integer NOT NULL,
    sort_order smallint NOT NULL
);
CREATE INDEX ON bench_baseline.line_modifiers (line_id);
"""


def baseline_order(conn: psycopg.Connection, waiter_id: int, table_id: int, lines: int) -> None:
    """One order the cheapest way: one transaction, one INSERT per row."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_baseline.orders (uuid, outlet_id, table_id, covers, waiter_id, status)"
            " VALUES (%s, 1, %s, 2, %s, 'open') RETURNING id",
            (uuid.uuid4(), table_id, waiter_id),
        )
        order_id = cur.fetchone()[0]
        for n in range(lines):
            cur.execute(
                "INSERT INTO bench_baseline.lines (order_id, uuid, item_id, name, kitchen_name, unit_price,"
                " modifiers_price, tax_percent, qty, seat, course, note, status, added_by)"
                " VALUES (%s, %s, %s, 'Entrecote', 'Entrecote', 2450, 150, 9.00, 1, %s, 2, '', 'pending', %s)"
                " RETURNING id",
                (order_id, uuid.uuid4(), n + 1, n % 2 + 1, waiter_id),
            )
            line_id = cur.fetchone()[0]
            for sort_order in range(2):
                cur.execute(
                    "INSERT INTO bench_baseline.line_modifiers (line_id, modifier_id, group_name, name,"
                    " price_delta, sort_order) VALUES (%s, %s, 'Cooking', 'Medium rare', 0, %s)",
                    (line_id, sort_order + 1, sort_order),
                )


def run_baseline(dsn: str, connections: int, orders: int, lines: int) -> float:
    """Orders per second of raw psycopg over `connections` threads, `orders` in all."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(BASELINE_SCHEMA)
    conns = [psycopg.connect(dsn, autocommit=True) for _ in range(connections)]
    try:
        for conn in conns:  # warm up: first-statement and catalogue costs out of the timing
            baseline_order(conn, 0, 0, lines)
        start = threading.Barrier(connections + 1)
        share = orders // connections

        def worker(conn: psycopg.Connection, index: int) -> None:
            start.wait()
            for n in range(share):
                baseline_order(conn, index, n, lines)

        threads = [threading.Thread(target=worker, args=(conn, i), daemon=True) for i, conn in enumerate(conns)]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        return share * connections / (time.perf_counter() - began)
    finally:
        for conn in conns:
            conn.close()


# ---------------------------------------------------------------------- report


def report(stats: Stats, wall: float, baseline: float, args: argparse.Namespace) -> str:
    """Print the details; return the RESULT line (printed last, after the cleanup)."""
    latencies = [s.ms for s in stats.samples]
    orders = len(stats.order_ms)
    orders_per_s = orders / wall if wall else 0.0
    print(f"waiters={args.waiters} orders/waiter={args.orders_per_waiter} lines/order={args.lines_per_order}")
    print(f"modifiers per line (planned, average): {stats.modifiers_per_line:.2f}")
    for kind in ("open", "line", "batch", "send"):
        values = [s.ms for s in stats.samples if s.kind == kind]
        if values:
            print(
                f"  {kind:5} n={len(values):5}  p50={percentile(values, 50):7.1f} ms  "
                f"p99={percentile(values, 99):7.1f} ms  max={max(values):7.1f} ms  mean={statistics.fmean(values):7.1f} ms"
            )
    if stats.order_ms:
        print(
            f"  order (open+{args.lines_per_order} lines+send) p50={percentile(stats.order_ms, 50):.0f} ms"
            f"  p99={percentile(stats.order_ms, 99):.0f} ms"
        )
    print(f"wall={wall:.2f} s  completed orders={orders}  baseline ({args.baseline_connections} conn)={baseline:.0f}/s")
    cpu = ""
    if stats.server_cpu_s is not None and wall:
        # Near 100 % means the one daphne process is the bottleneck (one core, the GIL).
        cpu = f" server_cpu_pct={stats.server_cpu_s / wall * 100:.0f}"
        print(f"daphne CPU {stats.server_cpu_s:.1f} s = {stats.server_cpu_s / wall * 100:.0f} % of one core")
    for body in stats.errors:
        print(f"ERROR {body}", file=sys.stderr)
    ratio = orders_per_s / baseline if baseline else 0.0
    return (
        f"RESULT orders orders_per_s={orders_per_s:.1f} p50_ms={percentile(latencies, 50):.1f} "
        f"p99_ms={percentile(latencies, 99):.1f} baseline_orders_per_s={baseline:.0f} ratio={ratio:.4f} "
        f"requests={len(latencies)} errors={stats.error_count} waiters={args.waiters} wall_s={wall:.2f}{cpu}"
    )


# ------------------------------------------------------------------------ main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiters", type=int, default=8, help="concurrent waiters (threads), default 8")
    parser.add_argument("--orders-per-waiter", type=int, default=25, help="orders each waiter takes, default 25")
    parser.add_argument("--lines-per-order", type=int, default=6, help="lines per order, default 6")
    parser.add_argument("--baseline-orders", type=int, default=2000, help="orders the raw-SQL baseline writes")
    parser.add_argument("--baseline-connections", type=int, default=2, help="connections of the baseline")
    parser.add_argument("--timeout", type=float, default=600, help="overall limit of the API phase, seconds")
    parser.add_argument("--seed", type=int, default=1, help="random seed for items and modifiers")
    parser.add_argument("--db-name", default="bench_orders", help="database to create (and drop)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--batch", action="store_true", help="add each order's lines in one request (lines/batch/) instead of one each"
    )
    args = parser.parse_args()
    if not 1 <= args.waiters <= 200 or not 1 <= args.orders_per_waiter <= 10_000 or args.lines_per_order < 1:
        parser.error("waiters 1..200, orders-per-waiter 1..10000, lines-per-order >= 1")
    return args


def main() -> int:
    args = parse_args()
    database_url = f"postgres://postgres@127.0.0.1:5432/{args.db_name}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        # As in production: no debug bookkeeping, persistent database connections.
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_CONN_MAX_AGE": "60",
    }
    daphne = None
    status = 1
    log = tempfile.NamedTemporaryFile(prefix="bench-orders-daphne-", suffix=".log", delete=False)  # noqa: SIM115
    try:
        print(f"creating database {args.db_name}, migrating, seeding ...", flush=True)
        recreate_database(args.db_name)
        run_checked([str(PYTHON), "manage.py", "migrate", "--noinput"], env, timeout=300)
        run_checked([str(PYTHON), "manage.py", "seed_demo"], env, timeout=300)
        run_checked([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], env, timeout=300)
        fixtures = prepare_fixtures(env, args.waiters, args.waiters * args.orders_per_waiter)

        port = free_port()
        daphne = subprocess.Popen(
            [str(DAPHNE), "-b", HOST, "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_healthy(port, daphne, timeout=60)
        print(f"daphne on port {port} (log {log.name}); {args.waiters} waiters signing in ...", flush=True)

        stats = Stats()
        try:
            wall = run_api(port, daphne.pid, fixtures, args, stats)
        except ApiError as exc:  # sign-in or menu failed: nothing was timed
            for body in stats.errors:
                print(f"ERROR {body}", file=sys.stderr)
            raise SystemExit(f"setup over HTTP failed: {exc}") from exc
        stop(daphne)  # the baseline gets the machine to itself

        print(f"baseline: {args.baseline_orders} orders of raw SQL on {args.baseline_connections} connections ...")
        baseline = run_baseline(
            f"host=127.0.0.1 port=5432 user=postgres dbname={args.db_name}",
            args.baseline_connections,
            args.baseline_orders,
            args.lines_per_order,
        )
        result = report(stats, wall, baseline, args)
        status = 1 if stats.error_count else 0
    finally:
        if daphne is not None:
            stop(daphne)
            if daphne.returncode not in (0, -15, None):
                sys.stderr.write(Path(log.name).read_text()[-3000:])
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
