"""Filing a protest (19 U.S.C. 1514; 19 CFR part 174), joining one, and its objections."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from cee_portal.legal_time import legal_today
from importers.models import Entry, Importer, Port

from ... import deadlines
from ...exceptions import CaseError, NotAllowed
from ...models import (
    Case,
    CaseEntry,
    CaseKind,
    CaseStatus,
    Objection,
    Protestant,
    ProtestDetail,
)
from ...permissions import can_file_for
from ..clock import refresh_deadlines
from ..common import clock_policy, notify, record_event
from ..protest_rules import check_bond_demand, check_protest_window, protested_decision
from .common import lock_entries, new_case, out_of_window


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
class ProtestFiling:
    case: Case
    joined: bool


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

    locked = {e.pk: e for e in lock_entries([item.entry for item in entries])}
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
            raise out_of_window(exc, what) from None
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

    case = new_case(
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
