"""The manager's dashboard: its figures against rows made here, its query count, and who may see it."""

import datetime
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django_tasks_db.models import DBTaskResult, get_date_max

from backoffice.dashboard import selectors as dashboard_selectors
from backoffice.dashboard.kitchen_speed import percentile_90
from backoffice.dashboard.selectors import dashboard
from billing.models import CardReader, Check, Payment, Tender
from kitchen.models import Fire, Station, Ticket
from orders.models import Order
from printing.models import Printer
from staff.models import Role
from tests.factories import AreaFactory, OutletFactory, StaffFactory, TableFactory

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# A Tuesday evening; its business day began at 05:00.
NOW = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=AMSTERDAM)


def at(days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        NOW.date() - datetime.timedelta(days=days_ago), datetime.time(hour, minute), AMSTERDAM
    )


def frozen(gross: int) -> dict:
    tax = gross * 9 // 109
    return {
        "prices_include_tax": True,
        "shares": [],
        "rates": [["9.00", gross, 0, 0, tax, gross - tax, gross]],
        "discount_amounts": [],
    }


def paid_check(world, *, gross: int, closed_at, covers: int = 2, table=None, outlet=None) -> Check:
    order = Order.objects.create(
        outlet=outlet or world.outlet, table=table, covers=covers, waiter=world.waiter, status=Order.Status.CLOSED
    )
    Order.objects.filter(pk=order.pk).update(closed_at=closed_at)
    check = Check.objects.create(order=order, number=1, status=Check.Status.CLOSED, frozen_totals=frozen(gross))
    Check.objects.filter(pk=check.pk).update(closed_at=closed_at)
    return check


def open_check(world, *, opened_at, table=None) -> Check:
    order = Order.objects.create(outlet=world.outlet, table=table, covers=2, waiter=world.waiter, tab_name="Bar 3")
    check = Check.objects.create(order=order, number=1)
    Check.objects.filter(pk=check.pk).update(opened_at=opened_at)
    return check


def bumped(world, station: Station, *, fired_at, seconds: int | None, kind=Ticket.Kind.ORDER) -> Ticket:
    order = Order.objects.create(outlet=world.outlet, waiter=world.waiter)
    fire = Fire.objects.create(
        order=order, outlet=world.outlet, course=1, status=Fire.Status.FIRED, table_label="1", waiter=world.waiter
    )
    return Ticket.objects.create(
        fire=fire,
        station=station,
        order=order,
        kind=kind,
        status=Ticket.Status.BUMPED if seconds is not None else Ticket.Status.NEW,
        table_label="1",
        fired_at=fired_at,
        bumped_at=None if seconds is None else fired_at + datetime.timedelta(seconds=seconds),
    )


@pytest.fixture
def terrace(world):
    outlet = OutletFactory(name="Terrace")
    TableFactory(area=AreaFactory(outlet=outlet))
    return outlet


@pytest.fixture
def a_day(world, kitchen, terrace):
    """Today and the same Tuesday of the four weeks before, with rows just outside each window."""
    tables = world.tables
    paid_check(world, gross=3000, closed_at=at(0, 12), covers=2, table=tables[1])
    paid_check(world, gross=4500, closed_at=at(0, 19, 30), covers=3, table=tables[2])
    paid_check(world, gross=1000, closed_at=at(0, 13), covers=1, outlet=terrace)
    paid_check(world, gross=4000, closed_at=at(7, 19))
    paid_check(world, gross=9999, closed_at=at(7, 21))  # later in the day than now: not compared
    paid_check(world, gross=6000, closed_at=at(14, 11), table=tables[3])
    # Three weeks ago nothing was sold by this time.
    paid_check(world, gross=2000, closed_at=at(28, 6))
    paid_check(world, gross=7777, closed_at=at(28, 4))  # before 05:00: the night of the day before
    paid_check(world, gross=5555, closed_at=at(1, 19))  # yesterday: not the same weekday
    open_check(world, opened_at=NOW - datetime.timedelta(minutes=95), table=tables[0])
    open_check(world, opened_at=NOW - datetime.timedelta(minutes=10))
    # The hot station today: 1 to 10 minutes; the cold one 2 and 4 minutes.
    for minutes in range(1, 11):
        bumped(world, kitchen.hot, fired_at=at(0, 18), seconds=minutes * 60)
    bumped(world, kitchen.cold, fired_at=at(0, 18), seconds=120)
    bumped(world, kitchen.cold, fired_at=at(0, 18), seconds=240)
    bumped(world, kitchen.hot, fired_at=at(0, 19), seconds=None)  # still cooking
    bumped(world, kitchen.hot, fired_at=at(1, 18), seconds=3600)  # yesterday
    bumped(world, kitchen.expo, fired_at=at(0, 18), seconds=3600)  # the pass, not a station's speed
    world.salad.is_available = False
    world.salad.save()
    world.soup.remaining_qty = 3
    world.soup.save()
    return world


def test_sales_so_far_beside_the_same_weekday_of_the_last_four_weeks(a_day):
    sales = dashboard(outlet_id=a_day.outlet.pk, now=NOW)["sales"]

    assert sales["gross"] == 7500
    assert sales["checks"] == 2
    assert sales["covers"] == 5
    assert sales["average_check"] == 3750
    assert [week["date"] for week in sales["weeks"]] == [at(days, 0).date() for days in (7, 14, 21, 28)]
    assert [week["gross"] for week in sales["weeks"]] == [4000, 6000, 0, 2000]
    assert sales["weeks_average"] == 3000
    assert sales["change_percent"] == Decimal("150.0")


def test_the_house_adds_up_every_outlet(a_day, terrace):
    board = dashboard(outlet_id=None, now=NOW)
    assert board["sales"]["gross"] == 8500
    assert board["sales"]["checks"] == 3
    assert board["tables"]["tables"] == 7
    only_terrace = dashboard(outlet_id=terrace.pk, now=NOW)
    assert only_terrace["sales"]["gross"] == 1000
    assert only_terrace["open_checks"]["count"] == 0
    assert only_terrace["kitchen"] == []


def test_open_checks_oldest_first_with_their_age(a_day):
    checks = dashboard(outlet_id=a_day.outlet.pk, now=NOW)["open_checks"]
    assert checks["count"] == 2
    assert checks["oldest_minutes"] == 95
    assert [(check["where"], check["minutes"]) for check in checks["oldest"]] == [("1", 95), ("Bar 3", 10)]


def test_tables_seated_now_and_turned_today(a_day):
    tables = dashboard(outlet_id=a_day.outlet.pk, now=NOW)["tables"]
    # Table 1 is seated; tables 2 and 3 were settled today (table 4 two weeks ago).
    assert tables == {"tables": 6, "seated": 1, "turned": 2, "turns": Decimal("0.3")}


def test_kitchen_median_and_90th_percentile_per_station(a_day, kitchen):
    stations = dashboard(outlet_id=a_day.outlet.pk, now=NOW)["kitchen"]
    assert [(s["name"], s["tickets"], s["median_seconds"], s["p90_seconds"]) for s in stations] == [
        ("Hot", 10, 330, 540),
        ("Cold", 2, 180, 240),
    ]


def test_the_90th_percentile_is_the_nearest_rank():
    assert percentile_90([5]) == 5
    assert percentile_90([300, 100, 200]) == 300
    assert percentile_90(list(range(1, 21))) == 18


def test_the_86_list_sold_out_first_then_countdowns(a_day):
    items = dashboard(outlet_id=a_day.outlet.pk, now=NOW)["eighty_six"]
    assert [(item["name"], item["sold_out"], item["remaining"]) for item in items] == [
        ("Salad", True, None),
        ("Soup", False, 3),
    ]


def test_health_says_what_is_wrong_and_why(a_day):
    outlet = a_day.outlet
    Printer.objects.create(outlet=outlet, name="Kitchen", host="10.0.0.9", status=Printer.Status.OFFLINE)
    Printer.objects.create(
        outlet=outlet, name="Bar", host="10.0.0.8", status=Printer.Status.ONLINE, status_checked_at=NOW
    )
    Printer.objects.create(outlet=outlet, name="Spare", host="10.0.0.7", is_active=False)
    reader = CardReader.objects.create(outlet=outlet, label="Reader 1", stripe_id="tmr_1")
    CardReader.objects.create(outlet=outlet, label="Reader 2", stripe_id="tmr_2")
    card = Tender.objects.create(name="Card", kind=Tender.Kind.CARD)
    check = open_check(a_day, opened_at=NOW)
    payment = Payment.objects.create(guest_check=check, tender=card, amount=1000, reader=reader, by=a_day.waiter)
    Payment.objects.filter(pk=payment.pk).update(created_at=NOW - datetime.timedelta(minutes=5))
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="printing.tasks.deliver",
        queue_name="printing",
        backend_name="default",
        run_after=get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=NOW - datetime.timedelta(seconds=75))

    board = dashboard(outlet_id=outlet.pk, now=NOW)

    lights = {(entry["kind"], entry["name"]): (entry["level"], entry["why"]) for entry in board["health"]}
    assert lights == {
        ("printer", "Bar"): ("green", "Online"),
        ("printer", "Kitchen"): ("red", "Offline"),
        ("reader", "Reader 1"): ("red", "1 payment got no answer"),
        ("reader", "Reader 2"): ("green", "No payment yet"),
        ("workers", "Workers"): ("red", "1 task waiting, the oldest 75 s: is a worker running?"),
    }
    assert board["health_level"] == "red"


def test_a_quiet_house_is_green(world):
    board = dashboard(outlet_id=None, now=NOW)
    assert board["health"] == [{"kind": "workers", "name": "Workers", "level": "green", "why": "No task waiting"}]
    assert board["health_level"] == "green"
    assert board["sales"]["change_percent"] is None


def test_the_query_count_does_not_grow_with_the_day(a_day, django_assert_num_queries):
    with django_assert_num_queries(10):
        dashboard(outlet_id=a_day.outlet.pk, now=NOW)
    for minutes in range(5):
        paid_check(a_day, gross=100, closed_at=at(0, 15, minutes))
        bumped(a_day, Station.objects.get(code="cold"), fired_at=at(0, 15), seconds=60)
        open_check(a_day, opened_at=NOW)
    with django_assert_num_queries(10):
        dashboard(outlet_id=None, now=NOW)


# ---- the page ----------------------------------------------------------------------------


@pytest.fixture
def tuesday_evening(monkeypatch):
    """The dashboard's clock (only its own) stands at NOW."""
    monkeypatch.setattr(dashboard_selectors, "timezone", SimpleNamespace(now=lambda: NOW))


def test_the_page_shows_the_figures_in_dutch(client, a_day, tuesday_evening):
    client.force_login(a_day.manager)
    page = client.get(f"/manager/?outlet={a_day.outlet.pk}", HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Omzet tot nu toe vandaag" in page
    assert '<p class="dash-figure" data-field="gross">€\u00a075,00</p>' in page
    assert "+150,0% ten opzichte van het gemiddelde van de afgelopen vier weken (€\u00a030,00)" in page
    assert '<tr data-week="1"><th scope="row">di 3 mrt</th>' in page
    assert '<dd data-field="average-check">€\u00a037,50</dd>' in page
    assert '<dd data-field="turns">0,3</dd>' in page
    assert '<td class="num" data-field="median">5:30</td><td class="num" data-field="p90">9:00</td>' in page
    assert "nog 3" in page
    assert "dinsdag 10 maart, cijfers van 20:00" in page


def test_the_page_in_english(client, a_day, tuesday_evening):
    client.force_login(a_day.manager)
    page = client.get(f"/manager/?outlet={a_day.outlet.pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<p class="dash-figure" data-field="gross">€75.00</p>' in page
    assert "+150.0% against the average of the last four weeks (€30.00) by this time" in page
    assert '<tr data-week="1"><th scope="row">Tue 3 Mar</th>' in page


def test_the_live_part_alone_for_the_script(client, a_day):
    client.force_login(a_day.manager)
    response = client.get(f"/manager/?outlet={a_day.outlet.pk}&part=live")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="dashboard__grid"' in page
    assert "manager-nav" not in page
    assert "<html" not in page


@pytest.mark.parametrize("outlet", ["abc", "999999", "-1"])
def test_an_unknown_outlet_is_a_404_naming_it(client, world, outlet):
    client.force_login(world.manager)
    response = client.get(f"/manager/?outlet={outlet}")
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.WAITER, Role.BARTENDER, Role.KITCHEN, Role.CASHIER, Role.FRONT_DESK])
@pytest.mark.parametrize("url", ["/manager/", "/manager/?part=live"])
def test_only_a_manager_sees_the_dashboard(client, world, role, url):
    client.force_login(StaffFactory(role=role))
    assert client.get(url).status_code == 403


def test_signed_out_the_live_part_goes_to_sign_in(client, world):
    response = client.get("/manager/?part=live")
    assert response.status_code == 302
    assert "/manager/" in response["Location"]


def test_a_change_in_percent_carries_its_sign_in_the_pages_language():
    from django.utils import translation

    from backoffice.templatetags.dashboard_figures import minutes_seconds, signed_percent

    with translation.override("nl"):
        assert signed_percent(Decimal("12.5")) == "+12,5"
        assert signed_percent(Decimal("-3")) == "-3,0"
    with translation.override("en"):
        assert signed_percent(Decimal("0")) == "0.0"
    assert minutes_seconds(605) == "10:05"
