"""The staff account page (issue 12 item 6): an importer account's profile, manager, Center and pin,
its assignment history with the figures behind each move, its commodity mix by Center over time
(an SVG chart of the monthly rollup), its entries and its cases, each list keyset-paginated."""

from django.template.response import TemplateResponse

from cases.exceptions import CaseError
from cases.selectors import case_queue
from importers.selectors import account_detail, account_entries, account_mix_history

from ..access import staff_only
from .charts import stacked_bars
from .display import days_left_text

CASES_PAGE = 25


@staff_only
def account_page(request, ior: str):
    user = request.user
    importer = account_detail(user, ior)
    entries = account_entries(importer, cursor=request.GET.get("entries_after"))
    filters = {"importer": importer.ior_number, "center": "all", "state": "any"}
    try:
        cases = case_queue(user, filters, cursor=request.GET.get("cases_after") or None, page_size=CASES_PAGE)
    except CaseError:  # a damaged page link: start again from the first page
        cases = case_queue(user, filters, page_size=CASES_PAGE)
    mix = account_mix_history(importer)
    context = {
        "title": f"Account {importer.name}",
        "importer": importer,
        "assignments": [_assignment_row(a) for a in importer.assignments.all()],
        "entries": entries,
        "cases": [
            (
                case,
                days_left_text(case.next_deadline_on, cases.today)
                if case.is_open and case.next_deadline_on
                else None,
            )
            for case in cases.rows
        ],  # fmt: skip
        "cases_next": cases.next_cursor,
        "chart": stacked_bars(_mix_columns(mix)),
        "mix_table": _mix_table(mix),
    }
    return TemplateResponse(request, "staff/account.html", context)


def _mix_columns(rows) -> list[tuple[str, dict[str, int]]]:
    """Lines per month and Center, in month order (rows come sorted by month)."""
    columns: dict[str, dict[str, int]] = {}
    for row in rows:
        columns.setdefault(f"{row.month:%Y-%m}", {})[row.center.name] = row.line_count
    return list(columns.items())


def _mix_table(rows) -> dict:
    centers = sorted({row.center.name for row in rows})
    months: dict[str, dict[str, int]] = {}
    for row in rows:
        months.setdefault(f"{row.month:%Y-%m}", {})[row.center.name] = row.line_count
    return {
        "centers": centers,
        "rows": [(month, [values.get(c, 0) for c in centers]) for month, values in months.items()],
    }


def _assignment_row(assignment) -> dict:
    """An assignment with its figures as rows (Center, volume, share), for a small table."""
    figures = assignment.figures or {}
    by_center, shares = figures.get("by_center", {}), figures.get("shares", {})
    return {
        "assignment": assignment,
        "basis": figures.get("basis", ""),
        "volume": figures.get("volume", ""),
        "margin": figures.get("margin_points"),
        "window_days": figures.get("window_days"),
        "rows": [(center, by_center.get(center, ""), shares.get(center, "")) for center in sorted(by_center)],
    }
