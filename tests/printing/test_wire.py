"""Status reads (DLE EOT) and sending, against a real TCP printer on 127.0.0.1."""

import socket
import threading
import time

import pytest
from escpos.printer import Network

from printing import wire
from printing.models import Printer
from tests.printing.conftest import TEST_PRINTER_TIMEOUT

Status = Printer.Status


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("online", Status.ONLINE),
        ("paper_near_end", Status.PAPER_NEAR_END),
        ("paper_out", Status.PAPER_OUT),
        ("cover_open", Status.COVER_OPEN),
        ("silent", Status.OFFLINE),
        ("off", Status.OFFLINE),
    ],
)
def test_the_status_read_names_what_the_printer_says(fake_printer, mode, expected):
    server = fake_printer(mode)

    status = wire.read_status("127.0.0.1", server.port, TEST_PRINTER_TIMEOUT)

    assert status.state == expected
    assert status.can_print == (expected in (Status.ONLINE, Status.PAPER_NEAR_END))
    if mode != "off":
        assert server.status_queries[0] == 1


@pytest.mark.parametrize(
    ("mode", "online", "paper"), [("online", True, 2), ("paper_near_end", True, 1), ("paper_out", False, 0)]
)
def test_the_fake_printer_answers_as_python_escpos_reads_epson_status(fake_printer, mode, online, paper):
    """Our test printer's bytes mean the same to python-escpos's own status reads."""
    server = fake_printer(mode)
    printer = Network("127.0.0.1", server.port, timeout=TEST_PRINTER_TIMEOUT)
    try:
        assert printer.is_online() is online
        assert printer.paper_status() == paper
    finally:
        printer.close()


def test_a_printer_that_never_answers_counts_as_offline_within_the_timeout(fake_printer):
    server = fake_printer("silent")

    started = time.monotonic()
    status = wire.read_status("127.0.0.1", server.port, TEST_PRINTER_TIMEOUT)
    elapsed = time.monotonic() - started

    assert status.state == Status.OFFLINE
    assert "No answer" in status.detail
    assert elapsed < TEST_PRINTER_TIMEOUT * 2


def test_a_refused_connection_is_offline_at_once(fake_printer):
    server = fake_printer("off")

    started = time.monotonic()
    status = wire.read_status("127.0.0.1", server.port, TEST_PRINTER_TIMEOUT)

    assert status.state == Status.OFFLINE
    assert "No connection" in status.detail
    assert time.monotonic() - started < TEST_PRINTER_TIMEOUT


def test_an_answer_that_is_no_status_byte_is_not_trusted():
    """Something else listening on the port (a web server, say) is not a printer that is online."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_with_http() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(16)
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            time.sleep(0.2)

    thread = threading.Thread(target=answer_with_http, daemon=True)
    thread.start()
    try:
        status = wire.read_status("127.0.0.1", listener.getsockname()[1], TEST_PRINTER_TIMEOUT)
    finally:
        thread.join(timeout=2)
        listener.close()

    assert status.state == Status.OFFLINE
    assert "not a printer status" in status.detail


def test_send_payload_delivers_every_byte(fake_printer):
    server = fake_printer("online")
    payload = bytes(range(0x20, 0x7F)) * 100

    wire.send_payload("127.0.0.1", server.port, payload, TEST_PRINTER_TIMEOUT)

    deadline = time.monotonic() + 2
    while server.times_received(payload) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.times_received(payload) == 1


def test_send_payload_to_a_switched_off_printer_raises(fake_printer):
    server = fake_printer("off")

    with pytest.raises(wire.PrinterUnreachable):
        wire.send_payload("127.0.0.1", server.port, b"\x1b@hello", TEST_PRINTER_TIMEOUT)


def test_a_confirmed_print_reads_status_before_and_after_on_one_connection(fake_printer):
    server = fake_printer("online")

    delivery = wire.print_confirmed("127.0.0.1", server.port, b"\x1b@hello\n\x1dV\x01", TEST_PRINTER_TIMEOUT)

    assert delivery.confirmed and delivery.sent
    assert len(server.connections) == 1
    assert (
        server.received
        == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04\x1b@hello\n\x1dV\x01\x10\x04\x01\x10\x04\x02\x10\x04\x04"
    )


def test_no_bytes_go_to_a_printer_without_paper(fake_printer):
    server = fake_printer("paper_out")

    delivery = wire.print_confirmed("127.0.0.1", server.port, b"\x1b@hello", TEST_PRINTER_TIMEOUT)

    assert not delivery.sent and not delivery.confirmed
    assert delivery.status.state == Status.PAPER_OUT
    assert b"hello" not in server.received


def test_a_printer_switched_off_right_after_the_job_is_not_confirmed(fake_printer):
    server = fake_printer("online")
    server.set_mode_after_job("off")

    delivery = wire.print_confirmed("127.0.0.1", server.port, b"\x1b@hello\x1dV\x01", TEST_PRINTER_TIMEOUT)

    assert delivery.sent and not delivery.confirmed
    assert delivery.status.state == Status.OFFLINE
    assert "not confirmed" in delivery.error


async def test_the_wire_refuses_to_block_the_event_loop(fake_printer):
    from django.core.exceptions import SynchronousOnlyOperation

    with pytest.raises(SynchronousOnlyOperation):
        wire.read_status("127.0.0.1", 9, TEST_PRINTER_TIMEOUT)
