"""Errors raised by case services, and the one DRF handler that maps them to HTTP statuses."""

from django.core.exceptions import PermissionDenied, ValidationError


class CaseError(ValidationError):
    """A filing or action refused for a reason the user can fix or must know."""


class IllegalTransition(CaseError):
    def __init__(self, case, to: str, allowed: dict[str, str]):
        moves = ", ".join(sorted(allowed)) or "none (the case is final)"
        super().__init__(
            f"Case {case.reference_number} is {case.status}; it cannot move to {to}. Allowed moves: {moves}.",
            code="illegal_transition",
        )


class StaleVersion(CaseError):
    """The case changed since the page or request was made: refused whole (409 through the API)."""

    def __init__(self, case, expected: int):
        self.current_version = case.version
        super().__init__(
            f"Case {case.reference_number} changed since you loaded it (your version {expected}, now "
            f"{case.version}; status {case.status}). Reload it and try again; nothing was changed.",
            code="stale_version",
        )


class NotAllowed(PermissionDenied):
    """The user may see the case but not make this move."""


# --- The one DRF exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]) ---------------------------------
#
# Every error the API returns is JSON of one shape: {"code", "message", "field", "errors": [...]}, the
# first error at the top and all of them in "errors" (each with its code, message and field; field is
# null for an error about the whole request). The policy decides 404 against 403: a case the user
# may not see was never found (the selectors raise Http404); one the user sees but may not act on
# is NotAllowed, 403.


def api_exception_handler(exc, context):
    """Map domain and framework errors to statuses and the one error body; None lets Django answer 500."""
    from django.core.exceptions import ObjectDoesNotExist
    from django.http import Http404
    from rest_framework import exceptions as drf
    from rest_framework.response import Response
    from rest_framework.views import exception_handler

    if isinstance(exc, StaleVersion):
        body = _body([_item("stale_version", exc.messages[0], "version")])
        return Response({**body, "current_version": exc.current_version}, status=409)
    if isinstance(exc, ValidationError):
        return Response(
            _body(_django_items(exc, default="refused" if isinstance(exc, CaseError) else "invalid")), 400
        )
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return Response(_body([_item("not_found", "Not found.", None)]), status=404)
    if isinstance(exc, PermissionDenied):
        message = str(exc) or "You may not do this."
        return Response(_body([_item("not_allowed", message, None)]), status=403)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf.ValidationError):
        response.data = _body(_drf_items(exc.detail, None))
    else:
        code = getattr(exc.detail, "code", None) or exc.default_code
        response.data = _body([_item(code, str(exc.detail), None)])
    return response


def _item(code: str, message: str, field: str | None) -> dict:
    return {"code": code, "message": message, "field": field}


def _body(items: list[dict]) -> dict:
    first = items[0] if items else _item("invalid", "The request was refused.", None)
    return {**first, "errors": items or [first]}


def _django_items(exc: ValidationError, *, default: str) -> list[dict]:
    from django.core.exceptions import NON_FIELD_ERRORS

    groups = exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]
    items = []
    for name, errors in groups:
        for error in errors:
            message = error.message % error.params if error.params else error.message
            field = None if name in (None, NON_FIELD_ERRORS) else name
            items.append(_item(error.code or default, str(message), field))
    return items


def _drf_items(detail, field: str | None) -> list[dict]:
    """Flatten a serializer's nested errors; a nested field is named with dots (lines.0.hts_number)."""
    from rest_framework.settings import api_settings

    if isinstance(detail, dict):
        items = []
        for name, sub in detail.items():
            name = None if name == api_settings.NON_FIELD_ERRORS_KEY else str(name)
            items += _drf_items(sub, ".".join(p for p in (field, name) if p) or None)
        return items
    if isinstance(detail, list):
        items = []
        for n, sub in enumerate(detail):
            nested = isinstance(sub, dict | list)
            items += _drf_items(sub, f"{field}.{n}" if nested and field else field)
        return items
    return [_item(getattr(detail, "code", None) or "invalid", str(detail), field)]
