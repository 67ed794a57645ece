"""A line that carries an allergen shows an ALLERGENS line on the station and expo screens and
prints one on the slip, in the kitchen's language; a line without carries none."""

import pytest
from django.utils import translation

from kitchen import selectors
from kitchen.models import Ticket
from kitchen.printouts import slip_for
from printing.slips import render_kitchen_slip
from tests.kitchen.conftest import open_table, send, soup, steak
from tests.printing.escpos_decoder import decode

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared(world):
    world.steak.allergens = ["milk", "celery"]
    world.steak.save()
    world.vinaigrette.allergens = ["mustard", "sulphites"]
    world.vinaigrette.save()


def tickets_of(station):
    return [selectors.ticket_entry(t) for t in selectors._tickets().filter(station=station)]


def test_the_station_and_expo_payloads_carry_the_lines_allergens(world, kitchen, declared):
    order = open_table(world)
    send(world, order, soup(world), steak(world, course=1))

    (hot,) = tickets_of(kitchen.hot)
    (cold,) = tickets_of(kitchen.cold)
    steak_item = next(item for item in hot["items"] if item["name"] == "Steak")
    assert steak_item["allergens"] == ["milk", "celery", "mustard", "sulphites"]
    soup_item = next(item for item in cold["items"] if item["name"] == "Soup")
    assert soup_item["allergens"] == []
    # The side salad made at cold goes with the steak: its cook sees the dish's allergens too.
    side = next(item for item in cold["items"] if item["for_item"] == "Steak")
    assert side["allergens"] == steak_item["allergens"]
    expo = selectors.expo_board(station=kitchen.expo)
    expo_items = [item for fire in expo["fires"] for item in fire["items"] if item["name"] == "Steak"]
    assert expo_items[0]["allergens"] == ["milk", "celery", "mustard", "sulphites"]


def test_a_menu_edit_after_sending_never_changes_the_ticket(world, kitchen, declared):
    order = open_table(world)
    send(world, order, steak(world, course=1))
    world.steak.allergens = []
    world.steak.save()
    (hot,) = tickets_of(kitchen.hot)
    assert hot["items"][0]["allergens"] == ["milk", "celery", "mustard", "sulphites"]


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "ALLERGENS: Milk, Celery, Mustard, Sulphites"),
        ("nl", "ALLERGENEN: Melk, Selderij, Mosterd, Zwaveldioxide en sulfieten"),
    ],
)
def test_the_printed_slip_shouts_the_allergens_under_the_dish(world, kitchen, declared, language, line):
    order = open_table(world)
    send(world, order, soup(world), steak(world, course=1))
    ticket = Ticket.objects.get(station=kitchen.hot)
    with translation.override(language):
        printout = decode(render_kitchen_slip(slip_for(ticket), width_chars=48, profile="default"))
    allergen_line = printout.line_with(line.split(":")[0])
    # Wrapped to the paper (48 characters), but every word is there.
    start = printout.text_lines.index(allergen_line.text)
    assert line in " ".join(text.strip() for text in printout.text_lines[start : start + 2])
    assert allergen_line.style_of(line.split(":")[0]).inverted
    assert allergen_line.style_of(line.split(":")[0]).bold
    # Under the dish it belongs to.
    texts = printout.text_lines
    assert texts.index(allergen_line.text) > next(i for i, t in enumerate(texts) if "1 x Steak" in t)

    cold = decode(
        render_kitchen_slip(slip_for(Ticket.objects.get(station=kitchen.cold)), width_chars=48, profile="default")
    )
    lines = cold.text_lines
    after_soup = lines[next(i for i, t in enumerate(lines) if "1 x Soup" in t) + 1]
    assert "ALLERGEN" not in after_soup  # the soup carries none
