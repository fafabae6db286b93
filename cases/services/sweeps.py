"""Periodic sweeps over stored deadlines: deemed denials, overdue CF-28s, reminders.

Each sweep picks its work from state (running deadlines that are due), and every action changes
that state, so running a sweep twice does nothing the second time.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import OperationalError, transaction

from cee_portal.legal_time import legal_today
from cee_portal.operations.jobs import recorded_run

from .. import deadlines
from ..deadlines import DeadlineKind
from ..exceptions import StaleVersion
from ..models import Case, CaseDeadline, CaseStatus, InformationRequest, NoticeEvent
from .common import notify, record_event
from .workflow import DecisionInput, transition_case

DEEMED_DENIAL_RULES = {
    DeadlineKind.ACCELERATED_DISPOSITION: (
        "accelerated disposition was requested and the protest was not allowed or denied by the 30th day "
        "after the mailing (19 U.S.C. 1515(b); 19 CFR 174.22(d))"
    ),
    DeadlineKind.EXCLUSION_DEEMED_DENIAL: (
        "the protest of an exclusion was not decided before the 30th day after filing "
        "(19 U.S.C. 1499(c)(5)(A); 19 CFR 174.21(b))"
    ),
}


# Deadlines the importer must meet; the others are CBP's.
IMPORTER_DEADLINES = frozenset(
    {
        DeadlineKind.PROTEST_AMENDMENT,
        DeadlineKind.CF28_RESPONSE,
        DeadlineKind.CF29_RESPONSE,
        DeadlineKind.COURT_OF_INTERNATIONAL_TRADE,
    }
)


def _deemed_denial_candidates(today: date) -> list[tuple[int, str, int, int, date, str]]:
    """(deadline id, kind, case id, case version, due_on, reference) of protests deemed denied by today."""
    due = CaseDeadline.objects.filter(
        kind__in=list(DEEMED_DENIAL_RULES),
        state=CaseDeadline.State.RUNNING,
        due_on__lte=today,
        case__is_open=True,
    ).order_by("due_on", "case_id")
    return [
        (row.pk, row.kind, row.case_id, row.case.version, row.due_on, row.case.reference_number)
        for row in due.select_related("case")
        # Accelerated disposition: only once day 30 has passed; exclusion: on day 30 (deadlines).
        if deadlines.is_deemed_denied(row.kind, row.due_on, today)
    ]


def sweep_deemed_denials(today: date, *, skipped: list[str] | None = None) -> int:
    """Deem denied the protests whose accelerated-disposition or exclusion clock ran out.

    The denial is dated the day the law deems it (the 30th day), whenever the sweep runs. A case
    changed since it was picked (a newer version, or a row another transaction holds) is skipped and
    named in `skipped`; the next run takes it up again if it is still due.
    """
    count = 0
    for deadline_id, kind, case_id, version, due_on, reference in _deemed_denial_candidates(today):
        reasons = f"Deemed denied on {due_on}: {DEEMED_DENIAL_RULES[kind]}."
        try:
            with transaction.atomic():
                # nowait: a case locked by a user's action is left to the next run, not waited for.
                case = Case.objects.select_for_update(nowait=True).get(pk=case_id)
                case = transition_case(
                    case,
                    to=CaseStatus.DEEMED_DENIED,
                    actor=None,
                    expected_version=version,
                    today=today,
                    note=reasons,
                    decision=DecisionInput(reasons=reasons, decided_on=due_on),
                )
                # The deemed denial is the event the deadline announced: it has happened.
                case.deadlines.filter(pk=deadline_id).update(state=CaseDeadline.State.MET)
        except StaleVersion:
            if skipped is not None:
                skipped.append(f"{reference} (changed since the sweep read it)")
            continue
        except OperationalError:
            if skipped is not None:
                skipped.append(f"{reference} (locked by another change)")
            continue
        count += 1
    return count


def sweep_overdue_information_requests(today: date) -> int:
    """Flag CF-28s whose answer is overdue (CBP then decides on the information it has)."""
    overdue = CaseDeadline.objects.filter(
        kind=DeadlineKind.CF28_RESPONSE,
        state=CaseDeadline.State.RUNNING,
        due_on__lt=today,
        case__status=CaseStatus.ISSUED,
    )
    count = 0
    for deadline in overdue.select_related("case"):
        with transaction.atomic():
            locked = CaseDeadline.objects.select_for_update().get(pk=deadline.pk)
            if locked.state != CaseDeadline.State.RUNNING:
                continue
            locked.state = CaseDeadline.State.MISSED
            locked.save(update_fields=["state"])
            InformationRequest.objects.filter(case_id=deadline.case_id).update(overdue_flagged_on=today)
            case = deadline.case
            record_event(
                case,
                actor=None,
                kind="overdue",
                new="cf28_response",
                message=f"No answer by {deadline.due_on}; CBP may decide on the information it has.",
                internal=True,
            )
            notify(
                case,
                audience="center",
                subject=f"{case.reference_number}: CF-28 answer overdue",
                body=f"The answer was due on {deadline.due_on}.",
            )
            count += 1
    return count


def reminder_owed(due_on: date, reminded_on: date | None, today: date, leads: list[int]) -> bool:
    """Is a reminder owed today? One per configured lead time (e.g. 14 and 3 days), each sent once."""
    days_left = (due_on - today).days
    window = min((lead for lead in leads if days_left <= lead), default=None)
    if window is None or days_left < 0:
        return False
    # Owed unless the last reminder was already sent inside this lead-time window.
    return reminded_on is None or (due_on - reminded_on).days > window


def sweep_reminders(today: date) -> int:
    """Remind before each running deadline, once per case, deadline and lead time."""
    leads = sorted(settings.DEADLINE_REMINDER_DAYS)
    if not leads:
        return 0
    candidates = CaseDeadline.objects.filter(
        state=CaseDeadline.State.RUNNING,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=leads[-1]),
        case__is_open=True,
    )
    count = 0
    for deadline in candidates.select_related("case"):
        if not reminder_owed(deadline.due_on, deadline.reminded_on, today, leads):
            continue
        with transaction.atomic():
            # Conditional update: a concurrent sweep that reminded it meanwhile wins, this one skips.
            updated = CaseDeadline.objects.filter(pk=deadline.pk, reminded_on=deadline.reminded_on).update(
                reminded_on=today
            )
            if not updated:
                continue
            case: Case = deadline.case
            audience = "importer" if deadline.kind in IMPORTER_DEADLINES else "center"
            notify(
                case,
                audience=audience,
                subject=f"{case.reference_number}: deadline {deadline.due_on}",
                body=f"{deadline.rule} ({deadline.citation}) - due {deadline.due_on}.",
                event=NoticeEvent.REMINDER,
            )
            count += 1
    return count


def run_deadline_sweeps(today: date | None = None) -> dict[str, int]:
    """Run every sweep once; record the run for /healthz."""
    today = today or legal_today()
    with recorded_run("deadline_sweeps") as summary:
        skipped: list[str] = []
        summary["deemed_denied"] = sweep_deemed_denials(today, skipped=skipped)
        summary["skipped"] = skipped
        summary["cf28_overdue"] = sweep_overdue_information_requests(today)
        summary["reminders"] = sweep_reminders(today)
        summary["today"] = today.isoformat()
    return summary


__all__ = [
    "run_deadline_sweeps",
    "sweep_deemed_denials",
    "sweep_overdue_information_requests",
    "sweep_reminders",
]
