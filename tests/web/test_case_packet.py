"""The case record packet (issue 12 item 4): a streamed ZIP of the summary, the decision, the full
timeline and a SHA-256 manifest that matches every other file in it."""

import csv
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.urls import reverse

from cases import services
from cases.services.casework import add_internal_note
from tests.factories import ImporterFactory, liquidated_entry, protest_input, staff_user, trade_user

pytestmark = pytest.mark.django_db


def login(client, user) -> None:
    user.refresh_from_db()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def decided_protest():
    importer = ImporterFactory()
    entry = liquidated_entry(importer, dt.date(2026, 5, 1))
    case = services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    specialist = staff_user()
    add_internal_note(case, actor=specialist, text="Checked the ruling.")
    services.decide_case(
        case, actor=specialist, outcome="denied", reasons="Correctly classified.",
        decided_on=dt.date(2026, 7, 1), today=dt.date(2026, 7, 1),
    )  # fmt: skip
    return case, specialist


def download(client, case) -> zipfile.ZipFile:
    response = client.get(reverse("staff:case-packet", args=[case.reference_number]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert f"case-{case.reference_number}-" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_packet_holds_summary_decision_timeline_and_a_matching_manifest(client):
    case, specialist = decided_protest()
    login(client, specialist)
    archive = download(client, case)
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == ["summary.html", "decision.html", "timeline.csv", "MANIFEST.sha256"]
    manifest = {}
    for line in archive.read("MANIFEST.sha256").decode().splitlines():
        digest, name = line.split("  ", 1)
        manifest[name] = digest
    assert set(manifest) == set(names) - {"MANIFEST.sha256"}
    for name, digest in manifest.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    assert "Correctly classified." in archive.read("decision.html").decode()
    assert case.reference_number in archive.read("summary.html").decode()
    rows = list(csv.reader(io.StringIO(archive.read("timeline.csv").decode())))
    assert len(rows) - 1 == case.events.count()  # the full timeline, internal notes included
    assert "Checked the ruling." in {row[-1] for row in rows}


def test_undecided_case_has_no_decision_file(client):
    importer = ImporterFactory()
    entry = liquidated_entry(importer, dt.date(2026, 5, 1))
    case = services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    login(client, staff_user("CEE001"))
    assert "decision.html" not in download(client, case).namelist()


def test_packet_is_for_staff_and_a_missing_case_is_missing(client):
    case, _ = decided_protest()
    login(client, trade_user(case.importer))
    assert client.get(reverse("staff:case-packet", args=[case.reference_number])).status_code == 404
    login(client, staff_user())
    assert client.get(reverse("staff:case-packet", args=["9999-26-000001"])).status_code == 404


def test_packet_holds_every_document_of_the_case_in_the_manifest(client):
    """Issue 13 item 4: staff see the documents filed through the portal in the record packet too."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    importer = ImporterFactory()
    filer = trade_user(importer)
    case = services.file_protest(
        actor=filer, importer=importer, **protest_input([liquidated_entry(importer, dt.date(2026, 5, 1))]),
        filed_on=dt.date(2026, 6, 2),
    ).case  # fmt: skip
    first = services.upload_document(
        actor=filer, case=case, upload=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n% first\n")
    )
    second = services.upload_document(
        actor=filer, case=case, upload=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n% second\n")
    )
    login(client, staff_user())
    archive = download(client, case)
    documents = [n for n in archive.namelist() if n.startswith("documents/")]
    assert documents == [f"documents/{first.pk}-invoice.pdf", f"documents/{second.pk}-invoice.pdf"]
    assert archive.read(documents[1]) == b"%PDF-1.4\n% second\n"
    lines = archive.read("MANIFEST.sha256").decode().splitlines()
    manifest = dict(reversed(line.split("  ", 1)) for line in lines)
    assert manifest[documents[0]] == first.sha256 == hashlib.sha256(b"%PDF-1.4\n% first\n").hexdigest()
