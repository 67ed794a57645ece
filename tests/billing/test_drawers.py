"""Cash drawers counted by note and coin: float, pay-in/out, no-sale, hand-over, blind close, count slip."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.test import Client

from billing import services
from billing.drawer_selectors import cashier_drawer, denominations, drawers_overview
from billing.models import CashMovement, Denomination, DrawerSession, OutletBilling, Tender
from printing.models import Printer, PrintJob
from printing.services import deliver_print_job
from staff.models import AuditEntry, Role
from tests.api_world import session_cookie_for
from tests.billing.test_checks import first_check, table_for_four
from tests.factories import StaffFactory
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import FakePrinter

# Two 50s, three 20s, four 10s, ten 2.00 coins, twenty 0.50 coins: 100 + 60 + 40 + 20 + 10 = 230.00.
FLOAT = {"5000": 2, "2000": 3, "1000": 4, "200": 10, "50": 20}
FLOAT_TOTAL = 23000


@pytest.fixture
def cashier(db):
    return StaffFactory(display_name="Carla", role=Role.CASHIER, pin="4444")


@pytest.fixture
def receipt_printer(world, settings):
    settings.PRINTER_TIMEOUT = 0.5
    server = FakePrinter("online").start()
    printer = Printer.objects.create(outlet=world.outlet, name="Kassa", host="127.0.0.1", port=server.port)
    OutletBilling.objects.create(outlet=world.outlet, business_name="Bistro", receipt_printer=printer)
    yield server
    server.stop()


def audit_actions(subject) -> list[str]:
    return list(
        AuditEntry.objects.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- denominations and totals ---------------------------------------------------------


def test_the_euro_is_seeded_with_seven_notes_and_eight_coins(db):
    euro = denominations("EUR")
    assert [d.value for d in euro if d.kind == Denomination.Kind.NOTE] == [50000, 20000, 10000, 5000, 2000, 1000, 500]
    assert [d.value for d in euro if d.kind == Denomination.Kind.COIN] == [200, 100, 50, 20, 10, 5, 2, 1]


def test_stocking_adds_only_the_missing_notes_and_coins(db):
    Denomination.objects.filter(currency="EUR", value__lt=100).delete()
    assert services.stock_denominations(currency="EUR") == 6
    assert services.stock_denominations(currency="EUR") == 0
    assert len(denominations("EUR")) == 15


def test_the_setting_picks_the_currency(db, settings):
    Denomination.objects.create(currency="CHF", value=20000, kind=Denomination.Kind.NOTE)
    settings.CURRENCY = "CHF"
    assert [d.value for d in denominations()] == [20000]
    with pytest.raises(ValidationError) as error:
        services.counted_total({"5000": 1}, field="counts")
    assert "counts" in error.value.message_dict


def test_the_total_is_computed_from_the_counts(db):
    tidy, total = services.counted_total({"5000": 2, 2000: 3, "1": 7, "10": 0}, field="counts")
    assert total == 2 * 5000 + 3 * 2000 + 7
    assert tidy == {"5000": 2, "2000": 3, "1": 7}  # zero lines left out, largest first


@pytest.mark.parametrize(
    "counts",
    [
        {"300": 1},
        {"abc": 1},
        {"5000": -1},
        {"5000": 1.5},
        {"5000": True},
        {"5000": 100_001},
        {"50000": 100_000, "20000": 100_000},  # more than a drawer holds (and than the column takes)
        ["5000"],
    ],
)
def test_a_count_that_is_not_notes_and_coins_is_refused_naming_the_field(db, counts):
    with pytest.raises(ValidationError) as error:
        services.counted_total(counts, field="float_counts")
    assert list(error.value.message_dict) == ["float_counts"]


def test_an_inactive_denomination_is_not_counted(db):
    Denomination.objects.filter(currency="EUR", value=50000).update(is_active=False)
    with pytest.raises(ValidationError):
        services.counted_total({"50000": 1}, field="counts")


# --- open, movements, no-sale ---------------------------------------------------------


def test_the_drawer_opens_on_a_counted_float(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    session.refresh_from_db()
    assert session.opening_float == FLOAT_TOTAL
    assert session.float_counts == FLOAT
    entry = AuditEntry.objects.get(action="drawer_opened", subject_id=str(session.pk))
    assert entry.details == {"float": FLOAT_TOTAL, "counts": FLOAT}


def test_the_count_and_an_amount_together_are_refused(world, cashier):
    with pytest.raises(ValidationError) as error:
        services.open_drawer(outlet=world.outlet, float_counts=FLOAT, opening_float=1, by=cashier)
    assert "float_counts" in error.value.message_dict
    assert not DrawerSession.objects.exists()


def test_a_pay_out_of_tips_takes_its_reason_from_the_list(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    movement = services.record_cash_movement(
        session=session, kind="pay_out", amount=500, reason_code="tips_paid_out", by=cashier
    )
    assert movement.reason == "Tips paid out"
    assert services.expected_cash(session) == FLOAT_TOTAL - 500
    assert audit_actions(movement) == ["cash_pay_out"]


def test_other_needs_the_free_text(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    with pytest.raises(ValidationError) as error:
        services.record_cash_movement(session=session, kind="pay_in", amount=500, reason_code="other", by=cashier)
    assert "reason" in error.value.message_dict
    moved = services.record_cash_movement(
        session=session, kind="pay_in", amount=500, reason_code="other", reason="Staff meal paid", by=cashier
    )
    assert (moved.reason, moved.reason_code) == ("Staff meal paid", CashMovement.Reason.OTHER)


def test_no_sale_kicks_the_drawer_and_is_audited_with_its_reason(world, cashier, receipt_printer):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    services.open_cash_drawer_without_sale(session=session, reason="Change for a 50", by=cashier)
    entry = AuditEntry.objects.get(action="drawer_no_sale")
    assert (entry.actor, entry.reason, entry.subject_id) == (cashier, "Change for a 50", str(session.pk))
    kick = PrintJob.objects.get(source=f"billing.drawer:{world.outlet.pk}")
    assert bytes(kick.payload) == b"\x1b@\x1bp\x0022"


def test_no_sale_needs_a_reason_and_a_cashier(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    with pytest.raises(ValidationError) as error:
        services.open_cash_drawer_without_sale(session=session, reason="  ", by=cashier)
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.open_cash_drawer_without_sale(session=session, reason="Look", by=world.waiter)
    assert not AuditEntry.objects.filter(action="drawer_no_sale").exists()


# --- blind close, variance, count slip -------------------------------------------------


def test_the_blind_count_closes_with_its_variance(world, cashier, settings, django_capture_on_commit_callbacks):
    settings.CASH_ROUNDING = 1
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    cash = Tender.objects.create(name="Cash", kind=Tender.Kind.CASH)
    check = first_check(table_for_four(world), world)
    with django_capture_on_commit_callbacks(execute=True):
        services.pay_cash(check=check, tender=cash, cash_given=10000, by=world.waiter)
    services.record_cash_movement(session=session, kind="pay_out", amount=500, reason_code="tips_paid_out", by=cashier)
    expected = FLOAT_TOTAL + 7850 - 500  # the check is 78.50
    assert services.expected_cash(session) == expected
    counted = {**FLOAT, "5000": 3, "2000": 4, "500": 1, "100": 2, "50": 19}  # 305.00 + 2.00 - 0.50 = 306.50
    closed = services.close_drawer(session=session, counts=counted, by=cashier)
    closed.refresh_from_db()
    assert (closed.counted, closed.expected, closed.variance) == (30650, expected, 30650 - expected)
    assert closed.close_counts["5000"] == 3
    details = AuditEntry.objects.get(action="drawer_closed").details
    assert details["variance"] == 30650 - expected and details["counts"] == closed.close_counts


def test_a_closed_drawer_keeps_its_count(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    services.close_drawer(session=session, counts=FLOAT, by=cashier)
    with pytest.raises(ValidationError) as error:
        services.close_drawer(session=session, counts={"5000": 9}, by=cashier)
    assert "session" in error.value.message_dict
    session.refresh_from_db()
    assert session.close_counts == FLOAT and session.counted == FLOAT_TOTAL


def test_the_count_slip_prints_the_count_and_the_variance(world, cashier, receipt_printer):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    services.close_drawer(session=session, counts={**FLOAT, "50": 18}, by=cashier)  # one euro short
    job = PrintJob.objects.get(source=f"billing.drawer_count:{session.pk}")
    deliver_print_job(job_id=job.pk)
    text = decode(receipt_printer.received).text
    assert "DRAWER COUNT" in text
    assert "2 x 50.00" in text and "18 x 0.50" in text
    assert "229.00" in text and "230.00" in text  # counted and expected
    assert "-€ 1.00" in text
    assert "Carla" in text


def test_without_a_receipt_printer_the_answer_says_it_was_not_printed(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    answer = _client(cashier).post(
        f"/api/billing/drawers/{session.pk}/close/", {"counts": FLOAT}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["count_slip_printed_on"] == ""
    assert body["count_slip_problem"] == "No receipt printer is set up for this outlet."
    assert not PrintJob.objects.exists()


# --- hand-over ---------------------------------------------------------------------


def test_the_hand_over_closes_one_session_and_opens_the_next_on_the_count(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    counted = {**FLOAT, "1000": 5}
    opened = services.hand_over_drawer(session=session, counts=counted, to=world.manager, to_pin="9999", by=cashier)
    session.refresh_from_db()
    assert session.closed_by == cashier and session.variance == 1000
    assert opened.opened_by == world.manager and opened.handed_over_from == session
    assert opened.float_counts == counted and opened.opening_float == FLOAT_TOTAL + 1000
    assert audit_actions(session) == ["drawer_opened", "drawer_closed"]
    assert audit_actions(opened) == ["drawer_opened", "drawer_handed_over"]


def test_a_hand_over_that_fails_half_way_leaves_the_drawer_open(world, cashier, monkeypatch):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)

    def refuse(**kwargs):
        raise IntegrityError("the new session could not be written")

    monkeypatch.setattr("billing.services.drawer_shifts.open_drawer", refuse)
    with pytest.raises(IntegrityError):
        services.hand_over_drawer(session=session, counts=FLOAT, to=world.manager, to_pin="9999", by=cashier)
    session.refresh_from_db()
    assert session.closed_at is None and session.counted is None
    assert DrawerSession.objects.count() == 1
    assert not AuditEntry.objects.filter(action__in=["drawer_closed", "drawer_handed_over"]).exists()


def test_the_drawer_is_handed_to_someone_who_may_open_it(world, cashier):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    for wrong in (world.kitchen, cashier, None):
        with pytest.raises(ValidationError) as error:
            services.hand_over_drawer(session=session, counts=FLOAT, to=wrong, to_pin="9999", by=cashier)
        assert "to" in error.value.message_dict
    session.refresh_from_db()
    assert session.closed_at is None


# --- the API -------------------------------------------------------------------------


def _client(person) -> Client:
    client = Client()
    client.cookies["sessionid"] = session_cookie_for(person)
    return client


def _post(client, path, body):
    return client.post(path, body, content_type="application/json", headers={"Idempotency-Key": str(uuid.uuid4())})


def test_the_api_opens_pays_out_and_closes_blind(world, cashier):
    client = _client(cashier)
    opened = _post(client, "/api/billing/drawers/", {"outlet": world.outlet.pk, "float_counts": FLOAT})
    assert opened.status_code == 200, opened.content
    body = opened.json()
    assert body["opening_float"] == FLOAT_TOTAL and body["open"]
    assert "expected" not in body and "variance" not in body  # blind: nothing of what is expected
    sid = body["id"]
    paid = _post(
        client,
        f"/api/billing/drawers/{sid}/movements/",
        {"kind": "pay_out", "amount": 500, "reason_code": "tips_paid_out"},
    )
    assert paid.json()["reason"] == "Tips paid out"
    closed = _post(client, f"/api/billing/drawers/{sid}/close/", {"counts": {**FLOAT, "500": 0, "200": 8, "50": 14}})
    assert closed.json()["counted"] == FLOAT_TOTAL - 700
    assert closed.json()["expected"] == FLOAT_TOTAL - 500
    assert closed.json()["variance"] == -200


def test_older_callers_still_send_an_amount(world, cashier):
    answer = _post(_client(cashier), "/api/billing/drawers/", {"outlet": world.outlet.pk, "opening_float": 15000})
    assert answer.status_code == 200 and answer.json()["float_counts"] == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"float_counts": {"5000": -1}}, "float_counts"),
        ({"float_counts": {"333": 1}}, "float_counts"),
        ({"float_counts": {"5000": "two"}}, "float_counts"),
        ({"float_counts": "lots"}, "float_counts"),
        ({}, "opening_float"),
        ({"float_counts": FLOAT, "total": 23000}, "total"),
    ],
)
def test_bad_counts_get_a_400_naming_the_field(world, cashier, body, field):
    answer = _post(_client(cashier), "/api/billing/drawers/", {"outlet": world.outlet.pk, **body})
    assert answer.status_code == 400, answer.content
    assert field in answer.json()


def test_the_hand_over_and_no_sale_endpoints(world, cashier):
    client = _client(cashier)
    sid = _post(client, "/api/billing/drawers/", {"outlet": world.outlet.pk, "float_counts": FLOAT}).json()["id"]
    assert _post(client, f"/api/billing/drawers/{sid}/no-sale/", {"reason": ""}).status_code == 400
    no_sale = _post(client, f"/api/billing/drawers/{sid}/no-sale/", {"reason": "Change"})
    assert no_sale.status_code == 200
    assert no_sale.json()["kick_problem"] == "No receipt printer is set up for this outlet."
    nobody = _post(client, f"/api/billing/drawers/{sid}/hand-over/", {"counts": FLOAT, "to": 999999, "to_pin": "9999"})
    assert nobody.status_code == 400 and "to" in nobody.json()
    wrong_pin = _post(
        client, f"/api/billing/drawers/{sid}/hand-over/", {"counts": FLOAT, "to": world.manager.pk, "to_pin": "1234"}
    )
    assert wrong_pin.status_code == 400 and "to_pin" in wrong_pin.json(), wrong_pin.content
    no_pin = _post(client, f"/api/billing/drawers/{sid}/hand-over/", {"counts": FLOAT, "to": world.manager.pk})
    assert no_pin.status_code == 400 and "to_pin" in no_pin.json()
    assert DrawerSession.objects.get(pk=sid).closed_at is None  # a refused hand-over leaves the drawer as it was
    answer = _post(
        client, f"/api/billing/drawers/{sid}/hand-over/", {"counts": FLOAT, "to": world.manager.pk, "to_pin": "9999"}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["closed"]["variance"] == 0
    assert answer.json()["opened"]["opening_float"] == FLOAT_TOTAL and answer.json()["opened"]["open"]


# --- the reads, in pinned queries -------------------------------------------------------


def test_the_cashier_drawer_read_is_four_queries_and_never_says_what_is_expected(
    world, cashier, django_assert_num_queries
):
    session = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    for n in range(3):
        services.record_cash_movement(session=session, kind="pay_in", amount=100 + n, reason="Change", by=cashier)
    with django_assert_num_queries(4):
        drawer = cashier_drawer(outlet_id=world.outlet.pk, me=cashier)
        names = [str(m.by) for m in drawer.movements]
    assert names == ["Carla"] * 3
    assert world.manager in drawer.takers and cashier not in drawer.takers
    assert [line["pieces"] for line in drawer.float_lines] == [2, 3, 4, 10, 20]
    assert not hasattr(drawer, "expected")


def test_the_manager_overview_is_seven_queries_for_any_number_of_drawers(db, django_assert_num_queries):
    from tests.factories import OutletFactory

    people = [StaffFactory(display_name=f"C{n}", role=Role.CASHIER) for n in range(3)]
    outlets = [OutletFactory(name=f"Bar {n}") for n in range(3)]
    for outlet, person in zip(outlets, people, strict=True):
        session = services.open_drawer(outlet=outlet, float_counts={"1000": 5}, by=person)
        services.record_cash_movement(session=session, kind="pay_out", amount=300, reason="Tips", by=person)
        services.close_drawer(session=session, counts={"1000": 4}, by=person)  # 3.00 under 47.00: -7.00
        services.open_drawer(outlet=outlet, float_counts={"2000": 1}, by=person)
    with django_assert_num_queries(7):
        overview = drawers_overview()
        rows = [
            (r["session"].outlet.name, str(r["session"].opened_by), len(r["movements"])) for r in overview.open_drawers
        ]
        closed = [(r["session"].business_day.date, str(r["session"].closed_by)) for r in overview.closed_drawers]
    assert len(rows) == 3 and len(closed) == 3
    assert {r["expected"] for r in overview.open_drawers} == {2000}
    assert [row["variance"] for row in overview.by_day] == [-2100]
    assert sorted(row["variance"] for row in overview.by_person) == [-700, -700, -700]
    only_one = drawers_overview(person_id=people[0].pk)
    assert [str(r["session"].opened_by) for r in only_one.closed_drawers] == ["C0"]


def test_after_the_z_the_next_days_drawer_opens(world, cashier):
    first = services.open_drawer(outlet=world.outlet, float_counts=FLOAT, by=cashier)
    services.close_drawer(session=first, counts=FLOAT, by=cashier)
    closed_day = services.close_business_day(by=world.manager)
    answer = _post(_client(cashier), "/api/billing/drawers/", {"outlet": world.outlet.pk, "float_counts": FLOAT})
    assert answer.status_code == 200, answer.content
    following = DrawerSession.objects.get(pk=answer.json()["id"])
    assert following.business_day.date > closed_day.date and following.business_day.closed_at is None
