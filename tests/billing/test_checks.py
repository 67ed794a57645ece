"""Checks through the services, on the real database: splits, discounts, comps, cash, closing."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing import services
from billing.models import Check, CheckItem, OutletBilling, Payment, Tender
from billing.selectors import order_bill
from orders.models import Order, OrderLine
from orders.services import LineRequest, add_lines, open_order, send_to_kitchen, void_line
from staff.models import AuditEntry


@pytest.fixture
def cash(world):
    """The cash tender, with the outlet's drawer opened on a 100.00 float."""
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    return Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)


@pytest.fixture
def voucher(db):
    return Tender.objects.create(name="Voucher", kind=Tender.Kind.OTHER, allows_tip=False)


def table_for_four(world, *, table=None):
    """Seats 1-4 each have a dish; seat 0 (the table) shares a bottle of wine at 21%."""
    order, _ = open_order(
        client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=table or world.tables[0], covers=4
    )
    wine = world.salad.__class__.objects.create(
        category=world.salad.category, name="Wine bottle", price=3500, tax_rate=wine_rate(world)
    )
    add_lines(
        order=order,
        requests=[
            LineRequest(item_id=world.soup.pk, seat=1),
            LineRequest(item_id=world.salad.pk, seat=2),
            LineRequest(item_id=world.soup.pk, seat=3),
            LineRequest(item_id=world.salad.pk, seat=4, qty=2),
            LineRequest(item_id=wine.pk, seat=0),
        ],
        by=world.waiter,
    )
    return order


def wine_rate(world):
    from orders.models import TaxRate

    return TaxRate.objects.get_or_create(name="High", percent=Decimal("21.00"))[0]


def bill(order):
    checks, totals = order_bill(order=Order.objects.get(pk=order.pk))
    return checks, totals


def first_check(order, world):
    services.open_bill(order=order, by=world.waiter)
    return Check.objects.get(order=order, number=1)


def test_every_line_is_on_exactly_one_check_from_the_first_look(world):
    order = table_for_four(world)
    check = first_check(order, world)
    checks, totals = bill(order)
    assert [c.number for c in checks] == [1]
    assert totals[check.pk].total == 750 + 950 + 750 + 1900 + 3500
    assert CheckItem.objects.filter(guest_check=check).count() == 5


def test_split_by_seat_gives_one_check_per_seat_and_keeps_shared_items(world):
    order = table_for_four(world)
    check = first_check(order, world)
    checks = services.split_check_by_seat(check=check, by=world.waiter)
    _, totals = bill(order)
    assert [c.label for c in checks] == ["Table", "Seat 1", "Seat 2", "Seat 3", "Seat 4"]
    assert [totals[c.pk].total for c in checks] == [3500, 750, 950, 750, 1900]


def test_the_bottle_shared_by_three_checks_adds_up_to_the_cent(world):
    order = table_for_four(world)
    check = first_check(order, world)
    checks = services.split_check_by_seat(check=check, by=world.waiter)
    wine_item = CheckItem.objects.get(guest_check=checks[0])
    services.share_item(item=wine_item, ways=3, by=world.waiter, checks=checks[1:3])
    # The table check keeps a third; seats 1 and 2 take a third each.
    _, totals = bill(order)
    wine = [s.amount for c in checks for s in totals[c.pk].shares if s.amount in (1166, 1167)]
    assert sorted(wine) == [1166, 1167, 1167]
    assert totals[checks[3].pk].total == 750 and totals[checks[4].pk].total == 1900
    assert sum(totals[c.pk].total for c in checks) == 750 + 950 + 750 + 1900 + 3500
    wine_items = CheckItem.objects.filter(line__name="Wine bottle")
    assert sum(i.shares for i in wine_items) == wine_items[0].of_shares == 3


def test_even_split_then_merge_back_restores_one_whole_check(world):
    order = table_for_four(world)
    check = first_check(order, world)
    whole = bill(order)[1][check.pk].total
    checks = services.split_check_evenly(check=check, ways=3, by=world.waiter)
    _, totals = bill(order)
    parts = [totals[c.pk].total for c in checks]
    assert sum(parts) == whole
    assert max(parts) - min(parts) <= 1
    for other in checks[1:]:
        services.merge_checks(source=other, target=check, by=world.waiter)
    _, totals = bill(order)
    assert totals[check.pk].total == whole
    assert set(CheckItem.objects.filter(line__order=order).values_list("shares", "of_shares")) == {(1, 1)}
    assert Check.objects.get(pk=checks[1].pk).status == Check.Status.MERGED


def test_move_items_between_checks_and_part_of_a_line(world):
    order = table_for_four(world)
    check = first_check(order, world)
    salads = CheckItem.objects.get(guest_check=check, line__qty=2)
    soup = CheckItem.objects.filter(guest_check=check, line__seat=1).get()
    new = services.move_items(check=check, moves=[(soup.pk, None)], by=world.waiter)
    assert CheckItem.objects.get(pk=soup.pk).guest_check_id == new.pk
    # Half of the two salads (one salad) joins the new check.
    services.share_item(item=salads, ways=2, by=world.waiter, checks=[new])
    _, totals = bill(order)
    assert totals[new.pk].total == 750 + 950
    with pytest.raises(ValidationError):
        services.move_items(check=check, moves=[(soup.pk, None)], by=world.waiter)


def test_percent_discount_follows_a_split_and_service_charge_for_eight(world):
    OutletBilling.objects.create(
        outlet=world.outlet, service_charge_percent=Decimal("12.5"), service_charge_min_covers=8
    )
    order = table_for_four(world)
    Order.objects.filter(pk=order.pk).update(covers=8)
    check = first_check(order, world)
    services.give_discount(check=check, by=world.waiter, reason="Regulars", percent="10")
    whole = bill(order)[1][check.pk]
    assert whole.check_discounts == 785  # 10% of 78.50
    assert whole.service_charge == round((7850 - 785) * 0.125)
    checks = services.split_check_evenly(check=check, ways=4, by=world.waiter)
    _, totals = bill(order)
    assert sum(totals[c.pk].total for c in checks) == whole.total
    assert sum(totals[c.pk].tax for c in checks) == whole.tax
    assert all(totals[c.pk].check_discounts for c in checks)


def test_big_discount_needs_a_manager_pin(world):
    order = table_for_four(world)
    check = first_check(order, world)
    with pytest.raises(ValidationError) as refused:
        services.give_discount(check=check, by=world.waiter, reason="Complaint", percent="50")
    assert "approver" in refused.value.message_dict
    discount = services.give_discount(
        check=check,
        by=world.waiter,
        reason="Complaint",
        percent="50",
        approver_id=world.manager.pk,
        approver_pin="9999",
    )
    assert discount.approval.approver == world.manager
    assert AuditEntry.objects.filter(action="discount_given", approval=discount.approval).exists()


def test_comp_keeps_the_line_at_zero_with_reason_and_approver(world):
    order = table_for_four(world)
    check = first_check(order, world)
    soup = OrderLine.objects.filter(order=order, seat=1).get()
    with pytest.raises(ValidationError):
        services.comp_line(check=check, line=soup, by=world.waiter, reason="Cold soup")
    comp = services.comp_line(
        check=check, line=soup, by=world.waiter, reason="Cold soup", approver_id=world.manager.pk, approver_pin="9999"
    )
    totals = bill(order)[1][check.pk]
    share = next(s for s in totals.shares if s.line == soup.pk)
    assert (share.amount, share.discount) == (750, 750)
    assert totals.total == 7850 - 750
    services.remove_discount(discount=comp, by=world.waiter)
    assert bill(order)[1][check.pk].total == 7850


def test_cash_pays_rounded_to_five_cents_gives_change_and_frees_the_table(world, cash, settings):
    settings.CASH_ROUNDING = 5
    order = table_for_four(world)
    check = first_check(order, world)
    services.give_discount(check=check, by=world.waiter, reason="Regulars", amount=2)  # 78.48
    payment = services.pay_cash(check=check, tender=cash, cash_given=10000, by=world.waiter)
    assert (payment.amount, payment.rounding, payment.change_due) == (7848, 2, 10000 - 7850)
    check.refresh_from_db()
    order.refresh_from_db()
    assert check.status == Check.Status.CLOSED
    assert order.status == Order.Status.CLOSED
    assert not Order.objects.filter(table=world.tables[0], status=Order.Status.OPEN).exists()


def test_two_tenders_on_one_check_and_no_over_collection(world, cash, voucher):
    order = table_for_four(world)
    check = first_check(order, world)
    services.pay_other(check=check, tender=voucher, amount=2500, by=world.waiter, reference="V-123")
    with pytest.raises(ValidationError):
        services.pay_other(check=check, tender=voucher, amount=7850, by=world.waiter)
    check.refresh_from_db()
    assert check.status == Check.Status.OPEN
    payment = services.pay_cash(check=check, tender=cash, cash_given=5350, by=world.waiter)
    assert payment.amount == 7850 - 2500 and payment.change_due == 0
    check.refresh_from_db()
    assert check.status == Check.Status.CLOSED
    with pytest.raises(ValidationError):
        services.pay_cash(check=check, tender=cash, cash_given=100, by=world.waiter)


def test_a_retried_payment_with_the_same_client_uuid_is_not_taken_twice(world, cash):
    order = table_for_four(world)
    check = first_check(order, world)
    key = uuid.uuid4()
    first = services.pay_cash(check=check, tender=cash, cash_given=2000, amount=1000, by=world.waiter, client_uuid=key)
    again = services.pay_cash(check=check, tender=cash, cash_given=2000, amount=1000, by=world.waiter, client_uuid=key)
    assert first.pk == again.pk
    assert Payment.objects.filter(guest_check=check).count() == 1


def test_a_paid_check_keeps_its_figures_and_its_items(world, cash, voucher):
    order = table_for_four(world)
    check = first_check(order, world)
    checks = services.split_check_by_seat(check=check, by=world.waiter)
    services.pay_other(check=checks[1], tender=voucher, amount=100, by=world.waiter)
    with pytest.raises(ValidationError):
        services.merge_checks(source=checks[1], target=checks[2], by=world.waiter)
    with pytest.raises(ValidationError):
        services.give_discount(check=checks[1], by=world.waiter, reason="late", percent="5")
    # Other checks still change freely; the paid one keeps its 7.50.
    services.give_discount(check=checks[2], by=world.waiter, reason="Regulars", percent="10")
    _, totals = bill(order)
    assert totals[checks[1].pk].total == 750
    assert totals[checks[2].pk].total == 855


def test_lines_added_after_a_split_land_on_the_first_open_check(world, cash):
    order = table_for_four(world)
    check = first_check(order, world)
    checks = services.split_check_by_seat(check=check, by=world.waiter)
    services.pay_cash(check=checks[0], tender=cash, cash_given=3500, by=world.waiter)
    add_lines(order=order, requests=[LineRequest(item_id=world.soup.pk, seat=2)], by=world.waiter)
    services.open_bill(order=order, by=world.waiter)
    new_line = OrderLine.objects.filter(order=order).latest("pk")
    assert new_line.check_items.get().guest_check_id == checks[1].pk


def test_a_voided_line_counts_zero_on_its_check(world):
    order = table_for_four(world)
    send_to_kitchen(order=order, by=world.waiter)
    check = first_check(order, world)
    soup = OrderLine.objects.filter(order=order, seat=1).get()
    void_line(line=soup, by=world.waiter, reason="Wrong table", approver_id=world.manager.pk, approver_pin="9999")
    assert bill(order)[1][check.pk].total == 7850 - 750


def test_the_bill_costs_the_same_queries_for_5_or_60_lines(world):
    small = table_for_four(world)
    services.open_bill(order=small, by=world.waiter)
    big = table_for_four(world, table=world.tables[1])
    add_lines(
        order=big, requests=[LineRequest(item_id=world.soup.pk, seat=n % 4 + 1) for n in range(55)], by=world.waiter
    )
    check = first_check(big, world)
    services.split_check_evenly(check=check, ways=7, by=world.waiter)
    counts = []
    for order in (small, big):
        order = Order.objects.select_related("outlet").get(pk=order.pk)
        order_bill(order=order)  # the outlet's billing settings are made on the first look
        with CaptureQueriesContext(connection) as queries:
            order_bill(order=order)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8
