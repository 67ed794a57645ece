"""Charge to room on the built-in ledger: flow 6 from the check to the guest's folio."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import Check, OutletBilling, Payment
from billing.revenue_splits import revenue_splits
from billing.services.payments import _freeze as freeze_check
from orders.models import Order
from pms_integration import services as pms_services
from pms_integration.interfaces import ChargeRequest, RevenueSplit
from pms_integration.models import FolioEntry, Posting
from printing.models import Printer
from staff.models import AuditEntry
from tests.billing.test_checks import first_check, table_for_four

TOTAL = 750 + 950 + 750 + 1900 + 3500  # table_for_four: soup, salad, soup, 2 salads, wine


def charge(hotel, check, world, guest, **kwargs):
    return services.charge_to_room(
        check=check, room=guest.room.number, guest_id=str(guest.pk), by=world.waiter, **kwargs
    )


def test_room_214_shows_both_sharers_and_a_name_search_finds_one(world, hotel):
    check = first_check(table_for_four(world), world)
    guests = services.find_room_guests(check=check, room="214", by=world.waiter)
    assert [(g.room, g.name) for g in guests] == [("214", "Mr. Daniel Okafor"), ("214", "Mrs. Grace Okafor")]
    assert guests[1].credit_left == 15000
    by_name = services.find_room_guests(check=check, name="tanaka", by=world.waiter)
    assert [(g.room, g.allow_postings) for g in by_name] == [("108", False)]
    # A checked-out guest is not in house.
    assert services.find_room_guests(check=check, room="102", by=world.waiter) == []


def test_a_room_charge_posts_to_the_folio_with_the_tip_and_frees_the_table(world, hotel):
    order = table_for_four(world)
    check = first_check(order, world)
    payment = charge(hotel, check, world, hotel.daniel, tip=500)

    assert payment.state == Payment.State.CAPTURED
    assert payment.tip == 500 and payment.amount == TOTAL
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    assert Order.objects.get(pk=order.pk).status == Order.Status.CLOSED
    posting = Posting.objects.get()
    assert payment.posting_id == posting.pk
    assert posting.state == Posting.State.POSTED
    assert (posting.room, posting.guest_id, posting.amount, posting.tip) == (
        "214",
        str(hotel.daniel.pk),
        TOTAL + 500,
        500,
    )
    assert list(posting.changes.values_list("from_state", "to_state")) == [
        ("", "queued"),
        ("queued", "sent"),
        ("sent", "posted"),
    ]
    entry = FolioEntry.objects.get()
    assert (entry.stay, entry.amount, entry.posting) == (hotel.daniel, TOTAL + 500, posting)
    # The folio gets the revenue by category and rate; the parts add up to what was posted.
    parts = sum(r["amount"] - r["discount"] for r in posting.revenue) + posting.service_charge + posting.tip
    assert parts == posting.amount
    assert [(r["category"], r["tax_percent"], r["amount"]) for r in posting.revenue] == [
        ("Starters", "9.00", 750 + 950 + 750 + 1900),
        ("Starters", "21.00", 3500),
    ]
    assert "Wine bottle" in posting.check_text


def test_the_same_tap_twice_posts_once(world, hotel):
    check = first_check(table_for_four(world), world)
    key = uuid.uuid4()
    first = charge(hotel, check, world, hotel.daniel, client_uuid=key)
    again = charge(hotel, check, world, hotel.daniel, client_uuid=key)
    assert first.pk == again.pk
    assert Posting.objects.count() == 1 and FolioEntry.objects.count() == 1


def test_a_checked_out_guest_is_refused_and_nothing_is_left_behind(world, hotel):
    check = first_check(table_for_four(world), world)
    with pytest.raises(ValidationError) as refused:
        charge(hotel, check, world, hotel.thomas)
    assert "not in house" in str(refused.value.message_dict["guest"])
    assert "override" not in refused.value.message_dict
    assert not Payment.objects.exists() and not Posting.objects.exists()
    assert Check.objects.get(pk=check.pk).status == Check.Status.OPEN


def test_a_no_post_guest_needs_a_manager_and_the_override_is_sent_and_audited(world, hotel):
    check = first_check(table_for_four(world), world)
    with pytest.raises(ValidationError) as refused:
        charge(hotel, check, world, hotel.yuki)
    assert refused.value.message_dict["override"] == ["NP"]
    with pytest.raises(ValidationError):  # a waiter's own PIN is no manager's
        charge(hotel, check, world, hotel.yuki, approver_id=world.waiter.pk, approver_pin="1234")
    assert not Posting.objects.exists()

    payment = charge(hotel, check, world, hotel.yuki, approver_id=world.manager.pk, approver_pin="9999")
    assert payment.state == Payment.State.CAPTURED
    assert payment.posting.credit_override is True
    assert AuditEntry.objects.filter(action="room_charge_override", approval__approver=world.manager).count() == 1
    assert FolioEntry.objects.get().stay == hotel.yuki


def test_over_the_credit_limit_is_refused_unless_a_manager_allows_it(world, hotel):
    check = first_check(table_for_four(world), world)
    # Grace may run up 150.00; the check is 78.50, so a 50.00 part fits and the rest does not.
    first = charge(hotel, check, world, hotel.grace, amount=5000)
    assert first.state == Payment.State.CAPTURED
    with pytest.raises(ValidationError) as refused:
        charge(hotel, check, world, hotel.grace, tip=10000)
    assert refused.value.message_dict["override"] == ["CO"]
    assert "100.00 left" in refused.value.message_dict["guest"][0]
    second = charge(hotel, check, world, hotel.grace, tip=10000, approver_id=world.manager.pk, approver_pin="9999")
    assert second.state == Payment.State.CAPTURED
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    assert sum(FolioEntry.objects.filter(stay=hotel.grace).values_list("amount", flat=True)) == TOTAL + 10000


def test_a_part_of_the_check_posts_parts_that_add_up(world, hotel):
    check = first_check(table_for_four(world), world)
    payment = charge(hotel, check, world, hotel.daniel, amount=3333, tip=0)
    posting = payment.posting
    assert posting.amount == 3333
    assert sum(r["amount"] - r["discount"] for r in posting.revenue) + posting.service_charge == 3333
    assert Check.objects.get(pk=check.pk).status == Check.Status.OPEN


def test_revenue_splits_add_up_with_discounts_and_service_charge(world, hotel):
    order = table_for_four(world)
    check = first_check(order, world)
    services.give_discount(check=check, percent="10", reason="regulars", by=world.manager)
    services.set_service_charge(check=check, percent="12.5", by=world.manager)
    # Printing the bill needs a receipt printer (the job is only queued here).
    kassa = Printer.objects.create(outlet=world.outlet, name="Kassa", host="127.0.0.1")
    OutletBilling.objects.update_or_create(outlet=world.outlet, defaults={"receipt_printer": kassa})
    services.print_bill(check=check, by=world.waiter)
    # What a payment does first: freeze the figures the folio will get.
    freeze_check(check, Order.objects.get(pk=order.pk))
    check.refresh_from_db()
    total = services.check_total(check)
    for amount in (total, 1, 17, total // 3, total - 1):
        splits, service = revenue_splits(check=check, amount=amount)
        assert sum(s.amount - s.discount for s in splits) + service == amount
        assert all(s.amount >= s.discount >= 0 for s in splits)


def test_the_guest_checked_out_after_the_queue_took_the_charge_is_rejected_on_posting(world, hotel):
    # The ledger looks the guest up again under a lock when it posts.
    posting = pms_services.request_posting(
        posting_outlet=hotel.setup,
        charge=ChargeRequest(
            key="k1",
            room="214",
            guest_id=str(hotel.daniel.pk),
            guest_name="Daniel",
            amount=1000,
            tip=0,
            service_charge=0,
            revenue=(RevenueSplit(category="Food", tax_percent=Decimal("9.00"), amount=1000, tax=83),),
            taxes_included=True,
            check_number=1,
            business_date=hotel.daniel.arrival,
        ),
        offline=True,
        by=world.waiter,
    )
    pms_services.check_out_guest(stay=hotel.daniel, by=hotel.front_desk)
    posting = pms_services.deliver_posting(posting_id=posting.pk)
    assert (posting.state, posting.answer_code) == (Posting.State.REJECTED, "NG")
    assert not FolioEntry.objects.exists()
