"""The staff entry page (issue 12 item 5): an entry's facts, its lines with their Centers, every case on
it across kinds with conflicts marked; and the header's entry search by number or prefix."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cases.selectors import MAX_PAGE_SIZE, case_queue, entry_conflicts
from importers.selectors import ENTRY_NUMBER_LENGTH, entry_detail, entry_search

from ..access import staff_only
from .display import days_left_text


@staff_only
def entry_page(request, number: str):
    user = request.user
    entry = entry_detail(user, number)
    # Every case on the entry, open or closed, of every Center: the queue's rows and order.
    page = case_queue(
        user, {"entry": entry.entry_number, "center": "all", "state": "any"}, page_size=MAX_PAGE_SIZE
    )
    conflicts = entry_conflicts(page.rows)
    rows = []
    for case in page.rows:
        due = (
            days_left_text(case.next_deadline_on, page.today)
            if case.is_open and case.next_deadline_on
            else None
        )
        rows.append({"case": case, "due": due, "conflict": conflicts.get(case.pk)})
    lines = list(entry.lines.all())
    context = {
        "title": f"Entry {entry.formatted_number}",
        "entry": entry,
        "lines": lines,
        "line_centers": sorted({line.center.name for line in lines if line.center_id}),
        "cases": rows,
        "conflicts": conflicts,
        "more_cases": page.next_cursor is not None,
    }
    return TemplateResponse(request, "staff/entry.html", context)


@staff_only
def entry_search_page(request):
    """Entries whose number starts with what was typed; a whole number that matches opens its page."""
    query = request.GET.get("q", "").strip()
    results = list(entry_search(request.user, query)) if query else []
    compact = "".join(query.replace("-", " ").split()).upper()
    if len(results) == 1 and len(compact) == ENTRY_NUMBER_LENGTH and results[0].entry_number == compact:
        return redirect("staff:entry", number=results[0].entry_number)
    context = {"title": "Find an entry", "query": query, "results": results}
    return TemplateResponse(request, "staff/entry_search.html", context)
