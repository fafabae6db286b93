"""The case record packet (issue 12 item 4): one ZIP, streamed, with the case summary (HTML), the
decision, the full timeline, every document of the case, and a SHA-256 manifest of all of them.

The ZIP is written as it is sent (zipfile writes data descriptors to a stream it cannot seek), so
a packet never sits whole in memory; the manifest, last, lists every other file with its digest in
`sha256sum` format, so `sha256sum -c MANIFEST.sha256` verifies an unpacked packet.
"""

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from cases.selectors import case_detail, case_documents
from cee_portal.downloads import private_download
from cee_portal.legal_time import legal_today

from ..access import staff_only

MANIFEST = "MANIFEST.sha256"


class _Sink:
    """A write-only stream whose written bytes are collected and handed out piece by piece."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def packet_files(case, *, generated_at, documents=()) -> Iterator[tuple[str, bytes]]:
    """(name, content) of every file of the packet but the manifest, in a fixed order."""
    context = {"case": case, "events": list(case.events.all()), "generated_at": generated_at}
    yield "summary.html", render_to_string("staff/packet_summary.html", context).encode()
    # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError: getattr's default.
    decision = getattr(case, "decision", None)
    if decision is not None:
        yield (
            "decision.html",
            render_to_string("staff/packet_decision.html", {**context, "decision": decision}).encode(),
        )
    yield "timeline.csv", _timeline_csv(context["events"])
    for name, content in _documents(documents):
        yield f"documents/{name}", content


def _documents(documents) -> Iterator[tuple[str, bytes]]:
    """The case's documents (issue 13 item 4), each once, read one at a time from storage (each is at
    most DOCUMENT_MAX_BYTES). The id leads the name: two uploads may share an original name."""
    for document in documents:
        name = document.original_name.replace("/", "_").replace("\\", "_")
        with document.file.open("rb") as stored:
            yield f"{document.pk}-{name}", stored.read()


def _timeline_csv(events) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["id", "at (UTC)", "visibility", "actor", "on behalf of importer", "kind", "old", "new", "message"]
    )
    for e in events:
        writer.writerow([
            e.pk, e.created_at.astimezone(timezone.UTC).isoformat(), e.visibility,
            e.actor.get_username() if e.actor else "system", "yes" if e.on_behalf_of_id else "",
            e.kind, e.old_value, e.new_value, e.message,
        ])  # fmt: skip
    return out.getvalue().encode()


def stream_packet(case, *, generated_at, documents=()) -> Iterator[bytes]:
    sink = _Sink()
    digests = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in packet_files(case, generated_at=generated_at, documents=documents):
            archive.writestr(name, content)
            digests.append(f"{hashlib.sha256(content).hexdigest()}  {name}\n")
            yield sink.take()
        archive.writestr(MANIFEST, "".join(digests).encode())
    yield sink.take()


@staff_only
def case_packet(request, reference: str):
    case = case_detail(request.user, reference)
    documents = case_documents(request.user, case)
    response = StreamingHttpResponse(
        stream_packet(case, generated_at=timezone.now(), documents=documents), content_type="application/zip"
    )
    filename = f"case-{case.reference_number}-{legal_today():%Y%m%d}.zip"
    return private_download(response, filename)
