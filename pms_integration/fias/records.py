"""FIAS records on the wire: `STX RI|XXdata|XXdata| ETX` (spec p.20-23, p.25).

A record id of two letters, then fields that are a two-character id and their data,
each closed by `|`. Fields may come in any order and repeat (a PL lists RN/G#/GN
once per guest), so a record keeps them as an ordered list of pairs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

STX, ETX = b"\x02", b"\x03"
SEPARATOR = "|"
# The interface server's usual code page (plain ASCII plus the Western European letters);
# a link may be set to another one (`PmsLink.encoding`), used both ways.
ENCODING = "cp1252"
# A single record is never longer than this (spec p.27: "general maximum record length ... 2000");
# anything longer without an ETX is noise and is dropped.
MAX_RECORD = 8000


@dataclass
class Record:
    """One FIAS record: its id and its fields in the order they came."""

    rid: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def get(self, field_id: str, default: str = "") -> str:
        """The first value of a field (most fields occur once)."""
        return next((value for fid, value in self.fields if fid == field_id), default)

    def has(self, field_id: str) -> bool:
        return any(fid == field_id for fid, _value in self.fields)

    def groups(self, starts_with: str) -> list[dict[str, str]]:
        """Repeated blocks that each begin with `starts_with` (a PL's guests begin with RN, spec p.87)."""
        blocks: list[dict[str, str]] = []
        for fid, value in self.fields:
            if fid == starts_with:
                blocks.append({})
            if blocks:
                blocks[-1].setdefault(fid, value)
        return blocks

    def text(self) -> str:
        return self.rid + SEPARATOR + "".join(f"{fid}{value}{SEPARATOR}" for fid, value in self.fields)


def clean(value: object) -> str:
    """Data as FIAS allows it: no control bytes and no field separator inside a field (spec p.20)."""
    text = str(value)
    return "".join(" " if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in text).replace(SEPARATOR, "/")


def encode(rid: str, fields: list[tuple[str, object]], encoding: str = ENCODING) -> bytes:
    """Frame one record; fields with the value None are left out (an empty string is sent empty)."""
    body = rid + SEPARATOR + "".join(f"{fid}{clean(value)}{SEPARATOR}" for fid, value in fields if value is not None)
    return STX + body.encode(encoding, errors="replace") + ETX


def parse(text: str) -> Record:
    """`PA|ASOK|P#12|` -> Record("PA", [("AS", "OK"), ("P#", "12")])."""
    parts = text.split(SEPARATOR)
    rid = parts[0]
    fields = [(part[:2], part[2:]) for part in parts[1:] if len(part) >= 2]
    return Record(rid=rid, fields=fields)


class Decoder:
    """Turns a byte stream into records: several may arrive in one read, one may span reads."""

    def __init__(self, encoding: str = ENCODING) -> None:
        self._buffer = bytearray()
        self.encoding = encoding

    def feed(self, data: bytes) -> list[Record]:
        self._buffer.extend(data)
        records: list[Record] = []
        while True:
            start = self._buffer.find(STX)
            if start < 0:
                self._buffer.clear()  # bytes outside a frame mean nothing
                break
            end = self._buffer.find(ETX, start + 1)
            if end < 0:
                del self._buffer[:start]
                if len(self._buffer) > MAX_RECORD:
                    self._buffer.clear()
                break
            raw = bytes(self._buffer[start + 1 : end])
            del self._buffer[: end + 1]
            # A new STX inside means the earlier frame was cut: keep the last one only.
            raw = raw[raw.rfind(STX) + 1 :]
            if raw:
                records.append(parse(raw.decode(self.encoding, errors="replace")))
        return records


def fias_date(moment: datetime.datetime | datetime.date) -> str:
    """D: YYMMDD."""
    return moment.strftime("%y%m%d")


def fias_time(moment: datetime.datetime) -> str:
    """T: HHMMSS."""
    return moment.strftime("%H%M%S")


def amount(value: str) -> int | None:
    """A monetary field from the PMS, in minor units (it may carry a decimal point; spec p.21)."""
    text = value.strip()
    if not text:
        return None
    try:
        if "." in text:
            whole, _dot, fraction = text.partition(".")
            return int(whole or "0") * 100 + (-1 if text.startswith("-") else 1) * int((fraction + "00")[:2])
        return int(text)
    except ValueError:
        return None
