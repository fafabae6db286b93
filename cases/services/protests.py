"""Later actions on a filed protest that are not moves of its status: accelerated disposition,
amendments (19 CFR 174.14, 174.28) and the decision on further review (174.23-174.26)."""

from datetime import date

from django.db import transaction

from cee_portal.legal_time import legal_today

from .. import deadlines
from ..exceptions import CaseError, NotAllowed
from ..models import Actor, Case, CaseKind, ProtestDetail
from ..permissions import can_decide_further_review, can_make_move, can_record_accelerated_disposition
from .clock import protest_decision_date, refresh_deadlines
from .common import bump, clock_policy, notify, record_event
from .intake.protest import ObjectionInput, add_objections, validate_objections
from .protest_rules import field_error
from .workflow import lock_case


@transaction.atomic
def request_accelerated_disposition(
    case: Case,
    *,
    actor,
    mailed_on: date,
    expected_version: int | None = None,
    today: date | None = None,
) -> Case:
    """Record a request for accelerated disposition mailed on mailed_on (19 U.S.C. 1515(b); 174.22).

    Refused as premature when mailed 90 days or less after the filing (of the last protest joined,
    19 CFR 174.15, 174.21(a)); the protest is then deemed denied on the 30th day after the first
    timely mailing unless decided by that day. A joiner's later request is kept on the timeline; the
    clock stays with the first mailing.
    """
    today = today or legal_today()
    case = lock_case(case, expected_version)
    if case.kind != CaseKind.PROTEST:
        raise CaseError(f"Case {case.reference_number} is not a protest; only protests are disposed of.")
    if case.is_open and not can_record_accelerated_disposition(actor, case):
        raise NotAllowed(
            f"Only a protestant, or the owning Center's staff recording a mailed request, may request "
            f"accelerated disposition of {case.reference_number}."
        )
    if not case.is_open:
        raise CaseError(
            f"Protest {case.reference_number} is {case.status}: there is nothing left to dispose of.",
            code="protest_decided",
        )
    protest: ProtestDetail = case.protest
    if protest.is_exclusion:
        raise CaseError(
            {
                "mailed_on": f"Protest {case.reference_number} is a protest of an exclusion: it is deemed "
                "denied if not decided within 30 days after filing (19 U.S.C. 1499(c)(5)(A); 19 CFR "
                "174.21(b)), so accelerated disposition does not apply."
            }
        )
    if mailed_on > today:
        raise CaseError({"mailed_on": f"The mailing date {mailed_on} is in the future (today: {today})."})
    last_filed = max(case.protestants.values_list("filed_on", flat=True), default=case.filed_on)
    try:
        deadlines.check_accelerated_disposition_request(max(last_filed, case.filed_on), mailed_on)
    except deadlines.FilingOutOfWindow as exc:
        raise field_error("mailed_on", str(exc), code="premature") from None
    earlier = protest.accelerated_disposition_mailed_on
    if earlier is None or mailed_on < earlier:
        protest.accelerated_disposition_mailed_on = mailed_on
        protest.save(update_fields=["accelerated_disposition_mailed_on"])
    bump(case)
    refresh_deadlines(case, today=mailed_on)
    deemed = deadlines.accelerated_disposition_deemed_denial(
        protest.accelerated_disposition_mailed_on, policy=clock_policy()
    )
    message = (
        f"Accelerated disposition requested by mail on {mailed_on}; unless allowed or denied by "
        f"{deemed.due_on} (that day included), the protest is deemed denied as of that day "
        f"({deemed.citation})."
    )
    if earlier is not None and mailed_on < earlier:
        message += f" This mailing precedes the one recorded for {earlier}, so the 30 days run from it."
    if earlier is not None and earlier <= mailed_on:
        message = (
            f"Accelerated disposition also requested by mail on {mailed_on}: kept; the 30 days still run "
            f"from the request mailed on {earlier} (deemed denied on {deemed.due_on}; {deemed.citation})."
        )
    record_event(case, actor=actor, kind="accelerated_disposition", new=str(mailed_on), message=message)
    notify(case, audience="center", subject=f"{case.reference_number}: accelerated disposition", body=message)
    return case


@transaction.atomic
def amend_protest(
    case: Case,
    *,
    actor,
    new_objections: list[ObjectionInput] = (),
    new_arguments: dict[int, str] | None = None,
    entries: list | None = None,
    amended_on: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Add objections (within the protest window, 19 CFR 174.14) or arguments (before decision, 174.28).

    New objections concern `entries` (default: every protested entry); each entry's window runs from
    its own protested decision, so objections about an entry whose window is open are still timely.
    """
    amended_on = amended_on or legal_today()
    case = lock_case(case, expected_version)
    if case.kind != CaseKind.PROTEST:
        raise CaseError(f"Case {case.reference_number} is not a protest.")
    if not can_make_move(actor, case, Actor.FILER):
        raise NotAllowed(f"Only the protestant may amend protest {case.reference_number}.")
    if not case.is_open:
        raise CaseError(
            f"Protest {case.reference_number} is {case.status}: it can no longer be amended (174.28)."
        )
    if not new_objections and not new_arguments:
        raise CaseError("The amendment adds nothing.")
    validate_objections(list(new_objections))
    if new_objections:
        _check_amendment_windows(case, entries, amended_on)
        filer = case.protestants.filter(filed_by=actor).first() or case.protestants.first()
        add_objections(case, list(new_objections), filer=filer, on=amended_on)
    for number, argument in (new_arguments or {}).items():
        objection = case.objections.filter(number=number).first()
        if objection is None:
            raise CaseError({"arguments": f"Protest {case.reference_number} has no objection {number}."})
        objection.justification += f"\n\n[Argument added {amended_on}] {argument}"
        objection.save(update_fields=["justification"])
    bump(case)
    record_event(
        case,
        actor=actor,
        kind="amended",
        message=f"{len(new_objections)} objection(s) and {len(new_arguments or {})} argument(s) added.",
    )
    notify(
        case, audience="center", subject=f"{case.reference_number} amended", body="The protestant amended it."
    )
    return case


def _check_amendment_windows(case: Case, entries: list | None, amended_on: date) -> None:
    """Refuse new objections about an entry whose own 19 CFR 174.14 window has closed."""
    links = list(case.entry_links.select_related("entry"))
    if entries is not None:
        wanted = {e.pk for e in entries}
        unknown = wanted - {link.entry_id for link in links}
        if unknown or not wanted:
            raise CaseError({"entries": "Name entries of this protest for the new objections."})
        links = [link for link in links if link.entry_id in wanted]
    closed = []
    for link in links:
        window = deadlines.protest_amendment_deadline(protest_decision_date(link), policy=clock_policy())
        if amended_on > window.due_on:
            closed.append((link, window))
    if closed:
        listed = "; ".join(
            f"{link.entry.formatted_number}: the window from its {link.protested_act} of "
            f"{link.decision_date} closed on {window.due_on}"
            for link, window in closed
        )
        window = closed[0][1]
        raise field_error(
            "new_objections",
            f"New objections must be made within each protested entry's window "
            f"({listed}); {window.rule} ({window.citation}). Name only entries whose window is open; "
            "new arguments for existing objections are still possible.",
            code="out_of_window",
        )


@transaction.atomic
def decide_further_review(
    case: Case,
    *,
    actor,
    granted: bool,
    reason: str,
    review_office: str = "",
    review_center=None,
    decided_on: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Grant (forwarding to Headquarters or a Center reviewer) or refuse an application for further review."""
    decided_on = decided_on or legal_today()
    case = lock_case(case, expected_version)
    protest: ProtestDetail = case.protest
    if not can_decide_further_review(actor, case):
        raise NotAllowed(f"Only the owning Center's staff decide further review of {case.reference_number}.")
    if protest.afr_status != ProtestDetail.AfrStatus.REQUESTED:
        raise CaseError(f"Further review of {case.reference_number} is {protest.get_afr_status_display()}.")
    if not reason.strip():
        raise CaseError({"reason": "State why further review is granted or refused."})
    if granted:
        if review_office not in {
            ProtestDetail.ReviewOffice.HEADQUARTERS,
            ProtestDetail.ReviewOffice.CENTER_REVIEWER,
        }:
            raise CaseError(
                {
                    "review_office": "A granted further review goes to headquarters or a Center reviewer "
                    "who took no part in the decision (19 CFR 174.26)."
                }
            )
        protest.afr_status = ProtestDetail.AfrStatus.GRANTED
        protest.review_office = review_office
        protest.review_center = (
            review_center if review_office == ProtestDetail.ReviewOffice.CENTER_REVIEWER else None
        )
    else:
        protest.afr_status = ProtestDetail.AfrStatus.REFUSED
    protest.afr_decided_on = decided_on
    protest.save(update_fields=["afr_status", "review_office", "review_center", "afr_decided_on"])
    deadline = case.deadlines.filter(kind=deadlines.DeadlineKind.FURTHER_REVIEW_DECISION).first()
    if deadline is not None:
        deadline.state = "met" if decided_on <= deadline.due_on else "missed"
        deadline.save(update_fields=["state"])
    bump(case)
    refresh_deadlines(case, today=decided_on)
    record_event(
        case, actor=actor, kind="further_review", old="requested", new=protest.afr_status, message=reason
    )
    notify(
        case,
        audience="importer",
        subject=f"{case.reference_number}: further review {protest.afr_status}",
        body=reason,
    )
    return case
