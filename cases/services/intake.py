"""Intake: filing protests, PSCs and 1520(d) claims, and issuing CF-28/CF-29.

Each filing is checked against the statutory clock (cases.deadlines) and the intake rules, then
written whole in one transaction: case, details, entries, deadlines, timeline event and outbox
notices. A refused filing writes nothing and says which rule, which dates, which citation.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cee_portal.legal_time import legal_today
from importers.identifiers import normalize_hts
from importers.models import Entry, Importer, LiquidationStatus, Port, PreferenceAgreement

from .. import deadlines
from ..exceptions import CaseError, NotAllowed
from ..models import (
    Case,
    CaseEntry,
    CaseKind,
    CaseStatus,
    InformationRequest,
    NoticeEvent,
    NoticeOfAction,
    Objection,
    PicDetail,
    Protestant,
    ProtestDetail,
    PscDetail,
    PscLine,
)
from ..permissions import can_file_for, can_issue_requests
from .clock import refresh_deadlines
from .common import clock_policy, next_reference_number, notify, record_event
from .protest_rules import check_bond_demand, check_protest_window, protested_decision


@dataclass(frozen=True)
class ProtestedEntry:
    entry: Entry
    decision: str = CaseEntry.Decision.LIQUIDATION
    # Only for decisions with no liquidation to run from (exclusion, refusal of drawback or of a
    # 1520(d) claim, charges outside liquidation): 19 U.S.C. 1514(c)(3)(B).
    decision_date: date | None = None
    # A decision merged in liquidation protested as made anew by the entry's reliquidation.
    of_reliquidation: bool = False


@dataclass(frozen=True)
class ObjectionInput:
    protested_decision: str
    text: str
    justification: str


@dataclass(frozen=True)
class ProtestantInput:
    identifier: str
    name: str
    role: str = Protestant.Role.IMPORTER
    agent_name: str = ""
    # A surety may protest within 180 days after the mailing of the demand on its bond (1514(c)(3)).
    bond_demand_mailed_on: date | None = None


@dataclass(frozen=True)
class FurtherReviewInput:
    criterion: str
    justification: str


@dataclass(frozen=True)
class PscLineInput:
    line_number: int
    hts_number: str
    entered_value: Decimal
    duty: Decimal = Decimal("0")


@dataclass(frozen=True)
class ProtestFiling:
    case: Case
    joined: bool


def _out_of_window(exc: deadlines.FilingOutOfWindow, what: str) -> CaseError:
    return CaseError(f"{what}: {exc}", code="out_of_window")


def _lock_entries(entries: list[Entry]) -> list[Entry]:
    # Locked in id order so that two filings on the same entries serialise instead of deadlocking.
    return list(Entry.objects.select_for_update().filter(pk__in=[e.pk for e in entries]).order_by("pk"))


def _new_case(
    *,
    kind: str,
    status: str,
    importer: Importer,
    port: Port,
    actor,
    filed_on: date,
    parent: Case | None = None,
) -> Case:
    if importer.center_id is None:
        raise CaseError(
            f"Importer {importer.ior_number} has no Center yet; an administrator must assign one."
        )
    return Case.objects.create(
        reference_number=next_reference_number(kind, port.code, filed_on),
        kind=kind,
        status=status,
        is_open=True,
        center_id=importer.center_id,
        filing_port=port,
        importer=importer,
        filed_on=filed_on,
        filed_by=actor,
        parent=parent,
    )


# Decisions merged in liquidation run from the liquidation or reliquidation that made them
# (19 U.S.C. 1514(c)(3)(A)); the others from their own date (1514(c)(3)(B)).
@transaction.atomic
def file_protest(
    *,
    actor,
    importer: Importer,
    filing_port: Port,
    entries: list[ProtestedEntry],
    protestant: ProtestantInput,
    merchandise_category: str,
    description: str,
    objections: list[ObjectionInput],
    further_review: FurtherReviewInput | None = None,
    related_protest: str = "",
    filed_on: date | None = None,
) -> ProtestFiling:
    """File a protest (CBP Form 19), or join an existing protest of another protestant (174.15).

    Accelerated disposition is not part of the filing: it is requested later, after 90 days
    (request_accelerated_disposition; 19 U.S.C. 1515(b)).
    """
    filed_on = filed_on or legal_today()
    policy = clock_policy()
    if not can_file_for(actor, importer, CaseKind.PROTEST):
        raise NotAllowed(f"You may not file for importer {importer.ior_number}.")
    if not entries:
        raise CaseError({"entries": "A protest covers at least one entry (19 CFR 174.13(a)(3))."})
    if not objections:
        raise CaseError(
            {"objections": "A protest states at least one objection with its justification (174.13(a)(6))."}
        )
    validate_objections(objections)
    if not description.strip():
        raise CaseError({"description": "Describe the merchandise (19 CFR 174.13(a)(5))."})
    if not protestant.identifier.strip() or not protestant.name.strip():
        raise CaseError({"protestant": "Name the protestant and its number (19 CFR 174.13(a)(1))."})
    if protestant.role not in Protestant.Role.values:
        raise CaseError(
            {"protestant": f"{protestant.role!r} is not a person who may protest (19 CFR 174.12(a))."}
        )
    if not filing_port.active:
        raise CaseError({"filing_port": f"{filing_port.code} is not an active port of entry."})
    numbers = [item.entry.pk for item in entries]
    if len(set(numbers)) != len(numbers):
        raise CaseError({"entries": "An entry is listed twice."})
    for item in entries:
        if item.entry.importer_id != importer.pk:
            raise CaseError(
                {
                    "entries": f"Entry {item.entry.formatted_number} is not an entry of importer "
                    f"{importer.ior_number}; one protest covers entries of one importer (174.13)."
                }
            )
        if item.decision not in CaseEntry.Decision.values:
            raise CaseError(
                {"entries": f"{item.decision!r} is not a protestable decision (19 U.S.C. 1514(a))."}
            )
    if further_review is not None and (
        further_review.criterion not in ProtestDetail.AfrCriterion.values
        or not further_review.justification.strip()
    ):
        raise CaseError(
            {"further_review": "Further review names a 19 CFR 174.24 criterion (a-d) and its justification."}
        )
    check_bond_demand(protestant, entries, filed_on)

    locked = {e.pk: e for e in _lock_entries([item.entry for item in entries])}
    entries = [
        ProtestedEntry(locked[i.entry.pk], i.decision, i.decision_date, i.of_reliquidation) for i in entries
    ]
    decisions: dict[int, tuple[str, date]] = {}
    for item in entries:
        act, decision_on = protested_decision(item, filed_on=filed_on)
        try:
            check_protest_window(
                decision_on,
                filed_on,
                demand_on=protestant.bond_demand_mailed_on,
                further_review=further_review is not None,
                policy=policy,
            )
        except deadlines.FilingOutOfWindow as exc:
            what = f"Entry {item.entry.formatted_number} ({item.decision}, {act} of {decision_on})"
            raise _out_of_window(exc, what) from None
        decisions[item.entry.pk] = (act, decision_on)

    keys = {(pk, act, on) for pk, (act, on) in decisions.items()}
    existing = [
        link
        for link in CaseEntry.objects.filter(
            entry__in=[item.entry for item in entries],
            merchandise_category=merchandise_category,
            case_kind=CaseKind.PROTEST,
            active=True,
        ).select_related("case")
        if (link.entry_id, link.protested_act, link.decision_date) in keys
    ]
    if existing:
        return _join_protest(
            existing,
            entries,
            actor=actor,
            protestant=protestant,
            objections=objections,
            further_review=further_review,
            filed_on=filed_on,
            category=merchandise_category,
        )

    case = _new_case(
        kind=CaseKind.PROTEST,
        status=CaseStatus.RECEIVED,
        importer=importer,
        port=filing_port,
        actor=actor,
        filed_on=filed_on,
    )
    is_exclusion = any(item.decision == CaseEntry.Decision.EXCLUSION for item in entries)
    ProtestDetail.objects.create(
        case=case,
        merchandise_category=merchandise_category,
        description=description,
        related_protest=related_protest,
        is_exclusion=is_exclusion,
        afr_status=ProtestDetail.AfrStatus.REQUESTED
        if further_review
        else ProtestDetail.AfrStatus.NOT_REQUESTED,
        afr_filed_on=filed_on if further_review else None,
        afr_criterion=further_review.criterion if further_review else "",
        afr_justification=further_review.justification if further_review else "",
    )
    CaseEntry.objects.bulk_create(
        CaseEntry(
            case=case,
            entry=item.entry,
            case_kind=CaseKind.PROTEST,
            merchandise_category=merchandise_category,
            protested_decision=item.decision,
            protested_act=decisions[item.entry.pk][0],
            decision_date=decisions[item.entry.pk][1],
        )
        for item in entries
    )
    filer = _add_protestant(case, protestant, actor=actor, filed_on=filed_on, joined=False)
    add_objections(case, objections, filer=filer, on=filed_on)
    open_psc = CaseEntry.objects.filter(
        entry__in=[i.entry for i in entries], case_kind=CaseKind.PSC, active=True
    )
    if open_psc.exists():
        refs = ", ".join(sorted(open_psc.values_list("case__reference_number", flat=True)))
        case.flagged_for_specialist = True
        case.flag_reason = f"An entry of this protest has an open post summary correction ({refs})."
        case.save(update_fields=["flagged_for_specialist", "flag_reason"])
    refresh_deadlines(case, today=filed_on)
    record_event(
        case,
        actor=actor,
        kind="filed",
        new=case.status,
        message=f"Protest filed by {protestant.name} covering {len(entries)} entry(ies).",
    )
    notify(case, audience="center", subject=f"New protest {case.reference_number}", body=description[:500])
    notify(
        case,
        audience="importer",
        subject=f"Protest {case.reference_number} received",
        body=f"Your protest was received on {filed_on} and numbered {case.reference_number}.",
    )
    return ProtestFiling(case=case, joined=False)


def _add_protestant(case: Case, protestant: ProtestantInput, *, actor, filed_on: date, joined: bool):
    return Protestant.objects.create(
        case=case,
        identifier=protestant.identifier.strip().upper(),
        name=protestant.name,
        role=protestant.role,
        agent_name=protestant.agent_name,
        filed_on=filed_on,
        filed_by=actor,
        bond_demand_mailed_on=protestant.bond_demand_mailed_on,
        joined=joined,
    )


def validate_objections(objections: list[ObjectionInput]) -> None:
    """Refuse objections without a protestable decision, a statement or a justification (174.13(a)(6))."""
    for objection in objections:
        if objection.protested_decision not in CaseEntry.Decision.values:
            raise CaseError(
                {
                    "objections": f"{objection.protested_decision!r} is not a protestable decision "
                    "(19 U.S.C. 1514(a))."
                }
            )
        if not objection.text.strip() or not objection.justification.strip():
            raise CaseError(
                {"objections": "Each objection states the objection and its justification (174.13(a)(6))."}
            )


def add_objections(
    case: Case, objections: list[ObjectionInput], *, filer: Protestant | None, on: date
) -> None:
    """Append validated objections to a protest, numbered after the ones it has."""
    start = max(case.objections.values_list("number", flat=True), default=0)
    Objection.objects.bulk_create(
        Objection(
            case=case,
            number=start + n,
            protested_decision=o.protested_decision,
            text=o.text,
            justification=o.justification,
            added_on=on,
            added_by=filer,
        )
        for n, o in enumerate(objections, start=1)
    )


def _join_protest(
    existing, entries, *, actor, protestant, objections, further_review, filed_on, category
) -> ProtestFiling:
    cases = {link.case_id: link.case for link in existing}
    covered = {link.entry_id for link in existing}
    uncovered = [i.entry.formatted_number for i in entries if i.entry.pk not in covered]
    if len(cases) > 1 or uncovered:
        refs = ", ".join(sorted(c.reference_number for c in cases.values()))
        raise CaseError(
            {
                "entries": f"Some entries are already under protest {refs} for category {category!r} "
                "and others "
                f"({', '.join(uncovered) or 'of another protest'}) are not: file them in separate protests."
            },
            code="mixed_protests",
        )
    case = Case.objects.select_for_update().get(pk=next(iter(cases)))
    identifier = protestant.identifier.strip().upper()
    if case.protestants.filter(identifier=identifier).exists():
        raise CaseError(
            f"{protestant.name} already protested these entries for category {category!r} in protest "
            f"{case.reference_number}: amend that protest instead (19 CFR 174.14).",
            code="amend_instead",
        )
    if not case.is_open:
        raise CaseError(
            f"Protest {case.reference_number} on these entries is {case.status}; it can no longer be joined.",
            code="protest_decided",
        )
    filer = _add_protestant(case, protestant, actor=actor, filed_on=filed_on, joined=True)
    add_objections(case, objections, filer=filer, on=filed_on)
    message = (
        f"{protestant.name} protested the same entries and category: deemed one protest "
        "(19 U.S.C. 1514(c)(1); 19 CFR 174.15); the 2-year decision target now runs from "
        f"{filed_on.isoformat()} (19 CFR 174.21(a))."
    )
    if further_review is not None:
        message += " " + _keep_joiner_further_review(case.protest, protestant, further_review, filed_on)
    case.version += 1
    case.save(update_fields=["version", "updated_at"])
    refresh_deadlines(case, today=filed_on)
    record_event(case, actor=actor, kind="joined", new=protestant.name, message=message)
    notify(case, audience="center", subject=f"Protest {case.reference_number} joined", body=protestant.name)
    return ProtestFiling(case=case, joined=True)


def _keep_joiner_further_review(
    protest: ProtestDetail, protestant: ProtestantInput, further_review: FurtherReviewInput, filed_on: date
) -> str:
    """Keep a joiner's application for further review (19 CFR 174.15, 174.23): never drop it."""
    statement = (
        f"[{protestant.name}, filed {filed_on.isoformat()}, 174.24({further_review.criterion})] "
        f"{further_review.justification}"
    )
    if protest.afr_status == ProtestDetail.AfrStatus.NOT_REQUESTED:
        protest.afr_status = ProtestDetail.AfrStatus.REQUESTED
        protest.afr_filed_on = filed_on
        protest.afr_criterion = further_review.criterion
        protest.afr_justification = statement
        protest.save(update_fields=["afr_status", "afr_filed_on", "afr_criterion", "afr_justification"])
        return "Further review requested with the joined protest."
    protest.afr_justification = f"{protest.afr_justification}\n\n{statement}".strip()
    protest.save(update_fields=["afr_justification"])
    return f"Further review ({protest.get_afr_status_display().lower()}) also sought by the joiner: kept."


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
    entry = _lock_entries([entry])[0]
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
        raise _out_of_window(exc, f"Entry {entry.formatted_number}") from None
    case = _new_case(
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
        _flag(
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
    entry = _lock_entries([entry])[0]
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
            raise _out_of_window(exc, what) from None
    case = _new_case(
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
    _flag(case, flags)
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


def _flag(case: Case, reasons: list[str]) -> None:
    """Flag a new case for the specialist with every reason found at intake."""
    if reasons:
        case.flagged_for_specialist = True
        case.flag_reason = " ".join(reasons)
        case.save(update_fields=["flagged_for_specialist", "flag_reason"])


def _issue(kind: str, *, actor, entry: Entry, parent: Case | None, issued_on: date) -> Case:
    if not can_issue_requests(actor, entry.importer.center_id):
        raise NotAllowed("Only the staff of the Center that owns the account issue CF-28 and CF-29.")
    if parent is not None and parent.importer_id != entry.importer_id:
        raise CaseError({"parent": "The parent case belongs to another importer."})
    case = _new_case(
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
