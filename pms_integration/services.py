"""The PMS gateway: look guests up, post charges, follow each posting to its end.

One set of services for every PMS; the hotel's `PmsLink` picks the adapter (see
`interfaces`). A posting is a row first (the outbox) and a message second, so a
charge is never lost when the PMS, the network or a process is down, and the state
machine in `POSTING_WORKFLOW` makes sure it is never posted twice: a posting whose
answer never came is *unknown* and waits for a person, or for the adapter's own
look-up on the folio, before it may go again.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from pms_integration.interfaces import (
    ANSWER_TEXTS,
    RETRY_CODES,
    Answer,
    ChargeRequest,
    InHouseGuest,
    PmsAdapter,
    PmsUnreachable,
)
from pms_integration.ledger import folio_balance
from pms_integration.models import (
    POSTING_WORKFLOW,
    GuestInquiry,
    GuestStay,
    Hotel,
    Interface,
    LinkState,
    PmsLink,
    Posting,
    PostingOutlet,
    PostingStateChange,
    Room,
    SequenceCounter,
)
from pms_integration.signals import (
    charge_accepted_offline,
    charge_posted,
    charge_rejected,
    charge_unanswered,
    posting_redirected,
    posting_withdrawn,
)
from staff.models import Role, User
from staff.services import record_audit

logger = logging.getLogger(__name__)

FRONT_DESK_ROLES = (Role.FRONT_DESK, Role.MANAGER)
# In "refuse" mode the guest is still at the table: stop asking after this many "retry" answers.
RETRIES_AT_THE_TABLE = 3
RETRY_DELAYS = (5, 15, 30, 60, 120, 300)  # seconds; the last one repeats
MAX_SEQUENCE = 99_999_999  # FIAS P#: 1-99999999 (spec p.80)


class RoomChargeRefused(ValidationError):
    """The guest may not charge this now. `overridable`: a manager may allow it anyway."""

    def __init__(self, message: str, *, code: str, overridable: bool = False):
        super().__init__({"guest": message}, code=code)
        self.reason = code
        self.overridable = overridable
        self.text = message


# One adapter per interface (see `interfaces`). Imported when a hotel uses it, so a
# ledger-only installation never loads the socket or HTTP code.
ADAPTERS = {
    Interface.LEDGER: "pms_integration.ledger.LedgerAdapter",
    Interface.FIAS: "pms_integration.fias.adapter.FiasAdapter",
    Interface.OPERA_CLOUD: "pms_integration.opera_cloud.OperaCloudAdapter",
}


def adapter_for(link: PmsLink) -> PmsAdapter:
    path = ADAPTERS.get(link.interface)
    if path is None:
        raise PmsUnreachable(_("No adapter is installed for %(interface)s.") % {"interface": link.interface})
    return import_string(path)()


def link_of(hotel: Hotel) -> PmsLink:
    """The hotel's link; a hotel set up without one uses the built-in ledger."""
    link, _created = PmsLink.objects.get_or_create(hotel=hotel)
    return link


def posting_outlet_for(outlet_id: int) -> PostingOutlet | None:
    return PostingOutlet.objects.select_related("hotel", "outlet").filter(outlet_id=outlet_id, is_active=True).first()


# Looking guests up ------------------------------------------------------------


def find_in_house_guests(*, posting_outlet: PostingOutlet, room: str = "", name: str = "") -> list[InHouseGuest]:
    """The guests who can charge to `room` (sharers too) or whose name matches. Raises PmsUnreachable."""
    room, name = (room or "").strip(), (name or "").strip()
    if not room and not name:
        raise ValidationError({"room": _("Enter a room number or a guest's name.")})
    link = link_of(posting_outlet.hotel)
    try:
        return adapter_for(link).find_guests(link, room=room, name=name)
    except PmsUnreachable as error:
        if posting_outlet.when_unreachable != PostingOutlet.WhenUnreachable.QUEUE or not room:
            raise
        # The house takes the charge on the room's word: the PMS picks the guest when it is back
        # (the one in the room; with sharers the front desk chooses).
        logger.info("Room %s offered offline: %s", room, error.message)
        return [
            InHouseGuest(
                room=room,
                guest_id="",
                name=_("Room %(room)s: the hotel system is offline, the charge is posted when it is back")
                % {"room": room},
            )
        ]


def vet_guest(
    *, posting_outlet: PostingOutlet, room: str, guest_id: str, amount: int, override: bool = False
) -> InHouseGuest | None:
    """Look the guest up right before posting and apply the house rules.

    Returns the guest as the PMS sees them now, or None when the PMS is unreachable
    and the outlet accepts room charges to post later. Raises RoomChargeRefused
    (no such guest, checked out, no-post, over the credit limit) or PmsUnreachable.
    """
    link = link_of(posting_outlet.hotel)
    adapter = adapter_for(link)
    try:
        if not adapter.is_reachable(link):
            raise PmsUnreachable()
        guests = adapter.find_guests(link, room=room)
    except PmsUnreachable:
        if posting_outlet.when_unreachable == PostingOutlet.WhenUnreachable.QUEUE:
            return None
        raise
    guest = next((g for g in guests if g.guest_id == str(guest_id)), None)
    if guest is None:
        raise RoomChargeRefused(
            _("%(room)s: that guest is not in house (checked out, or another room).") % {"room": room}, code="NG"
        )
    if not guest.allow_postings and not (override and adapter.overrides_no_post):
        if not adapter.overrides_no_post:
            # FIAS has no field for it (CO=Y is the credit limit's): the PMS would answer NP anyway.
            raise RoomChargeRefused(
                _(
                    "%(name)s may not charge to the room (no-post). The hotel system takes no override "
                    "for this: the front desk can lift the block in the PMS."
                )
                % {"name": guest.name},
                code="NP",
            )
        raise RoomChargeRefused(
            _("%(name)s may not charge to the room (no-post).") % {"name": guest.name}, code="NP", overridable=True
        )
    if guest.credit_left is not None and amount > guest.credit_left and not override:
        raise RoomChargeRefused(
            _("%(name)s is over the credit limit: %(left)s left on the folio.")
            % {"name": guest.name, "left": f"{max(guest.credit_left, 0) / 100:.2f}"},
            code="CO",
            overridable=True,
        )
    return guest


# Posting ---------------------------------------------------------------------


def _record_state(posting: Posting, to_state: str, *, by: User | None = None, note: str = "") -> None:
    POSTING_WORKFLOW.check(posting.state, to_state)
    PostingStateChange.objects.create(
        posting=posting, from_state=posting.state, to_state=to_state, by=by, note=note[:200]
    )
    posting.state = to_state


def request_posting(*, posting_outlet: PostingOutlet, charge: ChargeRequest, offline: bool, by: User) -> Posting:
    """Put one room charge in the outbox. The same key twice returns the first posting.

    `offline`: the PMS was unreachable and the outlet accepts charges to post later;
    the posting is retried until the PMS takes it or refuses it. Call
    `dispatch_posting` once the caller's own rows point at it.
    """
    existing = Posting.objects.filter(key=charge.key).first()
    if existing is not None:
        return existing
    revenue_sum = sum(split.amount - split.discount for split in charge.revenue)
    if not charge.taxes_included:
        revenue_sum += sum(split.tax for split in charge.revenue)
    if revenue_sum + charge.service_charge + charge.tip != charge.amount:
        # The PMS would answer DM; better to stop here, with the figures in the log.
        raise ValidationError({"amount": _("The charge's parts do not add up to its amount.")})
    with transaction.atomic():
        posting = Posting.objects.create(
            hotel=posting_outlet.hotel,
            posting_outlet=posting_outlet,
            key=charge.key,
            room=charge.room,
            guest_id=charge.guest_id,
            guest_name=charge.guest_name[:120],
            amount=charge.amount,
            tip=charge.tip,
            service_charge=charge.service_charge,
            revenue=[split.as_dict() for split in charge.revenue],
            taxes_included=charge.taxes_included,
            check_number=charge.check_number,
            check_text=charge.check_text,
            covers=charge.covers,
            table=charge.table[:20],
            waiter=charge.waiter[:60],
            waiter_code=charge.waiter_code[:16],
            workstation=charge.workstation[:16],
            credit_override=charge.credit_override,
            accepted_offline=offline,
            business_date=charge.business_date,
            next_attempt_at=timezone.now(),
        )
        PostingStateChange.objects.create(
            posting=posting, from_state="", to_state=Posting.State.QUEUED, by=by, note="offline" if offline else ""
        )
        if charge.credit_override:
            record_audit(
                actor=by,
                action="room_charge_override",
                subject=posting,
                details={"room": charge.room, "guest": charge.guest_id, "amount": charge.amount},
            )
    return posting


def dispatch_posting(*, posting: Posting) -> None:
    """Start delivering a queued posting the way its PMS wants it.

    The built-in ledger posts at once, in the caller's transaction. REST PMSs are
    posted by a background task after commit. A FIAS link is owned by its own
    process, which reads the outbox.
    """
    link = link_of(posting.hotel)
    if link.interface == Interface.LEDGER:
        deliver_posting(posting_id=posting.pk)
    elif link.interface == Interface.FIAS:
        return
    else:
        transaction.on_commit(lambda: _enqueue_delivery(posting.pk), robust=True)


def _enqueue_delivery(posting_id: int, *, delay: int = 0) -> None:
    from pms_integration import tasks  # the task module imports this one

    task = tasks.deliver_posting
    if delay:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    try:
        task.enqueue(posting_id=posting_id)
    except Exception:  # the sweep (`pms_sweep`) picks up any posting left queued
        logger.warning("Could not queue delivery of posting %s", posting_id, exc_info=True)


def _enqueue_reconcile(posting_id: int, *, delay: int = 0) -> None:
    from pms_integration import tasks  # the task module imports this one

    try:
        tasks.reconcile_posting.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
            posting_id=posting_id
        )
    except Exception:  # `pms_sweep` reconciles whatever is left unknown
        logger.warning("Could not queue the reconciliation of posting %s", posting_id, exc_info=True)


def mark_sent(*, posting_id: int, sequence: int | None = None) -> Posting | None:
    """queued -> sent, just before the bytes leave. Returns None if it is no longer queued."""
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting_id)
        if posting.state != Posting.State.QUEUED:
            return None
        _record_state(posting, Posting.State.SENT, note=f"P#{sequence}" if sequence else "")
        posting.attempts += 1
        posting.sent_at = timezone.now()
        posting.sequence = sequence or posting.sequence
        posting.save(update_fields=["state", "attempts", "sent_at", "sequence"])
    return posting


def deliver_posting(*, posting_id: int) -> Posting:
    """Send one queued posting through an adapter that answers directly (ledger, REST)."""
    with transaction.atomic():
        posting = Posting.objects.select_related("hotel", "posting_outlet__outlet").get(pk=posting_id)
        if posting.state != Posting.State.QUEUED:
            return posting
        link = link_of(posting.hotel)
        adapter = adapter_for(link)
        if not adapter.is_reachable(link):
            return _not_sent(posting, _("The hotel system cannot be reached."))
        posting = mark_sent(posting_id=posting_id)
        if posting is None:
            return Posting.objects.get(pk=posting_id)
    try:
        answer = adapter.post(link, posting)
    except PmsUnreachable as error:
        # Nothing left this process: safe to try again.
        return _not_sent(posting, error.message, was_sent=True)
    except Exception as error:
        logger.warning("Posting %s: no answer", posting_id, exc_info=True)
        posting = mark_unknown(posting_id=posting_id, note=str(error)[:200] or error.__class__.__name__)
        # Look it up on the folio once the PMS has had time to settle; never resend blindly.
        _enqueue_reconcile(posting_id, delay=link.posting_timeout)
        return posting
    if answer is None:
        return posting
    return record_answer(posting_id=posting_id, answer=answer)


def _not_sent(posting: Posting, message: str, *, was_sent: bool = False) -> Posting:
    """The PMS was not reached: queue again (offline postings) or refuse (the guest is still at the table)."""
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting.pk)
        if posting.accepted_offline:
            if was_sent:
                _record_state(posting, Posting.State.QUEUED, note=message)
            delay = _retry_delay(posting)
            posting.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay)
            posting.answer_text = message[:200]
            posting.save(update_fields=["state", "next_attempt_at", "answer_text"])
            transaction.on_commit(lambda: _enqueue_delivery(posting.pk, delay=delay), robust=True)
            return posting
        _record_state(posting, Posting.State.REJECTED, note=message)
        posting.answer_text = message[:200]
        posting.answered_at = timezone.now()
        posting.save(update_fields=["state", "answer_text", "answered_at"])
        charge_rejected.send(sender=Posting, posting=posting, by=None)
    return posting


def _retry_delay(posting: Posting) -> int:
    return RETRY_DELAYS[min(max(posting.attempts - 1, 0), len(RETRY_DELAYS) - 1)]


def record_answer(*, posting_id: int, answer: Answer, by: User | None = None) -> Posting:
    """The PMS answered a posting (or a person read the folio). Idempotent: a repeat changes nothing.

    OK posts it; NA/RY send it back to the queue; any other code rejects it with the
    PMS's reason. A late answer to an *unknown* posting still counts.
    """
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting_id)
        if posting.state not in (Posting.State.SENT, Posting.State.UNKNOWN):
            return posting
        now = timezone.now()
        posting.answer_code = answer.code[:4]
        posting.answer_text = (answer.text or str(ANSWER_TEXTS.get(answer.code, answer.code)))[:200]
        posting.answered_at = now
        posting.pms_reference = answer.reference[:80] or posting.pms_reference
        if answer.code == "OK":
            _record_state(posting, Posting.State.POSTED, by=by, note=answer.text)
            posting.posted_at = now
            posting.save()
            charge_posted.send(sender=Posting, posting=posting, by=by)
            return posting
        if answer.code in RETRY_CODES and (posting.accepted_offline or posting.attempts < RETRIES_AT_THE_TABLE):
            _record_state(posting, Posting.State.QUEUED, by=by, note=f"{answer.code} {answer.text}")
            delay = _retry_delay(posting)
            posting.next_attempt_at = now + datetime.timedelta(seconds=delay)
            posting.save()
            if link_of(posting.hotel).interface != Interface.FIAS:
                transaction.on_commit(lambda: _enqueue_delivery(posting.pk, delay=delay), robust=True)
            return posting
        _record_state(posting, Posting.State.REJECTED, by=by, note=f"{answer.code} {answer.text}")
        posting.save()
        charge_rejected.send(sender=Posting, posting=posting, by=by)
    return posting


def mark_unknown(*, posting_id: int, note: str) -> Posting:
    """Sent, and no answer came (timeout, link lost). It goes to the front desk's reconciliation list."""
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting_id)
        if posting.state != Posting.State.SENT:
            return posting
        _record_state(posting, Posting.State.UNKNOWN, note=note)
        posting.answer_text = note[:200]
        posting.save(update_fields=["state", "answer_text"])
        charge_unanswered.send(sender=Posting, posting=posting)
    return posting


def expire_unanswered(*, now: datetime.datetime | None = None) -> int:
    """Sent postings older than their link's posting timeout become unknown (a worker died mid-call)."""
    now = now or timezone.now()
    count = 0
    for posting in Posting.objects.filter(state=Posting.State.SENT).select_related("hotel__pms_link"):
        link = getattr(posting.hotel, "pms_link", None)
        timeout = link.posting_timeout if link else 60
        if posting.sent_at and now - posting.sent_at > datetime.timedelta(seconds=timeout * 2):
            mark_unknown(posting_id=posting.pk, note=_("No answer from the hotel system in time."))
            count += 1
    return count


def reconcile_all_unknown() -> int:
    """Ask the PMSs that can tell (not FIAS) about every unanswered posting. Returns how many were settled."""
    unknown = Posting.objects.filter(state=Posting.State.UNKNOWN).exclude(hotel__pms_link__interface=Interface.FIAS)
    settled = 0
    for posting in unknown.select_related("hotel"):
        if reconcile_unknown(posting=posting).state != Posting.State.UNKNOWN:
            settled += 1
    return settled


def wake_queued_postings() -> int:
    """Queued postings that are due, on links delivered by tasks (not FIAS): queue their delivery again."""
    due = Posting.objects.filter(state=Posting.State.QUEUED, next_attempt_at__lte=timezone.now()).exclude(
        hotel__pms_link__interface=Interface.FIAS
    )
    count = 0
    for posting_id in due.values_list("pk", flat=True):
        _enqueue_delivery(posting_id)
        count += 1
    return count


def allocate_sequence(*, hotel: Hotel) -> int:
    """The next FIAS P# (1-99999999), persisted before use so no restart hands it out twice."""
    with transaction.atomic():
        counter, _created = SequenceCounter.objects.select_for_update().get_or_create(hotel=hotel)
        counter.last = counter.last % MAX_SEQUENCE + 1
        counter.save(update_fields=["last"])
    return counter.last


# The process that owns a link (FIAS) -------------------------------------------


def owner_lease() -> datetime.timedelta:
    """A link process that has not written its heartbeat for this long is taken as gone."""
    return datetime.timedelta(seconds=settings.PMS_LINK_LEASE)


def claim_link(*, link: PmsLink, owner: str) -> bool:
    """Make `owner` (host:pid) the one process that talks to this PMS. False if another one is alive.

    FIAS allows one client per interface: a second connection drops the first (and its
    postings' answers), so two of our processes must never both connect. A process that
    takes the link over settles what the dead one left (`expire_orphaned_postings`).
    """
    now = timezone.now()
    with transaction.atomic():
        state, _created = LinkState.objects.select_for_update().get_or_create(link=link)
        alive = state.heartbeat_at is not None and now - state.heartbeat_at < owner_lease()
        if state.owner and state.owner != owner and alive:
            return False
        if state.owner != owner:
            # Nothing is up until this process has started the link itself.
            state.state, state.since = LinkState.State.DOWN, now
            if state.owner:
                state.last_error = _("The link process %(owner)s stopped answering.") % {"owner": state.owner}
        state.owner = owner
        state.heartbeat_at = now
        state.save(update_fields=["owner", "heartbeat_at", "state", "since", "last_error"])
    return True


def expire_orphaned_postings(*, hotel: Hotel) -> int:
    """Postings left *sent* by a link process that is gone become *unknown* (the front desk's list).

    Called by a link process right after it claimed the link, before it sends anything: every
    posting still sent then was sent by another process (or an earlier thread) whose socket is
    gone with the answer. Only the front desk can tell whether it is on the folio.
    """
    orphans = Posting.objects.filter(hotel=hotel, state=Posting.State.SENT).values_list("pk", flat=True)
    note = _("The link process stopped before the hotel system answered: check the folio.")
    return sum(1 for posting_id in orphans if mark_unknown(posting_id=posting_id, note=note).state == "unknown")


def report_link(
    *, link: PmsLink, owner: str, state: str | None = None, error: str | None = None, answered: bool = False
) -> bool:
    """The link process's heartbeat, with what changed. False: another process owns the link now."""
    now = timezone.now()
    with transaction.atomic():
        row = LinkState.objects.select_for_update().get(link=link)
        if row.owner != owner:
            return False
        row.heartbeat_at = now
        if state is not None and state != row.state:
            row.state = state
            row.since = now
        if error is not None:
            row.last_error = error[:200]
        if answered:
            row.last_answer_at = now
        row.save()
    return True


def release_link(*, link: PmsLink, owner: str) -> None:
    """The link process stops: the link is down until another one claims it."""
    LinkState.objects.filter(link=link, owner=owner).update(
        owner="", state=LinkState.State.DOWN, since=timezone.now(), heartbeat_at=None
    )


def next_posting_to_send(*, hotel: Hotel) -> Posting | None:
    """The oldest queued posting that is due. FIAS sends one at a time (spec p.85)."""
    return (
        Posting.objects.filter(hotel=hotel, state=Posting.State.QUEUED, next_attempt_at__lte=timezone.now())
        .select_related("posting_outlet__outlet", "hotel")
        .order_by("next_attempt_at", "id")
        .first()
    )


def choose_guest(*, posting_id: int, guests: list[InHouseGuest]) -> Posting:
    """Settle whom a queued posting goes to, from the PMS's guest list just before it is sent.

    A charge taken offline names only the room: it goes to the one guest in it, if
    there is one (sharers: the front desk chooses). The PMS's spelling of the name is kept.
    """
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting_id)
        if posting.state != Posting.State.QUEUED:
            return posting
        if posting.guest_id:
            known = next((guest for guest in guests if guest.guest_id == posting.guest_id), None)
            if known is not None and not posting.guest_name:
                posting.guest_name = known.name[:120]
                posting.save(update_fields=["guest_name"])
            return posting
        in_room = [guest for guest in guests if guest.room == posting.room]
        if len(in_room) != 1:
            text = (
                _("Nobody is in room %(room)s.")
                if not in_room
                else _("%(count)s guests share room %(room)s: choose one.")
            ) % {"room": posting.room, "count": len(in_room)}
            return refuse_unsent(posting_id=posting.pk, answer=Answer(code="NG", text=text))
        posting.guest_id, posting.guest_name = in_room[0].guest_id, in_room[0].name[:120]
        posting.save(update_fields=["guest_id", "guest_name"])
        record_audit(actor=None, action="posting_guest_chosen", subject=posting, details={"guest": posting.guest_id})
    return posting


def refuse_unsent(*, posting_id: int, answer: Answer) -> Posting:
    """The PMS refused the charge before it was sent (the inquiry found no such guest now)."""
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting_id)
        if posting.state != Posting.State.QUEUED:
            return posting
        if answer.code in RETRY_CODES:
            posting.next_attempt_at = timezone.now() + datetime.timedelta(seconds=_retry_delay(posting))
            posting.answer_text = (answer.text or str(ANSWER_TEXTS[answer.code]))[:200]
            posting.save(update_fields=["next_attempt_at", "answer_text"])
            return posting
        _record_state(posting, Posting.State.REJECTED, note=f"{answer.code} {answer.text}")
        posting.answer_code = answer.code[:4]
        posting.answer_text = (answer.text or str(ANSWER_TEXTS.get(answer.code, answer.code)))[:200]
        posting.answered_at = timezone.now()
        posting.save(update_fields=["state", "answer_code", "answer_text", "answered_at"])
        charge_rejected.send(sender=Posting, posting=posting, by=None)
    return posting


def refuse_waiting_at_the_table(*, hotel: Hotel, older_than: datetime.timedelta) -> int:
    """Charges a guest waits for at the table (not accepted offline) that the link could not send in time.

    The outlet's rule for an unreachable PMS decides, as at the table: refused, or taken on
    the house's word and left in the queue until the PMS is back (`accept_offline`).
    """
    cutoff = timezone.now() - older_than
    waiting = Posting.objects.filter(
        hotel=hotel, state=Posting.State.QUEUED, accepted_offline=False, created_at__lt=cutoff
    ).select_related("posting_outlet")
    count = 0
    for posting in waiting:
        if posting.posting_outlet.when_unreachable == PostingOutlet.WhenUnreachable.QUEUE:
            accept_offline(posting_id=posting.pk)
        else:
            _not_sent(posting, _("The hotel system cannot be reached."))
        count += 1
    return count


def accept_offline(*, posting_id: int) -> Posting:
    """A queued charge the PMS could not take in time, at an outlet that accepts charges offline:
    it stays queued (posted when the PMS is back) and the house's word settles the check now."""
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting_id)
        if posting.state != Posting.State.QUEUED or posting.accepted_offline:
            return posting
        posting.accepted_offline = True
        posting.answer_text = str(_("The hotel system cannot be reached: posted when it is back."))[:200]
        posting.save(update_fields=["accepted_offline", "answer_text"])
        charge_accepted_offline.send(sender=Posting, posting=posting)
    return posting


def ask_for_guests(*, link: PmsLink, room: str = "", name: str = "", workstation: str = "") -> GuestInquiry:
    """Leave a guest lookup for the link's process (committed at once, so that process sees it)."""
    return GuestInquiry.objects.create(link=link, room=room[:10], name=name[:60], workstation=workstation[:16])


def next_inquiry(*, link: PmsLink, newer_than: datetime.timedelta) -> GuestInquiry | None:
    """The oldest lookup still wanted; older ones were given up by whoever asked."""
    cutoff = timezone.now() - newer_than
    # Called several times a second: write only when there is something to expire.
    stale = GuestInquiry.objects.filter(link=link, state=GuestInquiry.State.PENDING, created_at__lt=cutoff)
    if stale.exists():
        stale.update(state=GuestInquiry.State.FAILED, error="expired", answered_at=timezone.now())
    return GuestInquiry.objects.filter(link=link, state=GuestInquiry.State.PENDING).order_by("id").first()


def answer_inquiry(*, inquiry_id: int, guests: list[InHouseGuest] | None, error: str = "") -> None:
    """Write the PMS's guest list (or why there is none) back for the web process that waits."""
    GuestInquiry.objects.filter(pk=inquiry_id, state=GuestInquiry.State.PENDING).update(
        state=GuestInquiry.State.ANSWERED if guests is not None else GuestInquiry.State.FAILED,
        guests=[guest.as_dict() for guest in guests or []],
        error=error[:200],
        answered_at=timezone.now(),
    )


# The front desk's fixes -------------------------------------------------------


def _require_front_desk(person: User) -> None:
    if not person.has_role(*FRONT_DESK_ROLES):
        raise PermissionDenied(_("Only the front desk or a manager can change room-charge postings."))


def _lock_for_fix(posting: Posting, *, checked_folio: bool) -> Posting:
    posting = Posting.objects.select_for_update().select_related("hotel", "posting_outlet").get(pk=posting.pk)
    if posting.state == Posting.State.UNKNOWN and not checked_folio:
        raise ValidationError(
            {"checked_folio": _("This posting may be on the folio: check the PMS folio first, then confirm.")}
        )
    return posting


def retry_posting(*, posting: Posting, by: User, checked_folio: bool = False) -> Posting:
    """Send a rejected posting again (or an unknown one that is not on the folio)."""
    _require_front_desk(by)
    with transaction.atomic():
        posting = _lock_for_fix(posting, checked_folio=checked_folio)
        if posting.state not in (Posting.State.REJECTED, Posting.State.UNKNOWN):
            raise ValidationError({"posting": _("Only a rejected or unanswered posting can be retried.")})
        _record_state(posting, Posting.State.QUEUED, by=by, note="retry")
        posting.next_attempt_at = timezone.now()
        # The guest may still be at the front desk: the usual "stop after a few retries" does not apply.
        posting.accepted_offline = True
        posting.save(update_fields=["state", "next_attempt_at", "accepted_offline"])
        record_audit(actor=by, action="posting_retried", subject=posting, details={"room": posting.room})
        dispatch_posting(posting=posting)
    posting.refresh_from_db()
    return posting


def redirect_posting(
    *, posting: Posting, room: str, guest_id: str, by: User, checked_folio: bool = False, override: bool = False
) -> Posting:
    """Post the same charge to another guest or room instead; the old posting is cancelled. Returns the new one."""
    _require_front_desk(by)
    if override and not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager can post to a guest the hotel has blocked or capped."))
    guest = vet_guest(
        posting_outlet=posting.posting_outlet, room=room, guest_id=guest_id, amount=posting.amount, override=override
    )
    with transaction.atomic():
        old = _lock_for_fix(posting, checked_folio=checked_folio)
        if old.state not in (Posting.State.REJECTED, Posting.State.UNKNOWN, Posting.State.QUEUED):
            raise ValidationError({"posting": _("This posting is posted or already replaced.")})
        _record_state(old, Posting.State.CANCELLED, by=by, note=f"to room {room}")
        old.save(update_fields=["state"])
        new = Posting.objects.get(pk=old.pk)
        new.pk = None
        new.key = f"{old.key}>{old.pk}"
        new.state = Posting.State.QUEUED
        new.room = room.strip()
        new.guest_id = str(guest_id)
        new.guest_name = guest.name if guest else ""
        new.credit_override = override
        new.accepted_offline = True
        new.replaces = old
        new.sequence = None
        new.attempts = 0
        new.answer_code = new.answer_text = new.pms_reference = ""
        new.sent_at = new.answered_at = new.posted_at = None
        new.next_attempt_at = timezone.now()
        new.save(force_insert=True)
        PostingStateChange.objects.create(posting=new, from_state="", to_state=Posting.State.QUEUED, by=by)
        record_audit(
            actor=by,
            action="posting_redirected",
            subject=new,
            details={"from_room": old.room, "from_guest": old.guest_id, "room": new.room, "guest": new.guest_id},
        )
        posting_redirected.send(sender=Posting, old=old, new=new, by=by)
        dispatch_posting(posting=new)
    new.refresh_from_db()
    return new


def withdraw_posting(*, posting: Posting, by: User, reason: str, checked_folio: bool = False) -> Posting:
    """Take a charge off the PMS's way: the check is settled by another tender (billing reopens it)."""
    _require_front_desk(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the charge is settled another way.")})
    with transaction.atomic():
        posting = _lock_for_fix(posting, checked_folio=checked_folio)
        if posting.state not in (Posting.State.REJECTED, Posting.State.UNKNOWN, Posting.State.QUEUED):
            raise ValidationError({"posting": _("Only a queued, rejected or unanswered posting can be withdrawn.")})
        _record_state(posting, Posting.State.CANCELLED, by=by, note=reason)
        posting.save(update_fields=["state"])
        record_audit(actor=by, action="posting_withdrawn", subject=posting, details={"reason": reason[:200]})
        posting_withdrawn.send(sender=Posting, posting=posting, by=by, reason=reason)
    return posting


def confirm_posted(*, posting: Posting, by: User, note: str = "") -> Posting:
    """The front desk found an unanswered charge on the guest's folio: it counts as posted."""
    _require_front_desk(by)
    if posting.state != Posting.State.UNKNOWN:
        raise ValidationError({"posting": _("Only an unanswered posting can be confirmed from the folio.")})
    record_audit(actor=by, action="posting_reconciled", subject=posting, details={"note": note[:200]})
    return record_answer(posting_id=posting.pk, answer=Answer(code="OK", text=note or "found on the folio"), by=by)


def reconcile_unknown(*, posting: Posting) -> Posting:
    """Ask the PMS whether an unanswered charge reached the folio; settle it if the PMS can tell."""
    link = link_of(posting.hotel)
    try:
        answer = adapter_for(link).find_posted(link, posting)
    except PmsUnreachable:
        return posting
    if answer is None or posting.state != Posting.State.UNKNOWN:
        return posting
    if answer.code == "OK":
        return record_answer(posting_id=posting.pk, answer=answer)
    # Surely not on the folio: back in the queue, with the same charge, exactly once.
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting.pk)
        if posting.state != Posting.State.UNKNOWN:
            return posting
        _record_state(posting, Posting.State.QUEUED, note="not on the folio")
        posting.next_attempt_at = timezone.now()
        posting.save(update_fields=["state", "next_attempt_at"])
        dispatch_posting(posting=posting)
    return posting


# The built-in ledger's front desk -------------------------------------------------


def check_in_guest(
    *,
    hotel: Hotel,
    room_number: str,
    guest_name: str,
    departure: datetime.date,
    by: User,
    arrival: datetime.date | None = None,
    allow_postings: bool = True,
    credit_limit: int | None = None,
) -> GuestStay:
    """Check a guest in on the built-in ledger. Several guests may share a room."""
    _require_front_desk(by)
    arrival = arrival or timezone.localdate()
    if not (guest_name or "").strip():
        raise ValidationError({"guest_name": _("Enter the guest's name.")})
    if departure <= arrival:
        raise ValidationError({"departure": _("Departure must be after arrival.")})
    if credit_limit is not None and credit_limit < 0:
        raise ValidationError({"credit_limit": _("A credit limit is 0 or more.")})
    room = Room.objects.filter(hotel=hotel, number=(room_number or "").strip()).first()
    if room is None:
        raise ValidationError({"room": _("There is no room %(room)s.") % {"room": room_number}})
    with transaction.atomic():
        stay = GuestStay.objects.create(
            room=room,
            guest_name=guest_name.strip()[:120],
            arrival=arrival,
            departure=departure,
            status=GuestStay.Status.IN_HOUSE,
            allow_postings=allow_postings,
            credit_limit=credit_limit,
        )
        record_audit(actor=by, action="guest_checked_in", subject=stay, details={"room": room.number})
    return stay


def update_stay(*, stay: GuestStay, by: User, allow_postings: bool, credit_limit: int | None) -> GuestStay:
    """Change a stay's no-post flag or credit limit."""
    _require_front_desk(by)
    if credit_limit is not None and credit_limit < 0:
        raise ValidationError({"credit_limit": _("A credit limit is 0 or more.")})
    with transaction.atomic():
        stay = GuestStay.objects.select_for_update().get(pk=stay.pk)
        record_audit(
            actor=by,
            action="stay_changed",
            subject=stay,
            details={
                "allow_postings": [stay.allow_postings, allow_postings],
                "credit_limit": [stay.credit_limit, credit_limit],
            },
        )
        stay.allow_postings = allow_postings
        stay.credit_limit = credit_limit
        stay.save(update_fields=["allow_postings", "credit_limit"])
    return stay


def check_out_guest(*, stay: GuestStay, by: User) -> GuestStay:
    """Check a guest out: from now on charges to their room are refused. The folio stays, to print."""
    _require_front_desk(by)
    with transaction.atomic():
        stay = GuestStay.objects.select_for_update().get(pk=stay.pk)
        if stay.status != GuestStay.Status.IN_HOUSE:
            raise ValidationError({"stay": _("This guest is not in house.")})
        stay.status = GuestStay.Status.CHECKED_OUT
        stay.departure = max(timezone.localdate(), stay.arrival + datetime.timedelta(days=1))
        stay.save(update_fields=["status", "departure"])
        record_audit(actor=by, action="guest_checked_out", subject=stay, details={"balance": folio_balance(stay)})
    return stay
