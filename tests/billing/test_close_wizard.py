"""The close of day wizard: each kind of blocker appears in `close_blockers` and clears through its button.

Built on the busy day of test_reports (an open drawer, an open order), with a card
payment under way, a room charge the hotel never answered and a failed print job,
all made through the real services.
"""

import pytest

from billing import services
from billing.models import BusinessDay, CardReader, DrawerSession, Payment, Tender
from billing.selectors import close_blockers
from pms_integration import services as pms_services
from pms_integration.models import FolioEntry, Posting
from printing.models import Printer, PrintJob
from printing.services import deliver_print_job, queue_print_job
from tests.billing.conftest import checks_of, dinner
from tests.pms.conftest import hotel  # noqa: F401  (the built-in ledger's hotel, a fixture)
from tests.printing.printer_server import FakePrinter


@pytest.fixture
def card_under_way(world, busy_day):
    """A card payment the reader has not answered, as `start_card_payment` leaves it."""
    card = Tender.objects.create(name="Card", kind=Tender.Kind.CARD)
    order = dinner(world, table=4, waiter=world.waiter, covers=2, lines=[(world.soup, 1, 1)])
    reader = CardReader.objects.create(outlet=world.outlet, label="Reader 1", stripe_id="tmr_test")
    return Payment.objects.create(
        guest_check=checks_of(order)[0], tender=card, amount=750, reader=reader, by=world.waiter
    )


@pytest.fixture
def unanswered_room_charge(world, busy_day, hotel, monkeypatch):  # noqa: F811
    """A room charge sent to the hotel with no answer: its payment waits, the posting is unknown.

    The charge goes through `charge_to_room`; its delivery is left to the link (as a FIAS
    link process would take it), which marks it sent and then unanswered.
    """
    from billing.services import room_charges

    monkeypatch.setattr(room_charges.pms_services, "dispatch_posting", lambda *, posting: None)
    order = dinner(world, table=5, waiter=world.waiter, covers=1, lines=[(world.salad, 1, 1)])
    payment = services.charge_to_room(
        check=checks_of(order)[0], room="214", guest_id=str(hotel.daniel.pk), by=world.waiter
    )
    monkeypatch.undo()
    pms_services.mark_sent(posting_id=payment.posting_id)
    posting = pms_services.mark_unknown(posting_id=payment.posting_id, note="no answer")
    assert posting.state == Posting.State.UNKNOWN and Payment.objects.get(pk=payment.pk).state == "pending"
    return posting


@pytest.fixture
def failed_print_job(world, settings):
    """A receipt the printer never took: the printer was off and no retry was left."""
    settings.PRINTER_TIMEOUT = 0.2
    settings.PRINT_RETRY_DELAYS = []
    server = FakePrinter("off").start()
    printer = Printer.objects.create(outlet=world.outlet, name="Kassa", host="127.0.0.1", port=server.port)
    job = queue_print_job(printer=printer, payload=b"\x1b@receipt", title="Check 1-1", source="billing.check:1")
    job = deliver_print_job(job_id=job.pk)
    assert job.state == PrintJob.State.FAILED
    yield job
    server.stop()


def test_close_blockers_lists_every_kind_in_five_queries(
    world, busy_day, card_under_way, unanswered_room_charge, failed_print_job, django_assert_num_queries
):
    day = BusinessDay.objects.get(closed_at__isnull=True)
    room_order = Payment.objects.get(posting=unanswered_room_charge).guest_check.order_id
    open_orders = sorted([busy_day["d"].pk, card_under_way.guest_check.order_id, room_order])
    with django_assert_num_queries(5):
        blockers = close_blockers(day=day)
        assert [d.outlet.name for d in blockers.drawers] == ["Bistro"]
        assert [o.pk for o in blockers.open_orders] == open_orders
        assert {(o.outlet.name, str(o.waiter)) for o in blockers.open_orders} == {
            ("Bistro", "Bram"),
            ("Bistro", "Anna"),
        }
        assert [p.pk for p in blockers.card_payments] == [card_under_way.pk]
        assert [(p.pk, p.payment_waiting) for p in blockers.room_charges] == [(unanswered_room_charge.pk, True)]
        assert [j.pk for j in blockers.print_jobs] == [failed_print_job.pk]
    assert blockers.blocking and blockers.anything
    assert close_blockers(day=None).anything is False


def test_each_blocker_clears_through_its_button_and_then_the_z_closes(
    world, busy_day, card_under_way, unanswered_room_charge, failed_print_job, client
):
    client.force_login(world.manager)
    page = client.get("/manager/day/close/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-action="close-day" disabled' in html
    for action in ("count-drawer", "open-bill", "check-card", "cancel-card", "confirm-room-charge", "retry-print"):
        assert f'data-action="{action}"' in html, action

    # The drawer: a blind count of 5.00 short, then the variance is shown.
    drawer = DrawerSession.objects.get(closed_at__isnull=True)
    expected = services.expected_cash(drawer)
    counted = expected - 500
    done = client.post(
        "/manager/day/close/count-drawer/", {"id": drawer.pk, "counted": f"{counted // 100}.{counted % 100:02d}"}
    )
    assert done.status_code == 302 and done.url == f"/manager/day/close/?done=count-drawer#drawer-{drawer.pk}"
    drawer.refresh_from_db()
    assert (drawer.counted, drawer.expected, drawer.variance) == (counted, expected, -500)
    wizard = client.get(done.url)
    assert wizard.context["blockers"].drawers == []
    assert "-€ 5.00" in wizard.content.decode() or "-€5.00" in wizard.content.decode()

    # The card payment: cancelled at the close.
    cancelled = client.post("/manager/day/close/cancel-card/", {"id": card_under_way.pk})
    assert cancelled.status_code == 302, cancelled.content.decode()[:500]
    assert Payment.objects.get(pk=card_under_way.pk).state == Payment.State.CANCELLED
    assert client.get("/manager/day/close/").context["blockers"].card_payments == []

    # The room charge: found on the folio, so the payment counts.
    confirmed = client.post("/manager/day/close/confirm-room-charge/", {"id": unanswered_room_charge.pk})
    assert confirmed.status_code == 302
    assert Posting.objects.get(pk=unanswered_room_charge.pk).state == Posting.State.POSTED
    assert Payment.objects.get(posting=unanswered_room_charge).state == Payment.State.CAPTURED

    # The failed print job: sent again (queued once more).
    again = client.post("/manager/day/close/retry-print/", {"id": failed_print_job.pk})
    assert again.status_code == 302
    assert PrintJob.objects.get(pk=failed_print_job.pk).state == PrintJob.State.QUEUED

    # Only the open orders are left: the Z button is enabled and asks to carry them over.
    wizard = client.get("/manager/day/close/")
    blockers = wizard.context["blockers"]
    assert not blockers.blocking and len(blockers.open_orders) == 2
    html = wizard.content.decode()
    assert 'data-action="close-day" disabled' not in html and 'name="carry_over_open_orders"' in html
    refused = client.post("/manager/day/close/")
    assert refused.status_code == 400 and "2 orders are still open" in refused.content.decode()
    closed = client.post("/manager/day/close/", {"carry_over_open_orders": "1"})
    day = BusinessDay.objects.get(z_number=1)
    assert closed.status_code == 302 and closed.url == f"/manager/day/{day.date.isoformat()}/closed/"
    assert day.report["open_orders"] == 2


def test_a_bad_or_stale_button_is_a_4xx_naming_the_field_and_only_managers_may_press(world, busy_day, client):
    client.force_login(world.manager)
    drawer = DrawerSession.objects.get(closed_at__isnull=True)
    for counted in ("", "abc", "-1", "1.234", "NaN", "Infinity", "1e99"):
        page = client.post("/manager/day/close/count-drawer/", {"id": drawer.pk, "counted": counted})
        assert page.status_code == 400 and "Type the amount counted" in page.content.decode(), counted
    stale = client.post("/manager/day/close/check-card/", {"id": "999999"})
    assert stale.status_code == 400 and "no longer waiting" in stale.content.decode()
    assert client.post("/manager/day/close/cancel-card/", {"id": "x"}).status_code == 400
    assert client.post("/manager/day/close/no-such-step/", {}).status_code == 404
    assert client.get("/manager/day/close/count-drawer/").status_code == 405
    assert DrawerSession.objects.get(pk=drawer.pk).closed_at is None

    client.force_login(world.waiter)
    assert client.get("/manager/day/close/").status_code == 403
    assert client.post("/manager/day/close/count-drawer/", {"id": drawer.pk, "counted": "1.00"}).status_code == 403
    client.logout()
    assert client.get("/manager/day/close/").status_code == 302


@pytest.mark.parametrize("action", ["ask-the-hotel", "retry-room-charge"])
def test_an_unanswered_room_charge_is_asked_again_or_sent_again_and_then_posted_once(
    world, busy_day, unanswered_room_charge, client, action
):
    client.force_login(world.manager)
    # "Not on the folio: send again" says the folio was checked; asking the hotel needs no such word.
    done = client.post(f"/manager/day/close/{action}/", {"id": unanswered_room_charge.pk, "checked_folio": "1"})
    assert done.status_code == 302, done.content.decode()[:300]
    posting = Posting.objects.get(pk=unanswered_room_charge.pk)
    if posting.state == Posting.State.QUEUED:  # back in the queue: the ledger takes it on its next delivery
        pms_services.deliver_posting(posting_id=posting.pk)
    assert Posting.objects.get(pk=posting.pk).state == Posting.State.POSTED
    assert FolioEntry.objects.filter(posting=posting).count() == 1, "on the folio once"
    assert Payment.objects.get(posting=posting).state == Payment.State.CAPTURED
    assert close_blockers(day=BusinessDay.objects.get(closed_at__isnull=True)).room_charges == []
