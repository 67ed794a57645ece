"""Kitchen times per station over a period: from the tickets' own times, late ones counted, two queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kitchen.models import Ticket
from kitchen.range_reports import ticket_times
from tests.billing.conftest import dinner
from tests.factories import ItemFactory


def test_average_longest_and_late_per_station(world, kitchen):
    stew = ItemFactory(category=world.steak.category, name="Stew", price=1800, tax_rate=world.steak.tax_rate)
    for table in range(3):
        dinner(world, table=table, waiter=world.waiter, covers=2, lines=[(world.salad, 1, 1), (stew, 1, 1)])
    tickets = list(Ticket.objects.filter(kind=Ticket.Kind.ORDER).order_by("pk"))  # the mains held: fired below
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    minutes = {}
    for n, ticket in enumerate(tickets):
        took = 4 + 5 * n  # 4, 9, 14, ... minutes
        Ticket.objects.filter(pk=ticket.pk).update(
            fired_at=start, ready_at=start + datetime.timedelta(minutes=took), status=Ticket.Status.READY
        )
        minutes.setdefault(ticket.station.name, []).append(took)
    assert set(minutes) == {"Hot", "Cold"}

    with CaptureQueriesContext(connection) as queries:
        report = ticket_times(first=start - datetime.timedelta(hours=1), after=start + datetime.timedelta(hours=2))
    assert len(queries) == 2
    rows = {r["station"]: r for r in report["rows"]}
    for station, took in minutes.items():
        late_after = tickets[0].station.__class__.objects.get(name=station).late_after_minutes
        assert rows[station]["tickets"] == len(took)
        assert rows[station]["average_minutes"] == f"{sum(took) / len(took):.1f}"
        assert rows[station]["longest_minutes"] == f"{max(took):.1f}"
        assert rows[station]["late"] == sum(1 for t in took if t > late_after)
    assert [r["station"] for r in report["rows"]] == ["Hot", "Cold"]  # the stations' own order

    # Fired before the period: not in it.
    later = ticket_times(first=start + datetime.timedelta(minutes=1), after=start + datetime.timedelta(hours=2))
    assert later["rows"] == []
