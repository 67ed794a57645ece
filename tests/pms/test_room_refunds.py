"""A room charge refunded: a negative posting to the same guest's folio, through the same outbox and adapter."""

import pytest
from django.core.exceptions import ValidationError

from billing import cashier_selectors, services
from billing.models import CheckItem, Payment, Refund
from pms_integration import services as pms_services
from pms_integration.models import FolioEntry, Posting
from tests.billing.test_checks import first_check, table_for_four
from tests.pms.opera_cloud_server import billing_charges_errors
from tests.pms.test_fias_link import eventually, settled
from tests.pms.test_opera_cloud import opera, sent_bodies  # noqa: F401 - the OPERA server fixture

APPROVED = {"approver_pin": "9999"}


def salad_of(check, world):
    return CheckItem.objects.get(guest_check=check, line__item=world.salad, line__seat=2)


def refund_salad(payment, check, world):
    return services.refund_payment(
        payment=payment,
        lines=[{"item": salad_of(check, world).pk, "qty": 1}],
        reason="Wilted salad",
        by=world.manager,
        approver_id=world.manager.pk,
        **APPROVED,
    )


def test_on_the_ledger_the_refund_is_a_negative_charge_on_the_same_folio(world, hotel):
    check = first_check(table_for_four(world), world)
    payment = services.charge_to_room(
        check=check, room=hotel.daniel.room.number, guest_id=str(hotel.daniel.pk), by=world.waiter
    )
    refund = refund_salad(payment, check, world)

    assert refund.state == Refund.State.SUCCEEDED
    posting = refund.posting
    assert (posting.room, posting.guest_id, posting.amount, posting.state) == (
        "214",
        str(hotel.daniel.pk),
        -950,
        Posting.State.POSTED,
    )
    assert posting.check_number == payment.posting.check_number
    assert list(FolioEntry.objects.filter(stay=hotel.daniel).order_by("pk").values_list("amount", flat=True)) == [
        payment.posting.amount,
        -950,
    ]
    assert Payment.objects.get(pk=payment.pk).refunded == 950
    # Asked again with the same line: the line was refunded already, nothing more is posted.
    with pytest.raises(ValidationError) as refused:
        refund_salad(payment, check, world)
    assert "lines" in refused.value.message_dict
    assert Posting.objects.count() == 2


def test_a_refund_the_hotel_refuses_gives_nothing_back_and_the_line_can_be_refunded_again(world, hotel):
    check = first_check(table_for_four(world), world)
    payment = services.charge_to_room(
        check=check, room=hotel.daniel.room.number, guest_id=str(hotel.daniel.pk), by=world.waiter
    )
    pms_services.check_out_guest(stay=hotel.daniel, by=hotel.front_desk)

    refund = refund_salad(payment, check, world)

    assert refund.state == Refund.State.FAILED
    assert refund.posting.state == Posting.State.REJECTED
    assert Payment.objects.get(pk=payment.pk).refunded == 0
    assert list(FolioEntry.objects.filter(stay=hotel.daniel).values_list("amount", flat=True)) == [
        payment.posting.amount
    ]
    # A failed refund gave nothing back: the line is still refundable (here, once the folio takes it).
    assert (
        services.refund_payment(
            payment=payment, amount=100, reason="Goodwill", by=world.manager, approver_id=world.manager.pk, **APPROVED
        ).state
        == Refund.State.FAILED
    )
    with pytest.raises(ValidationError) as too_many:
        services.refund_payment(
            payment=payment,
            lines=[{"item": salad_of(check, world).pk, "qty": 2}],
            reason="Two",
            by=world.manager,
            approver_id=world.manager.pk,
            **APPROVED,
        )
    assert "at most 1 more" in too_many.value.message_dict["lines"][0]


@pytest.mark.django_db(transaction=True)
def test_through_fias_the_refund_goes_out_as_a_posting_with_a_negative_total(world, fias, pms):
    check = first_check(table_for_four(world), world)
    payment = settled(services.charge_to_room(check=check, room="214", guest_id="5001", by=world.waiter).pk)
    assert payment.state == Payment.State.CAPTURED

    refund = refund_salad(payment, check, world)
    assert refund.state == Refund.State.PENDING  # the link process posts it
    refund = eventually(
        lambda: (r := Refund.objects.get(pk=refund.pk)).state != Refund.State.PENDING and r, message="refund answered"
    )
    assert refund.state == Refund.State.SUCCEEDED
    charge_fields, refund_fields = pms.accepted
    assert refund_fields["RN"] == "214" and refund_fields["G#"] == "5001"
    assert int(refund_fields["TA"]) == -950 and int(refund_fields["S1"]) == -950
    assert refund_fields["TA"].startswith("-")  # the spec's minus sign leads the digits
    assert refund_fields["P#"] != charge_fields["P#"]


def test_through_opera_cloud_the_refund_posts_a_negative_charge_the_server_accepts(world, opera):  # noqa: F811
    check = first_check(table_for_four(world), world)
    payment = services.charge_to_room(check=check, room="214", guest_id="81001", by=world.waiter)
    # Until the worker has posted it, the cashier's list says the check waits for the hotel.
    (row,) = cashier_selectors.open_checks(outlet_id=world.outlet.pk)
    assert row["waiting_for_hotel"] and not row["card_under_way"]
    pms_services.deliver_posting(posting_id=payment.posting_id)
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.state == Payment.State.CAPTURED

    refund = refund_salad(payment, check, world)
    assert refund.state == Refund.State.PENDING  # a worker posts it
    posting = pms_services.deliver_posting(posting_id=refund.posting_id)
    assert posting.state == Posting.State.POSTED
    assert Refund.objects.get(pk=refund.pk).state == Refund.State.SUCCEEDED
    bodies = sent_bodies(opera)
    assert len(bodies) == 2 and billing_charges_errors(bodies[1]) == []  # csh.json takes the negative charge
    refund_charge = opera.posted[-1]
    assert refund_charge["price"]["amount"] == pytest.approx(-9.50)
    assert refund_charge["reservationId"] == "81001"
