"""Refuse request bodies over MAX_REQUEST_BODY_BYTES before anything reads them.

DRF reads the request stream itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE never
sees a JSON body: a 2.4 MB body of unknown keys cost seconds of CPU before its 400.
The declared Content-Length is checked here, ahead of every other middleware; the
JSON parser (config.json_parser) still checks the bytes it actually reads.
"""

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _


def body_too_large_message() -> str:
    return _("The request body is larger than the limit of %(limit)d bytes.") % {
        "limit": settings.MAX_REQUEST_BODY_BYTES
    }


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return JsonResponse({"detail": _("The Content-Length header is not a number.")}, status=400)
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return JsonResponse({"detail": body_too_large_message()}, status=413)
        return self.get_response(request)


class ApiNoStoreMiddleware:
    """API answers carry staff, guests and money: no browser or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response
