"""Fixtures for printing: real TCP printers on 127.0.0.1, short timeouts, no waiting between retries."""

import pytest

from printing.models import Printer
from staff.models import Role
from tests.factories import OutletFactory, StaffFactory
from tests.printing.printer_server import FakePrinter

# Short enough to keep the suite fast, long enough for a loaded CI machine's loopback.
TEST_PRINTER_TIMEOUT = 0.3


@pytest.fixture(autouse=True)
def _fast_printing(settings):
    settings.PRINTER_TIMEOUT = TEST_PRINTER_TIMEOUT
    # Three attempts per printer (the first and two retries), no waiting in between.
    settings.PRINT_RETRY_DELAYS = [0, 0]


@pytest.fixture
def fake_printer():
    """fake_printer(mode="online") -> a running FakePrinter; all are stopped after the test."""
    started: list[FakePrinter] = []

    def start(mode: str = "online") -> FakePrinter:
        server = FakePrinter(mode).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def outlet(db):
    return OutletFactory(name="Bistro")


@pytest.fixture
def printer_for(outlet):
    """printer_for(server, name=..., backup=...) -> a Printer row at the fake printer's address."""

    def make(server: FakePrinter, *, name: str = "Hot", backup: Printer | None = None, **fields) -> Printer:
        return Printer.objects.create(
            outlet=outlet, name=name, host="127.0.0.1", port=server.port, backup=backup, **fields
        )

    return make


@pytest.fixture
def manager(db):
    return StaffFactory(display_name="Mila", role=Role.MANAGER)


@pytest.fixture
def cook(db):
    return StaffFactory(display_name="Kees", role=Role.KITCHEN)


@pytest.fixture
def waiter(db):
    return StaffFactory(display_name="Anna", role=Role.WAITER)
