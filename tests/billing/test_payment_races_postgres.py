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
