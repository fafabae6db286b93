"""The staff queue (issue 12, item 2): the open cases of the user's Center by nearest statutory deadline.

One selector call per page (`case_queue`), its filters the queue's one FilterSet (CaseQueueFilter),
whose form this page renders; a refused value comes back as CaseError and shows beside its field.
Counts per kind and status come from a second URL that htmx loads after the rows (`queue_counts`),
so the rows never wait on a count. Pages go by the selector's keyset cursor: "next" and "first
page" links, no page numbers and no total (either would need OFFSET or a count of every row).
Writes (bulk assignment, saved filters) are in queue_actions.py; the CSV export in queue_export.py.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.cache import cache
from django.http import QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from cases.deadlines import DeadlineKind
from cases.exceptions import CaseError
from cases.filters import NATIONAL, CaseQueueFilter
from cases.models import Case, CaseKind, CaseStatus
from cases.selectors import DEFAULT_PAGE_SIZE, case_queue, queue_choices, queue_counts, saved_queue_filters

from ..access import staff_only

# Rows whose next deadline is this close are marked "due soon" (the dashboard's 7-day window).
SOON_DAYS = 7
PAGE_SIZES = (25, 50, 100, 200)
# Query parameters that are the page's, not the filter's.
PAGING = ("cursor", "per_page")

LABELS = {
    "center": "Center",
    "port": "Port of filing (4-digit code)",
    "district": "District (2-digit code)",
    "kind": "Kind",
    "state": "Open or closed",
    "status": "Status",
    "assignee": "Assignee",
    "importer": "Importer (IOR number)",
    "entry": "Entry number",
    "due_within": "Deadline within (days)",
    "overdue": "Overdue",
    "accelerated": "Accelerated disposition requested",
    "further_review": "Further review",
}

# The page's own help under a field (the FilterSet's help texts describe the API's raw values).
HELP = {
    "center": "",
    "port": "",
    "district": "",
    "state": "Open by default; a chosen status shows closed cases too",
    "assignee": "",
    "importer": "",
    "entry": "With or without dashes",
    "due_within": "Overdue cases included",
    "overdue": "Next deadline already passed",
    "accelerated": "19 U.S.C. 1515(b), 19 CFR 174.22: deemed denied on the 30th day after mailing",
    "further_review": "Application for further review, 19 CFR 174.23-.26",
}


# --- What a row shows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    case: Case
    days_left: int | None
    days_text: str
    # A colour class that repeats what days_text says (never colour alone).
    days_class: str
    deadline_label: str
    citation: str
    # Made here rather than by the template's tags and filters, which cost ~1 ms a row at 50 rows.
    url: str = ""
    kind_label: str = ""
    status_label: str = ""
    deadline_on: str = ""  # ISO date, for <time datetime>
    deadline_text: str = ""  # as people read it: "Feb 8, 2028"


def days_left_text(days: int | None) -> tuple[str, str]:
    """Days left in words and the matching colour class: overdue, due soon (within 7 days) or later."""
    if days is None:
        return "No running deadline", "days-none"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue", "days-overdue"
    if days == 0:
        return "Due today", "days-soon"
    text = f"{days} day{'s' if days != 1 else ''} left"
    return text, "days-soon" if days <= SOON_DAYS else "days-ok"


def deadline_rule(case: Case) -> tuple[str, str]:
    """What the next deadline is (its label) and the rule it comes from (the running deadline's citation)."""
    kind = case.next_deadline_kind
    label = DeadlineKind(kind).label if kind in DeadlineKind._value2member_map_ else kind
    citation = next(
        (d.citation for d in getattr(case, "running_deadlines", ()) if d.kind == kind),
        "",
    )
    return label, citation


KIND_LABELS = dict(CaseKind.choices)
STATUS_LABELS = dict(CaseStatus.choices)


def queue_row(case: Case, today: date) -> QueueRow:
    due = case.next_deadline_on
    days = None if due is None else (due - today).days
    text, css = days_left_text(days)
    label, citation = deadline_rule(case)
    return QueueRow(
        case,
        days,
        text,
        css,
        label,
        citation,
        url=reverse("staff:case", args=[case.reference_number]),
        kind_label=KIND_LABELS.get(case.kind, case.kind),
        status_label=STATUS_LABELS.get(case.status, case.status),
        deadline_on=due.isoformat() if due else "",
        deadline_text=f"{due:%b} {due.day}, {due.year}" if due else "",
    )


# --- The filter form: CaseQueueFilter's own form, with labels and widgets for people -----------------


def split_query(data: QueryDict) -> tuple[QueryDict, QueryDict]:
    """The filter's parameters (empty ones dropped, so links stay short) and the paging ones."""
    filters, paging = QueryDict(mutable=True), QueryDict(mutable=True)
    for name, values in data.lists():
        values = [v for v in values if v.strip()]
        if values:
            (paging if name in PAGING else filters).setlist(name, values)
    return filters, paging


def filter_form(user, filters: QueryDict, choices) -> forms.Form:
    """The FilterSet's form, bound to the filters, labelled, with choices people recognise."""
    form = CaseQueueFilter(data=filters, queryset=Case.objects.none(), user=user).form
    for name, label in LABELS.items():
        form.fields[name].label = label
    home = f"My Center ({user.center.ace_id} {user.center.name})" if user.center_id else "All Centers"
    center_choices = [("", home), (NATIONAL, "All Centers (national)")]
    center_choices += [(c.ace_id, f"{c.ace_id} {c.name}") for c in choices.centers]
    form.fields["center"].widget = forms.Select(choices=_keep_given(center_choices, filters.get("center")))
    people = [("", "Anyone"), ("me", "Me"), ("unassigned", "Unassigned")]
    people += [(p.username, _person(p)) for p in choices.people]
    form.fields["assignee"].widget = forms.Select(choices=_keep_given(people, filters.get("assignee")))
    for name in ("kind", "status"):
        form.fields[name].widget = forms.CheckboxSelectMultiple(choices=form.fields[name].choices)
    for name in ("state", "overdue", "accelerated", "further_review"):
        field = form.fields[name]
        field.widget = forms.Select(choices=[("", "Any"), *[c for c in field.choices if c[0] != ""]])
    for name, help_text in HELP.items():
        form.fields[name].help_text = help_text
    form.label_suffix = ""
    form.fields["due_within"].widget = forms.NumberInput(attrs={"min": 0, "max": 3650, "step": 1})
    return form


def _keep_given(choices: list[tuple[str, str]], given: str | None) -> list[tuple[str, str]]:
    """A value typed into the URL stays selected (and shows its refusal) even if it is not offered."""
    if given and given not in {value for value, _ in choices}:
        return [*choices, (given, given)]
    return choices


def _person(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


# Rendering the filter form's thirteen fields and their options is about a quarter of the queue
# page's CPU (11 ms of 40), and most requests show one of a few forms: a Center's staff opening their
# queue with the same filters. The HTML is a function of what the key holds, so a cached copy is the
# same page; a form showing refusals is always rendered afresh.
FILTER_FORM_CACHE_SECONDS = 300


def filter_fields_html(user, filters: QueryDict, choices, form: forms.Form | None) -> SafeString:
    """The filter form's fields as HTML (includes/form_fields.html), cached by everything they show.

    `form` is the form with refusals on it, always rendered afresh; None when the filters were
    accepted, and the form is then built only if the cache has no copy.
    """
    if form is not None:
        return render_to_string("includes/form_fields.html", {"form": form})
    shown = (
        user.center_id and (user.center.ace_id, user.center.name),
        sorted(filters.lists()),
        [(c.ace_id, c.name) for c in choices.centers],
        [(p.username, _person(p)) for p in choices.people],
    )
    key = "queue-filter-form:" + hashlib.sha256(repr(shown).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        form = filter_form(user, filters, choices)
        html = str(render_to_string("includes/form_fields.html", {"form": form}))
        cache.set(key, html, FILTER_FORM_CACHE_SECONDS)
    # Our own template's output, escaped when it was rendered.
    return mark_safe(html)  # noqa: S308


def put_errors_on_form(form: forms.Form, error: CaseError) -> None:
    """A refused filter's message beside its field; a paging refusal (cursor, size) above the form."""
    valid = form.is_valid()
    messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in messages.items():
        if field in form.fields and not valid:
            continue  # the form's own validation already put it there
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def queue_heading(user, filters: QueryDict, choices) -> str:
    center = (filters.get("center") or "").strip().upper()
    if center == NATIONAL.upper() or (not center and not user.center_id):
        return "all Centers"
    if not center:
        return user.center.name
    return next((c.name for c in choices.centers if c.ace_id == center), f"no Center {center}")


# --- The page and its counts ---------------------------------------------------------------------------


@staff_only
def queue(request):
    user = request.user
    filters, paging = split_query(request.GET)
    choices = queue_choices(user)
    page, rows, refused = None, [], None
    given_size = paging.get("per_page", str(DEFAULT_PAGE_SIZE))
    page_size = int(given_size) if given_size.isdigit() else DEFAULT_PAGE_SIZE
    try:
        if not given_size.isdigit():
            raise CaseError({"page_size": f"Rows per page is a whole number, not {given_size!r}."})
        page = case_queue(user, filters, cursor=paging.get("cursor"), page_size=page_size)
        rows = [queue_row(case, page.today) for case in page.rows]
    except CaseError as error:
        refused = filter_form(user, filters, choices)
        put_errors_on_form(refused, error)
    query = filters.urlencode()
    sized = _with(filters, per_page=page_size) if page_size != DEFAULT_PAGE_SIZE and page else filters
    context = {
        "filter_fields": filter_fields_html(user, filters, choices, refused),
        "page": page,
        "rows": rows,
        "heading": queue_heading(user, filters, choices),
        "query": query,
        "next_query": _with(sized, cursor=page.next_cursor).urlencode() if page and page.next_cursor else "",
        "first_query": sized.urlencode(),
        "is_later_page": bool(paging.get("cursor")),
        "filtered": bool(filters),
        # The filter panel opens when filters are set or a refusal must be read in it.
        "show_filters": bool(filters) or page is None,
        "active_filters": [LABELS[name] for name in LABELS if name in filters],
        "national_query": _with(filters, center=NATIONAL).urlencode(),
        "home_query": _without(filters, "center").urlencode(),
        "saved_filters": saved_queue_filters(user),
        "people": choices.people,
        "page_sizes": PAGE_SIZES,
        "page_size": page_size,
        "soon_days": SOON_DAYS,
        # With each row's version: a bulk action refuses the cases changed since this moment.
        "loaded_at": timezone.now().isoformat(),
    }
    return render(request, "staff/queue.html", context)


@staff_only
def counts(request):
    """The counts per kind and status for the queue's current filter (an htmx fragment)."""
    filters, _ = split_query(request.GET)
    try:
        found = queue_counts(request.user, filters)
    except CaseError:
        return render(request, "staff/queue.html#counts", {"refused": True})
    # In the order the filter form lists kinds and statuses.
    by_kind, by_status = found.by_kind, found.by_status
    context = {
        "total": found.total,
        "by_kind": [(label, by_kind[kind]) for kind, label in CaseKind.choices if kind in by_kind],
        "by_status": [(label, by_status[s]) for s, label in CaseStatus.choices if s in by_status],
    }
    return render(request, "staff/queue.html#counts", context)


def _with(data: QueryDict, **values) -> QueryDict:
    copy = data.copy()
    for name, value in values.items():
        copy[name] = str(value)
    return copy


def _without(data: QueryDict, *names: str) -> QueryDict:
    copy = data.copy()
    for name in names:
        copy.pop(name, None)
    return copy
