"""Later actions on a filed protest that are not moves of its status: accelerated disposition."""

from datetime import date

from django.db import transaction

from cee_portal.legal_time import legal_today

from .. import deadlines
from ..exceptions import CaseError, NotAllowed
from ..models import Actor, Case, CaseKind, ProtestDetail
from ..permissions import can_make_move
from .clock import refresh_deadlines
from .common import bump, notify, record_event
from .intake import field_error
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
    if not can_make_move(actor, case, Actor.FILER):
        raise NotAllowed(f"Only a protestant may request accelerated disposition of {case.reference_number}.")
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
    deemed = deadlines.accelerated_disposition_deemed_denial(protest.accelerated_disposition_mailed_on)
    message = (
        f"Accelerated disposition requested by mail on {mailed_on}; unless allowed or denied by "
        f"{deemed.due_on} the protest is deemed denied that day ({deemed.citation})."
    )
    if earlier is not None and earlier <= mailed_on:
        message = (
            f"Accelerated disposition also requested by mail on {mailed_on}: kept; the 30 days still run "
            f"from the request mailed on {earlier} (deemed denied on {deemed.due_on}; {deemed.citation})."
        )
    record_event(case, actor=actor, kind="accelerated_disposition", new=str(mailed_on), message=message)
    notify(case, audience="center", subject=f"{case.reference_number}: accelerated disposition", body=message)
    return case
