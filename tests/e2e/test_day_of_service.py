"""A whole day of service on the screens: Carla the cashier runs the bistro's till, Mila closes the day.

A real daphne talks to the local Stripe server (the card reader) and a real SMTP server
(aiosmtpd). Anna's tables are set up through the services, as her tablet would leave them;
every step Carla and Mila take is done in the browser:

1. Carla signs in with her PIN, counts last night's drawer closed and opens hers with a float
   counted by note and coin.
2. Two tables pay cash and one pays by card on the reader, each from her open checks and the
   bill screen's tender pad.
3. She pays 5.00 of tips out of the drawer.
4. She refunds one soup of a paid table with Mila's PIN and a reason; the receipt lists it.
5. She e-mails that receipt from the bill screen's receipt dialog; the mail is read back.
6. She counts the drawer blind; what it should have held equals float + cash taken - change -
   refund - pay-out, summed from the database's rows.
7. Mila counts the bar's drawer, confirms the unanswered room charge, carries the open table
   over and closes the day; each outlet's Z balances with the Payment and Refund rows.

Screenshots go to /tmp/daytest/.
"""

import email
import email.policy
import io
import re
import uuid
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from billing import services
from billing.models import BusinessDay, CardReader, CashMovement, DrawerSession, Payment, Refund, Tender
from demo.management.commands.seed_demo import BAR_NAME, BISTRO_NAME, DEMO_FLOAT
from orders.models import Item
from orders.services import LineRequest, add_lines, open_order, send_to_kitchen
from staff.models import User
from tables.models import Outlet, Table
from tests.e2e.conftest import PHONE, TABLET, running_daphne, stripe_env
from tests.e2e.steps import LIVE_TIMEOUT_MS, in_own_thread, on_screen, sign_in
from tests.e2e.test_cashier import cashier_signs_in
from tests.e2e.test_close_of_day import an_open_order_and_an_unanswered_room_charge

SHOTS = Path("/tmp/daytest")
DUTCH = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
ENGLISH = {"locale": "en-GB", "timezone_id": "Europe/Amsterdam"}
DEVICES = {"tablet-en": {**TABLET, **ENGLISH}, "phone-nl": {**PHONE, **DUTCH}, "tablet-nl": {**TABLET, **DUTCH}}
WORDS = {
    "en": {
        "tips": "Tips paid out",
        "subject": f"Your receipt from {BISTRO_NAME}",
        "sent": "Sent to guest@example.com.",
        "close": "Close the day",
        "z": "Z report no. 1",
    },
    "nl": {
        "tips": "Fooien uitbetaald",
        "subject": f"Uw bon van {BISTRO_NAME}",
        "sent": "Verstuurd naar guest@example.com.",
        "close": "Dag afsluiten",
        "z": "Z-rapport nr. 1",
    },
}
# Anna's three tables of the evening: two pay cash (table 3 with a note, so change is given), one by card.
TABLES = {
    "3": [("Soup of the day", 2), ("Carpaccio", 1)],
    "4": [("Carpaccio", 1), ("Bottle of house red", 1)],
    "5": [("Soup of the day", 1), ("Tea", 1)],
}
FLOAT = {5000: 2, 200: 10}  # what Carla counts into the drawer: 120.00
REFUND_REASON = "Soup was cold"


@pytest.fixture
def server_url(demo_data, mail_box, stripe_server, request):
    """The daphne of the day: its cards go to the local Stripe server, its mail to the local SMTP server."""
    env = {
        **stripe_env(stripe_server),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_box.port),
        "EMAIL_TIMEOUT": "5",
        "DEFAULT_FROM_EMAIL": "bonnen@bistro.example",
    }
    with running_daphne(request.node.name.removeprefix("test_"), extra_env=env) as base_url:
        stripe_server.webhook_url = f"{base_url}/api/billing/stripe/webhook/"
        yield base_url


def the_evening(stripe_server) -> dict:
    """The bistro's card reader; Anna's three tables sent to the kitchen, their bills open; table 1
    left open and table 2 charged to a room the hotel never answered (as the close-of-day test)."""
    bistro = Outlet.objects.get(name=BISTRO_NAME)
    reader = CardReader.objects.create(
        outlet=bistro, label="Reader at the pass", stripe_id=stripe_server.add_reader(label="Reader at the pass")
    )
    anna = User.objects.get(username="anna")
    orders = {}
    for number, lines in TABLES.items():
        table = Table.objects.get(area__outlet=bistro, number=number)
        order, _ = open_order(client_uuid=uuid.uuid4(), outlet=bistro, waiter=anna, table=table, covers=2)
        requests = []
        for name, qty in lines:
            item = Item.objects.filter(category__menu__outlet=bistro, name=name).first()
            requests.append(LineRequest(item_id=item.pk, seat=1, qty=qty))
        add_lines(order=order, requests=requests, by=anna)
        send_to_kitchen(order=order, by=anna)
        services.open_bill(order=order, by=anna)
        orders[number] = order.pk
    return {"reader": reader.pk, "stripe_reader": reader.stripe_id, "orders": orders}


def shot(page: Page, device: str, step: str) -> None:
    """A full-page screenshot in /tmp/daytest/, once the page fits the device's width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{device}-{step}.png"), full_page=True)
    # Nothing sticks out past the screen's edge (a phone would scroll the whole page sideways).
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= DEVICES[device]["viewport"]["width"], f"{step} is {width}px wide"


def amount(cents: int, language: str) -> re.Pattern:
    """An amount as the page shows it: 120.00 in English, 120,00 in Dutch (with or without the euro sign)."""
    text = f"{cents // 100}.{cents % 100:02d}"
    return re.compile(re.escape(text if language == "en" else text.replace(".", ",")))


def count(page: Page, grid: str, counts: dict[int, int]) -> None:
    for value, pieces in counts.items():
        page.locator(f'[data-count-grid="{grid}"] .count-row[data-value="{value}"] .count-row__pieces').fill(
            str(pieces)
        )


def in_notes_and_coins(page: Page, grid: str, total: int) -> dict[int, int]:
    """`total` as the drawer's notes and coins (largest first), from the denominations the grid lists."""
    values = sorted(
        (
            int(v)
            for v in page.locator(f'[data-count-grid="{grid}"] .count-row').evaluate_all(
                "(rows) => rows.map((row) => row.dataset.value)"
            )
        ),
        reverse=True,
    )
    counts = {}
    for value in values:
        if total >= value:
            counts[value], total = divmod(total, value)
    assert total == 0, f"{total} cents cannot be counted in {values}"
    return counts


def open_check_on_the_bill(carla: Page, order_id: int):
    """From the open checks, open the table's bill and its tender pad."""
    row = carla.locator(f'.cashier-row[data-order-id="{order_id}"]')
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    row.locator(".cashier-row__open").tap()
    carla.wait_for_url(re.compile(rf"/orders/{order_id}/bill/$"))
    column = carla.locator(".bill-check")
    expect(column).to_have_count(1)
    total = int(column.locator(".bill-totals__row--total").get_attribute("data-total"))
    column.locator('[data-action="pay"]').tap()
    pad = carla.locator(".tender-pad")
    expect(pad).to_be_visible()
    return pad, total


def back_to_open_checks(carla: Page, pad, order_id: int) -> None:
    pad.locator('[data-action="done"]').tap()
    carla.wait_for_url(re.compile(r"/cashier/\?outlet=\d+$"), timeout=15_000)
    expect(carla.locator(f'.cashier-row[data-order-id="{order_id}"]')).to_have_count(0)


def drawer_from_the_rows(session_id: int) -> dict:
    """What the drawer should hold, added up from the rows: the float, each cash payment's notes taken
    and change given, the cash refunds that succeeded, the pay-outs and pay-ins."""
    session = DrawerSession.objects.get(pk=session_id)
    cash = Payment.objects.filter(drawer_session=session, state=Payment.State.CAPTURED, tender__kind=Tender.Kind.CASH)
    refunds = Refund.objects.filter(drawer_session=session, state=Refund.State.SUCCEEDED)
    movements = CashMovement.objects.filter(session=session)
    figures = {
        "float": session.opening_float,
        "taken": sum(p.cash_given for p in cash),
        "change": sum(p.change_due for p in cash),
        "refunds": sum(r.amount for r in refunds),
        "pay_out": sum(m.amount for m in movements if m.kind == CashMovement.Kind.PAY_OUT),
        "pay_in": sum(m.amount for m in movements if m.kind == CashMovement.Kind.PAY_IN),
        "cash_payments": cash.count(),
        "opened_by": session.opened_by.username,
    }
    figures["expected"] = (
        figures["float"]
        + figures["taken"]
        - figures["change"]
        - figures["refunds"]
        - figures["pay_out"]
        + figures["pay_in"]
    )
    return figures


def z_against_the_rows(language: str) -> tuple[dict, dict]:
    """The stored Z's net per outlet and tender, and the same from the Payment and Refund rows of the day
    (captured payments with their tips and rounding, minus the refunds that succeeded).

    The Z keeps the tenders' names in the language of the manager who closed the day: the rows are
    named in that `language` too."""
    with translation.override(language):
        day = BusinessDay.objects.get(z_number=1)
        stored = {
            (section["outlet"]["name"], tender["name"]): tender["net"]
            for section in day.report["outlets"]
            for tender in section["by_tender"]
        }
        rows: dict = {}
        for payment in Payment.objects.filter(business_day=day, state=Payment.State.CAPTURED).select_related(
            "tender", "guest_check__order__outlet"
        ):
            key = (payment.guest_check.order.outlet.name, payment.tender.name)
            rows[key] = rows.get(key, 0) + payment.amount + payment.tip + payment.rounding
        for refund in Refund.objects.filter(business_day=day, state=Refund.State.SUCCEEDED).select_related(
            "payment__tender", "payment__guest_check__order__outlet"
        ):
            key = (refund.payment.guest_check.order.outlet.name, refund.payment.tender.name)
            rows[key] = rows.get(key, 0) - refund.amount
        return stored, rows


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(
        page.extract_text(extraction_mode="layout") for page in PdfReader(io.BytesIO(data), strict=True).pages
    )


@pytest.mark.parametrize("device", list(DEVICES))
def test_a_cashiers_and_a_managers_whole_day(pages, stripe_server, mail_box, device):
    language = device.rsplit("-", 1)[1]
    words = WORDS[language]
    evening = in_own_thread(lambda: the_evening(stripe_server))
    blockers = in_own_thread(an_open_order_and_an_unanswered_room_charge)
    orders = evening["orders"]

    # 1. Carla signs in with her PIN; on the drawer tab she counts last night's drawer closed
    #    (the demo's float, all there) and opens hers on 120.00 counted by note and coin.
    carla = pages.open(DEVICES[device])
    cashier_signs_in(carla)
    expect(carla.locator(".cashier-bar")).to_contain_text(BISTRO_NAME)
    shot(carla, device, "01-open-checks")
    # Her three tabs fit the screen, the drawer's too (none half hidden past the edge on a phone).
    width = DEVICES[device]["viewport"]["width"]
    for tab in ("#tab-open", "#tab-closed", "#tab-drawer"):
        box = carla.locator(tab).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (tab, box)
    carla.locator("#tab-drawer").tap()
    carla.wait_for_url(re.compile(r"/cashier/drawer/"))
    expect(carla.locator("#drawer-state")).to_be_visible()
    count(carla, "close", {int(value): pieces for value, pieces in DEMO_FLOAT.items()})
    carla.locator("#close-submit").tap()
    expect(carla.locator('#count-result [data-field="variance"]')).to_have_attribute("data-sign", "even")
    carla.locator("#result-done").tap()
    expect(carla.locator("#open-drawer")).to_be_visible()
    count(carla, "float", FLOAT)
    expect(carla.locator('[data-count-grid="float"] .count-grid__total')).to_have_text(amount(12000, language))
    shot(carla, device, "02-float")
    carla.locator("#open-submit").tap()
    expect(carla.locator('#drawer-state [data-field="float"]')).to_have_text(amount(12000, language))
    session_id = int(carla.locator("#drawer").get_attribute("data-session-id"))

    # 2. Table 3 pays with the next round note (change given), table 4 the exact cash, table 5 by card.
    carla.locator("#tab-open").tap()
    expect(carla.locator("#open-checks")).to_have_attribute("aria-busy", "false")
    pad, total_3 = open_check_on_the_bill(carla, orders["3"])
    note = pad.locator('.tender-quick__button[data-quick]:not([data-quick="exact"])').first
    given = int(note.get_attribute("data-amount"))
    assert given > total_3
    note.tap()
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", str(given - total_3))
    shot(carla, device, "03-cash-with-change")
    back_to_open_checks(carla, pad, orders["3"])

    pad, total_4 = open_check_on_the_bill(carla, orders["4"])
    pad.locator('[data-quick="exact"]').tap()
    pad.locator('[data-action="take-cash"]').tap()
    expect(pad.locator(".tender-paid__change")).to_have_attribute("data-change", "0")
    back_to_open_checks(carla, pad, orders["4"])

    pad, total_5 = open_check_on_the_bill(carla, orders["5"])
    pad.locator('.tender-tab[data-tender-kind="card"]').tap()
    expect(pad.locator(f'.chip[data-reader-id="{evening["reader"]}"]')).to_have_attribute("aria-checked", "true")
    pad.locator('[data-action="send-to-reader"]').tap()
    expect(pad.locator(".card-status__text")).to_be_visible()
    shot(carla, device, "04-card-waiting")
    reader = stripe_server.reader(evening["stripe_reader"])
    assert reader["action"]["status"] == "in_progress"
    intent_id = reader["action"]["process_payment_intent"]["payment_intent"]
    assert stripe_server.payment_intent(intent_id)["amount"] == total_5
    stripe_server.present_card(evening["stripe_reader"])  # the guest taps the card on the reader
    expect(pad.locator(".tender-paid")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    shot(carla, device, "05-card-paid")
    back_to_open_checks(carla, pad, orders["5"])
    card = in_own_thread(lambda: Payment.objects.select_related("tender").get(provider_id=intent_id))
    assert (card.state, card.amount) == (Payment.State.CAPTURED, total_5)
    # Table 1 (left open on purpose) is still on her list.
    expect(carla.locator(f'.cashier-row[data-order-id="{blockers["carried"]}"]')).to_be_visible()

    # 3. 5.00 of tips paid out of the drawer.
    carla.locator("#tab-drawer").tap()
    carla.wait_for_url(re.compile(r"/cashier/drawer/"))
    carla.locator("#movement-reason label", has_text=words["tips"]).tap()
    carla.locator('#movement-form input[name="amount"]').fill("5,00" if language == "nl" else "5.00")
    carla.locator("#movement-submit").tap()
    expect(carla.locator("#movements .movement--pay_out")).to_contain_text(words["tips"])
    expect(carla.locator("#movements .movement--pay_out")).to_contain_text(amount(500, language))
    shot(carla, device, "06-tips-paid-out")

    # 4. Closed today: table 3 found; one soup refunded with Mila's PIN and a reason.
    carla.locator("#tab-closed").tap()
    carla.locator("#closed-query").fill("3")
    carla.locator("#closed-search button[type=submit]").tap()
    card_3 = carla.locator(".closed-check", has=carla.locator(".closed-check__label", has_text=re.compile(r"\b3$")))
    expect(card_3).to_have_count(1)
    card_3.locator('[data-action="refund"]').tap()
    dialog = carla.locator(".cashier-dialog")
    soup = dialog.locator(".refund-line", has_text=on_screen(carla, "Soup of the day"))
    soup.locator('[data-action="more"]').tap()
    expect(soup.locator(".stepper__value")).to_have_text("1/2")
    dialog.locator('input[name="reason"]').fill(REFUND_REASON)
    dialog.locator(".chip[data-manager-id]", has_text="Mila").tap()
    for digit in "9999":
        dialog.locator(f'.pin-key[data-digit="{digit}"]').tap()
    shot(carla, device, "07-refund-dialog")
    dialog.locator(".pin-ok").tap()
    expect(dialog).to_have_count(0)
    refund = card_3.locator(".refund")
    expect(refund).to_have_count(1)
    expect(refund).to_contain_text(on_screen(carla, "Soup of the day"))
    expect(refund).to_contain_text(REFUND_REASON)
    shot(carla, device, "08-refunded")
    check_id = card_3.get_attribute("data-check-id")
    # Fetched by the page itself, so it asks in the Dutch or English screen's language, as the screen copy does.
    receipt = carla.evaluate(
        "url => fetch(url).then(answer => answer.json())", f"/api/billing/checks/{check_id}/receipt/"
    )["text"]
    assert REFUND_REASON in receipt and f"1x {on_screen(carla, 'Soup of the day')}" in receipt

    # 5. On the table's bill, the receipt dialog e-mails the receipt: it arrives with the PDF, refund and all.
    carla.goto(f"{pages.base_url}/orders/{orders['3']}/bill/")
    carla.locator('.bill-check [data-action="receipt"]').tap()
    sheet = carla.locator(".receipt-sheet")
    expect(sheet).to_be_visible()
    sheet.locator('[data-receipt="email"]').tap()
    sheet.locator('input[name="email"]').fill("guest@example.com")
    sheet.locator('[data-action="email-receipt"]').tap()
    expect(sheet.locator(".receipt-choice__note")).to_have_text(words["sent"])
    shot(carla, device, "09-receipt-emailed")
    sheet.locator('[data-action="close-receipt"]').tap()
    (envelope,) = mail_box.envelopes
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == words["subject"]
    assert envelope.rcpt_tos == ["guest@example.com"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    text = pdf_text(attachment.get_content())
    assert REFUND_REASON in text and on_screen(carla, "Soup of the day") in text

    # 6. The blind count: she counts 0.50 less than the drawer should hold, and only then sees the variance.
    carla.locator("#back-to-cashier").tap()
    carla.locator("#tab-drawer").tap()
    carla.wait_for_url(re.compile(r"/cashier/drawer/"))
    rows = in_own_thread(lambda: drawer_from_the_rows(session_id))
    assert (rows["float"], rows["pay_out"], rows["pay_in"], rows["cash_payments"]) == (12000, 500, 0, 2)
    assert (rows["taken"], rows["change"], rows["opened_by"]) == (given + total_4, given - total_3, "carla")
    soup_price = in_own_thread(
        lambda: Item.objects.filter(category__menu__outlet__name=BISTRO_NAME, name="Soup of the day").first().price
    )
    assert rows["refunds"] == soup_price  # one soup of table 3, given back in cash
    assert not amount(rows["expected"], language).search(carla.locator("#count").inner_text())
    counted = rows["expected"] - 50
    count(carla, "close", in_notes_and_coins(carla, "close", counted))
    expect(carla.locator('[data-count-grid="close"] .count-grid__total')).to_have_text(amount(counted, language))
    shot(carla, device, "10-blind-count")
    carla.locator("#close-submit").tap()
    result = carla.locator("#count-result")
    expect(result.locator('[data-field="counted"]')).to_have_text(amount(counted, language))
    expect(result.locator('[data-field="expected"]')).to_have_text(amount(rows["expected"], language))
    expect(result.locator('[data-field="variance"]')).to_have_text(
        re.compile(r"^\u2212.*" + amount(50, language).pattern)
    )
    expect(result.locator('[data-field="variance"]')).to_have_attribute("data-sign", "short")
    shot(carla, device, "11-variance")
    closed = in_own_thread(lambda: DrawerSession.objects.get(pk=session_id))
    assert (closed.expected, closed.counted) == (rows["expected"], counted)

    # 7. Mila: the bar's drawer counted, the room charge found on the folio, table 1 carried over, the Z.
    mila = pages.open(DEVICES[device])
    sign_in(mila, "Mila", "9999")
    mila.goto(f"{pages.base_url}/manager/day/close/")
    expect(mila.locator("h1")).to_have_text(words["close"])
    expect(mila.locator("form[data-drawer]")).to_have_count(1)  # Carla's is counted; the bar's is open
    expect(mila.locator(f'[data-posting="{blockers["posting"]}"]')).to_be_visible()
    expect(mila.locator('[data-action="close-day"]')).to_be_disabled()
    shot(mila, device, "12-blockers")
    mila.locator('form[data-drawer] input[name="counted"]').fill("150.00")
    mila.locator('form[data-drawer] [data-action="count-drawer"]').tap()
    expect(mila.locator("form[data-drawer]")).to_have_count(0)
    mila.locator(f'[data-posting="{blockers["posting"]}"] [data-action="confirm-room-charge"]').tap()
    expect(mila.locator("[data-posting]")).to_have_count(0)
    expect(mila.locator("[data-order]")).to_have_count(1)
    expect(mila.locator(f'[data-order="{blockers["carried"]}"]')).to_be_visible()
    mila.locator('input[name="carry_over_open_orders"]').check()
    shot(mila, device, "13-ready-for-z")
    mila.locator('[data-action="close-day"]').tap()
    mila.wait_for_url("**/closed/")
    expect(mila.locator(".z-number")).to_have_text(words["z"])
    shot(mila, device, "14-z")

    stored, from_rows = in_own_thread(lambda: z_against_the_rows(language))
    assert stored == from_rows
    bistro_refunds = in_own_thread(
        lambda: sum(
            r.amount
            for r in Refund.objects.filter(
                business_day__z_number=1,
                state=Refund.State.SUCCEEDED,
                payment__guest_check__order__outlet__name=BISTRO_NAME,
            )
        )
    )
    assert bistro_refunds == rows["refunds"]
    bistro_row = mila.locator("[data-outlet-totals] tbody tr", has_text=BISTRO_NAME)
    expect(bistro_row.locator("td").last).to_have_text(amount(bistro_refunds, language))
    # The bistro's section of the Z: cash, card and the room charge, each net of its refunds.
    mila.locator('[data-action="z-report"]').tap()
    mila.locator(".outlet-tabs .tab", has_text=BISTRO_NAME).tap()
    expect(mila.locator(".day-report__outlet")).to_contain_text(BISTRO_NAME)
    shot(mila, device, "15-z-bistro")
    bar = {tender: net for (outlet, tender), net in stored.items() if outlet == BAR_NAME}
    assert sum(bar.values()) == 0  # nothing was taken at the bar
    bistro_cash = next(
        net for (outlet, tender), net in stored.items() if outlet == BISTRO_NAME and tender in ("Cash", "Contant")
    )
    assert bistro_cash == total_3 + total_4 - soup_price
    bistro_card = next(
        net
        for (outlet, tender), net in stored.items()
        if outlet == BISTRO_NAME and tender == getattr(card.tender, f"name_{language}")
    )
    assert bistro_card == total_5
