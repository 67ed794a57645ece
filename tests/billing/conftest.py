"""A busy business day built through the real services, shared by the day report and Z tests.

Four tables: split checks, a void, a comp, line and check discounts, cash with
rounding and tips, vouchers, a refund, a pay-out and a pay-in, and one check left
open with a part payment.
"""

import uuid

import pytest

from billing import services
from billing.models import CashMovement, Check, CheckItem, DrawerSession, Tender
from orders.models import Item, OrderLine
from orders.services import LineRequest, add_lines, open_order, send_to_kitchen, void_line
from tests.billing.test_checks import wine_rate

APPROVAL = {"approver_pin": "9999"}


@pytest.fixture
def cash(world):
    """The cash tender, with the outlet's drawer opened on a 100.00 float."""
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    return Tender.objects.create(name="Cash", kind=Tender.Kind.CASH, sort_order=1)


@pytest.fixture
def voucher(db):
    return Tender.objects.create(name="Voucher", kind=Tender.Kind.OTHER, allows_tip=False, sort_order=2)


@pytest.fixture
def wine(world):
    return Item.objects.create(category=world.salad.category, name="Wine bottle", price=3500, tax_rate=wine_rate(world))


def dinner(world, *, table, waiter, covers, lines):
    """An order at `table` with `lines` (item, seat, qty), sent to the kitchen, its bill opened."""
    order, _ = open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=waiter, table=world.tables[table], covers=covers
    )
    add_lines(
        order=order,
        requests=[LineRequest(item_id=item.pk, seat=seat, qty=qty) for item, seat, qty in lines],
        by=waiter,
    )
    send_to_kitchen(order=order, by=waiter)
    services.open_bill(order=order, by=waiter)
    return order


def line_of(order, item, seat=None):
    lines = OrderLine.objects.filter(order=order, item=item)
    return lines.get(seat=seat) if seat is not None else lines.get()


def checks_of(order):
    return list(Check.objects.filter(order=order).order_by("number"))


def pay_cash_in_full(check, cash, waiter, tip=0):
    return services.pay_cash(check=check, tender=cash, cash_given=50000, tip=tip, by=waiter)


def pay_voucher_in_full(check, voucher, waiter):
    return services.pay_other(
        check=check, tender=voucher, amount=services.check_total(Check.objects.get(pk=check.pk)), by=waiter
    )


@pytest.fixture
def busy_day(world, cash, voucher, wine, settings):
    """Four tables: split checks, a void, a comp, line and check discounts, cash with rounding and tips,
    vouchers, a refund, a pay-out and a pay-in, and one check left open with a part payment."""
    settings.CASH_ROUNDING = 5
    anna, bram, mila = world.waiter, world.other_waiter, world.manager
    approval = {"approver_id": mila.pk, **APPROVAL}

    # A: Anna, 4 covers. A soup voided, a soup comped, 10% off two salads, the wine shared by three checks.
    a = dinner(
        world,
        table=0,
        waiter=anna,
        covers=4,
        lines=[(world.soup, 1, 1), (world.salad, 2, 1), (world.soup, 3, 1), (world.salad, 4, 2), (wine, 0, 1)],
    )
    void_line(line=line_of(a, world.soup, seat=3), by=anna, reason="Wrong table", **approval)
    a1 = checks_of(a)[0]
    services.comp_line(check=a1, line=line_of(a, world.soup, seat=1), by=anna, reason="Cold soup", **approval)
    services.give_discount(check=a1, line=line_of(a, world.salad, seat=4), by=anna, reason="Regulars", percent="10")
    services.share_item(item=CheckItem.objects.get(guest_check=a1, line__item=wine), ways=3, by=anna)
    a1, a2, a3 = checks_of(a)
    pay_cash_in_full(a1, cash, anna)
    pay_cash_in_full(a2, cash, anna, tip=100)
    pay_voucher_in_full(a3, voucher, anna)

    # B: Bram, 2 covers. 5.00 off the check; a voucher pays part, cash the rest with a tip; 3.00 refunded.
    b = dinner(world, table=1, waiter=bram, covers=2, lines=[(world.soup, 1, 1), (world.salad, 2, 1), (wine, 0, 1)])
    (b1,) = checks_of(b)
    services.give_discount(check=b1, by=bram, reason="Birthday", amount=500)
    services.pay_other(check=b1, tender=voucher, amount=2000, by=bram, reference="V-1")
    cash_b = pay_cash_in_full(b1, cash, bram, tip=200)
    services.refund_payment(payment=cash_b, amount=300, reason="Overcharged", by=bram, **approval)

    # C: Anna, 3 covers. 20% off (a manager approves), split evenly in two, both on vouchers.
    c = dinner(world, table=2, waiter=anna, covers=3, lines=[(world.soup, 1, 1), (world.salad, 2, 2)])
    services.give_discount(check=checks_of(c)[0], by=anna, reason="Complaint", percent="20", **approval)
    for check in services.split_check_evenly(check=checks_of(c)[0], ways=2, by=anna):
        pay_voucher_in_full(check, voucher, anna)

    # D: Bram, 2 covers. 10% off the wine, shared by two checks: one paid, the other part-paid and still open.
    d = dinner(world, table=3, waiter=bram, covers=2, lines=[(world.soup, 1, 1), (wine, 0, 1)])
    services.give_discount(check=checks_of(d)[0], line=line_of(d, wine), by=bram, reason="Corked", percent="10")
    services.share_item(item=CheckItem.objects.get(guest_check=checks_of(d)[0], line__item=wine), ways=2, by=bram)
    d1, d2 = checks_of(d)
    pay_voucher_in_full(d2, voucher, bram)
    services.pay_cash(check=d1, tender=cash, amount=1000, cash_given=1000, by=bram)

    drawer = DrawerSession.objects.get(closed_at__isnull=True)
    services.record_cash_movement(
        session=drawer, kind=CashMovement.Kind.PAY_OUT, amount=1000, reason="Flowers", by=mila
    )
    services.record_cash_movement(session=drawer, kind=CashMovement.Kind.PAY_IN, amount=500, reason="Coins", by=mila)
    return {"a": a, "b": b, "c": c, "d": d, "open_check": d1, "drawer": drawer}
