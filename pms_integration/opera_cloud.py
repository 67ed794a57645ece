"""OPERA Cloud (Oracle Hospitality Integration Platform, REST): lookups and `postBillingCharges`.

Three calls, as `../shared/specs/opera-cloud/` describes them: an OAuth token
(`oauth.json`, getToken, client credentials), the in-house guests of a room
(`rsv.json`, getHotelReservations with searchType=InHouse) and the charges to a
reservation (`csh.json`, postBillingCharges), one charge per transaction code.

OPERA has no idempotency key: a posting whose answer was lost is looked up by its
check number and our reference (`find_posted`) before it may go again, never resent
blindly. Only failures that surely sent nothing (no connection, a refused token)
count as "not sent".
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict
from decimal import Decimal

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.exceptions import MaxRetryError, NewConnectionError

from pms_integration.interfaces import Answer, InHouseGuest, PmsUnreachable
from pms_integration.models import PmsLink, Posting, PostingOutlet

CONNECT_TIMEOUT = 5.0
# Renew a token this long before OPERA says it expires.
TOKEN_MARGIN = 60.0
_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


class OperaCloudError(Exception):
    """OPERA answered in a way that does not say whether the charge was posted (5xx, garbage)."""


def _not_sent(error: requests.RequestException) -> bool:
    """Whether a failed request surely never reached OPERA (so it may be sent again)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError) and error.args:
        reason = error.args[0]
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        return isinstance(reason, NewConnectionError)
    return False


def _reference(posting: Posting) -> str:
    # Ours alone: the read-back tells our postings apart from any other on the folio.
    return f"Tafel {posting.key}"[:2000]


def charges_for(*, posting: Posting, setup: PostingOutlet, currency: str) -> list[dict]:
    """One charge per transaction code: the revenue by route (discounts netted), the tip, the service charge."""
    routes = {route.category.casefold(): route.transaction_code for route in setup.revenue_routes.all()}
    default_code = routes.get("") or next(iter(routes.values()), "")
    totals: dict[str, int] = defaultdict(int)
    for split in posting.revenue:
        code = routes.get(str(split["category"]).casefold()) or default_code
        totals[code] += int(split["amount"]) - int(split["discount"])
        if not posting.taxes_included:
            totals[code] += int(split["tax"])
    if posting.tip:
        totals[setup.tip_code or default_code] += posting.tip
    if posting.service_charge:
        totals[setup.service_charge_code or default_code] += posting.service_charge
    if sum(totals.values()) != posting.amount:
        raise ValueError(f"posting {posting.pk}: charges add up to {sum(totals.values())}, not {posting.amount}")
    return [
        {
            "transactionCode": code,
            "price": {"amount": Decimal(amount).scaleb(-settings.CURRENCY_DECIMALS), "currencyCode": currency},
            "postingQuantity": 1,
            "checkNumber": str(posting.check_number),
            "postingReference": _reference(posting),
            "postingRemark": f"{setup.outlet.name} {posting.table}".strip()[:2000],
            **({"covers": str(posting.covers)} if posting.covers else {}),
        }
        for code, amount in totals.items()
        if amount
    ]


class OperaCloudAdapter:
    """The PmsAdapter for OPERA Cloud. Posts from the web process or a worker, answers at once."""

    overrides_no_post = True  # sent as any other charge; OPERA Cloud decides

    def __init__(self, session: requests.Session | None = None):
        self.session = session or requests.Session()

    # ---- the token -------------------------------------------------------------------------

    def _token(self, *, renew: bool = False) -> str:
        base, client = settings.OPERA_CLOUD_URL.rstrip("/"), settings.OPERA_CLOUD_CLIENT_ID
        if not base or not client:
            raise PmsUnreachable(_("OPERA Cloud is not configured (OPERA_CLOUD_URL, OPERA_CLOUD_CLIENT_ID)."))
        with _tokens_lock:
            cached = _tokens.get((base, client))
            if cached and not renew and cached[1] > time.monotonic():
                return cached[0]
            data = {"grant_type": "client_credentials"}
            if settings.OPERA_CLOUD_SCOPE:
                data["scope"] = settings.OPERA_CLOUD_SCOPE
            try:
                answer = self.session.post(
                    f"{base}/oauth/v1/tokens",
                    data=data,
                    auth=(client, settings.OPERA_CLOUD_CLIENT_SECRET),
                    headers={"x-app-key": settings.OPERA_CLOUD_APP_KEY, "Accept": "application/json"},
                    timeout=(CONNECT_TIMEOUT, settings.OPERA_CLOUD_TIMEOUT),
                )
            except requests.RequestException as error:
                raise PmsUnreachable(_("OPERA Cloud cannot be reached: %(error)s") % {"error": error}) from error
            if answer.status_code != 200:
                raise PmsUnreachable(
                    _("OPERA Cloud refused our credentials (%(status)s).") % {"status": answer.status_code}
                )
            body = answer.json()
            lifetime = float(body.get("expires_in") or 3600)
            _tokens[(base, client)] = (body["access_token"], time.monotonic() + max(lifetime - TOKEN_MARGIN, 1))
            return body["access_token"]

    def _request(self, method: str, link: PmsLink, path: str, **kwargs) -> requests.Response:
        """One call with a valid token; a 401 renews the token once (nothing was done with it)."""
        if not link.opera_hotel_id:
            raise PmsUnreachable(_("The hotel's OPERA id is not set on its PMS link."))
        url = f"{settings.OPERA_CLOUD_URL.rstrip('/')}{path}"
        extra_headers = kwargs.pop("headers", {})
        for attempt in range(2):
            headers = {
                "Authorization": f"Bearer {self._token(renew=attempt > 0)}",
                "x-app-key": settings.OPERA_CLOUD_APP_KEY,
                "x-hotelid": link.opera_hotel_id,
                "x-request-id": str(uuid.uuid4()),
                "Accept": "application/json",
                **extra_headers,
            }
            answer = self.session.request(
                method, url, headers=headers, timeout=(CONNECT_TIMEOUT, settings.OPERA_CLOUD_TIMEOUT), **kwargs
            )
            if answer.status_code != 401:
                return answer
        raise PmsUnreachable(_("OPERA Cloud refused our token."))

    # ---- PmsAdapter --------------------------------------------------------------------------

    def is_reachable(self, link: PmsLink) -> bool:
        return bool(settings.OPERA_CLOUD_URL and link.opera_hotel_id)

    def find_guests(self, link: PmsLink, *, room: str = "", name: str = "") -> list[InHouseGuest]:
        params = {"searchType": "InHouse", "limit": 20}
        if room:
            params["roomId"] = room
        else:
            params["surname"] = name
        try:
            answer = self._request("GET", link, f"/rsv/v1/hotels/{link.opera_hotel_id}/reservations", params=params)
        except requests.RequestException as error:
            raise PmsUnreachable(_("OPERA Cloud cannot be reached: %(error)s") % {"error": error}) from error
        if answer.status_code != 200:
            raise PmsUnreachable(
                _("OPERA Cloud did not list the guests (%(status)s).") % {"status": answer.status_code}
            )
        return [
            guest
            for info in answer.json().get("reservations", {}).get("reservationInfo", [])
            if (guest := _guest(info))
        ]

    def post(self, link: PmsLink, posting: Posting) -> Answer | None:
        setup = PostingOutlet.objects.select_related("outlet").get(pk=posting.posting_outlet_id)
        body = {
            "criteria": {
                "hotelId": link.opera_hotel_id,
                "reservationId": {"type": "Reservation", "id": posting.guest_id},
                "charges": charges_for(posting=posting, setup=setup, currency=settings.CURRENCY),
            }
        }
        path = f"/csh/v1/hotels/{link.opera_hotel_id}/reservations/{posting.guest_id}/charges"
        try:
            answer = self._request(
                "POST", link, path, data=json_text(body), headers={"Content-Type": "application/json"}
            )
        except requests.RequestException as error:
            if _not_sent(error):
                raise PmsUnreachable(_("OPERA Cloud cannot be reached: %(error)s") % {"error": error}) from error
            raise  # sent, no answer: the posting becomes unknown and is reconciled
        if answer.status_code in (200, 201):
            return Answer(code="OK", reference=answer.headers.get("Location", "")[-80:])
        if answer.status_code >= 500:
            raise OperaCloudError(f"OPERA Cloud answered {answer.status_code}")
        code = "NG" if answer.status_code == 404 else "DN"
        return Answer(code=code, text=_error_text(answer))

    def find_posted(self, link: PmsLink, posting: Posting) -> Answer | None:
        # getFolio with its postings (csh.json): what is on the reservation's folio windows now.
        path = f"/csh/v1/hotels/{link.opera_hotel_id}/reservations/{posting.guest_id}/folios"
        try:
            answer = self._request("GET", link, path, params={"fetchInstructions": "Postings"})
        except (requests.RequestException, PmsUnreachable):
            return None
        if answer.status_code != 200:
            return None
        reference = _reference(posting)
        for charge in _folio_postings(answer.json()):
            if charge.get("checkNo") == str(posting.check_number) and charge.get("reference") == reference:
                return Answer(code="OK", text=_("Found on the folio."))
        return Answer(code="NF", text=_("Not on the folio."))


def json_text(body: object) -> str:
    """JSON with Decimal amounts written as exact numbers ("78.50"): money never passes through a float."""
    literals: dict[str, str] = {}

    def swap(value: object) -> object:
        if isinstance(value, Decimal):
            key = f"__decimal_{len(literals)}__"
            literals[key] = format(value, "f")
            return key
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    text = json.dumps(swap(body))
    for key, literal in literals.items():
        text = text.replace(f'"{key}"', literal)
    return text


def _guest(info: dict) -> InHouseGuest | None:
    ids = [item.get("id") for item in info.get("reservationIdList", []) if item.get("type") == "Reservation"]
    if not ids:
        return None
    guest = info.get("reservationGuest", {})
    name = guest.get("fullName") or " ".join(filter(None, [guest.get("givenName"), guest.get("surname")]))
    privileges = info.get("cashiering", {}).get("billingPrivileges", {})
    stay = info.get("roomStay", {})
    return InHouseGuest(
        room=str(stay.get("roomId", "")),
        guest_id=str(ids[0]),
        name=name,
        allow_postings=not privileges.get("postingRestriction", False),
        departure=str(stay.get("departureDate", ""))[:10],
    )


def _error_text(answer: requests.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}"
    return str(body.get("detail") or body.get("title") or f"HTTP {answer.status_code}")[:200]


def _folio_postings(body: dict) -> list[dict]:
    """Every posting on a getFolio answer: reservationFolioInformation.folioWindows[].folios[].postings[]."""
    windows = body.get("reservationFolioInformation", {}).get("folioWindows", [])
    return [
        posting
        for window in windows
        for folio in window.get("folios", []) or []
        for posting in folio.get("postings", []) or []
    ]
