"""Tests of the FIAS PMS simulator itself, through a raw socket client.

The client below frames and parses on its own (a few lines, not the simulator's
helpers), so a bug in the simulator's codec cannot hide itself. No database.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.pms.fias_simulator import GOLDEN, FiasPms, golden_records

STX, ETX = b"\x02", b"\x03"

LD = "LD|DA000915|TI124200|V#1.0|IFPO|"
LR_PR = "LR|RIPR|FLP#WSPIRNG#GNTADATIS1S2S3T1T2T3D1TPSCC#CVSTSOIDPMCOMX|"
LR_PL = "LR|RIPL|FLP#WSRNG#GNSOID|"
LR_PA = "LR|RIPA|FLASCTP#WSRNG#GNSOID|"  # DA/TI: always in posting answers (p.84)
LA = "LA|DA000915|TI124201|"


def fields_of(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``RI|XXdata|...|`` -> (record id, [(field id, data), ...])."""
    rid, _, rest = text.partition("|")
    assert rest.endswith("|") or rest == "", text
    return rid, [(part[:2], part[2:]) for part in rest.split("|")[:-1]]


def field(text: str, fid: str) -> str | None:
    """First value of ``fid`` in a record text."""
    return next((v for k, v in fields_of(text)[1] if k == fid), None)


class Client:
    """A bare FIAS POS: connect, frame STX..ETX, buffer partial reads."""

    def __init__(self, pms: FiasPms) -> None:
        self.sock = socket.create_connection((pms.host, pms.port), timeout=2)
        self.buf = b""

    def send(self, *records: str) -> None:
        """All records in one sendall (so several arrive in one recv)."""
        self.sock.sendall(b"".join(STX + r.encode("cp1252") + ETX for r in records))

    def recv(self, timeout: float = 2.0) -> str | None:
        """The next record text, None on timeout; EOFError when the PMS closed."""
        deadline = time.monotonic() + timeout
        while ETX not in self.buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                return None
            except ConnectionResetError as exc:
                raise EOFError from exc
            if not chunk:
                raise EOFError
            self.buf += chunk
        raw, _, self.buf = self.buf.partition(ETX)
        assert raw.startswith(STX), raw
        return raw[1:].decode("cp1252")

    def expect(self, rid: str, timeout: float = 2.0) -> str:
        """The next record, which must be of type ``rid``."""
        record = self.recv(timeout)
        assert record is not None, f"no {rid} within {timeout}s"
        assert record.startswith(rid + "|"), record
        return record

    def expect_silence(self, timeout: float = 0.3) -> None:
        """Nothing arrives for ``timeout`` seconds."""
        assert self.recv(timeout) is None

    def records_until_closed(self, timeout: float = 2.0) -> list[str]:
        """Records read until the PMS closes the connection (fails if it does not)."""
        got: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                record = self.recv(deadline - time.monotonic())
            except EOFError:
                return got
            if record is not None:
                got.append(record)
        raise AssertionError(f"connection still open; received {got}")

    def link(self, *link_records: str) -> str:
        """Read LS, send LD/LR.../LA, return the PMS's LA."""
        self.expect("LS")
        self.send(LD, *(link_records or (LR_PR, LR_PL, LR_PA)), LA)
        return self.expect("LA")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def pms() -> Iterator[FiasPms]:
    """A running PMS with the spec's guests (rooms 2781 and 352)."""
    server = FiasPms(direct_payment_methods=["AMEX"])
    server.add_spec_guests()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(pms: FiasPms) -> Iterator[Client]:
    """A linked client."""
    c = Client(pms)
    c.link()
    yield c
    c.close()


def inquire(client: Client, pi: str = "2781", pnum: int = 1734, ws: str = "456") -> str:
    """A PR inquiry; returns the answer text (PL or PA)."""
    client.send(f"PR|SO123|WS{ws}|IDELI|PI{pi}|DA000915|TI124254|P#{pnum}|PMROOM|")
    answer = client.recv()
    assert answer is not None
    return answer


def post(client: Client, pnum: int, *, room: str = "2781", res: str = "12345", extra: str = "TA1000|S11000|") -> str:
    """A PR posting for ``room``/``res``; returns the answer text."""
    client.send(f"PR|SO123|WS456|RN{room}|G#{res}|GNX|{extra}C#77|DA000915|TI124300|P#{pnum}|PMROOM|")
    answer = client.recv()
    assert answer is not None, "no answer to the posting"
    return answer


# --------------------------------------------------------------------------- link control


def test_link_start_is_sent_on_connect(pms: FiasPms) -> None:
    c = Client(pms)
    ls = c.expect("LS")
    rid, fields = fields_of(ls)
    assert rid == "LS"
    assert [k for k, _ in fields] == ["DA", "TI"]
    assert all(len(v) == 6 and v.isdigit() for _, v in fields)
    c.close()


def test_link_sequence_is_answered_with_la(pms: FiasPms) -> None:
    c = Client(pms)
    la = c.link()
    assert [k for k, _ in fields_of(la)[1]] == ["DA", "TI"]
    assert pms.link_state == "linked"
    assert pms.link_records["PL"] == ("P#", "WS", "RN", "G#", "GN", "SO", "ID")
    c.close()


def test_data_before_link_is_ignored(pms: FiasPms) -> None:
    c = Client(pms)
    c.expect("LS")
    c.send(GOLDEN["INQUIRY_ROOM"])
    c.expect_silence()
    assert [r.rid for r in pms.ignored] == ["PR"]
    c.send(LD, LR_PR, LR_PL, LR_PA, LA)
    c.expect("LA")
    c.send(GOLDEN["INQUIRY_ROOM"])
    assert c.expect("PL") == GOLDEN["PL_ROOM"]
    c.close()


@pytest.mark.parametrize(
    "ld",
    [
        "LD|DA000915|TI124200|V#1.0|IFPB|",  # a PBX, not a POS
        "LD|DA000915|TI124200|IFPO|",  # no V#
        "LD|DA0009|TI124200|V#1.0|IFPO|",  # bad date
    ],
)
def test_invalid_ld_is_refused(pms: FiasPms, ld: str) -> None:
    c = Client(pms)
    c.expect("LS")
    c.send(ld, LR_PR, LR_PL, LR_PA, LA)
    c.expect_silence()
    assert pms.link_state == "awaiting_ld"
    assert any("LD refused" in line for line in pms.log)
    c.close()


def test_link_without_lr_for_pa_is_refused(pms: FiasPms) -> None:
    c = Client(pms)
    c.expect("LS")
    c.send(LD, LR_PR, LR_PL, LA)
    c.expect_silence()
    assert pms.link_state == "awaiting_ld"
    c.close()


def test_malformed_lr_is_refused(pms: FiasPms) -> None:
    c = Client(pms)
    c.expect("LS")
    # FL before RI: the order of LR is fixed (spec p.28), so PA is not described.
    c.send(LD, LR_PR, LR_PL, "LR|FLASP#WS|RIPA|", LA)
    c.expect_silence()
    assert pms.link_state == "awaiting_ld"
    c.close()


def test_strict_link_records_refuse_an_lr_without_mandatory_fields() -> None:
    with FiasPms(strict_link_records=True) as strict:
        c = Client(strict)
        c.expect("LS")
        c.send(LD, "LR|RIPR|FLP#WSPIRNG#GNDATI|", LR_PL, LR_PA, LA)  # no TA
        c.expect_silence()
        assert any("LR PR lacks mandatory fields ['TA']" in line for line in strict.log)
        c.close()


def test_keepalive_la_is_not_answered(pms: FiasPms, client: Client) -> None:
    client.send("LA|DA000915|TI130000|")
    client.expect_silence()
    assert pms.wait_for(lambda: len(pms.keepalives) == 1, timeout=1)


def test_link_start_mid_session_requires_relink(pms: FiasPms, client: Client) -> None:
    assert pms.send_link_start()
    client.expect("LS")
    client.send(GOLDEN["INQUIRY_ROOM"])
    client.expect_silence()
    client.send(LD, LR_PR, LR_PL, LR_PA, LA)
    client.expect("LA")
    client.send(GOLDEN["INQUIRY_ROOM"])
    client.expect("PL")


def test_link_end_keeping_the_socket_stops_processing(pms: FiasPms, client: Client) -> None:
    assert pms.link_end(close=False)
    client.expect("LE")
    client.send(GOLDEN["INQUIRY_ROOM"])
    client.expect_silence()
    assert pms.link_state == "ended"
    assert pms.ignored[-1].get("P#") == "1734"


def test_link_end_with_close(pms: FiasPms, client: Client) -> None:
    assert pms.link_end()
    assert [r[:3] for r in client.records_until_closed()] == ["LE|"]


# --------------------------------------------------------------------------- inquiries


def test_spec_inquiry_returns_pl_with_sharers(pms: FiasPms, client: Client) -> None:
    client.send(GOLDEN["INQUIRY_ROOM"])
    pl = client.expect("PL")
    assert pl == GOLDEN["PL_ROOM"]
    triplets = [v for k, v in fields_of(pl)[1] if k in ("RN", "G#", "GN")]
    assert triplets == ["2781", "12345", "Guest, Mr.", "2781", "12381", "Sharer, Mr."]


def test_spec_unknown_room_gets_ng(pms: FiasPms, client: Client) -> None:
    client.send(GOLDEN["INQUIRY_UNKNOWN_ROOM"])
    answer = client.expect("PA")
    expected = dict(fields_of(GOLDEN["PA_INVALID_ROOM"])[1])
    expected["P#"] = "1735"  # the spec's answer says 1753: a typo, a PMS echoes P#
    assert dict(fields_of(answer)[1]) == expected


def test_name_search_and_max_guests(pms: FiasPms, client: Client) -> None:
    client.send(GOLDEN["INQUIRY_NAME"])
    pl = client.expect("PL")
    assert [v for k, v in fields_of(pl)[1] if k == "G#"] == ["12345", "12940", "12875"]
    client.send("PR|WS456|PIg|MX1|P#1800|")
    assert [v for k, v in fields_of(client.expect("PL"))[1] if k == "G#"] == ["12345"]


def test_inquiry_without_ws_is_unprocessable(pms: FiasPms, client: Client) -> None:
    client.send("PR|PI2781|P#1801|")
    answer = client.expect("PA")
    assert field(answer, "AS") == "UR"
    assert field(answer, "P#") == "1801"


def test_pl_optional_fields_follow_the_link_record(pms: FiasPms) -> None:
    pms.add_guest(room="108", reservation="500", name="Tanaka, Yuki", no_post=True, credit_limit=15000, balance=2500)
    c = Client(pms)
    c.link(LR_PR, "LR|RIPL|FLP#WSRNG#GNNPCLBA|", LR_PA)
    pl = inquire(c, "108")
    assert fields_of(pl)[1] == [
        ("WS", "456"),
        ("RN", "108"),
        ("G#", "500"),
        ("GN", "Tanaka, Yuki"),
        ("NP", "Y"),
        ("CL", "15000"),
        ("BA", "2500"),
        ("P#", "1734"),
    ]
    c.close()


def test_pl_without_optional_fields_when_not_requested(pms: FiasPms, client: Client) -> None:
    pms.add_guest(room="108", reservation="500", name="Tanaka, Yuki", no_post=True, credit_limit=15000)
    pl = inquire(client, "108")
    assert {k for k, _ in fields_of(pl)[1]} == {"SO", "WS", "ID", "RN", "G#", "GN", "P#"}


# --------------------------------------------------------------------------- postings


def test_spec_postings_that_add_up_are_accepted(pms: FiasPms, client: Client) -> None:
    client.send(GOLDEN["INQUIRY_ROOM"])
    client.expect("PL")
    client.send(GOLDEN["POSTING_FULL"])
    answer = dict(fields_of(client.expect("PA"))[1])
    expected = dict(fields_of(GOLDEN["PA_OK_FULL"])[1])
    # The PMS sends its own guest name (the spec's examples spell G#12345 two ways).
    assert answer.pop("GN") == "Guest, Mr."
    expected.pop("GN")
    assert answer == expected
    client.send(GOLDEN["POSTING_SPLIT"])
    assert field(client.expect("PA"), "AS") == "OK"
    accepted = pms.accepted
    assert [(p["reservation"], p["total"]) for p in accepted] == [("12345", 22850), ("12381", 11075)]
    assert accepted[1]["amounts"] == {
        "TA": 11075,
        "S1": 4000,
        "S2": 3000,
        "S3": 2000,
        "T1": 1287,
        "T2": 763,
        "T3": 525,
        "D1": -500,
    }
    assert pms.guest("12345").balance == 22850
    assert pms.guest("12381").balance == 11075


def test_spec_wrong_split_gets_dm(pms: FiasPms, client: Client) -> None:
    inquire(client)
    client.send(GOLDEN["POSTING_SPLIT_WRONG"])
    answer = client.expect("PA")
    assert field(answer, "AS") == "DM"
    assert field(answer, "CT") == "Sum of subtotals doesn't match TotalAmount"
    assert field(answer, "P#") == "1741"
    assert pms.accepted == []


def test_spec_ta_rule_example_adds_up(pms: FiasPms, client: Client) -> None:
    inquire(client)
    answer = post(client, 1900, extra=GOLDEN["TA_RULE_FRAGMENT"].lstrip("|"))
    assert field(answer, "AS") == "OK"
    assert pms.accepted[0]["amounts"] == {"TA": 1000, "S1": 800, "D1": -200, "T1": 400}


def test_spec_posting_to_garibaldi_in_2781_is_ng(pms: FiasPms, client: Client) -> None:
    # The spec posts G#12875 to room 2781 but its inquiries put him in 352.
    client.send(GOLDEN["INQUIRY_NAME"])
    client.expect("PL")
    client.send(GOLDEN["POSTING_SIMPLE"])
    assert field(client.expect("PA"), "AS") == "NG"
    assert pms.accepted == []


def test_spec_direct_payment_method_needs_no_inquiry(pms: FiasPms, client: Client) -> None:
    client.send(GOLDEN["POSTING_AMEX"])
    answer = client.expect("PA")
    assert dict(fields_of(answer)[1]) == dict(fields_of(GOLDEN["PA_OK_AMEX"])[1])
    assert pms.accepted[0]["guest_name"] is None


def test_posting_without_inquiry_gets_no_answer(pms: FiasPms, client: Client) -> None:
    client.send(GOLDEN["POSTING_FULL"])
    client.expect_silence()
    assert pms.accepted == []
    assert pms.ignored[-1].get("P#") == "1738"


def test_posting_after_inquiry_from_another_ws_gets_no_answer(pms: FiasPms, client: Client) -> None:
    inquire(client, ws="999")
    client.send(GOLDEN["POSTING_FULL"])
    client.expect_silence()
    assert pms.accepted == []


def test_same_p_number_as_the_inquiry_is_unprocessable(pms: FiasPms, client: Client) -> None:
    inquire(client, pnum=1734)
    answer = post(client, 1734)
    assert field(answer, "AS") == "UR"
    assert field(answer, "P#") == "1734"
    assert pms.accepted == []


def test_decimal_point_in_an_amount_is_unprocessable(pms: FiasPms, client: Client) -> None:
    inquire(client)
    answer = post(client, 1909, extra="TA10.00|S110.00|")
    assert field(answer, "AS") == "UR"
    assert field(answer, "CT") == "TA has a decimal point (not allowed)"
    assert pms.accepted == []


@pytest.mark.parametrize(
    "extra",
    [
        "TA1000|S11000.0|",  # decimal point in a subtotal
        "TA1000|S11000|D1500|S2-500|",  # positive discount
        "S11000|",  # no TA
        "TA1000|S11000|CV123456|",  # CV longer than 5
        "TA1000|S11000|COX|",  # CO not blank/N/Y
    ],
)
def test_malformed_posting_is_unprocessable(pms: FiasPms, client: Client, extra: str) -> None:
    inquire(client)
    assert field(post(client, 1901, extra=extra), "AS") == "UR"
    assert pms.accepted == []


def test_posting_without_ws_is_unprocessable(pms: FiasPms, client: Client) -> None:
    inquire(client)
    client.send("PR|RN2781|G#12345|GNX|TA100|S1100|DA000915|TI124300|P#1902|")
    assert field(client.expect("PA"), "AS") == "UR"


def test_checked_out_guest_gets_ng(pms: FiasPms, client: Client) -> None:
    inquire(client)
    pms.check_out("12345")
    assert field(post(client, 1903), "AS") == "NG"


def test_no_post_guest_gets_np(pms: FiasPms, client: Client) -> None:
    pms.add_guest(room="108", reservation="500", name="Tanaka, Yuki", no_post=True)
    inquire(client, "108")
    answer = post(client, 1904, room="108", res="500")
    assert field(answer, "AS") == "NP"
    assert pms.accepted == []
    assert pms.guest("500").balance == 0


def test_credit_limit_and_override(pms: FiasPms, client: Client) -> None:
    pms.add_guest(room="214", reservation="700", name="Okafor, Grace", credit_limit=15000, balance=10000)
    inquire(client, "214")
    assert field(post(client, 1905, room="214", res="700", extra="TA6000|S16000|"), "AS") == "CO"
    answer = post(client, 1906, room="214", res="700", extra="TA6000|S16000|COY|")
    assert field(answer, "AS") == "OK"
    assert [p["P#"] for p in pms.accepted] == ["1906"]
    assert pms.guest("700").balance == 16000


def test_night_audit_answers_na(pms: FiasPms, client: Client) -> None:
    inquire(client)
    assert pms.night_audit_start()
    client.expect("NS")
    answer = post(client, 1907)
    assert (field(answer, "AS"), field(answer, "CT")) == ("NA", "Night audit in progress")
    assert pms.night_audit_end()
    client.expect("NE")
    assert field(post(client, 1908), "AS") == "OK"
    assert [p["P#"] for p in pms.accepted] == ["1908"]


# --------------------------------------------------------------------------- fault injection


def test_drop_after_posting_closes_without_answer(pms: FiasPms, client: Client) -> None:
    inquire(client)
    pms.drop_after_next_posting(accept=True)
    client.send(GOLDEN["POSTING_FULL"])
    assert client.records_until_closed() == []
    assert [p["P#"] for p in pms.accepted] == ["1738"]
    assert not any(r.rid == "PA" and r.get("P#") == "1738" for r in pms.sent)


def test_drop_without_accept_leaves_the_folio_alone(pms: FiasPms, client: Client) -> None:
    inquire(client)
    pms.drop_after_next_posting(accept=False)
    client.send(GOLDEN["POSTING_FULL"])
    assert client.records_until_closed() == []
    assert pms.accepted == []


def test_forced_answers_are_queued(pms: FiasPms, client: Client) -> None:
    inquire(client)
    pms.answer_next_posting_with("RY")
    pms.answer_next_posting_with("OK")
    assert field(post(client, 1910), "AS") == "RY"
    assert field(post(client, 1911), "AS") == "OK"
    assert [p["P#"] for p in pms.accepted] == ["1911"]
    with pytest.raises(ValueError):
        pms.answer_next_posting_with("XX")


def test_silent_next_swallows_requests(pms: FiasPms, client: Client) -> None:
    pms.silent_next(1)
    client.send(GOLDEN["INQUIRY_ROOM"])
    client.expect_silence()
    assert [r.get("P#") for r in pms.swallowed] == ["1734"]
    client.send(GOLDEN["INQUIRY_ROOM"])
    client.expect("PL")


def test_delayed_answer_after_posting(pms: FiasPms, client: Client) -> None:
    inquire(client)
    pms.delay_answers(0.4)
    started = time.monotonic()
    client.send(GOLDEN["POSTING_FULL"])
    # On the folio long before the answer comes.
    assert pms.wait_for(lambda: len(pms.accepted) == 1, timeout=0.3)
    assert client.recv(timeout=0.1) is None
    assert field(client.expect("PA"), "AS") == "OK"
    assert time.monotonic() - started >= 0.35


def test_restart_sends_a_new_link_start(pms: FiasPms, client: Client) -> None:
    inquire(client)
    post(client, 1912)
    pms.restart()
    assert client.records_until_closed() == []
    again = Client(pms)
    again.link()
    # The folio survives; the inquiry memory does not.
    assert [p["P#"] for p in pms.accepted] == ["1912"]
    again.send(GOLDEN["POSTING_FULL"])
    again.expect_silence()
    assert pms.connections == 2
    again.close()


def test_second_connection_drops_the_first(pms: FiasPms, client: Client) -> None:
    second = Client(pms)
    second.expect("LS")
    assert client.records_until_closed() == []
    second.send(LD, LR_PR, LR_PL, LR_PA, LA)
    second.expect("LA")
    second.send(GOLDEN["INQUIRY_ROOM"])
    second.expect("PL")
    second.close()


# --------------------------------------------------------------------------- framing


def test_two_records_in_one_send(pms: FiasPms, client: Client) -> None:
    client.sock.sendall(
        STX + GOLDEN["INQUIRY_ROOM"].encode() + ETX + STX + GOLDEN["INQUIRY_UNKNOWN_ROOM"].encode() + ETX
    )
    assert client.expect("PL") == GOLDEN["PL_ROOM"]
    assert field(client.expect("PA"), "AS") == "NG"


def test_record_split_over_two_sends(pms: FiasPms, client: Client) -> None:
    data = STX + GOLDEN["INQUIRY_ROOM"].encode() + ETX
    client.sock.sendall(data[:17])
    time.sleep(0.1)  # let the PMS read the first half on its own
    client.expect_silence(0.1)
    client.sock.sendall(data[17:])
    assert client.expect("PL") == GOLDEN["PL_ROOM"]


def test_cp1252_names_round_trip(pms: FiasPms, client: Client) -> None:
    pms.add_guest(room="301", reservation="900", name="Müller, Zoë")
    # Both ways in cp1252: UTF-8 on the wire would decode here as "MÃ¼ller".
    pl = inquire(client, "Mül")
    assert field(pl, "GN") == "Müller, Zoë"


def test_golden_records_are_a_copy() -> None:
    records = golden_records()
    records["PL_ROOM"] = "changed"
    assert GOLDEN["PL_ROOM"].startswith("PL|SO123|WS456|")
