"""Never claim a print that did not happen: "Print" on a bill with no receipt printer says so and
queues nothing; a queued bill is followed until the real (TCP) printer took it or it failed; the
printers page says "Every slip is printed." only of a printer that answered and has nothing waiting."""

import pytest

from billing.models import Check, OutletBilling
from printing.models import Printer, PrintJob
from printing.services import queue_print_job
from tests.billing.test_checks import first_check, table_for_four
from tests.printing.printer_server import FakePrinter
from tests.printing.test_delivery import deliver_until_settled, kitchen_payload


@pytest.fixture
def fast_printer_settings(settings):
    settings.PRINTER_TIMEOUT = 0.3
    settings.PRINT_RETRY_DELAYS = [0, 0]


@pytest.fixture
def printer_at(world, fast_printer_settings):
    """printer_at(mode) -> a receipt printer of the outlet at a real TCP fake printer in that mode."""
    servers: list[FakePrinter] = []

    def make(mode: str, **fields) -> Printer:
        server = FakePrinter(mode).start()
        servers.append(server)
        printer = Printer.objects.create(
            outlet=world.outlet, name="Kassa", host="127.0.0.1", port=server.port, **fields
        )
        OutletBilling.objects.update_or_create(outlet=world.outlet, defaults={"receipt_printer": printer})
        return printer

    yield make
    for server in servers:
        server.stop()


def test_print_without_a_receipt_printer_says_so_and_queues_nothing(world, api_as):
    check = first_check(table_for_four(world), world)

    answer = api_as(world.waiter).post(f"/api/billing/checks/{check.pk}/print/")

    assert answer.status_code == 400
    assert answer.json()["printer"] == ["No receipt printer is set up for this outlet."]
    assert not PrintJob.objects.exists()
    assert Check.objects.get(pk=check.pk).bill_printed_at is None


def test_print_on_a_switched_off_receipt_printer_says_so(world, api_as, printer_at):
    printer_at("online", is_active=False)
    check = first_check(table_for_four(world), world)

    answer = api_as(world.waiter).post(f"/api/billing/checks/{check.pk}/print/")

    assert answer.status_code == 400
    assert "switched off" in answer.json()["printer"][0]
    assert not PrintJob.objects.exists()


def test_a_queued_bill_is_sent_then_reported_printed_when_the_printer_took_it(world, api_as, printer_at):
    printer_at("online")
    check = first_check(table_for_four(world), world)
    api = api_as(world.waiter)

    sent = api.post(f"/api/billing/checks/{check.pk}/print/")

    assert sent.status_code == 200
    assert sent.json()["print_job"]["state"] == "queued"
    assert sent.json()["checks"][0]["id"] == check.pk, "the answer is still the whole bill"
    assert sent.json()["checks"][0]["bill_print_state"] == "queued", "the bill says sent, not printed"
    job = PrintJob.objects.get()
    assert deliver_until_settled(job).state == PrintJob.State.PRINTED
    followed = api.get(f"/api/billing/checks/{check.pk}/print/").json()["print_job"]
    assert followed["id"] == job.pk and followed["state"] == "printed"
    bill = api.get(f"/api/billing/orders/{check.order_id}/bill/").json()
    assert bill["checks"][0]["bill_print_state"] == "printed"


def test_a_bill_the_printer_never_took_is_reported_failed(world, api_as, printer_at):
    printer_at("off")
    check = first_check(table_for_four(world), world)
    api = api_as(world.waiter)
    api.post(f"/api/billing/checks/{check.pk}/print/")

    deliver_until_settled(PrintJob.objects.get())

    followed = api.get(f"/api/billing/checks/{check.pk}/print/").json()["print_job"]
    assert followed["state"] == "failed"
    assert followed["last_error"]
    bill = api.get(f"/api/billing/orders/{check.order_id}/bill/").json()
    assert bill["checks"][0]["bill_print_state"] == "failed"


def test_nothing_printed_yet_is_no_print_job(world, api_as):
    check = first_check(table_for_four(world), world)
    assert api_as(world.waiter).get(f"/api/billing/checks/{check.pk}/print/").json() == {"print_job": None}


# ---- the printers page -----------------------------------------------------------------


def printers_page(client, world) -> str:
    client.force_login(world.manager)
    response = client.get("/manager/printers/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_printer_never_heard_from_is_not_every_slip_printed(client, world, fast_printer_settings):
    Printer.objects.create(outlet=world.outlet, name="Bar", host="127.0.0.1", port=9)

    page = printers_page(client, world)

    assert "Every slip is printed." not in page
    assert 'data-queue-state="unheard"' in page
    assert "Not heard from yet" in page


def test_a_printer_with_a_slip_waiting_is_not_every_slip_printed(client, world, printer_at):
    printer = printer_at("online")
    queue_print_job(printer=printer, payload=kitchen_payload(), title="Table 4", source="x:1")

    page = printers_page(client, world)

    assert "Every slip is printed." not in page
    assert "1 slip not printed" in page


def test_a_printer_with_a_failed_slip_is_not_every_slip_printed(client, world, printer_at):
    printer = printer_at("off")
    deliver_until_settled(queue_print_job(printer=printer, payload=kitchen_payload(), title="Table 4", source="x:1"))

    page = printers_page(client, world)

    assert "Every slip is printed." not in page
    assert "Print again" in page


def test_an_offline_printer_with_nothing_waiting_says_it_cannot_print(client, world, printer_at):
    printer = printer_at("online")
    deliver_until_settled(queue_print_job(printer=printer, payload=kitchen_payload(), title="Table 4", source="x:1"))
    Printer.objects.filter(pk=printer.pk).update(status=Printer.Status.OFFLINE)

    page = printers_page(client, world)

    assert "Every slip is printed." not in page
    assert 'data-queue-state="not_ready"' in page


def test_every_slip_printed_only_when_the_printer_answered_and_nothing_waits(client, world, printer_at):
    printer = printer_at("online")
    deliver_until_settled(queue_print_job(printer=printer, payload=kitchen_payload(), title="Table 4", source="x:1"))

    page = printers_page(client, world)

    assert 'data-queue-state="printed"' in page
    assert "Every slip is printed." in page


def test_the_dutch_page_says_so_in_dutch(client, world, fast_printer_settings):
    Printer.objects.create(outlet=world.outlet, name="Bar", host="127.0.0.1", port=9)
    client.force_login(world.manager)

    page = client.get("/manager/printers/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Nog niets van gehoord" in page


def test_the_receipt_without_a_receipt_printer_says_so_and_queues_nothing(world, api_as):
    check = first_check(table_for_four(world), world)

    answer = api_as(world.waiter).post(f"/api/billing/checks/{check.pk}/receipt/")

    assert answer.status_code == 400
    assert answer.json()["printer"] == ["No receipt printer is set up for this outlet."]
    assert not PrintJob.objects.exists()


def test_the_receipt_is_answered_queued_never_printed(world, api_as, printer_at):
    printer_at("online")
    check = first_check(table_for_four(world), world)

    answer = api_as(world.waiter).post(f"/api/billing/checks/{check.pk}/receipt/")

    assert answer.status_code == 200
    assert "printed" not in answer.json()
    assert answer.json()["print_job"]["state"] == "queued"
    assert answer.json()["print_job"]["id"] == PrintJob.objects.get().pk
