"""The dates a filing would start, shown before it is submitted: the pure clock on the entry's facts.

Nothing here decides: which date a protest runs from is cases.services.protest_rules.protested_decision
(the intake's own rule), and every period is a cases.deadlines function.
"""

from dataclasses import dataclass
from datetime import date

from cases import deadlines
from cases.exceptions import CaseError
from cases.services import ProtestedEntry
from cases.services.common import clock_policy
from cases.services.protest_rules import protested_decision
from importers.models import Entry

from .errors import messages_by_field


@dataclass(frozen=True)
class DueDate:
    label: str
    due_on: date
    days_left: int
    citation: str
    rule: str
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(cls, deadline: deadlines.Deadline, today: date, label: str = "") -> "DueDate":
        return cls(
            label or deadline.kind.label,
            deadline.due_on,
            deadlines.days_left(deadline.due_on, today),
            deadline.citation,
            deadline.rule,
            deadline.warnings,
        )


@dataclass(frozen=True)
class EntryWindow:
    number: str
    runs_from: str  # "liquidation of 2026-09-01", or why no date can be computed yet
    window: DueDate | None
    problem: str = ""


def protest_preview(rows: list[dict], *, further_review: bool, today: date) -> dict:
    """Each entry's protest window, and the dates a protest filed today would start."""
    policy = clock_policy()
    windows, exclusion = [], False
    for row in rows:
        entry: Entry | None = row.get("entry")
        if entry is None or not row.get("decision"):
            continue
        exclusion |= row["decision"] == "exclusion"
        item = ProtestedEntry(
            entry, row["decision"], row.get("decision_date"), bool(row.get("of_reliquidation"))
        )
        try:
            act, decision_on = protested_decision(item, filed_on=today)
        except CaseError as exc:
            windows.append(EntryWindow(entry.formatted_number, "", None, messages_by_field(exc)[0][1]))
            continue
        window = DueDate.of(deadlines.protest_filing_deadline(decision_on, policy=policy), today)
        problem = ""
        try:
            deadlines.check_protest_timely(decision_on, today, policy=policy)
        except deadlines.FilingOutOfWindow as exc:
            problem = str(exc)
        windows.append(
            EntryWindow(entry.formatted_number, f"{act} of {decision_on.isoformat()}", window, problem)
        )
    started = [
        DueDate.of(deadlines.protest_decision_target(today, policy=policy), today),
        DueDate(
            "Accelerated disposition may be requested from",
            deadlines.accelerated_disposition_opens_on(today),
            deadlines.days_left(deadlines.accelerated_disposition_opens_on(today), today),
            deadlines.ACCELERATED_CITATION,
            "a request for accelerated disposition may be mailed only after 90 days following the filing",
        ),
    ]
    if further_review:
        started.append(DueDate.of(deadlines.further_review_decision_due(today, policy=policy), today))
    if exclusion:
        started.append(DueDate.of(deadlines.exclusion_deemed_denial(today, policy=policy), today))
    return {"windows": windows, "started": started, "today": today}


def entry_windows(entry: Entry, *, kind: str, today: date) -> list[DueDate]:
    """The window of a PSC (19 CFR 101.9(b)(1)) or a 1520(d) claim for one entry, where its facts allow."""
    policy = clock_policy()
    if (
        kind == "psc"
        and entry.scheduled_liquidation_date
        and entry.scheduled_liquidation_date > entry.entry_date
    ):
        extension = entry.extension_requested_by_importer and entry.liquidation_status == "extended"
        deadline = deadlines.psc_filing_deadline(
            entry.entry_date,
            entry.scheduled_liquidation_date,
            importer_extension_granted=extension,
            policy=policy,
        )
        return [DueDate.of(deadline, today)]
    if kind == "pic" and entry.importation_date:
        return [DueDate.of(deadlines.pic_filing_deadline(entry.importation_date, policy=policy), today)]
    return []
