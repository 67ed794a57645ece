"""`Idempotency-Key` support for DRF views: a retry returns the first answer.

Tablets on flaky Wi-Fi resend what they did not hear back about. The first request
with a key reserves it; a retry with the same key and body gets the stored answer; a
retry while the first is still running gets 409; the same key with another body, 422.
Only successful answers are kept, so a refused request can be corrected and sent again.
"""

import datetime
import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from idempotency.models import IdempotentResponse

HEADER = "Idempotency-Key"
# A reservation older than this belongs to a request whose process died: retry it.
ABANDONED_AFTER = datetime.timedelta(seconds=60)


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(view_method):
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
        IdempotentResponse.objects.filter(
            key=key, user=owner, status_code=0, created_at__lt=timezone.now() - ABANDONED_AFTER
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotentResponse.objects.create(
                    key=key, user=owner, method=request.method, path=request.path[:300], fingerprint=fingerprint
                )
        except IntegrityError:
            first = IdempotentResponse.objects.get(key=key, user=owner)
            if first.fingerprint != fingerprint:
                return Response({HEADER: "This key was used for a different request."}, status=422)
            if first.status_code == 0:
                return Response({HEADER: "The first request with this key is still running."}, status=409)
            return Response(first.body, status=first.status_code, headers={"Idempotent-Replayed": "true"})
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

    return wrapper
