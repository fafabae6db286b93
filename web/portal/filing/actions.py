"""Actions on a filed case: amend a protest, answer a CF-28 or object to a proposed CF-29, withdraw,
request accelerated disposition; and the confirmation page every filing redirects to.

Each action is one service call, once per form token, with the case version the page was made from
(a case changed meanwhile is refused whole: StaleVersion). The rights are the predicates of
cases.permissions; an invisible case answers 404 (cases.selectors.case_detail).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from cases import deadlines
from cases.exceptions import CaseError
from cases.models import CaseKind, CaseStatus
from cases.permissions import can_amend, can_answer, can_record_accelerated_disposition, can_withdraw
from cases.selectors import case_detail
from cases.services import (
    ObjectionInput,
    amend_protest,
    answer_request,
    request_accelerated_disposition,
    transition_case,
    upload_document,
)
from cases.services.clock import protest_decision_date
from cases.services.common import clock_policy
from cee_portal.legal_time import legal_today

from ...access import trade_only
from .common import file_and_confirm, refused
from .errors import apply_refusal
from .forms import AcceleratedForm, AmendForm, AmendObjectionFormSet, AnswerForm, WithdrawForm
from .protest import _grow, quiet

ACTIONS = {
    # name: (predicate, form, template title, what the right is)
    "amend": (can_amend, "Amend protest", "Only the protestant's side may amend a protest (19 CFR 174.14)."),
    "answer": (can_answer, "Answer", "Only the importer's side answers a CF-28 or a proposed CF-29."),
    "withdraw": (
        can_withdraw,
        "Withdraw",
        "Only the filer's side withdraws a protest, PSC or 1520(d) claim.",
    ),
    "accelerate": (
        can_record_accelerated_disposition,
        "Request accelerated disposition",
        "Only a protestant requests accelerated disposition of an open protest (19 CFR 174.22).",
    ),
}


def attach_answer_documents(request, case, uploads) -> None:
    """Store the files posted with an answer (19 CFR 151.11: documents answer a CF-28 too).

    Called inside the answer's transaction, after answer_request: a refused file (size, type, scan)
    refuses the whole answer, so nothing is half-written.
    """
    for upload in uploads:
        try:
            upload_document(actor=request.user, case=case, upload=upload)
        except CaseError as exc:
            raise CaseError({"documents": exc.messages}) from exc


def _case(request, reference: str, action: str):
    case = case_detail(request.user, reference)
    predicate, title, why = ACTIONS[action]
    if not predicate(request.user, case):
        raise PermissionDenied(why)
    return case, title


def _render(request, case, title, action, form, **extra):
    context = {"case": case, "title": title, "action": action, "form": form, "today": legal_today(), **extra}
    return render(request, f"portal/filing/{action}.html", context)


@trade_only
def amend(request, reference: str):
    try:
        case, title = _case(request, reference, "amend")
    except PermissionDenied as exc:
        return refused(request, str(exc))
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_objection" in data:
        data = _grow(data, "objections")
    form = AmendForm(data, case=case, initial={"version": case.version})
    objections = AmendObjectionFormSet(data, prefix="objections")
    sections = {"new_objections": [], "objections": [], "arguments": []}
    if data is not None and "file" not in data:
        quiet(form, objections)
    elif data is not None and all([form.is_valid(), objections.is_valid()]):
        new = [
            ObjectionInput(o["protested_decision"], o["text"], o["justification"])
            for o in (f.cleaned_data for f in objections.forms)
            if o
        ]
        try:
            return file_and_confirm(
                request,
                form,
                action="amend",
                filing=lambda: amend_protest(
                    case,
                    actor=request.user,
                    new_objections=new,
                    new_arguments=form.arguments(),
                    entries=form.chosen_entries() if new else None,
                    expected_version=form.cleaned_data["version"],
                ),
            )
        except CaseError as exc:
            apply_refusal(exc, form, fields={"entries": "entries", "filing_token": None}, sections=sections)
        except PermissionDenied as exc:
            return refused(request, str(exc))
    today, policy = legal_today(), clock_policy()
    windows = [
        (link, window, deadlines.days_left(window.due_on, today))
        for link in case.entry_links.all()
        if link.decision_date
        for window in [deadlines.protest_amendment_deadline(protest_decision_date(link), policy=policy)]
    ]
    return _render(
        request, case, title, "amend", form, objections=objections, sections=sections, windows=windows
    )


@trade_only
def answer(request, reference: str):
    try:
        case, title = _case(request, reference, "answer")
    except PermissionDenied as exc:
        return refused(request, str(exc))
    form = AnswerForm(request.POST or None, request.FILES or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():

        def filing():
            answered = answer_request(
                case,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                expected_version=form.cleaned_data["version"],
            )
            attach_answer_documents(request, answered, form.cleaned_data["documents"])
            return answered

        try:
            return file_and_confirm(request, form, action="answer", filing=filing)
        except CaseError as exc:
            fields = {"answer": "answer", "documents": "documents", "filing_token": None}
            apply_refusal(exc, form, fields=fields)
        except PermissionDenied as exc:
            return refused(request, str(exc))
    detail = case.cf28 if case.kind == "cf28" else case.cf29
    return _render(request, case, title, "answer", form, detail=detail)


@trade_only
def withdraw(request, reference: str):
    try:
        case, title = _case(request, reference, "withdraw")
    except PermissionDenied as exc:
        return refused(request, str(exc))
    form = WithdrawForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            return file_and_confirm(
                request,
                form,
                action="withdraw",
                filing=lambda: transition_case(
                    case,
                    to=CaseStatus.WITHDRAWN,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"] or "Withdrawn by the filer before decision.",
                ),
            )
        except CaseError as exc:
            apply_refusal(exc, form, fields={"filing_token": None})
        except PermissionDenied as exc:
            return refused(request, str(exc))
    return _render(request, case, title, "withdraw", form)


@trade_only
def accelerate(request, reference: str):
    try:
        case, title = _case(request, reference, "accelerate")
    except PermissionDenied as exc:
        return refused(request, str(exc))
    form = AcceleratedForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            return file_and_confirm(
                request,
                form,
                action="accelerate",
                filing=lambda: request_accelerated_disposition(
                    case,
                    actor=request.user,
                    mailed_on=form.cleaned_data["mailed_on"],
                    expected_version=form.cleaned_data["version"],
                ),
            )
        except CaseError as exc:
            apply_refusal(exc, form, fields={"mailed_on": "mailed_on", "filing_token": None})
        except PermissionDenied as exc:
            return refused(request, str(exc))
    opens_on = deadlines.accelerated_disposition_opens_on(case.filed_on)
    return _render(request, case, title, "accelerate", form, opens_on=opens_on)


@trade_only
def filed(request, reference: str):
    """The confirmation: the reference number and every date that now runs (the case's deadlines)."""
    case = case_detail(request.user, reference)
    today = legal_today()
    running = [
        (row, deadlines.DeadlineKind(row.kind).label, deadlines.days_left(row.due_on, today))
        for row in case.deadlines.all()
        if row.state == "running"
    ]
    context = {"case": case, "running": running, "today": today, "next_steps": next_steps(request.user, case)}
    return render(request, "portal/filing/filed.html", context)


def next_steps(user, case) -> list[tuple[str, str]]:
    """The actions this user may take on the case now, as (URL name, label), by the predicates."""
    steps = []
    if case.is_open and can_amend(user, case):
        steps.append(("portal:filing:amend", "Amend the protest (new objections or arguments)"))
    if case.is_open and can_record_accelerated_disposition(user, case):
        steps.append(("portal:filing:accelerate", "Record a request for accelerated disposition"))
    if case.status == CaseStatus.ISSUED and can_answer(user, case):
        label = "Answer the request for information"
        if case.kind == CaseKind.CF29:
            label = "Object to the proposed action"
        steps.append(("portal:filing:answer", label))
    if case.can_move_to(CaseStatus.WITHDRAWN) and can_withdraw(user, case):
        steps.append(("portal:filing:withdraw", "Withdraw before decision"))
    return steps
