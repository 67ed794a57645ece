"""The cashier's work: refunds by line (cash, card), the open and closed checks lists, their API."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import cashier_selectors, printouts, services
from billing.models import CardReader, Check, CheckItem, Payment, Refund, RefundLine, Tender
from orders.models import Order
from orders.services import LineRequest, add_lines, open_order
from staff.models import Role
from tests.billing.stripe_server import StripeServer
from tests.billing.test_checks import first_check, table_for_four
from tests.factories import StaffFactory

APPROVAL = {"approver_pin": "9999"}


@pytest.fixture
def cash(world):
    """The cash tender, with the outlet's drawer open."""
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    return Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)


@pytest.fixture
def cashier(db):
    return StaffFactory(display_name="Carla", role=Role.CASHIER)


def approval(world):
    return {"approver_id": world.manager.pk, **APPROVAL}


def salads_paid_in_cash(world, cash, *, qty=3):
    """Table 2: three salads (9.50 each) paid in cash."""
    order, _ = open_order(client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[1])
    add_lines(order=order, requests=[LineRequest(item_id=world.salad.pk, qty=qty)], by=world.waiter)
    check = first_check(order, world)
    payment = services.pay_cash(check=check, tender=cash, cash_given=50000, by=world.waiter)
    return check, payment


def test_a_line_is_refunded_by_quantity_from_its_paid_amount_never_beyond_it(world, cash, cashier):
    check, payment = salads_paid_in_cash(world, cash)
    item = CheckItem.objects.get(guest_check=check)
    refund = services.refund_payment(
        payment=payment, lines=[{"item": item.pk, "qty": 1}], reason="Wilted", by=cashier, **approval(world)
    )
    assert refund.state == Refund.State.SUCCEEDED
    assert refund.amount == 950
    assert refund.drawer_session is not None  # the cash came out of the open drawer
    assert list(RefundLine.objects.filter(refund=refund).values_list("item_id", "qty", "amount")) == [(item.pk, 1, 950)]
    with pytest.raises(ValidationError) as refused:
        services.refund_payment(
            payment=payment, lines=[{"item": item.pk, "qty": 3}], reason="All", by=cashier, **approval(world)
        )
    assert "lines" in refused.value.message_dict
    assert "at most 2 more" in refused.value.message_dict["lines"][0]
    services.refund_payment(
        payment=payment, lines=[{"item": item.pk, "qty": 2}], reason="Rest", by=cashier, **approval(world)
    )
    assert Payment.objects.get(pk=payment.pk).refunded == 3 * 950
    assert sum(RefundLine.objects.filter(item=item).values_list("amount", flat=True)) == 3 * 950


def test_a_discounted_line_refunds_what_was_paid_and_its_parts_add_up(world, cash, cashier):
    order, _ = open_order(client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[1])
    add_lines(order=order, requests=[LineRequest(item_id=world.soup.pk, qty=3)], by=world.waiter)
    check = first_check(order, world)
    line = order.lines.get()
    services.give_discount(check=check, line=line, by=world.waiter, reason="Regulars", percent="10")
    payment = services.pay_cash(check=check, tender=cash, cash_given=50000, by=world.waiter)
    item = CheckItem.objects.get(guest_check=check)
    paid_for_line = item.frozen_amount - item.frozen_discount
    assert paid_for_line == 3 * 750 - 225
    amounts = [
        services.refund_payment(
            payment=payment, lines=[{"item": item.pk, "qty": 1}], reason=f"Soup {n}", by=cashier, **approval(world)
        ).amount
        for n in range(3)
    ]
    assert amounts == [675, 675, 675]
    assert sum(amounts) == paid_for_line


def test_a_refund_names_its_field_when_the_request_is_wrong(world, cash, cashier):
    check, payment = salads_paid_in_cash(world, cash)
    item = CheckItem.objects.get(guest_check=check)
    cases = [
        ({"amount": 100, "lines": [{"item": item.pk, "qty": 1}]}, "amount"),
        ({}, "amount"),
        ({"lines": [{"item": 999999, "qty": 1}]}, "lines"),
        ({"lines": [{"item": item.pk, "qty": 0}]}, "lines"),
    ]
    for body, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.refund_payment(payment=payment, reason="Test", by=cashier, **approval(world), **body)
        assert field in refused.value.message_dict, body
    assert not Refund.objects.exists()


def test_a_line_on_another_check_is_refused(world, cash, cashier):
    _check, payment = salads_paid_in_cash(world, cash)
    order = table_for_four(world, table=world.tables[2])
    services.pay_cash(check=first_check(order, world), tender=cash, cash_given=50000, by=world.waiter)
    foreign = CheckItem.objects.filter(guest_check__order=order).first()
    with pytest.raises(ValidationError) as refused:
        services.refund_payment(
            payment=payment, lines=[{"item": foreign.pk, "qty": 1}], reason="Wrong", by=cashier, **approval(world)
        )
    assert refused.value.message_dict["lines"] == ["A line is not on this check."]


def test_a_card_line_refund_goes_back_to_the_card_through_stripe(world, cashier, settings):
    with StripeServer(deliver="none") as server:
        settings.STRIPE_API_BASE, settings.STRIPE_SECRET_KEY = server.url, server.api_key
        Tender.objects.create(name="Card", kind=Tender.Kind.CARD)
        reader = CardReader.objects.create(outlet=world.outlet, label="R", stripe_id=server.add_reader())
        order, _ = open_order(client_uuid=uuid.uuid4(), outlet=world.outlet, waiter=world.waiter, table=world.tables[1])
        add_lines(order=order, requests=[LineRequest(item_id=world.salad.pk, qty=2)], by=world.waiter)
        check = first_check(order, world)
        payment = services.start_card_payment(check=check, reader=reader, by=world.waiter)
        # While the guest is at the reader, the cashier's list says the card is under way.
        (row,) = cashier_selectors.open_checks(outlet_id=world.outlet.pk)
        assert row["card_under_way"] and not row["part_paid"]
        server.present_card(reader.stripe_id)
        payment = services.settle_card_payment(payment=payment)
        assert cashier_selectors.open_checks(outlet_id=world.outlet.pk) == []
        item = CheckItem.objects.get(guest_check=check)
        refund = services.refund_payment(
            payment=payment, lines=[{"item": item.pk, "qty": 1}], reason="Wilted", by=cashier, **approval(world)
        )
        assert refund.state == Refund.State.SUCCEEDED
        assert server.refund(refund.provider_id)["amount"] == 950
        assert refund.drawer_session is None


def test_the_receipt_shows_the_refunds(world, cash, cashier):
    check, payment = salads_paid_in_cash(world, cash)
    item = CheckItem.objects.get(guest_check=check)
    services.refund_payment(
        payment=payment, lines=[{"item": item.pk, "qty": 1}], reason="Wilted salad", by=cashier, **approval(world)
    )
    text = printouts.receipt_as_text(check=Check.objects.get(pk=check.pk))
    assert "Refund Cash" in text
    assert "-9.50" in text
    assert "1x Salad" in text
    assert "Wilted salad" in text


# ---- the lists -------------------------------------------------------------------------------


def open_tables(world, count):
    orders = []
    for n in range(count):
        order, _ = open_order(
            client_uuid=uuid.uuid4(),
            outlet=world.outlet,
            waiter=world.waiter,
            kind=Order.Kind.BAR_TAB,
            tab_name=f"Tab {n}",
            covers=2,
        )
        add_lines(order=order, requests=[LineRequest(item_id=world.soup.pk, qty=n + 1)], by=world.waiter)
        orders.append(order)
    return orders


def test_open_checks_show_amounts_and_states_oldest_first(world, cash):
    first = table_for_four(world)
    check = first_check(first, world)
    Check.objects.filter(pk=check.pk).update(bill_printed_at=timezone.now())  # as print_bill marks it
    services.pay_cash(check=check, tender=cash, amount=1000, cash_given=1000, by=world.waiter)
    open_tables(world, 2)
    rows = cashier_selectors.open_checks(outlet_id=world.outlet.pk)
    assert [row["label"] for row in rows] == ["Table 1", "Tab 0", "Tab 1"]
    table = rows[0]
    assert table["total"] == 750 + 950 + 750 + 1900 + 3500
    assert table["paid"] == 1000 and table["due"] == table["total"] - 1000
    assert table["part_paid"] and table["bill_printed"]
    assert not table["waiting_for_hotel"] and not table["card_under_way"]
    # A tab whose bill was never opened: its lines count on the check they will go to.
    assert rows[1]["id"] is None and rows[1]["total"] == 750
    assert rows[2]["total"] == 1500 and not rows[2]["part_paid"]


def test_open_checks_read_in_a_fixed_number_of_queries(world, cash, django_assert_num_queries):
    def part_paid_table(table):
        check = first_check(table_for_four(world, table=table), world)
        services.pay_cash(check=check, tender=cash, amount=500, cash_given=500, by=world.waiter)

    part_paid_table(world.tables[0])
    open_tables(world, 1)
    # Orders, billing settings, checks, their discounts and payments, lines, their items, discounts, modifiers.
    with django_assert_num_queries(9):
        assert len(cashier_selectors.open_checks(outlet_id=world.outlet.pk)) == 2
    for table in world.tables[1:5]:
        part_paid_table(table)
    open_tables(world, 10)
    with django_assert_num_queries(9):
        assert len(cashier_selectors.open_checks(outlet_id=world.outlet.pk)) == 16


def test_closed_checks_are_found_by_number_table_or_amount(world, cash, cashier, django_assert_num_queries):
    check, payment = salads_paid_in_cash(world, cash)
    other = table_for_four(world, table=world.tables[3])
    services.pay_cash(check=first_check(other, world), tender=cash, cash_given=50000, by=world.waiter)
    item = CheckItem.objects.get(guest_check=check)
    services.refund_payment(
        payment=payment, lines=[{"item": item.pk, "qty": 1}], reason="Wilted", by=cashier, **approval(world)
    )
    # Checks, their payments, the payments' refunds, the refunds' lines, the checks' items.
    with django_assert_num_queries(5):
        everything = cashier_selectors.closed_checks(outlet_id=world.outlet.pk)
    assert {row["id"] for row in everything} == {check.pk, Check.objects.get(order=other).pk}
    assert "99" not in {str(check.order_id), str(other.pk)}
    assert cashier_selectors.closed_checks(outlet_id=world.outlet.pk, search="99") == []
    other_check = Check.objects.get(order=other)
    by_table = cashier_selectors.closed_checks(outlet_id=world.outlet.pk, search=world.tables[3].number)
    assert [row["id"] for row in by_table] == [other_check.pk]
    by_number = cashier_selectors.closed_checks(outlet_id=world.outlet.pk, search=f"{check.order_id}-1")
    assert [row["id"] for row in by_number] == [check.pk]
    by_amount = cashier_selectors.closed_checks(outlet_id=world.outlet.pk, amount=3 * 950)
    assert [row["id"] for row in by_amount] == [check.pk]
    assert cashier_selectors.closed_checks(outlet_id=world.outlet.pk, amount=1) == []
    row = by_amount[0]
    assert row["payments"][0]["refundable"] == 3 * 950 - 950
    assert row["refunds"][0]["lines"] == [{"name": "Salad", "qty": 1, "amount": 950}]
    assert row["items"] == [{"id": item.pk, "name": "Salad", "units": 3, "refunded": 1, "amount": 3 * 950}]
    # The query count does not grow with the checks.
    for table in world.tables[4:6]:
        more = table_for_four(world, table=table)
        services.pay_cash(check=first_check(more, world), tender=cash, cash_given=50000, by=world.waiter)
    with django_assert_num_queries(5):
        assert len(cashier_selectors.closed_checks(outlet_id=world.outlet.pk)) == 4


# ---- the API ---------------------------------------------------------------------------------


def test_the_cashier_lists_checks_and_refunds_lines_over_the_api(world, cash, cashier, client):
    check, payment = salads_paid_in_cash(world, cash)
    item = CheckItem.objects.get(guest_check=check)
    client.force_login(cashier)
    listed = client.get(f"/api/billing/outlets/{world.outlet.pk}/closed-checks/", {"amount": 3 * 950})
    assert listed.status_code == 200 and [row["id"] for row in listed.json()] == [check.pk]
    bad = client.get(f"/api/billing/outlets/{world.outlet.pk}/closed-checks/", {"amount": "lots"})
    assert bad.status_code == 400 and "amount" in bad.json()
    url = f"/api/billing/payments/{payment.pk}/refunds/"
    body = {
        "lines": [{"item": item.pk, "qty": 1}],
        "reason": "Wilted",
        "approver": world.manager.pk,
        "approver_pin": "9999",
    }
    answer = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert answer.status_code == 200, answer.content
    assert answer.json()["amount"] == 950
    both = client.post(
        url, {**body, "amount": 100}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert both.status_code == 400 and "amount" in both.json()
    too_many = client.post(
        url,
        {**body, "lines": [{"item": item.pk, "qty": 5}]},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert too_many.status_code == 400 and "lines" in too_many.json()
    opened = client.get(f"/api/billing/outlets/{world.outlet.pk}/open-checks/")
    assert opened.status_code == 200 and opened.json() == []
    assert client.get("/api/billing/outlets/999999/open-checks/").status_code == 404
