"""Throttling PIN guesses, in the cache every process shares (Redis in production).

Wrong PINs never lock a PIN: a lock that anyone can trigger is a way to lock anyone
out. Instead guesses are slowed, the way Django's own password throttles do it:

- per client (an address and the tablet's id cookie; for approvals, the signed-in
  person asking): after PIN_TRIES_BEFORE_WAIT wrong PINs for one person the client
  waits before trying that person's PIN again, and after PIN_CLIENT_TRIES_BEFORE_WAIT
  wrong PINs for anyone before trying any PIN; each wait doubles with each further
  wrong PIN (so one waiter's typos do not hold up her colleagues on a shared tablet);
- per person, across clients: the same after PIN_PERSON_TRIES_BEFORE_WAIT wrong PINs,
  except on a tablet where the person has signed in before and has not failed since
  (so a stranger guessing never keeps the person off her own tablet);
- at most PIN_GUESSES_PER_MINUTE guesses in any minute, per client and per person: a
  guess holds a slot for a minute; a right PIN gives its slot back.

A right PIN clears only its own person's wrong tries on that client, never the
person's count elsewhere nor other people's on the client: mixing real sign-ins with
guesses does not restart the count. Failures are forgotten after
PIN_FAILURE_MEMORY_MINUTES without a new one.
"""

import contextlib
import hashlib
import re
import secrets
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from staff.errors import PinThrottled

DEVICE_COOKIE = "pos_device"
DEVICE_COOKIE_MAX_AGE = 10 * 365 * 24 * 3600
DEVICE_PATTERN = re.compile(r"[0-9a-f]{32}")
KNOWN_DEVICE_SECONDS = 180 * 24 * 3600
SLOT_SECONDS = 60

# The tablet of the request being served, for checks (approvals) made deep in services.
current_device: ContextVar[str] = ContextVar("pin_device", default="")


@dataclass(frozen=True)
class PinClient:
    """Who is guessing: `key` names the client's counters, `device` its tablet ("" if unknown)."""

    key: str
    device: str = ""


@dataclass
class Guess:
    person_id: int
    client: PinClient
    slots: list[str]


@dataclass(frozen=True)
class Failure:
    tries_left: int  # before the client must wait
    wait_seconds: int  # the client's wait now (0: none)
    person_starts_waiting: bool  # this failure made the person's wait begin


def new_device_id() -> str:
    return secrets.token_hex(16)


def device_of(request) -> str:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if DEVICE_PATTERN.fullmatch(value) else ""


def client_for_request(request) -> PinClient:
    device = device_of(request)
    return PinClient(key=f"addr:{request.META.get('REMOTE_ADDR', '')}|dev:{device}", device=device)


def client_for_requester(person_id: int) -> PinClient:
    """An approval's guesser is the person asking for it, on the tablet of this request."""
    return PinClient(key=f"staff:{person_id}", device=current_device.get())


def _hashed(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _client_key(client: PinClient, part: str) -> str:
    return f"pin:c:{_hashed(client.key)}:{part}"


def _person_key(person_id: int, part: str) -> str:
    return f"pin:p:{person_id}:{part}"


def _known_key(person_id: int, device: str) -> str:
    return f"pin:known:{person_id}:{device}"


def _memory() -> int:
    return settings.PIN_FAILURE_MEMORY_MINUTES * 60


def _wait_after(failures: int, free: int) -> int:
    if failures < free:
        return 0
    wait = settings.PIN_FIRST_WAIT_SECONDS * 2 ** min(failures - free, 30)
    return min(wait, settings.PIN_LONGEST_WAIT_SECONDS)


def _remaining(failures: int | None, last: float | None, free: int, now: float) -> int:
    if not failures or last is None:
        return 0
    left = last + _wait_after(failures, free) - now
    return max(0, int(left + 0.999))


def _exempt(values: dict, person_id: int, client: PinClient) -> bool:
    """The person's own tablet: she signed in here before and has not failed here since (much)."""
    known = bool(client.device) and values.get(_known_key(person_id, client.device))
    return bool(known) and (values.get(_client_key(client, f"p{person_id}")) or 0) < settings.PIN_TRIES_BEFORE_WAIT


def _keys_for(person_id: int, client: PinClient) -> list[str]:
    keys = [
        _client_key(client, "fails"),
        _client_key(client, "last"),
        _client_key(client, f"p{person_id}"),
        _client_key(client, f"p{person_id}:last"),
        _person_key(person_id, "fails"),
        _person_key(person_id, "last"),
    ]
    if client.device:
        keys.append(_known_key(person_id, client.device))
    return keys


def _wait_from(values: dict, person_id: int, client: PinClient, now: float) -> int:
    wait = max(
        _remaining(
            values.get(_client_key(client, f"p{person_id}")),
            values.get(_client_key(client, f"p{person_id}:last")),
            settings.PIN_TRIES_BEFORE_WAIT,
            now,
        ),
        _remaining(
            values.get(_client_key(client, "fails")),
            values.get(_client_key(client, "last")),
            settings.PIN_CLIENT_TRIES_BEFORE_WAIT,
            now,
        ),
    )
    if not _exempt(values, person_id, client):
        person_wait = _remaining(
            values.get(_person_key(person_id, "fails")),
            values.get(_person_key(person_id, "last")),
            settings.PIN_PERSON_TRIES_BEFORE_WAIT,
            now,
        )
        wait = max(wait, person_wait)
    return wait


def waits_for(*, person_ids: list[int], client: PinClient) -> dict[int, int]:
    """Seconds each person must wait before a guess from this client (0: may try now)."""
    keys = {person_id: _keys_for(person_id, client) for person_id in person_ids}
    values = cache.get_many([key for person_keys in keys.values() for key in person_keys])
    now = time.time()
    return {person_id: _wait_from(values, person_id, client, now) for person_id in person_ids}


def _take_slot(owner: str, now: float) -> tuple[str | None, int]:
    """Hold one of the owner's per-minute slots; else None and the seconds until one frees."""
    keys = [f"{owner}:slot{i}" for i in range(settings.PIN_GUESSES_PER_MINUTE)]
    for key in keys:
        if cache.add(key, now + SLOT_SECONDS, SLOT_SECONDS):
            return key, 0
    held = [value for value in cache.get_many(keys).values() if value]
    return None, max(1, int(min(held, default=now + 1) - now + 0.999))


def reserve_guess(*, person_id: int, client: PinClient) -> Guess:
    """Let this client guess this person's PIN now, or raise PinThrottled naming the wait."""
    now = time.time()
    values = cache.get_many(_keys_for(person_id, client))
    wait = _wait_from(values, person_id, client, now)
    if wait:
        raise PinThrottled(wait)
    slot, wait = _take_slot(_client_key(client, "minute"), now)
    if slot is None:
        raise PinThrottled(wait)
    slots = [slot]
    if not _exempt(values, person_id, client):
        person_slot, wait = _take_slot(_person_key(person_id, "minute"), now)
        if person_slot is None:
            cache.delete(slot)
            raise PinThrottled(wait)
        slots.append(person_slot)
    return Guess(person_id=person_id, client=client, slots=slots)


def _count(key: str, delta: int = 1) -> int:
    cache.add(key, 0, _memory())
    try:
        value = cache.incr(key, delta)
    except ValueError:  # expired between add and incr
        cache.add(key, delta, _memory())
        value = delta
    cache.touch(key, _memory())
    return value


def record_failure(guess: Guess) -> Failure:
    """Count a wrong PIN for the client and the person; its minute slots stay taken."""
    now = time.time()
    client, person_id = guess.client, guess.person_id
    client_failures = _count(_client_key(client, "fails"))
    cache.set(_client_key(client, "last"), now, _memory())
    failures = _count(_client_key(client, f"p{person_id}"))
    cache.set(_client_key(client, f"p{person_id}:last"), now, _memory())
    person_failures = _count(_person_key(person_id, "fails"))
    cache.set(_person_key(person_id, "last"), now, _memory())
    return Failure(
        tries_left=max(0, settings.PIN_TRIES_BEFORE_WAIT - failures),
        wait_seconds=max(
            _wait_after(failures, settings.PIN_TRIES_BEFORE_WAIT),
            _wait_after(client_failures, settings.PIN_CLIENT_TRIES_BEFORE_WAIT),
        ),
        person_starts_waiting=person_failures == settings.PIN_PERSON_TRIES_BEFORE_WAIT,
    )


def record_success(guess: Guess) -> None:
    """A right PIN: give its slots back, forget this person's own wrong tries on this client."""
    client, person_id = guess.client, guess.person_id
    cache.delete_many(guess.slots)
    own_key = _client_key(client, f"p{person_id}")
    own = cache.get(own_key) or 0
    if own:
        cache.delete_many([own_key, _client_key(client, f"p{person_id}:last")])
        # The tablet's total may have expired meanwhile (incr raises): nothing left to lower.
        with contextlib.suppress(ValueError):
            if cache.incr(_client_key(client, "fails"), -own) <= 0:
                cache.delete(_client_key(client, "fails"))
    if client.device:
        cache.set(_known_key(person_id, client.device), 1, KNOWN_DEVICE_SECONDS)


def clear_person(person_id: int) -> None:
    """Forget every wrong try at this person's PIN (a manager vouched, or the PIN changed)."""
    keys = [_person_key(person_id, "fails"), _person_key(person_id, "last")]
    keys += [f"{_person_key(person_id, 'minute')}:slot{i}" for i in range(settings.PIN_GUESSES_PER_MINUTE)]
    cache.delete_many(keys)


def clear_client(client: PinClient, person_id: int) -> None:
    """Forget this client's wrong tries (a manager standing at the tablet vouched for it)."""
    keys = [_client_key(client, part) for part in ("fails", "last", f"p{person_id}", f"p{person_id}:last")]
    keys += [f"{_client_key(client, 'minute')}:slot{i}" for i in range(settings.PIN_GUESSES_PER_MINUTE)]
    cache.delete_many(keys)
