"""Acts of the case page that are not status moves: who opened a case, internal notes, and CF-28 /
CF-29 issued from a case (the child case is filed by intake; the parent's timeline records it)."""

from datetime import date

from django.db import transaction

from cee_portal.legal_time import legal_today

from ..exceptions import CaseError, NotAllowed
from ..models import Case, CaseEvent, CaseKind, CaseOpening
from ..permissions import can_issue_requests, can_view_internal
from .common import bump, record_event
from .intake.requests import issue_information_request, issue_notice_of_action
from .workflow import lock_case

NOTE_KIND = "note"
NOTE_MAX_LENGTH = 5000
# A CF-28 or CF-29 asks about the entries of a filing; it is not issued about another CF-28 / CF-29.
REQUEST_PARENT_KINDS = frozenset({CaseKind.PROTEST, CaseKind.PSC, CaseKind.PIC})


def record_case_opening(case: Case, *, user) -> CaseOpening:
    """Record that a member of CBP staff opened the case's page (who, when): an access record."""
    if not can_view_internal(user):
        raise NotAllowed("Only CBP staff openings of the case page are recorded here.")
    return CaseOpening.objects.create(case=case, user=user)


@transaction.atomic
def add_internal_note(case: Case, *, actor, text: str) -> CaseEvent:
    """Add an internal note (CBP only) to the timeline; never shown to the importer side.

    A note does not change the case, so it leaves its version alone: a colleague's open decision
    form stays valid, and the note still shows among "what changed" if that form is refused.
    """
    if not can_view_internal(actor):
        raise NotAllowed("Only CBP staff write internal notes.")
    text = text.strip()
    if not text:
        raise CaseError({"text": "The note is empty: write what colleagues should know."})
    if len(text) > NOTE_MAX_LENGTH:
        raise CaseError({"text": f"Keep a note under {NOTE_MAX_LENGTH} characters (it has {len(text)})."})
    return record_event(case, actor=actor, kind=NOTE_KIND, message=text, internal=True)


@transaction.atomic
def issue_request_from_case(
    case: Case,
    *,
    kind: str,
    actor,
    entry_number: str,
    questions: str = "",
    action_kind: str = "",
    action: str = "",
    expected_version: int | None = None,
    issued_on: date | None = None,
) -> Case:
    """Issue a CF-28 (19 CFR 151.11) or CF-29 (19 CFR 152.2) about one of a case's entries.

    The parent is locked at the version the page showed (a stale page is refused whole); the new
    request is its child, and the parent's timeline records it (its version moves on).
    """
    issued_on = issued_on or legal_today()
    parent = lock_case(case, expected_version)
    if parent.kind not in REQUEST_PARENT_KINDS:
        raise CaseError(
            f"Case {parent.reference_number} is a {parent.get_kind_display()}: issue requests "
            "about the filing it belongs to."
        )
    if not parent.is_open:
        raise CaseError(
            f"Case {parent.reference_number} is {parent.get_status_display().lower()}: "
            "a request is issued while the case is open."
        )
    if not can_issue_requests(actor, parent.importer.center_id):
        raise NotAllowed("Only the staff of the Center that owns the account issue CF-28 and CF-29.")
    link = (
        parent.entry_links.select_related("entry__importer", "entry__port")
        .filter(entry__entry_number=entry_number)
        .first()
    )
    if link is None:
        raise CaseError({"entry": f"Entry {entry_number} is not an entry of case {parent.reference_number}."})
    if kind == CaseKind.CF28:
        child = issue_information_request(
            actor=actor, entry=link.entry, questions=questions, parent=parent, issued_on=issued_on
        )
        what = f"Request for information {child.reference_number} issued (answer due {child.cf28.due_on})."
    elif kind == CaseKind.CF29:
        child = issue_notice_of_action(
            actor=actor,
            entry=link.entry,
            action_kind=action_kind,
            action=action,
            parent=parent,
            issued_on=issued_on,
        )
        what = f"Notice of action {child.reference_number} ({action_kind}) issued."
    else:
        raise CaseError({"kind": "Issue a CF-28 or a CF-29."})
    bump(parent)
    record_event(parent, actor=actor, kind="request_issued", new=child.reference_number, message=what)
    return child
