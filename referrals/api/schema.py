"""How the referrals API describes itself, so that the OpenAPI schema documents every answer
the API can give: the errors every operation shares, and police area codes as the list of
codes the portal knows (so an unknown code is documented as invalid, not just any string)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from rjportal.areas.models import PoliceArea
from rjportal.areas.reference_data import police_area_codes

# Every request needs a token or a session; all answers are JSON.
_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field errors ({"received_on": ["…"]}, "non_field_errors" for the whole record, or a
# parameter's name for a filter) or, for a body that cannot be read, {"detail": "…"}.
_VALIDATION = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
    },
    "minProperties": 1,
}


def _json(schema, description, headers=None):
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


UNAUTHORISED = _json(
    _DETAIL,
    "No token or session, or a token that is unknown, expired, revoked or whose creator may no longer use it",
    headers={"WWW-Authenticate": {"schema": {"type": "string", "enum": ["Token"]}, "required": True}},
)
FORBIDDEN = _json(_DETAIL, "Your role cannot use this operation (or a session's CSRF check failed)")
NOT_FOUND = _json(_DETAIL, "No such object within your scope, or no such page")
THROTTLED = _json(
    _DETAIL,
    "Too many requests for this token: wait the number of seconds in Retry-After",
    headers={
        "Retry-After": {
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
            "required": True,
            "description": "Seconds to wait before trying again",
        }
    },
)
BAD_REQUEST = _json(_VALIDATION, "Invalid values: each field or parameter's messages, as the web form gives them")


def area_codes() -> list[str]:
    # From the shipped reference file, not the database: `check --deploy` builds the schema
    # before any database exists.
    return police_area_codes()


class AreaCodeField(serializers.SlugRelatedField):
    """A police force area by its ONS code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("help_text", "ONS police force area code, for example E23000032")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", PoliceArea.objects.all())
        super().__init__(**kwargs)


class AreaCodeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = AreaCodeField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": area_codes()}


# DRF refuses text with a NUL character in it ("Null characters are not allowed").
NO_NUL = "^[^\\x00]*$"


class ApiAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and "enum" not in schema
        ):
            schema.setdefault("pattern", NO_NUL)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        if method != "GET" or self._is_list_view():
            responses.setdefault("400", BAD_REQUEST)
        responses.setdefault("401", UNAUTHORISED)
        responses.setdefault("403", FORBIDDEN)
        if self._is_list_view() or "{" in self.path:
            responses.setdefault("404", NOT_FOUND)
        responses.setdefault("429", THROTTLED)
        return responses

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        if filterset_class is None:
            return parameters
        from .filters import AreaCodeFilter

        area_filters = {
            name for name, field in filterset_class.base_filters.items() if isinstance(field, AreaCodeFilter)
        }
        for parameter in parameters:
            if parameter["name"] in area_filters:
                parameter["schema"] = {"type": "string", "enum": area_codes()}
        return parameters
