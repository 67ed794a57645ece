"""Link End (LE) both ways (spec p.25, p.102): what is not sent waits, and each side says goodbye.

The `pms` simulator and the `fias` link (our link process in a thread) come from conftest.
"""

import time

from billing import services
from billing.models import Check, Payment
from pms_integration.models import LinkState, Posting
from tests.billing.test_checks import first_check, table_for_four
from tests.pms.test_fias_link import eventually, posting_state, settled


def record_ids(pms) -> list[str]:
    return [record.rid for record in pms.received]


def test_an_LE_right_after_the_guest_list_keeps_the_posting_queued_until_the_pms_is_back(world, fias, pms):
    # The guest waits at the table a while: long enough for the PMS to come back.
    fias.inquiry_timeout = fias.process.worker.link.inquiry_timeout = 20
    fias.save(update_fields=["inquiry_timeout"])
    check = first_check(table_for_four(world), world)
    # The house rules' lookup is the first guest list, the link's own inquiry for the posting the second.
    pms.link_end_after_guest_list(nth=2)
    payment = services.charge_to_room(check=check, room="214", guest_id="5001", by=world.waiter)
    eventually(lambda: LinkState.objects.get(link=fias).state == LinkState.State.DOWN, message="down after LE")
    # The link answered the PMS's LE, and sent nothing after it.
    eventually(lambda: "LE" in record_ids(pms), message="our LE")
    time.sleep(0.5)
    assert record_ids(pms)[-1] == "LE"
    assert not [r for r in pms.received if r.rid == "PR" and r.has("TA")]
    posting = Posting.objects.get(pk=payment.posting_id)
    assert (posting.state, posting.sequence) == (Posting.State.QUEUED, None)
    assert list(posting.changes.values_list("to_state", flat=True)) == ["queued"]
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.PENDING

    # The PMS starts again: a new link description, then the posting, once.
    pms.send_link_start()
    assert settled(payment.pk).state == Payment.State.CAPTURED
    assert record_ids(pms).count("LD") == 2
    [posted] = pms.accepted
    assert (posted["G#"], posted["RN"]) == ("5001", "214")
    assert posting_state(payment.posting_id) == "posted"
    assert list(Posting.objects.get(pk=payment.posting_id).changes.values_list("to_state", flat=True)) == [
        "queued",
        "sent",
        "posted",
    ]


def test_on_its_own_shutdown_the_link_sends_LE_and_the_pms_answers(world, fias, pms):
    fias.process.close()
    assert record_ids(pms)[-1] == "LE"
    assert [r.rid for r in pms.sent][-1] == "LE"  # the PMS's answer (spec p.102) came before the port dropped
    state = LinkState.objects.get(link=fias)
    assert (state.owner, state.state) == ("", LinkState.State.DOWN)


def test_an_outlet_that_takes_charges_offline_closes_the_check_when_the_pms_ends_the_link_before_posting(
    world, fias, pms, hotel
):
    hotel.setup.when_unreachable = "queue"
    hotel.setup.save()
    check = first_check(table_for_four(world), world)
    pms.link_end_after_guest_list(nth=2)
    payment = services.charge_to_room(check=check, room="214", guest_id="5001", by=world.waiter)
    assert payment.state == Payment.State.PENDING  # the PMS was up when the waiter charged
    # The guest does not wait at the table for the PMS: the outlet's rule takes the house's word.
    eventually(lambda: Payment.objects.get(pk=payment.pk).state == Payment.State.CAPTURED, message="captured")
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    posting = Posting.objects.get(pk=payment.posting_id)
    assert (posting.state, posting.accepted_offline) == (Posting.State.QUEUED, True)
    assert not [r for r in pms.received if r.rid == "PR" and r.has("TA")]

    pms.send_link_start()
    eventually(lambda: posting_state(payment.posting_id) == "posted", message="posted when back")
    [posted] = pms.accepted
    assert (posted["G#"], int(posted["TA"])) == ("5001", posting.amount)
