"""What every API package shares: the error body's schema, keyset cursors, and the common refusals.

Both apps' API packages (cases/api/, importers/api/) build on this; it imports neither app.
"""

import base64
import binascii
import json

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, e.g. not_found, refused, stale_version")
    message = serializers.CharField(help_text="What was refused and why, with the rule where one applies")
    field = serializers.CharField(
        allow_null=True, help_text="The input at fault (dotted for nested), or null"
    )


class ErrorSerializer(ErrorItemSerializer):
    """Every error answer: the first error at the top level, all of them in `errors`."""

    errors = ErrorItemSerializer(many=True)


class StaleErrorSerializer(ErrorSerializer):
    current_version = serializers.IntegerField(help_text="The case's version now: reload, then send it")


def error(description: str, serializer=ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


# The statuses any authenticated endpoint may answer.
READ_ERRORS = {
    400: error("A query parameter is refused (the field names it)"),
    401: error("No credentials, or an unknown, expired or revoked token"),
    403: error("CSRF token missing on a session request"),
    404: error("No such object among those the caller may see"),
    429: error("Too many requests: retry after the Retry-After header's seconds"),
}
LIST_ERRORS = {k: v for k, v in READ_ERRORS.items() if k != 404}


class PageQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The `next_cursor` of the previous page (empty: the first)",
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list:
    """The values a cursor names; a damaged cursor is a 400 on the `cursor` field."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != length or not all(isinstance(v, str) for v in raw):
            raise ValueError(raw)
        return raw
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError(
            {"cursor": "This page link is damaged or was not made by this list; start from the first page."}
        ) from None
