"""File a protest (CBP Form 19): entries of the account, decisions, objections, further review.

The dates preview (POST ./dates/, an htmx fragment refreshed as entries and decisions are chosen,
and the "Show the dates" button without JavaScript) runs the intake's own rule for which date each
entry's protest runs from, and the pure clock (cases.deadlines).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict, ErrorList
from django.shortcuts import render

from cases.exceptions import CaseError
from cases.services import FurtherReviewInput, ObjectionInput, ProtestantInput, ProtestedEntry, file_protest
from cee_portal.legal_time import legal_today
from importers.selectors import entry_search

from ...access import trade_only
from .common import Refused, file_and_confirm, filing_account, refused
from .dates import entry_windows, protest_preview
from .errors import apply_refusal
from .forms import AccountEntryField, ObjectionFormSet, ProtestEntryFormSet, ProtestForm

FIELDS = {
    "description": "description",
    "filing_port": "filing_port",
    "bond_demand_mailed_on": "bond_demand_mailed_on",
    "protestant": "protestant_role",
    "further_review": "afr_criterion",
    "filing_token": None,
}


def _forms(request, account, data=None):
    form_kwargs = {"user": request.user, "account": account}
    initial = {"protestant_name": account.name, "protestant_identifier": account.ior_number}
    return (
        ProtestForm(data, initial=initial),
        ProtestEntryFormSet(data, prefix="entries", form_kwargs=form_kwargs),
        ObjectionFormSet(data, prefix="objections"),
    )


def _grow(data, prefix: str):
    """The posted data with one more blank row in a formset (the "add" buttons work without JavaScript)."""
    key = f"{prefix}-TOTAL_FORMS"
    count = (data.get(key) or "0").strip()
    if not (count.isascii() and count.isdigit()):
        # A tampered count: the formset's management form refuses it with its own message.
        return data
    data = data.copy()
    data[key] = str(int(count) + 1)
    return data


def quiet(*forms) -> None:
    """Drop the errors of forms and formsets re-shown after an "add a row" button, not a submission."""
    for form in forms:
        if hasattr(form, "forms"):
            form._non_form_errors = ErrorList()
            form._errors = [ErrorDict() for _ in form.forms]
            quiet(*form.forms)
        else:
            form._errors = ErrorDict()


def _rows(formset) -> list[dict]:
    rows = []
    for row in formset.forms:
        row.is_valid()
        rows.append(getattr(row, "cleaned_data", {}) or {})
    return rows


@trade_only
def protest(request, ior: str):
    try:
        account = filing_account(request.user, ior, "protest")
    except Refused as exc:
        return refused(request, exc.message)
    today = legal_today()
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_entry" in data:
        data = _grow(data, "entries")
    if data is not None and "add_objection" in data:
        data = _grow(data, "objections")
    form, entries, objections = _forms(request, account, data)
    sections = {"entries": [], "objections": []}
    preview = None
    if data is not None:
        valid = all([form.is_valid(), entries.is_valid(), objections.is_valid()])
        preview = protest_preview(
            _rows(entries), further_review=bool(data.get("further_review")), today=today
        )
        if not ({"file", "preview"} & set(data)):
            # Only a row was added: show the form again without judging what is not yet typed.
            quiet(form, entries, objections)
        elif valid and "file" in data:
            try:
                return file_and_confirm(
                    request,
                    form,
                    action="protest",
                    filing=lambda: _file(request.user, account, form, entries, objections),
                )
            except CaseError as exc:
                rows = [
                    (row.cleaned_data["entry"].formatted_number, row)
                    for row in entries.forms
                    if row.cleaned_data
                ]
                apply_refusal(exc, form, fields=FIELDS, sections=sections, rows=rows)
            except PermissionDenied as exc:
                return refused(request, str(exc))
    context = {
        "account": account,
        "form": form,
        "entries": entries,
        "objections": objections,
        "sections": sections,
        "preview": preview,
        "today": today,
    }
    return render(request, "portal/filing/protest.html", context)


def _file(user, account, form, entries, objections):
    data = form.cleaned_data
    items = [
        ProtestedEntry(
            row["entry"], row["decision"], row.get("decision_date"), bool(row.get("of_reliquidation"))
        )
        for row in (f.cleaned_data for f in entries.forms)
        if row.get("entry")
    ]
    further = (
        FurtherReviewInput(data["afr_criterion"], data["afr_justification"])
        if data.get("further_review")
        else None
    )
    port = data.get("filing_port") or (items[0].entry.port if items else None)
    return file_protest(
        actor=user,
        importer=account,
        filing_port=port,
        entries=items,
        protestant=ProtestantInput(
            identifier=data["protestant_identifier"],
            name=data["protestant_name"],
            role=data["protestant_role"],
            agent_name=data.get("agent_name", ""),
            bond_demand_mailed_on=data.get("bond_demand_mailed_on"),
        ),
        merchandise_category=data.get("merchandise_category", ""),
        description=data["description"],
        objections=[
            ObjectionInput(o["protested_decision"], o["text"], o["justification"])
            for o in (f.cleaned_data for f in objections.forms)
            if o
        ],
        further_review=further,
        related_protest=data.get("related_protest", ""),
    ).case


@trade_only
def protest_dates(request, ior: str):
    """The htmx fragment: each chosen entry's window and the dates a protest filed today would start."""
    try:
        account = filing_account(request.user, ior, "protest")
    except Refused as exc:
        return refused(request, exc.message)
    _, entries, _ = _forms(request, account, request.POST)
    preview = protest_preview(
        _rows(entries), further_review=bool(request.POST.get("further_review")), today=legal_today()
    )
    return render(request, "portal/filing/_protest_dates.html", {"preview": preview})


@trade_only
def entry_matches(request, ior: str):
    """The htmx fragment: entries of this account whose number starts with what was typed."""
    try:
        account = filing_account(request.user, ior, "protest")
    except Refused as exc:
        return refused(request, exc.message)
    # The typed entry field sends its own name (entries-0-entry): any *entry parameter is the query.
    query = request.GET.get("q") or next((v for k, v in request.GET.items() if k.endswith("entry")), "")
    found = entry_search(request.user, query, importer=account)
    return render(request, "portal/filing/_entry_matches.html", {"found": found, "query": query})


@trade_only
def entry_dates(request, ior: str):
    """The htmx fragment of the PSC and 1520(d) pages: the chosen entry's window, as it is typed."""
    try:
        account = filing_account(request.user, ior, "pic" if request.GET.get("kind") == "pic" else "psc")
    except Refused as exc:
        return refused(request, exc.message)
    kind = "pic" if request.GET.get("kind") == "pic" else "psc"
    field = AccountEntryField(required=False)
    field.user, field.account = request.user, account
    try:
        entry = field.clean(request.GET.get("entry", ""))
        problem = ""
    except ValidationError as exc:
        entry, problem = None, " ".join(exc.messages)
    windows = entry_windows(entry, kind=kind, today=legal_today()) if entry else []
    context = {"windows": windows, "entry": entry, "problem": problem, "kind": kind}
    return render(request, "portal/filing/_entry_dates.html", context)
