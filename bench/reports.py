"""Reports: each range report over a year of a busy restaurant, against reading the same rows bare.

What is measured
----------------
A PostgreSQL database (`bench_reports`) is migrated and filled once by a generator (kept
with --keep and reused with --reuse): a restaurant and a bar, 8 waiters, 60 items at 9 %
and 21 %, and a year (365 business days) of about 410 orders a day (150,000 orders),
each with 2-8 lines, one check (one in ten split in two) frozen the way a first payment
freezes it (per tax rate net / tax / gross, the shares), its check items with their
frozen amounts and discounts, captured payments (cash with tips, card, now and then a
voucher) and about one void in 50 orders with who, why and the approver. Rows go in
with `bulk_create` a day at a time; the business days are closed as a Z closes them.

Then, in this process (DEBUG=0, one connection, no HTTP), each report of
`backoffice.report_catalogue.REPORTS` over the whole year, for the house and for one
outlet, N times after a warm-up: p50 / p99 in ms, CPU ms per run (this process plus
the database's share shows in wall time) and the SQL queries of one run.

Baseline: the floor under a report is reading its rows at all. `SELECT count(*)` of
the year's closed checks joined to their business days (what every sales report must
visit) is timed the same way; `ratio = report_p99 / baseline_p99`.

Indexes: --without-indexes drops the index the reports' migration adds, to compare.

Measured (2 shared cores, load average ~3 from other work, PostgreSQL, 149,531 orders,
164,526 closed checks, `PGOPTIONS="-c jit=off"`; p50 / p99 ms over the year, the house):
    sales-by-day 654 / 712     sales-by-hour 1271 / 1362   product-mix 1250 / 1331
    waiters 1066 / 1139        vat 379 / 413               tenders 61 / 62
    voids 72 / 75              labour 230 / 260            kitchen-times 3 / 3 (no tickets made)
    baseline count(*) of the year's closed checks 52 / 57; one outlet (the bar, 20%): all under 520.
At a load average of 8-11 the same reports took 2-4 times as long (sales-by-day 2546 / 2736).
With JIT on (PostgreSQL's default) sales-by-day took 3864 / 4806: the planner guesses
100 rows per jsonb_array_elements and JIT-compiles for ~580 ms; turn JIT off for this
database. Indexes on (business_day, status) of checks and (business_day, state) of
payments bought nothing over a year (every row is read; the foreign-key indexes serve
shorter ranges), so they were dropped; (to_status, at) of line status changes stays, as
the real table holds every status change of every line, not only voids.
Checks keep their frozen net / tax / gross as columns (billing 0009, filled for older
checks by its migration), so sales by day, hour and waiter sum columns instead of
unnesting each check's JSON. Measured the same way on a copy of the bench database
(after VACUUM ANALYZE of the migrated checks: the migration's UPDATE leaves one dead row
per check until autovacuum comes), load average 5-7, p50 / p99 ms, the house:
    before (baseline count(*) 91 / 121): sales-by-day 817 / 1453   sales-by-hour 996 / 2047
        waiters 1836 / 2772   product-mix 1787 / 2679   vat 584 / 913   labour 653 / 1060
    after  (baseline count(*) 81 / 97):  sales-by-day 356 / 375    sales-by-hour 536 / 603
        waiters 708 / 899     product-mix 1485 / 2055   vat 359 / 403   labour 129 / 202
    discounts (new) 8 / 72; tenders, voids, kitchen-times under 170. CPU in this process
    2-9 ms per report: the time is the database's.
The grouped sum of the columns alone takes 84-121 ms against 525-760 ms for the JSON
(psql, interleaved); what is left in sales by day / hour / waiter is covers (each order
once per group: a DISTINCT over the year's checks joined to their orders, ~250 ms).
Still over a second: product-mix, which groups ~800,000 check items by item and name.
What would meet it (not done): per business day and item, the quantities and amounts
written at the Z, with only the open day summed live.

Run from the project root:  .venv/bin/python bench/reports.py [--orders-per-day 410] [--reps 10] [--keep|--reuse]
Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust). The last line printed is
`RESULT reports <report>_p50_ms=... <report>_p99_ms=... <report>_queries=... max_p99_ms=... baseline_p99_ms=...`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import signal
import sys
import time
import uuid
from decimal import Decimal

from harness import ROOT, drop_database, percentile, recreate_database, run_checked

PYTHON = ROOT / ".venv" / "bin" / "python"
DAYS = 365
WARMUP = 2
# The index the reports' migration adds (orders 0003_void_events_index), by name.
REPORT_INDEXES = ("linechange_to_status_at_idx",)


def interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def bench_env(db_name: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
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


def split_tax(gross: int, percent: Decimal) -> int:
    """The tax inside a tax-inclusive amount, rounded half up (as billing.totals does per rate)."""
    return int((Decimal(gross) * percent / (100 + percent)).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def build_menu(rng: random.Random):
    from billing.models import Tender
    from orders.models import Category, Item, Menu, TaxRate
    from staff.models import Role, User
    from staff.services import ensure_role_groups
    from tables.models import Outlet

    ensure_role_groups()
    restaurant = Outlet.objects.create(name="Restaurant")
    bar = Outlet.objects.create(name="Bar", kind=Outlet.Kind.BAR)
    low = TaxRate.objects.create(name="Low", percent=Decimal("9.00"))
    high = TaxRate.objects.create(name="High", percent=Decimal("21.00"))
    items = []
    for outlet in (restaurant, bar):
        menu = Menu.objects.create(outlet=outlet, name=f"{outlet.name} menu")
        for number, (name, rate, count, low_price, high_price) in enumerate(
            [
                ("Starters", low, 8, 650, 1450),
                ("Mains", low, 10, 1650, 3250),
                ("Desserts", low, 6, 650, 1100),
                ("Wine", high, 3, 550, 4500),
                ("Beer", high, 2, 350, 650),
                ("Soft drinks", low, 1, 300, 450),
            ]
        ):
            category = Category.objects.create(menu=menu, name=name, sort_order=number)
            for n in range(count):
                price = rng.randrange(low_price, high_price, 50)
                items.append(Item.objects.create(category=category, name=f"{name} {n + 1}", price=price, tax_rate=rate))
    waiters = []
    for n in range(8):
        user = User.objects.create(username=f"waiter{n}", display_name=f"Waiter {n + 1}")
        user.groups.add(*user.groups.model.objects.filter(name=Role.WAITER))
        waiters.append(user)
    manager = User.objects.create(username="manager", display_name="Mila")
    tenders = [
        Tender.objects.create(name="Cash", kind=Tender.Kind.CASH, sort_order=1),
        Tender.objects.create(name="Card", kind=Tender.Kind.CARD, sort_order=2),
        Tender.objects.create(name="Voucher", kind=Tender.Kind.OTHER, sort_order=3),
    ]
    return (restaurant, bar), items, waiters, manager, tenders


def generate(orders_per_day: int, seed: int) -> int:
    """A year of orders, bulk-created a day at a time. Returns the orders made."""
    from django.db import transaction
    from django.utils import timezone

    from billing.models import BusinessDay, Check, CheckItem, Payment
    from orders.models import LineStatusChange, Order, OrderLine

    rng = random.Random(seed)
    # The rows carry the year's times, not today's: the generator sets what auto_now_add would.
    for model, name in ((Order, "opened_at"), (Check, "opened_at"), (OrderLine, "added_at"), (LineStatusChange, "at")):
        model._meta.get_field(name).auto_now_add = False
    with transaction.atomic():
        outlets, items, waiters, manager, tenders = build_menu(rng)
    by_outlet = {o.pk: [i for i in items if i.category.menu.outlet_id == o.pk] for o in outlets}
    zone = timezone.get_current_timezone()
    first = timezone.localdate() - datetime.timedelta(days=DAYS)
    made = 0
    for offset in range(DAYS):
        date = first + datetime.timedelta(days=offset)
        with transaction.atomic():
            day = BusinessDay.objects.create(date=date)
            count = max(1, int(rng.gauss(orders_per_day, orders_per_day / 8)))
            specs, orders = [], []
            for _ in range(count):
                outlet = outlets[0] if rng.random() < 0.8 else outlets[1]
                hour = rng.choice((12, 12, 13, 13, 14, 17, 18, 18, 19, 19, 19, 20, 20, 21, 22, 23, 0))
                opened = datetime.datetime.combine(date, datetime.time(hour, rng.randrange(60)), tzinfo=zone)
                if hour == 0:
                    opened += datetime.timedelta(days=1)
                closed = opened + datetime.timedelta(minutes=rng.randrange(25, 110))
                waiter = rng.choice(waiters)
                orders.append(
                    Order(
                        outlet=outlet,
                        covers=rng.choice((1, 2, 2, 2, 3, 4, 4, 6)),
                        waiter=waiter,
                        status=Order.Status.CLOSED,
                        opened_at=opened,
                        closed_at=closed,
                    )
                )
                specs.append((outlet, opened, closed, waiter))
            Order.objects.bulk_create(orders, batch_size=2000)
            lines, line_specs = [], []
            for order, (outlet, opened, _closed, waiter) in zip(orders, specs, strict=True):
                for _ in range(rng.randrange(2, 9)):
                    item = rng.choice(by_outlet[outlet.pk])
                    voided = rng.random() < 0.004
                    lines.append(
                        OrderLine(
                            order=order,
                            item=item,
                            name=item.name,
                            unit_price=item.price,
                            tax_percent=item.tax_rate.percent,
                            qty=rng.choice((1, 1, 1, 2)),
                            status=OrderLine.Status.VOID if voided else OrderLine.Status.SENT,
                            added_by=waiter,
                            added_at=opened,
                            sent_at=opened,
                        )
                    )
                    line_specs.append(order)
            OrderLine.objects.bulk_create(lines, batch_size=5000)
            per_order: dict[int, list] = {}
            for line in lines:
                per_order.setdefault(line.order_id, []).append(line)
            checks, check_lines = [], []
            for order, (_outlet, _opened, closed, _waiter) in zip(orders, specs, strict=True):
                mine = per_order[order.pk]
                halves = [mine] if rng.random() > 0.1 or len(mine) < 2 else [mine[::2], mine[1::2]]
                for number, part in enumerate(halves, start=1):
                    check = Check(
                        order=order, number=number, status=Check.Status.CLOSED, closed_at=closed, business_day=day
                    )
                    check.opened_at = order.opened_at
                    checks.append(check)
                    check_lines.append(part)
            for check, part in zip(checks, check_lines, strict=True):
                rates: dict[Decimal, int] = {}
                shares = []
                for index, line in enumerate(part):
                    amount = 0 if line.status == OrderLine.Status.VOID else line.qty * line.unit_price
                    discount = amount // 10 if rng.random() < 0.03 else 0
                    rates[line.tax_percent] = rates.get(line.tax_percent, 0) + amount - discount
                    shares.append([index, line.pk, amount, discount])
                    line._frozen = (amount, discount)
                rate_rows = []
                for percent, gross in sorted(rates.items()):
                    tax = split_tax(gross, percent)
                    rate_rows.append([str(percent), gross, 0, 0, tax, gross - tax, gross])
                check.freeze_figures(
                    {
                        "prices_include_tax": True,
                        "service_percent": "0",
                        "shares": shares,
                        "rates": rate_rows,
                        "discount_amounts": [],
                    }
                )
                check._total = sum(r[6] for r in rate_rows)
            Check.objects.bulk_create(checks, batch_size=2000)
            items_rows, payments, voids = [], [], []
            for check, part in zip(checks, check_lines, strict=True):
                for line in part:
                    amount, discount = line._frozen
                    items_rows.append(
                        CheckItem(guest_check=check, line=line, frozen_amount=amount, frozen_discount=discount)
                    )
                    if line.status == OrderLine.Status.VOID:
                        voids.append(
                            LineStatusChange(
                                line=line,
                                from_status=OrderLine.Status.SENT,
                                to_status=OrderLine.Status.VOID,
                                at=check.closed_at - datetime.timedelta(minutes=10),
                                by=check.order.waiter,
                                reason=rng.choice(("Sent twice", "Wrong table", "Guest changed mind")),
                            )
                        )
                roll = rng.random()
                tender = tenders[0] if roll < 0.3 else tenders[1] if roll < 0.95 else tenders[2]
                payments.append(
                    Payment(
                        guest_check=check,
                        tender=tender,
                        state=Payment.State.CAPTURED,
                        amount=check._total,
                        tip=rng.choice((0, 0, 50, 100, 200, 500)) if tender.kind != "other" else 0,
                        by=check.order.waiter,
                        captured_at=check.closed_at,
                        business_day=day,
                    )
                )
            CheckItem.objects.bulk_create(items_rows, batch_size=5000)
            Payment.objects.bulk_create(payments, batch_size=5000)
            LineStatusChange.objects.bulk_create(voids, batch_size=5000)
            BusinessDay.objects.filter(pk=day.pk).update(
                closed_at=max(s[2] for s in specs), closed_by=manager, z_number=offset + 1
            )
            made += len(orders)
        if offset % 30 == 0:
            print(f"  day {offset + 1}/{DAYS}: {made} orders so far", flush=True)
    return made


def drop_report_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name in REPORT_INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("ANALYZE")


def time_runs(run, reps: int) -> tuple[list[float], list[float]]:
    for _ in range(WARMUP):
        run()
    wall, cpu = [], []
    for _ in range(reps):
        began, began_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return wall, cpu


def measure(reps: int) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backoffice.report_catalogue import REPORTS
    from billing.models import BusinessDay, Check
    from billing.range_reports import Period
    from tables.models import Outlet

    dates = BusinessDay.objects.order_by("date").values_list("date", flat=True)
    year = Period(start=dates.first(), end=dates.last())
    bar = Period(start=year.start, end=year.end, outlet_id=Outlet.objects.get(name="Bar").pk)
    orders = Check.objects.filter(status=Check.Status.CLOSED).values("order_id").distinct().count()
    print(f"year: {year.start} .. {year.end}, {orders} orders with closed checks", flush=True)

    def baseline():
        return Check.objects.filter(
            status=Check.Status.CLOSED, business_day__date__gte=year.start, business_day__date__lte=year.end
        ).count()

    base, _cpu = time_runs(baseline, reps)
    base_p99 = percentile(base, 99)
    print(f"  baseline count(*): p50 {percentile(base, 50):.1f} ms p99 {base_p99:.1f} ms", flush=True)
    fields, worst = [], 0.0
    for report in REPORTS:
        for scope, period in (("house", year), ("bar", bar)):
            with CaptureQueriesContext(connection) as queries:
                figures = report.figures(period)
            wall, cpu = time_runs(lambda period=period, report=report: report.figures(period), reps)
            p50, p99 = percentile(wall, 50), percentile(wall, 99)
            print(
                f"  {report.key:14} {scope:5}: p50 {p50:7.1f} ms p99 {p99:7.1f} ms cpu/run {percentile(cpu, 50):6.1f} ms"
                f" queries {len(queries)} rows {len(figures['rows'])} ratio {p99 / base_p99 if base_p99 else 0:.1f}",
                flush=True,
            )
            if scope == "house":
                name = report.key.replace("-", "_")
                fields.append(f"{name}_p50_ms={p50:.1f} {name}_p99_ms={p99:.1f} {name}_queries={len(queries)}")
                fields.append(f"{name}_cpu_ms={percentile(cpu, 50):.1f}")
            worst = max(worst, p99)
    return f"RESULT reports orders={orders} {' '.join(fields)} max_p99_ms={worst:.1f} baseline_p99_ms={base_p99:.1f}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders-per-day", type=int, default=410, help="orders per business day, default 410")
    parser.add_argument("--reps", type=int, default=10, help="timed runs per report, default 10")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="bench_reports", help="database to create (and drop)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by an earlier --keep run")
    parser.add_argument("--without-indexes", action="store_true", help="drop the reports' indexes first")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, interrupt)
    env = bench_env(args.db_name)
    result = ""
    try:
        if not args.reuse:
            print(f"creating database {args.db_name}, migrating ...", flush=True)
            recreate_database(args.db_name)
        run_checked([str(PYTHON), "manage.py", "migrate", "--noinput"], env, timeout=300)
        setup_django(env)
        try:
            if not args.reuse:
                began = time.perf_counter()
                made = generate(args.orders_per_day, args.seed)
                from django.db import connection

                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                print(f"generated {made} orders in {time.perf_counter() - began:.0f} s", flush=True)
            if args.without_indexes:
                drop_report_indexes()
                print("dropped the reports' indexes", flush=True)
            result = measure(args.reps)
        finally:
            from django.db import connections

            connections.close_all()
    finally:
        if args.keep or args.reuse:
            print(f"kept database {args.db_name}", file=sys.stderr)
        else:
            drop_database(args.db_name)
    print(result, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
