"""The one way a stored document leaves the system: this view, after the visibility rule.

Staff and the importer side alike (a document is visible exactly when its case is); anything else
answers 404 like a missing document. No media URL serves the documents' storage.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse

from cases.selectors import document_for_download


def download(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    document = document_for_download(request.user, pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
