"""A strict FIAS PMS simulator: the hotel side of the Oracle IFC8 FIAS interface.

The PMS interface is the TCP server and the POS its only client (spec p.35-36). This
module plays that server so our FIAS client can be tested against something that
refuses what a real IFC8 refuses: postings without a prior inquiry, reused P#,
decimal points in amounts, totals that do not add up, ... It is deliberately
independent of ``pms_integration`` (it must not share the client's mistakes).

Page numbers ("spec p.88") refer to the PDF pages of
``/work/shared/specs/fias/Oracle-IFC8-FIAS-Interface-Specs-2.20.23.txt``
(its ``===== PAGE N =====`` markers).

Typical use from a fixture::

    pms = FiasPms()
    pms.add_guest(room="214", reservation="12345", name="Okafor, Daniel")
    pms.start()
    ...  # point the client at pms.host / pms.port
    assert pms.wait_for(lambda: len(pms.accepted) == 1)
    pms.stop()
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

STX = b"\x02"
ETX = b"\x03"
#: Extended ASCII is allowed (spec p.20); cp1252 is the usual Windows code page of IFC8,
#: which may be set to UTF-8 (``FiasPms(encoding="utf-8")``).
ENCODING = "cp1252"

#: Answer statuses a POS can get in a PA (spec p.111-112, POS family PO p.111).
ANSWER_CODES = frozenset({"OK", "NG", "NP", "CO", "DM", "DN", "FX", "IA", "NA", "RY", "UR"})

#: Clear texts (CT) the simulator sends with each refusal; CT in a PA is max 50 (spec p.84).
DEFAULT_TEXTS: dict[str, str] = {
    "OK": "",
    "NG": "INVALID ROOM",  # the spec's own wording (p.22, p.87)
    "NP": "No post allowed for this guest",
    "CO": "Credit limit exceeded",
    "DM": "Sum of subtotals doesn't match TotalAmount",  # Answer Status table, p.111
    "DN": "Request denied",
    "FX": "Guest not allowed this feature",
    "IA": "Invalid account",
    "NA": "Night audit in progress",
    "RY": "Retry",
    "UR": "Unprocessable request",
}

#: Monetary fields of a PR; TA must equal the sum of all the others (spec p.88).
SUBTOTAL_FIELDS = tuple(f"S{i}" for i in range(1, 10))
TAX_FIELDS = tuple(f"T{i}" for i in range(1, 10))
DISCOUNT_FIELDS = tuple(f"D{i}" for i in range(1, 10))
AMOUNT_FIELDS = ("TA", *SUBTOTAL_FIELDS, *TAX_FIELDS, *DISCOUNT_FIELDS, "TP", "SC")

#: Record types the POS must describe with an LR before the link comes up (brief; spec p.26).
REQUIRED_LINK_RECORDS = ("PR", "PL", "PA")

#: Fields red/bold ("mandatory") in the PR/PL/PA tables, p.82-84. Only enforced in the
#: LRs with ``strict_link_records=True``; otherwise only logged.
MANDATORY_LR_FIELDS: dict[str, tuple[str, ...]] = {
    "PR": ("DA", "G#", "GN", "PI", "RN", "P#", "TA", "TI", "WS"),
    "PL": ("G#", "GN", "P#", "RN", "WS"),
    "PA": ("AS", "P#", "WS"),
}

# Link states of one connection.
AWAITING_LD = "awaiting_ld"  # LS sent, nothing processed yet (p.35-36)
CONFIGURING = "configuring"  # valid LD received, collecting LRs until LA
LINKED = "linked"  # LA answered: data records are processed
ENDED = "ended"  # the PMS sent LE and kept the socket: nothing is processed (p.25)

_DIGITS = re.compile(r"\d+")
_P_NUMBER = re.compile(r"[1-9]\d{0,7}")  # 1..99999999, no leading zeros (p.80)
_AMOUNT = re.compile(r"-?\d+")
_LR_SHAPE = re.compile(r"LR\|RI([^|]{2})\|FL([^|]+)\|")  # fixed order (p.28)

# PR field formats (p.82-83): (kind, max length). N = digits only (we never expect a
# sign or hex in these); ANS = any printable character of the code page.
_PR_FORMATS: dict[str, tuple[str, int]] = {
    "P#": ("N", 8),
    "WS": ("ANS", 16),
    "RN": ("ANS", 8),
    "G#": ("N", 10),
    "GN": ("ANS", 200),
    "PI": ("ANS", 10),
    "PM": ("ANS", 5),
    "C#": ("N", 8),
    "CT": ("ANS", 20),
    "CV": ("N", 5),
    "ID": ("ANS", 16),
    "MX": ("N", 1),
    "SO": ("N", 5),
    "ST": ("N", 4),
    "T#": ("N", 4),
    "X1": ("ANS", 25),
    "G+": ("N", 10),
    "$2": ("N", 19),
    "DD": ("N", 20),
    "MA": ("N", 4),
    "M#": ("N", 2),
    "PC": ("ANS", 1),
    "PT": ("ANS", 1),
}


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Record:
    """One FIAS record: a two-letter record id and its fields, in wire order (p.23)."""

    rid: str
    fields: tuple[tuple[str, str], ...] = ()

    def get(self, fid: str, default: str | None = None) -> str | None:
        """The first value of field ``fid`` (repeated fields exist, e.g. PL triplets)."""
        for key, value in self.fields:
            if key == fid:
                return value
        return default

    def getall(self, fid: str) -> list[str]:
        """Every value of field ``fid``, in order."""
        return [value for key, value in self.fields if key == fid]

    def has(self, fid: str) -> bool:
        """Whether field ``fid`` is present (even empty)."""
        return any(key == fid for key, _ in self.fields)

    def encode(self) -> str:
        """The record text, ``RI|XXdata|...|``, without framing."""
        return self.rid + "|" + "".join(f"{key}{value}|" for key, value in self.fields)

    def __str__(self) -> str:
        return self.encode()


def parse_record(text: str) -> Record:
    """Parse ``RI|XXdata|XXdata|`` (p.23); raise ValueError on anything else."""
    if len(text) < 3 or text[2] != "|" or "|" in text[:2]:
        raise ValueError(f"not a FIAS record: {text!r}")
    body = text[3:]
    if body and not body.endswith("|"):
        raise ValueError(f"record does not end with '|': {text!r}")
    fields: list[tuple[str, str]] = []
    for part in body[:-1].split("|") if body else []:
        if len(part) < 2:
            raise ValueError(f"field without a two-character id: {part!r} in {text!r}")
        fields.append((part[:2], part[2:]))
    return Record(text[:2], tuple(fields))


def frame(record: Record | str, encoding: str = ENCODING) -> bytes:
    """STX + record + ETX, cp1252 unless told; over TCP there is no LRC and no ACK (p.91 ff.)."""
    text = record.encode() if isinstance(record, Record) else record
    return STX + text.encode(encoding, errors="replace") + ETX


# --------------------------------------------------------------------------- spec examples

#: The spec's own example records, verbatim (line breaks of the PDF text joined; "|"
#: at a line end followed by a space in the extracted text is a PDF artifact).
GOLDEN: dict[str, str] = {
    # Link start example, p.28-29 (an IFPB link: shown for shape, not for a POS).
    "LS": "LS|DA001015|TI123045|",
    "LD_PBX": "LD|DA001015|TI123046|V#1.01|IFPB|",
    "LA_POS": "LA|DA001015|TI112349|",
    "LA_PMS": "LA|DA001015|TI112350|",
    # Night audit, p.39.
    "NS": "NS|DA130425|TI030400|",
    "NE": "NE|DA130425|TI032500|",
    # Inquiry for room 2781 and the PL with a sharer, p.87.
    "INQUIRY_ROOM": "PR|SO123|WS456|IDELI|PI2781|DA000915|TI124254|P#1734|PMROOM|",
    "PL_ROOM": "PL|SO123|WS456|IDELI|RN2781|G#12345|GNGuest, Mr.|RN2781|G#12381|GNSharer, Mr.|P#1734|",
    # Inquiry for an unknown room and its NG answer, p.87 (the spec answers P#1753 to
    # P#1735: a typo; the simulator echoes the request's P#).
    "INQUIRY_UNKNOWN_ROOM": "PR|SO123|WS456|IDJOSH|PI5781|DA000915|TI124254|P#1735|PMROOM|",
    "PA_INVALID_ROOM": "PA|SO123|WS456|IDJOSH|ASNG|CTINVALID ROOM|P#1753|",
    # Alpha search for "G", at most 4 guests, p.87-88.
    "INQUIRY_NAME": "PR|SO123|WS456|IDELI|PIG|MX4|DA000915|TI124254|P#1736|PMROOM|",
    "PL_NAME": (
        "PL|SO123|WS456|IDELI|RN2781|G#12345|GNGast, Hr.|RN352|G#12940|GNGandhi, Mr."
        "|RN352|G#12875|GNGaribaldi, Mr.|P#1736|"
    ),
    # Posting 105.75 = 80.00 + 25.75, p.88. NB: the spec posts Garibaldi (G#12875) to
    # room 2781 although its inquiry examples put him in room 352.
    "POSTING_SIMPLE": (
        "PR|SO123|WS456|IDJOSH|RN2781|G#12875|GNGaribaldi, Mr.|TA10575|S18000|T12575"
        "|C#1234|CV2|ST4|DA000915|TI124254|P#1737|PMROOM|"
    ),
    "PA_OK_SIMPLE": "PA|SO123|WS456|IDJOSH|RN2781|G#12875|GNGaribaldi, Mr.|ASOK|DA000915|TI124254|P#1737|",
    # The total amount rule, p.88 (a fragment, not a record).
    "TA_RULE_FRAGMENT": "|TA1000|S1800|D1-200|T1400|",
    # Full check 228.50 with three subtotals, taxes, a discount, tip and service, p.88-89.
    "POSTING_FULL": (
        "PR|SO123|WS456|IDELI|RN2781|G#12345|GNGast, Hr.|TA22850|S18000|S26000|S34000"
        "|T12575|T21525|T31050|D1-1000|TP500|SC200|C#1234|ST4|DA000915|TI124254|P#1738|PMROOM|"
    ),
    "PA_OK_FULL": "PA|SO123|WS456|IDELI|RN2781|G#12345|GNGast Hr.|ASOK|DA000915|TI124254|P#1738|",
    # Split check: 110.75 with every subtotal/tax/discount split so that it adds up, p.89.
    "POSTING_SPLIT": (
        "PR|SO123|WS456|IDELI|RN2781|G#12381|GNSharer, Mr.|TA11075|S14000|S23000|S32000"
        "|T11287|T2763|T3525|C#1234|D1-500|ST4|DA000915|TI124254|P#1740|PMROOM|"
    ),
    # The spec's "wrong" split: whole-check subtotals with a partial TA -> DM, p.89.
    "POSTING_SPLIT_WRONG": (
        "PR|SO123|WS456|IDJOSH|RN2781|G#12381|GNSharer, Mr.|TA11075|S18000|S26000|S34000"
        "|T12575|T21525|T31050|C#1234|D1-1000|ST4|DA000915|TI124254|P#1741|PMROOM|"
    ),
    # Direct payment method posting (no inquiry, no room), p.89.
    "POSTING_AMEX": "PR|SO123|WS456|IDJOSH|PMAMEX|TA10575|S18000|T12575|C#1234|ST4|DA000915|TI124254|P#1742|",
    "PA_OK_AMEX": "PA|SO123|WS456|IDJOSH|ASOK|DA000915|TI124254|P#1742|",
}

#: Guests that make the spec's examples consistent: the p.87 PL names for room 2781
#: (12345 is "Gast, Hr." in the p.88 examples: same G#, other spelling; we keep p.87)
#: and room 352 from the p.88 alpha search.
SPEC_GUESTS: tuple[tuple[str, str, str], ...] = (
    ("2781", "12345", "Guest, Mr."),
    ("2781", "12381", "Sharer, Mr."),
    ("352", "12940", "Gandhi, Mr."),
    ("352", "12875", "Garibaldi, Mr."),
)


def golden_records() -> dict[str, str]:
    """A copy of :data:`GOLDEN`, the spec's example records (see there for pages)."""
    return dict(GOLDEN)


# --------------------------------------------------------------------------- state


@dataclass
class Guest:
    """An in-house reservation (folio). Amounts are integers in minor units."""

    room: str
    reservation: str
    name: str
    no_post: bool = False
    credit_limit: int | None = None
    balance: int = 0


@dataclass
class _Connection:
    """One POS connection and its link state (LD/LR/LA are per connection, p.35)."""

    sock: socket.socket
    number: int
    state: str = AWAITING_LD
    link_records: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pending_link_records: dict[str, tuple[str, ...]] = field(default_factory=dict)
    buffer: bytearray = field(default_factory=bytearray)
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    closed: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        """Shut down first so the peer sees EOF at once, then close."""
        if self.closed.is_set():
            return
        self.closed.set()
        with contextlib.suppress(OSError):  # the peer may be gone already
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


@dataclass
class _Outcome:
    """What to do after a record was handled, done outside the state lock."""

    send: list[Record] = field(default_factory=list)
    delay: float = 0.0
    close: bool = False
    together: bool = False  # all records in one TCP write (the client reads them in one go)


class _Refusal(Exception):
    """A PR posting refused with an answer status (raised inside the checks)."""

    def __init__(self, status: str, text: str) -> None:
        super().__init__(f"{status}: {text}")
        self.status = status
        self.text = text


class _Ignore(Exception):
    """A record the PMS silently ignores (no answer at all)."""


# --------------------------------------------------------------------------- server


class FiasPms:
    """The PMS side of a FIAS link over TCP; see the module docstring.

    All lists exposed as properties are snapshots taken under the state lock.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        direct_payment_methods: Iterable[str] = (),
        strict_link_records: bool = False,
        encoding: str = ENCODING,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        """Bind at once (port 0 = a free port) so ``port`` is known before ``start()``.

        ``direct_payment_methods``: PM values (e.g. "AMEX") posted straight to an
        account without inquiry or room (p.89-90); empty = only room postings.
        ``strict_link_records``: refuse the link when an LR lacks a mandatory field.
        ``encoding``: the interface's code page, both ways (cp1252, or e.g. utf-8).
        """
        self.encoding = encoding
        self._clock = clock
        self._direct_pms = frozenset(direct_payment_methods)
        self._strict_lr = strict_link_records
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.05)  # accept() polls so stop() is prompt
        self.host, self.port = self._server.getsockname()[:2]
        self._threads: list[threading.Thread] = []
        self._conn: _Connection | None = None
        self._connections = 0

        self._guests: dict[str, Guest] = {}  # reservation -> in-house guest, in check-in order
        self._departed: dict[str, Guest] = {}
        # Inquiry memory per WS: the P#s used for inquiries and the reservations they found.
        self._inquiry_numbers: dict[str | None, set[str]] = {}
        self._inquired: dict[str | None, set[str]] = {}
        self._posting_numbers: dict[str | None, set[str]] = {}  # the rule holds both ways

        self._received: list[Record] = []
        self._sent: list[Record] = []
        self._ignored: list[Record] = []
        self._swallowed: list[Record] = []
        self._accepted: list[dict] = []
        self._keepalives: list[Record] = []
        self._log: list[str] = []

        self._night_audit = False
        self._forced: deque[tuple[str, str]] = deque()
        self._drops: deque[bool] = deque()
        self._delay = 0.0
        self._silent = 0
        self._end_after_lists = 0
        self._held: deque[bool] = deque()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FiasPms:
        """Serve in a background thread; returns self for one-line fixtures."""
        thread = threading.Thread(target=self._serve, name="fias-pms-accept", daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def stop(self) -> None:
        """Close the client and the listening socket and join the threads."""
        self._stop.set()
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
        self._server.close()
        for thread in list(self._threads):
            if thread is not threading.current_thread():
                thread.join(timeout=2)

    def __enter__(self) -> FiasPms:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def restart(self, *, forget_inquiries: bool = True) -> None:
        """PMS restart: drop the client; the next connection starts with LS again.

        Guests, balances and accepted postings survive (they are the folios); the
        inquiry memory does not by default, so a POS must inquire again after it.
        """
        with self._lock:
            conn, self._conn = self._conn, None
            if forget_inquiries:
                self._inquiry_numbers.clear()
                self._inquired.clear()
                self._posting_numbers.clear()
            self._log.append("PMS restarted")
        if conn is not None:
            conn.close()

    # ------------------------------------------------------------------ guests

    def add_guest(
        self,
        room: str,
        reservation: str,
        name: str,
        no_post: bool = False,
        credit_limit: int | None = None,
        balance: int = 0,
    ) -> Guest:
        """Check a guest in. ``credit_limit``/``balance`` in minor units; None = no limit."""
        for value in (room, reservation, name):
            if "|" in value or any(ord(c) < 32 for c in value):
                raise ValueError(f"cannot be sent in a FIAS field: {value!r}")
        if not _DIGITS.fullmatch(reservation) or len(reservation) > 10:
            raise ValueError("G# is numeric, max 10 (spec p.82)")
        with self._lock:
            if reservation in self._guests:
                raise ValueError(f"reservation {reservation} is already in house")
            guest = Guest(room, reservation, name, no_post, credit_limit, balance)
            self._guests[reservation] = guest
            self._departed.pop(reservation, None)
            return replace(guest)

    def add_spec_guests(self) -> None:
        """Check in :data:`SPEC_GUESTS`, so :data:`GOLDEN` records can be fed as they are."""
        for room, reservation, name in SPEC_GUESTS:
            self.add_guest(room=room, reservation=reservation, name=name)

    def check_out(self, reservation: str) -> Guest:
        """Check a guest out: inquiries no longer find them, postings get NG."""
        with self._lock:
            guest = self._guests.pop(reservation)
            self._departed[reservation] = guest
            return replace(guest)

    def guest(self, reservation: str) -> Guest:
        """A copy of a guest (in house or departed), with the current balance."""
        with self._lock:
            found = self._guests.get(reservation) or self._departed[reservation]
            return replace(found)

    @property
    def guests(self) -> list[Guest]:
        """Copies of the in-house guests, in check-in order."""
        with self._lock:
            return [replace(g) for g in self._guests.values()]

    # ------------------------------------------------------------------ PMS-initiated records

    def send_link_start(self) -> bool:
        """Send LS mid-session: the POS must redo LD/LR/LA before anything is processed."""
        with self._lock:
            conn = self._conn
            if conn is None:
                return False
            conn.state = AWAITING_LD
            conn.link_records = {}
        return self._send(conn, self._stamped("LS"))

    def link_end(self, close: bool = True) -> bool:
        """Send LE (p.25). close=False keeps the socket but processes nothing until a new
        LS (``send_link_start()``) and LD/LR/LA, or a new connection."""
        with self._lock:
            conn = self._conn
            if conn is None:
                return False
            conn.state = ENDED
            if close:
                self._conn = None
        sent = self._send(conn, self._stamped("LE"))
        if close:
            conn.close()
        return sent

    def night_audit_start(self) -> bool:
        """Send NS (p.38-39); postings are then answered ASNA until ``night_audit_end()``."""
        with self._lock:
            self._night_audit = True
            conn = self._conn
        return conn is not None and self._send(conn, self._stamped("NS"))

    def night_audit_end(self) -> bool:
        """Send NE; postings are processed again."""
        with self._lock:
            self._night_audit = False
            conn = self._conn
        return conn is not None and self._send(conn, self._stamped("NE"))

    # ------------------------------------------------------------------ fault injection

    def answer_next_posting_with(self, code: str, text: str | None = None) -> None:
        """Force the answer of the next well-formed posting (queued: call twice for two).

        The posting is then NOT posted, except for 'OK', which posts it regardless of
        the guest checks. Malformed postings (UR/DM) and ignored ones do not consume it.
        """
        if code not in ANSWER_CODES:
            raise ValueError(f"unknown answer status {code!r}; one of {sorted(ANSWER_CODES)}")
        with self._lock:
            self._forced.append((code, DEFAULT_TEXTS[code] if text is None else text))

    def drop_after_next_posting(self, accept: bool = True) -> None:
        """Take the next well-formed posting, post it if ``accept`` (it reached the folio),
        then close the connection without any PA: the POS cannot know what happened."""
        with self._lock:
            self._drops.append(accept)

    def link_end_after_guest_list(self, nth: int = 1) -> None:
        """Send LE right behind the ``nth`` guest list (PL) from now, in the same TCP write, and
        keep the socket: nothing is processed until ``send_link_start()`` (p.25)."""
        with self._lock:
            self._end_after_lists = max(1, int(nth))

    def hold_answer_to_next_posting(self, accept: bool = True) -> None:
        """Take the next well-formed posting, post it if ``accept``, and never answer it; the
        connection stays up (an interface that hangs on one request)."""
        with self._lock:
            self._held.append(accept)

    def delay_answers(self, seconds: float) -> None:
        """Hold every PL/PA for ``seconds`` after processing (the posting is already on
        the folio when the answer is late); 0 restores prompt answers."""
        with self._lock:
            self._delay = max(0.0, float(seconds))

    def silent_next(self, n: int = 1) -> None:
        """Swallow the next ``n`` PR records (inquiries or postings): no processing, no answer."""
        with self._lock:
            self._silent += n

    # ------------------------------------------------------------------ observation

    @property
    def accepted(self) -> list[dict]:
        """Postings on the folios, in order: the ground truth.

        Each is a dict of the PR's fields (first occurrence, string values) plus
        ``amounts`` (field id -> int for every amount field sent), ``total`` (TA as
        int), ``room``, ``reservation``, ``guest_name`` (PMS's name, None for a
        direct payment method), ``record`` (the PR text) and ``connection`` (number).
        """
        with self._lock:
            return [dict(p, amounts=dict(p["amounts"])) for p in self._accepted]

    @property
    def received(self) -> list[Record]:
        """Every well-formed record received, in order."""
        with self._lock:
            return list(self._received)

    @property
    def sent(self) -> list[Record]:
        """Every record actually written to a client, in order."""
        with self._lock:
            return list(self._sent)

    @property
    def ignored(self) -> list[Record]:
        """Records received but not processed (before link up, while ended, postings
        without inquiry, unsupported types); reasons are in :attr:`log`."""
        with self._lock:
            return list(self._ignored)

    @property
    def swallowed(self) -> list[Record]:
        """PR records swallowed by ``silent_next()``."""
        with self._lock:
            return list(self._swallowed)

    @property
    def keepalives(self) -> list[Record]:
        """LA records received while the link was up (not answered, p.25)."""
        with self._lock:
            return list(self._keepalives)

    @property
    def log(self) -> list[str]:
        """Human-readable notes: protocol errors, refusals, ignore reasons."""
        with self._lock:
            return list(self._log)

    @property
    def link_state(self) -> str | None:
        """State of the current connection (awaiting_ld/configuring/linked/ended), None if none."""
        with self._lock:
            return self._conn.state if self._conn is not None else None

    @property
    def link_records(self) -> dict[str, tuple[str, ...]]:
        """The LR field lists of the current link (record id -> field ids)."""
        with self._lock:
            return dict(self._conn.link_records) if self._conn is not None else {}

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return self._connections

    @property
    def connected(self) -> bool:
        """Whether a client is currently connected."""
        with self._lock:
            return self._conn is not None

    @property
    def night_audit(self) -> bool:
        """Whether the night audit is running."""
        with self._lock:
            return self._night_audit

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll ``predicate`` until true or ``timeout``; returns its last value."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    # ------------------------------------------------------------------ networking

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            sock.settimeout(0.05)
            with self._lock:
                self._connections += 1
                conn = _Connection(sock, self._connections)
                old, self._conn = self._conn, conn
                if old is not None:
                    # Exactly one client: a new connection drops the old one (README, FIAS).
                    self._log.append(f"connection {conn.number} drops connection {old.number}")
            if old is not None:
                old.close()
            thread = threading.Thread(target=self._handle, args=(conn,), name="fias-pms-conn", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: _Connection) -> None:
        # The PMS speaks first: LS as soon as the port is open (p.35).
        self._send(conn, self._stamped("LS"))
        while not self._stop.is_set() and not conn.closed.is_set():
            try:
                data = conn.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            for payload in self._frames(conn, data):
                self._execute(conn, self._on_payload(conn, payload))
                if conn.closed.is_set():
                    break
        conn.close()
        with self._lock:
            if self._conn is conn:
                self._conn = None

    def _frames(self, conn: _Connection, data: bytes) -> Iterator[bytes]:
        """Split the stream into STX..ETX payloads; partial records stay buffered."""
        buf = conn.buffer
        buf += data
        while buf:
            start = buf.find(STX)
            if start < 0:
                self._note(f"discarded {len(buf)} bytes outside STX/ETX: {bytes(buf)!r}")
                buf.clear()
                return
            if start > 0:
                self._note(f"discarded bytes before STX: {bytes(buf[:start])!r}")
                del buf[:start]
            end = buf.find(ETX, 1)
            restart = buf.find(STX, 1, end if end > 0 else len(buf))
            if restart > 0:
                # A new STX before the ETX: the earlier record was broken off.
                self._note(f"record without ETX discarded: {bytes(buf[:restart])!r}")
                del buf[:restart]
                continue
            if end < 0:
                return  # wait for the rest of the record
            payload = bytes(buf[1:end])
            del buf[: end + 1]
            yield payload

    def _execute(self, conn: _Connection, outcome: _Outcome) -> None:
        if outcome.send and outcome.delay:
            self._stop.wait(outcome.delay)  # interruptible by stop()
        if outcome.together:
            self._send_together(conn, outcome.send)
        else:
            for record in outcome.send:
                self._send(conn, record)
        if outcome.close:
            conn.close()
            with self._lock:
                if self._conn is conn:
                    self._conn = None

    def _send(self, conn: _Connection, record: Record) -> bool:
        with conn.send_lock:
            if conn.closed.is_set():
                return False
            try:
                conn.sock.sendall(frame(record, self.encoding))
            except OSError:
                return False
            with self._lock:
                self._sent.append(record)
        return True

    def _send_together(self, conn: _Connection, records: list[Record]) -> bool:
        with conn.send_lock:
            if conn.closed.is_set():
                return False
            try:
                conn.sock.sendall(b"".join(frame(record, self.encoding) for record in records))
            except OSError:
                return False
            with self._lock:
                self._sent.extend(records)
        return True

    def _stamped(self, rid: str) -> Record:
        now = self._clock()
        return Record(rid, (("DA", now.strftime("%y%m%d")), ("TI", now.strftime("%H%M%S"))))

    def _note(self, text: str) -> None:
        with self._lock:
            self._log.append(text)

    # ------------------------------------------------------------------ dispatch

    def _on_payload(self, conn: _Connection, payload: bytes) -> _Outcome:
        text = payload.decode(self.encoding, errors="replace")
        try:
            record = parse_record(text)
        except ValueError as exc:
            self._note(f"malformed record ignored: {exc}")
            return _Outcome()
        with self._lock:
            if conn is not self._conn:
                return _Outcome()  # a dropped connection's leftovers
            self._received.append(record)
            return self._dispatch(conn, record)

    def _ignore(self, record: Record, reason: str) -> _Outcome:
        self._ignored.append(record)
        self._log.append(f"ignored {record.rid}: {reason}: {record}")
        return _Outcome()

    def _dispatch(self, conn: _Connection, record: Record) -> _Outcome:
        rid = record.rid
        if rid == "LS":
            # A POS-sent LS while the link is not up gets our LS again (p.35).
            if conn.state == LINKED:
                return self._ignore(record, "LS while linked")
            conn.state = AWAITING_LD
            return _Outcome(send=[self._stamped("LS")])
        if rid == "LE":
            if conn.state == ENDED:
                # The POS answers our LE (p.102): the link stays ended until LS (or a new connection).
                self._log.append(f"LE answered by the POS on connection {conn.number}")
                return _Outcome()
            # The POS ends the link: the PMS answers LE, closes the port and waits for a reconnect (p.36, p.102).
            self._log.append(f"LE from the POS, closing connection {conn.number}")
            return _Outcome(send=[self._stamped("LE")], close=True)
        if rid == "LD":
            return self._on_link_description(conn, record)
        if rid == "LR":
            if conn.state != CONFIGURING:
                return self._ignore(record, "LR without a preceding LD")
            return self._on_link_record(conn, record)
        if rid == "LA":
            if conn.state == CONFIGURING:
                return self._on_link_alive(conn, record)
            if conn.state == LINKED:
                self._keepalives.append(record)  # a link test: no application answer (p.25)
                return _Outcome()
            return self._ignore(record, f"LA in state {conn.state}")
        if conn.state != LINKED:
            return self._ignore(record, f"link not up (state {conn.state})")
        if rid == "PR":
            if self._silent > 0:
                self._silent -= 1
                self._swallowed.append(record)
                self._log.append(f"swallowed (silent_next): {record}")
                return _Outcome()
            return self._on_posting_request(conn, record)
        return self._ignore(record, "record type not handled by this POS simulator")

    # ------------------------------------------------------------------ link start (p.25-36)

    def _on_link_description(self, conn: _Connection, record: Record) -> _Outcome:
        problems = []
        if record.get("IF") != "PO":
            problems.append(f"IF must be PO (POS family, p.111), got {record.get('IF')!r}")
        if not _valid_date(record.get("DA")):
            problems.append(f"DA must be YYMMDD, got {record.get('DA')!r}")
        if not _valid_time(record.get("TI")):
            problems.append(f"TI must be HHMMSS, got {record.get('TI')!r}")
        version = record.get("V#")
        if not version or len(version) > 10:
            problems.append(f"V# is mandatory, AN max 10 (p.26), got {version!r}")
        if problems:
            self._log.append("LD refused: " + "; ".join(problems))
            return self._ignore(record, "invalid LD")
        # The link may be re-configured at any time (p.26): processing stops until LA.
        conn.state = CONFIGURING
        conn.pending_link_records = {}
        return _Outcome()

    def _on_link_record(self, conn: _Connection, record: Record) -> _Outcome:
        match = _LR_SHAPE.fullmatch(record.encode())
        if match is None or len(match.group(2)) % 2:
            self._log.append(f"LR refused, must be exactly LR|RIxx|FLxxxx| (p.28): {record}")
            return self._ignore(record, "malformed LR")
        rid, flist = match.groups()
        conn.pending_link_records[rid] = tuple(flist[i : i + 2] for i in range(0, len(flist), 2))
        return _Outcome()

    def _on_link_alive(self, conn: _Connection, record: Record) -> _Outcome:
        lrs = conn.pending_link_records
        problems = [f"no LR for {rid}" for rid in REQUIRED_LINK_RECORDS if rid not in lrs]
        for rid, mandatory in MANDATORY_LR_FIELDS.items():
            missing = [f for f in mandatory if rid in lrs and f not in lrs[rid]]
            if missing:
                note = f"LR {rid} lacks mandatory fields {missing} (p.20, p.82-84)"
                if self._strict_lr:
                    problems.append(note)
                else:
                    self._log.append("warning: " + note)
        if problems:
            self._log.append("link refused at LA: " + "; ".join(problems))
            conn.state = AWAITING_LD  # the POS has to start over with LD
            return self._ignore(record, "incomplete link description")
        conn.link_records = dict(lrs)
        conn.state = LINKED
        return _Outcome(send=[self._stamped("LA")])  # "the link was inactive before" (p.29)

    # ------------------------------------------------------------------ PR (p.79-90)

    def _on_posting_request(self, conn: _Connection, record: Record) -> _Outcome:
        req = dict(reversed(record.fields))  # first occurrence wins
        # Inquiry: no G# (or empty), a PI and no TA; anything else is a posting (p.79).
        if not req.get("G#") and req.get("PI") and "TA" not in req:
            return self._inquiry(conn, record, req)
        return self._posting(conn, record, req)

    def _inquiry(self, conn: _Connection, record: Record, req: dict[str, str]) -> _Outcome:
        ws = req.get("WS")
        try:
            if not _P_NUMBER.fullmatch(req.get("P#", "")):
                raise _Refusal("UR", "P# missing or not 1..99999999")
            if not ws:
                raise _Refusal("UR", "WS missing")
            if req["P#"] in self._posting_numbers.get(ws, set()):
                raise _Refusal("UR", "P# already used for a posting")
            _check_formats(record)
            mx = req.get("MX")
            if mx is not None and not re.fullmatch(r"[1-9]", mx):
                raise _Refusal("UR", "MX must be 1..9")
        except _Refusal as refusal:
            return self._answer(conn, self._pa(conn, req, refusal.status, refusal.text, posting=False))
        self._inquiry_numbers.setdefault(ws, set()).add(req["P#"])
        matches = self._search(req["PI"], int(mx) if mx else None)
        if not matches:
            return self._answer(conn, self._pa(conn, req, "NG", DEFAULT_TEXTS["NG"], posting=False))
        self._inquired.setdefault(ws, set()).update(g.reservation for g in matches)
        outcome = self._answer(conn, self._pl(conn, req, matches))
        if self._end_after_lists:
            self._end_after_lists -= 1
            if not self._end_after_lists:
                # The PMS shuts down right after this guest list: LE in the same write (p.25, p.102).
                conn.state = ENDED
                outcome.send.append(self._stamped("LE"))
                outcome.together = True
                self._log.append(f"link ended after the guest list for P#{req['P#']}")
        return outcome

    def _search(self, pi: str, limit: int | None) -> list[Guest]:
        """Room number exactly; otherwise name, prefix matches first, then substrings."""
        guests = list(self._guests.values())
        found = [g for g in guests if g.room == pi]
        if not found:
            needle = pi.casefold()
            prefix = [g for g in guests if g.name.casefold().startswith(needle)]
            found = prefix + [g for g in guests if needle in g.name.casefold() and g not in prefix]
        return found[:limit] if limit else found

    def _posting(self, conn: _Connection, record: Record, req: dict[str, str]) -> _Outcome:
        try:
            self._check_posting(record, req)
        except _Ignore as why:
            return self._ignore(record, str(why))
        except _Refusal as refusal:
            self._log.append(f"posting refused {refusal.status} ({refusal.text}): {record}")
            return self._answer(conn, self._pa(conn, req, refusal.status, refusal.text))
        guest = self._guests.get(req.get("G#", ""))
        if self._held:
            if self._held.popleft():
                self._accept(conn, record, req, guest)
            self._log.append(f"holding the answer to {record}")
            return _Outcome()
        if self._drops:
            # The posting reaches the folio (or not), and the answer never leaves.
            if self._drops.popleft():
                self._accept(conn, record, req, guest)
            self._log.append(f"dropping connection {conn.number} after {record} (no PA)")
            return _Outcome(close=True)
        if self._forced:
            status, text = self._forced.popleft()
            if status == "OK":
                self._accept(conn, record, req, guest)
            else:
                self._log.append(f"forced {status}: {record}")
            return self._answer(conn, self._pa(conn, req, status, text, guest=guest))
        try:
            if self._night_audit:
                raise _Refusal("NA", DEFAULT_TEXTS["NA"])
            if req.get("PM") not in self._direct_pms:
                guest = self._check_guest(req)
        except _Refusal as refusal:
            self._log.append(f"posting refused {refusal.status} ({refusal.text}): {record}")
            return self._answer(conn, self._pa(conn, req, refusal.status, refusal.text, guest=guest))
        self._accept(conn, record, req, guest)
        return self._answer(conn, self._pa(conn, req, "OK", "", guest=guest))

    def _check_posting(self, record: Record, req: dict[str, str]) -> None:
        """The well-formedness checks, in the order of the brief; raise _Refusal/_Ignore."""
        ws = req.get("WS")
        pnum = req.get("P#", "")
        # 1. P#: mandatory for PR, 1..99999999, and never the P# of an inquiry (p.80).
        if not _P_NUMBER.fullmatch(pnum):
            raise _Refusal("UR", "P# missing or not 1..99999999")
        pools = [self._inquiry_numbers.get(ws, set())] if ws else list(self._inquiry_numbers.values())
        if any(pnum in pool for pool in pools):
            raise _Refusal("UR", "P# already used for an inquiry")
        self._posting_numbers.setdefault(ws, set()).add(pnum)
        # 2. A posting without a prior successful inquiry is ignored (p.79). Coverage is
        # by reservation: the G# must have been returned to this WS (any WS if no WS).
        direct = "G#" not in req and "RN" not in req and req.get("PM") in self._direct_pms
        if not direct:
            found = [self._inquired.get(ws, set())] if ws else list(self._inquired.values())
            if not any(req.get("G#") in pool for pool in found):
                raise _Ignore("posting without a prior inquiry for this WS and reservation")
        # 3. WS is mandatory for a PR posting (p.80).
        if not ws:
            raise _Refusal("UR", "WS missing")
        # 4. DA and TI are required after guest selection (p.82 note 1).
        if not _valid_date(req.get("DA")):
            raise _Refusal("UR", "DA missing or not YYMMDD")
        if not _valid_time(req.get("TI")):
            raise _Refusal("UR", "TI missing or not HHMMSS")
        # 5. Amounts: integers in minor units, no decimal point (p.21, p.80).
        if "TA" not in req:
            raise _Refusal("UR", "TA missing")
        amounts = _parse_amounts(record)
        # 6. TA = S1..S9 + T1..T9 + D1..D9 + TP + SC, exactly (p.88).
        if amounts["TA"] != sum(v for k, v in amounts.items() if k != "TA"):
            raise _Refusal("DM", DEFAULT_TEXTS["DM"])
        # 7. Field formats and maxima of the PR table (p.82-83).
        _check_formats(record)
        if not direct:
            if not req.get("RN"):
                raise _Refusal("UR", "RN missing")  # mandatory in postings, p.83 note 3
            if not req.get("GN"):
                raise _Refusal("UR", "GN missing")  # required after guest selection, p.82 note 1
        if req.get("CO", "") not in ("", "N", "Y"):
            raise _Refusal("UR", "CO must be blank, N or Y")

    def _check_guest(self, req: dict[str, str]) -> Guest:
        guest = self._guests.get(req.get("G#", ""))
        if guest is None or guest.room != req.get("RN"):
            raise _Refusal("NG", DEFAULT_TEXTS["NG"])
        if guest.no_post:
            raise _Refusal("NP", DEFAULT_TEXTS["NP"])
        total = int(req["TA"])
        over = guest.credit_limit is not None and guest.balance + total > guest.credit_limit
        if over and req.get("CO") != "Y":
            raise _Refusal("CO", DEFAULT_TEXTS["CO"])
        return guest

    def _accept(self, conn: _Connection, record: Record, req: dict[str, str], guest: Guest | None) -> None:
        amounts = _parse_amounts(record)
        if guest is not None:
            guest.balance += amounts["TA"]
        entry: dict = dict(req)
        entry.update(
            amounts=amounts,
            total=amounts["TA"],
            room=req.get("RN"),
            reservation=req.get("G#"),
            guest_name=guest.name if guest else None,
            record=record.encode(),
            connection=conn.number,
        )
        self._accepted.append(entry)

    # ------------------------------------------------------------------ answers

    def _answer(self, conn: _Connection, record: Record) -> _Outcome:
        return _Outcome(send=[record], delay=self._delay)

    def _pa(
        self,
        conn: _Connection,
        req: dict[str, str],
        status: str,
        text: str,
        *,
        posting: bool = True,
        guest: Guest | None = None,
    ) -> Record:
        """A PA: AS, CT (refusals), P#, WS always; RN/DA/TI for postings (red, p.84);
        G#/GN/SO/ID/C# only if requested in LR PA and known (p.79 last note)."""
        wanted = set(self._current_lr(conn, "PA"))
        fields: list[tuple[str, str]] = [("AS", status)]
        if status != "OK":
            fields.append(("CT", text or DEFAULT_TEXTS[status]))
        if "P#" in req:
            fields.append(("P#", req["P#"]))
        if posting and "RN" in req:
            fields.append(("RN", req["RN"]))
        if "G#" in wanted and req.get("G#"):
            fields.append(("G#", req["G#"]))
        name = guest.name if guest is not None else req.get("GN")
        if "GN" in wanted and name:
            fields.append(("GN", name))
        if "WS" in req:
            fields.append(("WS", req["WS"]))
        for fid in ("SO", "ID", "C#"):
            if fid in wanted and fid in req:
                fields.append((fid, req[fid]))
        for fid in ("DA", "TI"):
            if (posting or fid in wanted) and fid in req:
                fields.append((fid, req[fid]))
        return Record("PA", tuple(fields))

    def _pl(self, conn: _Connection, req: dict[str, str], matches: list[Guest]) -> Record:
        """A PL: header echoes, one RN/G#/GN block per guest (+ NP/CL/BA if in LR PL), P# (p.87)."""
        wanted = set(self._current_lr(conn, "PL"))
        fields: list[tuple[str, str]] = []
        for fid in ("SO", "WS", "ID"):
            if (fid == "WS" or fid in wanted) and fid in req:
                fields.append((fid, req[fid]))
        for guest in matches:
            # Every block begins with RN and G# (p.79); per-guest extras follow it.
            fields += [("RN", guest.room), ("G#", guest.reservation), ("GN", guest.name)]
            if "NP" in wanted:
                fields.append(("NP", "Y" if guest.no_post else "N"))
            if "CL" in wanted:
                # Requested fields with no value may be sent empty (p.23): no limit.
                fields.append(("CL", "" if guest.credit_limit is None else str(guest.credit_limit)))
            if "BA" in wanted:
                fields.append(("BA", str(guest.balance)))
        fields.append(("P#", req["P#"]))
        for fid in ("DA", "TI", "C#", "PM"):
            if fid in wanted and fid in req:
                fields.append((fid, req[fid]))
        return Record("PL", tuple(fields))

    def _current_lr(self, conn: _Connection, rid: str) -> tuple[str, ...]:
        return conn.link_records.get(rid, ())


# --------------------------------------------------------------------------- helpers


def _valid_date(value: str | None) -> bool:
    """D = YYMMDD (p.21), and a real calendar date."""
    if value is None or not re.fullmatch(r"\d{6}", value):
        return False
    try:
        datetime.strptime(value, "%y%m%d")
    except ValueError:
        return False
    return True


def _valid_time(value: str | None) -> bool:
    """T = HHMMSS (p.21)."""
    if value is None or not re.fullmatch(r"\d{6}", value):
        return False
    return int(value[:2]) < 24 and int(value[2:4]) < 60 and int(value[4:]) < 60


def _parse_amounts(record: Record) -> dict[str, int]:
    """Every amount field sent, as int; raise UR for decimals, signs, repeats, size."""
    amounts: dict[str, int] = {}
    for fid, value in record.fields:
        if fid not in AMOUNT_FIELDS:
            continue
        if fid in amounts:
            raise _Refusal("UR", f"{fid} sent twice")
        if "." in value or "," in value:
            raise _Refusal("UR", f"{fid} has a decimal point (not allowed)")
        if not _AMOUNT.fullmatch(value) or len(value) > 15:
            raise _Refusal("UR", f"{fid} is not an integer amount, M max 15")
        amounts[fid] = int(value)
        if fid in DISCOUNT_FIELDS and amounts[fid] > 0:
            raise _Refusal("UR", f"{fid} discount must be negative or zero")
    return amounts


def _check_formats(record: Record) -> None:
    """Field formats and maxima of the PR table (p.82-83); no control characters (p.20)."""
    seen: set[str] = set()
    for fid, value in record.fields:
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise _Refusal("UR", f"{fid} contains a control character")
        if fid in _PR_FORMATS:
            if fid in seen:
                raise _Refusal("UR", f"{fid} sent twice")
            kind, maximum = _PR_FORMATS[fid]
            if len(value) > maximum:
                raise _Refusal("UR", f"{fid} longer than {maximum}")
            if kind == "N" and value and not _DIGITS.fullmatch(value):
                raise _Refusal("UR", f"{fid} must be numeric")
        seen.add(fid)
