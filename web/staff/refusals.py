"""The page a refused act answers with (403): what was refused and who may do it.

An invisible or missing row is a 404 (the selectors raise it), never this page: a refusal tells
only that the act is not this user's, about a row the user may see anyway.
"""

from django.template.response import TemplateResponse


def not_allowed(request, message: str) -> TemplateResponse:
    return TemplateResponse(
        request, "staff/not_allowed.html", {"title": "Not allowed", "message": message}, status=403
    )
