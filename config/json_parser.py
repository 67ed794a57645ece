"""The API's JSON parser: a body nested too deep, too wide or too large is a 400 naming it.

json.loads recurses, so `[[[[...]]]]` 100 000 deep raised RecursionError (a 500, even
signed out). No request of ours nests beyond a few levels or carries thousands of keys
in one object; refusing such bodies here keeps every view's validation cheap.
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config.request_limits import body_too_large_message

MAX_DEPTH = 64
MAX_KEYS_PER_OBJECT = 1000


def _refuse_if_too_deep_or_wide(data) -> None:
    # Iterative, so the check itself cannot overflow the stack.
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
            if len(value) > MAX_KEYS_PER_OBJECT:
                raise ParseError(
                    _("An object in the request body has more than %(limit)d keys.") % {"limit": MAX_KEYS_PER_OBJECT}
                )
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise ParseError(_("The request body is nested more than %(limit)d levels deep.") % {"limit": MAX_DEPTH})
        pending.extend((child, depth + 1) for child in children)


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.MAX_REQUEST_BODY_BYTES
        # A body sent without Content-Length (chunked) is not seen by the middleware.
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(body_too_large_message())
        try:
            data = json.loads(raw.decode(settings.DEFAULT_CHARSET or "utf-8"), parse_constant=self._refuse_constant)
        except RecursionError:
            raise ParseError(
                _("The request body is nested more than %(limit)d levels deep.") % {"limit": MAX_DEPTH}
            ) from None
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(_("The request body is not valid JSON: %(error)s") % {"error": error}) from None
        _refuse_if_too_deep_or_wide(data)
        return data

    @staticmethod
    def _refuse_constant(name: str):
        # NaN and Infinity are not JSON (DRF's STRICT_JSON refuses them too).
        raise ValueError(f"{name} is not allowed")
