"""The billing API: thin over the services, 4xx with the field named, replays on Idempotency-Key."""

import uuid

import pytest

from billing import services
from billing.models import Check, Payment, Tender
from orders.models import Order
from tests.billing.test_checks import table_for_four


@pytest.fixture
def cash(world):
    """The cash tender, with the outlet's drawer opened on a 100.00 float."""
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    return Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)


def test_bill_view_places_every_line_and_lists_tenders(world, api_as, cash):
    order = table_for_four(world)
    answer = api_as(world.waiter).get(f"/api/billing/orders/{order.pk}/bill/")
    assert answer.status_code == 200
    body = answer.json()
    assert [c["number"] for c in body["checks"]] == [1]
    assert body["checks"][0]["totals"]["total"] == 7850
    assert body["checks"][0]["balance"] == 7850
    assert {t["kind"] for t in body["tenders"]} == {"cash"}
    rates = {r["tax_percent"]: r for r in body["checks"][0]["totals"]["rates"]}
    assert rates["21"]["gross"] == 3500 and rates["9"]["gross"] == 4350


def test_split_by_seat_then_pay_every_check_in_cash_frees_the_table(world, api_as, cash, settings):
    settings.CASH_ROUNDING = 1
    order = table_for_four(world)
    api = api_as(world.waiter)
    check_id = api.post(f"/api/billing/orders/{order.pk}/bill/").json()["checks"][0]["id"]
    body = api.post(f"/api/billing/checks/{check_id}/split-by-seat/").json()
    assert len(body["checks"]) == 5
    for check in body["checks"]:
        paid = api.post(
            f"/api/billing/checks/{check['id']}/payments/cash/",
            {"tender": cash.pk, "cash_given": check["balance"] + 100, "client_uuid": str(uuid.uuid4())},
        )
        assert paid.status_code == 200, paid.json()
        assert paid.json()["payment"]["change_due"] == 100
    assert Order.objects.get(pk=order.pk).status == Order.Status.CLOSED
    floor = api.get(f"/api/outlets/{world.outlet.pk}/floor/").json()
    table = next(t for a in floor["areas"] for t in a["tables"] if t["id"] == world.tables[0].pk)
    assert table["state"] == "free"


def test_a_retried_cash_payment_replays_and_takes_nothing_twice(world, api_as, cash):
    order = table_for_four(world)
    api = api_as(world.waiter)
    check_id = api.post(f"/api/billing/orders/{order.pk}/bill/").json()["checks"][0]["id"]
    body = {"tender": cash.pk, "cash_given": 2000, "amount": 1000}
    first = api.post(f"/api/billing/checks/{check_id}/payments/cash/", body, HTTP_IDEMPOTENCY_KEY="pay-1")
    again = api.post(f"/api/billing/checks/{check_id}/payments/cash/", body, HTTP_IDEMPOTENCY_KEY="pay-1")
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(guest_check_id=check_id).count() == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("split-evenly/", {"ways": 1}, "ways"),
        ("split-evenly/", {"ways": "x"}, "ways"),
        ("discounts/", {"percent": "10"}, "reason"),
        ("discounts/", {"percent": "150", "reason": "x"}, "percent"),
        ("discounts/", {"reason": "x"}, "percent"),
        ("payments/cash/", {"tender": 1, "cash_given": -5}, "cash_given"),
        ("payments/cash/", {"tender": 1, "cash_given": 100, "total": 1}, "total"),
        ("move/", {"items": []}, "items"),
    ],
)
def test_bad_input_gets_400_naming_the_field(world, api_as, cash, path, body, field):
    order = table_for_four(world)
    api = api_as(world.waiter)
    check_id = api.post(f"/api/billing/orders/{order.pk}/bill/").json()["checks"][0]["id"]
    answer = api.post(f"/api/billing/checks/{check_id}/{path}", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()


def test_cash_that_does_not_cover_the_bill_is_refused(world, api_as, cash):
    order = table_for_four(world)
    api = api_as(world.waiter)
    check_id = api.post(f"/api/billing/orders/{order.pk}/bill/").json()["checks"][0]["id"]
    answer = api.post(f"/api/billing/checks/{check_id}/payments/cash/", {"tender": cash.pk, "cash_given": 500})
    assert answer.status_code == 400 and "cash_given" in answer.json()
    assert Check.objects.get(pk=check_id).status == Check.Status.OPEN


def test_the_kitchen_cannot_take_payments_and_signed_out_gets_401(world, api_as, cash, client):
    order = table_for_four(world)
    assert api_as(world.kitchen).get(f"/api/billing/orders/{order.pk}/bill/").status_code == 403
    assert client.get(f"/api/billing/orders/{order.pk}/bill/").status_code == 401
