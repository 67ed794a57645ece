"""`Idempotency-Key` support for DRF views: a retry returns the first answer.

Tablets on flaky Wi-Fi resend what they did not hear back about. A retry with the
same key and body gets the stored answer; a retry while the first is still running
gets 409; the same key with another body, 422. Only successful answers are kept, so a
refused request can be corrected and sent again.

Crash safety: the key's row, the view's work and the stored answer are written in ONE
transaction (the services' own `atomic` blocks nest inside it as savepoints). So there
is never a committed "reserved but not answered" row: if the process dies mid-request
its transaction dies with it (PostgreSQL rolls back when the connection drops, SQLite
when the process that held the write lock is gone) and nothing of the request was
applied. A retry after a crash therefore runs at once, and runs the work exactly once;
this holds for actions with no `client_uuid` of their own (refunds, discounts, cash
movements) too.

"Still running" is asked of a lock that lives exactly as long as the first request:
- PostgreSQL: `pg_try_advisory_xact_lock` on a hash of (user, key), taken in that
  transaction; it goes with the commit, the rollback or the dropped connection of a
  dead process. Taken: no one is running this key (answer stored, or none) -> go on.
  Not taken: 409. Works across processes and nodes.
- SQLite (one `make run` process): a set of the keys in flight in this process. A key
  in it is running here (409); a new process starts with an empty set, and the dead
  process's write transaction was rolled back by SQLite.

What one transaction cannot undo: a view that calls an outside service (Stripe for a
card refund) and dies after the service answered but before the commit; the window is
the few milliseconds between its answer and the commit.

Views that must commit before they end are marked `@idempotent(commits_in_steps=True)`:
the FIAS guest lookup is answered by another process that must see the committed
question, and a card payment's row must survive a crash because Stripe's intent is
keyed by it. Their key is reserved in a transaction of its own (status 0) and the
request holds a lock for its life: on PostgreSQL a session advisory lock (gone with
the connection of a dead process), on SQLite the reservation names its process
(host, pid, nonce) and a retry checks whether that process lives. A retry that finds
the first dead takes over at once; such views must then be safe to run again by their
own means (the payments' client UUID, a posting's state), since the first may have
committed part of its work.

A committed row still waiting for its answer (status 0) was written by an older
version of this code (which reserved in a transaction of its own): within
ABANDONED_AFTER it may still be running there (409); after that it is presumed dead.

The fingerprint that tells a retry from another request is an HMAC keyed by
SECRET_KEY over the method, the path and the body without its PIN fields: the stored
value reveals no PIN (four digits would fall to a brute force over a plain hash).
Rows written with the former plain sha256 fingerprint simply do not match any more
(422 for a retry across the upgrade).
"""

import contextlib
import datetime
import functools
import hashlib
import json
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework.response import Response

from idempotency.models import IdempotentResponse

HEADER = "Idempotency-Key"
# A status-0 row (older code) younger than this may still be running in an old process.
ABANDONED_AFTER = datetime.timedelta(seconds=60)
# Fields that carry a secret: "pin", "approver_pin", "manager_pin", "new_pin"...
SECRET_FIELD = re.compile(r"(?:^|_)pin(?:_|$)", re.IGNORECASE)
FINGERPRINT_SALT = "tafel.idempotency.fingerprint"

_in_flight: set[tuple[int, str]] = set()
_in_flight_guard = threading.Lock()


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if not SECRET_FIELD.search(str(k))}
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value]
    return value


def _fingerprint(request) -> str:
    try:
        body = json.dumps(_without_secrets(request.data), sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = ""
    message = f"{request.method} {request.path}\n{body}"
    return salted_hmac(FINGERPRINT_SALT, message, algorithm="sha256").hexdigest()


def _lock_id(user_id: int, key: str) -> int:
    """A signed 64-bit number for (user, key), as PostgreSQL's advisory locks take it."""
    digest = hashlib.blake2b(f"{user_id}\n{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextlib.contextmanager
def _first_in_this_process(user_id: int, key: str) -> Iterator[bool]:
    """False while another request of this process runs the key (SQLite's whole story;
    on PostgreSQL the advisory lock answers for every process, see `_first_everywhere`)."""
    if connection.vendor == "postgresql":
        yield True
        return
    entry = (user_id, key)
    with _in_flight_guard:
        taken = entry not in _in_flight
        if taken:
            _in_flight.add(entry)
    try:
        yield taken
    finally:
        if taken:
            with _in_flight_guard:
                _in_flight.discard(entry)


def _first_everywhere(user_id: int, key: str) -> bool:
    """In the open transaction: take PostgreSQL's lock on the key until it ends; False if taken."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_id(user_id, key)])
        return bool(cursor.fetchone()[0])


def _still_running() -> Response:
    return Response({HEADER: "The first request with this key is still running."}, status=409)


def _this_runner() -> str:
    """This process, as a reservation names it: host, pid and a nonce (a reused pid differs)."""
    global _runner
    if _runner is None or _runner[0] != os.getpid():
        _runner = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    return _runner[1]


_runner: tuple[int, str] | None = None


def _runner_is_gone(runner: str) -> bool | None:
    """Whether the process that wrote a reservation has died; None when this cannot be told here."""
    host, _, rest = runner.partition(":")
    pid_text, _, _nonce = rest.partition(":")
    if not runner or host != socket.gethostname() or not pid_text.isdigit():
        return None
    if runner == _this_runner():
        # This process: the key is not in flight here (asked before), so its request ended.
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _answer_to_retry(first: IdempotentResponse, fingerprint: str) -> Response | None:
    """What a retry gets when the key already has a row; None when that row is abandoned.

    Called holding the key's lock: on PostgreSQL whoever reserved it (with a runner) died.
    """
    if first.fingerprint != fingerprint:
        return Response({HEADER: "This key was used for a different request."}, status=422)
    if first.status_code == 0:
        if first.runner:
            gone = True if connection.vendor == "postgresql" else _runner_is_gone(first.runner)
            if gone is not None:
                return None if gone else _still_running()
        if first.created_at >= timezone.now() - ABANDONED_AFTER:
            return _still_running()
        return None
    return Response(first.body, status=first.status_code, headers={"Idempotent-Replayed": "true"})


def _run_once(view_method, view, request, args, kwargs, *, owner, key: str, fingerprint: str) -> Response:
    """Run the view for a key no one else runs now, its work and its answer in one transaction."""
    with transaction.atomic():
        if not _first_everywhere(owner.pk, key):
            return _still_running()
        first = IdempotentResponse.objects.filter(key=key, user=owner).first()
        if first is not None:
            answer = _answer_to_retry(first, fingerprint)
            if answer is not None:
                return answer
            first.delete()
        try:
            with transaction.atomic():
                record = IdempotentResponse.objects.create(
                    key=key, user=owner, method=request.method, path=request.path[:300], fingerprint=fingerprint
                )
        except IntegrityError:
            # An older version's reservation, committed meanwhile by another process.
            return _still_running()
        refusal: Exception | None = None
        try:
            response = view_method(view, request, *args, **kwargs)
        except Exception as error:
            # A refusal raised as an exception: like a refused answer below, what the
            # view committed on the way stays (a wrong PIN's count must survive it).
            try:
                record.delete()
            except DatabaseError:
                raise error from None  # the transaction is broken: nothing of it can be kept
            refusal = error
        else:
            if 200 <= response.status_code < 300:
                record.status_code = response.status_code
                record.body = response.data
                record.save(update_fields=["status_code", "body"])
            else:
                # A refusal is not kept (it can be corrected and sent again), but what
                # the view wrote on the way (an audit row) is.
                record.delete()
    if refusal is not None:
        raise refusal
    return response


@contextlib.contextmanager
def _session_lock(user_id: int, key: str) -> Iterator[bool]:
    """PostgreSQL: hold the key's advisory lock on this connection until the block ends
    (or the connection dies with its process); False if another session holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    lock_id = _lock_id(user_id, key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        taken = bool(cursor.fetchone()[0])
    try:
        yield taken
    finally:
        if taken:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


def _run_in_steps(view_method, view, request, args, kwargs, *, owner, key: str, fingerprint: str) -> Response:
    """For a view that must commit before it is done (see the module's docstring): the key is
    reserved in a transaction of its own, under a lock or a process that lives as long as the request."""
    with _session_lock(owner.pk, key) as alone:
        if not alone:
            return _still_running()
        first = IdempotentResponse.objects.filter(key=key, user=owner).first()
        if first is not None:
            answer = _answer_to_retry(first, fingerprint)
            if answer is not None:
                return answer
            first.delete()
        try:
            with transaction.atomic():
                record = IdempotentResponse.objects.create(
                    key=key,
                    user=owner,
                    method=request.method,
                    path=request.path[:300],
                    fingerprint=fingerprint,
                    runner=_this_runner(),
                )
        except IntegrityError:
            return _still_running()
        try:
            response = view_method(view, request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.body = response.data
            record.save(update_fields=["status_code", "body"])
        else:
            record.delete()
        return response


def idempotent(view_method=None, *, commits_in_steps: bool = False):
    """`@idempotent`, or `@idempotent(commits_in_steps=True)` for a view that must commit
    part of its work before it ends (another process reads it, e.g. the FIAS link's guest
    lookup, or an outside service keyed by a row that must survive a crash)."""
    if view_method is None:
        return functools.partial(idempotent, commits_in_steps=commits_in_steps)
    run = _run_in_steps if commits_in_steps else _run_once

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key and len(key) > 100:
            return Response({HEADER: "At most 100 characters."}, status=400)
        owner = request.user if request.user.is_authenticated else None
        if owner is None and request.auth is not None:
            # A device (a kitchen screen) keeps its keys apart under the person who paired it.
            owner = getattr(request.auth, "idempotency_user", None)
            key = f"{request.auth.idempotency_scope}{key}" if key and owner else key
        if not key or owner is None:
            return view_method(view, request, *args, **kwargs)
        fingerprint = _fingerprint(request)
        # Asked before the transaction: SQLite's BEGIN IMMEDIATE would wait for the first.
        with _first_in_this_process(owner.pk, key) as alone_here:
            if not alone_here:
                return _still_running()
            return run(view_method, view, request, args, kwargs, owner=owner, key=key, fingerprint=fingerprint)

    return wrapper
