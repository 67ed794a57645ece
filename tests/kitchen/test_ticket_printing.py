"""Tickets on the station's printer, read back the way the cook reads them; and what happens
when no printer will take them: the ticket stays on the screen and expo raises the alarm."""

import pytest
from django.utils import translation

from kitchen import selectors, services
from kitchen.models import Fire, StationEvent, Ticket
from orders import services as orders
from printing.models import Printer, PrintJob
from printing.services import deliver_print_job
from tests.kitchen.conftest import open_table, send, soup, steak
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import FakePrinter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_printing(settings):
    settings.PRINTER_TIMEOUT = 0.3
    settings.PRINT_RETRY_DELAYS = [0]  # two attempts per printer, no waiting


@pytest.fixture
def printers(world, kitchen):
    """A real TCP printer for cold and one for hot, attached to their stations."""
    servers = {"cold": FakePrinter("online").start(), "hot": FakePrinter("online").start()}
    for code, station in (("cold", kitchen.cold), ("hot", kitchen.hot)):
        station.printer = Printer.objects.create(
            outlet=world.outlet, name=f"Bon {code}", host="127.0.0.1", port=servers[code].port
        )
        station.save(update_fields=["printer"])
    yield servers
    for server in servers.values():
        server.stop()


def deliver_all() -> None:
    for job_id in PrintJob.objects.filter(state=PrintJob.State.QUEUED).values_list("pk", flat=True):
        deliver_print_job(job_id=job_id)


def printed(server: FakePrinter):
    jobs = [decode(bytes(data)) for data in server.connections]
    return [job for job in jobs if job.lines]


def test_a_fired_ticket_prints_on_its_station_with_what_the_cook_needs(world, kitchen, printers):
    order = open_table(world, covers=2)
    with translation.override("en"):
        send(world, order, soup(world, note="no croutons"), steak(world))
    (job,) = PrintJob.objects.all()  # the held mains do not print yet
    ticket = Ticket.objects.get(station=kitchen.cold, fire__course=1)
    assert job.source == f"kitchen.ticket:{ticket.pk}"
    deliver_all()
    (slip,) = printed(printers["cold"])
    table = f"Table {world.tables[0].number}"
    assert slip.line_with(table).style_of(table).big
    assert slip.line_with("1 x Soup").style_of("Soup").bold
    assert slip.line_with("S1")
    assert slip.line_with("no croutons").style_of("no croutons").inverted
    assert slip.line_with("Starters")
    assert slip.line_with("Anna")
    assert slip.line_with(f"ticket {ticket.number}")
    assert slip.cuts
    assert printed(printers["hot"]) == []


def test_firing_the_mains_prints_them_under_a_fire_banner(world, kitchen, printers):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    deliver_all()
    services.fire_course(order=order, course=2, by=world.waiter)
    deliver_all()
    (slip,) = printed(printers["hot"])
    assert slip.line_with("FIRE").style_of("FIRE").inverted
    assert "Rare" in slip.text and "Side salad" in slip.text
    # The side salad for the steak prints at cold with the steak's name.
    assert "Side salad (Steak)" in printed(printers["cold"])[-1].text


def test_a_void_prints_a_void_slip(world, kitchen, printers):
    order = open_table(world)
    (line,) = send(world, order, soup(world))
    orders.void_line(line=line, by=world.waiter, reason="guest left", approver_id=world.manager.pk, approver_pin="9999")
    deliver_all()
    slips = printed(printers["cold"])
    assert len(slips) == 2
    (void,) = [slip for slip in slips if "VOID" in slip.text]
    assert void.lines[0].style_of("VOID").inverted
    assert "guest left" in void.text and "Soup" in void.text


def test_when_no_printer_takes_it_the_ticket_stays_on_screen_and_expo_raises_the_alarm(world, kitchen, printers):
    printers["cold"].set_mode("off")
    backup_server = FakePrinter("paper_out").start()
    try:
        backup = Printer.objects.create(outlet=world.outlet, name="Backup", host="127.0.0.1", port=backup_server.port)
        Printer.objects.filter(pk=kitchen.cold.printer_id).update(backup=backup)
        order = open_table(world)
        send(world, order, soup(world))
        ticket = Ticket.objects.get(station=kitchen.cold)
        seq_before = StationEvent.objects.filter(station=kitchen.cold).count()
        for _attempt in range(4):  # two on the printer, two on its backup
            deliver_all()
        job = PrintJob.objects.get()
        assert job.state == PrintJob.State.FAILED
        ticket.refresh_from_db()
        assert ticket.print_failed
        assert StationEvent.objects.filter(station=kitchen.cold).count() == seq_before + 1
        board = selectors.expo_board(station=kitchen.expo)
        assert board["alarms"] == [{"station": kitchen.cold.pk, "name": "Cold", "tables": [ticket.table_label]}]
        assert selectors.station_board(station=kitchen.cold)["tickets"][0]["print_failed"] is True
        assert backup_server.connections and not printed(backup_server)

        # The printer is back: a reprint from the screen gets through and the alarm clears.
        printers["cold"].set_mode("online")
        services.reprint_ticket(ticket=ticket, by=world.kitchen)
        deliver_all()
        (slip,) = printed(printers["cold"])
        assert slip.line_with("REPRINT")
        ticket.refresh_from_db()
        assert not ticket.print_failed
        assert selectors.expo_board(station=kitchen.expo)["alarms"] == []
    finally:
        backup_server.stop()


def test_a_printer_that_is_switched_off_is_not_used(world, kitchen, printers):
    Printer.objects.filter(pk=kitchen.cold.printer_id).update(is_active=False)
    order = open_table(world)
    send(world, order, soup(world))
    assert not PrintJob.objects.exists()
    assert Fire.objects.get(order=order).status == Fire.Status.FIRED
