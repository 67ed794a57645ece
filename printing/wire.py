"""Talking to a network ESC/POS printer over TCP (port 9100): status and bytes.

Every call blocks for up to a few `timeout`s, so only the print worker calls these,
never a view on the ASGI event loop (Django's `async_unsafe` refuses that).

Status is read with DLE EOT n (0x10 0x04 n), which a printer answers at once, even
while it is printing or offline, with one byte. Bit layout (Epson ESC/POS reference,
"DLE EOT: Transmit real-time status"; python-escpos 3.1 escpos/constants.py
RT_STATUS_* and RT_MASK_*, escpos/escpos.py `is_online` and `paper_status`):

  every answer  bit 1 and bit 4 fixed to 1, bits 0 and 7 fixed to 0 (so 0x12 when all is well)
  n=1 printer   bit 3 (0x08): offline
  n=2 offline   bit 2 (0x04): cover open; bit 5 (0x20): printing stopped by paper end;
  cause         bit 6 (0x40): error
  n=4 paper     bits 2-3 (0x0C): roll near its end; bits 5-6 (0x60): no paper

python-escpos's `Network` is not used: its timeout defaults to 60 s, its `is_online`
raises on a timeout and it logs through the root logger; a plain socket with one
deadline per operation is simpler to reason about.
"""

import socket
from dataclasses import dataclass

from django.utils.asyncio import async_unsafe
from django.utils.translation import gettext as _

from printing.models import Printer

DLE_EOT = b"\x10\x04"
PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR = 1, 2, 4

FIXED_BITS_MASK = 0b1001_0011  # bits 0, 1, 4 and 7 of every status byte
FIXED_BITS_VALUE = 0b0001_0010  # ... are 0, 1, 1 and 0
OFFLINE_BIT = 0x08
COVER_OPEN_BIT = 0x04
PAPER_END_STOP_BIT = 0x20
PAPER_NEAR_END_BITS = 0x0C
PAPER_OUT_BITS = 0x60


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said (or that it said nothing): a `Printer.Status` and why."""

    state: str
    detail: str = ""

    @property
    def can_print(self) -> bool:
        return self.state in (Printer.Status.ONLINE, Printer.Status.PAPER_NEAR_END)


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt to print a payload."""

    # Some or all bytes were handed to the printer (a retry may print them twice).
    sent: bool
    # All bytes were sent and the printer said it was online after them.
    confirmed: bool
    # The last status seen, before or after sending.
    status: PrinterStatus
    # Why it was not confirmed, for people; empty when confirmed.
    error: str = ""


class PrinterUnreachable(Exception):
    """No connection, no answer in time, or an answer that is not a status byte."""


def status_from_answers(printer_status: int, offline_cause: int, paper_sensor: int) -> PrinterStatus:
    """Read the three DLE EOT answer bytes (n=1, 2, 4) as one status, the worst first."""
    if offline_cause & COVER_OPEN_BIT:
        return PrinterStatus(Printer.Status.COVER_OPEN, _("The cover is open."))
    if paper_sensor & PAPER_OUT_BITS or offline_cause & PAPER_END_STOP_BIT:
        return PrinterStatus(Printer.Status.PAPER_OUT, _("The paper is out."))
    if printer_status & OFFLINE_BIT:
        return PrinterStatus(Printer.Status.OFFLINE, _("The printer says it is offline."))
    if paper_sensor & PAPER_NEAR_END_BITS:
        return PrinterStatus(Printer.Status.PAPER_NEAR_END, _("The paper is running out."))
    return PrinterStatus(Printer.Status.ONLINE)


def _offline(detail: str) -> PrinterStatus:
    return PrinterStatus(Printer.Status.OFFLINE, detail)


class PrinterConnection:
    """One TCP connection to a printer; every operation waits at most `timeout` seconds.

    A network printer serves one connection at a time, so a whole attempt (status,
    bytes, status) goes over one connection.
    """

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self._socket: socket.socket | None = None

    def __enter__(self) -> "PrinterConnection":
        try:
            self._socket = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except TimeoutError as error:
            raise PrinterUnreachable(
                _("No connection within %(seconds)s s.") % {"seconds": f"{self.timeout:g}"}
            ) from error
        except OSError as error:
            raise PrinterUnreachable(_("No connection: %(error)s") % {"error": error.strerror or error}) from error
        return self

    def __exit__(self, *exc_info) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _ask(self, n: int) -> int:
        assert self._socket is not None
        try:
            self._socket.sendall(DLE_EOT + bytes([n]))
            answer = self._socket.recv(1)
        except TimeoutError as error:
            raise PrinterUnreachable(_("No answer within %(seconds)s s.") % {"seconds": f"{self.timeout:g}"}) from error
        except OSError as error:
            raise PrinterUnreachable(
                _("The connection broke: %(error)s") % {"error": error.strerror or error}
            ) from error
        if not answer:
            raise PrinterUnreachable(_("The printer closed the connection."))
        if answer[0] & FIXED_BITS_MASK != FIXED_BITS_VALUE:
            # Not a status byte: whatever is listening there is not a printer we can trust.
            raise PrinterUnreachable(_("The answer %(byte)s is not a printer status.") % {"byte": f"{answer[0]:#04x}"})
        return answer[0]

    def read_status(self) -> PrinterStatus:
        """Ask the printer how it is; no answer in time counts as offline."""
        try:
            return status_from_answers(self._ask(PRINTER_STATUS), self._ask(OFFLINE_CAUSE), self._ask(PAPER_SENSOR))
        except PrinterUnreachable as error:
            return _offline(str(error))

    def send_payload(self, payload: bytes) -> None:
        assert self._socket is not None
        try:
            self._socket.sendall(payload)
        except TimeoutError as error:
            raise PrinterUnreachable(
                _("The printer took no data for %(seconds)s s.") % {"seconds": f"{self.timeout:g}"}
            ) from error
        except OSError as error:
            raise PrinterUnreachable(
                _("The connection broke: %(error)s") % {"error": error.strerror or error}
            ) from error


@async_unsafe
def read_status(host: str, port: int, timeout: float) -> PrinterStatus:
    """The printer's status now; a printer that cannot be reached in time is offline."""
    try:
        with PrinterConnection(host, port, timeout) as connection:
            return connection.read_status()
    except PrinterUnreachable as error:
        return _offline(str(error))


@async_unsafe
def send_payload(host: str, port: int, payload: bytes, timeout: float) -> None:
    """Write the bytes to the printer, unchecked. Raises PrinterUnreachable."""
    with PrinterConnection(host, port, timeout) as connection:
        connection.send_payload(payload)


@async_unsafe
def print_confirmed(host: str, port: int, payload: bytes, timeout: float) -> Delivery:
    """One attempt: send only to a printer that can print, and confirm it afterwards.

    A printer switched off mid-job loses what it had in its buffer without a word,
    so the job only counts as printed if the printer answers, after the bytes, that
    it is still online with paper.
    """
    try:
        with PrinterConnection(host, port, timeout) as connection:
            before = connection.read_status()
            if not before.can_print:
                return Delivery(sent=False, confirmed=False, status=before, error=before.detail)
            try:
                connection.send_payload(payload)
            except PrinterUnreachable as error:
                return Delivery(sent=True, confirmed=False, status=_offline(str(error)), error=str(error))
            after = connection.read_status()
    except PrinterUnreachable as error:
        return Delivery(sent=False, confirmed=False, status=_offline(str(error)), error=str(error))
    if not after.can_print:
        return Delivery(
            sent=True,
            confirmed=False,
            status=after,
            error=_("Sent, but not confirmed: %(detail)s") % {"detail": after.detail},
        )
    return Delivery(sent=True, confirmed=True, status=after)
