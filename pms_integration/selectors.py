"""Reads for the front desk: the postings of a day, the links' state, the guests and their folios."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from pms_integration.models import FolioEntry, GuestStay, Hotel, LinkState, PmsLink, Posting

# Problems first: what the front desk must act on, then what is still moving, then the rest.
_URGENCY = Case(
    When(state=Posting.State.REJECTED, then=Value(0)),
    When(state=Posting.State.UNKNOWN, then=Value(0)),
    When(state__in=[Posting.State.QUEUED, Posting.State.SENT], then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def postings_for_front_desk(
    *, business_date: datetime.date, outlet_id: int | None = None, room: str = ""
) -> QuerySet[Posting]:
    """Every posting of the business day, plus any older one still needing a person; problems first."""
    needs_a_person = Q(state__in=[Posting.State.REJECTED, Posting.State.UNKNOWN]) | Q(
        state=Posting.State.QUEUED, accepted_offline=True
    )
    postings = (
        Posting.objects.filter(Q(business_date=business_date) | needs_a_person)
        .select_related("posting_outlet__outlet", "hotel", "payment__guest_check")
        .annotate(urgency=_URGENCY)
        .order_by("urgency", "-created_at", "-id")
    )
    if outlet_id:
        postings = postings.filter(posting_outlet__outlet_id=outlet_id)
    if room:
        postings = postings.filter(room__iexact=room.strip())
    return postings


def link_reports() -> list[dict]:
    """Per hotel: the link's state as its process last wrote it, and how many postings wait."""
    hotels = Hotel.objects.select_related("pms_link__state").annotate(
        waiting=Count("postings", filter=Q(postings__state__in=[Posting.State.QUEUED, Posting.State.SENT])),
        problems=Count("postings", filter=Q(postings__state__in=[Posting.State.REJECTED, Posting.State.UNKNOWN])),
    )
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.PMS_LINK_LEASE)  # a link process silent this long is gone
    reports = []
    for hotel in hotels:
        link: PmsLink | None = getattr(hotel, "pms_link", None)
        interface = link.interface if link else PmsLink._meta.get_field("interface").default
        state: LinkState | None = getattr(link, "state", None) if link else None
        if interface == "ledger":
            status, since = LinkState.State.UP, None
        elif state is None:
            status, since = LinkState.State.DOWN, None
        else:
            # Derived from the heartbeat's age: a process killed mid-word cannot write "down".
            stale = state.heartbeat_at is None or now - state.heartbeat_at >= lease
            status = LinkState.State.DOWN if stale else state.state
            since = state.since if not stale else state.heartbeat_at
        alarm_at = link.queue_alarm if link else 5
        reports.append(
            {
                "hotel": hotel,
                "interface": interface,
                "state": status,
                "since": since,
                "last_answer_at": state.last_answer_at if state else None,
                "last_error": state.last_error if state else "",
                "queue": hotel.waiting,
                "problems": hotel.problems,
                "alarm": hotel.waiting >= alarm_at or (status != LinkState.State.UP and hotel.waiting > 0),
            }
        )
    return reports


def in_house_stays(*, hotel: Hotel | None = None) -> QuerySet[GuestStay]:
    """Guests in house with their folio balance, by room."""
    stays = GuestStay.objects.filter(status=GuestStay.Status.IN_HOUSE).select_related("room__hotel")
    if hotel is not None:
        stays = stays.filter(room__hotel=hotel)
    return stays.annotate(balance=Sum("folio__amount")).order_by("room__number", "guest_name")


def folio_of(stay: GuestStay) -> tuple[list[FolioEntry], int]:
    """A stay's folio lines and total, for the screen and the printed folio."""
    entries = list(stay.folio.select_related("posting__posting_outlet__outlet"))
    return entries, sum(entry.amount for entry in entries)


def front_desk_date() -> datetime.date:
    """The business day the front desk opens on: the latest one with postings, unless that is long past.

    After midnight the restaurant's business day is still yesterday's (billing decides where it ends);
    the postings carry it, so the page follows them rather than the calendar.
    """
    today = timezone.localdate()
    latest = Posting.objects.aggregate(latest=Max("business_date"))["latest"]
    return latest if latest and today - datetime.timedelta(days=1) <= latest <= today else today
