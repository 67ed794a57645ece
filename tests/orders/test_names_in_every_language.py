"""Names in the screen's language: the waiter's menu and order, the kitchen's board and socket,
in Dutch and English with a fallback, and lines that keep the names they were ordered with."""

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kitchen.models import Ticket, TicketItem
from orders import selectors
from orders.models import Course, Item, Modifier, ModifierGroup, OrderLine
from orders.services import void_line
from tests.kitchen.conftest import open_table, send, soup, steak
from tests.kitchen.test_station_socket import display_cookie, open_station
from tests.orders.test_floor_socket import receive_until


def in_dutch(world, kitchen):
    """The bistro's Dutch names; the soup and the extras stay English only (they fall back)."""
    Item.objects.filter(pk=world.steak.pk).update(name_nl="Biefstuk", short_name_nl="Bief")
    Item.objects.filter(pk=world.salad.pk).update(name_nl="Salade")
    ModifierGroup.objects.filter(pk=world.cooking.pk).update(name_nl="Bereiding")
    ModifierGroup.objects.filter(pk=world.sides.pk).update(name_nl="Bijgerecht")
    Modifier.objects.filter(pk=world.rare.pk).update(name_nl="Rood")
    Modifier.objects.filter(pk=world.side_salad.pk).update(name_nl="Salade erbij")
    world.steak.category.__class__.objects.filter(pk=world.steak.category_id).update(name_nl="Hoofdgerechten")
    Course.objects.filter(outlet=world.outlet, number=2).update(name_nl="Hoofdgerecht")
    kitchen.hot.__class__.objects.filter(pk=kitchen.hot.pk).update(name_nl="Warm")


def menu_in(api, world, language):
    return api.get(f"/api/outlets/{world.outlet.pk}/menu/", HTTP_ACCEPT_LANGUAGE=language).json()


def item_named(menu, item_id):
    return next(item for category in menu["categories"] for item in category["items"] if item["id"] == item_id)


def test_the_waiters_menu_shows_each_name_in_the_screens_language(world, kitchen, api_as):
    in_dutch(world, kitchen)
    waiter = api_as(world.waiter)
    dutch, english = menu_in(waiter, world, "nl"), menu_in(waiter, world, "en")
    assert item_named(dutch, world.steak.pk)["name"] == "Biefstuk"
    assert item_named(english, world.steak.pk)["name"] == "Steak"
    mains = next(c for c in dutch["categories"] if c["id"] == world.steak.category_id)
    assert mains["name"] == "Hoofdgerechten"
    assert [c["name"] for c in english["courses"]][1] == "Mains"
    assert [c["name"] for c in dutch["courses"]][1] == "Hoofdgerecht"
    cooking = dutch["modifier_groups"][str(world.cooking.pk)]
    assert cooking["name"] == "Bereiding"
    assert "Rood" in [m["name"] for m in cooking["modifiers"]]
    assert english["modifier_groups"][str(world.cooking.pk)]["name"] == "Cooking"


def test_an_empty_dutch_name_falls_back_to_the_english_one_and_back(world, kitchen, api_as):
    in_dutch(world, kitchen)
    # A name typed only in Dutch reads in Dutch on an English screen too.
    Item.objects.filter(pk=world.salad.pk).update(name_en=None)
    waiter = api_as(world.waiter)
    dutch, english = menu_in(waiter, world, "nl"), menu_in(waiter, world, "en")
    assert item_named(dutch, world.soup.pk)["name"] == "Soup"
    assert dutch["modifier_groups"][str(world.extras.pk)]["name"] == "Extras"
    assert item_named(english, world.salad.pk)["name"] == "Salade"


def test_the_menu_costs_the_same_queries_in_dutch_and_in_english(world, kitchen):
    in_dutch(world, kitchen)
    counts = {}
    for language in ("en", "nl"):
        with translation.override(language), CaptureQueriesContext(connection) as queries:
            selectors.menu_for_outlet(outlet=world.outlet)
        counts[language] = len(queries)
    assert counts["nl"] == counts["en"]


def test_a_line_ordered_in_english_reads_dutch_on_a_dutch_kitchen_screen(world, kitchen, api_as):
    in_dutch(world, kitchen)
    order = open_table(world)
    with translation.override("en"):
        send(world, order, steak(world))
    line = OrderLine.objects.get(order=order)
    assert (line.name_en, line.name_nl, line.kitchen_name_nl) == ("Steak", "Biefstuk", "Bief")
    cook = api_as(world.kitchen)
    dutch = cook.get(f"/api/kitchen/stations/{kitchen.hot.pk}/board/", HTTP_ACCEPT_LANGUAGE="nl").json()
    english = cook.get(f"/api/kitchen/stations/{kitchen.hot.pk}/board/", HTTP_ACCEPT_LANGUAGE="en").json()
    (dutch_ticket,), (english_ticket,) = dutch["tickets"], english["tickets"]
    assert dutch["station"]["name"] == "Warm" and english["station"]["name"] == "Hot"
    assert dutch_ticket["course_name"] == "Hoofdgerecht" and english_ticket["course_name"] == "Mains"
    assert dutch_ticket["items"][0]["name"] == "Bief" and english_ticket["items"][0]["name"] == "Steak"
    assert dutch_ticket["items"][0]["modifiers"] == ["Rood", "Salade erbij", "  Vinaigrette"]
    assert english_ticket["items"][0]["modifiers"] == ["Rare", "Side salad", "  Vinaigrette"]
    assert dutch["all_day"] == [{"name": "Bief", "qty": 1}]
    # The side salad is made at the cold station, for the dish named in the screen's language.
    cold = cook.get(f"/api/kitchen/stations/{kitchen.cold.pk}/board/", HTTP_ACCEPT_LANGUAGE="nl").json()
    (routed,) = cold["tickets"][0]["items"]
    assert (routed["name"], routed["for_item"], routed["modifiers"]) == ("Salade erbij", "Bief", ["Vinaigrette"])
    # The waiter, in English, reads the order in English.
    lines = api_as(world.waiter).get(f"/api/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["lines"]
    assert lines[0]["name"] == "Steak" and lines[0]["modifiers"][0]["group"] == "Cooking"


def test_a_later_rename_changes_no_line_already_ordered(world, kitchen, api_as):
    in_dutch(world, kitchen)
    order = open_table(world)
    send(world, order, steak(world), soup(world))
    Item.objects.filter(pk=world.steak.pk).update(name_en="Ribeye", name_nl="Entrecote", short_name_nl="Entr.")
    Modifier.objects.filter(pk=world.rare.pk).update(name_en="Bloody", name_nl="Bleu")
    for language, steak_name, cooked in (("en", "Steak", "Rare"), ("nl", "Biefstuk", "Rood")):
        lines = api_as(world.waiter).get(f"/api/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()["lines"]
        ordered = next(line for line in lines if line["item"] == world.steak.pk)
        assert ordered["name"] == steak_name and ordered["modifiers"][0]["name"] == cooked
    item = TicketItem.objects.get(ticket__station=kitchen.hot)
    assert (item.name_en, item.name_nl, item.modifiers_nl[0]) == ("Steak", "Bief", "Rood")
    # A new line takes the new names.
    send(world, order, steak(world))
    assert OrderLine.objects.filter(order=order, name_nl="Entrecote").count() == 1


def test_a_void_ticket_keeps_both_languages(world, kitchen):
    in_dutch(world, kitchen)
    order = open_table(world)
    (line,) = send(world, order, steak(world))
    void_line(line=line, by=world.waiter, reason="Wrong table", approver_id=world.manager.pk, approver_pin="9999")
    void = TicketItem.objects.get(ticket__kind=Ticket.Kind.VOID, ticket__station=kitchen.hot)
    assert (void.name_en, void.name_nl, void.modifiers_nl[0]) == ("Steak", "Bief", "Rood")


@pytest.mark.django_db(transaction=True)
async def test_each_kitchen_socket_hears_a_new_ticket_in_its_own_language(world, kitchen, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    await database_sync_to_async(in_dutch)(world, kitchen)
    cookie = await database_sync_to_async(display_cookie)(kitchen.hot, world.manager)
    dutch = await open_station(kitchen.hot.pk, cookie + f"; {settings.LANGUAGE_COOKIE_NAME}=nl".encode())
    english = await open_station(kitchen.hot.pk, cookie)
    order = await database_sync_to_async(open_table)(world)
    with translation.override("en"):
        await database_sync_to_async(send)(world, order, steak(world))
    heard_nl = await receive_until(dutch, lambda m: m["type"] == "ticket", "Dutch ticket")
    heard_en = await receive_until(english, lambda m: m["type"] == "ticket", "English ticket")
    assert heard_nl["ticket"]["items"][0]["name"] == "Bief" and heard_nl["ticket"]["course_name"] == "Hoofdgerecht"
    assert heard_en["ticket"]["items"][0]["name"] == "Steak" and heard_en["ticket"]["course_name"] == "Mains"
    for socket in (dutch, english):
        await socket.disconnect()
    channel_layers.backends.clear()
