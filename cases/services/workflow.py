"""Moves of a case through its workflow: the one guarded transition service and the actions
built on it (decisions, assignment, answers to CF-28/CF-29, protest amendments, further review)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from cee_portal.legal_time import legal_today

from .. import deadlines
from ..exceptions import CaseError, IllegalTransition, NotAllowed, StaleVersion
from ..models import (
    DECISION_STATUSES,
    OPEN_STATUSES,
    Actor,
    Case,
    CaseKind,
    CaseStatus,
    Decision,
    NoticeEvent,
    Objection,
)
from ..permissions import can_assign, can_make_move
from .clock import refresh_deadlines
from .common import bump, notify, record_event
from .protest_rules import field_error

MAX_REFUND = 10**12


@dataclass(frozen=True)
class DecisionInput:
    reasons: str
    decided_on: date
    refund_amount: Decimal | None = None
    notice_mailed_on: date | None = None
    # objection number -> (outcome "allowed"/"denied", reasons)
    objection_outcomes: dict[int, tuple[str, str]] = field(default_factory=dict)


def lock_case(case: Case, expected_version: int | None) -> Case:
    locked = Case.objects.select_for_update().select_related("importer").get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(locked, expected_version)
    return locked


@transaction.atomic
def transition_case(
    case: Case,
    *,
    to: str,
    actor,
    expected_version: int | None = None,
    note: str = "",
    today: date | None = None,
    decision: DecisionInput | None = None,
) -> Case:
    """Move a case to another status: the only code that writes Case.status.

    Locks the row, refuses a stale version, checks the transition table and the actor's right,
    records the decision where the move is one, appends a timeline event and queues the notices
    through the outbox in the same transaction.
    """
    today = today or legal_today()
    case = lock_case(case, expected_version)
    if case.status == to:
        return case
    allowed = case.allowed_moves()
    who = allowed.get(to)
    if who is None:
        raise IllegalTransition(case, to, allowed)
    if not can_make_move(actor, case, who):
        role = {
            Actor.STAFF: "the owning Center's staff",
            Actor.FILER: "the filer",
            Actor.SYSTEM: "the system",
        }[who]
        raise NotAllowed(f"Only {role} may move case {case.reference_number} to {to}.")
    if to in DECISION_STATUSES and decision is None:
        raise CaseError(
            f"Moving case {case.reference_number} to {to} is a decision: give its reasons and date."
        )
    old = case.status
    case.status = to
    case.is_open = to in OPEN_STATUSES
    bump(case, "status", "is_open")
    if decision is not None:
        _record_decision(case, outcome=to, decision=decision, actor=actor)
    _release_entries(case)
    refresh_deadlines(case, today=today)
    record_event(case, actor=actor, kind="status", old=old, new=to, message=note)
    event = (
        NoticeEvent.DEEMED_DENIAL
        if to == CaseStatus.DEEMED_DENIED
        else NoticeEvent.DECISION
        if decision is not None
        else NoticeEvent.STATUS
    )
    subject = f"{case.reference_number}: {case.get_status_display()}"
    body = note or f"The status of case {case.reference_number} changed from {old} to {to}."
    notify(case, audience="importer", subject=subject, body=body, event=event)
    if not (actor is not None and actor.is_cbp_staff):
        # The Center hears of what it did not do itself: an answer, a withdrawal, a deemed denial.
        notify(case, audience="center", subject=subject, body=body, event=event)
    return case


def _record_decision(case: Case, *, outcome: str, decision: DecisionInput, actor) -> None:
    Decision.objects.create(
        case=case,
        outcome=outcome,
        decided_on=decision.decided_on,
        decided_by=actor,
        reasons=decision.reasons,
        refund_amount=decision.refund_amount,
        notice_mailed_on=decision.notice_mailed_on,
    )
    for number, (result, reasons) in decision.objection_outcomes.items():
        Objection.objects.filter(case=case, number=number).update(outcome=result, outcome_reasons=reasons)


def _release_entries(case: Case) -> None:
    """A withdrawn protest frees its entries; a PSC or 1520(d) claim holds its entry only while open."""
    if case.kind == CaseKind.PROTEST and case.status == CaseStatus.WITHDRAWN:
        case.entry_links.update(active=False)
    elif case.kind in {CaseKind.PSC, CaseKind.PIC} and not case.is_open:
        case.entry_links.update(active=False)


OUTCOMES_BY_KIND = {
    CaseKind.PROTEST: {CaseStatus.ALLOWED, CaseStatus.ALLOWED_IN_PART, CaseStatus.DENIED},
    CaseKind.PIC: {CaseStatus.ALLOWED, CaseStatus.ALLOWED_IN_PART, CaseStatus.DENIED},
    CaseKind.PSC: {CaseStatus.ACCEPTED, CaseStatus.REJECTED},
}


def decide_case(
    case: Case,
    *,
    actor,
    outcome: str,
    reasons: str,
    decided_on: date | None = None,
    refund_amount: Decimal | None = None,
    notice_mailed_on: date | None = None,
    objection_outcomes: dict[int, tuple[str, str]] | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> Case:
    """Decide a protest, 1520(d) claim or PSC: outcome, reasons, per-objection results, refund, notice.

    The decision is dated decided_on (the legal today only when the caller gives none); a denial in
    whole or in part records the mailing date of its notice, from which the Court's 180 days run
    (19 CFR 174.30(a), 174.31(a)). `today` only bounds the dates (nothing may be dated in the future).
    """
    today = today or legal_today()
    decided_on = decided_on or today
    if outcome not in OUTCOMES_BY_KIND.get(case.kind, set()):
        choices = ", ".join(sorted(OUTCOMES_BY_KIND.get(case.kind, set()))) or "none (not decided this way)"
        raise CaseError(
            {"outcome": f"{outcome!r} is not an outcome of a {case.get_kind_display()}: {choices}."}
        )
    if not reasons.strip():
        raise CaseError({"reasons": "A decision states its reasons (19 CFR 174.30 for protest denials)."})
    if decided_on > today:
        raise CaseError({"decided_on": f"The decision date {decided_on} is in the future (today: {today})."})
    if decided_on < case.filed_on:
        raise CaseError(
            {
                "decided_on": f"The decision date {decided_on} is before case {case.reference_number} was "
                f"filed on {case.filed_on}: nothing is decided before it is filed."
            }
        )
    if outcome in {CaseStatus.ALLOWED, CaseStatus.ALLOWED_IN_PART}:
        if refund_amount is None or refund_amount < 0:
            raise CaseError(
                {"refund_amount": "An allowance states the refund amount (0 or more, US dollars)."}
            )
        if refund_amount >= MAX_REFUND:
            # Decision.refund_amount holds 14 digits, 2 of them cents: refused here, never by the database.
            raise CaseError({"refund_amount": f"A refund is less than {MAX_REFUND:,} US dollars."})
    elif refund_amount:
        raise CaseError({"refund_amount": "Only an allowance carries a refund."})
    if outcome == CaseStatus.DENIED or (outcome in NOTICE_OF_DENIAL and case.kind == CaseKind.PROTEST):
        # 19 CFR 174.30(a): notice of the denial of a protest in whole or in part is mailed.
        notice_mailed_on = notice_mailed_on or decided_on
        if notice_mailed_on < decided_on:
            raise CaseError({"notice_mailed_on": "The denial notice cannot be mailed before the decision."})
        if notice_mailed_on > today:
            raise CaseError({"notice_mailed_on": f"Mailing date {notice_mailed_on} is in the future."})
    elif notice_mailed_on:
        raise CaseError(
            {
                "notice_mailed_on": "Only a denial, in whole or in part, has a notice mailing date that "
                "starts the court clock."
            }
        )
    _refuse_after_deemed_denial(case, decided_on)
    outcomes = _objection_outcomes(case, outcome, objection_outcomes or {})
    return transition_case(
        case,
        to=outcome,
        actor=actor,
        expected_version=expected_version,
        note=reasons,
        today=decided_on,
        decision=DecisionInput(reasons, decided_on, refund_amount, notice_mailed_on, outcomes),
    )


NOTICE_OF_DENIAL = frozenset({CaseStatus.DENIED, CaseStatus.ALLOWED_IN_PART})


def _refuse_after_deemed_denial(case: Case, decided_on: date) -> None:
    """A protest deemed denied by law (1515(b), 1499(c)(5)(A)) is not decided again by a later date."""
    if case.kind != CaseKind.PROTEST:
        return
    for row in case.deadlines.filter(kind__in=list(deadlines.DEEMED_DENIAL_KINDS), state="running"):
        if deadlines.is_deemed_denied(row.kind, row.due_on, decided_on):
            raise field_error(
                "decided_on",
                f"Protest {case.reference_number} was deemed denied on {row.due_on} by "
                f"operation of law ({row.rule}; {row.citation}); a decision dated {decided_on} comes "
                "too late. The deadline sweep records the deemed denial.",
                code="deemed_denied",
            )


def _objection_outcomes(
    case: Case, outcome: str, given: dict[int, tuple[str, str]]
) -> dict[int, tuple[str, str]]:
    if case.kind != CaseKind.PROTEST:
        return {}
    numbers = set(case.objections.values_list("number", flat=True))
    unknown = set(given) - numbers
    if unknown:
        raise CaseError(
            {"objection_outcomes": f"No objection numbered {', '.join(map(str, sorted(unknown)))}."}
        )
    if outcome == CaseStatus.ALLOWED_IN_PART:
        missing = numbers - set(given)
        if missing:
            raise CaseError(
                {
                    "objection_outcomes": "An allowance in part states the outcome of every objection "
                    f"(missing: {', '.join(map(str, sorted(missing)))})."
                }
            )
        results = {result for result, _ in given.values()}
        if results != {"allowed", "denied"}:
            raise CaseError(
                {"objection_outcomes": "An allowance in part allows some objections and denies others."}
            )
        return given
    result = "allowed" if outcome == CaseStatus.ALLOWED else "denied"
    if any(r != result for r, _ in given.values()):
        raise CaseError({"objection_outcomes": f"Every objection of a protest {outcome} is {result}."})
    return {n: given.get(n, (result, "")) for n in numbers}


@transaction.atomic
def assign_case(
    case: Case, *, assignee, actor, expected_version: int | None = None, unassigned_only: bool = False
) -> Case:
    """Claim, assign or unassign a case (the assignee is a field, not a status).

    A write that names no version (the queue's bulk claim) says instead what it expects:
    `unassigned_only` refuses a case someone else holds, read under the row lock, so of two
    colleagues claiming the same case from their queues one gets it and the other is told who did.
    """
    case = lock_case(case, expected_version)
    if not case.is_open:
        raise CaseError(f"Case {case.reference_number} is {case.status}; only open cases are assigned.")
    if not can_assign(actor, case, assignee):
        raise NotAllowed(f"You may not assign case {case.reference_number} to {assignee or 'nobody'}.")
    if unassigned_only and case.assignee_id is not None and case.assignee_id != getattr(assignee, "pk", None):
        holder = case.assignee.get_full_name() or case.assignee.get_username()
        raise CaseError(
            f"Case {case.reference_number} is assigned to {holder}: a claim from the queue takes only "
            "unassigned cases. Open the case to take it over.",
            code="already_assigned",
        )
    if case.assignee_id == (assignee.pk if assignee else None):
        return case
    old = case.assignee.get_username() if case.assignee else ""
    case.assignee = assignee
    bump(case, "assignee")
    record_event(
        case,
        actor=actor,
        kind="assignee",
        old=old,
        new=assignee.get_username() if assignee else "",
        internal=True,
    )
    return case


@transaction.atomic
def answer_request(
    case: Case, *, actor, answer: str, answered_on: date | None = None, expected_version: int | None = None
) -> Case:
    """The importer's answer to a CF-28, or its objection to a proposed CF-29."""
    answered_on = answered_on or legal_today()
    if case.kind not in {CaseKind.CF28, CaseKind.CF29}:
        raise CaseError(f"Case {case.reference_number} is not a CF-28 or CF-29.")
    if not answer.strip():
        raise CaseError({"answer": "The answer is empty."})
    case = lock_case(case, expected_version)
    detail = case.cf28 if case.kind == CaseKind.CF28 else case.cf29
    if case.kind == CaseKind.CF29 and detail.action_kind != "proposed":
        raise CaseError("Only a proposed action (CF-29) can be answered; this action was taken.")
    if case.status != CaseStatus.ISSUED:
        # An answer is given once; a second would silently replace the first.
        raise CaseError(
            f"{case.reference_number} is {case.get_status_display().lower()}: it was answered on "
            f"{detail.answered_on} or is no longer open for an answer.",
            code="already_answered",
        )
    if case.kind == CaseKind.CF29 and detail.due_on and answered_on > detail.due_on:
        # A CF-28 answered late is still read (CBP decides on what it has); an objection to a proposed
        # action after its window comes when CBP may already take the action (19 CFR 152.2).
        raise field_error(
            "answer",
            f"The window to object to the action proposed in {case.reference_number} closed on "
            f"{detail.due_on} (20 days by CBP practice; 19 CFR 152.2): CBP may now take the action. "
            "Protest the liquidation that follows instead (19 U.S.C. 1514).",
            code="out_of_window",
        )
    detail.answer, detail.answered_on = answer, answered_on
    detail.save(update_fields=["answer", "answered_on"])
    late = detail.due_on and answered_on > detail.due_on
    note = f"Answered on {answered_on}" + (f", after the due date {detail.due_on}." if late else ".")
    return transition_case(case, to=CaseStatus.ANSWERED, actor=actor, note=note, today=answered_on)
