"""The queue's CSV export: every row of the current filter, streamed page by keyset page.

Constant memory: one page of the selector's keyset cursor at a time (never OFFSET, never the whole
list), written as it goes. Cells are made safe for spreadsheets: text starting with = + - @ (or a
tab or carriage return) is a formula to Excel and LibreOffice, so it gets a leading quote (OWASP,
"CSV Injection"). Numbers we compute (days left) stay numbers.
"""

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cases.exceptions import CaseError
from cases.selectors import MAX_PAGE_SIZE, QueuePage, case_queue
from cee_portal.downloads import private_download

from ..access import staff_only
from .queue import queue_row, split_query

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "Reference",
    "Kind",
    "Status",
    "Center",
    "Port of filing",
    "Importer",
    "IOR number",
    "Assignee",
    "Filed on",
    "Next deadline",
    "Days left",
    "Deadline",
    "Rule",
]


def safe_cell(value):
    """A cell a spreadsheet shows as text: a leading quote on anything that would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _lines(user, filters, first: QueuePage) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    page = first
    while True:
        for case in page.rows:
            row = queue_row(case, page.today)
            cells = [
                case.reference_number,
                case.get_kind_display(),
                case.get_status_display(),
                case.center.ace_id,
                f"{case.filing_port.code} {case.filing_port.name}",
                case.importer.name,
                case.importer.ior_number,
                case.assignee.get_username() if case.assignee else "",
                case.filed_on.isoformat(),
                case.next_deadline_on.isoformat() if case.next_deadline_on else "",
                "" if row.days_left is None else row.days_left,
                row.deadline_label,
                row.citation,
            ]
            yield writer.writerow([safe_cell(c) for c in cells])
        if page.next_cursor is None:
            return
        page = case_queue(user, filters, cursor=page.next_cursor, page_size=MAX_PAGE_SIZE, today=page.today)


@staff_only
def export(request):
    """The current filter as CSV; a refused filter goes back to the queue, which says why beside the field."""
    filters, _ = split_query(request.GET)
    try:
        # The first page is read before the response starts, so a refusal is a page, not a broken file.
        first = case_queue(request.user, filters, page_size=MAX_PAGE_SIZE)
    except CaseError:
        return redirect(f"{reverse('staff:queue')}?{filters.urlencode()}")
    lines = _lines(request.user, filters, first)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    return private_download(response, f"queue-{first.today.isoformat()}.csv")
