"""What every filing shares: the locked entries, the new case, the refusal of a late filing, the flags."""

from datetime import date

from importers.models import Entry, Importer, Port

from ... import deadlines
from ...exceptions import CaseError
from ...models import (
    Case,
)
from ..common import next_reference_number


def out_of_window(exc: deadlines.FilingOutOfWindow, what: str) -> CaseError:
    return CaseError(f"{what}: {exc}", code="out_of_window")


def lock_entries(entries: list[Entry]) -> list[Entry]:
    # Locked in id order so that two filings on the same entries serialise instead of deadlocking.
    return list(Entry.objects.select_for_update().filter(pk__in=[e.pk for e in entries]).order_by("pk"))


def new_case(
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


def flag_case(case: Case, reasons: list[str]) -> None:
    """Flag a new case for the specialist with every reason found at intake."""
    if reasons:
        case.flagged_for_specialist = True
        case.flag_reason = " ".join(reasons)
        case.save(update_fields=["flagged_for_specialist", "flag_reason"])
