"""Every download's headers come from cee_portal.downloads: an attachment, never re-sniffed, never cached."""

import pytest
from django.http import HttpResponse

from cee_portal.downloads import private_download
from tests.factories import sign_in_as, staff_user

pytestmark = pytest.mark.django_db

PRIVATE = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def test_a_download_is_a_private_uncached_attachment_and_a_non_ascii_name_is_encoded():
    response = private_download(HttpResponse(b"x"), "queue-2026.csv")
    assert response["Content-Disposition"] == 'attachment; filename="queue-2026.csv"'
    assert {k: response[k] for k in PRIVATE} == PRIVATE
    named = private_download(HttpResponse(b"x"), 'Rechnung "März".pdf')
    assert named["Content-Disposition"] == "attachment; filename*=utf-8''Rechnung%20%22M%C3%A4rz%22.pdf"


@pytest.mark.parametrize("path", ["/queue/export.csv", "/moves/preview.csv"])
def test_the_staff_exports_carry_the_same_headers(client, path):
    sign_in_as(client, staff_user(None, role="admin"))
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment; filename=")
    assert {k: response[k] for k in PRIVATE} == PRIVATE
