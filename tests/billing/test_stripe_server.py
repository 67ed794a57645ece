"""The local Stripe (stripe_server.py), driven by the real stripe-python 16 client.

These tests pin down what production code can rely on when it talks to StripeServer
through `stripe.StripeClient(api_key, base_addresses={"api": server.url})`.
"""

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from tests.billing.stripe_server import FIXTURES_PATH, StripeApiError, StripeServer, parse_params

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


@pytest.fixture
def server():
    with StripeServer() as running:
        yield running


@pytest.fixture
def client(server):
    return stripe.StripeClient(server.api_key, base_addresses={"api": server.url})


@pytest.fixture
def reader(server):
    return server.add_reader(label="Bar")


def create_intent(client, amount=1500, capture_method="manual", **extra):
    params = {
        "amount": amount,
        "currency": "eur",
        "allowed_payment_method_types": ["card_present"],
        "capture_method": capture_method,
        **extra,
    }
    return client.v1.payment_intents.create(params=params)


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


class WebhookReceiver:
    """A tiny HTTP endpoint that keeps every POST (body and Stripe-Signature) it receives."""

    def __init__(self):
        self.received: list[tuple[bytes, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((body, self.headers["Stripe-Signature"]))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                """Quiet: no stderr line per webhook received."""

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/webhooks/stripe"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def verified_events(self, secret):
        return [stripe.Webhook.construct_event(body, signature, secret) for body, signature in self.received]

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def receiver():
    endpoint = WebhookReceiver()
    yield endpoint
    endpoint.close()


# -- the fixtures file ------------------------------------------------------------------------


def test_the_stripe_sample_objects_are_in_the_repository():
    assert FIXTURES_PATH.name == "stripe_fixtures.json"
    assert FIXTURES_PATH.is_file()
    assert "terminal.reader" in json.loads(FIXTURES_PATH.read_text())["resources"]


def test_form_parameters_decode_like_stripe_python_encodes_them():
    pairs = [
        ("amount", "1500"),
        ("allowed_payment_method_types[0]", "card_present"),
        ("process_config[tipping][amount_eligible]", "1500"),
        ("metadata[order]", "42"),
        ("expand[]", "latest_charge"),
    ]
    assert parse_params(pairs) == {
        "amount": "1500",
        "allowed_payment_method_types": ["card_present"],
        "process_config": {"tipping": {"amount_eligible": "1500"}},
        "metadata": {"order": "42"},
        "expand": ["latest_charge"],
    }


# -- the payment flow ----------------------------------------------------------------------------


def test_happy_path_with_tip_and_manual_capture(server, client, reader):
    intent = create_intent(client, amount=1500, metadata={"order": "42"})
    assert intent.status == "requires_payment_method"
    assert intent.payment_method_types == ["card_present"]

    on_reader = client.v1.terminal.readers.process_payment_intent(
        reader, params={"payment_intent": intent.id, "process_config": {"tipping": {"amount_eligible": 1500}}}
    )
    assert on_reader.action.type == "process_payment_intent"
    assert on_reader.action.status == "in_progress"
    assert on_reader.action.process_payment_intent.payment_intent == intent.id
    # The PaymentIntent waits for the card in requires_payment_method (Stripe: "processing the
    # payment happens asynchronously").
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"

    tapped = client.v1.test_helpers.terminal.readers.present_payment_method(
        reader, params={"card_present": {"number": GOOD_CARD}, "amount_tip": 300}
    )
    assert tapped.action.status == "succeeded"

    authorized = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge"]})
    assert authorized.status == "requires_capture"
    assert authorized.amount == 1800
    assert authorized.amount_details.tip.amount == 300
    assert authorized.amount_capturable == 1800
    assert authorized.latest_charge.amount == 1800
    assert authorized.latest_charge.captured is False
    assert authorized.latest_charge.payment_method_details.card_present.last4 == "4242"

    captured = client.v1.payment_intents.capture(intent.id)
    assert captured.status == "succeeded"
    assert captured.amount_received == 1800
    assert captured.metadata.to_dict() == {"order": "42"}

    assert server.event_types() == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
        "terminal.reader.action_succeeded",
        "charge.captured",
        "payment_intent.succeeded",
    ]


def test_automatic_capture_succeeds_on_the_tap_and_an_untipped_intent_has_an_empty_tip(client, reader):
    intent = create_intent(client, capture_method="automatic")
    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
    client.v1.test_helpers.terminal.readers.present_payment_method(reader)

    paid = client.v1.payment_intents.retrieve(intent.id)
    assert paid.status == "succeeded"
    assert paid.amount_received == 1500
    # Stripe sends "tip": {} without a tip: reading .amount on it raises AttributeError.
    assert "amount" not in paid.amount_details.tip
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.capture(intent.id)
    assert refused.value.code == "payment_intent_unexpected_state"


def test_declined_card_fails_the_action_and_the_same_intent_takes_another_card(server, client, reader):
    intent = create_intent(client)
    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})

    declined = client.v1.test_helpers.terminal.readers.present_payment_method(
        reader, params={"card_present": {"number": DECLINED_CARD}}
    )
    assert declined.action.status == "failed"
    assert declined.action.failure_code == "card_declined"
    assert declined.action.failure_message == "Your card was declined."
    assert declined.action.api_error.type == "card_error"

    again = client.v1.payment_intents.retrieve(intent.id)
    assert again.status == "requires_payment_method"
    assert again.last_payment_error.code == "card_declined"
    assert again.last_payment_error.decline_code == "generic_decline"
    assert server.event_types()[-3:] == [
        "charge.failed",
        "payment_intent.payment_failed",
        "terminal.reader.action_failed",
    ]

    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
    server.present_card(reader, GOOD_CARD)
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_capture"


def test_a_busy_reader_refuses_a_second_payment_until_the_action_is_canceled(client, reader):
    first, second = create_intent(client), create_intent(client)
    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": first.id})

    with pytest.raises(stripe.InvalidRequestError) as busy:
        client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": second.id})
    assert busy.value.http_status == 400
    assert busy.value.code == "terminal_reader_busy"

    canceled = client.v1.terminal.readers.cancel_action(reader)
    assert canceled.action is None
    assert client.v1.payment_intents.retrieve(first.id).status == "requires_payment_method"
    on_reader = client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": second.id})
    assert on_reader.action.status == "in_progress"


def test_an_offline_reader_refuses_with_terminal_reader_offline(server, client, reader):
    intent = create_intent(client)
    server.set_reader_status(reader, "offline")

    with pytest.raises(stripe.InvalidRequestError) as offline:
        client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
    assert offline.value.code == "terminal_reader_offline"
    assert client.v1.terminal.readers.retrieve(reader).status == "offline"


def test_an_authorized_intent_cannot_be_processed_again(server, client, reader):
    intent = create_intent(client)
    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
    server.present_card(reader)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
    assert refused.value.code == "intent_invalid_state"


def test_the_customer_cancels_on_the_reader(server, client, reader):
    intent = create_intent(client)
    client.v1.terminal.readers.process_payment_intent(
        reader, params={"payment_intent": intent.id, "process_config": {"enable_customer_cancellation": True}}
    )
    server.customer_cancels(reader)

    after = client.v1.terminal.readers.retrieve(reader)
    assert after.action.status == "failed"
    assert after.action.failure_code == "customer_canceled"
    assert after.action.api_error is None
    assert server.event_types()[-1] == "terminal.reader.action_failed"
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"


def test_auto_present_pays_without_a_helper_call(server, client, reader):
    server.auto_present = (GOOD_CARD, 200, 0.01)
    intent = create_intent(client)
    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})

    assert wait_until(lambda: client.v1.terminal.readers.retrieve(reader).action.status == "succeeded")
    authorized = client.v1.payment_intents.retrieve(intent.id)
    assert (authorized.status, authorized.amount) == ("requires_capture", 1700)


def test_cancel_releases_an_authorization_and_a_succeeded_intent_cannot_be_canceled(server, client, reader):
    held, paid = create_intent(client), create_intent(client, capture_method="automatic")
    for intent in (held, paid):
        client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
        server.present_card(reader)

    canceled = client.v1.payment_intents.cancel(held.id, params={"cancellation_reason": "abandoned"})
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.cancel(paid.id)
    assert refused.value.code == "payment_intent_unexpected_state"


# -- strictness ----------------------------------------------------------------------------------


def test_payment_method_types_is_refused_on_this_api_version(client):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.create(
            params={"amount": 1500, "currency": "eur", "payment_method_types": ["card_present"]}
        )
    assert refused.value.code == "payment_method_types_no_longer_supported"
    assert refused.value.param == "payment_method_types"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"amount": 1500, "currency": "eur", "tip": 100}, "tip"),
        # The per-call idempotency key belongs in options=, never in params=.
        ({"amount": 1500, "currency": "eur", "idempotency_key": "pay-1"}, "idempotency_key"),
        (
            {"amount": 1500, "currency": "eur", "payment_method_options": {"card_present": {"tip": 1}}},
            "payment_method_options[card_present][tip]",
        ),
    ],
)
def test_unknown_parameters_are_refused_by_name(client, params, name):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.create(params=params)
    assert (refused.value.code, refused.value.param) == ("parameter_unknown", name)
    assert name in refused.value.user_message


def test_nested_unknown_and_missing_parameters_on_the_reader(client, reader):
    intent = create_intent(client)
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.terminal.readers.process_payment_intent(
            reader, params={"payment_intent": intent.id, "process_config": {"tipping": {"percentages": [5]}}}
        )
    assert unknown.value.param == "process_config[tipping][percentages]"

    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.terminal.readers.process_payment_intent(reader, params={})
    assert (missing.value.code, missing.value.param) == ("parameter_missing", "payment_intent")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"amount": 0, "currency": "eur"}, "parameter_invalid_integer"),
        ({"amount": 20, "currency": "eur"}, "amount_too_small"),
        ({"amount": "12.50", "currency": "eur"}, "parameter_invalid_integer"),
        ({"currency": "eur"}, "parameter_missing"),
    ],
)
def test_amounts_must_be_positive_integers_above_the_minimum(client, params, code):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.create(params={**params, "allowed_payment_method_types": ["card_present"]})
    assert refused.value.code == code


def test_unknown_ids_are_404_in_the_url_and_400_as_a_parameter(client, reader):
    with pytest.raises(stripe.InvalidRequestError) as in_url:
        client.v1.payment_intents.retrieve("pi_missing")
    assert (in_url.value.http_status, in_url.value.code) == (404, "resource_missing")

    with pytest.raises(stripe.InvalidRequestError) as as_param:
        client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": "pi_missing"})
    assert (as_param.value.http_status, as_param.value.param) == (400, "payment_intent")


def test_a_wrong_api_key_is_a_401(server):
    wrong = stripe.StripeClient("sk_test_not_the_key", base_addresses={"api": server.url})
    with pytest.raises(stripe.AuthenticationError) as refused:
        wrong.v1.terminal.readers.list()
    assert refused.value.http_status == 401
    assert refused.value.json_body["error"]["type"] == "invalid_request_error"


def test_every_answer_carries_a_request_id_even_without_a_key(server):
    request = urllib.request.Request(f"{server.url}/v1/terminal/readers")
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5)
    assert answer.value.code == 401
    assert answer.value.headers["Request-Id"].startswith("req_")
    assert "You did not provide an API key" in json.loads(answer.value.read())["error"]["message"]


# -- idempotency ---------------------------------------------------------------------------------


def test_the_same_idempotency_key_and_parameters_replay_the_first_answer(server, client):
    params = {"amount": 1500, "currency": "eur", "allowed_payment_method_types": ["card_present"]}
    first = client.v1.payment_intents.create(params=params, options={"idempotency_key": "payment-7-attempt-1"})
    again = client.v1.payment_intents.create(params=params, options={"idempotency_key": "payment-7-attempt-1"})

    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert again.last_response.headers["Original-Request"] == first.last_response.request_id
    assert again.last_response.idempotency_key == "payment-7-attempt-1"
    assert server.event_types() == ["payment_intent.created"]
    assert [r.idempotency_key for r in server.requests_to("/v1/payment_intents$")] == ["payment-7-attempt-1"] * 2


def test_the_same_idempotency_key_with_other_parameters_is_an_idempotency_error(client):
    params = {"amount": 1500, "currency": "eur", "allowed_payment_method_types": ["card_present"]}
    client.v1.payment_intents.create(params=params, options={"idempotency_key": "payment-8"})

    with pytest.raises(stripe.IdempotencyError) as refused:
        client.v1.payment_intents.create(params={**params, "amount": 1600}, options={"idempotency_key": "payment-8"})
    assert refused.value.http_status == 400
    assert not isinstance(refused.value, stripe.InvalidRequestError)


def test_a_lost_answer_is_recovered_by_retrying_with_the_same_key(server, client):
    params = {"amount": 1500, "currency": "eur", "allowed_payment_method_types": ["card_present"]}
    server.fail_next(r"^/v1/payment_intents$", drop=True, after=True)

    with pytest.raises(stripe.APIConnectionError):
        client.v1.payment_intents.create(params=params, options={"idempotency_key": "payment-9"})
    retried = client.v1.payment_intents.create(params=params, options={"idempotency_key": "payment-9"})

    assert retried.last_response.headers["Idempotent-Replayed"] == "true"
    assert server.event_types() == ["payment_intent.created"]


def test_an_injected_server_error_is_not_saved_under_the_key(server, client):
    params = {"amount": 1500, "currency": "eur", "allowed_payment_method_types": ["card_present"]}
    server.fail_next(r"^/v1/payment_intents$", 500)

    with pytest.raises(stripe.APIError) as failed:
        client.v1.payment_intents.create(params=params, options={"idempotency_key": "payment-10"})
    assert failed.value.http_status == 500
    created = client.v1.payment_intents.create(params=params, options={"idempotency_key": "payment-10"})
    assert "Idempotent-Replayed" not in created.last_response.headers


# -- webhooks ------------------------------------------------------------------------------------


def test_webhooks_are_signed_as_stripe_signs_them(server, client, reader, receiver):
    server.webhook_url = receiver.url
    intent = create_intent(client)
    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
    server.present_card(reader, tip=150)
    assert server.wait_for_deliveries()

    events = receiver.verified_events(server.webhook_secret)
    assert [event.type for event in events] == server.event_types()
    succeeded = events[-1]
    assert succeeded.type == "terminal.reader.action_succeeded"
    assert isinstance(succeeded.data.object, stripe.terminal.Reader)
    assert succeeded.data.object.action.status == "succeeded"
    capturable = events[-2]
    assert isinstance(capturable.data.object, stripe.PaymentIntent)
    assert capturable.data.object.amount_details.tip.amount == 150
    assert {delivery.status for delivery in server.deliveries} == {200}

    body, signature = receiver.received[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_someone_else")


def test_manual_delivery_can_flush_reversed_and_duplicated(server, client, reader, receiver):
    server.webhook_url = receiver.url
    server.deliver = "manual"
    intent = create_intent(client)
    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
    server.present_card(reader)
    assert receiver.received == []

    deliveries = server.flush_events(order="reversed", duplicate=True)

    created = server.event_types()
    assert [delivery.type for delivery in deliveries] == created[::-1] * 2
    events = receiver.verified_events(server.webhook_secret)
    assert [event.id for event in events] == [event["id"] for event in server.events][::-1] * 2
    assert server.flush_events() == []


# -- refunds -------------------------------------------------------------------------------------


def test_refunds_cannot_exceed_the_captured_amount(server, client, reader):
    intent = create_intent(client, amount=1500)
    client.v1.terminal.readers.process_payment_intent(reader, params={"payment_intent": intent.id})
    server.present_card(reader)

    with pytest.raises(stripe.InvalidRequestError) as not_captured:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert not_captured.value.code == "payment_intent_unexpected_state"

    client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 1000})
    first = client.v1.refunds.create(
        params={"payment_intent": intent.id, "amount": 600, "reason": "requested_by_customer"}
    )
    assert (first.status, first.amount, first.payment_intent) == ("succeeded", 600, intent.id)

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 401})
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")

    rest = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert rest.amount == 400
    assert client.v1.refunds.retrieve(rest.id).charge == first.charge
    with pytest.raises(stripe.InvalidRequestError) as nothing_left:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 1})
    assert nothing_left.value.code == "charge_already_refunded"
    assert server.event_types()[-2:] == ["refund.created", "charge.refunded"]


# -- readers list and test controls ----------------------------------------------------------------


def test_readers_list_pages_like_stripe(server, client):
    added = {server.add_reader(label=f"Reader {n}") for n in range(3)}
    page = client.v1.terminal.readers.list(params={"limit": 2})
    assert (len(page.data), page.has_more) == (2, True)
    assert {r.id for r in page.auto_paging_iter()} == added


def test_present_card_without_an_action_is_refused(server, reader):
    with pytest.raises(StripeApiError) as refused:
        server.present_card(reader)
    assert refused.value.status == 400
