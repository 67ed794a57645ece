"""The front desk's API and pages on the built-in ledger: who may do what, the fixes, the guests, the folio."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pms_integration import selectors
from pms_integration import services as pms_services
from pms_integration.interfaces import ChargeRequest, RevenueSplit
from pms_integration.models import FolioEntry, GuestStay, Posting
from staff.models import AuditEntry


def queued(hotel, stay, *, amount=1000, key=None) -> Posting:
    """A room charge in the outbox, as billing leaves one (accepted by the house)."""
    return pms_services.request_posting(
        posting_outlet=hotel.setup,
        charge=ChargeRequest(
            key=key or str(uuid.uuid4()),
            room=stay.room.number,
            guest_id=str(stay.pk),
            guest_name=stay.guest_name,
            amount=amount,
            tip=0,
            service_charge=0,
            revenue=(RevenueSplit(category="Food", tax_percent=Decimal("9.00"), amount=amount, tax=83),),
            taxes_included=True,
            check_number=42,
            business_date=timezone.localdate(),
            check_text="Bistro\nCheck 42\nSoup 10.00",
        ),
        offline=True,
        by=hotel.front_desk,
    )


def rejected(hotel, stay) -> Posting:
    """Checked out before the queue got to it: the ledger answers NG."""
    posting = queued(hotel, stay)
    pms_services.check_out_guest(stay=stay, by=hotel.front_desk)
    return pms_services.deliver_posting(posting_id=posting.pk)


def test_only_the_front_desk_and_managers_see_and_fix_postings(world, hotel, api_as):
    posting = rejected(hotel, hotel.daniel)
    assert api_as(world.waiter).get("/api/pms/postings/").status_code == 403
    assert api_as(world.waiter).post(f"/api/pms/postings/{posting.pk}/retry/", {}).status_code == 403
    assert api_as(world.manager).get("/api/pms/postings/").status_code == 200
    body = api_as(hotel.front_desk).get("/api/pms/postings/").json()
    [row] = body["postings"]
    assert (row["id"], row["state"], row["answer_code"], row["check_number"]) == (posting.pk, "rejected", "NG", 42)
    assert "Soup 10.00" in row["check_text"]
    [link] = body["links"]
    assert (link["interface"], link["state"], link["queue"]) == ("ledger", "up", 0)


def test_rejected_and_unknown_come_first_and_filters_narrow_the_list(world, hotel, api_as):
    posted = pms_services.deliver_posting(posting_id=queued(hotel, hotel.grace, amount=500).pk)
    assert posted.state == Posting.State.POSTED
    refused = rejected(hotel, hotel.daniel)
    later = pms_services.deliver_posting(posting_id=queued(hotel, hotel.grace, amount=700).pk)
    api = api_as(hotel.front_desk)
    ids = [row["id"] for row in api.get("/api/pms/postings/").json()["postings"]]
    assert ids == [refused.pk, later.pk, posted.pk]
    only_214 = api.get("/api/pms/postings/?room=214").json()["postings"]
    assert len(only_214) == 3
    assert api.get("/api/pms/postings/?room=108").json()["postings"] == []
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    # Another day shows only what still needs a person.
    assert [r["id"] for r in api.get(f"/api/pms/postings/?date={yesterday}").json()["postings"]] == [refused.pk]
    assert api.get("/api/pms/postings/?date=12-2026").status_code == 400


def test_retry_sends_a_rejected_posting_again_and_redirect_posts_it_to_another_guest(world, hotel, api_as):
    posting = rejected(hotel, hotel.daniel)
    api = api_as(hotel.front_desk)
    again = api.post(f"/api/pms/postings/{posting.pk}/retry/", {}, format="json")
    assert again.status_code == 200, again.json()
    # Still checked out: the ledger refuses it again, and the attempt counts.
    assert (again.json()["state"], again.json()["attempts"]) == ("rejected", 2)

    moved = api.post(
        f"/api/pms/postings/{posting.pk}/redirect/", {"room": "214", "guest": str(hotel.grace.pk)}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    new = Posting.objects.get(pk=moved.json()["id"])
    assert (new.state, new.replaces_id, new.guest_id) == (Posting.State.POSTED, posting.pk, str(hotel.grace.pk))
    assert Posting.objects.get(pk=posting.pk).state == Posting.State.CANCELLED
    assert FolioEntry.objects.get().stay == hotel.grace
    assert AuditEntry.objects.filter(action="posting_redirected", actor=hotel.front_desk).count() == 1
    # A cancelled posting is done with: no second redirect.
    twice = api.post(
        f"/api/pms/postings/{posting.pk}/redirect/", {"room": "214", "guest": str(hotel.grace.pk)}, format="json"
    )
    assert twice.status_code == 400 and FolioEntry.objects.count() == 1


def test_redirecting_to_a_no_post_guest_needs_a_manager(world, hotel, api_as):
    posting = rejected(hotel, hotel.daniel)
    body = {"room": "108", "guest": str(hotel.yuki.pk)}
    refused = api_as(hotel.front_desk).post(f"/api/pms/postings/{posting.pk}/redirect/", body, format="json")
    assert refused.status_code == 400 and "no-post" in refused.json()["guest"][0]
    override = {**body, "override": True}
    assert (
        api_as(hotel.front_desk).post(f"/api/pms/postings/{posting.pk}/redirect/", override, format="json").status_code
        == 403
    )
    allowed = api_as(world.manager).post(f"/api/pms/postings/{posting.pk}/redirect/", override, format="json")
    assert allowed.status_code == 200 and allowed.json()["credit_override"] is True
    assert FolioEntry.objects.get().stay == hotel.yuki


def test_an_unknown_posting_needs_the_folio_checked_before_it_is_sent_again(world, hotel, api_as):
    posting = queued(hotel, hotel.daniel)
    pms_services.mark_sent(posting_id=posting.pk, sequence=None)
    pms_services.mark_unknown(posting_id=posting.pk, note="no answer")
    api = api_as(hotel.front_desk)
    blind = api.post(f"/api/pms/postings/{posting.pk}/retry/", {}, format="json")
    assert blind.status_code == 400 and "checked_folio" in blind.json()
    withdraw = api.post(f"/api/pms/postings/{posting.pk}/withdraw/", {"reason": "paid cash"}, format="json")
    assert withdraw.status_code == 400 and "checked_folio" in withdraw.json()
    checked = api.post(f"/api/pms/postings/{posting.pk}/retry/", {"checked_folio": True}, format="json")
    assert checked.status_code == 200 and checked.json()["state"] == "posted"
    assert FolioEntry.objects.filter(posting=posting).count() == 1


def test_confirming_from_the_folio_and_withdrawing_need_the_right_state_and_a_reason(world, hotel, api_as):
    api = api_as(hotel.front_desk)
    unknown = queued(hotel, hotel.grace)
    pms_services.mark_sent(posting_id=unknown.pk)
    pms_services.mark_unknown(posting_id=unknown.pk, note="no answer")
    confirmed = api.post(f"/api/pms/postings/{unknown.pk}/confirm/", {"note": "seen on folio"}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "posted"
    assert api.post(f"/api/pms/postings/{unknown.pk}/confirm/", {}, format="json").status_code == 400

    refused = rejected(hotel, hotel.daniel)
    assert api.post(f"/api/pms/postings/{refused.pk}/withdraw/", {"reason": ""}, format="json").status_code == 400
    gone = api.post(f"/api/pms/postings/{refused.pk}/withdraw/", {"reason": "paid by card at the desk"}, format="json")
    assert gone.status_code == 200 and gone.json()["state"] == "cancelled"
    assert api.post(f"/api/pms/postings/{refused.pk}/retry/", {"nonsense": 1}, format="json").status_code == 400


def test_check_in_change_and_check_out_on_the_ledger(world, hotel, api_as):
    api = api_as(hotel.front_desk)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    made = api.post(
        "/api/pms/stays/",
        {
            "hotel": hotel.hotel.pk,
            "room": "301",
            "guest_name": "Ms. Ada Lovelace",
            "departure": tomorrow,
            "credit_limit": 5000,
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    stay = GuestStay.objects.get(pk=made.json()["id"])
    assert (stay.room.number, stay.status, stay.credit_limit) == ("301", "in_house", 5000)
    assert (
        api.post(
            "/api/pms/stays/",
            {"hotel": hotel.hotel.pk, "room": "999", "guest_name": "X", "departure": tomorrow},
            format="json",
        ).status_code
        == 400
    )

    listed = api.get(f"/api/pms/stays/?hotel={hotel.hotel.pk}").json()["stays"]
    assert [(s["room"], s["guest_name"]) for s in listed] == [
        ("108", "Yuki Tanaka"),
        ("214", "Mr. Daniel Okafor"),
        ("214", "Mrs. Grace Okafor"),
        ("301", "Ms. Ada Lovelace"),
    ]
    changed = api.patch(f"/api/pms/stays/{stay.pk}/", {"allow_postings": False, "credit_limit": None}, format="json")
    assert changed.status_code == 200 and changed.json()["allow_postings"] is False
    assert api.post(f"/api/pms/stays/{stay.pk}/check-out/").json()["status"] == "checked_out"
    assert api.post(f"/api/pms/stays/{stay.pk}/check-out/").status_code == 400
    assert api_as(world.waiter).post(f"/api/pms/stays/{stay.pk}/check-out/").status_code == 403


def test_the_printable_folio_and_the_page_are_for_the_front_desk(world, hotel, client):
    pms_services.deliver_posting(posting_id=queued(hotel, hotel.grace, amount=1234).pk)
    url = f"/frontdesk/stays/{hotel.grace.pk}/folio/"
    assert client.get(url).status_code == 302  # to the sign-in
    client.force_login(world.waiter)
    assert client.get(url).status_code == 403
    assert client.get("/frontdesk/").status_code == 403
    client.force_login(hotel.front_desk)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mrs. Grace Okafor" in html and "12.34" in html
    assert client.get("/frontdesk/").status_code == 200


def test_the_front_desk_list_costs_the_same_queries_for_one_posting_or_thirty(world, hotel):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = list(selectors.postings_for_front_desk(business_date=timezone.localdate()))
            for posting in rows:
                _ = (posting.posting_outlet.outlet.name, getattr(posting, "payment", None))
            selectors.link_reports()
        return len(queries)

    pms_services.deliver_posting(posting_id=queued(hotel, hotel.grace, amount=100).pk)
    one = count()
    for _ in range(29):
        queued(hotel, hotel.daniel, amount=100)
    assert count() == one


@pytest.mark.parametrize("path", ["/api/pms/postings/", "/api/pms/stays/?hotel=1"])
def test_signed_out_is_refused(client, path, db):
    assert client.get(path).status_code in (401, 403)
