"""The built-in ledger: the hotel's folios kept in our own database.

For a small hotel with no PMS, and for the demo. The front desk checks guests in and
out (`services.check_in_guest`, `services.check_out_guest`); room charges land on
the stay's folio as `FolioEntry` rows in the same transaction as the posting's
answer, so a charge is posted exactly once or not at all.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, Sum

from pms_integration.interfaces import Answer, InHouseGuest
from pms_integration.models import FolioEntry, GuestStay, PmsLink, Posting


def folio_balance(stay: GuestStay) -> int:
    return stay.folio.aggregate(total=Sum("amount"))["total"] or 0


def _as_guest(stay: GuestStay, balance: int) -> InHouseGuest:
    return InHouseGuest(
        room=stay.room.number,
        guest_id=str(stay.pk),
        name=stay.guest_name,
        allow_postings=stay.allow_postings,
        credit_left=None if stay.credit_limit is None else stay.credit_limit - balance,
        departure=stay.departure.isoformat(),
    )


class LedgerAdapter:
    overrides_no_post = True  # our own folios: a manager may allow a no-post guest

    def find_guests(self, link: PmsLink, *, room: str = "", name: str = "") -> list[InHouseGuest]:
        stays = (
            GuestStay.objects.filter(room__hotel_id=link.hotel_id, status=GuestStay.Status.IN_HOUSE)
            .select_related("room")
            .annotate(balance=Sum("folio__amount"))
            .order_by("room__number", "guest_name")
        )
        if room:
            stays = stays.filter(room__number__iexact=room.strip())
        if name:
            stays = stays.filter(Q(guest_name__icontains=name.strip()))
        return [_as_guest(stay, stay.balance or 0) for stay in stays]

    def is_reachable(self, link: PmsLink) -> bool:
        return True

    def post(self, link: PmsLink, posting: Posting) -> Answer:
        with transaction.atomic():
            return self._post(link, posting)

    def _post(self, link: PmsLink, posting: Posting) -> Answer:
        # The guest is looked up again right here, under a lock: a check-out a second
        # ago, or a second charge racing this one towards the credit limit, is seen.
        stay = (
            GuestStay.objects.select_for_update()
            .select_related("room")
            .filter(pk=posting.guest_id if posting.guest_id.isdigit() else None, room__hotel_id=link.hotel_id)
            .first()
        )
        if stay is None or stay.status != GuestStay.Status.IN_HOUSE or stay.room.number != posting.room:
            return Answer(code="NG")
        if not stay.allow_postings and not posting.credit_override:
            return Answer(code="NP")
        over_limit = stay.credit_limit is not None and folio_balance(stay) + posting.amount > stay.credit_limit
        if over_limit and not posting.credit_override:
            return Answer(code="CO")
        entry = FolioEntry.objects.create(
            stay=stay,
            posting=posting,
            text=f"{posting.posting_outlet.outlet.name} #{posting.check_number}"[:120],
            amount=posting.amount,
        )
        return Answer(code="OK", reference=f"folio-{entry.pk}")

    def find_posted(self, link: PmsLink, posting: Posting) -> Answer:
        entry = FolioEntry.objects.filter(posting=posting).first()
        if entry is not None:
            return Answer(code="OK", reference=f"folio-{entry.pk}")
        return Answer(code="NG", text="Not on the folio.")
