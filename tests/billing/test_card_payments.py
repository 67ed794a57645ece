"""Card payments on a Stripe Terminal reader, against a local server that speaks Stripe's API.

The server (tests/billing/stripe_server.py) is strict about what it accepts, keeps
its own ledger of intents and charges, and signs its webhooks as Stripe does; so
these tests prove the real `stripe` library calls we make, the webhook signature
check, duplicates and out-of-order delivery, not a stand-in of our own code.
"""

import json
import uuid

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import CardReader, Check, Payment, ProviderEvent, Tender
from orders.models import Order
from tests.billing.stripe_server import StripeServer
from tests.billing.test_checks import first_check, table_for_four


@pytest.fixture
def stripe_server(settings):
    with StripeServer(deliver="manual") as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY = server.api_key
        settings.STRIPE_WEBHOOK_SECRET = server.webhook_secret
        yield server


@pytest.fixture
def card(db):
    return Tender.objects.create(name="Card", kind=Tender.Kind.CARD)


@pytest.fixture
def reader(world, stripe_server):
    stripe_id = stripe_server.add_reader(label="Bar reader")
    return CardReader.objects.create(outlet=world.outlet, label="Bar reader", stripe_id=stripe_id)


def deliver(server, client, events=None):
    """POST events to our webhook exactly as Stripe signs them; returns the answers."""
    answers = []
    for event in events if events is not None else server.events:
        body = json.dumps(event)
        answers.append(
            client.post(
                "/api/billing/stripe/webhook/",
                data=body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=server.signature_header(body),
            )
        )
    return answers


def test_card_with_tip_on_the_reader_is_captured_by_webhook_and_closes_the_check(
    world, card, reader, stripe_server, client
):
    order = table_for_four(world)
    check = first_check(order, world)
    payment = services.start_card_payment(check=check, reader=reader, by=world.waiter)
    assert payment.state == Payment.State.PENDING and payment.amount == 7850
    intent = stripe_server.payment_intent(payment.provider_id)
    assert intent["amount"] == 7850 and intent["capture_method"] == "manual"
    assert stripe_server.reader(reader.stripe_id)["action"]["status"] == "in_progress"

    stripe_server.present_card(reader.stripe_id, tip=300)
    answers = deliver(stripe_server, client)
    assert all(a.status_code == 200 for a in answers)
    payment.refresh_from_db()
    assert (payment.state, payment.amount, payment.tip) == (Payment.State.CAPTURED, 7850, 300)
    assert stripe_server.payment_intent(payment.provider_id)["status"] == "succeeded"
    assert Check.objects.get(pk=check.pk).status == Check.Status.CLOSED
    assert Order.objects.get(pk=order.pk).status == Order.Status.CLOSED


def test_webhooks_twice_and_backwards_capture_once(world, card, reader, stripe_server, client):
    order = table_for_four(world)
    check = first_check(order, world)
    payment = services.start_card_payment(check=check, reader=reader, by=world.waiter)
    stripe_server.present_card(reader.stripe_id, tip=0)
    events = list(reversed(stripe_server.events)) * 2
    deliver(stripe_server, client, events)
    captures = stripe_server.requests_to(rf"/v1/payment_intents/{payment.provider_id}/capture$", "POST")
    assert len(captures) == 1
    assert ProviderEvent.objects.count() == len({e["id"] for e in events})
    payment.refresh_from_db()
    assert payment.state == Payment.State.CAPTURED


def test_a_forged_webhook_is_refused(world, card, reader, stripe_server, client):
    body = json.dumps({"id": "evt_forged", "type": "payment_intent.succeeded", "data": {"object": {}}})
    answer = client.post(
        "/api/billing/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE="t=1,v1=00"
    )
    assert answer.status_code == 400
    assert not ProviderEvent.objects.exists()


def test_without_webhooks_the_poll_settles_the_payment(world, card, reader, stripe_server, api_as):
    stripe_server.deliver = "none"
    order = table_for_four(world)
    check = first_check(order, world)
    api = api_as(world.waiter)
    started = api.post(
        f"/api/billing/checks/{check.pk}/payments/card/", {"reader": reader.pk, "client_uuid": str(uuid.uuid4())}
    )
    assert started.status_code == 200, started.json()
    payment_id = started.json()["id"]
    assert api.post(f"/api/billing/payments/{payment_id}/").json()["state"] == "pending"
    stripe_server.present_card(reader.stripe_id, tip=150)
    assert api.get(f"/api/billing/payments/{payment_id}/").json()["state"] == "pending"  # a read asks no one
    body = api.post(f"/api/billing/payments/{payment_id}/").json()
    assert (body["state"], body["tip"], body["check_status"]) == ("captured", 150, "closed")


def test_a_declined_card_fails_clearly_and_leaves_the_check_open(world, card, reader, stripe_server, client):
    order = table_for_four(world)
    check = first_check(order, world)
    payment = services.start_card_payment(check=check, reader=reader, by=world.waiter)
    stripe_server.present_card(reader.stripe_id, number="4000000000000002")
    deliver(stripe_server, client)
    payment.refresh_from_db()
    assert payment.state == Payment.State.FAILED
    assert payment.failure_message == "The card was declined."
    assert Check.objects.get(pk=check.pk).status == Check.Status.OPEN
    # The whole amount is free again for the next try.
    again = services.start_card_payment(check=check, reader=reader, by=world.waiter)
    assert again.state == Payment.State.PENDING and again.amount == 7850


def test_the_guest_cancels_on_the_reader(world, card, reader, stripe_server, client):
    order = table_for_four(world)
    payment = services.start_card_payment(check=first_check(order, world), reader=reader, by=world.waiter)
    stripe_server.customer_cancels(reader.stripe_id)
    deliver(stripe_server, client)
    payment.refresh_from_db()
    assert payment.state == Payment.State.FAILED
    assert payment.failure_message == "The guest cancelled on the reader."


def test_a_busy_or_offline_reader_is_told_to_the_waiter(world, card, reader, stripe_server):
    other = Order.objects.get(pk=table_for_four(world, table=world.tables[1]).pk)
    services.start_card_payment(check=first_check(other, world), reader=reader, by=world.waiter)
    order = table_for_four(world)
    busy = services.start_card_payment(check=first_check(order, world), reader=reader, by=world.waiter)
    assert busy.state == Payment.State.FAILED
    assert busy.failure_message == "The card reader is busy with another payment."
    stripe_server.set_reader_status(reader.stripe_id, "offline")
    offline_reader = CardReader.objects.create(
        outlet=world.outlet, label="Terrace", stripe_id=stripe_server.add_reader(status="offline")
    )
    offline = services.start_card_payment(check=first_check(order, world), reader=offline_reader, by=world.waiter)
    assert offline.failure_message == "The card reader is offline: check its power and Wi-Fi."
    assert stripe_server.payment_intent(offline.provider_id)["status"] == "canceled"


def test_cancel_from_the_tablet_frees_the_reader_and_the_amount(world, card, reader, stripe_server, api_as):
    order = table_for_four(world)
    check = first_check(order, world)
    payment = services.start_card_payment(check=check, reader=reader, by=world.waiter)
    answer = api_as(world.waiter).post(f"/api/billing/payments/{payment.pk}/cancel/")
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled"
    assert stripe_server.reader(reader.stripe_id)["action"] is None or (
        stripe_server.reader(reader.stripe_id)["action"]["status"] != "in_progress"
    )
    assert stripe_server.payment_intent(payment.provider_id)["status"] == "canceled"
    # The card that is presented now finds nothing to pay.
    with pytest.raises(Exception):  # noqa: B017 - the simulator refuses: no action on the reader
        stripe_server.present_card(reader.stripe_id)
    payment.refresh_from_db()
    assert payment.state == Payment.State.CANCELLED


def test_two_readers_racing_on_one_check_never_over_collect(world, card, reader, stripe_server):
    order = table_for_four(world)
    check = first_check(order, world)
    second = CardReader.objects.create(outlet=world.outlet, label="Second", stripe_id=stripe_server.add_reader())
    services.start_card_payment(check=check, reader=reader, by=world.waiter, amount=5000)
    with pytest.raises(ValidationError):
        services.start_card_payment(check=check, reader=second, by=world.waiter, amount=5000)
    rest = services.start_card_payment(check=check, reader=second, by=world.waiter)
    assert rest.amount == 2850


def test_the_payment_intent_key_is_derived_from_our_payment_row(world, card, reader, stripe_server):
    order = table_for_four(world)
    payment = services.start_card_payment(check=first_check(order, world), reader=reader, by=world.waiter)
    created = stripe_server.requests_to(r"/v1/payment_intents$", "POST")
    assert len(created) == 1
    assert created[0].idempotency_key == f"tafel-payment-{payment.client_uuid}-create"
    assert created[0].params["allowed_payment_method_types"] == ["card_present"]


def test_a_timed_out_card_payment_is_cancelled(world, card, reader, stripe_server, settings):
    settings.CARD_PAYMENT_TIMEOUT = 0
    order = table_for_four(world)
    payment = services.start_card_payment(check=first_check(order, world), reader=reader, by=world.waiter)
    payment = services.settle_card_payment(payment=payment)
    assert payment.state == Payment.State.CANCELLED
    assert payment.failure_message == "No card was presented in time."
