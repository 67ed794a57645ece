"""Billing: the bill of a 200-line check, whole and split 7 ways, against the bare arithmetic.

What is measured
----------------
A fresh PostgreSQL database (`bench_billing`) is migrated; this process then builds a
small bistro through the ORM (an outlet that bills a 12.5 % service charge from 8
covers, food at 9 %, drinks at 21 %, modifier groups with paid, free and nested
choices) and, through the real services, one dine-in order for 12 covers:

    orders.services.open_order / add_lines      200 lines (batches of 25), ~half with modifiers
    billing.services.open_bill                  every line onto check 1
    billing.services.give_discount(line=...)    percent (5, 7.5, 10 %) and fixed-amount line discounts
    billing.services.comp_line                  a few comps (by the manager, who needs no PIN)
    billing.services.give_discount              10 % off the whole check

Then, in this process (DEBUG=0, one PostgreSQL connection, no HTTP):

    totals   billing.selectors.order_bill(order=...) on the unsplit check, N times
    split7   billing.services.split_check_evenly(check, ways=7) + order_bill, M times;
             each round runs in its own transaction that is rolled back afterwards
             (the rollback is not timed), so every round splits the same whole check

Both are warmed up first. The SQL queries of one run of each are counted with
`CaptureQueriesContext` outside the timed runs (the timed runs have no debug cursor).
Every split round checks that the 7 checks add up to the unsplit bill to the cent
(total, and tax and service charge per rate); the bench stops with a non-zero exit if not.

Why the baseline is the floor
-----------------------------
`billing.totals.compute_order` is what both operations end in. The baseline builds its
inputs (the same 200 lines with their amounts, rates and discounts, the same check
discount and service charge; for split7 the same 1/7 shares on 7 checks) once in
memory and times `compute_order` alone: no database, no ORM, no services. Its results
are compared with what order_bill returned, so the floor computes the very same bill.
`ratio = totals_p99_ms / baseline_p99_ms` is what reading the bill from the database
costs on top of the arithmetic.

Caveat: a split round's own transaction is a savepoint inside the rolled-back one, so
its COMMIT (one WAL flush in production) is not in the timing.

Run from the project root:  .venv/bin/python bench/billing.py [--totals-reps 200] [--split-reps 30]
Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust). The last line printed is
`RESULT billing totals_p50_ms=... totals_p99_ms=... ...`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from harness import ROOT, drop_database, percentile, recreate_database, run_checked

PYTHON = ROOT / ".venv" / "bin" / "python"
COVERS = 12
SERVICE_PERCENT = Decimal("12.5")
SERVICE_MIN_COVERS = 8
CHECK_DISCOUNT_PERCENT = "10"
LINE_BATCH = 25  # lines per add_lines call, as a tablet sends a round of orders
WARMUP = 5
# A split round costs ~1.6 s on a 2-core machine (600 of its ~640 queries are per line), so it warms up less.
SPLIT_WARMUP = 2


class BenchFailure(Exception):
    """A figure that does not add up: the bench reports it and exits non-zero."""


def interrupt(signum, frame) -> None:
    """SIGTERM unwinds like Ctrl-C, so the database is still dropped."""
    raise KeyboardInterrupt


# --------------------------------------------------------------------------- setup


def bench_env(db_name: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
        # Nothing here listens on a socket: the in-memory layer takes the after-commit notices.
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_CONN_MAX_AGE": "60",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class World:
    outlet: object
    table: object
    waiter: object
    manager: object
    # (item, modifier ids) a line can be; each is valid under the item's group rules.
    templates: list[tuple[object, list[int]]]


def build_world() -> World:
    """A bistro with two tax rates and modifier rules, billing 12.5 % service from 8 covers."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    from billing.models import OutletBilling
    from orders.models import Category, Course, Item, ItemModifierGroup, Menu, Modifier, ModifierGroup, TaxRate
    from staff.models import Role, User
    from staff.services import ensure_role_groups
    from tables.models import Area, Outlet, Table

    with transaction.atomic():
        ensure_role_groups()
        outlet = Outlet.objects.create(name="Bench Bistro", prices_include_tax=True)
        OutletBilling.objects.create(
            outlet=outlet, service_charge_percent=SERVICE_PERCENT, service_charge_min_covers=SERVICE_MIN_COVERS
        )
        for number, name in [(1, "Starters"), (2, "Mains"), (3, "Desserts")]:
            Course.objects.create(outlet=outlet, number=number, name=name)
        area = Area.objects.create(outlet=outlet, name="Main room")
        table = Table.objects.create(outlet=outlet, area=area, number="1", seats=COVERS)
        low = TaxRate.objects.create(name="Low", percent=Decimal("9.00"))
        high = TaxRate.objects.create(name="High", percent=Decimal("21.00"))
        menu = Menu.objects.create(outlet=outlet, name="A la carte")
        starters = Category.objects.create(menu=menu, name="Starters", default_course=1)
        mains = Category.objects.create(menu=menu, name="Mains", default_course=2)
        desserts = Category.objects.create(menu=menu, name="Desserts", default_course=3)
        drinks = Category.objects.create(menu=menu, name="Drinks", default_course=1)

        def item(category, name, price, rate, *groups):
            made = Item.objects.create(category=category, name=name, price=price, tax_rate=rate)
            for index, group in enumerate(groups):
                ItemModifierGroup.objects.create(item=made, group=group, sort_order=index)
            return made

        def group(name, low_, high_, free=0):
            return ModifierGroup.objects.create(name=name, min_choices=low_, max_choices=high_, free_choices=free)

        def modifier(group_, name, delta=0, opens=None):
            return Modifier.objects.create(group=group_, name=name, price_delta=delta, opens_group=opens).pk

        cooking = group("Cooking", 1, 1)
        rare, medium, well = (modifier(cooking, n) for n in ("Rare", "Medium", "Well done"))
        dressing = group("Dressing", 1, 1)
        vinaigrette = modifier(dressing, "Vinaigrette")
        sides = group("Side", 1, 2, free=1)
        fries = modifier(sides, "Fries", 350)
        side_salad = modifier(sides, "Side salad", 400, opens=dressing)
        extras = group("Extras", 0, 3)
        bacon, cheese, egg = (modifier(extras, n, 150) for n in ("Bacon", "Cheese", "Egg"))
        milk = group("Milk", 0, 1)
        oat = modifier(milk, "Oat milk", 50)
        gin = group("Gin", 0, 1)
        premium = modifier(gin, "Premium gin", 250)
        garnish = group("Garnish", 0, 2, free=1)
        cucumber, lime = modifier(garnish, "Cucumber", 30), modifier(garnish, "Lime", 30)

        steak = item(mains, "Steak", 2450, low, cooking, sides, extras)
        burger = item(mains, "Burger", 1650, low, cooking, extras)
        salad = item(starters, "Salad", 950, low, extras)
        soup = item(starters, "Soup", 750, low)
        dessert = item(desserts, "Creme brulee", 850, low)
        coffee = item(drinks, "Coffee", 320, low, milk)
        beer = item(drinks, "Beer", 450, high)
        wine = item(drinks, "Wine glass", 650, high)
        bottle = item(drinks, "Wine bottle", 3500, high)
        gin_tonic = item(drinks, "Gin tonic", 1100, high, gin, garnish)

        def person(username, role):
            made = User.objects.create(username=username, display_name=username.title())
            made.set_unusable_password()
            made.save(update_fields=["password"])
            made.groups.add(Group.objects.get(name=role))
            return made

        waiter = person("benchwaiter", Role.WAITER)
        manager = person("benchmanager", Role.MANAGER)

    templates = [
        (steak, [rare, fries]),
        (steak, [medium, fries, side_salad, vinaigrette, bacon]),
        (steak, [well, side_salad, vinaigrette, cheese, egg]),
        (burger, [medium, bacon, cheese]),
        (burger, [rare]),
        (salad, []),
        (salad, [egg]),
        (soup, []),
        (dessert, []),
        (coffee, []),
        (coffee, [oat]),
        (beer, []),
        (wine, []),
        (bottle, []),
        (gin_tonic, [premium]),
        (gin_tonic, [premium, cucumber, lime]),
    ]
    return World(outlet=outlet, table=table, waiter=waiter, manager=manager, templates=templates)


@dataclass
class Bill:
    """What was built, kept in memory for the baseline (line objects as add_lines returned them)."""

    order_id: int
    check_id: int
    lines: list  # OrderLine, in pk order
    line_discounts: dict[int, list[tuple[str, Decimal | None, int | None]]]  # line pk -> (kind, percent, amount)
    check_discount_pks: list[int]
    discount_counts: Counter


def build_check(world: World, lines: int, seed: int) -> Bill:
    """One 200-line order on one check, with line discounts, comps and a 10 % check discount."""
    from billing import services as billing_services
    from billing.models import Check
    from orders.services import LineRequest, add_lines, open_order

    rng = random.Random(seed)
    order, _created = open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.table, covers=COVERS
    )
    made = []
    requests = []
    for n in range(lines):
        item, modifier_ids = world.templates[rng.randrange(len(world.templates))]
        qty = rng.choice((1, 1, 1, 1, 2, 2, 3))
        requests.append(LineRequest(item_id=item.pk, qty=qty, seat=n % (COVERS + 1), modifier_ids=modifier_ids))
    for start in range(0, lines, LINE_BATCH):
        made.extend(
            line for line, _ in add_lines(order=order, requests=requests[start : start + LINE_BATCH], by=world.waiter)
        )
    made.sort(key=lambda line: line.pk)

    billing_services.open_bill(order=order, by=world.waiter)
    check = Check.objects.get(order=order, number=1)
    line_discounts: dict[int, list] = {line.pk: [] for line in made}
    counts: Counter = Counter()
    percents = ("5", "7.5", "10")
    for index, line in enumerate(made):
        # Some lines get two (a percent, then an amount or a comp on what is left).
        if index % 9 == 4:
            percent = percents[index % 3]
            billing_services.give_discount(check=check, by=world.waiter, reason="Regulars", percent=percent, line=line)
            line_discounts[line.pk].append(("percent", Decimal(percent), None))
            counts["percent"] += 1
        if index % 13 == 7:
            amount = 100 + 50 * (index % 5)
            billing_services.give_discount(check=check, by=world.waiter, reason="Late", amount=amount, line=line)
            line_discounts[line.pk].append(("amount", None, amount))
            counts["amount"] += 1
        if index % 29 == 11:
            billing_services.comp_line(check=check, line=line, by=world.manager, reason="Sent back")
            line_discounts[line.pk].append(("comp", Decimal(100), None))
            counts["comp"] += 1
    check_discount = billing_services.give_discount(
        check=check, by=world.waiter, reason="Loyalty card", percent=CHECK_DISCOUNT_PERCENT
    )
    counts["check percent"] += 1
    return Bill(
        order_id=order.pk,
        check_id=check.pk,
        lines=made,
        line_discounts=line_discounts,
        check_discount_pks=[check_discount.pk],
        discount_counts=counts,
    )


# -------------------------------------------------------------------- measuring


def shape_of(sql: str) -> str:
    """A query with its literals and IN-lists folded, to count repeated statements."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    sql = re.sub(r"\((\s*\?\s*,)+\s*\?\s*\)", "(?...)", sql)
    sql = re.sub(r"(WHEN .*? THEN .*? )+", "WHEN ... ", sql)
    return sql[:110]


@dataclass
class Measured:
    ms: list[float]
    queries: int
    shapes: Counter


def top_shapes(queries: list[dict]) -> Counter:
    return Counter(shape_of(q["sql"]) for q in queries)


def measure_totals(order, reps: int) -> tuple[Measured, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.selectors import order_bill

    for _ in range(WARMUP):
        order_bill(order=order)
    with CaptureQueriesContext(connection) as captured:
        _checks, totals = order_bill(order=order)
    samples = []
    for _ in range(reps):
        began = time.perf_counter()
        order_bill(order=order)
        samples.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as again:
        order_bill(order=order)
    if len(again) != len(captured):
        raise BenchFailure(f"order_bill ran {len(captured)} queries once and {len(again)} later")
    return Measured(samples, len(captured), top_shapes(captured.captured_queries)), totals


def check_split(whole, parts: list) -> None:
    """The split checks must add up to the unsplit bill, in total and per rate."""
    if sum(p.total for p in parts) != whole.total:
        raise BenchFailure(f"the split checks add up to {sum(p.total for p in parts)}, the whole bill is {whole.total}")
    for rate in whole.rates:
        rows = [r for p in parts for r in p.rates if r.tax_percent == rate.tax_percent]
        for name in ("goods", "discount", "service_charge", "tax", "gross"):
            split_sum = sum(getattr(r, name) for r in rows)
            if split_sum != getattr(rate, name):
                raise BenchFailure(
                    f"{name} at {rate.tax_percent}%: the split checks add up to {split_sum}, "
                    f"the whole bill has {getattr(rate, name)}"
                )


def measure_split(order, check_id: int, waiter, ways: int, reps: int, whole) -> tuple[Measured, list]:
    """Split the whole check `ways` ways and read the bill, each round rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from billing.models import Check
    from billing.selectors import order_bill
    from billing.services import split_check_evenly

    check = Check.objects.get(pk=check_id)

    def one_round(timed: list[float] | None, capture: bool = False):
        with transaction.atomic():
            began = time.perf_counter()
            if capture:
                with CaptureQueriesContext(connection) as captured:
                    checks = split_check_evenly(check=check, ways=ways, by=waiter)
                    _all, totals = order_bill(order=order)
            else:
                checks = split_check_evenly(check=check, ways=ways, by=waiter)
                _all, totals = order_bill(order=order)
            elapsed = (time.perf_counter() - began) * 1000
            transaction.set_rollback(True)
        parts = [totals[c.pk] for c in checks]
        if len(parts) != ways or len(totals) != ways:
            raise BenchFailure(f"split into {ways} gave {len(parts)} checks and {len(totals)} on the bill")
        check_split(whole, parts)
        if timed is not None:
            timed.append(elapsed)
        return parts, captured if capture else None

    for _ in range(SPLIT_WARMUP):
        one_round(None)
    parts, captured = one_round(None, capture=True)
    samples: list[float] = []
    for _ in range(reps):
        parts, _ = one_round(samples)
    if Check.objects.filter(order_id=order.pk).count() != 1:
        raise BenchFailure("a split round was not rolled back")
    return Measured(samples, len(captured), top_shapes(captured.captured_queries)), parts


# --------------------------------------------------------------------- baseline


def baseline_inputs(bill: Bill, ways: int):
    """The same order as compute_order's inputs, from memory: unsplit, and split `ways` ways."""
    from billing.totals import CheckDiscountIn, CheckIn, LineDiscountIn, LineIn, ShareIn

    def line_inputs(checks: list[int]) -> list:
        return [
            LineIn(
                key=line.pk,
                amount=line.qty * (line.unit_price + line.modifiers_price),
                tax_percent=Decimal(line.tax_percent),
                discounts=tuple(
                    LineDiscountIn(percent=percent, amount=amount)
                    for _kind, percent, amount in bill.line_discounts[line.pk]
                ),
                shares=tuple(
                    ShareIn(key=(line.pk, check), check=check, shares=1, of_shares=len(checks)) for check in checks
                ),
            )
            for line in bill.lines
        ]

    def check_inputs(checks: list[int]) -> list:
        return [
            CheckIn(
                key=check,
                # The split copies the check's percent discount onto every new check.
                discounts=(CheckDiscountIn(key=("discount", check), percent=Decimal(CHECK_DISCOUNT_PERCENT)),),
                service_percent=SERVICE_PERCENT,
            )
            for check in checks
        ]

    whole = [bill.check_id]
    split = list(range(1, ways + 1))
    return (line_inputs(whole), check_inputs(whole)), (line_inputs(split), check_inputs(split))


def time_compute(inputs, prices_include_tax: bool, reps: int) -> tuple[list[float], dict]:
    from billing.totals import compute_order

    lines, checks = inputs
    for _ in range(WARMUP):
        compute_order(lines=lines, checks=checks, prices_include_tax=prices_include_tax)
    samples = []
    result = None
    for _ in range(reps):
        began = time.perf_counter()
        result = compute_order(lines=lines, checks=checks, prices_include_tax=prices_include_tax)
        samples.append((time.perf_counter() - began) * 1000)
    return samples, result


def same_figures(db, memory) -> bool:
    """The same bill: per rate, in total, and every share's line, amount and discount."""
    return (
        db.rates == memory.rates
        and db.total == memory.total
        and sorted((s.line, s.amount, s.discount) for s in db.shares)
        == sorted((s.line, s.amount, s.discount) for s in memory.shares)
    )


# ---------------------------------------------------------------------- report


def describe(name: str, samples: list[float], queries: int | None = None) -> str:
    text = (
        f"  {name:16} n={len(samples):4}  p50={percentile(samples, 50):8.3f} ms  p99={percentile(samples, 99):8.3f} ms"
        f"  mean={statistics.fmean(samples):8.3f} ms  max={max(samples):8.3f} ms"
    )
    return text + (f"  queries={queries}" if queries is not None else "")


def print_shapes(name: str, shapes: Counter, limit: int = 6) -> None:
    print(f"  {name}: most repeated statements")
    for shape, count in shapes.most_common(limit):
        print(f"    {count:5} x {shape}")


# ------------------------------------------------------------------------ main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200, help="lines on the check, default 200")
    parser.add_argument("--ways", type=int, default=7, help="checks of the even split, default 7")
    parser.add_argument("--totals-reps", type=int, default=200, help="timed order_bill runs, default 200")
    parser.add_argument("--split-reps", type=int, default=30, help="timed split+bill rounds, default 30")
    parser.add_argument("--baseline-reps", type=int, default=200, help="timed compute_order runs, default 200")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the lines")
    parser.add_argument("--db-name", default="bench_billing", help="database to create (and drop)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not 1 <= args.lines <= 2000 or not 2 <= args.ways <= 20:
        parser.error("lines 1..2000, ways 2..20")
    if min(args.totals_reps, args.split_reps, args.baseline_reps) < 1:
        parser.error("every --*-reps is at least 1")
    return args


def run(args: argparse.Namespace) -> str:
    from orders.models import Order

    began = time.perf_counter()
    world = build_world()
    bill = build_check(world, args.lines, args.seed)
    counts = ", ".join(f"{n} {kind}" for kind, n in bill.discount_counts.items())
    print(f"built {args.lines} lines with discounts ({counts}) in {time.perf_counter() - began:.1f} s", flush=True)

    order = Order.objects.select_related("outlet").get(pk=bill.order_id)
    print(f"totals: order_bill x {args.totals_reps} ...", flush=True)
    totals, db_totals = measure_totals(order, args.totals_reps)
    whole = db_totals[bill.check_id]
    print(f"split{args.ways}: split_check_evenly + order_bill x {args.split_reps}, rolled back ...", flush=True)
    split, split_parts = measure_split(order, bill.check_id, world.waiter, args.ways, args.split_reps, whole)

    print(f"baseline: compute_order x {args.baseline_reps}, in memory ...", flush=True)
    whole_inputs, split_inputs = baseline_inputs(bill, args.ways)
    prices_include_tax = order.outlet.prices_include_tax
    base, base_result = time_compute(whole_inputs, prices_include_tax, args.baseline_reps)
    base_split, base_split_result = time_compute(split_inputs, prices_include_tax, args.baseline_reps)
    if not same_figures(whole, base_result[bill.check_id]):
        raise BenchFailure(
            f"the baseline's bill ({base_result[bill.check_id].total}) is not order_bill's ({whole.total})"
        )
    memory_parts = [base_split_result[k] for k in range(1, args.ways + 1)]
    if not all(same_figures(db, mem) for db, mem in zip(split_parts, memory_parts, strict=True)):
        raise BenchFailure(
            f"the baseline's split ({[p.total for p in memory_parts]}) is not the database's ({[p.total for p in split_parts]})"
        )

    parts = [p.total for p in split_parts]
    print(
        f"bill: items {whole.items_amount} - line discounts {whole.line_discounts} - check discount "
        f"{whole.check_discounts} + service {whole.service_charge} = {whole.total} (tax {whole.tax}); "
        f"split {args.ways}: {parts} (sum {sum(parts)}, spread {max(parts) - min(parts)} ct)"
    )
    print(describe("totals", totals.ms, totals.queries))
    print(describe(f"split{args.ways}", split.ms, split.queries))
    # Rolled-back rounds leave dead rows behind; a drift here would show it.
    edge = max(1, len(split.ms) // 5)
    print(
        f"  split{args.ways} drift: first {edge} mean {statistics.fmean(split.ms[:edge]):.1f} ms, "
        f"last {edge} mean {statistics.fmean(split.ms[-edge:]):.1f} ms"
    )
    print(describe("baseline", base))
    print(describe(f"baseline_split{args.ways}", base_split))
    print_shapes("totals", totals.shapes)
    print_shapes(f"split{args.ways}", split.shapes)

    totals_p99 = percentile(totals.ms, 99)
    baseline_p99 = percentile(base, 99)
    ratio = totals_p99 / baseline_p99 if baseline_p99 else 0.0
    return (
        f"RESULT billing totals_p50_ms={percentile(totals.ms, 50):.3f} totals_p99_ms={totals_p99:.3f} "
        f"split7_p50_ms={percentile(split.ms, 50):.3f} split7_p99_ms={percentile(split.ms, 99):.3f} "
        f"queries={totals.queries} split7_queries={split.queries} baseline_p99_ms={baseline_p99:.3f} "
        f"baseline_split7_p99_ms={percentile(base_split, 99):.3f} ratio={ratio:.2f}"
    )


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, interrupt)
    env = bench_env(args.db_name)
    result = ""
    try:
        print(f"creating database {args.db_name}, migrating ...", flush=True)
        recreate_database(args.db_name)
        run_checked([str(PYTHON), "manage.py", "migrate", "--noinput"], env, timeout=300)
        setup_django(env)
        try:
            result = run(args)
        except BenchFailure as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            return 1
        finally:
            from django.db import connections

            connections.close_all()
    finally:
        if args.keep:
            print(f"kept database {args.db_name}", file=sys.stderr)
        else:
            drop_database(args.db_name)
    print(result, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
