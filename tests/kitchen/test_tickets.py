"""From a waiter's send to the pass: routing, held courses, bump / recall, expo, changes after sending."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kitchen import selectors, services
from kitchen.models import (
    Fire,
    FireStatusChange,
    KitchenDisplay,
    KitchenSettings,
    StationEvent,
    Ticket,
    TicketItem,
    TicketStatusChange,
)
from kitchen.tasks import fire_due_courses
from orders import services as orders
from orders.models import OrderLine
from staff.models import AuditEntry
from tests.kitchen.conftest import open_table, send, soup, steak
from workflow import TransitionNotAllowed

pytestmark = pytest.mark.django_db


def tickets_of(station, **filters):
    return list(Ticket.objects.filter(station=station, **filters).order_by("pk"))


def test_send_routes_each_line_to_its_station_fires_course_one_and_holds_the_mains(world, kitchen):
    order = open_table(world, covers=2)
    send(world, order, soup(world, note="no croutons"), steak(world))

    (soup_ticket,) = tickets_of(kitchen.cold, fire__course=1)
    assert soup_ticket.status == Ticket.Status.NEW
    assert soup_ticket.table_label == world.tables[0].number
    (item,) = soup_ticket.items.all()
    assert (item.name, item.qty, item.seat, item.note) == ("Soup", 1, 1, "no croutons")

    (steak_ticket,) = tickets_of(kitchen.hot)
    assert steak_ticket.status == Ticket.Status.HELD
    assert steak_ticket.fire.status == Fire.Status.HELD
    (steak_item,) = steak_ticket.items.all()
    assert steak_item.modifiers == ["Rare", "Side salad", "  Vinaigrette"]
    assert steak_item.seat == 2

    # The side salad chosen with the steak goes to cold too, on the held mains ticket there.
    (salad_ticket,) = tickets_of(kitchen.cold, fire__course=2)
    (salad_item,) = salad_ticket.items.all()
    assert (salad_item.name, salad_item.for_item, salad_item.modifiers) == ("Side salad", "Steak", ["Vinaigrette"])
    assert salad_ticket.fire_id == steak_ticket.fire_id
    assert salad_ticket.status == Ticket.Status.HELD


def test_every_change_gets_the_next_number_of_its_station(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    cold_seqs = list(StationEvent.objects.filter(station=kitchen.cold).values_list("seq", flat=True))
    assert cold_seqs == [1, 2]
    kitchen.cold.refresh_from_db()
    assert kitchen.cold.last_seq == 2
    # Expo hears about each fire of the order.
    assert StationEvent.objects.filter(station=kitchen.expo).count() == 2
    (ticket,) = tickets_of(kitchen.cold, fire__course=1)
    services.start_ticket(ticket=ticket, by=world.kitchen)
    kitchen.cold.refresh_from_db()
    assert kitchen.cold.last_seq == 3


def test_firing_a_held_course_releases_its_tickets_on_every_station(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    fire = services.fire_course(order=order, course=2, by=world.waiter)
    assert fire.status == Fire.Status.FIRED and fire.fired_at is not None
    assert {t.status for t in Ticket.objects.filter(fire=fire)} == {Ticket.Status.NEW}
    assert FireStatusChange.objects.filter(fire=fire, to_status=Fire.Status.FIRED, by_user=world.waiter).exists()
    with pytest.raises(ValidationError):
        services.fire_course(order=order, course=2, by=world.waiter)


def test_the_kitchen_cannot_fire_a_course_and_a_held_ticket_cannot_be_started(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    with pytest.raises(PermissionDenied):
        services.fire_course(order=order, course=2, by=world.kitchen)
    (held,) = tickets_of(kitchen.hot)
    with pytest.raises(ValidationError):
        services.start_ticket(ticket=held, by=world.kitchen)


def test_an_extra_for_a_fired_course_fires_at_once_on_its_own_ticket(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    send(world, order, soup(world, seat=2))
    course_one = tickets_of(kitchen.cold, fire__course=1)
    assert [t.status for t in course_one] == [Ticket.Status.NEW, Ticket.Status.NEW]
    assert course_one[0].fire_id != course_one[1].fire_id


def test_more_mains_sent_while_the_mains_are_held_join_the_held_ticket(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    send(world, order, steak(world, seat=1, modifier_ids=[world.medium.pk, world.fries.pk]))
    (held,) = tickets_of(kitchen.hot)
    assert held.status == Ticket.Status.HELD
    assert held.items.count() == 2


def test_a_later_course_waits_behind_a_held_one(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    send(world, order, orders.LineRequest(item_id=kitchen.dessert.pk, seat=1, course=3))
    (dessert_fire,) = Fire.objects.filter(order=order, course=3)
    assert dessert_fire.status == Fire.Status.HELD


def test_when_nothing_is_held_the_first_course_of_a_send_fires(world, kitchen):
    order = open_table(world)
    send(world, order, steak(world))
    assert Fire.objects.get(order=order, course=2).status == Fire.Status.FIRED


def test_lines_for_no_station_make_no_ticket(world, kitchen):
    order = open_table(world)
    drinks = world.steak.category.menu.categories.create(name="Drinks", default_course=1)
    water = drinks.items.create(name="Water", price=300, tax_rate=world.salad.tax_rate)
    send(world, order, orders.LineRequest(item_id=water.pk, seat=1))
    assert not Fire.objects.filter(order=order).exists()
    assert not Ticket.objects.exists()


def test_cooks_start_and_finish_items_then_the_ticket_is_ready(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), soup(world, seat=2))
    (ticket,) = tickets_of(kitchen.cold)
    first, second = ticket.items.order_by("pk")
    services.start_item(item=first, by=world.kitchen)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.started_at
    services.ready_item(item=first, by=world.kitchen)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    services.ready_item(item=second, by=world.kitchen)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.READY and ticket.ready_at
    history = list(TicketStatusChange.objects.filter(ticket=ticket).values_list("from_status", "to_status"))
    assert ("new", "in_progress") in history and ("in_progress", "ready") in history


def test_bumping_every_station_makes_the_order_ready_at_expo_and_calls_the_waiter(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    services.fire_course(order=order, course=2, by=world.waiter)
    mains = Fire.objects.get(order=order, course=2)
    hot, cold = (
        Ticket.objects.get(fire=mains, station=kitchen.hot),
        Ticket.objects.get(fire=mains, station=kitchen.cold),
    )
    services.bump_ticket(ticket=hot, by=world.kitchen)
    mains.refresh_from_db()
    assert mains.status == Fire.Status.FIRED
    assert selectors.ready_for_waiter(waiter_id=world.waiter.pk) == []
    services.bump_ticket(ticket=cold, by=world.kitchen)
    mains.refresh_from_db()
    assert mains.status == Fire.Status.READY and mains.ready_at
    ready = selectors.ready_for_waiter(waiter_id=world.waiter.pk)
    assert [(r["id"], r["course"], r["table"]) for r in ready] == [(mains.pk, 2, world.tables[0].number)]
    assert set(TicketItem.objects.filter(ticket__fire=mains).values_list("status", flat=True)) == {"ready"}


def test_expo_bump_is_refused_while_a_station_is_open_unless_overridden(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    services.fire_course(order=order, course=2, by=world.waiter)
    mains = Fire.objects.get(order=order, course=2)
    services.bump_ticket(ticket=Ticket.objects.get(fire=mains, station=kitchen.hot), by=world.kitchen)
    with pytest.raises(ValidationError) as refused:
        services.bump_fire(fire=mains, by=world.kitchen)
    assert "Cold" in refused.value.message_dict["fire"][0]
    services.bump_fire(fire=mains, by=world.kitchen, override=True)
    mains.refresh_from_db()
    assert mains.status == Fire.Status.BUMPED
    assert FireStatusChange.objects.filter(fire=mains, to_status="bumped", note="override").exists()
    assert AuditEntry.objects.filter(action="expo_bump_override").exists()


def test_recall_brings_a_bumped_ticket_back_and_the_order_is_no_longer_ready(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world))
    (ticket,) = tickets_of(kitchen.cold)
    services.bump_ticket(ticket=ticket, by=world.kitchen)
    assert ticket.fire.__class__.objects.get(pk=ticket.fire_id).status == Fire.Status.READY
    recalled = services.recall_last_ticket(station=kitchen.cold, by=world.kitchen)
    assert recalled.pk == ticket.pk and recalled.status == Ticket.Status.IN_PROGRESS and recalled.recalled_at
    assert Fire.objects.get(pk=ticket.fire_id).status == Fire.Status.FIRED
    with pytest.raises(TransitionNotAllowed):
        services.recall_ticket(ticket=recalled, by=world.kitchen)


def test_expo_bumps_a_ready_order_and_can_recall_it(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world))
    (ticket,) = tickets_of(kitchen.cold)
    services.bump_ticket(ticket=ticket, by=world.kitchen)
    fire = services.bump_fire(fire=ticket.fire, by=world.kitchen)
    assert fire.status == Fire.Status.BUMPED
    assert selectors.ready_for_waiter(waiter_id=world.waiter.pk) == []
    fire = services.recall_fire(fire=fire, by=world.kitchen)
    assert fire.status == Fire.Status.READY


def test_a_void_strikes_the_item_and_sends_its_own_void_ticket(world, kitchen):
    order = open_table(world)
    (line,) = send(world, order, soup(world))
    orders.void_line(line=line, by=world.waiter, reason="guest left", approver_id=world.manager.pk, approver_pin="9999")
    original, void = tickets_of(kitchen.cold)
    assert original.items.get().status == TicketItem.Status.VOID
    assert void.kind == Ticket.Kind.VOID and void.status == Ticket.Status.NEW
    (void_item,) = void.items.all()
    assert (void_item.name, void_item.status, void_item.note) == ("Soup", "void", "guest left")
    # Nothing left to cook: the order is not held up by a voided dish.
    assert Fire.objects.get(pk=original.fire_id).status == Fire.Status.READY


def test_a_void_on_a_held_course_only_strikes_the_item(world, kitchen):
    order = open_table(world)
    lines = send(world, order, soup(world), steak(world))
    steak_line = next(line for line in lines if line.course == 2)
    orders.void_line(
        line=steak_line, by=world.waiter, reason="changed mind", approver_id=world.manager.pk, approver_pin="9999"
    )
    assert not Ticket.objects.filter(kind=Ticket.Kind.VOID).exists()
    assert set(TicketItem.objects.filter(line=steak_line).values_list("status", flat=True)) == {"void"}


def test_a_table_move_relabels_open_tickets_and_a_late_note_flashes(world, kitchen):
    order = open_table(world)
    (line,) = send(world, order, soup(world))
    orders.transfer_order(order=order, to_table=world.tables[4], by=world.waiter)
    (ticket,) = tickets_of(kitchen.cold)
    assert ticket.table_label == world.tables[4].number
    assert ticket.fire.table_label == world.tables[4].number
    orders.change_sent_line_note(line=line, by=world.waiter, note="allergy: celery")
    item = ticket.items.get()
    assert item.note == "allergy: celery" and item.note_changed_at is not None
    assert OrderLine.objects.get(pk=line.pk).note == "allergy: celery"


def test_merging_tables_moves_their_tickets_to_the_merged_order(world, kitchen):
    first, second = open_table(world, 0), open_table(world, 1)
    send(world, second, soup(world))
    orders.merge_orders(source=second, target=first, by=world.waiter)
    (ticket,) = tickets_of(kitchen.cold)
    assert ticket.order_id == first.pk and ticket.table_label == world.tables[0].number


def test_handing_the_order_over_calls_the_new_waiter_when_ready(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world))
    orders.assign_order(order=order, waiter=world.other_waiter, by=world.waiter)
    (ticket,) = tickets_of(kitchen.cold)
    services.bump_ticket(ticket=ticket, by=world.kitchen)
    assert selectors.ready_for_waiter(waiter_id=world.other_waiter.pk)
    assert Fire.objects.get(pk=ticket.fire_id).waiter_id == world.other_waiter.pk


def test_the_next_course_fires_by_itself_after_the_configured_delay(world, kitchen):
    KitchenSettings.objects.create(outlet=world.outlet, auto_fire_after_minutes=7)
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    (starter,) = tickets_of(kitchen.cold, fire__course=1)
    before = timezone.now()
    services.bump_ticket(ticket=starter, by=world.kitchen)
    mains = Fire.objects.get(order=order, course=2)
    assert mains.status == Fire.Status.HELD
    assert (
        before + datetime.timedelta(minutes=7) <= mains.auto_fire_at <= timezone.now() + datetime.timedelta(minutes=7)
    )
    assert services.fire_due_courses(now=timezone.now()) == []
    (fired,) = services.fire_due_courses(now=mains.auto_fire_at)
    assert fired.pk == mains.pk
    assert {t.status for t in Ticket.objects.filter(fire=mains)} == {Ticket.Status.NEW}


def test_rush_flags_the_order_and_its_open_tickets(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    services.rush_order(order=order, by=world.waiter)
    assert set(Ticket.objects.filter(order=order).values_list("rush", flat=True)) == {True}
    (starter,) = tickets_of(kitchen.cold, fire__course=1)
    services.set_ticket_rush(ticket=starter, rush=False, by=world.kitchen)
    starter.refresh_from_db()
    assert not starter.rush


def test_all_day_counts_open_items_across_tickets_of_a_station(world, kitchen):
    for index in range(3):
        order = open_table(world, index)
        send(world, order, soup(world, qty=index + 1), orders.LineRequest(item_id=world.salad.pk, seat=1, course=1))
    # One salad is done: it no longer counts.
    done = TicketItem.objects.filter(name="Salad").order_by("pk").first()
    services.ready_item(item=done, by=world.kitchen)
    board = selectors.station_board(station=kitchen.cold)
    assert board["all_day"] == [{"name": "Soup", "qty": 6}, {"name": "Salad", "qty": 2}]


def test_a_display_works_only_its_own_station_and_a_waiter_not_at_all(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world))
    (ticket,) = tickets_of(kitchen.cold)
    hot_screen = KitchenDisplay.objects.create(station=kitchen.hot, name="Hot 1", paired_by=world.manager)
    with pytest.raises(PermissionDenied):
        services.start_ticket(ticket=ticket, by=hot_screen)
    with pytest.raises(PermissionDenied):
        services.bump_ticket(ticket=ticket, by=world.waiter)
    cold_screen = KitchenDisplay.objects.create(station=kitchen.cold, name="Cold 1", paired_by=world.manager)
    services.start_ticket(ticket=ticket, by=cold_screen)
    assert TicketStatusChange.objects.filter(ticket=ticket, by_display=cold_screen).exists()
    cold_screen.is_active = False
    cold_screen.save()
    with pytest.raises(PermissionDenied):
        services.bump_ticket(ticket=ticket, by=cold_screen)


def test_a_pairing_code_pairs_one_screen_once_and_expires(world, kitchen):
    with pytest.raises(PermissionDenied):
        services.issue_pairing_code(station=kitchen.cold, by=world.waiter)
    pairing = services.issue_pairing_code(station=kitchen.cold, by=world.manager)
    assert len(pairing.code) == 6 and pairing.code.isdigit()
    display = services.pair_display(code=pairing.code, name="Cold left")
    assert (display.station_id, display.name, display.paired_by_id) == (kitchen.cold.pk, "Cold left", world.manager.pk)
    with pytest.raises(ValidationError):
        services.pair_display(code=pairing.code, name="again")
    stale = services.issue_pairing_code(station=kitchen.cold, by=world.manager)
    stale.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    stale.save()
    with pytest.raises(ValidationError):
        services.pair_display(code=stale.code, name="late")


def test_changes_since_a_number_give_the_current_state_of_what_changed(world, kitchen):
    first = open_table(world, 0)
    send(world, first, soup(world))
    kitchen.cold.refresh_from_db()
    seen = kitchen.cold.last_seq
    second = open_table(world, 1)
    send(world, second, soup(world))
    (old_ticket,) = tickets_of(kitchen.cold, order=first)
    services.bump_ticket(ticket=old_ticket, by=world.kitchen)
    changes = selectors.changes_since(station=kitchen.cold, after=seen)
    assert changes["type"] == "changes" and changes["seq"] == seen + 2
    assert {(t["order"], t["status"]) for t in changes["tickets"]} == {(second.pk, "new"), (first.pk, "bumped")}
    assert selectors.changes_since(station=kitchen.cold, after=changes["seq"])["tickets"] == []
    # A screen that remembers a number from a reset database gets the whole board.
    assert selectors.changes_since(station=kitchen.cold, after=changes["seq"] + 50)["type"] == "board"


def test_expo_board_shows_each_stations_progress(world, kitchen):
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    services.fire_course(order=order, course=2, by=world.waiter)
    mains = Fire.objects.get(order=order, course=2)
    services.bump_ticket(ticket=Ticket.objects.get(fire=mains, station=kitchen.hot), by=world.kitchen)
    board = selectors.expo_board(station=kitchen.expo)
    entry = next(f for f in board["fires"] if f["id"] == mains.pk)
    assert {(s["name"], s["status"]) for s in entry["stations"]} == {("Hot", "bumped"), ("Cold", "new")}
    assert entry["waiter"] == "Anna" and entry["course_name"] == "Mains"


def test_the_automatic_fire_is_queued_for_the_worker_at_its_time(world, kitchen, django_capture_on_commit_callbacks):
    KitchenSettings.objects.create(outlet=world.outlet, auto_fire_after_minutes=5)
    order = open_table(world)
    send(world, order, soup(world), steak(world))
    (starter,) = tickets_of(kitchen.cold, fire__course=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.bump_ticket(ticket=starter, by=world.kitchen)
    (task,) = DBTaskResult.objects.filter(task_path="kitchen.tasks.fire_due_courses")
    assert task.run_after == Fire.objects.get(order=order, course=2).auto_fire_at
    # What the worker runs when the time comes:
    Fire.objects.filter(order=order, course=2).update(auto_fire_at=timezone.now())
    assert fire_due_courses.call() == 1


def test_drinks_alone_in_the_first_course_do_not_hold_back_the_mains(world, kitchen):
    order = open_table(world)
    drinks = world.steak.category.menu.categories.create(name="Drinks", default_course=1)
    water = drinks.items.create(name="Water", price=300, tax_rate=world.salad.tax_rate)
    send(world, order, orders.LineRequest(item_id=water.pk, seat=1, course=1), steak(world))
    assert [(f.course, f.status) for f in Fire.objects.filter(order=order)] == [(2, Fire.Status.FIRED)]
