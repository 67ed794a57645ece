"""What the web processes see of a FIAS PMS: the link's state, and lookups through the outbox.

They never open the socket (the link process owns it): a lookup is a `GuestInquiry`
row that the link process answers, and a posting waits in the outbox (`post` returns
None). FIAS cannot look a charge up on a folio, so `find_posted` cannot tell: an
unknown posting waits for the front desk.
"""

from __future__ import annotations

import time

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from pms_integration import services
from pms_integration.interfaces import Answer, InHouseGuest, PmsUnreachable
from pms_integration.models import GuestInquiry, LinkState, PmsLink, Posting

WAIT_STEP = 0.05  # seconds between looks at the inquiry row


class FiasAdapter:
    overrides_no_post = False  # FIAS has no field to override a no-post guest (CO=Y is for the credit limit)

    def is_reachable(self, link: PmsLink) -> bool:
        state = LinkState.objects.filter(link=link).first()
        if state is None or state.state != LinkState.State.UP or state.heartbeat_at is None:
            return False
        return timezone.now() - state.heartbeat_at < services.owner_lease()

    def find_guests(self, link: PmsLink, *, room: str = "", name: str = "") -> list[InHouseGuest]:
        if not self.is_reachable(link):
            raise PmsUnreachable()
        if connection.in_atomic_block:
            # The link process could not see an uncommitted inquiry: it would time out.
            raise RuntimeError("FIAS guest lookups must be made outside a transaction.")
        inquiry = services.ask_for_guests(link=link, room=room, name=name)
        deadline = time.monotonic() + link.inquiry_timeout
        while time.monotonic() < deadline:
            inquiry.refresh_from_db(fields=["state", "guests", "error"])
            if inquiry.state == GuestInquiry.State.ANSWERED:
                return [InHouseGuest(**guest) for guest in inquiry.guests]
            if inquiry.state == GuestInquiry.State.FAILED:
                raise PmsUnreachable(inquiry.error if inquiry.error not in ("", "expired", "link down") else "")
            time.sleep(WAIT_STEP)
        GuestInquiry.objects.filter(pk=inquiry.pk, state=GuestInquiry.State.PENDING).update(
            state=GuestInquiry.State.FAILED, error="expired", answered_at=timezone.now()
        )
        raise PmsUnreachable(_("The hotel system did not answer in time."))

    def post(self, link: PmsLink, posting: Posting) -> Answer | None:
        return None  # the link process sends it from the outbox

    def find_posted(self, link: PmsLink, posting: Posting) -> Answer | None:
        return None  # FIAS has no folio lookup for the POS
