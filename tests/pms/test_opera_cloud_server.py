"""Tests of the OPERA Cloud (OHIP REST) test double itself, with ``requests`` as the client.

Every response the client receives is checked against the published specs by a
validator built here from the raw files (independent of the server's own checks):
oauth.json getToken, rsv.json getHotelReservations, csh.json postBillingCharges and
getFolio; error bodies against csh.json ``#/definitions/exceptionDetailType``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from tests.pms.opera_cloud_server import OperaCloudServer, SpecViolation, billing_charges_errors, iter_postings

SPECS = Path("/work/shared/specs/opera-cloud")
APP_KEY = "0f3b2c1d-8e9a-4b7c-9d6e-5a4b3c2d1e0f"  # fits the spec's x-app-key pattern (a v4 UUID)
HOTEL = "TAFEL1"
LOOKUP = f"/rsv/v1/hotels/{HOTEL}/reservations"


def charges_path(reservation: str = "81234") -> str:
    return f"/csh/v1/hotels/{HOTEL}/reservations/{reservation}/charges"


def folios_path(reservation: str = "81234") -> str:
    return f"/csh/v1/hotels/{HOTEL}/reservations/{reservation}/folios"


# ------------------------------------------------------------- independent spec check


@cache
def _doc(name: str) -> dict:
    return json.loads((SPECS / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    return Registry().with_resources((f"urn:{n}", DRAFT4.create_resource(_doc(n))) for n in ("oauth", "rsv", "csh"))


#: (method, path regex, spec, operationId) of what the double serves.
_OPERATIONS = [
    ("POST", r"/oauth/v1/tokens", "oauth", "getToken"),
    ("GET", r"/rsv/v1/hotels/[^/]+/reservations", "rsv", "getHotelReservations"),
    ("POST", r"/csh/v1/hotels/[^/]+/reservations/[^/]+/charges", "csh", "postBillingCharges"),
    ("GET", r"/csh/v1/hotels/[^/]+/reservations/[^/]+/folios", "csh", "getFolio"),
]


def _operation(name: str, operation_id: str) -> dict:
    for item in _doc(name)["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op
    raise KeyError(operation_id)


def response_schema(method: str, path: str, status: int) -> tuple[str, str | None]:
    """(spec, "#/definitions/..." ref) the spec gives this response, or our error shape."""
    for verb, regex, name, operation_id in _OPERATIONS:
        if verb == method and re.fullmatch(regex, path):
            response = _operation(name, operation_id)["responses"].get(str(status), {})
            if "$ref" in response:
                response = _doc(name)["responses"][response["$ref"].split("/")[-1]]
            schema = response.get("schema")
            if schema is not None:
                return name, (schema.get("allOf") or [schema])[0]["$ref"]
            break
    if status >= 400:
        return "csh", "#/definitions/exceptionDetailType"  # the double's one error shape
    return "", None


def assert_matches_spec(response: requests.Response) -> None:
    """The body of ``response`` is valid against the raw published spec."""
    path = requests.utils.urlparse(response.request.url).path
    name, ref = response_schema(response.request.method, path, response.status_code)
    if response.status_code == 204:
        assert response.content == b""
        return
    assert ref is not None, f"no schema for {response.request.method} {path} {response.status_code}"
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    validator = Draft4Validator({"$ref": f"urn:{name}{ref}"}, registry=_registry())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())]
    assert not errors, f"{path} {response.status_code} breaks {name}.json {ref}: {errors}"


# ------------------------------------------------------------------------- fixtures


class FakeClock:
    """A monotonic clock the test moves by hand (token expiry without sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_server(**kwargs: Any) -> OperaCloudServer:
    """The test hotel: Daniel and Grace share 214, Yuki (108) is no-post, Thomas left."""
    server = OperaCloudServer(
        client_id="tafel", client_secret="s3cret", app_key=APP_KEY, hotel_id=HOTEL, currency="EUR", **kwargs
    )
    server.add_reservation(reservation_id="81234", room="214", given_name="Daniel", surname="Okafor")
    server.add_reservation(
        reservation_id="81235", room="214", given_name="Grace", surname="Okafor", balance=Decimal("120.00")
    )
    server.add_reservation(reservation_id="81240", room="108", given_name="Yuki", surname="Tanaka", no_post=True)
    server.add_reservation(reservation_id="81250", room="102", given_name="Thomas", surname="Verhoeven")
    server.check_out(reservation_id="81250")
    return server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[OperaCloudServer]:
    server = make_server(clock=clock).start()
    yield server
    server.stop()  # raises SpecViolation if the double ever answered off-spec


class Client:
    """A bare OHIP client: one session, every response checked against the spec."""

    def __init__(self, server: OperaCloudServer) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.hooks["response"].append(lambda r, *args, **kwargs: assert_matches_spec(r))
        self.token: str | None = None

    def get_token(self, auth: tuple[str, str] = ("tafel", "s3cret"), app_key: str | None = APP_KEY, **form: str):
        headers = {} if app_key is None else {"x-app-key": app_key}
        data = form or {"grant_type": "client_credentials", "scope": "urn:opc:hgbu:ws:__myscopes__"}
        return self.session.post(f"{self.server.url}/oauth/v1/tokens", auth=auth, headers=headers, data=data, timeout=2)

    def headers(self, **override: str | None) -> dict[str, str]:
        if self.token is None:
            response = self.get_token()
            assert response.status_code == 200, response.text
            self.token = response.json()["access_token"]
        headers: dict[str, str | None] = {
            "Authorization": f"Bearer {self.token}",
            "x-app-key": APP_KEY,
            "x-hotelid": HOTEL,
            **override,
        }
        return {k: v for k, v in headers.items() if v is not None}

    def get(self, path: str, params: Any = None, timeout: float = 2, **headers: str | None) -> requests.Response:
        return self.session.get(self.server.url + path, params=params, headers=self.headers(**headers), timeout=timeout)

    def post(self, path: str, body: Any, timeout: float = 2, **headers: str | None) -> requests.Response:
        return self.session.post(self.server.url + path, json=body, headers=self.headers(**headers), timeout=timeout)


@pytest.fixture
def client(server: OperaCloudServer) -> Client:
    return Client(server)


def charge(code: str = "2000", amount: Any = 12.5, check: str = "4711", **extra: Any) -> dict:
    return {"transactionCode": code, "price": {"amount": amount, "currencyCode": "EUR"}, "checkNumber": check, **extra}


def posting(*charges: dict, reservation: str = "81234", hotel: str = HOTEL) -> dict:
    """A billingCharges body (csh.json) for postBillingCharges."""
    return {
        "criteria": {
            "hotelId": hotel,
            "reservationId": {"type": "Reservation", "id": reservation},
            "charges": list(charges) or [charge()],
        }
    }


def error_code(response: requests.Response) -> str:
    return response.json()["o:errorCode"]


# ---------------------------------------------------------------------- getToken


def test_token_with_good_client_credentials(server: OperaCloudServer) -> None:
    response = Client(server).get_token()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) >= 32
    assert server.tokens_issued == 1
    assert Client(server).get_token().json()["access_token"] != body["access_token"]  # random per issue


def test_token_with_password_grant(server: OperaCloudServer) -> None:
    client = Client(server)
    good = client.get_token(grant_type="password", username="tafel-int", password="int-s3cret")
    assert good.status_code == 200
    bad = client.get_token(grant_type="password", username="tafel-int", password="wrong")
    assert bad.status_code == 401
    assert client.get_token(grant_type="password", username="tafel-int").status_code == 400  # no password
    assert server.tokens_issued == 1


@pytest.mark.parametrize(
    "auth",
    [("tafel", "wrong"), ("other", "s3cret"), ("", "")],
    ids=["wrong secret", "wrong client id", "empty"],
)
def test_token_with_bad_client_credentials_is_401(server: OperaCloudServer, auth: tuple[str, str]) -> None:
    response = Client(server).get_token(auth=auth)
    assert response.status_code == 401
    assert error_code(response) == "invalid_client"
    assert server.tokens_issued == 0


def test_token_without_basic_auth_is_401(server: OperaCloudServer) -> None:
    response = requests.post(
        f"{server.url}/oauth/v1/tokens",
        headers={"x-app-key": APP_KEY},
        data={"grant_type": "client_credentials", "scope": "s"},
        timeout=2,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert_matches_spec(response)


def test_token_app_key_missing_is_400_wrong_is_401(server: OperaCloudServer) -> None:
    client = Client(server)
    missing = client.get_token(app_key=None)
    assert missing.status_code == 400
    assert missing.json()["o:errorPath"] == "header.x-app-key"
    wrong = client.get_token(app_key="11111111-2222-4333-8444-555555555555")
    assert wrong.status_code == 401
    off_pattern = client.get_token(app_key="app-key-1")  # oauth.json: x-app-key must be a UUID
    assert off_pattern.status_code == 400
    assert server.tokens_issued == 0


def test_app_key_outside_the_spec_pattern_still_works_when_configured_so() -> None:
    """A server configured with "app-key-1" (brief's example) skips the pattern check."""
    with OperaCloudServer(app_key="app-key-1") as server:
        assert not server.enforce_app_key_pattern
        response = Client(server).get_token(app_key="app-key-1")
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"grant_type": "authorization_code", "scope": "s"}, "unsupported_grant_type"),
        ({"scope": "s"}, "invalid_request"),  # grant_type missing
        ({"grant_type": "client_credentials"}, "invalid_request"),  # scope missing
        ({"grant_type": "client_credentials", "scope": "s", "client_id": "tafel"}, "invalid_request"),  # not in spec
    ],
    ids=["bad grant_type", "no grant_type", "no scope", "unknown form field"],
)
def test_token_with_bad_form_is_400(server: OperaCloudServer, form: dict, code: str) -> None:
    response = Client(server).get_token(**form)
    assert response.status_code == 400
    assert error_code(response) == code
    assert server.tokens_issued == 0


def test_token_needs_a_form_body(server: OperaCloudServer) -> None:
    response = requests.post(
        f"{server.url}/oauth/v1/tokens",
        auth=("tafel", "s3cret"),
        headers={"x-app-key": APP_KEY},
        json={"grant_type": "client_credentials", "scope": "s"},
        timeout=2,
    )
    assert response.status_code == 415
    assert_matches_spec(response)


def test_token_expires_after_its_lifetime(clock: FakeClock) -> None:
    with make_server(clock=clock, token_lifetime=60) as server:
        client = Client(server)
        assert client.get_token().json()["expires_in"] == 60
        assert client.get(LOOKUP, {"searchType": "InHouse"}).status_code == 200
        clock.now += 59.9
        assert client.get(LOOKUP, {"searchType": "InHouse"}).status_code == 200
        clock.now += 0.2
        expired = client.get(LOOKUP, {"searchType": "InHouse"})
        assert expired.status_code == 401
        assert error_code(expired) == "TOKEN_EXPIRED"


# ---------------------------------------------------------------- bearer / headers


def test_missing_bearer_is_401(client: Client) -> None:
    response = client.get(LOOKUP, {"searchType": "InHouse"}, Authorization=None)
    assert response.status_code == 401
    assert error_code(response) == "MISSING_TOKEN"


def test_unknown_bearer_is_401(client: Client) -> None:
    response = client.get(LOOKUP, {"searchType": "InHouse"}, Authorization="Bearer not-a-token")
    assert response.status_code == 401
    assert error_code(response) == "INVALID_TOKEN"


def test_expire_tokens_makes_the_next_call_401_and_a_new_token_works(client: Client, server: OperaCloudServer) -> None:
    assert client.get(LOOKUP, {"searchType": "InHouse"}).status_code == 200
    server.expire_tokens()
    response = client.post(charges_path(), posting())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert server.posted == []
    client.token = None  # fetch a fresh one
    assert client.post(charges_path(), posting()).status_code == 201
    assert server.tokens_issued == 2


def test_x_hotelid_must_match_the_path(client: Client) -> None:
    mismatch = client.get(LOOKUP, {"searchType": "InHouse"}, **{"x-hotelid": "OTHER"})
    assert mismatch.status_code == 400
    assert error_code(mismatch) == "HOTEL_MISMATCH"
    missing = client.get(LOOKUP, {"searchType": "InHouse"}, **{"x-hotelid": None})
    assert missing.status_code == 400
    assert missing.json()["o:errorPath"] == "header.x-hotelid"


def test_other_hotel_is_403(client: Client) -> None:
    response = client.get("/rsv/v1/hotels/OTHER/reservations", {"searchType": "InHouse"}, **{"x-hotelid": "OTHER"})
    assert response.status_code == 403
    assert error_code(response) == "HOTEL_NOT_AUTHORIZED"


def test_api_call_without_app_key_is_400(client: Client) -> None:
    response = client.get(LOOKUP, {"searchType": "InHouse"}, **{"x-app-key": None})
    assert response.status_code == 400


def test_header_values_are_checked_against_the_spec(client: Client) -> None:
    # rsv.json #/parameters/x-externalsystem: maxLength 40.
    response = client.get(LOOKUP, {"searchType": "InHouse"}, **{"x-externalsystem": "X" * 41})
    assert response.status_code == 400
    assert response.json()["o:errorPath"] == "header.x-externalsystem"


# ------------------------------------------------------------ getHotelReservations


def test_lookup_by_room_returns_both_sharers(client: Client) -> None:
    response = client.get(LOOKUP, {"searchType": "InHouse", "roomId": "214"})
    assert response.status_code == 200
    body = response.json()["reservations"]
    assert (body["totalResults"], body["count"], body["hasMore"]) == (2, 2, False)
    infos = body["reservationInfo"]
    ids = [next(i["id"] for i in info["reservationIdList"] if i["type"] == "Reservation") for info in infos]
    assert ids == ["81234", "81235"]
    daniel, grace = infos
    assert daniel["roomStay"]["roomId"] == "214"
    assert daniel["reservationGuest"]["givenName"] == "Daniel"
    assert daniel["reservationGuest"]["surname"] == "Okafor"
    assert daniel["reservationGuest"]["fullName"] == "Daniel Okafor"
    assert daniel["reservationStatus"] == "InHouse"
    assert daniel["hotelId"] == HOTEL
    assert daniel["cashiering"]["billingPrivileges"]["postingRestriction"] is False
    assert grace["cashiering"]["revenuesAndBalances"]["balance"] == {"amount": 120.0, "currencyCode": "EUR"}
    assert [s["reservationId"]["id"] for s in daniel["sharedGuests"]] == ["81235"]


def test_lookup_shows_the_no_post_flag(client: Client) -> None:
    infos = client.get(LOOKUP, {"searchType": "InHouse", "roomId": "108"}).json()["reservations"]["reservationInfo"]
    assert [i["cashiering"]["billingPrivileges"]["postingRestriction"] for i in infos] == [True]
    excluded = client.get(LOOKUP, {"searchType": "InHouse", "roomId": "108", "excludeNoPost": "true"})
    assert excluded.json()["reservations"]["count"] == 0


def test_lookup_by_surname_and_given_name(client: Client) -> None:
    both = client.get(LOOKUP, {"searchType": "InHouse", "surname": "okafor"}).json()["reservations"]
    assert both["count"] == 2
    grace = client.get(LOOKUP, {"searchType": "InHouse", "surname": "Okafor", "givenName": "Gra"}).json()
    assert [i["reservationGuest"]["givenName"] for i in grace["reservations"]["reservationInfo"]] == ["Grace"]


def test_in_house_lookup_leaves_out_checked_out_guests(client: Client, server: OperaCloudServer) -> None:
    assert client.get(LOOKUP, {"searchType": "InHouse", "roomId": "102"}).json()["reservations"]["count"] == 0
    server.check_out(reservation_id="81234")
    infos = client.get(LOOKUP, {"searchType": "InHouse", "roomId": "214"}).json()["reservations"]["reservationInfo"]
    assert [i["reservationGuest"]["givenName"] for i in infos] == ["Grace"]
    assert "sharedGuests" not in infos[0]


def test_lookup_limit_pages(client: Client) -> None:
    body = client.get(LOOKUP, {"searchType": "InHouse", "roomId": "214", "limit": "1"}).json()["reservations"]
    assert (body["count"], body["totalResults"], body["hasMore"]) == (1, 2, True)


def test_lookup_reservation_id_list_is_collection_format_multi(client: Client) -> None:
    params = [("searchType", "InHouse"), ("reservationIdList", "81234"), ("reservationIdList", "81240")]
    infos = client.get(LOOKUP, params).json()["reservations"]["reservationInfo"]
    assert sorted(i["reservationIdList"][0]["id"] for i in infos) == ["81234", "81240"]


def test_lookup_without_result_can_be_204() -> None:
    with make_server(empty_search_status=204) as server:
        response = Client(server).get(LOOKUP, {"searchType": "InHouse", "roomId": "999"})
        assert response.status_code == 204


def test_lookup_unknown_query_parameter_is_400(client: Client) -> None:
    response = client.get(LOOKUP, {"searchType": "InHouse", "room": "214"})
    assert response.status_code == 400
    assert error_code(response) == "UNKNOWN_PARAMETER"
    assert response.json()["o:errorPath"] == "query.room"


def test_lookup_bad_search_type_is_400(client: Client) -> None:
    response = client.get(LOOKUP, {"searchType": "InHome", "roomId": "214"})
    assert response.status_code == 400
    assert response.json()["o:errorPath"] == "query.searchType"
    assert "is not one of" in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"searchType": "InHouse", "limit": "ten"},  # integer
        {"searchType": "InHouse", "recentlyAccessed": "yes"},  # boolean
        {"searchType": "InHouse", "arrivalStartDate": "03.12.2026"},  # format: date
        [("searchType", "InHouse"), ("roomId", "214"), ("roomId", "215")],  # scalar given twice
        [("searchType", "InHouse"), ("searchType", "InHouse")],
    ],
    ids=["integer", "boolean", "date", "repeated scalar", "repeated enum"],
)
def test_lookup_query_values_are_typed(client: Client, params: Any) -> None:
    assert client.get(LOOKUP, params).status_code == 400


def test_lookup_valid_but_unimplemented_parameter_is_refused_loudly(client: Client) -> None:
    response = client.get(LOOKUP, {"searchType": "InHouse", "vipCodes": "GOLD"})
    assert response.status_code == 400
    assert error_code(response) == "NOT_SUPPORTED_BY_TEST_DOUBLE"


# --------------------------------------------------------------- postBillingCharges


def test_valid_posting_is_201_and_recorded(client: Client, server: OperaCloudServer) -> None:
    body = posting(
        charge("2000", 30.0, postingReference="T12/4711", postingRemark="Table 12"),
        charge("2010", 12.5, postingReference="T12/4711"),
    )
    response = client.post(charges_path(), body, **{"x-request-id": "0f3b2c1d-8e9a-4b7c-9d6e-5a4b3c2d1e0f"})
    assert response.status_code == 201
    assert response.headers["Location"] == f"{server.url}{folios_path()}"
    answer = response.json()["postings"]
    assert [(p["transactionCode"], p["checkNo"], p["reference"], p["postedAmount"]["amount"]) for p in answer] == [
        ("2000", "4711", "T12/4711", 30.0),
        ("2010", "4711", "T12/4711", 12.5),
    ]
    posted = server.posted
    assert [(p["reservationId"], p["transactionCode"], p["checkNumber"], p["price"]) for p in posted] == [
        ("81234", "2000", "4711", {"amount": Decimal("30.0"), "currencyCode": "EUR"}),
        ("81234", "2010", "4711", {"amount": Decimal("12.5"), "currencyCode": "EUR"}),
    ]
    assert posted[0]["postingReference"] == "T12/4711"
    assert posted[0]["postingRemark"] == "Table 12"
    assert posted[0]["requestId"] == "0f3b2c1d-8e9a-4b7c-9d6e-5a4b3c2d1e0f"
    assert [p["transactionNo"] for p in answer] == [p["transactionNo"] for p in posted]
    # ... and the folio balance moved.
    info = client.get(LOOKUP, {"searchType": "InHouse", "reservationIdList": "81234"}).json()
    assert info["reservations"]["reservationInfo"][0]["cashiering"]["revenuesAndBalances"]["balance"]["amount"] == 42.5


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({**posting(), "tip": 1}, "tip"),
        (posting(charge(tax=2.1)), "criteria.charges[0].tax"),
        (posting(charge(chekNumber="4711")), "criteria.charges[0].chekNumber"),
        (posting(charge(price={"amount": 1, "currencyCode": "EUR", "net": 1})), "criteria.charges[0].price.net"),
    ],
    ids=["top level", "in a charge", "misspelt", "in the price"],
)
def test_posting_with_unknown_property_is_400(client: Client, server: OperaCloudServer, body: dict, path: str) -> None:
    response = client.post(charges_path(), body)
    assert response.status_code == 400
    assert error_code(response) == "UNKNOWN_PROPERTY"
    assert response.json()["o:errorPath"] == path
    assert server.posted == []


def test_posting_in_wrong_currency_is_400(client: Client, server: OperaCloudServer) -> None:
    body = posting(charge(price={"amount": 10, "currencyCode": "USD"}))
    response = client.post(charges_path(), body)
    assert response.status_code == 400
    assert error_code(response) == "INVALID_CURRENCY"
    assert server.posted == []


def test_posting_unknown_transaction_code_is_400(client: Client, server: OperaCloudServer) -> None:
    response = client.post(charges_path(), posting(charge("2999")))
    assert response.status_code == 400
    assert error_code(response) == "INVALID_TRANSACTION_CODE"
    assert response.json()["o:errorPath"] == "criteria.charges[0].transactionCode"
    assert server.posted == []


def _without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (posting(_without(charge(), "transactionCode")), "MISSING_FIELD"),
        (posting(charge(price={"currencyCode": "EUR"})), "MISSING_FIELD"),
        (posting(charge(price={"amount": 1})), "MISSING_FIELD"),
        (posting(_without(charge(), "checkNumber")), "MISSING_FIELD"),
        ({"criteria": {**posting()["criteria"], "charges": []}}, "MISSING_FIELD"),
        ({"criteria": _without(posting()["criteria"], "hotelId")}, "MISSING_FIELD"),
        (posting(hotel="OTHER"), "HOTEL_MISMATCH"),
        (posting(reservation="81235"), "RESERVATION_MISMATCH"),
        (posting(charge(amount="12.50")), "SCHEMA_VIOLATION"),  # a string, not a number
        (posting(charge(amount=12.301)), "INVALID_AMOUNT"),  # more decimals than EUR has
        (posting(charge(postingQuantity=1.5)), "SCHEMA_VIOLATION"),  # integer
        (posting(charge(check="x" * 201)), "SCHEMA_VIOLATION"),  # checkNumber maxLength 200
        ([charge()], "INVALID_JSON"),
    ],
    ids=[
        "no transactionCode",
        "no amount",
        "no currency",
        "no checkNumber",
        "no charges",
        "no criteria.hotelId",
        "criteria.hotelId",
        "criteria.reservationId",
        "amount as string",
        "three decimals",
        "fractional quantity",
        "long checkNumber",
        "not an object",
    ],
)
def test_posting_refused_with_400(client: Client, server: OperaCloudServer, body: Any, code: str) -> None:
    response = client.post(charges_path(), body)
    assert response.status_code == 400, response.text
    assert error_code(response) == code
    assert server.posted == []


def test_posting_needs_json_content_type(client: Client, server: OperaCloudServer) -> None:
    response = client.session.post(
        server.url + charges_path(),
        data=json.dumps(posting()),
        headers={**client.headers(), "Content-Type": "text/plain"},
        timeout=2,
    )
    assert response.status_code == 415
    assert server.posted == []


@pytest.mark.parametrize(
    ("reservation", "code"),
    [("81250", "RESERVATION_NOT_IN_HOUSE"), ("99999", "RESERVATION_NOT_FOUND")],
    ids=["checked out", "unknown"],
)
def test_posting_to_a_guest_not_in_house_is_404(
    client: Client, server: OperaCloudServer, reservation: str, code: str
) -> None:
    response = client.post(charges_path(reservation), posting(reservation=reservation))
    assert response.status_code == 404
    assert error_code(response) == code
    assert server.posted == []


def test_posting_after_check_out_is_404(client: Client, server: OperaCloudServer) -> None:
    server.check_out(reservation_id="81234")
    assert client.post(charges_path(), posting()).status_code == 404


def test_posting_to_a_no_post_guest_is_refused(client: Client, server: OperaCloudServer) -> None:
    response = client.post(charges_path("81240"), posting(reservation="81240"))
    assert response.status_code == 400
    body = response.json()
    assert body["o:errorCode"] == "POSTING_RESTRICTED"
    assert body["title"] == "Posting not allowed"
    assert "no post" in body["detail"]
    assert server.posted == []


# ----------------------------------------------------------------------- faults


def test_drop_after_next_posting_loses_the_answer_not_the_charge(client: Client, server: OperaCloudServer) -> None:
    server.drop_after_next_posting()
    with pytest.raises(requests.ConnectionError):
        client.post(charges_path(), posting(charge(check="4712")))
    assert [p["checkNumber"] for p in server.posted] == ["4712"]
    # Only the next one: the connection after it answers normally.
    assert client.post(charges_path(), posting(charge(check="4713"))).status_code == 201
    assert [p["checkNumber"] for p in server.posted] == ["4712", "4713"]


def test_drop_waits_for_a_valid_posting(client: Client, server: OperaCloudServer) -> None:
    server.drop_after_next_posting()
    assert client.post(charges_path(), posting(charge("2999"))).status_code == 400  # refused: answered
    with pytest.raises(requests.ConnectionError):
        client.post(charges_path(), posting())
    assert len(server.posted) == 1


def test_fail_next_503_spares_the_token_endpoint(client: Client, server: OperaCloudServer) -> None:
    client.headers()  # token first
    server.fail_next(status=503, count=2)
    assert client.get_token().status_code == 200  # not an API request
    first = client.post(charges_path(), posting())
    assert first.status_code == 503
    assert error_code(first) == "INJECTED_FAULT"
    assert client.get(LOOKUP, {"searchType": "InHouse"}).status_code == 503
    assert server.posted == []  # a 503 did nothing
    assert client.post(charges_path(), posting()).status_code == 201
    assert len(server.posted) == 1


def test_delay_next_answers_late_but_posts_at_once(client: Client, server: OperaCloudServer) -> None:
    client.headers()
    server.delay_next(0.5)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        client.post(charges_path(), posting(), timeout=0.2)
    assert time.monotonic() - started < 0.45
    assert len(server.posted) == 1  # the work is done, only the answer is late


def test_delay_next_before_processing(client: Client, server: OperaCloudServer) -> None:
    client.headers()
    server.delay_next(0.3, before=True)
    with pytest.raises(requests.ReadTimeout):
        client.post(charges_path(), posting(), timeout=0.1)
    assert server.posted == []  # not yet ...
    assert server.wait_for(lambda: len(server.posted) == 1, timeout=1.0)  # ... then it lands


def test_requests_are_recorded(client: Client, server: OperaCloudServer) -> None:
    client.post(charges_path(), posting())
    token, post = server.requests
    assert (token.method, token.path) == ("POST", "/oauth/v1/tokens")
    assert b"grant_type=client_credentials" in token.body
    assert (post.method, post.path, post.query) == ("POST", charges_path(), {})
    assert post.headers["x-hotelid"] == HOTEL
    assert json.loads(post.body) == posting()


def test_concurrent_postings_are_all_recorded_once(client: Client, server: OperaCloudServer) -> None:
    headers = client.headers()
    results: list[int] = []

    def post(n: int) -> None:
        body = posting(charge(check=str(5000 + n)))
        r = requests.post(server.url + charges_path(), json=body, headers=headers, timeout=2)
        results.append(r.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [201] * 12
    posted = server.posted
    assert sorted(p["checkNumber"] for p in posted) == sorted(str(5000 + n) for n in range(12))
    assert len({p["transactionNo"] for p in posted}) == 12
    assert server.reservation("81234").balance == Decimal("150.0")


# ------------------------------------------------------------ read-back (getFolio)


def test_read_back_shows_the_check_number(client: Client, server: OperaCloudServer) -> None:
    server.drop_after_next_posting()
    with pytest.raises(requests.ConnectionError):
        client.post(charges_path(), posting(charge("2000", 30.0, "4714", postingReference="T12/4714")))
    response = client.get(folios_path(), {"fetchInstructions": "Postings"})
    assert response.status_code == 200
    window = response.json()["reservationFolioInformation"]["folioWindows"][0]
    found = window["folios"][0]["postings"]
    assert [(p["checkNo"], p["reference"], p["postedAmount"]) for p in found] == [
        ("4714", "T12/4714", {"amount": 30.0, "currencyCode": "EUR"})
    ]
    assert found[0]["transactionNo"] == server.posted[0]["transactionNo"]
    assert window["balance"]["amount"] == 30.0
    assert list(iter_postings(response.json())) == found


def test_read_back_without_postings_instruction_has_no_postings(client: Client) -> None:
    client.post(charges_path(), posting())
    plain = client.get(folios_path()).json()["reservationFolioInformation"]
    assert "folios" not in plain["folioWindows"][0]
    assert plain["folioWindows"][0]["balance"]["amount"] == 12.5
    summary = client.get(folios_path(), {"fetchInstructions": "Postings", "summaryOnly": "true"}).json()
    assert list(iter_postings(summary)) == []


def test_read_back_keeps_other_reservations_apart_and_works_after_check_out(
    client: Client, server: OperaCloudServer
) -> None:
    client.post(charges_path(), posting(charge(check="1")))
    client.post(charges_path("81235"), posting(charge(check="2"), reservation="81235"))
    server.check_out(reservation_id="81234")
    daniel = client.get(folios_path(), [("fetchInstructions", "Postings"), ("fetchInstructions", "Windowbalances")])
    assert [p["checkNo"] for p in iter_postings(daniel.json())] == ["1"]
    grace = client.get(folios_path("81235"), {"fetchInstructions": "Postings"}).json()
    assert [p["checkNo"] for p in iter_postings(grace)] == ["2"]
    assert grace["reservationFolioInformation"]["folioWindows"][0]["balance"]["amount"] == 132.5  # 120 + 12.50


def test_read_back_parameters_are_validated(client: Client) -> None:
    assert client.get(folios_path(), {"fetchInstructions": "Charges"}).status_code == 400  # not in the enum
    assert client.get(folios_path(), {"checkNumber": "4711"}).status_code == 400  # not a getFolio parameter
    assert client.get(folios_path("99999"), {"fetchInstructions": "Postings"}).status_code == 404
    assert client.get(folios_path(), {"fetchInstructions": "Postings"}, **{"x-hotelid": "X"}).status_code == 400


# ------------------------------------------------------------------- routing / spec


def test_unknown_path_is_404_and_unimplemented_operation_is_501(client: Client) -> None:
    assert client.get("/csh/v1/nothing").status_code == 404
    response = client.get(charges_path())  # getPostBillingCharges: a pre-check, not implemented
    assert response.status_code == 501
    assert "getPostBillingCharges" in response.json()["detail"]


def test_an_off_spec_response_of_the_double_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server validates its own answers: break one and see the 500 and the raise."""
    server = make_server().start()
    original = server._reservation_info

    def broken(reservation: Any) -> dict:
        return {**original(reservation), "roomNumber": reservation.room}  # not in reservationInfoType

    monkeypatch.setattr(server, "_reservation_info", broken)
    response = Client(server).get(LOOKUP, {"searchType": "InHouse"})
    assert response.status_code == 500
    assert error_code(response) == "TEST_DOUBLE_INVALID_RESPONSE"
    assert any("roomNumber" in e for e in server.errors)
    with pytest.raises(SpecViolation, match="roomNumber"):
        server.stop()


def test_wrong_method_on_a_spec_path_is_405(client: Client, server: OperaCloudServer) -> None:
    response = client.session.delete(server.url + charges_path(), headers=client.headers(), timeout=2)
    assert response.status_code == 405


def test_posting_with_an_iso_income_audit_date_is_accepted(client: Client, server: OperaCloudServer) -> None:
    """csh.json says incomeAuditDate is ``format: date, maxLength: 8``: no YYYY-MM-DD fits,
    so the double drops that maxLength (a spec bug) and checks the date format instead."""
    body = posting()
    body["criteria"]["incomeAuditDate"] = "2026-12-03"
    assert client.post(charges_path(), body).status_code == 201
    body["criteria"]["incomeAuditDate"] = "03-12-2026"
    assert client.post(charges_path(), body).status_code == 400
    assert len(server.posted) == 1


def test_billing_charges_errors_helper_checks_bodies_offline() -> None:
    assert billing_charges_errors(posting()) == []
    assert billing_charges_errors(posting(charge(tip=1))) != []
    assert billing_charges_errors(posting(charge(tip=1)), strict=False) == []  # the raw spec leaves objects open


def test_the_tests_own_spec_check_rejects_an_off_spec_body(server: OperaCloudServer) -> None:
    """The response hook all these tests rely on does catch a bad body."""
    fake = requests.Response()
    fake.status_code = 200
    fake.headers["Content-Type"] = "application/json;charset=UTF-8"
    fake._content = json.dumps({"reservations": {"count": "two"}}).encode()
    fake.request = requests.Request("GET", server.url + LOOKUP).prepare()
    with pytest.raises(AssertionError, match="count"):
        assert_matches_spec(fake)
