"""Z numbers under concurrency on PostgreSQL: managers pressing the Z at once get one Z, numbered in order.

The day row is locked FOR UPDATE by `close_business_day`: the first press closes the
day, every other one finds it closed (or no day open) and is refused; the number is
never taken twice and never skipped.
"""

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import BusinessDay, Tender
from tests import races
from tests.billing.conftest import checks_of, dinner

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(requires_postgres):
    """Row locks are what these tests are about; SQLite locks the whole file instead."""


def a_sale(world, voucher, table: int) -> None:
    check = checks_of(dinner(world, table=table, waiter=world.waiter, covers=1, lines=[(world.soup, 1, 1)]))[0]
    services.pay_other(check=check, tender=voucher, amount=750, by=world.waiter)


@pytest.mark.parametrize("managers", [2, 5])
def test_managers_pressing_the_z_at_once_close_the_day_once_and_the_numbers_follow(world, managers):
    voucher = Tender.objects.create(name="Voucher", kind=Tender.Kind.OTHER)
    for day_index in range(2):
        a_sale(world, voucher, table=day_index)
        results, errors = races.run_together(
            managers, lambda _index: services.close_business_day(by=world.manager), name="manager"
        )
        closed = [r for r in results if r is not None]
        assert len(closed) == 1, (results, errors)
        assert all(e is None or isinstance(e, ValidationError) for e in errors), errors
        assert closed[0].z_number == day_index + 1
    days = list(
        BusinessDay.objects.order_by("date").values_list("z_number", "report__z_number", "report__sales__checks")
    )
    assert days == [(1, 1, 1), (2, 2, 1)]
