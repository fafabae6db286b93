"""The one way a stored document leaves the system: this view, after the visibility rule.

Staff and the importer side alike (a document is visible exactly when its case is); anything else
answers 404 like a missing document. No media URL serves the documents' storage.
"""

from django.contrib.auth.views import redirect_to_login

from cases.selectors import document_for_download
from cee_portal.downloads import stored_file_download


def download(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return stored_file_download(document_for_download(request.user, pk))
