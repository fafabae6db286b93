"""Documents and messages through the API (issue 14 item 1 on issue 13's services): a multipart upload
checked whole (size limit, type from the content, the EICAR scan) and refused on its `file` field
with nothing stored; the authorised download by SHA-256; the thread, written by either side."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Document, Message
from cases.services.scanning import EICAR
from tests.api.helpers import V1, client_for, file_protest, key, make_world
from tests.factories import broker_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n"


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def case(world):
    return file_protest(world)["reference_number"]


def upload(client, reference: str, data: bytes, name: str = "invoice.pdf", idem: str | None = None):
    return client.post(
        f"{V1}/cases/{reference}/documents/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=idem or key(),
    )


def test_an_upload_is_stored_under_its_sha256_and_downloads_as_uploaded(world, case):
    response = upload(world.filer_client(), case, PDF)
    assert response.status_code == 201, response.json()
    digest = hashlib.sha256(PDF).hexdigest()
    body = response.json()
    assert body["sha256"] == digest
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    assert body["download"] == f"{V1}/cases/{case}/documents/{digest}/"
    assert "id" not in body
    assert Document.objects.get(sha256=digest).case.reference_number == case
    # The Center's staff list and download it.
    staff = world.staff_client()
    listed = staff.get(f"{V1}/cases/{case}/documents/").json()["results"]
    assert [d["sha256"] for d in listed] == [digest]
    download = staff.get(body["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]


def test_a_retried_upload_stores_once_and_another_file_under_the_same_key_is_refused(world, case):
    client = world.filer_client()
    first = upload(client, case, PDF, idem="upload-1")
    again = upload(client, case, PDF, idem="upload-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Document.objects.count() == 1
    # Same name, other bytes: another request under a used key.
    other = upload(client, case, PDF + b"2", idem="upload-1")
    assert other.status_code == 422
    assert Document.objects.count() == 1


def test_an_upload_over_the_size_limit_is_refused_on_its_file_field_and_the_limit_itself_is_accepted(
    world, case, settings
):
    settings.DOCUMENT_MAX_BYTES = 64
    client = world.filer_client()
    at_limit = PDF + b"x" * (64 - len(PDF))
    assert upload(client, case, at_limit).status_code == 201
    over = upload(client, case, at_limit + b"x")
    assert over.status_code == 400
    assert over.json()["field"] == "file" and "limit" in over.json()["message"]
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    "data, words",
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "not an allowed type"),  # an executable named .pdf
        (b"", "empty"),
        (b"Plain text then " + EICAR, "refused"),  # the scan (TestScanner refuses EICAR)
    ],
    ids=["type read from the content", "empty", "EICAR scan"],
)
def test_a_refused_upload_names_the_file_field_and_stores_nothing(world, case, data, words):
    response = upload(world.filer_client(), case, data)
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == "file"
    assert words in response.json()["message"]
    assert Document.objects.count() == 0


def test_an_upload_without_a_file_or_in_json_is_refused(world, case):
    client = world.filer_client()
    missing = client.post(f"{V1}/cases/{case}/documents/", {}, format="multipart", HTTP_IDEMPOTENCY_KEY=key())
    assert missing.status_code == 400 and missing.json()["field"] == "file"
    as_json = client.post(f"{V1}/cases/{case}/documents/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert as_json.status_code == 415
    no_key = client.post(f"{V1}/cases/{case}/documents/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert no_key.status_code == 400 and no_key.json()["field"] == "Idempotency-Key"
    assert Document.objects.count() == 0


def test_staff_of_another_center_see_the_case_but_may_not_write_on_it(world, case):
    other = client_for(world.other_center_specialist)
    assert other.get(f"{V1}/cases/{case}/documents/").status_code == 200
    refused = upload(other, case, PDF)
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    message = other.post(
        f"{V1}/cases/{case}/messages/", {"body": "Hi"}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert message.status_code == 403
    assert Document.objects.count() == 0 and Message.objects.count() == 0


def test_a_broker_outside_the_delegated_kinds_cannot_see_or_upload(world, case):
    psc_only = broker_user(world.importer, kinds=("psc",))
    client = client_for(psc_only, world.importer)
    assert upload(client, case, PDF).status_code == 404
    assert client.get(f"{V1}/cases/{case}/documents/").status_code == 404
    delegated = broker_user(world.importer, kinds=("protest",))
    assert upload(client_for(delegated, world.importer), case, PDF).status_code == 201


def test_a_document_is_named_by_its_sha256_never_by_its_database_id(world, case):
    upload(world.filer_client(), case, PDF)
    document = Document.objects.get()
    client = world.filer_client()
    assert client.get(f"{V1}/cases/{case}/documents/{document.pk}/").status_code == 404
    assert client.get(f"{V1}/cases/{case}/documents/{'0' * 64}/").status_code == 404
    # Upper case digests name the same document.
    assert client.get(f"{V1}/cases/{case}/documents/{document.sha256.upper()}/").status_code == 200


def test_messages_from_either_side_form_the_thread_and_tell_the_other_side(world, case):
    filer = world.filer_client()
    written = filer.post(
        f"{V1}/cases/{case}/messages/",
        {"body": "Please see the invoice."},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key(),
    )
    assert written.status_code == 201, written.json()
    assert written.json()["side"] == "importer" and written.json()["author"] == world.filer.username
    answer = world.staff_client().post(
        f"{V1}/cases/{case}/messages/",
        {"body": "Received; and the packing list?", "files": [SimpleUploadedFile("list.pdf", PDF)]},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key(),
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["side"] == "center"
    assert [d["sha256"] for d in answer.json()["documents"]] == [hashlib.sha256(PDF).hexdigest()]
    thread = filer.get(f"{V1}/cases/{case}/messages/").json()["results"]
    assert [m["side"] for m in thread] == ["importer", "center"]
    assert thread[1]["documents"][0]["name"] == "list.pdf"
    assert Message.objects.count() == 2 and Document.objects.filter(message__isnull=False).count() == 1


@pytest.mark.parametrize(
    "body, field",
    [({"body": ""}, "body"), ({}, "body"), ({"body": "x" * 10_001}, "body")],
    ids=["blank", "missing", "over 10,000 characters"],
)
def test_a_refused_message_names_its_field_and_stores_nothing(world, case, body, field):
    response = world.filer_client().post(
        f"{V1}/cases/{case}/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Message.objects.count() == 0


def test_a_message_of_exactly_10000_characters_is_accepted(world, case):
    response = world.filer_client().post(
        f"{V1}/cases/{case}/messages/", {"body": "x" * 10_000}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert response.status_code == 201


def test_an_attachment_refused_by_the_scan_refuses_the_whole_message(world, case):
    response = world.filer_client().post(
        f"{V1}/cases/{case}/messages/",
        {"body": "Attached", "files": [SimpleUploadedFile("x.txt", b"Hello " + EICAR)]},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key(),
    )
    assert response.status_code == 400 and response.json()["field"] == "file"
    assert Message.objects.count() == 0 and Document.objects.count() == 0
