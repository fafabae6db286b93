"""Statutory clock of the post-entry case system.

Pure functions: every date comes in as an argument, nothing reads the clock, nothing touches the
database. Callers compute a deadline when a clock starts and store it (see STYLE.md section 2).
"N days after D" is D + N calendar days throughout.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import holidays

# Pub. L. 108-429 was signed 2004-12-03; its protest changes took effect 15 days later.
PROTEST_180_DAYS_FROM = date(2004, 12, 18)
PROTEST_CITATION = "19 U.S.C. 1514(c)(3); 19 CFR 174.12(e)"
PROTEST_CITATION_BEFORE_2004 = (
    "19 U.S.C. 1514(c)(3) as in force before the Miscellaneous Trade and Technical Corrections Act "
    "of 2004 (Pub. L. 108-429); 19 CFR 174.12(e)"
)
COURT_CITATION = "28 U.S.C. 2636(a); 19 CFR 174.30-174.31; USCIT Rule 6(a)(1)(C)"
ACCELERATED_CITATION = "19 U.S.C. 1515(b); 19 CFR 174.22"
EXCLUSION_CITATION = "19 U.S.C. 1499(c)(5)(A); 19 CFR 174.21(b)"
# 19 U.S.C. 1515(b): a request may be mailed only "after ninety days following the filing".
ACCELERATED_WAIT_DAYS = 90
# Runs of weekend and holiday days last at most 3 days; the bound only guards against a broken
# holiday table looping forever.
_MAX_ROLL_DAYS = 10


@dataclass(frozen=True)
class ClockPolicy:
    """Settings for the points the law leaves open, and the practice periods."""

    roll_forward: bool = False
    same_day_protest_premature: bool = True
    cf28_response_days: int = 30
    cf29_response_days: int = 20

    def __post_init__(self) -> None:
        for name in ("roll_forward", "same_day_protest_premature"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name.upper()} must be True or False, got {getattr(self, name)!r}")
        for name in ("cf28_response_days", "cf29_response_days"):
            value = getattr(self, name)
            # bool is an int subclass; True would silently mean "1 day".
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
                raise ValueError(
                    f"{name.upper()} must be a whole number of days from 1 to 365, got {value!r}"
                )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ClockPolicy:
        """Build a policy from settings keys such as ROLL_FORWARD; missing keys keep the defaults."""
        known = {f.name.upper(): f.name for f in fields(cls)}
        unknown = sorted(key for key in values if key.upper() not in known)
        if unknown:
            # A misspelt key would otherwise leave a legal setting at its default unnoticed.
            raise ValueError(f"unknown clock setting(s) {', '.join(unknown)}; expected {', '.join(known)}")
        return cls(**{known[key.upper()]: value for key, value in values.items()})


DEFAULT_POLICY = ClockPolicy()


class DeadlineKind(StrEnum):
    PROTEST_FILING = "protest_filing"
    PROTEST_AMENDMENT = "protest_amendment"
    FURTHER_REVIEW_DECISION = "further_review_decision"
    ACCELERATED_DISPOSITION = "accelerated_disposition"
    EXCLUSION_DEEMED_DENIAL = "exclusion_deemed_denial"
    PROTEST_DECISION_TARGET = "protest_decision_target"
    PSC_FILING = "psc_filing"
    PIC_FILING = "pic_filing"
    CF28_RESPONSE = "cf28_response"
    CF29_RESPONSE = "cf29_response"
    RELIQUIDATION = "reliquidation"
    COURT_OF_INTERNATIONAL_TRADE = "court_of_international_trade"

    @property
    def label(self) -> str:
        """What the date is, in words for people (pages, admin, notices)."""
        return DEADLINE_LABELS[self]


# Periods in which the importer side may act (protest, add objections, correct, claim, sue): once
# the last day has passed the window is closed; no one is overdue on it. The other kinds are
# somebody's duty (CBP's decision, the importer's answer to a CF-28/29) and can be overdue.
WINDOW_KINDS = frozenset(
    {
        DeadlineKind.PROTEST_FILING,
        DeadlineKind.PROTEST_AMENDMENT,
        DeadlineKind.PSC_FILING,
        DeadlineKind.PIC_FILING,
        DeadlineKind.COURT_OF_INTERNATIONAL_TRADE,
    }
)


# One label per deadline kind; the rule behind each date is in the Deadline's citation.
DEADLINE_LABELS = {
    DeadlineKind.PROTEST_FILING: "Last day to protest",
    DeadlineKind.PROTEST_AMENDMENT: "Last day to add objections to the protest",
    DeadlineKind.FURTHER_REVIEW_DECISION: "Further review: decision due",
    DeadlineKind.ACCELERATED_DISPOSITION: "Accelerated disposition: deemed denied on",
    DeadlineKind.EXCLUSION_DEEMED_DENIAL: "Exclusion protest: deemed denied on",
    DeadlineKind.PROTEST_DECISION_TARGET: "Protest decision: two-year target",
    DeadlineKind.PSC_FILING: "Last day for a post summary correction",
    DeadlineKind.PIC_FILING: "Last day for a 1520(d) claim",
    DeadlineKind.CF28_RESPONSE: "CF-28: answer due",
    DeadlineKind.CF29_RESPONSE: "CF-29: answer due",
    DeadlineKind.RELIQUIDATION: "Last day for CBP to reliquidate",
    DeadlineKind.COURT_OF_INTERNATIONAL_TRADE: "Last day to sue in the Court of International Trade",
}


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: due_on is the last timely day, or the day a deemed event happens."""

    kind: DeadlineKind
    due_on: date
    citation: str
    rule: str
    warnings: tuple[str, ...] = ()
    # The last day of the period itself when a rule carried the deadline past it (USCIT Rule 6).
    period_ends_on: date | None = None


@dataclass(eq=False)
class FilingOutOfWindow(ValueError):
    """Raised when a filing date falls outside its statutory window; str() is the user-facing message."""

    message: str
    _: KW_ONLY
    kind: DeadlineKind
    filed_on: date
    opens_on: date | None
    closes_on: date | None
    citation: str
    reason: str  # "premature" or "late"

    def __post_init__(self) -> None:
        super().__init__(self.message)


@functools.lru_cache(maxsize=64)
def _federal_holidays(year: int) -> Mapping[date, str]:
    # Observed days (a Saturday holiday kept on Friday) are federal days off too, so they count.
    return MappingProxyType(dict(holidays.country_holidays("US", years=year)))


def is_weekend_or_holiday(day: date) -> str | None:
    """Return why the day is no federal business day (weekend, or a 5 U.S.C. 6103 holiday), or None."""
    weekend = day.strftime("%A") if day.weekday() >= 5 else None
    return ", ".join(r for r in (weekend, _federal_holidays(day.year).get(day)) if r) or None


def _describe(day: date) -> str:
    holiday = _federal_holidays(day.year).get(day)
    weekend = f"a {day.strftime('%A')}" if day.weekday() >= 5 else ""
    if holiday:
        return f"{weekend + ' and ' if weekend else ''}a US federal holiday ({holiday})"
    return weekend


def _business_day(day: date, step: int) -> date:
    for _ in range(_MAX_ROLL_DAYS):
        day += timedelta(days=step)
        if is_weekend_or_holiday(day) is None:
            return day
    raise RuntimeError(f"no business day within {_MAX_ROLL_DAYS} days of {day.isoformat()}")


def _days_after(start: date, days: int) -> date:
    return start + timedelta(days=days)


def _years_after(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        # Feb 29 has no anniversary in a common year; Feb 28 keeps the period within the year.
        return start.replace(year=start.year + years, day=28)


def _finish(
    kind: DeadlineKind,
    due_on: date,
    citation: str,
    rule: str,
    policy: ClockPolicy,
    *,
    deemed_event: bool = False,
    warnings: tuple[str, ...] = (),
) -> Deadline:
    reason = is_weekend_or_holiday(due_on)
    if reason is None:
        return Deadline(kind, due_on, citation, rule, warnings)
    day, earlier = due_on.isoformat(), _business_day(due_on, -1).isoformat()
    if deemed_event:
        # A deemed denial happens by operation of law; moving it would also start the court clock
        # late, so roll-forward never applies to it.
        note = f"{day} is {_describe(due_on)}; the deemed denial takes effect that day all the same"
    elif policy.roll_forward:
        moved = _business_day(due_on, 1)
        note = (
            f"rolled forward from {day} ({reason}) to {moved.isoformat()} by the ROLL_FORWARD setting; "
            f"no statute or regulation found moves this deadline, so acting by {earlier} is the safe course"
        )
        return Deadline(kind, moved, citation, rule, (*warnings, note))
    else:
        note = (
            f"{day} is {_describe(due_on)}; no rule moves the deadline (last business day before: {earlier})"
        )
    return Deadline(kind, due_on, citation, rule, (*warnings, note))


def _check_window(deadline: Deadline, filed_on: date, opens_on: date, what: str, note: str = "") -> Deadline:
    closes_on = deadline.due_on
    if opens_on <= filed_on <= closes_on:
        return deadline
    reason, tense = ("premature", "runs") if filed_on < opens_on else ("late", "ran")
    message = (
        f"The {what} filed on {filed_on.isoformat()} is {reason}: {deadline.rule}; the window {tense} "
        f"from {opens_on.isoformat()} through {closes_on.isoformat()} ({deadline.citation})."
    )
    if reason == "premature" and note:
        message += f" {note}"
    raise FilingOutOfWindow(
        message,
        kind=deadline.kind,
        filed_on=filed_on,
        opens_on=opens_on,
        closes_on=closes_on,
        citation=deadline.citation,
        reason=reason,
    )


def _protest_period(decision_on: date) -> tuple[int, str]:
    if decision_on < PROTEST_180_DAYS_FROM:
        return 90, PROTEST_CITATION_BEFORE_2004
    return 180, PROTEST_CITATION


def protest_filing_deadline(decision_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute the last day to protest a decision under 19 U.S.C. 1514(c)(3) and 19 CFR 174.12(e)."""
    days, citation = _protest_period(decision_on)
    rule = (
        f"a protest must be filed within {days} days after the date of the protested decision "
        f"(the date of liquidation, not of its notice), and not before it"
    )
    if days == 90:
        rule += " (90 days, not 180, because the decision was made before 2004-12-18)"
    return _finish(DeadlineKind.PROTEST_FILING, _days_after(decision_on, days), citation, rule, policy)


def protest_window_opens_on(decision_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> date:
    """Return the first day a protest may be filed: 19 U.S.C. 1514(c)(3) allows none before the decision."""
    # Whether a same-day protest counts as "after" the decision is unsettled; it is a setting.
    return decision_on + timedelta(days=1) if policy.same_day_protest_premature else decision_on


def _same_day_note(decision_on: date, filed_on: date, policy: ClockPolicy) -> str:
    if filed_on == decision_on and policy.same_day_protest_premature:
        return "A filing on the day of the decision is treated as premature (the law is unsettled)."
    return ""


def check_protest_timely(
    decision_on: date, filed_on: date, *, policy: ClockPolicy = DEFAULT_POLICY
) -> Deadline:
    """Raise FilingOutOfWindow unless the protest is within the 19 U.S.C. 1514(c)(3) window."""
    deadline = protest_filing_deadline(decision_on, policy=policy)
    opens_on = protest_window_opens_on(decision_on, policy=policy)
    return _check_window(
        deadline, filed_on, opens_on, "protest", _same_day_note(decision_on, filed_on, policy)
    )


def protest_amendment_deadline(decision_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute the last day to add new objections to a protest under 19 CFR 174.14."""
    days, citation = _protest_period(decision_on)
    rule = (
        f"new objections may be added to a protest only within the {days}-day period in which the protest "
        f"could have been filed; new arguments for existing objections may follow until decision (174.28)"
    )
    due_on = _days_after(decision_on, days)
    return _finish(DeadlineKind.PROTEST_AMENDMENT, due_on, f"{citation}; 19 CFR 174.14", rule, policy)


def further_review_decision_due(afr_filed_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute when CBP must allow or deny an application for further review (19 U.S.C. 1515(a))."""
    rule = "CBP must allow or deny an application for further review within 30 days after it is filed"
    citation = "19 U.S.C. 1515(a); 19 CFR 174.23-174.26"
    return _finish(
        DeadlineKind.FURTHER_REVIEW_DECISION, _days_after(afr_filed_on, 30), citation, rule, policy
    )


def check_further_review_timely(
    decision_on: date, afr_filed_on: date, *, policy: ClockPolicy = DEFAULT_POLICY
) -> Deadline:
    """Raise FilingOutOfWindow unless the AFR is within the protest window (19 CFR 174.23-174.26)."""
    protest = protest_filing_deadline(decision_on, policy=policy)
    days, _ = _protest_period(decision_on)
    rule = (
        f"an application for further review must be filed with the protest or later in the {days}-day window"
    )
    citation = f"{protest.citation}; 19 CFR 174.23-174.26"
    deadline = Deadline(protest.kind, protest.due_on, citation, rule, protest.warnings)
    opens_on = protest_window_opens_on(decision_on, policy=policy)
    note = _same_day_note(decision_on, afr_filed_on, policy)
    return _check_window(deadline, afr_filed_on, opens_on, "application for further review", note)


def accelerated_disposition_opens_on(protest_filed_on: date) -> date:
    """Return the first day a request for accelerated disposition may be mailed (19 U.S.C. 1515(b)).

    The request may be made only "after ninety days following the filing" of the protest: a mailing
    on the 90th day or earlier is premature and starts nothing (19 CFR 174.22(a)).
    """
    return _days_after(protest_filed_on, ACCELERATED_WAIT_DAYS + 1)


def check_accelerated_disposition_request(protest_filed_on: date, mailed_on: date) -> date:
    """Raise FilingOutOfWindow for a request mailed 90 days or less after filing; else return day 91."""
    opens_on = accelerated_disposition_opens_on(protest_filed_on)
    if mailed_on >= opens_on:
        return opens_on
    rule = (
        f"accelerated disposition may be requested only after {ACCELERATED_WAIT_DAYS} days following the "
        f"filing of the protest; a request mailed on or before day {ACCELERATED_WAIT_DAYS} is premature "
        f"and starts nothing"
    )
    message = (
        f"The request for accelerated disposition mailed on {mailed_on.isoformat()} is premature: {rule}. "
        f"The protest was filed on {protest_filed_on.isoformat()}; the first day a request may be mailed "
        f"is {opens_on.isoformat()} ({ACCELERATED_CITATION}(a))."
    )
    raise FilingOutOfWindow(
        message,
        kind=DeadlineKind.ACCELERATED_DISPOSITION,
        filed_on=mailed_on,
        opens_on=opens_on,
        closes_on=None,
        citation=f"{ACCELERATED_CITATION}(a)",
        reason="premature",
    )


def accelerated_disposition_deemed_denial(
    mailed_on: date, *, policy: ClockPolicy = DEFAULT_POLICY
) -> Deadline:
    """Return the 30th day after a 19 U.S.C. 1515(b) request: the last day to decide, then deemed denied.

    A decision made on day 30 is in time; a protest still undecided once day 30 has passed is deemed
    denied as of day 30 (19 CFR 174.22(d)), and the Court's 180 days run from that day.
    """
    rule = (
        "a protest not allowed or denied within 30 days after the request for accelerated disposition was "
        "mailed by certified or registered mail is deemed denied on the 30th day; a decision on the 30th "
        "day is in time"
    )
    due_on, citation = _days_after(mailed_on, 30), f"{ACCELERATED_CITATION}(d)"
    return _finish(DeadlineKind.ACCELERATED_DISPOSITION, due_on, citation, rule, policy, deemed_event=True)


def exclusion_deemed_denial(filed_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Return the day an undecided exclusion protest is deemed denied (19 U.S.C. 1499(c)(5)(A)).

    A decision must come before that day (19 CFR 174.21(b)): on the 30th day it is deemed denied.
    """
    rule = (
        "a protest against an exclusion not allowed or denied within 30 days after filing is deemed denied "
        "on the 30th day: a decision must come before it"
    )
    due_on = _days_after(filed_on, 30)
    return _finish(
        DeadlineKind.EXCLUSION_DEEMED_DENIAL, due_on, EXCLUSION_CITATION, rule, policy, deemed_event=True
    )


# The clocks whose end deems a protest denied by operation of law.
DEEMED_DENIAL_KINDS = frozenset({DeadlineKind.ACCELERATED_DISPOSITION, DeadlineKind.EXCLUSION_DEEMED_DENIAL})


def decision_in_time(kind: str, due_on: date, decided_on: date) -> bool:
    """Is a decision on decided_on in time for a deemed-denial clock due on due_on?

    Accelerated disposition: the 30th day is in time (19 CFR 174.22(d)). Exclusion: the decision must
    come before the 30th day (19 CFR 174.21(b)). Any other deadline: on or before it.
    """
    if kind == DeadlineKind.EXCLUSION_DEEMED_DENIAL:
        return decided_on < due_on
    return decided_on <= due_on


def is_deemed_denied(kind: str, due_on: date, today: date) -> bool:
    """Has an undecided protest been deemed denied by today under the clock due on due_on?

    Accelerated disposition: only once day 30 has passed (a decision on day 30 is in time), dated day
    30 (19 CFR 174.22(d)). Exclusion: on the 30th day itself (19 CFR 174.21(b)).
    """
    return not decision_in_time(kind, due_on, today)


def protest_decision_target(last_filed_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute the 2-year target for deciding a protest (19 U.S.C. 1515(a); 19 CFR 174.21(a)).

    For protests joined under 19 CFR 174.15 the 2 years run from the last one filed (174.21(a)).
    """
    rule = (
        "CBP should allow or deny a protest within 2 years after it is filed (after the last protest "
        "joined to it); the period is directory, so missing it neither allows nor denies the protest"
    )
    due_on = _years_after(last_filed_on, 2)
    return _finish(
        DeadlineKind.PROTEST_DECISION_TARGET, due_on, "19 U.S.C. 1515(a); 19 CFR 174.21(a)", rule, policy
    )


def _court_deadline(start: date, rule: str) -> Deadline:
    # USCIT Rule 6(a)(1)(C): when the last day of a period is a Saturday, Sunday or legal holiday, the
    # period runs until the end of the next day that is none of these. This is a court rule, so it
    # applies whatever the ROLL_FORWARD setting says about the agency's own limits.
    last_day = _days_after(start, 180)
    reason = is_weekend_or_holiday(last_day)
    if reason is None:
        return Deadline(DeadlineKind.COURT_OF_INTERNATIONAL_TRADE, last_day, COURT_CITATION, rule)
    rolled = _business_day(last_day, 1)
    note = (
        f"the 180th day, {last_day.isoformat()}, is {_describe(last_day)}; USCIT Rule 6(a)(1)(C) carries "
        f"the deadline to {rolled.isoformat()}, the next day that is neither a weekend nor a legal holiday"
    )
    rule += "; a last day on a weekend or legal holiday runs to the next day that is neither"
    return Deadline(
        DeadlineKind.COURT_OF_INTERNATIONAL_TRADE, rolled, COURT_CITATION, rule, (note,), last_day
    )


def court_deadline_after_denial(notice_mailed_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute the last day to sue in the Court of International Trade after a denial (28 U.S.C. 2636(a)).

    A denial in part counts as a denial (19 CFR 174.31(a)). The policy does not apply: the Court's own
    rule moves a last day on a weekend or legal holiday (USCIT Rule 6(a)(1)(C)).
    """
    rule = (
        "a civil action contesting the denial of a protest, in whole or in part, must be commenced within "
        "180 days after the date of mailing of the notice of denial; the date on the notice counts as that "
        "date"
    )
    return _court_deadline(notice_mailed_on, rule)


def court_deadline_after_deemed_denial(
    deemed_denied_on: date, *, policy: ClockPolicy = DEFAULT_POLICY
) -> Deadline:
    """Compute the last day to sue in the Court of International Trade after a deemed denial (2636(a))."""
    rule = (
        "a civil action contesting a deemed denial must be commenced within 180 days after the day the "
        "protest was deemed denied"
    )
    return _court_deadline(deemed_denied_on, rule)


def psc_filing_deadline(
    entry_on: date,
    scheduled_liquidation_on: date,
    *,
    importer_extension_granted: bool = False,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Deadline:
    """Compute the last day to file a post summary correction under 19 CFR 101.9(b)(1)."""
    if scheduled_liquidation_on <= entry_on:
        raise ValueError(f"scheduled liquidation {scheduled_liquidation_on} must come after entry {entry_on}")
    before_liquidation = scheduled_liquidation_on - timedelta(days=15)
    if importer_extension_granted:
        due_on, citation = before_liquidation, "19 CFR 101.9(b)(1); 84 FR 40430"
        rule = (
            "a post summary correction must be filed no later than 15 days before the scheduled liquidation "
            "date; the importer asked for and was granted an extension of liquidation, so the 300-day "
            "limit does not apply"
        )
    else:
        cap = _days_after(entry_on, 300)
        due_on, citation = min(cap, before_liquidation), "19 CFR 101.9(b)(1)"
        binding = "300-day limit" if cap <= before_liquidation else "15-days-before-liquidation limit"
        rule = (
            "a post summary correction must be filed within 300 days after the date of entry and no later "
            f"than 15 days before the scheduled liquidation date, whichever is earlier (here the {binding})"
        )
    warnings: tuple[str, ...] = ()
    if due_on < entry_on:
        warnings = ("the scheduled liquidation is too close to entry: no day is left to file a PSC",)
    return _finish(DeadlineKind.PSC_FILING, due_on, citation, rule, policy, warnings=warnings)


def check_psc_timely(
    entry_on: date,
    scheduled_liquidation_on: date,
    filed_on: date,
    *,
    importer_extension_granted: bool = False,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Deadline:
    """Raise FilingOutOfWindow unless the PSC is within the 19 CFR 101.9(b)(1) window."""
    deadline = psc_filing_deadline(
        entry_on,
        scheduled_liquidation_on,
        importer_extension_granted=importer_extension_granted,
        policy=policy,
    )
    return _check_window(deadline, filed_on, entry_on, "post summary correction")


def pic_filing_deadline(importation_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute the last day for a post-importation preference claim under 19 U.S.C. 1520(d)."""
    rule = (
        "a post-importation preference claim must be filed within 1 year after the date of importation "
        "(an importation on February 29 runs to February 28)"
    )
    due_on = _years_after(importation_on, 1)
    return _finish(DeadlineKind.PIC_FILING, due_on, "19 U.S.C. 1520(d)", rule, policy)


def check_pic_timely(
    importation_on: date, filed_on: date, *, policy: ClockPolicy = DEFAULT_POLICY
) -> Deadline:
    """Raise FilingOutOfWindow unless the claim is within the 19 U.S.C. 1520(d) year."""
    deadline = pic_filing_deadline(importation_on, policy=policy)
    return _check_window(deadline, filed_on, importation_on, "post-importation preference claim")


def cf28_response_due(issued_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute the CBP Form 28 answer date, a practice period under 19 U.S.C. 1509 and 19 CFR 151.11."""
    days = policy.cf28_response_days
    rule = (
        f"by CBP practice, not statute or regulation, the importer has {days} days to answer a request for "
        f"information (CBP Form 28); without an answer CBP decides on what it has"
    )
    due_on, citation = _days_after(issued_on, days), "19 U.S.C. 1509; 19 CFR 151.11"
    return _finish(DeadlineKind.CF28_RESPONSE, due_on, citation, rule, policy)


def cf29_response_due(issued_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute the CBP Form 29 answer date, a practice period beside 19 CFR 152.2."""
    days = policy.cf29_response_days
    rule = (
        f"by CBP practice, not regulation, the importer has {days} days to answer a proposed action (CBP "
        f"Form 29); 19 CFR 152.2 only says liquidation at the advanced rate follows no more than 20 days "
        f"after the notice is mailed"
    )
    return _finish(DeadlineKind.CF29_RESPONSE, _days_after(issued_on, days), "19 CFR 152.2", rule, policy)


def reliquidation_deadline(liquidated_on: date, *, policy: ClockPolicy = DEFAULT_POLICY) -> Deadline:
    """Compute the last day CBP may reliquidate on its own motion under 19 U.S.C. 1501."""
    rule = "CBP may reliquidate on its own initiative within 90 days after the original liquidation"
    return _finish(DeadlineKind.RELIQUIDATION, _days_after(liquidated_on, 90), "19 U.S.C. 1501", rule, policy)


def days_left(due_on: date, today: date) -> int:
    """Count the days from today to the due date, negative once it has passed."""
    return (due_on - today).days
