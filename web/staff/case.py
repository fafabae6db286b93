"""The staff case page (issue 12 item 3): what the case is, its deadlines and timeline, and the actions
the transition table and the permission predicates allow this user in this state.

Each action is a POST to `cases/<reference>/actions/<name>/`: a Django form checks its shape, one
service acts, and the page redirects with a message. A service's refusal goes onto the form beside
its field and changes nothing; a form rendered from an older version of the case is refused whole
(`StaleVersion`) and the page lists what changed since (the timeline events after the last one the
page showed).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from cases.deadlines import DeadlineKind, cf28_response_due
from cases.exceptions import NotAllowed, StaleVersion
from cases.models import DECISION_STATUSES, Actor, CaseKind, CaseStatus, ProtestDetail
from cases.permissions import (
    ASSIGNERS,
    can_claim,
    can_decide,
    can_decide_further_review,
    can_issue_requests,
    can_make_move,
    can_record_accelerated_disposition,
    can_view_internal,
    is_center_staff,
)
from cases.selectors import case_detail, case_documents, case_events_since
from cases.services import (
    assign_case,
    decide_case,
    decide_further_review,
    request_accelerated_disposition,
    transition_case,
)
from cases.services.casework import (
    NOTE_KIND,
    REQUEST_PARENT_KINDS,
    add_internal_note,
    issue_request_from_case,
    record_case_opening,
)
from cases.services.common import clock_policy
from cases.services.workflow import OUTCOMES_BY_KIND
from cee_portal.legal_time import legal_today

from ..access import staff_only
from . import case_forms as f
from .display import deadline_row


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    form: type
    # (form, case, user, today) -> the message shown after the redirect
    run: Callable
    versioned: bool = True


def _claim(form, case, user, today):
    assign_case(case, assignee=user, actor=user, expected_version=form.cleaned_data["expected_version"])
    return f"You claimed case {case.reference_number}."


def _assign(form, case, user, today):
    assignee = form.cleaned_data["assignee"]
    assign_case(case, assignee=assignee, actor=user, expected_version=form.cleaned_data["expected_version"])
    who = assignee.get_full_name() or assignee.get_username() if assignee else "nobody"
    return f"Case {case.reference_number} assigned to {who}."


def _request(kind):
    def run(form, case, user, today):
        data = form.cleaned_data
        child = issue_request_from_case(
            case,
            kind=kind,
            actor=user,
            entry_number=data["entry"],
            questions=data.get("questions", ""),
            action_kind=data.get("action_kind", ""),
            action=data.get("action", ""),
            expected_version=data["expected_version"],
            issued_on=today,
        )
        return f"{child.get_kind_display()} {child.reference_number} issued."

    return run


def _accelerated(form, case, user, today):
    data = form.cleaned_data
    request_accelerated_disposition(
        case, actor=user, mailed_on=data["mailed_on"], expected_version=data["expected_version"], today=today
    )
    return f"Accelerated disposition request mailed on {data['mailed_on']} recorded."


def _decide(form, case, user, today):
    data = form.cleaned_data
    decided = decide_case(
        case,
        actor=user,
        outcome=data["outcome"],
        reasons=data["reasons"],
        decided_on=data["decided_on"],
        refund_amount=data["refund_amount"],
        notice_mailed_on=data["notice_mailed_on"],
        objection_outcomes=form.objection_outcomes(),
        expected_version=data["expected_version"],
        today=today,
    )
    return f"Case {case.reference_number} {decided.get_status_display().lower()} on {data['decided_on']}."


def _further_review(form, case, user, today):
    data = form.cleaned_data
    granted = data["decision"] == "grant"
    decide_further_review(
        case,
        actor=user,
        granted=granted,
        reason=data["reason"],
        review_office=data["review_office"],
        review_center=data["review_center"],
        decided_on=data["decided_on"],
        expected_version=data["expected_version"],
    )
    return f"Further review {'granted' if granted else 'refused'}."


def _move(to):
    def run(form, case, user, today):
        moved = transition_case(
            case,
            to=to,
            actor=user,
            expected_version=form.cleaned_data["expected_version"],
            note=form.cleaned_data["note"],
            today=today,
        )
        return f"Case {case.reference_number} is now {moved.get_status_display().lower()}."

    return run


def _note(form, case, user, today):
    add_internal_note(case, actor=user, text=form.cleaned_data["text"])
    return "Internal note added."


S = CaseStatus
ACTIONS = {
    a.name: a
    for a in (
        Action("claim", "Claim", f.ClaimForm, _claim),
        Action("assign", "Assign", f.AssignForm, _assign),
        Action("start_review", "Start review", f.MoveForm, _move(S.UNDER_REVIEW)),
        Action("request_information", "Request information (CF-28)", f.InformationRequestForm,
               _request(CaseKind.CF28)),
        Action("notice_of_action", "Propose or take action (CF-29)", f.NoticeOfActionForm,
               _request(CaseKind.CF29)),
        Action("accelerated_disposition", "Record an accelerated disposition request",
               f.AcceleratedDispositionForm, _accelerated),
        Action("decide", "Decide", f.DecideForm, _decide),
        Action("further_review", "Grant or refuse further review", f.FurtherReviewForm, _further_review),
        Action("suspend", "Suspend review", f.MoveForm, _move(S.SUSPENDED)),
        Action("resume", "Resume review", f.MoveForm, _move(S.UNDER_REVIEW)),
        Action("close", "Close", f.MoveForm, _move(S.CLOSED)),
        Action("withdraw", "Withdraw the request", f.MoveForm, _move(S.WITHDRAWN)),
        Action("note", "Add an internal note", f.NoteForm, _note, versioned=False),
    )
}  # fmt: skip


def _staff_moves(user, case) -> list[str]:
    """Status moves the table gives the owning Center's staff from here, if this user is one of them."""
    if not can_make_move(user, case, Actor.STAFF):
        return []
    names = []
    for to, who in case.allowed_moves().items():
        if who != Actor.STAFF or to in DECISION_STATUSES:
            continue
        if to == S.UNDER_REVIEW:
            names.append("resume" if case.status == S.SUSPENDED else "start_review")
        else:
            names.append({S.SUSPENDED: "suspend", S.CLOSED: "close", S.WITHDRAWN: "withdraw"}[to])
    return names


def outcomes_for(user, case) -> list[str]:
    """Decision outcomes the table allows from this status, for a user who may decide."""
    if not can_decide(user, case):
        return []
    allowed = case.allowed_moves()
    return [
        o
        for o in f.OUTCOME_LABELS
        if o in OUTCOMES_BY_KIND.get(case.kind, ()) and allowed.get(o) == Actor.STAFF
    ]


def available_actions(user, case) -> list[str]:
    """The actions this user may take on this case now, in the page's order (the predicates decide)."""
    names = []
    if can_claim(user, case) and case.assignee_id != user.pk:
        names.append("claim")
    if case.is_open and user.role in ASSIGNERS and is_center_staff(user, case.center_id):
        names.append("assign")
    moves = _staff_moves(user, case)
    names += [n for n in moves if n == "start_review"]
    if (
        case.is_open
        and case.kind in REQUEST_PARENT_KINDS
        and can_issue_requests(user, case.importer.center_id)
    ):
        names += ["request_information", "notice_of_action"]
    if can_record_accelerated_disposition(user, case):
        names.append("accelerated_disposition")
    if outcomes_for(user, case):
        names.append("decide")
    if can_decide_further_review(user, case) and case.protest.afr_status == ProtestDetail.AfrStatus.REQUESTED:
        names.append("further_review")
    names += [n for n in moves if n != "start_review"]
    if can_view_internal(user):
        names.append("note")
    return names


def _form(action: Action, case, user, today, data=None):
    kwargs = {"case": case, "prefix": action.name}
    if action.form is f.DecideForm:
        kwargs["outcomes"] = outcomes_for(user, case) or list(OUTCOMES_BY_KIND.get(case.kind, ()))
    if action.form is f.InformationRequestForm:
        kwargs["due"] = cf28_response_due(today, policy=clock_policy())
    if data is None and action.versioned:
        events = list(case.events.all())
        kwargs["initial"] = {
            "expected_version": case.version,
            "seen_event": events[-1].pk if events else 0,
            "decided_on": today,
        }
    return action.form(data, **kwargs)


def _render(request, case, *, failed=None, changed=None, status=200):
    user, today = request.user, legal_today()
    events = list(case.events.all())
    forms = []
    for name in available_actions(user, case):
        if failed is not None and failed[0] == name:
            forms.append((ACTIONS[name], failed[1]))
        else:
            forms.append((ACTIONS[name], _form(ACTIONS[name], case, user, today)))
    if failed is not None and failed[0] not in {a.name for a, _ in forms}:
        forms.insert(0, (ACTIONS[failed[0]], failed[1]))
    context = {
        "title": f"Case {case.reference_number}",
        "case": case,
        "today": today,
        "deadlines": [deadline_row(d, today) for d in case.deadlines.all()],
        "events": events,
        "notes": [e for e in events if e.kind == NOTE_KIND],
        "documents": case_documents(user, case),  # filed through the portal (issue 13 item 4)
        "actions": forms,
        "failed": failed[0] if failed else None,
        "changed": changed,
        "court_kind": DeadlineKind.COURT_OF_INTERNATIONAL_TRADE.value,
    }
    return TemplateResponse(request, "staff/case.html", context, status=status)


@staff_only
def case_page(request, reference: str):
    case = case_detail(request.user, reference)
    record_case_opening(case, user=request.user)
    return _render(request, case)


@staff_only
@require_POST
def case_action(request, reference: str, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("No such action.")
    user, today = request.user, legal_today()
    case = case_detail(user, reference)
    form = _form(spec, case, user, today, data=request.POST)
    status, changed = 400, None
    if not form.is_valid() and any(
        form[name].errors for name in ("expected_version", "seen_event") if name in form.fields
    ):
        # Hidden fields' errors are not shown beside any field: say it above the form.
        form.add_error(
            None, "This form lost the case version it was shown with: reload the page and try again."
        )
    elif form.is_valid():
        try:
            message = spec.run(form, case, user, today)
        except StaleVersion as exc:
            changed = case_events_since(user, case, form.cleaned_data.get("seen_event"))
            form = _refreshed(spec, case, user, today, request.POST)
            form.add_error(None, exc.messages[0])
            status = 409
        except NotAllowed as exc:
            form.add_error(None, str(exc) or "You may not do this on this case.")
            status = 403
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, message)
            return redirect("staff:case", reference=case.reference_number)
    return _render(
        request, case_detail(user, reference), failed=(spec.name, form), changed=changed, status=status
    )


def _refreshed(spec, case, user, today, data):
    """The refused form with its inputs kept, re-dated to the case as it is now: the user reads what
    changed, then decides whether to send it again."""
    fresh = case_detail(user, case.reference_number)
    events = list(fresh.events.all())
    data = data.copy()
    data[f"{spec.name}-expected_version"] = fresh.version
    data[f"{spec.name}-seen_event"] = events[-1].pk if events else 0
    form = _form(spec, fresh, user, today, data=data)
    form.is_valid()
    return form


def _errors_onto(form, exc: ValidationError) -> None:
    """A service's refusal beside the field it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for error in errors:
                form.add_error(field, error.message % error.params if error.params else error.message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
