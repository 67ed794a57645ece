"""The small, PMS-neutral contract every property-management adapter fulfils.

Billing never sees an adapter: it asks `pms_integration.services` for the guests of
a room and to post a charge. The services pick the adapter of the hotel's
`PmsLink` from `services.ADAPTERS` and speak to it in the terms below. To add Mews,
Apaleo or protel, write a class with these four methods (a module of its own),
add its dotted path to `ADAPTERS` and a choice to `Interface`; nothing above this
app changes. The tests of the three adapters here show what each must survive.

An adapter that talks to the PMS from the web process (the built-in ledger, a REST
API) answers `post` at once. One whose link is owned by a separate process (FIAS)
returns `None` from `post`: the posting stays in the outbox and that process
records the answer through `services.record_answer`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from pms_integration.models import PmsLink, Posting


class PmsUnreachable(Exception):
    """The PMS cannot be asked now (link down, night audit, no network). Nothing was posted."""

    def __init__(self, message: str = ""):
        super().__init__(message or str(_("The hotel system cannot be reached.")))
        self.message = message or str(_("The hotel system cannot be reached."))


@dataclass(frozen=True, kw_only=True)
class InHouseGuest:
    """A guest folio that can be charged now, as the PMS describes it."""

    room: str
    guest_id: str  # FIAS G#, OPERA reservation id, our GuestStay id
    name: str
    allow_postings: bool = True
    credit_left: int | None = None  # cents still allowed on the folio; None: no limit
    departure: str = ""  # ISO date when the PMS tells it

    def as_dict(self) -> dict:
        return {
            "room": self.room,
            "guest_id": self.guest_id,
            "name": self.name,
            "allow_postings": self.allow_postings,
            "credit_left": self.credit_left,
            "departure": self.departure,
        }


@dataclass(frozen=True, kw_only=True)
class RevenueSplit:
    """One menu category at one tax rate on the check being posted."""

    category: str
    tax_percent: Decimal
    amount: int  # the items, tax included when the outlet's prices include it
    discount: int = 0  # positive: line and check discounts on these items
    tax: int = 0  # the VAT in (or on top of) amount - discount

    def as_dict(self) -> dict:
        return {
            "category": self.category,
            "tax_percent": str(self.tax_percent),
            "amount": self.amount,
            "discount": self.discount,
            "tax": self.tax,
        }


@dataclass(frozen=True, kw_only=True)
class ChargeRequest:
    """Everything a PMS may want to know about one room charge."""

    key: str  # the caller's idempotency key: one posting per key, ever
    room: str
    guest_id: str
    guest_name: str
    amount: int  # what goes on the folio, tip included
    tip: int
    service_charge: int
    revenue: tuple[RevenueSplit, ...]
    taxes_included: bool
    check_number: int
    business_date: datetime.date
    check_text: str = ""
    covers: int = 0
    table: str = ""
    waiter: str = ""
    waiter_code: str = ""
    workstation: str = ""
    credit_override: bool = False


@dataclass(frozen=True, kw_only=True)
class Answer:
    """The PMS's word on one posting, in FIAS's answer-status vocabulary (which OPERA maps onto)."""

    code: str  # OK, NG, NP, CO, DM, IA, FX, DN, NA, RY, UR
    text: str = ""
    reference: str = ""  # the PMS's own id of the posting, when it gives one


# Answers that mean "not posted now, but try again" (night audit, busy); all others but OK are final.
RETRY_CODES = frozenset({"NA", "RY"})
ANSWER_TEXTS = {
    "OK": _("Posted."),
    "NG": _("No such guest in that room."),
    "NP": _("This guest may not charge to the room."),
    "CO": _("Over the guest's credit limit."),
    "DM": _("The totals did not add up."),
    "IA": _("Invalid account."),
    "FX": _("This guest may not use this."),
    "DN": _("The hotel system refused the charge."),
    "NA": _("Night audit is running; the charge will be posted after it."),
    "RY": _("The hotel system asked to try again."),
    "UR": _("The hotel system cannot process this charge."),
}


@dataclass
class LinkReport:
    """What the front desk sees of the link."""

    state: str
    since: str | None = None
    last_answer_at: str | None = None
    last_error: str = ""
    queue: int = 0
    alarm: bool = False
    extra: dict = field(default_factory=dict)


class PmsAdapter(Protocol):
    # Whether a manager's override lets a no-post guest charge (sent with the override flag).
    overrides_no_post: bool

    def find_guests(self, link: PmsLink, *, room: str = "", name: str = "") -> list[InHouseGuest]:
        """In-house guests by room number (sharers too) or by name. Raises PmsUnreachable."""

    def is_reachable(self, link: PmsLink) -> bool:
        """Whether a posting sent now would be answered (link up, no night audit)."""

    def post(self, link: PmsLink, posting: Posting) -> Answer | None:
        """Post one charge. `None`: the link process will answer later. Raises PmsUnreachable
        when nothing left this process; any other exception after sending makes the posting unknown."""

    def find_posted(self, link: PmsLink, posting: Posting) -> Answer | None:
        """After a lost answer: look the charge up on the folio (by check number).
        `Answer("OK")` if it is there, an answer with another code if it is surely not, None if the PMS cannot tell."""
