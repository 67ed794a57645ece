"""Room charges to OPERA Cloud over real HTTP, against the strict local OHIP server (tests/pms/opera_cloud_server.py).

What we send is checked against csh.json / rsv.json / oauth.json by that server; what it
`posted` is what reached the folios: the fault cases assert there that nothing was
posted twice. Delivery runs as the `pms` worker runs it (`services.deliver_posting`),
and a lost answer is reconciled by looking the check up on the folio (getFolio).
"""

import json

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import Check, Payment
from pms_integration import opera_cloud
from pms_integration import services as pms_services
from pms_integration.models import Interface, Posting, RevenueRoute
from tests.billing.test_checks import first_check, table_for_four
from tests.pms.opera_cloud_server import OperaCloudServer, billing_charges_errors

TOTAL = 750 + 950 + 750 + 1900 + 3500  # table_for_four: soup, salad, soup, 2 salads, wine


@pytest.fixture
def opera(settings, hotel):
    server = OperaCloudServer(client_id="tafel", client_secret="s3cret", app_key="app-key-1", hotel_id="TAFEL1")
    server.add_reservation(reservation_id="81001", room="214", given_name="Daniel", surname="Okafor")
    server.add_reservation(reservation_id="81002", room="214", given_name="Grace", surname="Okafor")
    server.add_reservation(reservation_id="81003", room="108", given_name="Yuki", surname="Tanaka", no_post=True)
    server.start()
    settings.OPERA_CLOUD_URL = server.url
    settings.OPERA_CLOUD_CLIENT_ID, settings.OPERA_CLOUD_CLIENT_SECRET = "tafel", "s3cret"
    settings.OPERA_CLOUD_APP_KEY, settings.OPERA_CLOUD_SCOPE = "app-key-1", "urn:opc:hgbu:ws:__myscopes__"
    settings.OPERA_CLOUD_TIMEOUT = 1.0
    hotel.link.interface, hotel.link.opera_hotel_id = Interface.OPERA_CLOUD, "TAFEL1"
    hotel.link.save()
    setup = hotel.setup
    RevenueRoute.objects.filter(posting_outlet=setup, category="").update(transaction_code="2000")
    RevenueRoute.objects.filter(posting_outlet=setup, category="mains").update(transaction_code="2010")
    setup.tip_code, setup.service_charge_code = "9000", "9100"
    setup.save()
    opera_cloud._tokens.clear()  # every test starts without a token
    yield server
    server.stop()  # raises if the server ever answered off the spec


def charge(check, world, room, guest_id, **kwargs):
    payment = services.charge_to_room(check=check, room=room, guest_id=guest_id, by=world.waiter, **kwargs)
    assert payment.state == Payment.State.PENDING  # a worker posts it
    return payment


def deliver(payment) -> Posting:
    """What the `pms` worker does with the task billing queued."""
    return pms_services.deliver_posting(posting_id=payment.posting_id)


def sent_bodies(server) -> list[dict]:
    return [json.loads(r.body) for r in server.requests if r.method == "POST" and r.path.endswith("/charges")]


def test_the_sharers_of_214_come_from_opera_and_a_charge_posts_by_transaction_code(world, opera):
    check = first_check(table_for_four(world), world)
    guests = services.find_room_guests(check=check, room="214", by=world.waiter)
    assert [(g.guest_id, g.name) for g in guests] == [("81001", "Daniel Okafor"), ("81002", "Grace Okafor")]
    lookup = next(r for r in opera.requests if r.path.endswith("/reservations"))
    assert lookup.query["searchType"] == ["InHouse"] and lookup.query["roomId"] == ["214"]

    payment = charge(check, world, "214", "81002", tip=500)
    posting = deliver(payment)
    assert posting.state == Posting.State.POSTED
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.CAPTURED
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    [body] = sent_bodies(opera)
    assert billing_charges_errors(body) == []  # csh.json, objects closed
    # Amounts go out as exact decimal numbers, never through a float (the money rule).
    [raw] = [r.body for r in opera.requests if r.method == "POST" and r.path.endswith("/charges")]
    assert b'"amount": 78.50' in raw and b'"amount": 5.00' in raw
    by_code = {p["transactionCode"]: p["price"]["amount"] for p in opera.posted}
    assert by_code == {"2000": pytest.approx(TOTAL / 100), "9000": pytest.approx(5.00)}
    assert {p["checkNumber"] for p in opera.posted} == {str(check.pk)}
    assert {p["reservationId"] for p in opera.posted} == {"81002"}
    assert opera.tokens_issued == 1


def test_the_token_is_kept_and_renewed_once_when_opera_refuses_it(world, opera):
    first = first_check(table_for_four(world), world)
    assert deliver(charge(first, world, "214", "81001", amount=1000)).state == Posting.State.POSTED
    assert deliver(charge(first, world, "214", "81001", amount=1000)).state == Posting.State.POSTED
    assert opera.tokens_issued == 1
    opera.expire_tokens()
    assert deliver(charge(first, world, "214", "81001", amount=1000)).state == Posting.State.POSTED
    assert opera.tokens_issued == 2
    assert len(opera.posted) == 3


def test_no_post_is_refused_at_the_table_and_opera_refusing_an_override_rejects_it_with_its_words(world, opera):
    check = first_check(table_for_four(world), world)
    with pytest.raises(ValidationError) as refused:
        services.charge_to_room(check=check, room="108", guest_id="81003", by=world.waiter)
    assert refused.value.message_dict["override"] == ["NP"]
    payment = charge(check, world, "108", "81003", approver_id=world.manager.pk, approver_pin="9999")
    posting = deliver(payment)
    assert (posting.state, posting.answer_code) == (Posting.State.REJECTED, "DN")
    assert "no post" in posting.answer_text.lower()
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.FAILED
    assert opera.posted == []


def test_a_checked_out_reservation_is_not_in_house(world, opera):
    check = first_check(table_for_four(world), world)
    payment = charge(check, world, "214", "81001")
    opera.check_out(reservation_id="81001")
    posting = deliver(payment)
    assert (posting.state, posting.answer_code) == (Posting.State.REJECTED, "NG")
    assert Check.objects.get(pk=check.pk).status == Check.Status.OPEN


def test_a_lost_answer_is_reconciled_on_the_folio_by_check_number_not_resent(world, opera):
    check = first_check(table_for_four(world), world)
    payment = charge(check, world, "214", "81001")
    opera.drop_after_next_posting()
    posting = deliver(payment)
    assert posting.state == Posting.State.UNKNOWN
    assert len(opera.posted) == 1  # it did reach the folio
    # The worker reconciles: getFolio shows the check with our reference, so it counts as posted.
    posting = pms_services.reconcile_unknown(posting=posting)
    assert posting.state == Posting.State.POSTED
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.CAPTURED
    assert len(opera.posted) == 1
    folio_reads = [r for r in opera.requests if r.path.endswith("/folios")]
    assert folio_reads and folio_reads[0].query["fetchInstructions"] == ["Postings"]


def test_a_server_error_is_unknown_and_reconciling_finds_it_missing_and_posts_it_once(world, opera):
    check = first_check(table_for_four(world), world)
    payment = charge(check, world, "214", "81001")
    opera.fail_next(status=503)
    posting = deliver(payment)
    assert posting.state == Posting.State.UNKNOWN and opera.posted == []
    posting = pms_services.reconcile_unknown(posting=posting)
    assert posting.state == Posting.State.QUEUED  # surely not on the folio: back in the queue
    assert deliver(payment).state == Posting.State.POSTED
    assert len({p["transactionNo"] for p in opera.posted}) == len(opera.posted) == 1


def test_a_slow_answer_is_unknown_and_the_sweep_settles_it(world, opera):
    check = first_check(table_for_four(world), world)
    payment = charge(check, world, "214", "81002")
    opera.delay_next(2.0)  # posted now, answered after our 1 s timeout
    assert deliver(payment).state == Posting.State.UNKNOWN
    assert pms_services.reconcile_all_unknown() == 1
    assert Posting.objects.get(pk=payment.posting_id).state == Posting.State.POSTED
    assert len(opera.posted) == 1


def test_opera_down_refuses_at_the_table_and_nothing_is_left_behind(world, opera, hotel):
    opera.stop()
    check = first_check(table_for_four(world), world)
    with pytest.raises(ValidationError) as refused:
        services.find_room_guests(check=check, room="214", by=world.waiter)
    assert "cannot be reached" in str(refused.value)
    with pytest.raises(ValidationError):
        services.charge_to_room(check=check, room="214", guest_id="81001", by=world.waiter)
    assert not Posting.objects.exists() and not Payment.objects.exists()
