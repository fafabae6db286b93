"""What users see when the site cannot answer: the database unreachable (503) or a bug (500).

The database may go away under a running site (a restart, a failover). A request that needs it then
fails on its first query; `DatabaseUnavailableMiddleware` turns that into a 503 that says to try again
(pages: templates/503.html; the API: its one JSON error body), never a traceback, and logs it for
on-call. Connections are checked before reuse (CONN_HEALTH_CHECKS) and a broken one is closed at the
end of the request, so the site recovers by itself once the database is back (tests/test_fault_database.py).

Both pages are standalone templates: they use no context processor, no session, no static-file
manifest lookup, so they render when nothing else works.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"


def _error_body(code: str, message: str) -> dict:
    item = {"code": code, "message": message, "field": None}
    return {**item, "errors": [item]}


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def unavailable_response(request) -> HttpResponse:
    if _is_api(request):
        response = JsonResponse(
            _error_body(
                "service_unavailable",
                "The service is briefly unavailable (its database could not answer). Retry in "
                f"{RETRY_AFTER_SECONDS} seconds with the same Idempotency-Key: it then acts at most once.",
            ),
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A request that failed because the database is unreachable answers 503, not a 500 traceback.

    OperationalError also covers what a retry fixes while the database is up (a deadlock victim, a
    statement cancelled by a timeout, the server shutting down): 503 and "retry" fit those too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "database unreachable: request answered 503", exc_info=exception, extra={"path": request.path}
        )
        return unavailable_response(request)


def server_error(request, *args, **kwargs) -> HttpResponse:
    """handler500: the API's JSON error body, or the friendly page (never a traceback)."""
    if _is_api(request):
        return JsonResponse(
            _error_body(
                "server_error",
                "The server failed to answer this request; it was logged. Retry with the same "
                "Idempotency-Key: the request then acts at most once.",
            ),
            status=500,
        )
    return HttpResponse(render_to_string("500.html"), status=500)
