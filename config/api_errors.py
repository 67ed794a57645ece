"""Turn domain errors raised by services into clear 4xx API answers.

Services raise Django's ValidationError (keyed by field where a field is at fault),
PermissionDenied, or a TransitionNotAllowed; the API must answer 400/403/409 naming
the field, never 500.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from staff.errors import PinThrottled
from workflow import TransitionNotAllowed


def validation_error_body(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()}
    return {"detail": " ".join(str(m) for m in error.messages)}


def handle_api_exception(exc, context):
    if isinstance(exc, PinThrottled):
        return Response(
            {"detail": str(exc), "code": "pin_wait", "retry_after": exc.retry_after},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, TransitionNotAllowed):
        return Response({"detail": str(exc), "code": "transition_not_allowed"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or _("You do not have permission to do this.")}, status=403)
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or _("Not found.")}, status=404)
    return exception_handler(exc, context)
