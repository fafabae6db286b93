"""Issuing a request for information (CF-28) or a notice of action (CF-29)."""

from datetime import date

from django.db import transaction

from cee_portal.legal_time import legal_today
from importers.models import Entry

from ... import deadlines
from ...exceptions import CaseError, NotAllowed
from ...models import (
    Case,
    CaseEntry,
    CaseKind,
    CaseStatus,
    InformationRequest,
    NoticeEvent,
    NoticeOfAction,
)
from ...permissions import can_issue_requests
from ..clock import refresh_deadlines
from ..common import clock_policy, notify, record_event
from .common import new_case


def _issue(kind: str, *, actor, entry: Entry, parent: Case | None, issued_on: date) -> Case:
    if not can_issue_requests(actor, entry.importer.center_id):
        raise NotAllowed("Only the staff of the Center that owns the account issue CF-28 and CF-29.")
    if parent is not None and parent.importer_id != entry.importer_id:
        raise CaseError({"parent": "The parent case belongs to another importer."})
    case = new_case(
        kind=kind,
        status=CaseStatus.ISSUED,
        importer=entry.importer,
        port=entry.port,
        actor=actor,
        filed_on=issued_on,
        parent=parent,
    )
    case.assignee = actor
    case.save(update_fields=["assignee"])
    CaseEntry.objects.create(case=case, entry=entry, case_kind=kind)
    return case


@transaction.atomic
def issue_information_request(
    *, actor, entry: Entry, questions: str, parent: Case | None = None, issued_on: date | None = None
) -> Case:
    """Issue a request for information, CBP Form 28 (19 U.S.C. 1509; 19 CFR 151.11)."""
    issued_on = issued_on or legal_today()
    if not questions.strip():
        raise CaseError({"questions": "A request for information states its questions."})
    case = _issue(CaseKind.CF28, actor=actor, entry=entry, parent=parent, issued_on=issued_on)
    due = deadlines.cf28_response_due(issued_on, policy=clock_policy())
    InformationRequest.objects.create(case=case, entry=entry, questions=questions, due_on=due.due_on)
    refresh_deadlines(case, today=issued_on)
    record_event(case, actor=actor, kind="issued", new=case.status, message=f"Answer due {due.due_on}.")
    notify(
        case,
        audience="importer",
        subject=f"Request for information {case.reference_number}",
        body=f"{questions}\n\nPlease answer by {due.due_on} ({due.citation}).",
        event=NoticeEvent.INFORMATION_REQUEST,
    )
    return case


@transaction.atomic
def issue_notice_of_action(
    *,
    actor,
    entry: Entry,
    action_kind: str,
    action: str,
    parent: Case | None = None,
    issued_on: date | None = None,
) -> Case:
    """Issue a notice of action, CBP Form 29, proposed or taken (19 CFR 152.2)."""
    issued_on = issued_on or legal_today()
    if action_kind not in NoticeOfAction.ActionKind.values:
        raise CaseError({"action_kind": "A notice of action is 'proposed' or 'taken'."})
    if not action.strip():
        raise CaseError({"action": "A notice of action states the action."})
    case = _issue(CaseKind.CF29, actor=actor, entry=entry, parent=parent, issued_on=issued_on)
    due = deadlines.cf29_response_due(issued_on, policy=clock_policy()) if action_kind == "proposed" else None
    NoticeOfAction.objects.create(
        case=case, entry=entry, action_kind=action_kind, action=action, due_on=due.due_on if due else None
    )
    refresh_deadlines(case, today=issued_on)
    record_event(
        case,
        actor=actor,
        kind="issued",
        new=case.status,
        message=f"Action {action_kind}" + (f"; answer due {due.due_on}." if due else "."),
    )
    notify(
        case,
        audience="importer",
        subject=f"Notice of action {case.reference_number}",
        body=action,
        event=NoticeEvent.PROPOSED_ACTION,
    )
    return case
