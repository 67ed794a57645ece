"""Idempotency-Key: what is stored reveals no PIN, and a retry still gets the first answer."""

import hashlib
import json

import pytest

from billing import services
from billing.models import Payment, Refund, Tender
from idempotency.models import IdempotentResponse
from tests.billing.test_checks import table_for_four

MANAGER_PIN = "9999"  # the world's manager


@pytest.fixture
def cash_payment(world):
    services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    cash = Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)
    order = table_for_four(world)
    services.open_bill(order=order, by=world.waiter)
    check = order.checks.get()
    payment = services.pay_cash(check=check, tender=cash, cash_given=2000, amount=1000, by=world.waiter)
    assert payment.state == Payment.State.CAPTURED
    return payment


def refund_body(world, pin: str) -> dict:
    return {"amount": 500, "reason": "Cold soup", "approver": world.manager.pk, "approver_pin": pin}


def test_the_stored_fingerprint_cannot_be_brute_forced_back_to_the_pin(world, api_as, cash_payment):
    api = api_as(world.waiter)
    path = f"/api/billing/payments/{cash_payment.pk}/refunds/"
    first = api.post(path, refund_body(world, MANAGER_PIN), format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    assert first.status_code == 200, first.content
    stored = IdempotentResponse.objects.get(key="refund-1").fingerprint

    # What an attacker with the table would try: every 4-digit PIN, hashed the way a plain
    # digest of the request would be, with and without the method and path.
    found = []
    for number in range(10_000):
        body = json.dumps(refund_body(world, f"{number:04d}"), sort_keys=True)
        for message in (f"POST {path}\n{body}", body):
            if hashlib.sha256(message.encode()).hexdigest() == stored:
                found.append(number)
    assert found == []
    assert MANAGER_PIN not in json.dumps(list(IdempotentResponse.objects.values()), default=str)

    again = api.post(path, refund_body(world, MANAGER_PIN), format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Refund.objects.filter(payment=cash_payment).count() == 1


def test_the_same_key_with_another_body_is_still_refused(world, api_as, cash_payment):
    api = api_as(world.waiter)
    path = f"/api/billing/payments/{cash_payment.pk}/refunds/"
    assert api.post(path, refund_body(world, MANAGER_PIN), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 200
    other = {**refund_body(world, MANAGER_PIN), "amount": 400}
    assert api.post(path, other, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 422
    assert Refund.objects.filter(payment=cash_payment).count() == 1


def test_a_wrong_pin_sent_with_a_key_still_counts_towards_the_wait(world, api_as, cash_payment, settings):
    """The key's transaction wraps the view: a refusal must not undo the count of wrong PINs."""
    settings.PIN_TRIES_BEFORE_WAIT = 2
    settings.PIN_FIRST_WAIT_SECONDS = 600
    api = api_as(world.waiter)
    path = f"/api/billing/payments/{cash_payment.pk}/refunds/"
    for attempt in range(2):
        refused = api.post(path, refund_body(world, "0000"), format="json", HTTP_IDEMPOTENCY_KEY=f"wrong-{attempt}")
        assert refused.status_code in (400, 403), refused.content
    # Two wrong tries counted: even the right PIN must now wait.
    waiting = api.post(path, refund_body(world, MANAGER_PIN), format="json", HTTP_IDEMPOTENCY_KEY="right")
    assert waiting.status_code == 429, waiting.content
    assert not IdempotentResponse.objects.exists()
    assert not Refund.objects.exists()
