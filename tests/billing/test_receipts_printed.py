"""Bills and receipts reach the outlet's receipt printer, a real TCP ESC/POS printer on 127.0.0.1."""

import pytest

from billing import printouts, services
from billing.models import OutletBilling, Tender
from printing.models import Printer, PrintJob
from printing.services import deliver_print_job
from tests.billing.test_checks import first_check, table_for_four
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import FakePrinter

DRAWER_KICK = b"\x1bp\x0022"  # ESC p, pin 2, 100 ms on and off


@pytest.fixture
def receipt_printer(world, settings):
    settings.PRINTER_TIMEOUT = 0.5
    server = FakePrinter("online").start()
    printer = Printer.objects.create(outlet=world.outlet, name="Kassa", host="127.0.0.1", port=server.port)
    OutletBilling.objects.create(
        outlet=world.outlet,
        business_name="Bistro De Tafel",
        vat_number="NL001234567B01",
        address="Keizersgracht 1\n1015 AA Amsterdam",
        receipt_footer="Tot ziens!",
        receipt_printer=printer,
    )
    yield server
    server.stop()


def printed_text(server) -> str:
    for job in PrintJob.objects.filter(state=PrintJob.State.QUEUED):
        deliver_print_job(job_id=job.pk)
    # The decoder reads what is printed; the drawer's pulse (ESC p) prints nothing.
    return decode(server.received.replace(DRAWER_KICK, b"")).text


def test_the_pro_forma_bill_prints_with_vat_per_rate(world, receipt_printer):
    order = table_for_four(world)
    services.print_bill(check=first_check(order, world), by=world.waiter)
    text = printed_text(receipt_printer)
    assert "PRO FORMA" in text
    assert "Bistro De Tafel" in text and "NL001234567B01" in text
    assert "Wine bottle" in text and "35.00" in text
    assert "78.50" in text  # the total
    assert "Tot ziens!" in text


def test_cash_opens_the_drawer_and_the_receipt_shows_change(
    world, receipt_printer, settings, django_capture_on_commit_callbacks
):
    settings.CASH_ROUNDING = 1
    services.open_drawer(outlet=world.outlet, opening_float=0, by=world.manager)
    cash = Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)
    order = table_for_four(world)
    check = first_check(order, world)
    with django_capture_on_commit_callbacks(execute=True):
        services.pay_cash(check=check, tender=cash, cash_given=10000, by=world.waiter)
    kicks = [job for job in PrintJob.objects.all() if bytes(job.payload) == b"\x1b@" + DRAWER_KICK]
    assert len(kicks) == 1
    assert services.print_check_receipt(check=check, by=world.waiter)
    text = printed_text(receipt_printer)
    assert "21.50" in text  # change from 100.00
    assert services.print_check_receipt(check=check, by=world.waiter)
    assert "COPY" in printed_text(receipt_printer)


def test_the_on_screen_copy_is_the_printed_layout(world, receipt_printer):
    order = table_for_four(world)
    check = first_check(order, world)
    text = printouts.receipt_as_text(check=check, title="PRO FORMA")
    assert "Wine bottle" in text and "78.50" in text


def test_round_percentages_print_as_numbers_not_exponents(world, receipt_printer):
    # A normalised Decimal("20.00") is "2E+1" by str(); the receipt must say 20%.
    order = table_for_four(world)
    check = first_check(order, world)
    services.give_discount(check=check, by=world.manager, reason="Regulars", percent="20")
    services.set_service_charge(check=check, percent="10", by=world.manager)
    text = printouts.receipt_as_text(check=check, title="PRO FORMA")
    assert "Discount 20%" in text
    assert "Service 10%" in text
    assert "E+" not in text
