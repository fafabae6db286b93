"""Which date a protest runs from (19 U.S.C. 1514(c)(3)) and whether it is timely: the intake's rules.

Decisions merged in liquidation run from the liquidation or the reliquidation that made them; the
others from their own decision; a surety may run from the demand on its bond.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from importers.models import LiquidationStatus

from .. import deadlines
from ..exceptions import CaseError
from ..models import CaseEntry, Protestant

if TYPE_CHECKING:
    from .intake.protest import ProtestantInput, ProtestedEntry


def field_error(field: str, message: str, *, code: str) -> CaseError:
    """A refusal shown beside one field that keeps its code (a dict alone would drop it)."""
    return CaseError({field: ValidationError(message, code=code)})


MERGED_IN_LIQUIDATION = frozenset(
    {
        CaseEntry.Decision.LIQUIDATION,
        CaseEntry.Decision.APPRAISEMENT,
        CaseEntry.Decision.CLASSIFICATION,
        CaseEntry.Decision.CHARGES,
    }
)
LIQUIDATED = frozenset({LiquidationStatus.LIQUIDATED, LiquidationStatus.DEEMED_LIQUIDATED})


def protested_decision(item: ProtestedEntry, *, filed_on: date) -> tuple[str, date]:
    """The act a protested entry's window runs from and its date (19 U.S.C. 1514(c)(3))."""
    entry, number = item.entry, item.entry.formatted_number
    label = CaseEntry.Decision(item.decision).label.lower()
    if item.decision in MERGED_IN_LIQUIDATION:
        if entry.liquidation_status not in LIQUIDATED or entry.liquidation_date is None:
            raise field_error(
                "entries",
                f"Entry {number} is {entry.liquidation_status}: a protest of its {label} "
                "cannot be filed before liquidation (19 U.S.C. 1514(c)(3)(A)).",
                code="premature",
            )
        if item.of_reliquidation:
            if entry.reliquidation_date is None:
                raise CaseError(
                    {"entries": f"Entry {number} has not been reliquidated: protest its liquidation."}
                )
            act, decision_on = CaseEntry.Act.RELIQUIDATION, entry.reliquidation_date
        else:
            act, decision_on = CaseEntry.Act.LIQUIDATION, entry.liquidation_date
        if item.decision_date is not None:
            raise field_error(
                "entries",
                f"Entry {number}: {label} is decided in liquidation, so the protest runs from "
                f"the {act} on {decision_on.isoformat()}, never from a date given with the filing "
                f"(19 U.S.C. 1514(c)(3)(A)); leave the decision date empty.",
                code="typed_date",
            )
        return act, decision_on
    if item.of_reliquidation:
        raise CaseError(
            {"entries": f"Entry {number}: {label} is not decided in liquidation; no reliquidation made it."}
        )
    decision_on = item.decision_date
    if decision_on is None:
        raise CaseError(
            {
                "entries": f"Entry {number}: give the date of the {label} decision; it is not part of a "
                "liquidation, so the protest runs from it (19 U.S.C. 1514(c)(3)(B))."
            }
        )
    if decision_on > filed_on:
        raise CaseError(
            {
                "entries": f"Entry {number}: the {label} decision date {decision_on.isoformat()} is after "
                f"the filing date {filed_on.isoformat()}; a decision in the future cannot be protested "
                "(19 U.S.C. 1514(c)(3))."
            }
        )
    if decision_on < entry.entry_date:
        raise CaseError(
            {
                "entries": f"Entry {number}: the {label} decision date {decision_on.isoformat()} is before "
                f"the entry date {entry.entry_date.isoformat()}; no decision on the entry precedes it."
            }
        )
    return CaseEntry.Act.SEPARATE, decision_on


def check_bond_demand(protestant: ProtestantInput, entries: list[ProtestedEntry], filed_on: date) -> None:
    """Refuse a bond-demand date from anyone but a surety, or one after the filing or before an entry."""
    demand_on = protestant.bond_demand_mailed_on
    if demand_on is None:
        return
    if protestant.role != Protestant.Role.SURETY:
        raise CaseError(
            {
                "protestant": "Only a surety's protest runs from the mailing of a demand on its bond "
                "(19 U.S.C. 1514(c)(3)); the other protestants run from the protested decision."
            }
        )
    if demand_on > filed_on:
        raise CaseError(
            {
                "bond_demand_mailed_on": f"The demand on the bond mailed {demand_on.isoformat()} is after "
                f"the filing date {filed_on.isoformat()}: a demand in the future starts nothing."
            }
        )
    for item in entries:
        if demand_on < item.entry.entry_date:
            raise CaseError(
                {
                    "bond_demand_mailed_on": f"The demand on the bond mailed {demand_on.isoformat()} is "
                    f"before the entry date of {item.entry.formatted_number} "
                    f"({item.entry.entry_date.isoformat()})."
                }
            )


def check_protest_window(
    decision_on: date, filed_on: date, *, demand_on: date | None, further_review: bool, policy
) -> None:
    """Raise FilingOutOfWindow unless the protest (and its AFR) is timely; a surety may use its demand."""
    try:
        deadlines.check_protest_timely(decision_on, filed_on, policy=policy)
        runs_from = decision_on
    except deadlines.FilingOutOfWindow:
        if demand_on is None:
            raise
        # 1514(c)(3): a surety "may" protest within 180 days after the demand on its bond.
        deadlines.check_protest_timely(demand_on, filed_on, policy=policy)
        runs_from = demand_on
    if further_review:
        deadlines.check_further_review_timely(runs_from, filed_on, policy=policy)
