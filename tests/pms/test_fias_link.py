"""Room charges over FIAS, end to end: billing -> outbox -> our link process -> TCP -> the PMS simulator.

The simulator (tests/pms/fias_simulator.py) is written from the spec and strict: it
ignores data before the link start, a posting without an inquiry, refuses totals that
do not add up. What it `accepted` is what reached the folios: the fault cases assert
there that nothing was lost and nothing was posted twice.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import services
from billing.models import Check, Payment
from pms_integration import selectors
from pms_integration import services as pms_services
from pms_integration.fias.link import FiasLink
from pms_integration.models import GuestInquiry, LinkState, Posting, SequenceCounter
from tests.billing.test_checks import first_check, table_for_four

TOTAL = 750 + 950 + 750 + 1900 + 3500  # table_for_four: soup, salad, soup, 2 salads, wine
WAIT = 8.0


def eventually(condition, timeout: float = WAIT, message: str = ""):
    """Wait for something another thread (the link process, the simulator) does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(message or "timed out")


def posting_state(posting_id: int) -> str:
    return Posting.objects.get(pk=posting_id).state


class Link:
    """Our link process in a thread, as `manage.py pms_link` runs it."""

    def __init__(self, link, owner="test:1"):
        self.stop = threading.Event()
        self.worker = FiasLink(link, owner=owner, stop=self.stop)
        self.worker.LISTEN_FOR_LINK_START = 0.5
        self.worker.RECONNECT_DELAYS = (0.2, 0.2, 0.5)
        self.thread = threading.Thread(target=self.worker.run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


def charge(check, world, room, guest_id, **kwargs):
    return services.charge_to_room(check=check, room=room, guest_id=guest_id, by=world.waiter, **kwargs)


def settled(payment_id: int) -> Payment:
    return eventually(
        lambda: (p := Payment.objects.get(pk=payment_id)).state != Payment.State.PENDING and p,
        message="payment settled",
    )


def test_the_link_starts_as_the_spec_says_and_a_sharer_is_charged_with_the_tip(world, fias, pms):
    # LD with our family (PO), one LR per record, then LA (spec p.28).
    ids = [record.rid for record in pms.received]
    assert ids[:5] == ["LD", "LR", "LR", "LR", "LA"]
    check = first_check(table_for_four(world), world)

    guests = services.find_room_guests(check=check, room="214", by=world.waiter)
    assert [(g.guest_id, g.name) for g in guests] == [("5001", "Okafor, Daniel Mr."), ("5002", "Okafor, Grace Mrs.")]
    assert guests[1].credit_left == 15000

    payment = charge(check, world, "214", "5001", tip=500)
    assert payment.state == Payment.State.PENDING  # the link process posts it
    payment = settled(payment.pk)
    assert payment.state == Payment.State.CAPTURED
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    [fields] = pms.accepted
    assert fields["RN"] == "214" and fields["G#"] == "5001"
    assert int(fields["TA"]) == TOTAL + 500 and int(fields["TP"]) == 500
    # Tax-inclusive prices: the subtotals carry the tax; food to S1, and no T fields (spec p.80).
    assert int(fields["S1"]) == TOTAL
    assert not any(key.startswith("T") and key[1:].isdigit() for key in fields)
    assert fields["C#"] == str(check.pk) and fields["SO"] == "123" and fields["PM"] == "ROOM"
    posting = Posting.objects.get(pk=payment.posting_id)
    assert posting.state == Posting.State.POSTED and str(posting.sequence) == fields["P#"]
    # The posting's P# is not the inquiry's (spec p.80).
    inquiries = [r for r in pms.received if r.rid == "PR" and r.has("PI")]
    assert inquiries and fields["P#"] not in {r.get("P#") for r in inquiries}


def test_a_split_check_posts_to_both_sharers_with_the_same_check_number_date_and_time(world, fias, pms):
    order = table_for_four(world)
    check = first_check(order, world)
    first = settled(charge(check, world, "214", "5001", amount=4000).pk)
    second = settled(charge(check, world, "214", "5002", tip=100).pk)
    assert (first.state, second.state) == (Payment.State.CAPTURED, Payment.State.CAPTURED)
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    a, b = pms.accepted
    assert [int(a["TA"]), int(b["TA"])] == [4000, TOTAL - 4000 + 100]
    assert (a["C#"], a["DA"], a["TI"]) == (b["C#"], b["DA"], b["TI"])
    # Each part's subtotals add up to its own total, not to the whole check's (spec p.89).
    for fields in (a, b):
        parts = sum(value for key, value in fields["amounts"].items() if key != "TA")
        assert parts == int(fields["TA"]) and fields["amounts"]["S1"] > 0


def test_no_post_is_refused_at_the_table_with_no_override_offered_and_a_credit_override_is_sent_as_CO_Y(
    world, fias, pms
):
    check = first_check(table_for_four(world), world)
    with pytest.raises(ValidationError) as refused:
        charge(check, world, "108", "5003")
    # FIAS has no field to override a no-post guest: no manager's PIN is asked, and the waiter is told why.
    assert "override" not in refused.value.message_dict
    assert "front desk can lift the block" in refused.value.message_dict["guest"][0]
    with pytest.raises(ValidationError):
        charge(check, world, "108", "5003", approver_id=world.manager.pk, approver_pin="9999")
    assert not [r for r in pms.received if r.rid == "PR" and r.has("TA")]
    assert not Posting.objects.exists()
    # Grace may run up 150.00: 200.00 in tips needs the manager, and goes with CO=Y.
    with pytest.raises(ValidationError) as over:
        charge(check, world, "214", "5002", tip=20000)
    assert over.value.message_dict["override"] == ["CO"]
    payment = charge(check, world, "214", "5002", tip=20000, approver_id=world.manager.pk, approver_pin="9999")
    assert settled(payment.pk).state == Payment.State.CAPTURED
    [posted] = pms.accepted
    assert posted["CO"] == "Y"


@pytest.mark.parametrize("code", ["NG", "NP", "CO", "DM", "UR", "DN", "IA", "FX"])
def test_every_refusal_reaches_the_waiter_with_the_pms_reason_and_leaves_the_check_open(world, fias, pms, code):
    check = first_check(table_for_four(world), world)
    pms.answer_next_posting_with(code, f"REFUSED {code}")
    payment = settled(charge(check, world, "214", "5001").pk)
    assert payment.state == Payment.State.FAILED
    assert f"REFUSED {code}" in payment.failure_message
    posting = Posting.objects.get(pk=payment.posting_id)
    assert (posting.state, posting.answer_code) == (Posting.State.REJECTED, code)
    assert Check.objects.get(pk=check.pk).status == Check.Status.OPEN
    assert pms.accepted == []


def test_retry_and_night_audit_answers_go_back_to_the_queue_and_post_once(world, fias, pms):
    check = first_check(table_for_four(world), world)
    pms.answer_next_posting_with("RY", "BUSY")
    payment = charge(check, world, "214", "5001")
    posting_id = payment.posting_id
    eventually(lambda: Posting.objects.get(pk=posting_id).attempts == 1 and posting_state(posting_id) == "queued")
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.PENDING
    Posting.objects.filter(pk=posting_id).update(next_attempt_at=timezone.now())  # do not wait the back-off out
    assert settled(payment.pk).state == Payment.State.CAPTURED
    assert len(pms.accepted) == 1


def test_during_night_audit_nothing_is_sent_and_an_offline_charge_posts_after_it(world, fias, pms, hotel):
    hotel.setup.when_unreachable = "queue"
    hotel.setup.save()
    pms.night_audit_start()
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.NIGHT_AUDIT)
    check = first_check(table_for_four(world), world)
    payment = charge(check, world, "214", "5001")
    # Unreachable for the table: the house accepts it and the check closes now.
    assert payment.state == Payment.State.CAPTURED
    assert Posting.objects.get(pk=payment.posting_id).accepted_offline
    time.sleep(0.5)
    assert not [r for r in pms.received if r.rid == "PR" and r.has("TA")]
    pms.night_audit_end()
    eventually(lambda: posting_state(payment.posting_id) == "posted", message="posted after NE")
    assert len(pms.accepted) == 1


def test_the_link_drops_after_the_posting_before_the_answer_it_is_unknown_and_never_resent(world, fias, pms, hotel):
    check = first_check(table_for_four(world), world)
    pms.drop_after_next_posting(accept=True)
    payment = charge(check, world, "214", "5001")
    eventually(lambda: posting_state(payment.posting_id) == "unknown", message="unknown")
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.PENDING
    assert "front desk" in Payment.objects.get(pk=payment.pk).failure_message
    # The link comes back (LS, LD/LR/LA again); the posting is not sent again.
    eventually(lambda: sum(1 for r in pms.received if r.rid == "LD") == 2, message="second link start")
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.UP)
    time.sleep(0.5)
    assert len(pms.accepted) == 1
    assert posting_state(payment.posting_id) == "unknown"
    # The front desk finds it on the folio: posted, and the check closes.
    with pytest.raises(ValidationError, match="check the PMS folio first"):
        pms_services.retry_posting(posting=Posting.objects.get(pk=payment.posting_id), by=hotel.front_desk)
    pms_services.confirm_posted(
        posting=Posting.objects.get(pk=payment.posting_id), by=hotel.front_desk, note="on folio"
    )
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.CAPTURED
    assert Payment.objects.get(pk=payment.pk).failure_message == ""  # no longer "No answer"
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    assert len(pms.accepted) == 1


def test_a_slow_answer_makes_the_posting_unknown_and_the_late_answer_still_posts_it(world, fias, pms):
    # The inquiries wait the delay out, the posting does not (2 s).
    fias.inquiry_timeout = fias.process.worker.link.inquiry_timeout = 5
    fias.save(update_fields=["inquiry_timeout"])
    pms.delay_answers(3.0)
    check = first_check(table_for_four(world), world)
    payment = charge(check, world, "214", "5001")
    eventually(lambda: posting_state(payment.posting_id) == "unknown", timeout=10, message="unknown")
    # The PA comes a second later: it counts, and it was posted once.
    eventually(lambda: posting_state(payment.posting_id) == "posted", timeout=10, message="late answer")
    assert settled(payment.pk).state == Payment.State.CAPTURED
    assert len(pms.accepted) == 1
    changes = list(Posting.objects.get(pk=payment.posting_id).changes.values_list("to_state", flat=True))
    assert changes == ["queued", "sent", "unknown", "posted"]


def test_the_pms_restarting_mid_session_is_followed_by_a_new_link_start(world, fias, pms):
    pms.restart()
    eventually(lambda: sum(1 for r in pms.received if r.rid == "LD") == 2, message="link started again")
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.UP)
    check = first_check(table_for_four(world), world)
    assert settled(charge(check, world, "214", "5002", amount=1000).pk).state == Payment.State.CAPTURED
    assert len(pms.accepted) == 1


def test_a_second_process_cannot_take_a_live_link_and_the_sequence_never_repeats(world, fias, pms):
    assert pms_services.claim_link(link=fias, owner="test:2") is False
    counter = SequenceCounter.objects.filter(hotel=fias.hotel).first()
    counter_before = counter.last if counter else 0
    check = first_check(table_for_four(world), world)
    settled(charge(check, world, "214", "5001", amount=100).pk)
    sequences = [int(r.get("P#")) for r in pms.received if r.rid == "PR"]
    assert len(sequences) == len(set(sequences))
    assert min(sequences[-2:]) > counter_before
    assert SequenceCounter.objects.get(hotel=fias.hotel).last == max(sequences)


def test_a_lookup_while_the_link_is_down_says_so(world, fias, pms, hotel):
    pms.stop()
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.DOWN, message="down")
    check = first_check(table_for_four(world), world)
    with pytest.raises(ValidationError) as refused:
        services.find_room_guests(check=check, room="214", by=world.waiter)
    assert "cannot be reached" in str(refused.value)
    assert not GuestInquiry.objects.filter(state=GuestInquiry.State.PENDING).exists()


def test_after_link_end_charges_wait_and_the_link_comes_back_when_the_pms_speaks(world, fias, pms):
    pms.link_end(close=False)
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.DOWN, message="down after LE")
    assert "LE" in LinkState.objects.get(link=fias).last_error
    check = first_check(table_for_four(world), world)
    with pytest.raises(ValidationError, match="cannot be reached"):
        charge(check, world, "214", "5001")
    pms.send_link_start()
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.UP, message="up again")
    assert settled(charge(check, world, "214", "5001").pk).state == Payment.State.CAPTURED
    assert len(pms.accepted) == 1


def test_a_charge_taken_offline_for_a_shared_room_waits_for_the_front_desk_to_pick_the_guest(world, fias, pms, hotel):
    hotel.setup.when_unreachable = "queue"
    hotel.setup.save()
    pms.link_end(close=False)
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.DOWN, message="down after LE")
    check = first_check(table_for_four(world), world)
    # Offline, the waiter gets the room itself to charge; the house's word closes the check.
    [offline] = services.find_room_guests(check=check, room="214", by=world.waiter)
    assert offline.guest_id == "" and "offline" in offline.name
    payment = charge(check, world, "214", "")
    assert payment.state == Payment.State.CAPTURED
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED

    # Back online: two guests share 214, so the link cannot choose; it lands on the front desk's list.
    pms.send_link_start()
    eventually(lambda: posting_state(payment.posting_id) == "rejected", message="rejected")
    posting = Posting.objects.get(pk=payment.posting_id)
    assert "2 guests share room 214" in posting.answer_text
    assert pms.accepted == []
    first = selectors.postings_for_front_desk(business_date=posting.business_date).first()
    assert first.pk == posting.pk and "Wine bottle" in first.check_text

    new = pms_services.redirect_posting(posting=posting, room="214", guest_id="5002", by=hotel.front_desk)
    eventually(lambda: posting_state(new.pk) == "posted", message="posted to Grace")
    [posted] = pms.accepted
    assert (posted["G#"], int(posted["TA"])) == ("5002", TOTAL)
    assert Payment.objects.get(pk=payment.pk).posting_id == new.pk
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.CAPTURED


def test_settling_a_refused_offline_charge_another_way_reopens_the_check_for_the_cashier(world, fias, pms, hotel):
    hotel.setup.when_unreachable = "queue"
    hotel.setup.save()
    pms.link_end(close=False)
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.DOWN, message="down after LE")
    order = table_for_four(world)
    check = first_check(order, world)
    payment = charge(check, world, "214", "5001")
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    pms.answer_next_posting_with("NG", "CHECKED OUT")
    pms.send_link_start()
    eventually(lambda: posting_state(payment.posting_id) == "rejected", message="rejected")
    # Refused after the house accepted it: the payment stands until the front desk decides.
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.CAPTURED

    pms_services.withdraw_posting(
        posting=Posting.objects.get(pk=payment.posting_id), by=hotel.front_desk, reason="guest paid cash at the desk"
    )
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.REVERSED
    check = Check.objects.get(pk=check.pk)
    assert check.status == Check.Status.OPEN
    assert services.check_total(check) == TOTAL
    assert pms.accepted == []


def test_an_idle_link_sends_link_alive_records(world, fias, pms):
    fias.process.worker.KEEP_ALIVE = 0.3
    eventually(lambda: len(pms.keepalives) >= 2, message="keep-alives")
    assert all(record.rid == "LA" and record.has("DA") and record.has("TI") for record in pms.keepalives)
    assert LinkState.objects.get(link=fias).state == LinkState.State.UP
