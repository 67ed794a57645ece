"""The OpenAPI schema says every answer an endpoint can give, errors included.

Views document their success bodies with response serializers; the error answers
every endpoint shares (bad input, signed out, wrong role, no such row, a conflict,
a body of a content type no parser reads, a reused `Idempotency-Key`) are added here from what the view is, so that a client
generated from the schema knows them all.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, is_serializer
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import AllowAny

from idempotency.decorators import idempotent

# Field name -> messages (a list, or nested objects for nested fields), or {"detail": ...}.
FIELD_ERRORS = {
    "type": "object",
    "description": "The fields at fault, each with its messages; or `detail` when no one field is.",
    "additionalProperties": {},
}
DETAIL_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": {},
}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


# Every view method wrapped by @idempotent shares the wrapper's code object.
_IDEMPOTENT_CODE = idempotent(lambda view, request: None).__code__


def _is_idempotent(view_method) -> bool:
    return getattr(view_method, "__code__", None) is _IDEMPOTENT_CODE


class PosAutoSchema(AutoSchema):
    def _view_method(self):
        return getattr(self.view, self.method.lower(), None)

    def _signed_in_only(self) -> bool:
        return not any(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _takes_pin(self) -> bool:
        serializer = force_instance(self.get_request_serializer())
        return is_serializer(serializer) and any("pin" in name for name in serializer.fields)

    def _takes_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None

    def _takes_input(self) -> bool:
        """A body, or parameters in the path or the query: something that can be wrong or name no row."""
        return self.method in UNSAFE or bool(self._get_parameters())

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if _is_idempotent(self._view_method()):
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    OpenApiParameter.HEADER,
                    description="A retry with the same key and body returns the first answer.",
                )
            )
        return parameters

    def _error_codes(self) -> dict[str, tuple[dict, str]]:
        codes = {}
        if self._takes_input():
            codes["400"] = (FIELD_ERRORS, "Bad input, named by field.")
        if self._signed_in_only():
            codes["401"] = (DETAIL_ERROR, "Not signed in.")
        if self._signed_in_only() or self.method in UNSAFE:
            codes["403"] = (DETAIL_ERROR, "The role (or the missing CSRF token) does not allow this.")
        if self._takes_input() and (self._signed_in_only() or self.method in UNSAFE):
            codes["404"] = (DETAIL_ERROR, "No such row (named in the path, the query or the body).")
        if self.method in UNSAFE:
            codes["409"] = (DETAIL_ERROR, "The state does not allow this now, or the same request is still running.")
        if self._takes_body():
            codes["415"] = (DETAIL_ERROR, "The body is not JSON, a form or multipart (its Content-Type).")
        if _is_idempotent(self._view_method()):
            codes["422"] = (DETAIL_ERROR, "This Idempotency-Key was used for a different request.")
        if self.method in ("POST", "PUT", "PATCH") and self._takes_pin():
            codes["423"] = (DETAIL_ERROR, "The PIN is locked after too many wrong tries.")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, (schema, description) in self._error_codes().items():
            if code not in responses:
                responses[code] = {
                    "content": {"application/json": {"schema": schema}},
                    "description": description,
                }
        return responses


def close_response_objects(result, generator, request, public):
    """Every documented object lists all its keys: an answer with an undocumented key is a schema bug.

    Path ids are row ids: whole numbers from 1 (the URL patterns take no sign).
    """
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"]["minimum"] = 1
    for schema in result.get("components", {}).get("schemas", {}).values():
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    return result
