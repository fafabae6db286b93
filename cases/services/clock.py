"""Store each case's deadlines from the statutory clock (cases.deadlines) and keep them current.

Deadlines are computed when a clock starts or an input changes and stored in CaseDeadline; the
case's next_deadline_on (the queue's sort key) is the earliest deadline CBP must watch.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from .. import deadlines
from ..deadlines import DeadlineKind
from ..models import Case, CaseDeadline, CaseEntry, CaseKind, CaseStatus, ProtestDetail
from .common import clock_policy, record_event

# Deadlines that set the pace of CBP's work on an open case (the queue sorts by these). The
# amendment window and the court deadline are the importer's: shown, not queued on.
QUEUE_KINDS = frozenset(
    {
        DeadlineKind.ACCELERATED_DISPOSITION,
        DeadlineKind.EXCLUSION_DEEMED_DENIAL,
        DeadlineKind.FURTHER_REVIEW_DECISION,
        DeadlineKind.PROTEST_DECISION_TARGET,
        DeadlineKind.CF28_RESPONSE,
        DeadlineKind.CF29_RESPONSE,
    }
)


def protest_decision_date(link: CaseEntry) -> date | None:
    """The date a protested entry's windows run from: the one stored at filing, never re-read.

    A later reliquidation is a new decision with its own window (19 U.S.C. 1514(c)(3)(A)); it
    neither moves nor closes the windows of a protest already filed against the liquidation.
    """
    return link.decision_date


def statutory_deadlines(case: Case) -> list[deadlines.Deadline]:
    """Every deadline that applies to a case in its current state, from the pure clock module."""
    policy = clock_policy()
    found: list[deadlines.Deadline] = []
    decision = (
        getattr(case, "decision", None)
        if case.status
        in {CaseStatus.DENIED, CaseStatus.ALLOWED_IN_PART, CaseStatus.DEEMED_DENIED, CaseStatus.CLOSED}
        else None
    )
    if case.kind == CaseKind.PROTEST:
        protest: ProtestDetail = case.protest
        dates = [d for d in (protest_decision_date(link) for link in case.entry_links.all()) if d]
        if dates:
            # Per protested entry (19 CFR 174.14): new objections may still come for an entry whose
            # window is open, so the stored window is the last of them; amend_protest checks each.
            found.append(deadlines.protest_amendment_deadline(max(dates), policy=policy))
        # 19 CFR 174.21(a): joined protests are decided within 2 years of the last one filed.
        last_filed = max(case.protestants.values_list("filed_on", flat=True), default=case.filed_on)
        found.append(deadlines.protest_decision_target(max(last_filed, case.filed_on), policy=policy))
        if protest.accelerated_disposition_mailed_on:
            found.append(
                deadlines.accelerated_disposition_deemed_denial(
                    protest.accelerated_disposition_mailed_on, policy=policy
                )
            )
        if protest.is_exclusion:
            found.append(deadlines.exclusion_deemed_denial(case.filed_on, policy=policy))
        if protest.afr_status != ProtestDetail.AfrStatus.NOT_REQUESTED:
            afr_filed_on = protest.afr_filed_on or case.filed_on
            found.append(deadlines.further_review_decision_due(afr_filed_on, policy=policy))
        if decision is not None and decision.outcome in {CaseStatus.DENIED, CaseStatus.ALLOWED_IN_PART}:
            # A denial in part starts the Court's 180 days like a full denial (19 CFR 174.31(a)).
            mailed = decision.notice_mailed_on or decision.decided_on
            found.append(deadlines.court_deadline_after_denial(mailed, policy=policy))
        elif decision is not None and decision.outcome == CaseStatus.DEEMED_DENIED:
            found.append(deadlines.court_deadline_after_deemed_denial(decision.decided_on, policy=policy))
    elif case.kind == CaseKind.CF28:
        found.append(deadlines.cf28_response_due(case.filed_on, policy=policy))
    elif case.kind == CaseKind.CF29 and case.cf29.action_kind == "proposed":
        found.append(deadlines.cf29_response_due(case.filed_on, policy=policy))
    return found


RESPONSE_KINDS = frozenset({DeadlineKind.CF28_RESPONSE, DeadlineKind.CF29_RESPONSE})


def _answered_on(case: Case) -> date | None:
    if case.kind == CaseKind.CF28:
        return case.cf28.answered_on
    if case.kind == CaseKind.CF29:
        return case.cf29.answered_on
    return None


def settled_state(kind: str, due_on, *, answered_on, decided_on, today) -> str:
    """What became of a running deadline once its case left the state it ran in (pure).

    The dates may be any ordered values (the demo seeder passes day numbers).
    """
    if kind in RESPONSE_KINDS:
        if answered_on is not None:
            return CaseDeadline.State.MET if answered_on <= due_on else CaseDeadline.State.MISSED
        return CaseDeadline.State.MISSED if due_on < today else CaseDeadline.State.VOID
    if kind == DeadlineKind.PROTEST_AMENDMENT:
        return CaseDeadline.State.VOID
    if decided_on is not None:
        in_time = deadlines.decision_in_time(kind, due_on, decided_on)
        return CaseDeadline.State.MET if in_time else CaseDeadline.State.MISSED
    return CaseDeadline.State.VOID


def _state_after_outcome(kind: str, due_on: date, case: Case, today: date) -> str:
    decided = getattr(case, "decision", None)
    return settled_state(
        kind,
        due_on,
        answered_on=_answered_on(case),
        today=today,
        decided_on=decided.decided_on if decided is not None else None,
    )


@transaction.atomic
def refresh_deadlines(case: Case, *, today: date) -> Case:
    """Recompute a case's deadlines from its current facts; store them and next_deadline_on."""
    wanted = {d.kind.value: d for d in statutory_deadlines(case)}
    existing = {d.kind: d for d in case.deadlines.all()}
    for kind, deadline in wanted.items():
        row = existing.get(kind)
        fields = {
            "due_on": deadline.due_on,
            "citation": deadline.citation[:200],
            "rule": deadline.rule,
            "warnings": "\n".join(deadline.warnings),
            "period_ends_on": deadline.period_ends_on,
        }
        if row is None:
            existing[kind] = CaseDeadline.objects.create(case=case, kind=kind, **fields)
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            row.save(update_fields=list(fields))
    answered_on = _answered_on(case)
    for kind, row in existing.items():
        if kind in RESPONSE_KINDS and answered_on and row.state == CaseDeadline.State.RUNNING:
            # The importer's answer settles its deadline, whatever the case's status.
            row.state = CaseDeadline.State.MET if answered_on <= row.due_on else CaseDeadline.State.MISSED
            row.save(update_fields=["state"])
        elif kind not in wanted and row.state == CaseDeadline.State.RUNNING:
            row.state = CaseDeadline.State.VOID
            row.save(update_fields=["state"])
        elif (
            not case.is_open
            and row.state == CaseDeadline.State.RUNNING
            and kind != DeadlineKind.COURT_OF_INTERNATIONAL_TRADE
        ):
            row.state = _state_after_outcome(kind, row.due_on, case, today)
            row.save(update_fields=["state"])
    pending = sorted(
        (row.due_on, row.kind)
        for row in existing.values()
        if case.is_open
        and row.kind in QUEUE_KINDS
        and row.state in {"running", "missed"}
        and row.kind in wanted
    )
    next_on, next_kind = pending[0] if pending else (None, "")
    if (case.next_deadline_on, case.next_deadline_kind) != (next_on, next_kind):
        case.next_deadline_on, case.next_deadline_kind = next_on, next_kind
        case.save(update_fields=["next_deadline_on", "next_deadline_kind", "updated_at"])
    return case


def entries_liquidation_changed(entry_ids: Iterable[int], *, today: date | None = None) -> int:
    """Recompute the deadlines of open cases on entries whose liquidation facts changed (feed hook).

    A protest's windows run from the decision dates stored at filing, so a reliquidation leaves them
    as they are: it is a new protestable decision with its own window (19 U.S.C. 1514(c)(3)(A)), which
    the timeline names.
    """
    from cee_portal.legal_time import legal_today

    today = today or legal_today()
    entry_ids = list(entry_ids)
    cases = Case.objects.open().filter(entry_links__entry_id__in=entry_ids).distinct()
    count = 0
    for case in cases.select_related("importer"):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            before = case.next_deadline_on
            refresh_deadlines(case, today=today)
            message = (
                "The entry feed changed liquidation facts of an entry on this case; deadlines recomputed."
            )
            if case.kind == CaseKind.PROTEST:
                message += _new_protestable_decisions(case, entry_ids)
            if case.kind == CaseKind.PSC and case.psc.entry.liquidation_status in {
                "liquidated",
                "deemed_liquidated",
            }:
                case.flagged_for_specialist = True
                case.flag_reason = "Entry liquidated while the post summary correction is open."
                case.save(update_fields=["flagged_for_specialist", "flag_reason", "updated_at"])
                message += " " + case.flag_reason
            record_event(
                case,
                actor=None,
                kind="entry_changed",
                old=before or "",
                new=case.next_deadline_on or "",
                message=message,
                internal=True,
            )
            count += 1
    return count


def _new_protestable_decisions(case: Case, entry_ids: list[int]) -> str:
    notes = []
    links = case.entry_links.filter(entry_id__in=entry_ids).select_related("entry")
    for link in links:
        entry = link.entry
        relq = entry.reliquidation_date
        if relq is None or relq == link.decision_date:
            continue
        window = deadlines.protest_filing_deadline(relq, policy=clock_policy())
        notes.append(
            f" Entry {entry.formatted_number} was reliquidated on {relq.isoformat()}: a new protestable "
            f"decision, which may be protested through {window.due_on.isoformat()} ({window.citation}); "
            f"this protest still runs from the {link.protested_act} of {link.decision_date.isoformat()}."
        )
    return "".join(notes)
