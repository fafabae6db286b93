"""The headers of every download, in one place below every app (pages and the API both use it).

A download is an attachment (never shown inline, so an uploaded HTML or SVG file cannot run as the
site's page), under the type it was stored or built with and never re-sniffed by the browser, and
private and never cached (a case's files and lists are for the signed-in user only, and a shared
machine or proxy must not keep them).
"""

from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header


def private_download(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    """Mark a response as a private, uncached attachment named `filename`."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file_download(document) -> FileResponse:
    """A stored document (`file`, `original_name`, `content_type`) as a private attachment."""
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    return private_download(response, document.original_name)
