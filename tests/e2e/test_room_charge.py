"""Charge to room in a real browser on the demo hotel's built-in ledger (flow 6).

The waiter types the room, picks one of the two guests sharing it, the check goes to
that guest's folio and the table is free; the front desk sees the posting and the folio.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from billing.models import Payment
from demo.management.commands.seed_demo import BISTRO_NAME, HOTEL_CODE
from pms_integration.models import FolioEntry, Interface, LinkState, PmsLink, Posting, PostingOutlet
from tests.e2e.conftest import PHONE, TABLET
from tests.e2e.steps import enter_pin, in_own_thread, send_order, sign_in
from tests.e2e.test_bill import assert_touch_targets, open_tender_pad
from tests.e2e.test_waiter_flow import euro_en
from tests.pms.fias_simulator import FiasPms
from tests.pms.test_fias_link import Link, eventually

MUELLER = "Müller, Jürgen Herr"


def sign_in_at_the_front_desk(page: Page, name: str, pin: str) -> None:
    page.locator(".name-tile", has_text=name).tap()
    enter_pin(page, pin)
    page.locator(".pin-ok").tap()
    page.wait_for_url("**/frontdesk/")


def postings_of(order_id: int) -> list[Posting]:
    return in_own_thread(
        lambda: list(
            Posting.objects.filter(payment__guest_check__order_id=order_id).select_related("payment").order_by("pk")
        )
    )


def test_a_waiter_charges_a_table_to_one_of_two_guests_sharing_room_214(pages):
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    # Soup 6.95 (9%) and a glass of red wine 5.50 (21%): 12.45.
    order = send_order(
        anna, pages.base_url, "5", [{"item": "Soup of the day"}, {"item": "House red (glass)", "seat": 2}]
    )
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    column = anna.locator(".bill-check").first
    total = int(column.locator(".bill-totals__row--total").get_attribute("data-total"))
    assert total == 695 + 550

    pad = open_tender_pad(anna, column)
    pad.locator('.tender-tab[data-tender-kind="room_charge"]').tap()
    expect(pad.locator('[data-action="charge-room"]')).to_have_text("Pick the guest first")
    expect(pad.locator('[data-action="charge-room"]')).to_be_disabled()
    pad.locator('input[name="room"]').fill("214")
    pad.locator('[data-action="find-guests"]').tap()
    guests = pad.locator(".guest-card")
    expect(guests).to_have_count(2)
    expect(guests.locator(".guest-card__name")).to_have_text(["Mr. Daniel Okafor", "Mrs. Grace Okafor"])
    expect(guests.nth(1)).to_contain_text("Credit left €150.00")
    expect(pad.locator(".tender-tip")).to_have_text("Tipnone" + "Add tip…")
    pages.screenshot(anna, "1-two-guests-in-214")
    assert_touch_targets(anna, ".tender-pad")

    grace = pad.locator(".guest-card", has_text="Grace")
    grace.tap()
    expect(grace).to_have_attribute("aria-checked", "true")
    expect(pad.locator(".guest-card", has_text="Daniel")).to_have_attribute("aria-checked", "false")
    # A €2.55 tip rounds the charge up to €15.00.
    pad.locator('[data-action="tip"]').tap()
    anna.locator('.tip-sheet [data-tip="255"]').tap()
    go = pad.locator('[data-action="charge-room"]')
    expect(go).to_have_text("Charge €15.00 to room 214")
    pages.screenshot(anna, "2-grace-with-tip")
    go.tap()
    expect(pad.locator(".tender-paid__free")).to_have_text("Table is free")
    expect(pad.locator(".tender-paid__tip")).to_have_text(f"Tip: {euro_en(255)}")
    pages.screenshot(anna, "3-posted")
    # The guest is asked how the receipt should come; then the waiter goes back to the floor.
    expect(pad.locator(".receipt-choice")).to_be_visible()
    pad.locator('[data-action="done"]').tap()
    anna.wait_for_url(re.compile(r"/floor/"))
    expect(anna.locator('[data-table-number="5"]')).to_have_attribute("data-state", "free")

    [posting] = postings_of(order["id"])
    assert (posting.state, posting.room, posting.guest_name) == ("posted", "214", "Mrs. Grace Okafor")
    assert (posting.amount, posting.tip) == (1500, 255)
    assert posting.payment.state == Payment.State.CAPTURED
    assert sum(split["amount"] for split in posting.revenue) == 1245
    folio = in_own_thread(
        lambda: list(FolioEntry.objects.filter(posting=posting).values_list("stay__guest_name", "amount"))
    )
    assert folio == [("Mrs. Grace Okafor", 1500)]

    # The front desk sees it posted, and Grace's balance on her folio.
    fleur = pages.open(TABLET, "/")
    sign_in_at_the_front_desk(fleur, "Fleur", "5555")
    card = fleur.locator(f'.posting[data-posting-id="{posting.pk}"]')
    expect(card).to_have_attribute("data-state", "posted")
    expect(card.locator(".posting__guest")).to_have_text("Mrs. Grace Okafor")
    expect(card.locator(".posting__amount")).to_contain_text("€15.00")
    expect(fleur.locator(".link").first).to_have_attribute("data-state", "up")
    row = fleur.locator('.stays__table tr[data-room="214"]', has_text="Grace")
    expect(row.locator(".num")).to_have_text("€15.00")
    pages.screenshot(fleur, "4-front-desk")
    assert_touch_targets(fleur, "#front-desk")
    row.locator('[data-action="folio"]').tap()
    fleur.wait_for_url(re.compile(r"/frontdesk/stays/\d+/folio/"))
    expect(fleur.locator('[data-field="balance"]')).to_have_text("€15.00")  # as every page shows money
    expect(fleur.locator(".folio__lines tbody tr")).to_have_count(1)
    pages.screenshot(fleur, "5-folio")

    # The same page on a phone: one column, touch-sized buttons.
    phone = pages.open(PHONE, "/")
    sign_in_at_the_front_desk(phone, "Fleur", "5555")
    expect(phone.locator(f'.posting[data-posting-id="{posting.pk}"]')).to_be_visible()
    expect(phone.locator('.stays__table tr[data-room="214"]', has_text="Grace")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the front desk scrolls sideways on a phone ({width}px)"
    pages.screenshot(phone, "6-front-desk-phone")
    assert_touch_targets(phone, "#front-desk")


def test_a_blocked_guest_needs_a_managers_pin_and_a_phone_fits_the_guest_picker(pages):
    anna = pages.open(PHONE)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "7", [{"item": "Carpaccio"}])
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    pad = open_tender_pad(anna, anna.locator(".bill-check").first)
    pad.locator('.tender-tab[data-tender-kind="room_charge"]').tap()
    # Yuki Tanaka in 108 is on no-post in the demo hotel.
    pad.locator('input[name="room"]').fill("108")
    pad.locator('[data-action="find-guests"]').tap()
    card = pad.locator(".guest-card", has_text="Yuki Tanaka")
    expect(card.locator(".guest-card__flag--stop")).to_have_text("No-post")
    card.tap()
    pad.locator('[data-action="charge-room"]').tap()
    approval = pad.locator(".room-approval")
    expect(approval).to_be_visible()
    expect(approval.locator(".room-approval__reason")).to_contain_text("no")
    pages.screenshot(anna, "1-needs-a-manager")
    approval.locator(".chip", has_text="Mila").tap()
    enter_pin(anna, "9999")
    approval.locator(".pin-ok").tap()
    expect(pad.locator(".tender-paid__free")).to_have_text("Table is free")
    pages.screenshot(anna, "2-posted-with-override")
    [posting] = postings_of(order["id"])
    assert posting.state == "posted" and posting.credit_override


@pytest.fixture
def fias_hotel(demo_data):
    """The demo hotel on FIAS (the simulator from tests/pms), its link process running here, the bistro in
    "accept and post later" mode; the link has just ended, as during a PMS outage."""
    pms = FiasPms()
    pms.add_guest(room="214", reservation="5001", name="Okafor, Daniel Mr.")
    pms.add_guest(room="214", reservation="5002", name="Okafor, Grace Mrs.")
    pms.start()

    def on_fias():
        link = PmsLink.objects.select_related("hotel").get(hotel__code=HOTEL_CODE)
        link.interface, link.host, link.port = Interface.FIAS, pms.host, pms.port
        link.inquiry_timeout = link.posting_timeout = 3
        link.save()
        PostingOutlet.objects.filter(outlet__name=BISTRO_NAME).update(when_unreachable="queue")
        return link

    link = in_own_thread(on_fias)
    process = Link(link).start()
    in_own_thread(lambda: eventually(lambda: LinkState.objects.filter(link=link, state="up").exists()))
    pms.link_end(close=False)
    in_own_thread(lambda: eventually(lambda: LinkState.objects.filter(link=link, state="down").exists()))
    yield pms
    process.close()
    pms.stop()


def test_the_front_desk_posts_a_charge_taken_offline_to_the_right_sharer(pages, fias_hotel):
    pms = fias_hotel
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "8", [{"item": "Carpaccio"}, {"item": "Still water"}])
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    pad = open_tender_pad(anna, anna.locator(".bill-check").first)
    pad.locator('.tender-tab[data-tender-kind="room_charge"]').tap()
    pad.locator('input[name="room"]').fill("214")
    pad.locator('[data-action="find-guests"]').tap()
    # The PMS is away: the house takes the room's word; the guest is chosen when it is back.
    offline = pad.locator(".guest-card")
    expect(offline).to_have_count(1)
    expect(offline).to_contain_text("offline")
    offline.tap()
    pad.locator('[data-action="charge-room"]').tap()
    expect(pad.locator(".tender-paid__free")).to_have_text("Table is free")
    pages.screenshot(anna, "1-taken-offline")

    # The PMS is back; 214 has two guests, so the link cannot choose: rejected, for the front desk.
    pms.send_link_start()
    [posting] = in_own_thread(
        lambda: eventually(lambda: list(Posting.objects.filter(state="rejected", room="214")), timeout=15)
    )
    fleur = pages.open(TABLET, "/")
    sign_in_at_the_front_desk(fleur, "Fleur", "5555")
    card = fleur.locator(f'.posting[data-posting-id="{posting.pk}"]')
    expect(card).to_have_attribute("data-state", "rejected")
    expect(fleur.locator(".posting").first).to_have_attribute("data-posting-id", str(posting.pk))
    expect(card.locator(".posting__answer")).to_contain_text("2 guests share room 214")
    expect(card.locator(".check-image")).to_contain_text("Carpaccio")
    expect(card.locator(".check-image")).to_be_visible()
    pages.screenshot(fleur, "2-rejected-first")
    assert_touch_targets(fleur, ".posting__actions")

    card.locator('[data-action="redirect"]').tap()
    dialog = fleur.locator('dialog[data-dialog="redirect"]')
    dialog.locator('input[name="room"]').fill("214")
    dialog.locator('[data-action="find-guests"]').tap()
    expect(dialog.locator(".guest-card")).to_have_count(2)  # asked of the PMS through the link process
    dialog.locator(".guest-card", has_text="Grace").tap()
    pages.screenshot(fleur, "3-pick-grace")
    dialog.locator('[data-action="submit"]').tap()
    expect(dialog).to_have_count(0)
    expect(card).to_have_attribute("data-state", "cancelled")
    grace = fleur.locator(".posting", has_text="Grace")
    expect(grace).to_have_attribute("data-state", "posted", timeout=15_000)
    pages.screenshot(fleur, "4-posted-to-grace")

    [posted] = pms.accepted
    assert posted["G#"] == "5002" and posted["RN"] == "214"
    bill = anna.request.get(f"{pages.base_url}/api/billing/orders/{order['id']}/bill/").json()
    assert bill["order"]["status"] == "closed"


def test_an_unanswered_charge_lets_the_waiter_go_and_the_front_desk_confirms_it_from_the_folio(pages, fias_hotel):
    pms = fias_hotel
    pms.send_link_start()
    in_own_thread(lambda: eventually(lambda: LinkState.objects.filter(state="up").exists(), timeout=15))
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "9", [{"item": "Carpaccio"}])
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    pad = open_tender_pad(anna, anna.locator(".bill-check").first)
    pad.locator('.tender-tab[data-tender-kind="room_charge"]').tap()
    pad.locator('input[name="room"]').fill("214")
    pad.locator('[data-action="find-guests"]').tap()
    pad.locator(".guest-card", has_text="Daniel").tap()
    # The PMS takes the posting and the line drops before its answer.
    pms.drop_after_next_posting(accept=True)
    pad.locator('[data-action="charge-room"]').tap()
    go = pad.locator('[data-action="charge-room"]')
    expect(go).to_have_text("Waiting for the front desk", timeout=15_000)
    expect(pad.locator(".tender-pad__error")).to_contain_text("front desk")
    expect(pad.locator('[data-action="close"]')).to_be_enabled()
    pages.screenshot(anna, "1-waiting-for-the-front-desk")
    pad.locator('[data-action="close"]').tap()
    # The check cannot be paid another way meanwhile: that could charge the guest twice.
    expect(anna.locator('.bill-check [data-action="pay"]')).to_have_text("Waiting for the hotel…")
    expect(anna.locator('.bill-check [data-action="pay"]')).to_be_disabled()
    assert len(pms.accepted) == 1

    fleur = pages.open(TABLET, "/")
    sign_in_at_the_front_desk(fleur, "Fleur", "5555")
    card = fleur.locator('.posting[data-state="unknown"]')
    expect(card).to_have_count(1)
    expect(card.locator('[data-action="retry"]')).to_have_text("Not on the folio: send again")
    card.locator('[data-action="confirm"]').tap()
    dialog = fleur.locator('dialog[data-dialog="confirm"]')
    dialog.locator('input[name="note"]').fill("on the folio, Fleur")
    pages.screenshot(fleur, "2-confirm-from-the-folio")
    dialog.locator('[data-action="submit"]').tap()
    expect(fleur.locator(".posting").first).to_have_attribute("data-state", "posted")

    bill = anna.request.get(f"{pages.base_url}/api/billing/orders/{order['id']}/bill/").json()
    assert bill["order"]["status"] == "closed"
    assert len(pms.accepted) == 1  # confirmed, never sent twice


@pytest.fixture
def fias_up(demo_data, request):
    """The demo hotel on FIAS (the simulator from tests/pms) with its link up, patient with a slow PMS.
    Both sides speak the code page given as the fixture's parameter (cp1252 by default)."""
    encoding = getattr(request, "param", "cp1252")
    pms = FiasPms(encoding=encoding)
    pms.add_guest(room="214", reservation="5001", name="Okafor, Daniel Mr.")
    pms.add_guest(room="214", reservation="5002", name="Okafor, Grace Mrs.")
    pms.add_guest(room="108", reservation="5003", name="Tanaka, Yuki", no_post=True)
    pms.add_guest(room="301", reservation="5004", name=MUELLER)
    pms.start()

    def on_fias():
        link = PmsLink.objects.select_related("hotel").get(hotel__code=HOTEL_CODE)
        link.interface, link.host, link.port, link.encoding = Interface.FIAS, pms.host, pms.port, encoding
        link.inquiry_timeout, link.posting_timeout = 15, 3
        link.save()
        return link

    link = in_own_thread(on_fias)
    process = Link(link).start()
    in_own_thread(lambda: eventually(lambda: LinkState.objects.filter(link=link, state="up").exists()))
    yield pms
    process.close()
    pms.stop()


WAITING_FOR_THE_HOTEL = {"en": "Waiting for the hotel…", "nl": "Wacht op het hotel…"}


@pytest.mark.parametrize(
    ("device", "language", "fias_up"),
    [(TABLET, "en", "cp1252"), (PHONE, "nl", "utf-8")],
    ids=["tablet-en-cp1252", "phone-nl-utf8"],
    indirect=["fias_up"],
)
def test_a_guest_lookup_behind_a_slow_hotel_says_so_at_once_and_names_come_in_the_links_code_page(
    pages, fias_up, device, language
):
    pms = fias_up
    anna = pages.open(device)
    if language == "nl":
        anna.locator('.language-switch button[value="nl"]').tap()
        expect(anna.locator("html")).to_have_attribute("lang", "nl")
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "6", [{"item": "Carpaccio"}])
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    pad = open_tender_pad(anna, anna.locator(".bill-check").first)
    pad.locator('.tender-tab[data-tender-kind="room_charge"]').tap()
    # The PMS answers one request at a time: here every answer comes seconds late, as behind a posting.
    pms.delay_answers(4.0)
    lists_before = sum(1 for record in pms.sent if record.rid == "PL")
    pad.locator('input[name="room"]').fill("301")
    pad.locator('[data-action="find-guests"]').tap()
    waiting = pad.locator(".guest-list__waiting")
    expect(waiting).to_have_text(WAITING_FOR_THE_HOTEL[language])
    assert sum(1 for record in pms.sent if record.rid == "PL") == lists_before  # said before the hotel answered
    expect(pad.locator('[data-action="charge-room"]')).to_be_disabled()
    pages.screenshot(anna, f"1-waiting-{language}")
    pms.delay_answers(0)
    expect(pad.locator(".guest-card__name")).to_have_text([MUELLER], timeout=20_000)
    expect(waiting).to_have_count(0)
    pages.screenshot(anna, f"2-guests-{language}")


def test_on_fias_a_no_post_guest_is_refused_at_the_table_without_asking_a_manager(pages, fias_up):
    pms = fias_up
    anna = pages.open(TABLET)
    sign_in(anna, "Anna", "1111")
    order = send_order(anna, pages.base_url, "10", [{"item": "Carpaccio"}])
    anna.goto(f"{pages.base_url}/orders/{order['id']}/bill/")
    pad = open_tender_pad(anna, anna.locator(".bill-check").first)
    pad.locator('.tender-tab[data-tender-kind="room_charge"]').tap()
    pad.locator('input[name="room"]').fill("108")
    pad.locator('[data-action="find-guests"]').tap()
    card = pad.locator(".guest-card", has_text="Tanaka")
    expect(card.locator(".guest-card__flag--stop")).to_have_text("No-post")
    card.tap()
    pad.locator('[data-action="charge-room"]').tap()
    # FIAS cannot carry a no-post override: the waiter is told so, and no manager's PIN is asked.
    expect(pad.locator(".tender-pad__error")).to_contain_text("the front desk can lift the block in the PMS")
    expect(pad.locator(".room-approval")).to_be_hidden()
    pages.screenshot(anna, "1-no-post-on-fias")
    assert not [record for record in pms.received if record.rid == "PR" and record.has("TA")]
    assert postings_of(order["id"]) == []
