"""Documents (issue 13 item 4): size limit, type from the content, SHA-256, the storage API, the scan
hook that refuses before anything is stored, and ClamAV's INSTREAM protocol against a stand-in clamd."""

import datetime as dt
import hashlib
import io
import socket
import struct
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.exceptions import CaseError, NotAllowed
from cases.models import CaseEvent, Document
from cases.selectors import case_documents
from cases.services.documents import sniff_type
from cases.services.scanning import EICAR, ClamAvScanner, ScanRefused
from importers.models import BrokerDelegation
from tests.factories import (
    ImporterFactory,
    broker_user,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db


def _zip(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buffer.getvalue()


SAMPLES = {
    "application/pdf": b"%PDF-1.7\n1 0 obj",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "image/tiff": b"II*\x00\x08\x00\x00\x00",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _zip(
        "[Content_Types].xml", "word/document.xml"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _zip(
        "[Content_Types].xml", "xl/workbook.xml"
    ),
    "text/csv": b"entry,line,hts\n123,1,8429.52\n124,2,8429.52\n",
    "text/plain": b"Answer to the CF-28: the goods were shipped on 3 March.\n",
}


@pytest.mark.parametrize("content_type", list(SAMPLES))
def test_each_allowed_type_is_recognised_from_its_content(content_type):
    assert sniff_type(SAMPLES[content_type]) == content_type


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00 a Windows program",
        _zip("payload.exe"),
        b"\x00\x01\x02binary",
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
        b"\xff\xfe\x00",
    ],
)
def test_other_content_is_not_an_allowed_type(data):
    assert sniff_type(data) is None


@pytest.fixture
def world():
    importer = ImporterFactory()
    member = trade_user(importer)
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    case = services.file_protest(
        actor=member, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    return {"importer": importer, "member": member, "case": case}


def upload(world, name, data, actor=None):
    return services.upload_document(
        actor=actor or world["member"], case=world["case"], upload=SimpleUploadedFile(name, data)
    )


def test_an_upload_is_stored_through_the_storage_api_under_its_sha256(world, _documents_in_tmp):
    data = SAMPLES["application/pdf"]
    document = upload(world, "invoice.pdf", data)
    digest = hashlib.sha256(data).hexdigest()
    assert (document.sha256, document.size, document.content_type) == (digest, len(data), "application/pdf")
    assert _documents_in_tmp.exists(document.file.name) and document.file.name.endswith(digest)
    with document.file.open("rb") as f:
        assert f.read() == data
    assert CaseEvent.objects.filter(case=world["case"], kind="document", new_value="invoice.pdf").exists()


def test_the_name_does_not_decide_the_type(world):
    """A PDF called .png is a PDF; a program called .pdf is refused."""
    assert upload(world, "scan.png", SAMPLES["application/pdf"]).content_type == "application/pdf"
    with pytest.raises(CaseError, match="not an allowed type"):
        upload(world, "invoice.pdf", b"MZ\x90\x00 program")


def test_a_withdrawn_case_takes_no_more_documents_but_a_decided_one_does(world):
    """Issue 15 item 1: the rule the upload/withdrawal race settles on (tests/test_concurrency_edges.py)."""
    case = world["case"]
    upload(world, "before.pdf", SAMPLES["application/pdf"])
    services.transition_case(case, to="withdrawn", actor=world["member"])
    with pytest.raises(
        CaseError, match=r"was withdrawn: it takes no more documents\. after\.pdf was not stored"
    ):
        upload(world, "after.pdf", SAMPLES["application/pdf"])
    assert list(Document.objects.filter(case=case).values_list("original_name", flat=True)) == ["before.pdf"]
    assert CaseEvent.objects.filter(case=case, kind="document").count() == 1

    other = ImporterFactory()
    member = trade_user(other)
    decided = services.file_protest(
        actor=member,
        importer=other,
        **protest_input([liquidated_entry(other, dt.date(2026, 6, 1))]),
        filed_on=dt.date(2026, 6, 2),
    ).case
    services.decide_case(
        decided,
        actor=staff_user(),
        outcome="denied",
        reasons="Classified correctly.",
        today=dt.date(2026, 7, 1),
    )
    document = services.upload_document(
        actor=member, case=decided, upload=SimpleUploadedFile("court.pdf", SAMPLES["application/pdf"])
    )
    assert document.case_id == decided.pk


@pytest.mark.parametrize(("extra", "accepted"), [(-1, True), (0, True), (1, False)])
def test_the_size_limit_is_a_setting_and_inclusive(world, settings, extra, accepted):
    settings.DOCUMENT_MAX_BYTES = 1000
    data = b"a" * (1000 + extra)
    if accepted:
        assert upload(world, "notes.txt", data).size == 1000 + extra
    else:
        with pytest.raises(CaseError, match="limit"):
            upload(world, "notes.txt", data)
        assert not Document.objects.exists()


def test_the_default_limit_is_ten_megabytes(settings):
    assert settings.DOCUMENT_MAX_BYTES == 10 * 1024 * 1024


def test_an_empty_file_is_refused(world):
    with pytest.raises(CaseError, match="empty"):
        upload(world, "empty.txt", b"")


def test_the_scanner_refuses_eicar_before_anything_is_stored(world, _documents_in_tmp):
    with pytest.raises(CaseError) as exc:
        upload(world, "harmless.txt", b"see: " + EICAR)
    assert "Eicar" in exc.value.message_dict["file"][0]
    assert not Document.objects.exists()
    assert not CaseEvent.objects.filter(kind="document").exists()
    assert not any(path.is_file() for path in Path(_documents_in_tmp.location).rglob("*"))


def test_outsiders_may_not_upload(world):
    with pytest.raises(NotAllowed):
        upload(world, "x.txt", b"hello", actor=trade_user(ImporterFactory()))
    with pytest.raises(NotAllowed):
        upload(world, "x.txt", b"hello", actor=broker_user(world["importer"], kinds=("psc",)))
    assert not Document.objects.exists()


def test_a_brokers_upload_names_its_delegation_and_staff_see_it(world):
    broker = broker_user(world["importer"], kinds=("protest",))
    document = upload(world, "poa.pdf", SAMPLES["application/pdf"], actor=broker)
    assert document.delegation == BrokerDelegation.objects.get(broker_firm=broker.broker_firm)
    assert case_documents(staff_user("CEE001"), world["case"]) == [document]
    assert case_documents(trade_user(ImporterFactory()), world["case"]) == []


# --- ClamAV's INSTREAM protocol ---------------------------------------------------------------


class FakeClamd:
    """A stand-in clamd on the loopback: reads one INSTREAM and answers FOUND for EICAR, else OK."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self.serve_once, daemon=True)
        self.thread.start()

    def _read(self, conn, n):
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError
            data += part
        return data

    def serve_once(self):
        conn, _ = self.server.accept()
        with conn:
            assert self._read(conn, 10) == b"zINSTREAM\0"
            while True:
                (size,) = struct.unpack("!L", self._read(conn, 4))
                if size == 0:
                    break
                self.received += self._read(conn, size)
            found = EICAR in self.received
            conn.sendall(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")
        self.server.close()


def test_clamav_scanner_streams_the_file_in_chunks_and_reads_ok():
    clamd = FakeClamd()
    data = b"x" * (ClamAvScanner.CHUNK * 2 + 5)
    ClamAvScanner(host="127.0.0.1", port=clamd.port, timeout=5).scan(data)
    clamd.thread.join(5)
    assert clamd.received == data


def test_clamav_scanner_refuses_what_clamd_finds():
    clamd = FakeClamd()
    with pytest.raises(ScanRefused, match="Eicar-Test-Signature"):
        ClamAvScanner(host="127.0.0.1", port=clamd.port, timeout=5).scan(EICAR)


def test_clamav_scanner_fails_closed_when_clamd_is_unreachable():
    with pytest.raises(ScanRefused, match="could not be reached"):
        ClamAvScanner(host="127.0.0.1", port=1, timeout=2).scan(b"hello")


def test_the_scanner_is_a_setting(world, settings):
    settings.DOCUMENT_SCANNER = "cases.services.scanning.ClamAvScanner"
    settings.CLAMD_PORT = 1  # nothing listens: the upload is refused, nothing stored
    with pytest.raises(CaseError, match="could not be reached"):
        upload(world, "a.txt", b"hello")
    assert not Document.objects.exists()
