"""Tables for the statutory clock; every expected date was counted by hand, not by the code."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from cases.deadlines import (
    DEFAULT_POLICY,
    ClockPolicy,
    Deadline,
    DeadlineKind,
    FilingOutOfWindow,
    accelerated_disposition_deemed_denial,
    accelerated_disposition_opens_on,
    cf28_response_due,
    cf29_response_due,
    check_accelerated_disposition_request,
    check_further_review_timely,
    check_pic_timely,
    check_protest_timely,
    check_psc_timely,
    court_deadline_after_deemed_denial,
    court_deadline_after_denial,
    days_left,
    decision_in_time,
    exclusion_deemed_denial,
    further_review_decision_due,
    is_deemed_denied,
    is_weekend_or_holiday,
    pic_filing_deadline,
    protest_amendment_deadline,
    protest_decision_target,
    protest_filing_deadline,
    protest_window_opens_on,
    psc_filing_deadline,
    reliquidation_deadline,
)
from cee_portal.legal_time import legal_date

ROLL = ClockPolicy(roll_forward=True)
SAME_DAY_OK = ClockPolicy(same_day_protest_premature=False)


# --- protest filing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision_on", "due_on", "citation_part"),
    [
        pytest.param(date(2025, 1, 10), date(2025, 7, 9), "1514(c)(3)", id="brief-example-180-days"),
        pytest.param(date(2004, 12, 17), date(2005, 3, 17), "Pub. L. 108-429", id="last-day-of-90-regime"),
        pytest.param(date(2004, 12, 18), date(2005, 6, 16), "174.12(e)", id="first-day-of-180-day-regime"),
        pytest.param(date(2027, 12, 1), date(2028, 5, 29), "1514(c)(3)", id="across-feb-29-2028"),
        pytest.param(date(2025, 7, 5), date(2026, 1, 1), "1514(c)(3)", id="year-end-lands-on-new-year"),
        pytest.param(date(2024, 12, 31), date(2025, 6, 29), "1514(c)(3)", id="decision-on-new-years-eve"),
    ],
)
def test_protest_filing_deadline_counts_days_after_decision(
    decision_on: date, due_on: date, citation_part: str
) -> None:
    deadline = protest_filing_deadline(decision_on)
    assert deadline.kind is DeadlineKind.PROTEST_FILING
    assert deadline.due_on == due_on
    assert citation_part in deadline.citation


def test_protest_period_switches_from_90_to_180_days_on_2004_12_18() -> None:
    before = protest_filing_deadline(date(2004, 12, 17))
    after = protest_filing_deadline(date(2004, 12, 18))
    assert (before.due_on - date(2004, 12, 17)).days == 90
    assert (after.due_on - date(2004, 12, 18)).days == 180
    assert "90 days" in before.rule and "180 days" in after.rule
    assert "Miscellaneous Trade and Technical Corrections Act of 2004" in before.citation


@pytest.mark.parametrize(
    ("policy", "opens_on"),
    [
        pytest.param(DEFAULT_POLICY, date(2025, 1, 11), id="same-day-premature-by-default"),
        pytest.param(SAME_DAY_OK, date(2025, 1, 10), id="same-day-allowed-by-setting"),
    ],
)
def test_protest_window_opens_per_policy(policy: ClockPolicy, opens_on: date) -> None:
    assert protest_window_opens_on(date(2025, 1, 10), policy=policy) == opens_on


@pytest.mark.parametrize(
    ("decision_on", "filed_on", "policy"),
    [
        pytest.param(date(2025, 1, 10), date(2025, 1, 11), DEFAULT_POLICY, id="day-after-decision"),
        pytest.param(date(2025, 1, 10), date(2025, 7, 9), DEFAULT_POLICY, id="last-day-accepted"),
        pytest.param(date(2025, 1, 10), date(2025, 1, 10), SAME_DAY_OK, id="same-day-with-setting-off"),
        pytest.param(date(2004, 12, 17), date(2005, 3, 17), DEFAULT_POLICY, id="last-day-of-90"),
        pytest.param(date(2004, 12, 18), date(2005, 6, 16), DEFAULT_POLICY, id="last-day-of-180"),
        pytest.param(date(2026, 6, 8), date(2026, 12, 7), ROLL, id="rolled-monday-accepted"),
    ],
)
def test_check_protest_timely_accepts_inside_window(
    decision_on: date, filed_on: date, policy: ClockPolicy
) -> None:
    deadline = check_protest_timely(decision_on, filed_on, policy=policy)
    assert deadline == protest_filing_deadline(decision_on, policy=policy)


@pytest.mark.parametrize(
    ("decision_on", "filed_on", "policy", "reason", "closes_on"),
    [
        pytest.param(
            date(2025, 1, 10),
            date(2025, 1, 9),
            DEFAULT_POLICY,
            "premature",
            date(2025, 7, 9),
            id="before-decision",
        ),
        pytest.param(
            date(2025, 1, 10),
            date(2025, 1, 9),
            SAME_DAY_OK,
            "premature",
            date(2025, 7, 9),
            id="before-decision-even-with-same-day-ok",
        ),
        pytest.param(
            date(2025, 1, 10),
            date(2025, 1, 10),
            DEFAULT_POLICY,
            "premature",
            date(2025, 7, 9),
            id="same-day-premature-by-default",
        ),
        pytest.param(
            date(2025, 1, 10),
            date(2025, 7, 10),
            DEFAULT_POLICY,
            "late",
            date(2025, 7, 9),
            id="day-after-last-day",
        ),
        pytest.param(
            date(2004, 12, 17),
            date(2005, 3, 18),
            DEFAULT_POLICY,
            "late",
            date(2005, 3, 17),
            id="day-91-under-old-regime",
        ),
        pytest.param(
            date(2004, 12, 18),
            date(2005, 6, 17),
            DEFAULT_POLICY,
            "late",
            date(2005, 6, 16),
            id="day-181-under-new-regime",
        ),
        pytest.param(
            date(2026, 6, 8),
            date(2026, 12, 7),
            DEFAULT_POLICY,
            "late",
            date(2026, 12, 5),
            id="monday-after-saturday-deadline-without-roll-forward",
        ),
    ],
)
def test_check_protest_timely_refuses_outside_window(
    decision_on: date, filed_on: date, policy: ClockPolicy, reason: str, closes_on: date
) -> None:
    with pytest.raises(FilingOutOfWindow) as excinfo:
        check_protest_timely(decision_on, filed_on, policy=policy)
    error = excinfo.value
    assert (error.reason, error.filed_on, error.closes_on) == (reason, filed_on, closes_on)
    assert error.kind is DeadlineKind.PROTEST_FILING
    assert error.opens_on == protest_window_opens_on(decision_on, policy=policy)


def test_filing_out_of_window_message_names_rule_dates_and_citation() -> None:
    with pytest.raises(FilingOutOfWindow) as excinfo:
        check_protest_timely(date(2025, 1, 10), date(2025, 7, 10))
    message = str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)
    assert "late" in message
    assert "2025-07-10" in message and "2025-07-09" in message and "2025-01-11" in message
    assert "19 U.S.C. 1514(c)(3); 19 CFR 174.12(e)" in message
    assert "180 days after the date of the protested decision" in message
    assert excinfo.value.citation == "19 U.S.C. 1514(c)(3); 19 CFR 174.12(e)"


def test_same_day_protest_message_explains_the_setting() -> None:
    with pytest.raises(FilingOutOfWindow) as excinfo:
        check_protest_timely(date(2025, 1, 10), date(2025, 1, 10))
    message = str(excinfo.value)
    assert "premature" in message and "2025-01-10" in message and "2025-01-11" in message
    assert "day of the decision" in message


@pytest.mark.parametrize(
    ("decision_on", "due_on"),
    [
        pytest.param(date(2025, 1, 10), date(2025, 7, 9), id="180-days"),
        pytest.param(date(2004, 12, 17), date(2005, 3, 17), id="90-days-before-2004-12-18"),
    ],
)
def test_protest_amendment_deadline_matches_filing_window(decision_on: date, due_on: date) -> None:
    deadline = protest_amendment_deadline(decision_on)
    assert (deadline.kind, deadline.due_on) == (DeadlineKind.PROTEST_AMENDMENT, due_on)
    assert "19 CFR 174.14" in deadline.citation


@pytest.mark.parametrize(
    ("afr_filed_on", "ok"),
    [
        pytest.param(date(2025, 1, 11), True, id="with-protest-first-day"),
        pytest.param(date(2025, 7, 9), True, id="last-day-of-protest-window"),
        pytest.param(date(2025, 7, 10), False, id="after-protest-window"),
        pytest.param(date(2025, 1, 10), False, id="same-day-premature"),
    ],
)
def test_check_further_review_timely_uses_protest_window(afr_filed_on: date, ok: bool) -> None:
    if ok:
        deadline = check_further_review_timely(date(2025, 1, 10), afr_filed_on)
        assert deadline.due_on == date(2025, 7, 9)
        assert "174.23-174.26" in deadline.citation
    else:
        with pytest.raises(FilingOutOfWindow, match="application for further review") as excinfo:
            check_further_review_timely(date(2025, 1, 10), afr_filed_on)
        assert excinfo.value.closes_on == date(2025, 7, 9)


# --- other clocks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("compute", "start", "due_on", "kind", "citation"),
    [
        pytest.param(
            further_review_decision_due,
            date(2025, 3, 3),
            date(2025, 4, 2),
            DeadlineKind.FURTHER_REVIEW_DECISION,
            "19 U.S.C. 1515(a); 19 CFR 174.23-174.26",
            id="afr-decision-30-days",
        ),
        pytest.param(
            accelerated_disposition_deemed_denial,
            date(2025, 3, 3),
            date(2025, 4, 2),
            DeadlineKind.ACCELERATED_DISPOSITION,
            "19 U.S.C. 1515(b); 19 CFR 174.22(d)",
            id="accelerated-30th-day-after-mailing",
        ),
        pytest.param(
            exclusion_deemed_denial,
            date(2025, 12, 15),
            date(2026, 1, 14),
            DeadlineKind.EXCLUSION_DEEMED_DENIAL,
            "19 U.S.C. 1499(c)(5)(A); 19 CFR 174.21(b)",
            id="exclusion-across-year-end",
        ),
        pytest.param(
            protest_decision_target,
            date(2025, 3, 3),
            date(2027, 3, 3),
            DeadlineKind.PROTEST_DECISION_TARGET,
            "19 U.S.C. 1515(a); 19 CFR 174.21(a)",
            id="decision-target-2-years",
        ),
        pytest.param(
            protest_decision_target,
            date(2028, 2, 29),
            date(2030, 2, 28),
            DeadlineKind.PROTEST_DECISION_TARGET,
            "19 U.S.C. 1515(a); 19 CFR 174.21(a)",
            id="target-from-leap-day",
        ),
        pytest.param(
            pic_filing_deadline,
            date(2024, 2, 29),
            date(2025, 2, 28),
            DeadlineKind.PIC_FILING,
            "19 U.S.C. 1520(d)",
            id="pic-from-leap-day",
        ),
        pytest.param(
            pic_filing_deadline,
            date(2025, 3, 3),
            date(2026, 3, 3),
            DeadlineKind.PIC_FILING,
            "19 U.S.C. 1520(d)",
            id="pic-same-day-next-year",
        ),
        pytest.param(
            pic_filing_deadline,
            date(2025, 12, 31),
            date(2026, 12, 31),
            DeadlineKind.PIC_FILING,
            "19 U.S.C. 1520(d)",
            id="pic-year-end",
        ),
        pytest.param(
            cf28_response_due,
            date(2025, 3, 3),
            date(2025, 4, 2),
            DeadlineKind.CF28_RESPONSE,
            "19 U.S.C. 1509; 19 CFR 151.11",
            id="cf28-30-days",
        ),
        pytest.param(
            cf29_response_due,
            date(2025, 3, 4),
            date(2025, 3, 24),
            DeadlineKind.CF29_RESPONSE,
            "19 CFR 152.2",
            id="cf29-20-days",
        ),
        pytest.param(
            reliquidation_deadline,
            date(2025, 1, 10),
            date(2025, 4, 10),
            DeadlineKind.RELIQUIDATION,
            "19 U.S.C. 1501",
            id="reliquidation-90-days",
        ),
        pytest.param(
            court_deadline_after_denial,
            date(2025, 1, 10),
            date(2025, 7, 9),
            DeadlineKind.COURT_OF_INTERNATIONAL_TRADE,
            "28 U.S.C. 2636(a); 19 CFR 174.30-174.31; USCIT Rule 6(a)(1)(C)",
            id="court-after-denial-180-days",
        ),
        pytest.param(
            court_deadline_after_deemed_denial,
            date(2025, 4, 2),
            date(2025, 9, 29),
            DeadlineKind.COURT_OF_INTERNATIONAL_TRADE,
            "28 U.S.C. 2636(a); 19 CFR 174.30-174.31; USCIT Rule 6(a)(1)(C)",
            id="court-after-deemed-denial-180-days",
        ),
    ],
)
def test_clock_counts_from_its_trigger(
    compute, start: date, due_on: date, kind: DeadlineKind, citation: str
) -> None:
    deadline = compute(start)
    assert isinstance(deadline, Deadline)
    assert (deadline.kind, deadline.due_on, deadline.citation) == (kind, due_on, citation)
    assert deadline.warnings == ()
    assert deadline.rule


def test_protest_decision_target_is_directory() -> None:
    assert "directory" in protest_decision_target(date(2025, 3, 3)).rule


@pytest.mark.parametrize(
    ("compute", "policy", "due_on"),
    [
        pytest.param(cf28_response_due, ClockPolicy(cf28_response_days=45), date(2025, 4, 17), id="cf28-45"),
        pytest.param(cf29_response_due, ClockPolicy(cf29_response_days=10), date(2025, 3, 13), id="cf29-10"),
    ],
)
def test_practice_periods_follow_policy(compute, policy: ClockPolicy, due_on: date) -> None:
    deadline = compute(date(2025, 3, 3), policy=policy)
    assert deadline.due_on == due_on
    assert "practice" in deadline.rule


@pytest.mark.parametrize(
    ("importation_on", "filed_on", "reason"),
    [
        pytest.param(date(2024, 2, 29), date(2024, 2, 29), None, id="day-of-importation"),
        pytest.param(date(2024, 2, 29), date(2025, 2, 28), None, id="last-day-after-leap-day"),
        pytest.param(date(2024, 2, 29), date(2025, 3, 1), "late", id="day-after-last-day"),
        pytest.param(date(2024, 2, 29), date(2024, 2, 28), "premature", id="before-importation"),
    ],
)
def test_check_pic_timely(importation_on: date, filed_on: date, reason: str | None) -> None:
    if reason is None:
        assert check_pic_timely(importation_on, filed_on).due_on == date(2025, 2, 28)
    else:
        with pytest.raises(FilingOutOfWindow) as excinfo:
            check_pic_timely(importation_on, filed_on)
        assert excinfo.value.reason == reason
        assert "19 U.S.C. 1520(d)" in str(excinfo.value)


# --- post summary corrections -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheduled_liquidation_on", "extension", "due_on", "binding"),
    [
        pytest.param(date(2025, 11, 28), False, date(2025, 11, 6), "300-day limit", id="300-days-first"),
        pytest.param(date(2025, 6, 20), False, date(2025, 6, 5), "15-days-before", id="15-days-first"),
        pytest.param(date(2025, 11, 21), False, date(2025, 11, 6), "300-day limit", id="both-same-day"),
        pytest.param(date(2026, 1, 23), True, date(2026, 1, 8), "does not apply", id="extension-no-300-cap"),
        pytest.param(date(2025, 6, 20), True, date(2025, 6, 5), "does not apply", id="extension-early"),
    ],
)
def test_psc_filing_deadline(
    scheduled_liquidation_on: date, extension: bool, due_on: date, binding: str
) -> None:
    deadline = psc_filing_deadline(
        date(2025, 1, 10), scheduled_liquidation_on, importer_extension_granted=extension
    )
    assert (deadline.kind, deadline.due_on) == (DeadlineKind.PSC_FILING, due_on)
    assert binding in deadline.rule
    assert "19 CFR 101.9(b)(1)" in deadline.citation
    assert ("84 FR 40430" in deadline.citation) is extension


@pytest.mark.parametrize(
    ("scheduled_liquidation_on", "extension", "filed_on", "reason"),
    [
        pytest.param(date(2025, 11, 28), False, date(2025, 1, 10), None, id="on-entry-day"),
        pytest.param(date(2025, 11, 28), False, date(2025, 11, 6), None, id="last-day-300"),
        pytest.param(date(2025, 11, 28), False, date(2025, 11, 7), "late", id="day-301"),
        pytest.param(date(2025, 6, 20), False, date(2025, 6, 6), "late", id="14-days-before-liquidation"),
        pytest.param(date(2026, 1, 23), True, date(2026, 1, 8), None, id="extension-last-day"),
        pytest.param(date(2026, 1, 23), True, date(2026, 1, 9), "late", id="extension-day-after"),
        pytest.param(date(2025, 11, 28), False, date(2025, 1, 9), "premature", id="before-entry"),
    ],
)
def test_check_psc_timely(
    scheduled_liquidation_on: date, extension: bool, filed_on: date, reason: str | None
) -> None:
    args = (date(2025, 1, 10), scheduled_liquidation_on, filed_on)
    if reason is None:
        assert check_psc_timely(*args, importer_extension_granted=extension).kind is DeadlineKind.PSC_FILING
    else:
        with pytest.raises(FilingOutOfWindow) as excinfo:
            check_psc_timely(*args, importer_extension_granted=extension)
        assert excinfo.value.reason == reason
        assert excinfo.value.opens_on == date(2025, 1, 10)


def test_psc_with_liquidation_too_close_to_entry_has_no_window() -> None:
    deadline = psc_filing_deadline(date(2025, 1, 10), date(2025, 1, 20))
    assert deadline.due_on == date(2025, 1, 5)
    assert any("no day is left" in warning for warning in deadline.warnings)
    with pytest.raises(FilingOutOfWindow):
        check_psc_timely(date(2025, 1, 10), date(2025, 1, 20), date(2025, 1, 10))


def test_psc_refuses_liquidation_not_after_entry() -> None:
    with pytest.raises(ValueError, match="must come after entry"):
        psc_filing_deadline(date(2025, 1, 10), date(2025, 1, 10))


# --- weekends and holidays ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        pytest.param(date(2026, 12, 5), "Saturday", id="saturday"),
        pytest.param(date(2026, 12, 6), "Sunday", id="sunday"),
        pytest.param(date(2026, 12, 7), None, id="monday"),
        pytest.param(date(2027, 1, 1), "New Year's Day", id="new-year-friday"),
        pytest.param(date(2026, 7, 4), "Saturday, Independence Day", id="holiday-on-saturday"),
        pytest.param(date(2026, 7, 3), "Independence Day (observed)", id="observed-friday"),
        pytest.param(date(2021, 12, 31), "New Year's Day (observed)", id="observed-in-previous-year"),
        pytest.param(date(2028, 5, 29), "Memorial Day", id="memorial-day-2028"),
        pytest.param(date(2025, 11, 28), None, id="day-after-thanksgiving-is-not-federal"),
    ],
)
def test_is_weekend_or_holiday(day: date, reason: str | None) -> None:
    assert is_weekend_or_holiday(day) == reason


@pytest.mark.parametrize(
    ("compute", "start", "unmoved", "rolled", "reason"),
    [
        pytest.param(
            protest_filing_deadline,
            date(2026, 6, 8),
            date(2026, 12, 5),
            date(2026, 12, 7),
            "Saturday",
            id="saturday-to-monday",
        ),
        pytest.param(
            reliquidation_deadline,
            date(2028, 4, 5),
            date(2028, 7, 4),
            date(2028, 7, 5),
            "Independence Day",
            id="july-4-tuesday-to-wednesday",
        ),
        pytest.param(
            protest_filing_deadline,
            date(2026, 7, 5),
            date(2027, 1, 1),
            date(2027, 1, 4),
            "New Year's Day",
            id="friday-holiday-and-weekend",
        ),
        pytest.param(
            reliquidation_deadline,
            date(2026, 4, 4),
            date(2026, 7, 3),
            date(2026, 7, 6),
            "Independence Day (observed)",
            id="observed-friday-and-weekend",
        ),
        pytest.param(
            pic_filing_deadline,
            date(2025, 7, 4),
            date(2026, 7, 4),
            date(2026, 7, 6),
            "Saturday, Independence Day",
            id="holiday-on-saturday",
        ),
    ],
)
def test_roll_forward_setting(compute, start: date, unmoved: date, rolled: date, reason: str) -> None:
    kept = compute(start)
    assert kept.due_on == unmoved
    assert len(kept.warnings) == 1
    assert kept.warnings[0].startswith(f"{unmoved.isoformat()} is ")
    assert "no rule moves the deadline" in kept.warnings[0]

    moved = compute(start, policy=ROLL)
    assert moved.due_on == rolled
    assert moved.warnings[0].startswith(f"rolled forward from {unmoved.isoformat()} ({reason}) to {rolled}")


def test_holiday_warning_text_without_roll_forward() -> None:
    deadline = protest_filing_deadline(date(2026, 7, 5))
    assert deadline.due_on == date(2027, 1, 1)
    assert deadline.warnings == (
        "2027-01-01 is a US federal holiday (New Year's Day); no rule moves the deadline "
        "(last business day before: 2026-12-31)",
    )


def test_deemed_denial_never_rolls_forward() -> None:
    for policy in (DEFAULT_POLICY, ROLL):
        deadline = accelerated_disposition_deemed_denial(date(2026, 6, 5), policy=policy)
        assert deadline.due_on == date(2026, 7, 5)
        assert deadline.warnings == (
            "2026-07-05 is a Sunday; the deemed denial takes effect that day all the same",
        )


def test_rolled_deadline_is_the_one_checked() -> None:
    assert check_protest_timely(date(2026, 6, 8), date(2026, 12, 7), policy=ROLL).due_on == date(2026, 12, 7)
    with pytest.raises(FilingOutOfWindow, match="2026-12-08"):
        check_protest_timely(date(2026, 6, 8), date(2026, 12, 8), policy=ROLL)


# --- time ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "today", "left"),
    [
        pytest.param(date(2025, 7, 9), date(2025, 7, 1), 8, id="ahead"),
        pytest.param(date(2025, 7, 9), date(2025, 7, 9), 0, id="due-today"),
        pytest.param(date(2025, 7, 9), date(2025, 7, 12), -3, id="overdue"),
        pytest.param(date(2028, 3, 1), date(2028, 2, 28), 2, id="across-leap-day"),
    ],
)
def test_days_left(due_on: date, today: date, left: int) -> None:
    assert days_left(due_on, today) == left


@pytest.mark.parametrize(
    ("moment", "tz", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 1, 3, 0, tzinfo=UTC),
            "America/New_York",
            date(2026, 2, 28),
            id="utc-after-midnight-is-previous-day-in-new-york",
        ),
        pytest.param(
            datetime(2026, 3, 1, 4, 59, 59, tzinfo=UTC),
            "America/New_York",
            date(2026, 2, 28),
            id="last-second-of-eastern-day",
        ),
        pytest.param(
            datetime(2026, 3, 1, 5, 0, tzinfo=UTC),
            "America/New_York",
            date(2026, 3, 1),
            id="eastern-midnight-in-winter",
        ),
        pytest.param(
            datetime(2026, 7, 1, 3, 59, tzinfo=UTC),
            "America/New_York",
            date(2026, 6, 30),
            id="summer-time-offset",
        ),
        pytest.param(
            datetime(2026, 7, 1, 4, 0, tzinfo=UTC),
            "America/New_York",
            date(2026, 7, 1),
            id="eastern-midnight-in-summer",
        ),
        pytest.param(
            datetime(2026, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=9))),
            "America/New_York",
            date(2025, 12, 31),
            id="tokyo-new-year-is-new-york-new-years-eve",
        ),
        pytest.param(
            datetime(2026, 3, 1, 7, 0, tzinfo=UTC), "America/Los_Angeles", date(2026, 2, 28), id="other-zone"
        ),
    ],
)
def test_legal_date(moment: datetime, tz: str, expected: date) -> None:
    assert legal_date(moment, tz) == expected


def test_legal_date_defaults_to_new_york_and_refuses_naive() -> None:
    assert legal_date(datetime(2026, 3, 1, 3, 0, tzinfo=UTC)) == date(2026, 2, 28)
    with pytest.raises(ValueError, match="timezone-aware"):
        legal_date(datetime(2026, 3, 1, 3, 0))


# --- policy and stable values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param({}, ClockPolicy(), id="empty-keeps-defaults"),
        pytest.param(
            {
                "ROLL_FORWARD": True,
                "SAME_DAY_PROTEST_PREMATURE": False,
                "CF28_RESPONSE_DAYS": 35,
                "CF29_RESPONSE_DAYS": 15,
            },
            ClockPolicy(
                roll_forward=True,
                same_day_protest_premature=False,
                cf28_response_days=35,
                cf29_response_days=15,
            ),
            id="all-keys",
        ),
        pytest.param({"ROLL_FORWARD": True}, ClockPolicy(roll_forward=True), id="missing-keys-keep-defaults"),
        pytest.param({"cf28_response_days": 40}, ClockPolicy(cf28_response_days=40), id="lowercase-key"),
    ],
)
def test_policy_from_mapping(values: dict[str, object], expected: ClockPolicy) -> None:
    assert ClockPolicy.from_mapping(values) == expected


def test_default_policy_is_the_unsettled_law_defaults() -> None:
    assert DEFAULT_POLICY == ClockPolicy(
        roll_forward=False, same_day_protest_premature=True, cf28_response_days=30, cf29_response_days=20
    )


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"ROLL_FOWARD": True}, id="misspelt-key"),
        pytest.param({"ROLL_FORWARD": "yes"}, id="string-for-bool"),
        pytest.param({"CF28_RESPONSE_DAYS": 0}, id="zero-days"),
        pytest.param({"CF29_RESPONSE_DAYS": True}, id="bool-for-days"),
        pytest.param({"CF29_RESPONSE_DAYS": 20.5}, id="fractional-days"),
    ],
)
def test_policy_from_mapping_refuses_bad_settings(values: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ClockPolicy.from_mapping(values)


def test_deadline_kind_values_are_stable() -> None:
    assert {kind.name: kind.value for kind in DeadlineKind} == {
        "PROTEST_FILING": "protest_filing",
        "PROTEST_AMENDMENT": "protest_amendment",
        "FURTHER_REVIEW_DECISION": "further_review_decision",
        "ACCELERATED_DISPOSITION": "accelerated_disposition",
        "EXCLUSION_DEEMED_DENIAL": "exclusion_deemed_denial",
        "PROTEST_DECISION_TARGET": "protest_decision_target",
        "PSC_FILING": "psc_filing",
        "PIC_FILING": "pic_filing",
        "CF28_RESPONSE": "cf28_response",
        "CF29_RESPONSE": "cf29_response",
        "RELIQUIDATION": "reliquidation",
        "COURT_OF_INTERNATIONAL_TRADE": "court_of_international_trade",
    }


# --- Court of International Trade: USCIT Rule 6(a)(1)(C) -------------------------------------------


@pytest.mark.parametrize("policy", [DEFAULT_POLICY, ROLL], ids=["default", "roll-forward-setting"])
@pytest.mark.parametrize(
    ("compute", "start", "day_180", "deadline"),
    [
        # 2028-05-29 is Memorial Day: the day before (Sunday 05-28) and the day itself roll; Tuesday stays.
        pytest.param(court_deadline_after_denial, date(2027, 11, 30), date(2028, 5, 28), date(2028, 5, 30),
                     id="sunday-before-memorial-day-rolls-two-days"),
        pytest.param(court_deadline_after_denial, date(2027, 12, 1), date(2028, 5, 29), date(2028, 5, 30),
                     id="memorial-day-rolls-to-tuesday"),
        pytest.param(court_deadline_after_denial, date(2027, 12, 2), date(2028, 5, 30), None,
                     id="tuesday-after-stays"),
        # A Saturday 180th day runs to Monday; the Friday before and the Monday after stay.
        pytest.param(court_deadline_after_deemed_denial, date(2026, 7, 8), date(2027, 1, 4), None,
                     id="monday-stays"),
        pytest.param(court_deadline_after_deemed_denial, date(2026, 7, 7), date(2027, 1, 3), date(2027, 1, 4),
                     id="sunday-to-monday"),
        pytest.param(court_deadline_after_deemed_denial, date(2026, 7, 6), date(2027, 1, 2), date(2027, 1, 4),
                     id="saturday-to-monday"),
        pytest.param(court_deadline_after_deemed_denial, date(2026, 7, 5), date(2027, 1, 1), date(2027, 1, 4),
                     id="new-years-day-friday-to-monday"),
        pytest.param(court_deadline_after_deemed_denial, date(2026, 7, 4), date(2026, 12, 31), None,
                     id="thursday-before-stays"),
    ],
)  # fmt: skip
def test_court_deadline_on_a_weekend_or_legal_holiday_rolls_to_the_next_day_that_is_neither(
    compute, start: date, day_180: date, deadline: date | None, policy: ClockPolicy
) -> None:
    """USCIT Rule 6(a)(1)(C), whatever the agency clocks' ROLL_FORWARD setting; the 180th day is kept."""
    found = compute(start, policy=policy)
    assert found.citation.endswith("USCIT Rule 6(a)(1)(C)")
    if deadline is None:
        assert (found.due_on, found.period_ends_on, found.warnings) == (day_180, None, ())
        return
    assert (found.due_on, found.period_ends_on) == (deadline, day_180)
    (warning,) = found.warnings
    assert warning.startswith(f"the 180th day, {day_180.isoformat()}, is ")
    assert warning.endswith(
        f"USCIT Rule 6(a)(1)(C) carries the deadline to {deadline.isoformat()}, the next day that is "
        "neither a weekend nor a legal holiday"
    )


# --- Accelerated disposition (19 U.S.C. 1515(b); 19 CFR 174.22) and exclusion (174.21(b)) ------------


@pytest.mark.parametrize(
    ("mailed", "premature"),
    [
        pytest.param(date(2026, 4, 1), True, id="day-90-premature"),
        pytest.param(date(2026, 4, 2), False, id="day-91-first-day"),
        pytest.param(date(2026, 4, 3), False, id="day-92"),
    ],
)
def test_accelerated_disposition_may_be_requested_only_after_90_days_following_the_filing(
    mailed: date, premature: bool
) -> None:
    """19 U.S.C. 1515(b): 'after ninety days following the filing'; filed 2026-01-01, day 90 = 04-01."""
    filed = date(2026, 1, 1)
    assert accelerated_disposition_opens_on(filed) == date(2026, 4, 2)
    if not premature:
        assert check_accelerated_disposition_request(filed, mailed) == date(2026, 4, 2)
        return
    with pytest.raises(FilingOutOfWindow) as excinfo:
        check_accelerated_disposition_request(filed, mailed)
    error = excinfo.value
    assert (error.reason, error.opens_on, error.closes_on) == ("premature", date(2026, 4, 2), None)
    assert "first day a request may be mailed is 2026-04-02" in str(error)
    assert "19 U.S.C. 1515(b); 19 CFR 174.22(a)" in str(error)


@pytest.mark.parametrize(
    ("kind", "today", "deemed"),
    [
        pytest.param(DeadlineKind.ACCELERATED_DISPOSITION, date(2026, 5, 30), False, id="accelerated-day-29"),
        pytest.param(DeadlineKind.ACCELERATED_DISPOSITION, date(2026, 5, 31), False, id="accelerated-day-30"),
        pytest.param(DeadlineKind.ACCELERATED_DISPOSITION, date(2026, 6, 1), True, id="accelerated-day-31"),
        pytest.param(DeadlineKind.EXCLUSION_DEEMED_DENIAL, date(2026, 5, 30), False, id="exclusion-day-29"),
        pytest.param(DeadlineKind.EXCLUSION_DEEMED_DENIAL, date(2026, 5, 31), True, id="exclusion-day-30"),
        pytest.param(DeadlineKind.EXCLUSION_DEEMED_DENIAL, date(2026, 6, 1), True, id="exclusion-day-31"),
    ],
)  # fmt: skip
def test_deemed_denial_day_30_is_in_time_for_accelerated_disposition_not_for_exclusion(
    kind: DeadlineKind, today: date, deemed: bool
) -> None:
    """174.22(d): a decision on day 30 is in time; 174.21(b): an exclusion decision must precede day 30."""
    due = date(2026, 5, 31)  # the 30th day after 2026-05-01
    assert accelerated_disposition_deemed_denial(date(2026, 5, 1)).due_on == due
    assert exclusion_deemed_denial(date(2026, 5, 1)).due_on == due
    assert is_deemed_denied(kind, due, today) is deemed
    assert decision_in_time(kind, due, today) is not deemed
