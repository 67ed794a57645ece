"""What the POS says to a FIAS PMS: the link start and the two kinds of PR (spec p.28, p.82-89)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from pms_integration.fias.records import Record, fias_date, fias_time
from pms_integration.interfaces import InHouseGuest
from pms_integration.models import Posting, PostingOutlet

VERSION = "1.0"  # V#, our version as the interface server logs it
# The fields we ask for in each record type, in the LR records (spec p.28: LR|RIxx|FL...|).
LINK_RECORDS = {
    "PR": ["P#", "WS", "SO", "ID", "PI", "PM", "RN", "G#", "GN", "TA", "S1", "S2", "S3", "S4", "S5", "S6", "S7",
           "S8", "S9", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "D1", "D2", "D3", "D4", "D5", "D6",
           "D7", "D8", "D9", "TP", "SC", "C#", "CV", "T#", "CT", "CO", "DA", "TI"],
    "PL": ["P#", "WS", "SO", "RN", "G#", "GN", "NP", "CL", "BA", "GD", "DA", "TI"],
    "PA": ["P#", "WS", "SO", "RN", "G#", "GN", "AS", "CT", "DA", "TI"],
}  # fmt: skip
PI_MAX = 10  # the inquiry text (room or name) is at most 10 characters (spec p.82)
CT_MAX = 20  # a PR's clear text (spec p.82)
CHECK_NUMBER_MAX = 99_999_999  # C#: N, max 8


def link_description(now: datetime.datetime) -> list[tuple[str, list[tuple[str, object]]]]:
    """LD, one LR per record type we send or receive, then LA (spec p.28-29)."""
    records: list[tuple[str, list[tuple[str, object]]]] = [
        ("LD", [("DA", fias_date(now)), ("TI", fias_time(now)), ("V#", VERSION), ("IF", "PO")])
    ]
    for rid, field_ids in LINK_RECORDS.items():
        records.append(("LR", [("RI", rid), ("FL", "".join(field_ids))]))
    records.append(("LA", [("DA", fias_date(now)), ("TI", fias_time(now))]))
    return records


def inquiry(
    *,
    setup: PostingOutlet,
    sequence: int,
    workstation: str,
    room: str = "",
    name: str = "",
    user: str = "",
    now: datetime.datetime,
) -> list[tuple[str, object]]:
    """A PR inquiry: who is in `room` (or whose name starts so)? Answered by PL or PA ASNG."""
    return [
        ("PI", (room or name)[:PI_MAX]),
        ("P#", sequence),
        ("WS", workstation[:16]),  # mandatory, routes the answer back (spec p.80)
        ("SO", setup.outlet_code),
        ("ID", user[:16] or None),
        ("PM", setup.payment_method or None),
        ("DA", fias_date(now)),
        ("TI", fias_time(now)),
    ]  # fmt: skip


def guests_of(answer: Record) -> list[InHouseGuest]:
    """A PL's RN/G#/GN blocks (sharers and name matches give several, spec p.87) as guests."""
    guests = []
    for block in answer.groups("RN"):
        if "G#" not in block:
            continue
        no_post = block.get("NP", "").upper() == "Y"
        limit, balance = _integer(block.get("CL", "")), _integer(block.get("BA", ""))
        credit_left = None if limit is None or limit == 0 else limit - (balance or 0)
        departure = block.get("GD", "")
        guests.append(
            InHouseGuest(
                room=block["RN"],
                guest_id=block["G#"],
                name=block.get("GN", ""),
                allow_postings=not no_post,
                credit_left=credit_left,
                departure=_iso_date(departure),
            )
        )
    return guests


def _integer(text: str) -> int | None:
    try:
        return int(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _iso_date(text: str) -> str:
    try:
        return datetime.datetime.strptime(text, "%y%m%d").date().isoformat() if text else ""
    except ValueError:
        return ""


def amount_fields(*, posting: Posting, setup: PostingOutlet) -> list[tuple[str, object]]:
    """TA and its parts: S1-S9 by revenue route, D1-D9 (negative) beside them, T1-T9 by tax route
    when prices exclude tax, TP and SC. TA is their sum to the cent, or the PMS answers DM (spec p.88).

    With tax-inclusive prices (the EU) the subtotals carry the tax and no T fields are sent
    (spec p.80: "only use the tax-fields in countries where taxes are calculated as Add-On").
    """
    routes = {route.category.casefold(): route.subtotal for route in setup.revenue_routes.all()}
    default_slot = routes.get("", 1)
    tax_slots = {Decimal(route.tax_percent).normalize(): route.slot for route in setup.tax_routes.all()}
    subtotals: dict[int, int] = defaultdict(int)
    discounts: dict[int, int] = defaultdict(int)
    taxes: dict[int, int] = defaultdict(int)
    for split in posting.revenue:
        slot = routes.get(str(split["category"]).casefold(), default_slot)
        subtotals[slot] += int(split["amount"])
        discounts[slot] -= int(split["discount"])
        if not posting.taxes_included:
            rate = Decimal(str(split["tax_percent"])).normalize()
            taxes[tax_slots.get(rate, 1)] += int(split["tax"])
    fields: list[tuple[str, object]] = [("TA", posting.amount)]
    fields += [(f"S{slot}", value) for slot, value in sorted(subtotals.items()) if value]
    fields += [(f"D{slot}", value) for slot, value in sorted(discounts.items()) if value]
    fields += [(f"T{slot}", value) for slot, value in sorted(taxes.items()) if value]
    if posting.tip:
        fields.append(("TP", posting.tip))
    if posting.service_charge:
        fields.append(("SC", posting.service_charge))
    total = sum(int(value) for fid, value in fields[1:])
    if total != posting.amount:
        raise ValueError(f"posting {posting.pk}: parts add up to {total}, not {posting.amount}")
    return fields


def charge(
    *,
    posting: Posting,
    setup: PostingOutlet,
    sequence: int,
    workstation: str,
    check_opened: datetime.datetime,
) -> list[tuple[str, object]]:
    """The PR posting to the guest chosen from the PL (RN + G#), with a new P# (spec p.80, p.88).

    `check_opened`: C#, DA and TI must be the same on every posting of one check (split checks).
    """
    table = posting.table if posting.table.isdigit() and len(posting.table) <= 4 else None
    return [
        ("RN", posting.room),
        ("G#", posting.guest_id),
        ("GN", posting.guest_name[:200] or None),
        *amount_fields(posting=posting, setup=setup),
        ("C#", posting.check_number % (CHECK_NUMBER_MAX + 1)),
        ("CV", posting.covers or None),
        ("T#", table),
        ("CT", setup.outlet.name[:CT_MAX] or None),
        ("SO", setup.outlet_code),
        ("WS", workstation[:16]),  # the inquiry's WS: the PMS ties the two together
        ("ID", posting.waiter_code[:16] or None),
        ("PM", setup.payment_method or None),
        ("CO", "Y" if posting.credit_override else None),
        ("DA", fias_date(check_opened)),
        ("TI", fias_time(check_opened)),
        ("P#", sequence),
    ]  # fmt: skip
