"""Filing a post-importation preference claim (19 U.S.C. 1520(d); 19 CFR 10.31-10.32 and the
agreements' own parts)."""

from datetime import date

from django.db import transaction

from cee_portal.legal_time import legal_today
from importers.models import Entry, LiquidationStatus, PreferenceAgreement

from ... import deadlines
from ...exceptions import CaseError, NotAllowed
from ...models import (
    Case,
    CaseEntry,
    CaseKind,
    CaseStatus,
    PicDetail,
)
from ...permissions import can_file_for
from ..clock import refresh_deadlines
from ..common import clock_policy, notify, record_event
from .common import flag_case, lock_entries, new_case, out_of_window


@transaction.atomic
def file_pic(
    *,
    actor,
    entry: Entry,
    agreement: "PreferenceAgreement | str",
    certificate_of_origin: str,
    filed_on: date | None = None,
) -> Case:
    """File a post-importation preference claim (19 U.S.C. 1520(d)) under an agreement that provides one."""
    filed_on = filed_on or legal_today()
    if not can_file_for(actor, entry.importer, CaseKind.PIC):
        raise NotAllowed(f"You may not file for importer {entry.importer.ior_number}.")
    code = agreement.code if isinstance(agreement, PreferenceAgreement) else str(agreement).strip().upper()
    found = PreferenceAgreement.objects.filter(code=code).first()
    if found is None or not found.active:
        raise CaseError({"agreement": _no_1520d_claim(code, found, entry)}, code="no_1520d_claim")
    if not certificate_of_origin.strip():
        raise CaseError({"certificate_of_origin": "A 1520(d) claim includes the certification of origin."})
    entry = lock_entries([entry])[0]
    open_claim = (
        CaseEntry.objects.filter(entry=entry, case_kind=CaseKind.PIC, active=True)
        .select_related("case")
        .first()
    )
    if open_claim is not None:
        raise CaseError(
            f"1520(d) claim {open_claim.case.reference_number} of entry {entry.formatted_number} is still "
            "open: one claim per entry; add to that claim or wait for its decision.",
            code="open_pic",
        )
    flags = []
    if entry.importation_date is None:
        # Never counted from the entry date: importation may come days before it (19 CFR 101.1).
        flags.append(
            f"Entry {entry.formatted_number} has no date of importation: the one-year window of 19 U.S.C. "
            "1520(d) could not be checked. Establish the date of importation before deciding the claim."
        )
    else:
        try:
            deadlines.check_pic_timely(entry.importation_date, filed_on, policy=clock_policy())
        except deadlines.FilingOutOfWindow as exc:
            what = f"Entry {entry.formatted_number} (imported on {entry.importation_date.isoformat()})"
            raise out_of_window(exc, what) from None
    case = new_case(
        kind=CaseKind.PIC,
        status=CaseStatus.RECEIVED,
        importer=entry.importer,
        port=entry.port,
        actor=actor,
        filed_on=filed_on,
    )
    PicDetail.objects.create(
        case=case, entry=entry, agreement=found, certificate_of_origin=certificate_of_origin
    )
    CaseEntry.objects.create(case=case, entry=entry, case_kind=CaseKind.PIC)
    flag_case(case, flags)
    refresh_deadlines(case, today=filed_on)
    record_event(
        case,
        actor=actor,
        kind="filed",
        new=case.status,
        message=f"1520(d) claim under {found.code} ({found.regulation}).",
    )
    notify(case, audience="center", subject=f"New 1520(d) claim {case.reference_number}", body=found.name)
    return case


def _no_1520d_claim(code: str, found: "PreferenceAgreement | None", entry: Entry) -> str:
    """Why no 1520(d) claim lies under this program, and which remedies are open for the entry."""
    open_codes = ", ".join(PreferenceAgreement.objects.filter(active=True).values_list("code", flat=True))
    if not code:
        why = "Name the trade agreement under which the preference is claimed (19 U.S.C. 1520(d))."
    elif found is not None:
        why = f"Claims under {code} are not accepted at present (the agreement is marked inactive)."
    else:
        why = (
            f"{code} is not an agreement whose implementing act provides post-importation claims "
            "(19 U.S.C. 1520(d))."
        )
    if entry.liquidation_status in {LiquidationStatus.LIQUIDATED, LiquidationStatus.DEEMED_LIQUIDATED}:
        way = (
            f"Entry {entry.formatted_number} was liquidated on {entry.liquidation_date}: the preference "
            "can be claimed by a protest of the liquidation within 180 days (19 U.S.C. 1514(c)(3))."
        )
    else:
        way = (
            f"Entry {entry.formatted_number} is not liquidated: the preference can be claimed by a post "
            "summary correction before liquidation (19 CFR 101.9(b)), or by a protest after it "
            "(19 U.S.C. 1514)."
        )
    return f"{why} 1520(d) claims lie only under: {open_codes}. {way}"
