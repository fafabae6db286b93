"""Filing a post summary correction (19 CFR 101.9(b))."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cee_portal.legal_time import legal_today
from importers.identifiers import normalize_hts
from importers.models import Entry, LiquidationStatus

from ... import deadlines
from ...exceptions import CaseError, NotAllowed
from ...models import (
    Case,
    CaseEntry,
    CaseKind,
    CaseStatus,
    PscDetail,
    PscLine,
)
from ...permissions import can_file_for
from ..clock import refresh_deadlines
from ..common import clock_policy, notify, record_event
from .common import flag_case, lock_entries, new_case, out_of_window


@dataclass(frozen=True)
class PscLineInput:
    line_number: int
    hts_number: str
    entered_value: Decimal
    duty: Decimal = Decimal("0")


@transaction.atomic
def file_psc(
    *,
    actor,
    entry: Entry,
    reason_code: str,
    explanation: str,
    lines: list[PscLineInput],
    filed_on: date | None = None,
) -> Case:
    """File a post summary correction of an unliquidated entry summary (19 CFR 101.9(b))."""
    filed_on = filed_on or legal_today()
    if not can_file_for(actor, entry.importer, CaseKind.PSC):
        raise NotAllowed(f"You may not file for importer {entry.importer.ior_number}.")
    if not reason_code.strip() or not explanation.strip():
        raise CaseError(
            {"explanation": "A post summary correction carries a reason code and an explanation."}
        )
    if not lines:
        raise CaseError({"lines": "A post summary correction replaces the summary: give its lines."})
    seen, clean = set(), []
    for line in lines:
        if line.line_number in seen:
            raise CaseError({"lines": f"Line {line.line_number} appears twice."})
        seen.add(line.line_number)
        try:
            hts = normalize_hts(line.hts_number)
        except ValidationError as exc:
            raise CaseError({"lines": f"Line {line.line_number}: {' '.join(exc.messages)}"}) from None
        if line.entered_value < 0 or line.duty < 0:
            raise CaseError({"lines": f"Line {line.line_number}: amounts cannot be negative."})
        clean.append((line.line_number, hts, line.entered_value, line.duty))
    entry = lock_entries([entry])[0]
    if entry.liquidation_status in {LiquidationStatus.LIQUIDATED, LiquidationStatus.DEEMED_LIQUIDATED}:
        raise CaseError(
            f"Entry {entry.formatted_number} was liquidated on {entry.liquidation_date}: a post summary "
            "correction is only for unliquidated entries (19 CFR 101.9(b)); protest instead."
        )
    if entry.summary_under_review:
        raise CaseError(
            f"Entry {entry.formatted_number} is under CBP review: no post summary correction may be "
            "filed until the review ends (19 CFR 101.9(b)(1)).",
            code="under_review",
        )
    open_protest = CaseEntry.objects.filter(
        entry=entry, case_kind=CaseKind.PROTEST, active=True, case__is_open=True
    )
    if open_protest.exists():
        raise CaseError(
            f"Entry {entry.formatted_number} is under protest "
            f"{open_protest.first().case.reference_number}: no post summary correction while it is open.",
            code="open_protest",
        )
    open_psc = CaseEntry.objects.filter(entry=entry, case_kind=CaseKind.PSC, active=True).first()
    if open_psc is not None:
        raise CaseError(
            f"Post summary correction {open_psc.case.reference_number} of entry {entry.formatted_number}"
            " is still in progress.",
            code="open_psc",
        )
    open_requests = sorted(
        CaseEntry.objects.filter(
            entry=entry, case_kind__in=[CaseKind.CF28, CaseKind.CF29], case__is_open=True
        ).values_list("case__reference_number", flat=True)
    )
    if entry.scheduled_liquidation_date is None:
        raise CaseError(
            f"Entry {entry.formatted_number} has no scheduled liquidation date yet; the PSC window "
            "(19 CFR 101.9(b)(1)) cannot be computed."
        )
    extension = (
        entry.extension_requested_by_importer and entry.liquidation_status == LiquidationStatus.EXTENDED
    )
    try:
        deadlines.check_psc_timely(
            entry.entry_date,
            entry.scheduled_liquidation_date,
            filed_on,
            importer_extension_granted=extension,
            policy=clock_policy(),
        )
    except deadlines.FilingOutOfWindow as exc:
        raise out_of_window(exc, f"Entry {entry.formatted_number}") from None
    case = new_case(
        kind=CaseKind.PSC,
        status=CaseStatus.RECEIVED,
        importer=entry.importer,
        port=entry.port,
        actor=actor,
        filed_on=filed_on,
    )
    psc = PscDetail.objects.create(
        case=case, entry=entry, reason_code=reason_code.strip(), explanation=explanation
    )
    PscLine.objects.bulk_create(
        PscLine(psc=psc, line_number=n, hts_number=h, entered_value=v, duty=d) for n, h, v, d in clean
    )
    CaseEntry.objects.create(case=case, entry=entry, case_kind=CaseKind.PSC)
    if open_requests:
        # Not refused: the correction may be the answer. The specialist reads the two together.
        flag_case(
            case,
            [
                f"Entry {entry.formatted_number} has an open request for information or notice of action "
                f"({', '.join(open_requests)}): review this correction with it."
            ],
        )
    refresh_deadlines(case, today=filed_on)
    record_event(
        case, actor=actor, kind="filed", new=case.status, message=f"Reason {reason_code}: {explanation}"
    )
    notify(
        case,
        audience="center",
        subject=f"New post summary correction {case.reference_number}",
        body=explanation,
    )
    return case
