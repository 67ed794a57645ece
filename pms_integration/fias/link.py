"""The one process that owns a hotel's FIAS connection (`manage.py pms_link`).

The PMS interface is a TCP server that takes one client: a second connection drops the
first, and the answers of the first with it. So exactly one process talks to it,
claimed through `LinkState` (`services.claim_link`), and the web processes reach it
through the database: postings are the outbox, `GuestInquiry` rows the lookups.

One request is outstanding at a time (spec p.85, "only one ... posting may be sent at a
time"). A room charge is a PR inquiry for the room, then the PR posting to the chosen
guest with a new P# (spec p.79-80). The P# is allocated and the posting marked sent
before its bytes leave, so that a crash, a timeout or a lost connection after that
point leaves it *unknown* (it may be on the folio) and never resends it blindly.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import select
import socket
import threading
import time
from collections import deque

from django.conf import settings
from django.db import connections
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from pms_integration import services
from pms_integration.fias import messages
from pms_integration.fias.records import Decoder, Record, encode
from pms_integration.interfaces import Answer, InHouseGuest
from pms_integration.models import GuestInquiry, LinkState, PmsLink, Posting, PostingOutlet

logger = logging.getLogger(__name__)


class LinkLost(Exception):
    """The connection is gone (closed by the PMS, reset, or never made)."""


class LinkRestarted(Exception):
    """The PMS sent LS: it restarted and forgot the session; LD/LR/LA again (spec p.25)."""


class OwnershipLost(Exception):
    """Another process owns the link now: stop at once."""


class FiasLink:
    """Keeps one hotel's FIAS link up and works through its outbox until `stop` is set."""

    # Spec p.35: listen at least 3 s for the PMS's LS before sending one ourselves.
    LISTEN_FOR_LINK_START = 3.0
    KEEP_ALIVE = 60.0  # an LA when nothing else was sent for this long
    POLL = 0.2  # how long to wait for bytes before looking at the outbox again
    RECONNECT_DELAYS = (1, 2, 5, 10, 30)
    CONNECT_TIMEOUT = 5.0

    def __init__(self, link: PmsLink, *, owner: str, stop: threading.Event | None = None):
        self.link = link
        self.hotel = link.hotel
        self.owner = owner
        self.stop = stop or threading.Event()
        self.sock: socket.socket | None = None
        self.decoder = Decoder(link.encoding)
        self.inbox: deque[Record] = deque()
        self.restart_asked = False  # an LS came: the session must be started again
        self.ended = False  # an LE came: hold everything until the PMS speaks again (spec p.25)
        self.ending = False  # we sent LE ourselves: the PMS's LE is its answer
        self.night_audit = False
        self.pms_la = False
        self.last_sent = 0.0
        self.last_heartbeat = 0.0
        # How often LinkState is written: the web processes judge "up" by its age (the lease).
        self.heartbeat_every = settings.PMS_LINK_HEARTBEAT
        self.state = LinkState.State.DOWN
        # P# of postings that timed out: a late PA still settles them (they are unknown, not failed).
        self.unanswered: dict[str, int] = {}

    # ---- the outer loop -----------------------------------------------------------------

    def run(self) -> None:
        """Connect, start the link, serve; on any loss wait and connect again. Returns when stopped."""
        try:
            self.run_until_stopped()
        except OwnershipLost:
            logger.warning("%s: lost the link to %s to another process", self.owner, self.hotel)
        finally:
            self.disconnect()
            connections.close_all()  # this thread's own database connection ends with it

    def run_until_stopped(self) -> None:
        failures = 0
        claimed = standing_by = False
        while not self.stop.is_set():
            if not services.claim_link(link=self.link, owner=self.owner):
                if not standing_by:
                    logger.warning("%s: another process owns the link to %s; standing by", self.owner, self.hotel)
                standing_by = True
                # Standing by: take over soon after the owner's lease runs out.
                self.stop.wait(services.owner_lease().total_seconds() / 4)
                continue
            if not claimed:
                claimed = True
                orphans = services.expire_orphaned_postings(hotel=self.hotel)
                if orphans:
                    logger.warning("%s: %s postings left unanswered by a dead process", self.owner, orphans)
            try:
                self.connect()
                self.start_session()
                failures = 0
                self.serve()
                self.end_link()
            except (OSError, LinkLost, LinkRestarted) as error:
                failures += 1
                self.went_down(str(error) or error.__class__.__name__)
            finally:
                self.disconnect()
            delay = self.RECONNECT_DELAYS[min(failures, len(self.RECONNECT_DELAYS)) - 1] if failures else 1
            self.wait_while_down(delay)
        services.release_link(link=self.link, owner=self.owner)

    def wait_while_down(self, seconds: float) -> None:
        """Between connections: keep the heartbeat, refuse what nobody can post now."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set() and time.monotonic() < deadline:
            self.heartbeat(force=False)
            self.turn_away_waiting()
            self.stop.wait(min(self.POLL * 5, max(deadline - time.monotonic(), 0)))

    def went_down(self, reason: str) -> None:
        logger.warning("FIAS link to %s down: %s", self.hotel, reason)
        self.set_state(LinkState.State.DOWN, error=reason)

    # ---- the socket ---------------------------------------------------------------------

    def connect(self) -> None:
        if not self.link.host or not self.link.port:
            raise LinkLost(_("No host and port are set for the FIAS link."))
        self.sock = socket.create_connection((self.link.host, self.link.port), timeout=self.CONNECT_TIMEOUT)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self.decoder = Decoder(self.link.encoding)
        self.inbox.clear()
        self.restart_asked = self.ended = self.ending = self.night_audit = self.pms_la = False

    def disconnect(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def send(self, rid: str, fields: list[tuple[str, object]]) -> None:
        if self.sock is None:
            raise LinkLost(_("Not connected."))
        try:
            self.sock.sendall(encode(rid, fields, self.link.encoding))
        except OSError as error:
            raise LinkLost(str(error)) from error
        self.last_sent = time.monotonic()

    def read(self, timeout: float) -> None:
        """Take what the PMS sent within `timeout` and act on the link-control records."""
        if self.sock is None:
            raise LinkLost(_("Not connected."))
        ready, _w, _x = select.select([self.sock], [], [], max(timeout, 0))
        if not ready:
            return
        try:
            data = self.sock.recv(65536)
        except OSError as error:
            raise LinkLost(str(error)) from error
        if not data:
            raise LinkLost(_("The PMS closed the connection."))
        for record in self.decoder.feed(data):
            self.on_record(record)

    def on_record(self, record: Record) -> None:
        logger.debug("FIAS <- %s", record.text())
        if self.ended and record.rid not in ("LE", "LS"):
            # Spec p.25: after an LE, the next communication reactivates the link even without an LS
            # (an LS is followed by a new link description, which brings the link up).
            self.ended = False
            self.set_state(LinkState.State.NIGHT_AUDIT if self.night_audit else LinkState.State.UP, error="")
        if record.rid == "LS":
            self.restart_asked = True
        elif record.rid == "LA":
            self.pms_la = True
        elif record.rid == "LE":
            self.on_link_end()
        elif record.rid == "NS":
            self.night_audit = True
            self.set_state(LinkState.State.NIGHT_AUDIT)
        elif record.rid == "NE":
            self.night_audit = False
            self.set_state(LinkState.State.UP)
        elif record.rid in ("PL", "PA"):
            self.inbox.append(record)

    def on_link_end(self) -> None:
        """The PMS ends the link: answer LE (spec p.102), send nothing more, keep the charges queued (p.25)."""
        if not self.ended and not self.ending:
            now = timezone.localtime()
            with contextlib.suppress(LinkLost):  # the PMS dropped the port already: nothing to answer
                self.send("LE", [("DA", now.strftime("%y%m%d")), ("TI", now.strftime("%H%M%S"))])
        self.ended = True
        if not self.ending:
            self.set_state(LinkState.State.DOWN, error=_("The PMS ended the link (LE): charges wait until it is back."))

    def end_link(self) -> None:
        """Our own shutdown: LE, and up to 2 s for the PMS's LE before the port drops (spec p.102)."""
        if self.sock is None or self.ended:
            return
        self.ending = True
        now = timezone.localtime()
        deadline = time.monotonic() + 2.0
        with contextlib.suppress(LinkLost, OSError):  # the PMS closed the port: the link has ended
            self.send("LE", [("DA", now.strftime("%y%m%d")), ("TI", now.strftime("%H%M%S"))])
            while not self.ended and time.monotonic() < deadline:
                self.read(deadline - time.monotonic())

    # ---- link start (spec p.28-29, p.35) ------------------------------------------------

    def start_session(self) -> None:
        deadline = time.monotonic() + self.LISTEN_FOR_LINK_START
        while not self.restart_asked and time.monotonic() < deadline:
            self.read(deadline - time.monotonic())
        if not self.restart_asked:
            # Nothing heard: say LS ourselves; the PMS answers LS when the link never started.
            now = timezone.localtime()
            self.send("LS", [("DA", now.strftime("%y%m%d")), ("TI", now.strftime("%H%M%S"))])
            self.wait_for(lambda: self.restart_asked, self.link.inquiry_timeout, _("The PMS did not answer LS."))
        self.describe_link()

    def describe_link(self) -> None:
        self.restart_asked = self.ended = False
        self.pms_la = False
        for rid, fields in messages.link_description(timezone.localtime()):
            self.send(rid, fields)
        self.wait_for(lambda: self.pms_la, self.link.inquiry_timeout, _("The PMS did not answer the link start."))
        self.inbox.clear()  # nothing sent before the restart will be answered
        self.set_state(LinkState.State.NIGHT_AUDIT if self.night_audit else LinkState.State.UP, error="")

    def wait_for(self, condition, seconds: float, failure: str) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() >= deadline or self.stop.is_set():
                raise LinkLost(failure)
            self.heartbeat(force=False)
            self.read(min(self.POLL, deadline - time.monotonic()))

    # ---- serving ------------------------------------------------------------------------

    def serve(self) -> None:
        while not self.stop.is_set():
            self.heartbeat(force=False)
            if self.restart_asked:
                self.describe_link()
            self.read(self.POLL)
            self.settle_late_answers()
            if self.ended or self.night_audit:
                self.turn_away_waiting()
                continue
            try:
                if self.work():
                    continue
            except LinkRestarted:
                continue  # describe the link again, then go on with the outbox
            if time.monotonic() - self.last_sent > self.KEEP_ALIVE:
                now = timezone.localtime()
                self.send("LA", [("DA", now.strftime("%y%m%d")), ("TI", now.strftime("%H%M%S"))])

    def work(self) -> bool:
        """One lookup (a waiter waits for it) or else one posting. False: nothing to do."""
        inquiry = services.next_inquiry(
            link=self.link, newer_than=datetime.timedelta(seconds=self.link.inquiry_timeout)
        )
        if inquiry is not None:
            self.answer_inquiry(inquiry)
            return True
        posting = services.next_posting_to_send(hotel=self.hotel)
        if posting is not None:
            self.deliver(posting)
            return True
        return False

    def request(self, rid: str, fields: list[tuple[str, object]], sequence: int, seconds: float) -> Record | None:
        """Send one record and wait for the PL/PA that echoes its P#. None: no answer in time."""
        self.send(rid, fields)
        wanted = str(sequence)
        deadline = time.monotonic() + seconds
        while True:
            for record in list(self.inbox):
                if record.get("P#") == wanted:
                    self.inbox.remove(record)
                    return record
            if self.restart_asked:
                raise LinkRestarted()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.stop.is_set():
                return None
            self.heartbeat(force=False)
            self.read(min(self.POLL, remaining))

    def ask_room(self, *, room: str = "", name: str = "", setup: PostingOutlet | None = None) -> Record | None:
        """A PR inquiry; for a posting, with its own outlet's SO (spec p.79-80). WS is the link's, always."""
        setup = setup or self.hotel.posting_outlets.filter(is_active=True).select_related("outlet").first()
        if setup is None:
            return None
        sequence = services.allocate_sequence(hotel=self.hotel)
        fields = messages.inquiry(
            setup=setup,
            sequence=sequence,
            room=room,
            name=name,
            workstation=self.link.workstation,
            now=timezone.localtime(),
        )
        return self.request("PR", fields, sequence, self.link.inquiry_timeout)

    def answer_inquiry(self, inquiry: GuestInquiry) -> None:
        """A web process waits for the guests of a room (or a name)."""
        try:
            answer = self.ask_room(room=inquiry.room, name=inquiry.name)
        except LinkRestarted:
            services.answer_inquiry(inquiry_id=inquiry.pk, guests=None, error="PMS restarted")
            raise
        guests: list[InHouseGuest] | None
        error = ""
        if answer is None:
            guests, error = None, _("The hotel system did not answer in time.")
        elif answer.rid == "PL":
            guests = messages.guests_of(answer)
        elif answer.get("AS") == "NG":
            guests = []  # no such room, or nobody in it
        else:
            guests, error = None, answer.get("CT") or answer.get("AS")
        services.answer_inquiry(inquiry_id=inquiry.pk, guests=guests, error=error)
        self.heartbeat(force=True, answered=answer is not None)

    def deliver(self, posting: Posting) -> None:
        """Inquiry for the room, then the posting to the chosen guest; one answer, recorded once."""
        try:
            found = self.ask_room(room=posting.room, setup=posting.posting_outlet)
        except LinkRestarted:
            return  # nothing was posted; the restarted session starts over with this posting
        if found is None:
            services.refuse_unsent(posting_id=posting.pk, answer=Answer(code="RY", text=_("No answer to the inquiry.")))
            return
        self.heartbeat(force=True, answered=True)
        if found.rid == "PA":
            code = found.get("AS") or "UR"
            services.refuse_unsent(posting_id=posting.pk, answer=Answer(code=code, text=found.get("CT")))
            return
        self.read(0)  # an LE, LS or NS right behind the guest list: the posting would be ignored
        if self.ended or self.restart_asked or self.night_audit:
            return  # not sent: it stays queued until the link is up again
        guests = messages.guests_of(found)
        posting = services.choose_guest(posting_id=posting.pk, guests=guests)
        if posting.state != Posting.State.QUEUED:
            return
        if not any(guest.guest_id == posting.guest_id for guest in guests):
            text = _("The guest is no longer in room %(room)s.") % {"room": posting.room}
            services.refuse_unsent(posting_id=posting.pk, answer=Answer(code="NG", text=text))
            return
        setup = posting.posting_outlet
        # A new P#: the inquiry's may not be used again (spec p.80).
        sequence = services.allocate_sequence(hotel=self.hotel)
        fields = messages.charge(
            posting=posting,
            setup=setup,
            sequence=sequence,
            workstation=self.link.workstation,
            check_opened=self.check_opened(posting),
        )
        if services.mark_sent(posting_id=posting.pk, sequence=sequence) is None:
            return  # the front desk withdrew or redirected it meanwhile
        try:
            answer = self.request("PR", fields, sequence, self.link.posting_timeout)
        except LinkRestarted:
            self.unanswered[str(sequence)] = posting.pk
            services.mark_unknown(posting_id=posting.pk, note=_("The PMS restarted before it answered."))
            raise
        except (LinkLost, OwnershipLost) as error:
            self.unanswered[str(sequence)] = posting.pk
            services.mark_unknown(
                posting_id=posting.pk, note=_("The link was lost before the answer: %(error)s") % {"error": error}
            )
            raise
        if answer is None:
            self.unanswered[str(sequence)] = posting.pk
            services.mark_unknown(
                posting_id=posting.pk,
                note=_("No answer in %(seconds)s s: check the folio.") % {"seconds": self.link.posting_timeout},
            )
            return
        self.record(posting.pk, answer)

    def record(self, posting_id: int, answer: Record) -> None:
        services.record_answer(
            posting_id=posting_id, answer=Answer(code=answer.get("AS") or "UR", text=answer.get("CT"))
        )
        self.heartbeat(force=True, answered=True)

    def settle_late_answers(self) -> None:
        """A PA for a posting we stopped waiting for: it counts (the posting is unknown, not failed)."""
        for record in list(self.inbox):
            posting_id = self.unanswered.pop(record.get("P#"), None)
            self.inbox.remove(record)
            if posting_id is not None and record.rid == "PA":
                self.record(posting_id, record)

    def check_opened(self, posting: Posting) -> datetime.datetime:
        """C#, DA and TI are the same on every posting of one check (spec p.80): the first one's time."""
        first = Posting.objects.filter(
            posting_outlet=posting.posting_outlet,
            check_number=posting.check_number,
            business_date=posting.business_date,
        ).aggregate(first=Min("created_at"))["first"]
        return timezone.localtime(first or posting.created_at)

    # ---- the state the others see ----------------------------------------------------------

    def set_state(self, state: str, *, error: str | None = None) -> None:
        self.state = state
        self.heartbeat(force=True, state=state, error=error)

    def heartbeat(self, *, force: bool, state: str | None = None, error: str | None = None, answered: bool = False):
        now = time.monotonic()
        if not force and now - self.last_heartbeat < self.heartbeat_every:
            return
        self.last_heartbeat = now
        if not services.report_link(link=self.link, owner=self.owner, state=state, error=error, answered=answered):
            raise OwnershipLost()

    def turn_away_waiting(self) -> None:
        """Guests waiting at a table for a charge that cannot be posted now get a clear no."""
        services.refuse_waiting_at_the_table(
            hotel=self.hotel, older_than=datetime.timedelta(seconds=self.link.inquiry_timeout)
        )
        waiting = GuestInquiry.objects.filter(link=self.link, state=GuestInquiry.State.PENDING)
        if waiting.exists():  # this runs every second while the link is down: write only when needed
            waiting.update(state=GuestInquiry.State.FAILED, error="link down", answered_at=timezone.now())
