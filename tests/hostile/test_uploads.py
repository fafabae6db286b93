"""Issue 15 item 3: uploads that lie about their type, are empty, oversized or malformed, at every
entry point that takes a file: the portal's document form, a message's attachment, a CF-28 answer's
documents, and the API's multipart upload.

Each is refused with the reason on the file's field, writes no row and stores no file; the size limit
(settings.DOCUMENT_MAX_BYTES) holds on both sides at each entry point. A hypothesis probe sends
arbitrary bytes under arbitrary names: stored exactly (same SHA-256, type read from the content) when
the content is an allowed type, refused otherwise.
"""

import datetime as dt
import hashlib
import io
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from cases import services
from cases.models import Document
from cases.services.documents import sniff_type
from cee_portal.legal_time import legal_today
from tests.api.helpers import client_for
from tests.factories import EntryFactory, ImporterFactory, staff_user, trade_user
from tests.hostile.checks import HOSTILE, rolled_back, row_counts

pytestmark = pytest.mark.django_db

LIMIT = 4096


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


LIARS = {
    "an EXE named .pdf": ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200),
    "an ELF named .pdf": ("invoice.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
    "HTML with NUL named .pdf": ("invoice.pdf", b"<html><script>alert(1)</script>\x00</html>"),
    "a ZIP that is no office file named .docx": ("letter.docx", _zip(["payload.exe"])),
    "a truncated DOCX": ("letter.docx", _zip(["[Content_Types].xml", "word/document.xml"])[:60]),
    "a GIF named .png": ("scan.png", b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20),
    "Latin-1 text": ("notes.txt", "Résumé façade".encode("latin-1")),
    "control bytes": ("notes.txt", b"ok\x1b[2J\x07"),
    "empty": ("empty.pdf", b""),
}


@pytest.fixture
def world(client, settings, _documents_in_tmp):
    settings.DOCUMENT_MAX_BYTES = LIMIT
    settings.API_THROTTLE_USER_RATE = "100000/min"
    importer = ImporterFactory()
    filer = trade_user(importer)
    entry = EntryFactory(importer=importer, entry_date=legal_today() - dt.timedelta(days=40))
    cf28 = services.issue_information_request(actor=staff_user(), entry=entry, questions="Send the invoice")
    filer.save()
    client.force_login(filer, backend="django.contrib.auth.backends.ModelBackend")
    return {
        "client": client,
        "filer": filer,
        "importer": importer,
        "case": cf28,
        "storage": _documents_in_tmp,
    }


def stored_files(storage) -> list[str]:
    root = storage.location
    import os

    return [name for _, _, names in os.walk(root) for name in names] if os.path.isdir(root) else []


def send(world, point: str, name: str, data: bytes):
    """Upload one file through one entry point; (response, the names of the fields refused)."""
    case, client = world["case"], world["client"]
    upload = SimpleUploadedFile(name, data)
    if point == "portal document":
        response = client.post(f"/portal/cases/{case.reference_number}/documents/", {"document-file": upload})
        form = response.context and response.context.get("document_form")
        return response, set(form.errors) if form is not None else set()
    if point == "portal message":
        response = client.post(
            f"/portal/cases/{case.reference_number}/messages/",
            {"message-body": "See file", "message-file": upload},
        )
        form = response.context and response.context.get("message_form")
        return response, set(form.errors) if form is not None else set()
    if point == "cf28 answer":
        data = {"filing_token": uuid.uuid4().hex, "version": case.version, "answer": "Invoice", "file": "1",
                "documents": [upload]}  # fmt: skip
        response = client.post(f"/portal/file/case/{case.reference_number}/answer/", data)
        form = response.context and response.context.get("form")
        return response, set(form.errors) if form is not None else set()
    api = client_for(world["filer"], world["importer"])
    response = api.post(
        f"/api/v1/cases/{case.reference_number}/documents/",
        {"file": upload},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    fields = (
        {item["field"] for item in response.json().get("errors", [])}
        if response.status_code >= 400
        else set()
    )
    return response, fields


POINTS = ["portal document", "portal message", "cf28 answer", "api"]
FILE_FIELDS = {"file", "documents"}


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("liar", sorted(LIARS))
def test_a_lying_empty_or_malformed_file_is_refused_on_its_field_and_nothing_is_stored(world, point, liar):
    name, data = LIARS[liar]
    before = row_counts()
    response, refused = send(world, point, name, data)
    assert 400 <= response.status_code < 500 or (response.status_code == 200 and refused), (
        response.status_code
    )
    assert refused & FILE_FIELDS, refused
    assert row_counts() == before
    assert stored_files(world["storage"]) == []


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize(("size", "accepted"), [(LIMIT - 1, True), (LIMIT, True), (LIMIT + 1, False)])
def test_the_size_limit_holds_on_both_sides_at_every_entry_point(world, point, size, accepted):
    data = b"%PDF-1.7\n" + b"0" * (size - 9)
    before = row_counts()
    response, refused = send(world, point, "big.pdf", data)
    assert response.status_code < 500
    if accepted:
        assert response.status_code in (201, 302), (response.status_code, refused)
        assert Document.objects.get().sha256 == hashlib.sha256(data).hexdigest()
    else:
        assert refused & FILE_FIELDS and row_counts() == before
        assert stored_files(world["storage"]) == []


PREFIXES = [b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"PK\x03\x04", b"MZ", b"a,b\n"]


@HOSTILE
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=LIMIT + 64),
    name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(lambda n: n + ".pdf"),
)
def test_any_bytes_under_any_name_are_stored_exactly_or_refused(world, prefix, body, name):
    data = (prefix + body)[: LIMIT + 64]
    with rolled_back():
        before = row_counts()
        response, refused = send(world, "portal document", name, data)
        assert response.status_code < 500
        if response.status_code == 302:
            document = Document.objects.get()
            assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == len(data)
            assert document.content_type == sniff_type(data) and 0 < len(data) <= LIMIT
            with document.file.open("rb") as stored:
                assert stored.read() == data
        else:
            assert refused & FILE_FIELDS and row_counts() == before
            # Refused only for a reason of its content: empty, over the limit, or no allowed type.
            assert not data or len(data) > LIMIT or sniff_type(data) is None, (name, data[:40])
