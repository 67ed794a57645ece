"""Range reports: each one's numbers from rows made here, a one-day range equal to that day's X / Z,
and a fixed number of queries whatever the range."""

import datetime
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing import services
from billing.models import BusinessDay, Check, Discount, Payment
from billing.range_reports import Period
from billing.range_reports.discounts import discounts
from billing.range_reports.labour import labour_against_sales
from billing.range_reports.product_mix import product_mix
from billing.range_reports.sales import sales_by_day, sales_by_hour, sales_by_tax_rate
from billing.range_reports.tenders import tenders
from billing.range_reports.voids import voids
from billing.range_reports.waiters import sales_per_waiter
from billing.reports import day_report
from staff.models import WorkShift
from tables.models import Outlet
from tests.billing.conftest import checks_of, dinner, pay_cash_in_full, pay_voucher_in_full

REPORTS = (
    discounts,
    labour_against_sales,
    sales_by_day,
    sales_by_hour,
    sales_by_tax_rate,
    product_mix,
    sales_per_waiter,
    tenders,
    voids,
)
QUERIES = {
    discounts: 3,
    labour_against_sales: 2,
    sales_by_day: 2,
    sales_by_hour: 2,
    sales_by_tax_rate: 1,
    product_mix: 1,
    sales_per_waiter: 4,
    tenders: 2,
    voids: 1,
}


def one_day(day: BusinessDay, outlet_id=None) -> Period:
    return Period(start=day.date, end=day.date, outlet_id=outlet_id)


def test_one_day_agrees_with_that_days_report(busy_day):
    day = services.current_business_day()
    x = day_report(day=day)
    period = one_day(day)

    by_day = sales_by_day(period)
    [row] = by_day["rows"]
    assert row["day"] == day.date.isoformat()
    for name in ("checks", "covers", "net", "tax", "gross", "average_check", "average_per_cover"):
        assert row[name] == by_day["totals"][name] == x["sales"][name], name
    assert sales_by_hour(period)["totals"]["gross"] == x["sales"]["gross"]
    # Each order's checks were all paid in one hour here, so the hours' covers are the day's.
    assert sales_by_hour(period)["totals"]["covers"] == x["sales"]["covers"]

    assert sales_by_tax_rate(period)["rows"] == [
        {"rate": r["rate"], "net": r["net"], "tax": r["tax"], "gross": r["gross"]} for r in x["by_tax_rate"]
    ]
    assert [
        (t["tender"], t["count"], t["amount"], t["tips"], t["rounding"], t["refunds"]) for t in tenders(period)["rows"]
    ] == [(t["name"], t["count"], t["amount"], t["tips"], t["rounding"], t["refunds"]) for t in x["by_tender"]]
    assert sorted(
        (w["waiter"], w["checks"], w["gross"], w["tips"]) for w in sales_per_waiter(period)["rows"]
    ) == sorted((w["name"], w["checks"], w["gross"], w["tips"]) for w in x["by_waiter"])
    mix = product_mix(period)
    assert sorted((i["item"], i["gross"], i["discounts"]) for i in mix["rows"]) == sorted(
        (i["name"], i["gross"], i["discounts"]) for i in x["by_item"]
    )
    assert mix["totals"]["gross"] == sum(i["gross"] for i in x["by_item"])
    lost = voids(period)
    assert lost["totals"]["amount"] == x["voids_total"] and lost["totals"]["lines"] == len(x["voids"])
    [void] = lost["rows"]
    assert (void["reason"], void["by"], void["approver"]) == ("Wrong table", "Anna", "Mila")


def test_discounts_and_comps_of_one_day_are_the_days_report(busy_day):
    day = services.current_business_day()
    x = day_report(day=day)
    given = [*x["discounts"], *x["comps"]]
    assert given, "the busy day has discounts and comps"

    report = discounts(one_day(day))

    assert report["totals"]["amount"] == x["sales"]["discounts"] + x["sales"]["comps"]
    assert report["totals"]["count"] == len(given)
    by_reason: dict[str, int] = {}
    for row in given:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + row["amount"]
    assert {row["reason"]: row["amount"] for row in report["rows"]} == by_reason
    assert {(r["reason"], r["by"], r["approver"]) for r in report["rows"]} == {
        (r["reason"], r["by"], r["approver"]) for r in given
    }


def test_discounts_over_the_range_are_what_each_day_gave(busy_day):
    """Discounts the busy day gave, then one of its checks moved to another day: the range sums both days."""
    day = services.current_business_day()
    whole = discounts(one_day(day))
    moved = Discount.objects.filter(guest_check__isnull=False, line__isnull=True).order_by("pk").first()
    other = BusinessDay.objects.create(date=day.date - datetime.timedelta(days=3))
    Check.objects.filter(pk=moved.guest_check_id).update(business_day=other)

    later = discounts(one_day(day))
    earlier = discounts(one_day(other))
    both = discounts(Period(start=other.date, end=day.date))

    assert earlier["totals"]["count"] >= 1 and earlier["rows"][0]["reason"] == moved.reason
    assert later["totals"]["amount"] + earlier["totals"]["amount"] == whole["totals"]["amount"]
    assert both["rows"] == whole["rows"]


def close_day(day: BusinessDay, number: int) -> None:
    BusinessDay.objects.filter(pk=day.pk).update(closed_at=timezone.now(), z_number=number)


def paid_at(check: Check, hour: int) -> None:
    """Move a check's payment to `hour` local time on its business day (the rows' times are what the reports read)."""
    zone = timezone.get_current_timezone()
    moment = datetime.datetime.combine(check.business_day.date, datetime.time(hour, 15), tzinfo=zone)
    Check.objects.filter(pk=check.pk).update(closed_at=moment)


@pytest.fixture
def three_days(world, cash, voucher):
    """Three business days of small dinners: two on the first, none on the second, three on the third;
    one of the third day's on a second outlet (the bar)."""
    bar = Outlet.objects.create(name="Bar")
    made = []
    plan = [
        [(world.waiter, 2, [(world.soup, 1, 1)], 12), (world.other_waiter, 3, [(world.salad, 1, 2)], 19)],
        [],
        [
            (world.waiter, 4, [(world.salad, 1, 1), (world.soup, 1, 1)], 19),
            (world.waiter, 1, [(world.soup, 1, 3)], 21),
            (world.other_waiter, 2, [(world.salad, 1, 1)], 23),
        ],
    ]
    for number, dinners in enumerate(plan, start=1):
        day = services.current_business_day()
        for table, (waiter, covers, lines, hour) in enumerate(dinners):
            order = dinner(world, table=table, waiter=waiter, covers=covers, lines=lines)
            (check,) = checks_of(order)
            if number == 3 and table == 2:
                type(order).objects.filter(pk=order.pk).update(outlet=bar)
                pay_voucher_in_full(check, voucher, waiter)
            else:
                pay_cash_in_full(check, cash, waiter, tip=100 * table)
            check.refresh_from_db()
            paid_at(check, hour)
            made.append((day.date, hour, check.pk, covers, waiter, number == 3 and table == 2))
        close_day(day, number)
        # The next business day: tomorrow's date.
        BusinessDay.objects.create(date=day.date + datetime.timedelta(days=1))
    BusinessDay.objects.filter(closed_at__isnull=True).update(closed_at=timezone.now(), z_number=99)
    return {"made": made, "bar": bar, "first": made[0][0]}


def total_of(check_id: int) -> int:
    return services.check_total(Check.objects.get(pk=check_id))


def test_sales_by_day_and_hour_are_the_checks_made(three_days, world):
    made, first = three_days["made"], three_days["first"]
    period = Period(start=first - datetime.timedelta(days=1), end=first + datetime.timedelta(days=3))
    rows = sales_by_day(period)["rows"]
    assert [r["day"] for r in rows] == [(first + datetime.timedelta(days=n - 1)).isoformat() for n in range(5)]
    for row in rows:
        date = datetime.date.fromisoformat(row["day"])
        mine = [m for m in made if m[0] == date]
        assert row["checks"] == len(mine)
        assert row["gross"] == sum(total_of(m[2]) for m in mine)
        assert row["covers"] == sum(m[3] for m in mine)
        assert row["gross"] == row["net"] + row["tax"]
    hours = sales_by_hour(period)["rows"]
    assert [h["hour"] for h in hours] == [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]
    for row in hours:
        mine = [m for m in made if m[1] == row["hour"]]
        assert (row["checks"], row["gross"]) == (len(mine), sum(total_of(m[2]) for m in mine))

    # One outlet: the bar's one dinner only.
    bar = Period(start=period.start, end=period.end, outlet_id=three_days["bar"].pk)
    [bar_check] = [m for m in made if m[5]]
    assert sales_by_day(bar)["totals"]["gross"] == total_of(bar_check[2])
    assert [t["tender"] for t in tenders(bar)["rows"]] == ["Voucher"]


def test_waiters_and_tenders_over_the_range(three_days, world):
    made, first = three_days["made"], three_days["first"]
    period = Period(start=first, end=first + datetime.timedelta(days=2))
    per_waiter = {r["waiter"]: r for r in sales_per_waiter(period)["rows"]}
    for waiter in (world.waiter, world.other_waiter):
        mine = [m for m in made if m[4] == waiter]
        row = per_waiter[str(waiter)]
        assert row["checks"] == len(mine)
        assert row["gross"] == sum(total_of(m[2]) for m in mine)
        assert row["tips"] == sum(
            p.tip for p in Payment.objects.filter(guest_check_id__in=[m[2] for m in mine], state="captured")
        )
    paid = tenders(period)
    assert paid["totals"]["amount"] == sum(total_of(m[2]) for m in made)
    assert paid["totals"]["tips"] == sum(p.tip for p in Payment.objects.all())


def test_product_mix_classes_by_share_of_sales(three_days):
    first = three_days["first"]
    mix = product_mix(Period(start=first, end=first + datetime.timedelta(days=2)))
    rows = mix["rows"]
    assert [r["gross"] for r in rows] == sorted((r["gross"] for r in rows), reverse=True)
    total = mix["totals"]["gross"]
    before = 0
    for row in rows:
        start = Fraction(before, total)
        assert row["abc"] == ("A" if start < Fraction(8, 10) else "B" if start < Fraction(95, 100) else "C")
        before += row["gross"]
    assert rows[0]["abc"] == "A"
    assert sum(int(r["qty"]) for r in rows) == 1 + 2 + 1 + 1 + 3 + 1


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.__name__)
def test_a_report_costs_the_same_queries_for_one_day_or_many(report, three_days):
    first = three_days["first"]
    counts = []
    for days in (1, 4):
        with CaptureQueriesContext(connection) as queries:
            report(Period(start=first, end=first + datetime.timedelta(days=days - 1)))
        counts.append(len(queries))
    assert counts == [QUERIES[report]] * 2


def test_labour_hours_by_business_day_against_the_days_sales(three_days, world):
    made, first = three_days["made"], three_days["first"]
    zone = timezone.get_current_timezone()

    def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)

    third = first + datetime.timedelta(days=2)
    # Anna 16:00-23:30 on the first day; Bram 17:00-01:15, past midnight: still the first business day.
    WorkShift.objects.create(person=world.waiter, clocked_in_at=at(first, 16), clocked_out_at=at(first, 23, 30))
    WorkShift.objects.create(
        person=world.other_waiter,
        clocked_in_at=at(first, 17),
        clocked_out_at=at(first + datetime.timedelta(days=1), 1, 15),
    )
    # The third day: Anna at 02:00 of the night before it ends (the second business day), and 18:00-22:00.
    WorkShift.objects.create(person=world.waiter, clocked_in_at=at(third, 2), clocked_out_at=at(third, 3))
    WorkShift.objects.create(person=world.waiter, clocked_in_at=at(third, 18), clocked_out_at=at(third, 22))
    WorkShift.objects.create(person=world.other_waiter, clocked_in_at=at(third, 18))  # still working: no hours

    report = labour_against_sales(Period(start=first, end=third))
    rows = {r["day"]: r for r in report["rows"]}
    expected_minutes = {first: 450 + 495, first + datetime.timedelta(days=1): 60, third: 240}
    for day, minutes in expected_minutes.items():
        gross = sum(total_of(m[2]) for m in made if m[0] == day)
        row = rows[day.isoformat()]
        assert row["hours"] == f"{minutes / 60:.1f}"
        assert row["gross"] == gross
        assert row["per_hour"] == (round(gross * 60 / minutes) if minutes else 0)
    assert report["totals"]["hours"] == f"{sum(expected_minutes.values()) / 60:.1f}"


def test_a_paid_check_keeps_its_frozen_sums_and_the_migration_fills_older_ones(busy_day):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    def sums() -> dict:
        return {
            check.pk: (check.frozen_net, check.frozen_tax, check.frozen_gross)
            for check in Check.objects.exclude(frozen_totals=None)
        }

    expected = {
        check.pk: tuple(sum(rate[i] for rate in check.frozen_totals["rates"]) for i in (5, 4, 6))
        for check in Check.objects.exclude(frozen_totals=None)
    }
    assert expected and sums() == expected
    assert all(gross > 0 for _net, _tax, gross in expected.values())

    # Checks frozen before the columns existed: the migration sums their JSON.
    Check.objects.update(frozen_net=None, frozen_tax=None, frozen_gross=None)
    migration = importlib.import_module("billing.migrations.0009_frozen_sums_on_checks")
    with connection.cursor() as cursor:
        # The schema editor's two parts it uses (SQLite refuses a real one inside the test's transaction).
        migration.sum_frozen_rates(apps, SimpleNamespace(connection=connection, execute=cursor.execute))
    assert sums() == expected
