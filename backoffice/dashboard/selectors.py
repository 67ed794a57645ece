"""Everything the dashboard shows, in one read: per outlet, or for the house (outlet_id None)."""

import datetime
from typing import Any

from django.utils import timezone

from backoffice.dashboard.health import (
    AMBER,
    GREEN,
    RED,
    card_reader_health,
    pms_health,
    printer_health,
    worker_health,
)
from backoffice.dashboard.kitchen_speed import eighty_six_list, ticket_times
from backoffice.dashboard.sales import day_started_at, open_checks, sales_so_far, tables_turning

LEVELS = (GREEN, AMBER, RED)


def dashboard(*, outlet_id: int | None, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The dashboard's figures. Ten queries whatever the size of the day (pinned in a test)."""
    now = now or timezone.now()
    since = day_started_at(now)
    health = [
        *printer_health(outlet_id=outlet_id),
        *pms_health(),
        *card_reader_health(outlet_id=outlet_id, now=now),
        worker_health(now=now),
    ]
    return {
        "as_of": now,
        "day_started_at": since,
        "sales": sales_so_far(outlet_id=outlet_id, now=now),
        "open_checks": open_checks(outlet_id=outlet_id, now=now),
        "tables": tables_turning(outlet_id=outlet_id, now=now),
        "kitchen": ticket_times(outlet_id=outlet_id, since=since),
        "eighty_six": eighty_six_list(outlet_id=outlet_id),
        "health": health,
        # The worst light decides the summary at the top of the health card.
        "health_level": max((entry["level"] for entry in health), key=LEVELS.index, default=GREEN),
    }
