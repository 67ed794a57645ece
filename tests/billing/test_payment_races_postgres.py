"""Payments racing on PostgreSQL: real threads, real connections, real row locks.

Two tablets taking money for the same check at the same moment must never collect
more than the check: the order row is locked, so the second sees the first's payment.
"""

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import Check, Payment, Tender
from tests import races
from tests.billing.test_checks import first_check, table_for_four

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(requires_postgres):
    """Row locks are what these tests are about; SQLite locks the whole file instead."""


@pytest.mark.parametrize("tablets", [2, 6])
def test_tablets_paying_one_check_at_once_never_over_collect(world, tablets, settings):
    settings.CASH_ROUNDING = 1
    services.open_drawer(outlet=world.outlet, opening_float=0, by=world.manager)
    voucher = Tender.objects.create(name="Voucher", kind=Tender.Kind.OTHER)
    cash = Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)
    order = table_for_four(world)
    check = first_check(order, world)  # 78.50

    def pay(index: int):
        if index % 2:
            return services.pay_cash(
                check=Check.objects.get(pk=check.pk), tender=cash, cash_given=10000, by=world.waiter
            )
        return services.pay_other(check=Check.objects.get(pk=check.pk), tender=voucher, amount=5000, by=world.waiter)

    results, errors = races.run_together(tablets, pay, name="tablet")
    assert all(e is None or isinstance(e, ValidationError) for e in errors), errors
    captured = Payment.objects.filter(guest_check=check, state=Payment.State.CAPTURED)
    assert sum(p.amount for p in captured) == 7850
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    assert any(r is not None for r in results)


def test_money_written_while_the_z_closes_is_in_the_z_or_in_the_next_day_never_lost(world):
    """Payments and the Z race: each payment's day is either the Z's (and then in its stored
    figures) or the next one. The Z waits for payments holding the day (FOR SHARE)."""
    from billing.models import BusinessDay
    from tests.billing.conftest import checks_of, dinner

    voucher = Tender.objects.create(name="Voucher", kind=Tender.Kind.OTHER)
    for extra in range(6):
        world.tables.append(world.tables[0].__class__.objects.create(area=world.area, number=f"R{extra}", seats=2))
    checks = [
        checks_of(dinner(world, table=n, waiter=world.waiter, covers=1, lines=[(world.soup, 1, 1)]))[0]
        for n in range(8)
    ]
    services.pay_other(check=checks[0], tender=voucher, amount=750, by=world.waiter)  # the day is open

    def work(index: int):
        if index == 0:
            return services.close_business_day(by=world.manager, carry_over_open_orders=True)
        return services.pay_other(check=checks[index], tender=voucher, amount=750, by=world.waiter)

    _results, errors = races.run_together(8, work, name="till")
    assert errors == [None] * 8, errors
    z = BusinessDay.objects.get(z_number=1)
    in_z = Payment.objects.filter(business_day=z, state=Payment.State.CAPTURED)
    assert z.report["reconciliation"]["tendered"] == sum(p.amount for p in in_z)
    assert z.report["sales"]["checks"] == in_z.count() == Check.objects.filter(business_day=z).count()
    later = Payment.objects.exclude(business_day=z)
    assert all(not p.business_day.is_closed for p in later)
    assert in_z.count() + later.count() == 8
