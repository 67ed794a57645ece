"""What a hotel sets on its FIAS link: the interface's code page and the workstation code.

The link runs in a thread against the strict simulator, as in test_fias_link; the
simulator is told which code page it speaks, independently of our link.
"""

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import Payment
from pms_integration.models import Interface, LinkState, PmsLink
from tests.billing.test_checks import first_check, table_for_four
from tests.pms.fias_simulator import FiasPms
from tests.pms.test_fias_link import Link, eventually, settled

MUELLER = "Müller, Jürgen Herr"


def link_to(hotel, pms, **fields):
    link = hotel.link
    link.interface, link.host, link.port = Interface.FIAS, pms.host, pms.port
    link.inquiry_timeout = link.posting_timeout = 3
    for name, value in fields.items():
        setattr(link, name, value)
    link.full_clean()
    link.save()
    link.process = Link(link).start()
    eventually(lambda: LinkState.objects.filter(link=link, state=LinkState.State.UP).exists(), message="link up")
    return link


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_a_guest_named_mueller_comes_through_the_lookup_and_the_posting_in_the_links_encoding(
    transactional_db, world, hotel, client, encoding
):
    pms = FiasPms(encoding=encoding).start()
    pms.add_guest(room="301", reservation="5009", name=MUELLER)
    link = link_to(hotel, pms, encoding=encoding)
    try:
        check = first_check(table_for_four(world), world)
        # The waiter's picker, by room and by name (the name goes to the PMS in its code page too).
        [by_room] = services.find_room_guests(check=check, room="301", by=world.waiter)
        assert by_room.name == MUELLER
        [by_name] = services.find_room_guests(check=check, name="Müller", by=world.waiter)
        assert (by_name.guest_id, by_name.name) == ("5009", MUELLER)
        assert [r.get("PI") for r in pms.received if r.rid == "PR" and r.has("PI")][-1] == "Müller"
        # The front desk's lookup.
        client.force_login(hotel.front_desk)
        answer = client.get(f"/api/pms/hotels/{hotel.hotel.pk}/guests/", {"room": "301"})
        assert answer.status_code == 200, answer.content
        assert [guest["name"] for guest in answer.json()["guests"]] == [MUELLER]
        # And back: the posting's GN reaches the PMS as written.
        payment = services.charge_to_room(check=check, room="301", guest_id="5009", by=world.waiter)
        assert settled(payment.pk).state == Payment.State.CAPTURED
        [posted] = pms.accepted
        assert posted["GN"] == MUELLER
    finally:
        link.process.close()
        pms.stop()


@pytest.mark.parametrize("encoding", ["utf-16", "no-such-code-page", "ebcdic-cp-be"])
def test_an_encoding_that_cannot_frame_fias_records_is_refused_naming_the_field(db, hotel, encoding):
    link: PmsLink = hotel.link
    link.encoding = encoding
    with pytest.raises(ValidationError) as refused:
        link.full_clean()
    assert "encoding" in refused.value.message_dict


def test_lookups_and_postings_carry_the_same_workstation_code(transactional_db, world, hotel):
    pms = FiasPms().start()
    pms.add_guest(room="214", reservation="5001", name="Okafor, Daniel Mr.")
    link = link_to(hotel, pms, workstation="BAR2")
    try:
        check = first_check(table_for_four(world), world)
        services.find_room_guests(check=check, room="214", by=world.waiter)
        payment = services.charge_to_room(check=check, room="214", guest_id="5001", by=world.waiter)
        assert settled(payment.pk).state == Payment.State.CAPTURED
        requests = [r for r in pms.received if r.rid == "PR"]
        lookups = [r for r in requests if r.has("PI")]
        postings = [r for r in requests if r.has("TA")]
        assert len(lookups) >= 2 and len(postings) == 1  # the waiter's, the house rules', the posting's own
        assert {r.get("WS") for r in requests} == {"BAR2"}
        # The PA comes back to the posting's WS.
        assert [r.get("WS") for r in pms.sent if r.rid == "PA"] == ["BAR2"]
    finally:
        link.process.close()
        pms.stop()
