"""Tender, item and category names on the day's report in the reader's language; kitchen slips in
the kitchen's language whoever sends; PMS postings name categories in one language."""

import pytest
from django.utils import translation

from billing import services
from billing.models import Tender
from billing.reports import day_report
from billing.revenue_splits import revenue_splits
from orders.models import Category, Item
from printing.models import PrintJob
from tests.billing.conftest import checks_of, dinner, pay_cash_in_full
from tests.kitchen.conftest import open_table, send, steak
from tests.kitchen.test_ticket_printing import deliver_all, printed, printers  # noqa: F401 (the fixture)
from tests.orders.test_names_in_every_language import in_dutch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_printing(settings):
    settings.PRINTER_TIMEOUT = 0.3
    settings.PRINT_RETRY_DELAYS = [0]


def test_the_day_report_names_tenders_items_and_categories_in_the_readers_language(world, kitchen, cash, voucher):
    in_dutch(world, kitchen)
    Tender.objects.filter(pk=cash.pk).update(name_nl="Contant")
    Category.objects.filter(pk=kitchen.dessert.category_id).update(name_nl="Nagerechten")
    lines = [(world.salad, 1, 1), (world.soup, 2, 1), (kitchen.dessert, 1, 1)]
    with translation.override("en"):
        order = dinner(world, table=0, waiter=world.waiter, covers=2, lines=lines)
        pay_cash_in_full(checks_of(order)[0], cash, world.waiter)
    day = services.current_business_day()
    with translation.override("nl"):
        dutch = day_report(day=day)
    with translation.override("en"):
        english = day_report(day=day)
    assert [t["name"] for t in dutch["by_tender"]] == ["Contant"]
    assert [t["name"] for t in english["by_tender"]] == ["Cash"]
    # The soup and the crème brûlée have no Dutch name: they read in English.
    assert {i["name"] for i in dutch["by_item"]} == {"Salade", "Soup", "Crème brûlée"}
    assert {i["name"] for i in english["by_item"]} == {"Salad", "Soup", "Crème brûlée"}
    assert {c["name"] for c in dutch["by_category"]} == {"Starters", "Nagerechten"}
    assert {c["name"] for c in english["by_category"]} == {"Starters", "Desserts"}
    # A voucher without a Dutch name reads in English on the Dutch report.
    with translation.override("nl"):
        assert Tender.objects.get(pk=voucher.pk).name == "Voucher"


def test_kitchen_slips_print_in_the_kitchens_language_whoever_sends(world, kitchen, printers, settings):  # noqa: F811
    settings.KITCHEN_LANGUAGE = "nl"
    in_dutch(world, kitchen)
    Item.objects.filter(pk=world.steak.pk).update(short_name_nl="")
    order = open_table(world)
    with translation.override("en"):
        send(world, order, steak(world))
    assert {job.language for job in PrintJob.objects.all()} == {"nl"}
    deliver_all()
    (slip,) = printed(printers["hot"])
    assert slip.line_with("1 x Biefstuk")
    assert slip.line_with("Rood")
    assert slip.line_with("Tafel")


def test_a_room_posting_names_categories_in_the_sites_language_whoever_posts(world, kitchen, voucher, settings):
    settings.LANGUAGE_CODE = "en"
    in_dutch(world, kitchen)
    Category.objects.filter(pk=world.soup.category_id).update(name_nl="Voorgerechten")
    Category.objects.filter(pk=kitchen.dessert.category_id).update(name_nl="Nagerechten")
    order = dinner(world, table=0, waiter=world.waiter, covers=2, lines=[(world.soup, 1, 1), (kitchen.dessert, 2, 1)])
    check = checks_of(order)[0]
    services.pay_other(check=check, tender=voucher, amount=100, by=world.waiter)  # freezes the check's figures
    check.refresh_from_db()
    for language in ("nl", "en"):
        with translation.override(language):
            splits, _ = revenue_splits(check=check, amount=1000)
        assert {s.category for s in splits} == {"Starters", "Desserts"}, language
