"""A request killed mid-way (kill -9 of its daphne) and retried with its Idempotency-Key.

The retry must get its answer within seconds (not a 409 for a minute), and the action
must be applied exactly once, also for actions with no client UUID of their own:
refunds, discounts and cash movements.

The first request is held inside its view by a row lock this test takes (a second
database connection holding the row the service locks; on SQLite the write lock),
then its daphne is killed, the lock released, another daphne started on the same
database and the request sent again, as a tablet resends what it never heard back about.
"""

import os
import secrets
import signal
import threading
import time
from contextlib import contextmanager

import pytest
import requests
from django.db import connection, transaction
from django.db.models import F

from billing import services
from billing.models import CashMovement, Discount, DrawerSession, Payment, Refund, Tender
from idempotency.models import IdempotentResponse
from orders.models import Order
from staff.models import User
from tests.billing.test_checks import table_for_four
from tests.e2e.conftest import daphne_process, free_port

MANAGER_PIN = "9999"
RETRY_WITHIN_S = 10


@pytest.fixture
def till(world, settings):
    """An open drawer, a captured cash payment, an unpaid check: committed."""
    # daphne checks PINs with the real hasher; the suite's fast one is unknown to it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    manager = User.objects.get(pk=world.manager.pk)
    manager.set_pin(MANAGER_PIN)
    manager.save(update_fields=["pin_hash"])
    drawer = services.open_drawer(outlet=world.outlet, opening_float=10000, by=world.manager)
    cash = Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)
    order = table_for_four(world)
    services.open_bill(order=order, by=world.waiter)
    payment = services.pay_cash(check=order.checks.get(), tender=cash, cash_given=2000, amount=1000, by=world.waiter)
    assert payment.state == Payment.State.CAPTURED
    # A check with a payment takes no discount: the discount goes to another table's.
    unpaid = table_for_four(world, table=world.tables[1])
    services.open_bill(order=unpaid, by=world.waiter)
    return {"drawer": drawer, "order": unpaid, "check": unpaid.checks.get(), "payment": payment, "manager": manager}


def signed_in(base_url: str, manager: User) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{base_url}/api/staff/pin-sign-in/", json={"user": manager.pk, "pin": MANAGER_PIN})
    assert answer.status_code == 200, answer.text
    # Django accepts a CSRF secret it did not hand out, as long as cookie and header agree.
    token = secrets.token_hex(16)
    session.cookies.set("csrftoken", token)
    session.headers.update({"X-CSRFToken": token, "Referer": base_url + "/"})
    return session


ACTIONS = {
    "refund": {
        "path": lambda till: f"/api/billing/payments/{till['payment'].pk}/refunds/",
        "body": lambda till: {
            "amount": 500,
            "reason": "Cold soup",
            "approver": till["manager"].pk,
            "approver_pin": MANAGER_PIN,
        },
        "locked": lambda till: Payment.objects.filter(pk=till["payment"].pk),
        "applied": lambda till: Refund.objects.filter(payment=till["payment"]).count(),
    },
    "discount": {
        "path": lambda till: f"/api/billing/checks/{till['check'].pk}/discounts/",
        "body": lambda till: {"percent": "10", "reason": "Birthday"},
        "locked": lambda till: Order.objects.filter(pk=till["order"].pk),
        "applied": lambda till: Discount.objects.filter(order=till["order"]).count(),
    },
    "cash movement": {
        "path": lambda till: f"/api/billing/drawers/{till['drawer'].pk}/movements/",
        "body": lambda till: {"kind": "pay_out", "amount": 1500, "reason": "Flowers"},
        "locked": lambda till: DrawerSession.objects.filter(pk=till["drawer"].pk),
        "applied": lambda till: CashMovement.objects.filter(session=till["drawer"]).count(),
    },
}


@contextmanager
def row_locked(rows):
    """Hold the rows' lock (SQLite: the database's write lock) until the block ends."""
    with transaction.atomic():
        list(rows.select_for_update())
        if connection.vendor == "sqlite":
            # SQLite has no row locks: a write takes the write lock every writer waits for.
            rows.update(id=F("id"))
        yield


def wait_for_a_waiting_query(timeout: float = 15) -> None:
    """PostgreSQL: until some backend waits on a lock (the held request reached its service)."""
    if connection.vendor != "postgresql":
        time.sleep(1.5)  # SQLite shows no one waiting; the request is held at its first write
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail("the first request never reached the locked row")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_retry_after_the_server_died_mid_request_is_answered_and_applied_once(till, action):
    spec = ACTIONS[action]
    path, body, key = spec["path"](till), spec["body"](till), f"crash-{action}"
    port = free_port()

    base_url = f"http://127.0.0.1:{port}"
    with daphne_process(f"idempotency-crash-{action}-first", port) as (first_server, _url):
        session = signed_in(base_url, till["manager"])
        outcome: dict = {}

        def first_request():
            try:
                outcome["answer"] = session.post(
                    base_url + path, json=body, headers={"Idempotency-Key": key}, timeout=60
                )
            except requests.RequestException as error:
                outcome["error"] = error

        sender = threading.Thread(target=first_request)
        with row_locked(spec["locked"](till)):
            sender.start()
            wait_for_a_waiting_query()
            os.killpg(first_server.pid, signal.SIGKILL)  # kill -9, mid-request
            sender.join(timeout=30)
        assert "error" in outcome, f"the first request was answered: {outcome}"

    assert spec["applied"](till) == 0
    with daphne_process(f"idempotency-crash-{action}-second", port):
        started = time.monotonic()
        answers = []
        while time.monotonic() - started < RETRY_WITHIN_S:
            answer = session.post(base_url + path, json=body, headers={"Idempotency-Key": key}, timeout=RETRY_WITHIN_S)
            answers.append(answer.status_code)
            if answer.status_code != 409:
                break
            time.sleep(0.5)  # the tablet's outbox retries while it is told "still running"
        assert answers[-1] == 200, (answers, answer.text)
        again = session.post(base_url + path, json=body, headers={"Idempotency-Key": key}, timeout=RETRY_WITHIN_S)
        assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"

    assert spec["applied"](till) == 1
    assert IdempotentResponse.objects.get(key=key).status_code == 200
