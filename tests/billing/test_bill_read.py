"""Reading a bill never writes it: GET shows lines on no check yet where they will go;
a POST to the bill (what the bill screen does when it sees such lines) places them."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing import services
from billing.models import Check, CheckItem, OutletBilling, Tender
from orders.services import LineRequest, add_lines
from tests.billing.test_checks import table_for_four

WRITES = ("INSERT", "UPDATE", "DELETE")


def bill_url(order) -> str:
    return f"/api/billing/orders/{order.pk}/bill/"


def rows() -> tuple[int, int, int]:
    return Check.objects.count(), CheckItem.objects.count(), OutletBilling.objects.count()


def read_without_writing(client, url: str) -> dict:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    return answer.json()


@pytest.fixture
def cash(world):
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    return Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)


def test_reading_a_new_bill_writes_nothing_and_shows_check_1_to_be(world, api_as):
    order = table_for_four(world)
    before = rows()

    bill = read_without_writing(api_as(world.waiter), bill_url(order))

    assert rows() == before == (0, 0, 0)
    assert bill["unplaced_lines"] == 5
    [check] = bill["checks"]
    assert (check["id"], check["number"], check["status"], check["frozen"]) == (None, 1, "open", False)
    assert [item["id"] for item in check["items"]] == [None] * 5
    assert [item["qty_label"] for item in check["items"]] == ["1", "1", "1", "2", "1"]
    assert check["totals"]["total"] == check["balance"] == 7850


def test_the_bill_read_takes_a_fixed_number_of_queries(world, api_as, django_assert_num_queries):
    order = table_for_four(world)
    client = api_as(world.waiter)
    # Order, billing rules, checks, lines (+ their items, discounts, modifiers), the next
    # check's number, then the posting outlet, tenders and card readers.
    with django_assert_num_queries(11):
        client.get(bill_url(order))
    client.post(bill_url(order))
    more = [LineRequest(item_id=world.soup.pk, seat=n) for n in (1, 2, 3)]
    add_lines(order=order, requests=more, by=world.waiter)
    # With a check: its discounts and payments, and no next number (the lines go on check 1).
    with django_assert_num_queries(12):
        assert client.get(bill_url(order)).json()["unplaced_lines"] == 3
    add_lines(order=order, requests=more * 3, by=world.waiter)
    with django_assert_num_queries(12):
        assert client.get(bill_url(order)).json()["unplaced_lines"] == 12


def test_a_post_places_the_lines_once_and_then_the_read_shows_them_placed(world, api_as):
    order = table_for_four(world)
    client = api_as(world.waiter)
    shown = client.get(bill_url(order)).json()

    opened = client.post(bill_url(order), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    again = client.post(bill_url(order), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))

    assert opened.status_code == again.status_code == 200
    assert Check.objects.filter(order=order).count() == 1
    assert CheckItem.objects.filter(guest_check__order=order).count() == 5
    placed = read_without_writing(client, bill_url(order))
    assert placed["unplaced_lines"] == 0
    assert placed["checks"][0]["id"] == Check.objects.get(order=order).pk
    assert None not in [item["id"] for item in placed["checks"][0]["items"]]
    assert "tenders" in opened.json() and "readers" in opened.json()
    # What was shown before placing is what was placed (ids apart).
    for before, after in zip(shown["checks"][0]["items"], placed["checks"][0]["items"], strict=True):
        assert {**before, "id": None} == {**after, "id": None}
    assert shown["checks"][0]["totals"] == placed["checks"][0]["totals"]


def test_lines_added_after_a_payment_are_shown_on_the_next_check_without_writing_it(world, api_as, cash):
    order = table_for_four(world)
    client = api_as(world.waiter)
    check_id = client.post(bill_url(order)).json()["checks"][0]["id"]
    paid = client.post(
        f"/api/billing/checks/{check_id}/payments/cash/", {"tender": cash.pk, "cash_given": 1000, "amount": 1000}
    )
    assert paid.status_code == 200, paid.json()
    add_lines(order=order, requests=[LineRequest(item_id=world.soup.pk, seat=1)], by=world.waiter)
    before = rows()

    bill = read_without_writing(client, bill_url(order))

    assert rows() == before
    first, second = bill["checks"]
    assert (first["id"], first["frozen"], first["totals"]["total"]) == (check_id, True, 7850)
    assert (second["id"], second["number"], second["totals"]["total"]) == (None, 2, 750)
    assert bill["unplaced_lines"] == 1


def test_opening_the_bill_needs_a_billing_role(world, api_as, client):
    order = table_for_four(world)
    assert api_as(world.kitchen).post(bill_url(order)).status_code == 403
    assert client.post(bill_url(order), content_type="application/json").status_code in (401, 403)
    assert Check.objects.count() == 0
