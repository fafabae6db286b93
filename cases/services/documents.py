"""Documents attached to cases (issue 13 item 4): checked whole before anything is stored.

An upload is refused, with the reason, when it is empty or over settings.DOCUMENT_MAX_BYTES, when
its content (never its name) is not one of the allowed types, or when the scanner refuses it.
Accepted files are written through the storage API (STORAGES["documents"]) under their SHA-256,
never at a public URL: the authorised view (web/documents.py) serves them.

A withdrawn case takes no more documents: the filer ended it (a decided or closed case still takes
them, e.g. the papers for a court action). The case row is locked before the document is written, so
an upload racing a withdrawal either lands before it or is refused (docs/reliability.md).
"""

import csv
import hashlib
import io
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from ..exceptions import CaseError, NotAllowed
from ..models import Case, CaseStatus, Document, Message
from ..permissions import can_add_documents, can_view_case
from .common import record_event
from .scanning import ScanRefused, get_scanner
from .workflow import lock_case

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/tiff": "TIFF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "text/csv": "CSV",
    "text/plain": "TXT",
}
ALLOWED_NAMES = ", ".join(ALLOWED_TYPES.values())


def sniff_type(data: bytes) -> str | None:
    """The content type read from the bytes themselves, or None when it is none of ALLOWED_TYPES."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return _text_type(data)


def _office_type(data: bytes) -> str | None:
    """DOCX and XLSX are ZIP packages; their main part tells which (other ZIPs are refused)."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _text_type(data: bytes) -> str | None:
    """UTF-8 text without control bytes; CSV when its first lines have the same number (>1) of fields."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text[:65536]):
        return None
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) >= 2:
        widths = {len(row) for row in csv.reader(lines)}
        if len(widths) == 1 and widths.pop() > 1:
            return "text/csv"
    return "text/plain"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@transaction.atomic
def upload_document(*, actor, case: Case, upload, message: Message | None = None) -> Document:
    """Check, scan and store one uploaded file (a Django UploadedFile or File) on a case."""
    if not can_view_case(actor, case):
        raise NotAllowed("You may not add documents to this case.")
    if not can_add_documents(actor, case):
        raise NotAllowed(f"You may not add documents to case {case.reference_number}.")
    name = (getattr(upload, "name", "") or "document").rsplit("/", 1)[-1][:200]
    limit = settings.DOCUMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise CaseError({"file": f"{name} is {_megabytes(size)}; the limit is {_megabytes(limit)} a file."})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise CaseError({"file": f"{name} is over the limit of {_megabytes(limit)} a file."})
    if not data:
        raise CaseError({"file": f"{name} is empty."})
    content_type = sniff_type(data)
    if content_type is None:
        raise CaseError(
            {"file": f"{name} is not an allowed type (read from its content, not its name): {ALLOWED_NAMES}."}
        )
    try:
        get_scanner().scan(data)
    except ScanRefused as exc:
        raise CaseError({"file": f"{name} was refused: {exc}. Nothing was stored."}) from None
    # Checked and scanned without the lock (a scan may take a while); the case's state under it.
    case = lock_case(case, None)
    if case.status == CaseStatus.WITHDRAWN:
        raise CaseError(
            {
                "file": f"Case {case.reference_number} was withdrawn: it takes no more documents. "
                f"{name} was not stored."
            }
        )
    digest = hashlib.sha256(data).hexdigest()
    event = record_event(case, actor=actor, kind="document", new=name[:100], message=f"SHA-256 {digest}")
    document = Document(
        case=case,
        message=message,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by=actor,
        delegation=event.delegation,
    )
    document.file.save(digest, ContentFile(data), save=False)
    document.save()
    return document


def verify_stored_documents():
    """Each stored document whose file is missing or whose bytes no longer hash to its recorded SHA-256
    (after a restore, a storage migration): yields (document, problem)."""
    for document in Document.objects.order_by("pk").iterator(chunk_size=500):
        digest = hashlib.sha256()
        try:
            with document.file.open("rb") as stored:
                for chunk in iter(lambda: stored.read(1024 * 1024), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            yield document, "missing"
            continue
        if digest.hexdigest() != document.sha256:
            yield document, f"SHA-256 {digest.hexdigest()} differs from the recorded {document.sha256}"
