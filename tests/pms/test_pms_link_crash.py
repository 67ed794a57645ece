"""`manage.py pms_link` killed with SIGKILL while the PMS still owes an answer.

Real processes: the link processes are `manage.py pms_link` subprocesses on the test
database; this process plays the web side (it charges, reads the link's state and the
front desk's list). The lease and heartbeat are made small through the environment.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from billing import services
from billing.models import Payment
from pms_integration import services as pms_services
from pms_integration.fias.adapter import FiasAdapter
from pms_integration.models import Interface, LinkState, Posting
from tests.billing.test_checks import first_check, table_for_four
from tests.pms.fias_simulator import FiasPms
from tests.pms.test_fias_link import eventually, posting_state
from tests.printing.test_worker_process import PROJECT_ROOT, shared_database_url

LEASE = 3.0  # seconds; production's default is 10
SHOWS_DOWN_WITHIN = 15.0  # what the front desk may wait at most to see a dead link as down


@pytest.fixture
def on_fias(transactional_db, world, hotel, settings):
    settings.PMS_LINK_LEASE = LEASE  # this process judges the heartbeat by the same lease
    pms = FiasPms()
    pms.add_guest(room="214", reservation="5001", name="Okafor, Daniel Mr.")
    pms.start()
    link = hotel.link
    link.interface, link.host, link.port = Interface.FIAS, pms.host, pms.port
    link.posting_timeout = 120  # the link process itself would wait this long for the answer
    link.save()
    processes: list[subprocess.Popen] = []

    def start_process() -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": shared_database_url(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PMS_LINK_LEASE": str(LEASE),
            "PMS_LINK_HEARTBEAT": "0.5",
        }
        process = subprocess.Popen(
            [sys.executable, "manage.py", "pms_link", "--hotel", hotel.hotel.code],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        return process

    link.start_process = start_process
    link.pms = pms
    yield link
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()
    pms.stop()


def owned_by(link, process) -> LinkState | None:
    return LinkState.objects.filter(link=link, state=LinkState.State.UP, owner__endswith=f":{process.pid}").first()


def charge_left_sent(world, link) -> Payment:
    """A charge the PMS posts and never answers: the link process waits for the PA."""
    link.pms.hold_answer_to_next_posting(accept=True)
    check = first_check(table_for_four(world), world)
    payment = services.charge_to_room(check=check, room="214", guest_id="5001", by=world.waiter)
    eventually(lambda: posting_state(payment.posting_id) == "sent", timeout=20, message="sent")
    eventually(lambda: len(link.pms.accepted) == 1, message="on the folio")
    return payment


def front_desk_page(client, hotel) -> dict:
    """What the front desk's page loads: the day's postings, problems first, and the links."""
    client.force_login(hotel.front_desk)
    answer = client.get("/api/pms/postings/")
    assert answer.status_code == 200, answer.content
    return answer.json()


def front_desk_link_state(client, hotel) -> str:
    [link] = [report for report in front_desk_page(client, hotel)["links"] if report["hotel"] == hotel.hotel.name]
    return link["state"]


def test_a_killed_link_process_shows_down_and_the_next_one_hands_its_posting_to_the_front_desk(
    world, hotel, on_fias, client
):
    link = on_fias
    first = link.start_process()
    eventually(lambda: owned_by(link, first), timeout=20, message="first process up")
    payment = charge_left_sent(world, link)

    first.send_signal(signal.SIGKILL)
    first.wait()
    died = time.monotonic()
    # The front desk sees the link down from the heartbeat's age, though the row still says "up".
    eventually(lambda: front_desk_link_state(client, hotel) == "down", timeout=SHOWS_DOWN_WITHIN, message="shown down")
    assert time.monotonic() - died < SHOWS_DOWN_WITHIN
    assert LinkState.objects.get(link=link).state == LinkState.State.UP  # what the dead process last wrote
    assert not FiasAdapter().is_reachable(link)

    # The next process takes the link over and hands the unanswered posting to the front desk.
    second = link.start_process()
    eventually(lambda: posting_state(payment.posting_id) == "unknown", timeout=LEASE + 10, message="unknown")
    posting = Posting.objects.get(pk=payment.posting_id)
    assert "check the folio" in posting.answer_text
    first_on_the_list = front_desk_page(client, hotel)["postings"][0]
    assert (first_on_the_list["id"], first_on_the_list["state"]) == (posting.pk, "unknown")
    waiting = Payment.objects.get(pk=payment.pk)
    assert waiting.state == Payment.State.PENDING and "front desk" in waiting.failure_message
    eventually(lambda: owned_by(link, second), timeout=20, message="second process up")
    assert front_desk_link_state(client, hotel) == "up"
    time.sleep(1)
    assert len(link.pms.accepted) == 1  # never sent again without a person

    # The front desk finds it on the folio: the payment is captured and says so, not "No answer".
    pms_services.confirm_posted(posting=posting, by=hotel.front_desk, note="on the folio")
    captured = Payment.objects.get(pk=payment.pk)
    assert (captured.state, captured.provider_status, captured.failure_message) == ("captured", "posted", "")


def test_a_standing_by_process_takes_over_a_killed_one_within_the_lease(world, hotel, on_fias):
    link = on_fias
    first = link.start_process()
    eventually(lambda: owned_by(link, first), timeout=20, message="first process up")
    standby = link.start_process()  # refused while the first one is alive
    payment = charge_left_sent(world, link)
    assert owned_by(link, first)

    first.send_signal(signal.SIGKILL)
    first.wait()
    died = time.monotonic()
    # Once the lease has run out (plus the standby's look every quarter lease, and slack for a busy
    # machine); the dead process itself would have waited the posting timeout, 120 s.
    eventually(lambda: posting_state(payment.posting_id) == "unknown", timeout=LEASE * 5, message="unknown")
    assert time.monotonic() - died < LEASE * 5
    eventually(lambda: owned_by(link, standby), timeout=20, message="standby took over")
    assert len(link.pms.accepted) == 1
