"""Dated legal scenarios run through the case services, independent of tests/cases/test_deadlines.py.

Each row carries its citation; every expected date was counted by hand. A refused filing must
write nothing: no case, no entry link, no event, no outbox message, no reference number.
"""

import datetime as dt
from decimal import Decimal

import pytest

from cases import services
from cases.exceptions import CaseError
from cases.models import Case, CaseEntry, CaseEvent, Decision, ReferenceCounter
from cases.services import ObjectionInput, ProtestedEntry, PscLineInput
from cases.services.sweeps import run_deadline_sweeps
from cee_portal.operations.models import OutboxMessage
from tests.factories import (
    EntryFactory,
    liquidated_entry,
    protest_input,
)

pytestmark = pytest.mark.django_db

D = dt.date


def _written() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        CaseEntry.objects.count(),
        CaseEvent.objects.count(),
        OutboxMessage.objects.count(),
        ReferenceCounter.objects.filter(last_value__gt=0).count(),
    )


def refused(call, *, code: str, fragments: tuple[str, ...]) -> str:
    """Run a filing expected to be refused; check it wrote nothing and its message; return it."""
    before = _written()
    with pytest.raises(CaseError) as caught:
        call()
    message = " ".join(caught.value.messages)
    assert caught.value.code == code, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert _written() == before
    return message


MERGED_IN_LIQUIDATION = {"liquidation", "appraisement", "classification", "charges"}


def _protest_entry(importer, decision: str, decided_on: D) -> ProtestedEntry:
    if decision in MERGED_IN_LIQUIDATION:
        # 19 U.S.C. 1514(c)(3)(A): these run from the liquidation itself; no date is typed.
        return ProtestedEntry(liquidated_entry(importer, decided_on), decision=decision)
    entry = EntryFactory(importer=importer, entry_date=decided_on - dt.timedelta(days=10))
    return ProtestedEntry(entry, decision=decision, decision_date=decided_on)


def _file_protest(importer, filer, item: ProtestedEntry, filed_on: D, **kwargs) -> Case:
    # protest_input() reads entries[0].port, so it is given the bare entry and then overridden.
    return services.file_protest(
        actor=filer,
        importer=importer,
        **{
            **protest_input([item.entry]),
            "entries": [item],
            "objections": [ObjectionInput(item.decision, "The decision is wrong", "See the attached ruling")],
        },
        filed_on=filed_on,
        **kwargs,
    ).case


# --- protest filing window -----------------------------------------------------------------------

PROTEST_WINDOW = [
    # 19 U.S.C. 1514(c)(3); 19 CFR 174.12(e): 180 days after the date of liquidation.
    pytest.param("liquidation", D(2025, 1, 10), D(2025, 7, 9), None, id="liquidation-180th-day-accepted"),
    pytest.param(
        "liquidation",
        D(2025, 1, 10),
        D(2025, 7, 10),
        ("late", D(2025, 7, 9)),
        id="liquidation-181st-day-late",
    ),
    # 1514(c)(3): not before the decision; a same-day filing is premature by default (CASE_CLOCK).
    pytest.param(
        "liquidation", D(2025, 1, 10), D(2025, 1, 10), ("premature", D(2025, 7, 9)), id="same-day-premature"
    ),
    pytest.param("liquidation", D(2025, 1, 10), D(2025, 1, 11), None, id="day-after-liquidation-accepted"),
    # 1514(c)(3) before Pub. L. 108-429: decisions before 2004-12-18 had 90 days.
    pytest.param("liquidation", D(2004, 12, 17), D(2005, 3, 17), None, id="2004-liquidation-90th-day"),
    pytest.param(
        "liquidation",
        D(2004, 12, 17),
        D(2005, 3, 18),
        ("late", D(2005, 3, 17)),
        id="2004-liquidation-91st-day",
    ),
    pytest.param("exclusion", D(2004, 12, 17), D(2005, 3, 17), None, id="2004-exclusion-90th-day"),
    pytest.param(
        "exclusion", D(2004, 12, 17), D(2005, 3, 18), ("late", D(2005, 3, 17)), id="2004-exclusion-91st-day"
    ),
    # Pub. L. 108-429 in force: a decision of 2004-12-18 has 180 days.
    pytest.param("liquidation", D(2004, 12, 18), D(2005, 6, 16), None, id="first-180-day-decision"),
    pytest.param(
        "liquidation", D(2004, 12, 18), D(2005, 6, 17), ("late", D(2005, 6, 16)), id="first-180-day-late"
    ),
    # 1514(a)(5) and (c)(3): the window for an exclusion runs from the date of the decision.
    pytest.param("exclusion", D(2026, 2, 2), D(2026, 8, 1), None, id="exclusion-180th-day"),
    pytest.param(
        "exclusion", D(2026, 2, 2), D(2026, 8, 2), ("late", D(2026, 8, 1)), id="exclusion-181st-day"
    ),
    # 1514(a)(6); 19 U.S.C. 1520(d): refusal of a 1520(d) claim has no liquidation; its own date counts.
    pytest.param("refusal_1520d", D(2026, 3, 31), D(2026, 9, 27), None, id="1520d-refusal-180th-day"),
    pytest.param(
        "refusal_1520d",
        D(2026, 3, 31),
        D(2026, 9, 28),
        ("late", D(2026, 9, 27)),
        id="1520d-refusal-181st-day",
    ),
    # 1514(c)(3)(A): classification, value and charges assessed in liquidation run from the liquidation.
    pytest.param("classification", D(2026, 1, 20), D(2026, 7, 19), None, id="classification-180th-day"),
    pytest.param(
        "classification",
        D(2026, 1, 20),
        D(2026, 7, 20),
        ("late", D(2026, 7, 19)),
        id="classification-181st-day",
    ),
    pytest.param("appraisement", D(2026, 1, 20), D(2026, 1, 21), None, id="value-day-after-liquidation"),
    pytest.param(
        "charges", D(2026, 1, 20), D(2026, 1, 20), ("premature", D(2026, 7, 19)), id="charges-same-day"
    ),
    # 1514(c)(3)(B): drawback refusal and charges outside liquidation run from their own decision.
    pytest.param("drawback", D(2026, 2, 2), D(2026, 8, 1), None, id="drawback-refusal-180th-day"),
    pytest.param(
        "drawback", D(2026, 2, 2), D(2026, 8, 2), ("late", D(2026, 8, 1)), id="drawback-refusal-181st-day"
    ),
    pytest.param("charges_outside", D(2026, 2, 2), D(2026, 2, 3), None, id="charges-outside-day-after"),
]


@pytest.mark.parametrize(("decision", "decided_on", "filed_on", "refusal"), PROTEST_WINDOW)
def test_protest_window(importer, filer, decision, decided_on, filed_on, refusal):
    item = _protest_entry(importer, decision, decided_on)
    if refusal is None:
        case = _file_protest(importer, filer, item, filed_on)
        assert (case.status, case.filed_on) == ("received", filed_on)
        link = case.entry_links.get()
        assert link.decision_date == decided_on
        assert link.protested_act == ("liquidation" if decision in MERGED_IN_LIQUIDATION else "separate")
        return
    reason, last_day = refusal
    refused(
        lambda: _file_protest(importer, filer, item, filed_on),
        code="out_of_window",
        fragments=(reason, "19 U.S.C. 1514", filed_on.isoformat(), last_day.isoformat()),
    )


def test_late_protest_refusal_gives_filing_date_last_day_and_citation(importer, filer):
    # 19 U.S.C. 1514(c)(3): liquidated 2025-01-10, last day 2025-07-09, filed 2025-07-10.
    item = _protest_entry(importer, "liquidation", D(2025, 1, 10))
    message = refused(
        lambda: _file_protest(importer, filer, item, D(2025, 7, 10)),
        code="out_of_window",
        fragments=("19 U.S.C. 1514", "2025-07-10", "2025-07-09", item.entry.formatted_number),
    )
    assert "late" in message


def test_late_protest_refusal_names_the_liquidation_date(importer, filer):
    # 19 U.S.C. 1514(c)(3): the window runs from the date of liquidation, 2025-01-10.
    item = _protest_entry(importer, "liquidation", D(2025, 1, 10))
    refused(
        lambda: _file_protest(importer, filer, item, D(2025, 7, 10)),
        code="out_of_window",
        fragments=("2025-01-10", "2025-07-10"),
    )


def test_same_day_protest_is_accepted_when_the_setting_allows_it(importer, filer, settings):
    # 1514(c)(3) "after" the decision: unsettled for the same day; CASE_CLOCK decides.
    settings.CASE_CLOCK = {**settings.CASE_CLOCK, "SAME_DAY_PROTEST_PREMATURE": False}
    item = _protest_entry(importer, "liquidation", D(2025, 1, 10))

    case = _file_protest(importer, filer, item, D(2025, 1, 10))

    assert (case.status, case.filed_on) == ("received", D(2025, 1, 10))


def test_protest_of_a_reliquidation_runs_from_the_reliquidation_date(importer, filer):
    # 19 U.S.C. 1514(a)(5), (c)(3)(A): liquidated 2025-01-10, reliquidated 2025-03-01 -> last day 2025-08-28.
    entry = liquidated_entry(importer, D(2025, 1, 10), reliquidation_date=D(2025, 3, 1))
    item = ProtestedEntry(entry, of_reliquidation=True)

    case = _file_protest(importer, filer, item, D(2025, 8, 28))
    assert case.deadlines.get(kind="protest_amendment").due_on == D(2025, 8, 28)
    link = case.entry_links.get()
    assert (link.protested_act, link.decision_date) == ("reliquidation", D(2025, 3, 1))
    refused(
        lambda: _file_protest(importer, filer, ProtestedEntry(entry, of_reliquidation=True), D(2025, 8, 29)),
        code="out_of_window",
        fragments=("2025-08-29", "2025-08-28"),
    )
    # The liquidation itself ran out on 2025-07-09 (180 days after 2025-01-10), reliquidation or not.
    refused(
        lambda: _file_protest(importer, filer, ProtestedEntry(entry), D(2025, 7, 10)),
        code="out_of_window",
        fragments=("2025-07-10", "2025-07-09", "liquidation of 2025-01-10"),
    )


# --- post summary correction ---------------------------------------------------------------------

PSC_ENTRY = D(2026, 1, 5)  # entry date of every PSC row: day 300 after it is 2026-11-01


def psc_row(scheduled_on, filed_on, accepted, row_id, *, status="unliquidated", by_importer=False):
    return pytest.param(scheduled_on, status, by_importer, filed_on, accepted, id=row_id)


# An extension of liquidation the importer asked for and CBP granted (19 CFR 159.12).
GRANTED = {"status": "extended", "by_importer": True}

PSC_WINDOW = [
    # 19 CFR 101.9(b)(1): the earlier of entry + 300 days and 15 days before scheduled liquidation.
    # Scheduled 2026-11-16: 15 days before is 2026-11-01, the same day as day 300.
    psc_row(D(2026, 11, 16), D(2026, 11, 1), True, "both-limits-on-11-01"),
    psc_row(D(2026, 11, 16), D(2026, 11, 2), False, "both-limits-day-after"),
    # Scheduled 2026-11-10: 15 days before is 2026-10-26, earlier than day 300.
    psc_row(D(2026, 11, 10), D(2026, 10, 26), True, "liquidation-limit-binds"),
    psc_row(D(2026, 11, 10), D(2026, 10, 27), False, "liquidation-limit-day-after"),
    # Scheduled 2026-12-31: day 300 (2026-11-01) binds.
    psc_row(D(2026, 12, 31), D(2026, 11, 1), True, "300-day-cap-binds"),
    psc_row(D(2026, 12, 31), D(2026, 11, 2), False, "300-day-cap-day-after"),
    # Nothing before the entry itself.
    psc_row(D(2026, 11, 16), D(2026, 1, 4), False, "before-entry"),
    # 84 FR 40430: an extension the importer asked for and was granted lifts the 300-day cap;
    # 15 days before the extended date (2027-11-16 -> 2027-11-01) remains.
    psc_row(D(2027, 11, 16), D(2026, 11, 2), True, "importer-extension-day-301", **GRANTED),
    psc_row(D(2027, 11, 16), D(2027, 11, 1), True, "importer-extension-last-day", **GRANTED),
    psc_row(D(2027, 11, 16), D(2027, 11, 2), False, "importer-extension-day-after", **GRANTED),
    # An extension on CBP's own motion keeps the cap; so does a request not (yet) granted.
    psc_row(D(2027, 11, 16), D(2026, 11, 2), False, "cbp-extension-keeps-cap", status="extended"),
    psc_row(D(2027, 11, 16), D(2026, 11, 2), False, "ungranted-request-keeps-cap", by_importer=True),
]


def _psc_entry(importer, entry_on: D, scheduled_on: D, **kwargs):
    return EntryFactory(
        importer=importer,
        entry_date=entry_on,
        importation_date=entry_on,
        scheduled_liquidation_date=scheduled_on,
        **kwargs,
    )


def _file_psc(filer, entry, filed_on: D) -> Case:
    return services.file_psc(
        actor=filer,
        entry=entry,
        reason_code="01",
        explanation="Correct the classification of line 1",
        lines=[PscLineInput(1, "8429.52.1010", Decimal("12000.00"))],
        filed_on=filed_on,
    )


@pytest.mark.parametrize(("scheduled_on", "status", "by_importer", "filed_on", "accepted"), PSC_WINDOW)
def test_psc_window(importer, filer, scheduled_on, status, by_importer, filed_on, accepted):
    entry = _psc_entry(
        importer,
        PSC_ENTRY,
        scheduled_on,
        liquidation_status=status,
        extension_requested_by_importer=by_importer,
    )
    if accepted:
        case = _file_psc(filer, entry, filed_on)
        assert (case.kind, case.status, case.filed_on) == ("psc", "received", filed_on)
        return
    refused(
        lambda: _file_psc(filer, entry, filed_on),
        code="out_of_window",
        fragments=("101.9(b)(1)", filed_on.isoformat()),
    )


def test_psc_refusal_names_the_last_day(importer, filer):
    # 19 CFR 101.9(b)(1): entry 2026-01-05, scheduled 2026-11-10 -> last day 2026-10-26.
    entry = _psc_entry(importer, D(2026, 1, 5), D(2026, 11, 10))
    refused(
        lambda: _file_psc(filer, entry, D(2026, 10, 27)),
        code="out_of_window",
        fragments=("19 CFR 101.9(b)(1)", "2026-10-27", "2026-10-26", "15 days before"),
    )


def test_psc_refused_while_the_entry_summary_is_under_review(importer, filer):
    # 19 CFR 101.9(b)(1): no PSC once CBP reviews the summary.
    entry = _psc_entry(importer, D(2026, 1, 5), D(2026, 11, 16), summary_under_review=True)
    refused(
        lambda: _file_psc(filer, entry, D(2026, 3, 1)),
        code="under_review",
        fragments=(entry.formatted_number, "under CBP review"),
    )


def test_psc_refused_on_an_entry_with_an_open_protest(importer, filer):
    # An exclusion protest (19 U.S.C. 1514(a)(4)) holds the unliquidated entry.
    entry = _psc_entry(importer, D(2026, 1, 5), D(2026, 11, 16))
    protest = _file_protest(
        importer,
        filer,
        ProtestedEntry(entry, decision="exclusion", decision_date=D(2026, 1, 20)),
        D(2026, 2, 1),
    )
    refused(
        lambda: _file_psc(filer, entry, D(2026, 3, 1)),
        code="open_protest",
        fragments=(entry.formatted_number, protest.reference_number),
    )


def test_protest_on_an_entry_with_an_open_psc_is_accepted_and_flagged_for_the_specialist(importer, filer):
    entry = _psc_entry(importer, D(2026, 1, 5), D(2026, 11, 16))
    psc = _file_psc(filer, entry, D(2026, 3, 1))

    protest = _file_protest(
        importer,
        filer,
        ProtestedEntry(entry, decision="exclusion", decision_date=D(2026, 3, 2)),
        D(2026, 3, 3),
    )

    protest.refresh_from_db()
    assert (protest.status, protest.flagged_for_specialist) == ("received", True)
    assert psc.reference_number in protest.flag_reason
    assert set(Case.objects.for_entry(entry)) == {psc, protest}


# --- post-importation preference claim -------------------------------------------------------------

PIC_WINDOW = [
    # 19 U.S.C. 1520(d): within 1 year of importation (the entry follows 9 days later).
    pytest.param(D(2025, 3, 10), D(2026, 3, 10), True, id="anniversary-of-importation-accepted"),
    pytest.param(D(2025, 3, 10), D(2026, 3, 11), False, id="day-after-anniversary-of-importation"),
    pytest.param(D(2025, 3, 10), D(2025, 3, 19), True, id="day-of-entry"),
    # Importation on Feb 29: the year ends on Feb 28.
    pytest.param(D(2024, 2, 29), D(2025, 2, 28), True, id="leap-day-import-feb-28"),
    pytest.param(D(2024, 2, 29), D(2025, 3, 1), False, id="leap-day-import-mar-1"),
]


@pytest.mark.parametrize(("imported_on", "filed_on", "accepted"), PIC_WINDOW)
def test_pic_window(importer, filer, imported_on, filed_on, accepted):
    entry = EntryFactory(
        importer=importer, entry_date=imported_on + dt.timedelta(days=9), importation_date=imported_on
    )

    def file():
        return services.file_pic(
            actor=filer,
            entry=entry,
            agreement="USMCA",
            certificate_of_origin="USMCA cert 2025-0042",
            filed_on=filed_on,
        )

    if accepted:
        case = file()
        assert (case.kind, case.status, case.filed_on) == ("pic", "received", filed_on)
        return
    refused(file, code="out_of_window", fragments=("1520(d)", filed_on.isoformat()))


# --- CF-28 and CF-29 ----------------------------------------------------------------------------------

ISSUED = D(2026, 3, 2)


@pytest.mark.parametrize(
    ("clock", "due_on"),
    [
        # 19 U.S.C. 1509; 19 CFR 151.11: 30 days by practice.
        pytest.param({}, D(2026, 4, 1), id="30-days-by-default"),
        # A practice period is a setting.
        pytest.param({"CF28_RESPONSE_DAYS": 45}, D(2026, 4, 16), id="45-days-by-setting"),
    ],
)
def test_cf28_answer_due(importer, specialist, settings, clock, due_on):
    settings.CASE_CLOCK = {**settings.CASE_CLOCK, **clock}
    case = services.issue_information_request(
        actor=specialist,
        entry=EntryFactory(importer=importer),
        questions="Send the mill certificate.",
        issued_on=ISSUED,
    )

    assert case.cf28.due_on == due_on
    assert dict(case.deadlines.values_list("kind", "due_on")) == {"cf28_response": due_on}
    assert (case.status, case.next_deadline_on) == ("issued", due_on)


@pytest.mark.parametrize(
    ("action_kind", "due_on"),
    [
        # 19 CFR 152.2: about 20 days to answer a proposed action (practice).
        pytest.param("proposed", D(2026, 3, 22), id="proposed-20-days"),
        # An action taken is only notified: nothing to answer.
        pytest.param("taken", None, id="taken-no-answer"),
    ],
)
def test_cf29_answer_due(importer, specialist, action_kind, due_on):
    case = services.issue_notice_of_action(
        actor=specialist,
        entry=EntryFactory(importer=importer),
        action_kind=action_kind,
        action="Rate advance: 8429.52.1010 at 2.5%",
        issued_on=ISSUED,
    )

    assert case.cf29.due_on == due_on
    expected = {"cf29_response": due_on} if due_on else {}
    assert dict(case.deadlines.values_list("kind", "due_on")) == expected
    assert case.next_deadline_on == due_on


# --- decisions and the court clock ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided_on", "mailed_on", "court_by"),
    [
        # 28 U.S.C. 2636(a); 19 CFR 174.30-.31: 180 days after mailing of the denial notice; the 180th
        # day, 2026-08-29, is a Saturday: USCIT Rule 6(a)(1)(C) carries it to Monday 2026-08-31.
        pytest.param(D(2026, 3, 2), D(2026, 3, 2), D(2026, 8, 31), id="denial-mailed-same-day"),
        # The date of mailing counts, not the date of the decision.
        pytest.param(D(2026, 3, 2), D(2026, 3, 5), D(2026, 9, 1), id="denial-mailed-later"),
    ],
)
def test_court_deadline_after_denial(importer, filer, specialist, decided_on, mailed_on, court_by):
    case = _file_protest(
        importer, filer, _protest_entry(importer, "liquidation", D(2026, 1, 10)), D(2026, 2, 1)
    )

    services.decide_case(
        case,
        actor=specialist,
        outcome="denied",
        reasons="The classification was correct.",
        decided_on=decided_on,
        notice_mailed_on=mailed_on,
        today=mailed_on,
    )

    case.refresh_from_db()
    assert case.status == "denied"
    court = case.deadlines.get(kind="court_of_international_trade")
    assert (court.due_on, court.state) == (court_by, "running")
    assert "2636(a)" in court.citation


@pytest.mark.parametrize(
    "clock",
    [
        pytest.param({}, id="default"),
        # A deemed denial happens by operation of law: never rolled forward off a Sunday.
        pytest.param({"ROLL_FORWARD": True}, id="roll-forward-setting"),
    ],
)
def test_accelerated_disposition_mailed_2026_05_01_is_deemed_denied_as_of_2026_05_31(
    importer, filer, settings, clock
):
    # 19 U.S.C. 1515(b); 19 CFR 174.22: filed 2026-01-30, so 2026-05-01 is day 91, the first day a
    # request may be mailed; the 30th day after it is 2026-05-31, a Sunday, and a decision that day is
    # in time: the sweep deems the protest denied on 2026-06-01, as of 2026-05-31.
    settings.CASE_CLOCK = {**settings.CASE_CLOCK, **clock}
    item = _protest_entry(importer, "liquidation", D(2026, 1, 20))
    case = _file_protest(importer, filer, item, D(2026, 1, 30))
    case = services.request_accelerated_disposition(
        case, actor=filer, mailed_on=D(2026, 5, 1), today=D(2026, 5, 2)
    )
    assert case.deadlines.get(kind="accelerated_disposition").due_on == D(2026, 5, 31)

    for day in (D(2026, 5, 30), D(2026, 5, 31)):
        run_deadline_sweeps(today=day)
        case.refresh_from_db()
        assert case.status == "received"

    run_deadline_sweeps(today=D(2026, 6, 1))
    case.refresh_from_db()
    assert case.status == "deemed_denied"
    assert Decision.objects.get(case=case).decided_on == D(2026, 5, 31)
    # 28 U.S.C. 2636(a): 180 days after the deemed denial.
    assert case.deadlines.get(kind="court_of_international_trade").due_on == D(2026, 11, 27)


def test_exclusion_protest_filed_2026_05_01_is_deemed_denied_2026_05_31(importer, filer):
    # 19 U.S.C. 1499(c)(5)(A); 19 CFR 174.21(b): 30 days after filing.
    item = _protest_entry(importer, "exclusion", D(2026, 4, 20))
    case = _file_protest(importer, filer, item, D(2026, 5, 1))

    run_deadline_sweeps(today=D(2026, 5, 31))

    case.refresh_from_db()
    assert case.status == "deemed_denied"
    assert Decision.objects.get(case=case).decided_on == D(2026, 5, 31)


# --- accelerated disposition, dated end to end (19 U.S.C. 1515(b); 19 CFR 174.22) --------------------

ACCELERATED = [
    # Filed 2026-01-30: day 90 is 2026-04-30 (premature), day 91 2026-05-01 (the first allowed).
    pytest.param(D(2026, 4, 30), None, None, id="mailed-day-90-premature"),
    # Mailed 2026-05-01: day 30 is 2026-05-31 (a Sunday, never moved); a decision then is in time,
    # so the sweep of 05-31 leaves it and the sweep of 06-01 deems it denied as of 05-31; the Court's
    # 180 days run to 2026-11-27 (a Friday).
    pytest.param(D(2026, 5, 1), D(2026, 5, 31), D(2026, 11, 27), id="mailed-day-91"),
    # Mailed 2026-06-05: day 30 is 2026-07-05; 180 days later is 2027-01-01, New Year's Day, a
    # Friday: USCIT Rule 6(a)(1)(C) carries the Court deadline to Monday 2027-01-04.
    pytest.param(D(2026, 6, 5), D(2026, 7, 5), D(2027, 1, 4), id="court-day-on-new-years-day"),
]


@pytest.mark.parametrize(("mailed_on", "deemed_on", "court_by"), ACCELERATED)
def test_accelerated_disposition_scenarios(importer, filer, mailed_on, deemed_on, court_by):
    case = _file_protest(
        importer, filer, _protest_entry(importer, "liquidation", D(2026, 1, 20)), D(2026, 1, 30)
    )
    if deemed_on is None:
        with pytest.raises(CaseError, match="first day a request may be mailed is 2026-05-01"):
            services.request_accelerated_disposition(case, actor=filer, mailed_on=mailed_on, today=mailed_on)
        assert not case.deadlines.filter(kind="accelerated_disposition").exists()
        return
    services.request_accelerated_disposition(case, actor=filer, mailed_on=mailed_on, today=mailed_on)
    assert run_deadline_sweeps(today=deemed_on)["deemed_denied"] == 0
    assert run_deadline_sweeps(today=deemed_on + dt.timedelta(days=1))["deemed_denied"] == 1
    case.refresh_from_db()
    assert (case.status, Decision.objects.get(case=case).decided_on) == ("deemed_denied", deemed_on)
    assert case.deadlines.get(kind="court_of_international_trade").due_on == court_by


# --- denial in part and the Court's 180 days (174.30(a), 174.31(a); USCIT Rule 6(a)(1)(C)) -----------

DENIAL_IN_PART = [
    # Mailed 2026-03-04: 180 days later is Monday 2026-08-31.
    pytest.param(D(2026, 3, 4), D(2026, 8, 31), None, id="monday"),
    # Mailed 2026-03-03: the 180th day is Sunday 2026-08-30, rolled to Monday 2026-08-31.
    pytest.param(D(2026, 3, 3), D(2026, 8, 31), D(2026, 8, 30), id="sunday-rolled"),
    # Mailed 2026-05-30: the 180th day is Thanksgiving, Thursday 2026-11-26, rolled to Friday 11-27.
    pytest.param(D(2026, 5, 30), D(2026, 11, 27), D(2026, 11, 26), id="thanksgiving-rolled"),
]


@pytest.mark.parametrize(("mailed_on", "court_by", "day_180"), DENIAL_IN_PART)
def test_denial_in_part_scenarios(importer, filer, specialist, mailed_on, court_by, day_180):
    case = services.file_protest(
        actor=filer,
        importer=importer,
        **{
            **protest_input([liquidated_entry(importer, D(2026, 1, 20))]),
            "objections": [
                ObjectionInput("classification", "8429.52", "GRI 1"),
                ObjectionInput("charges", "MPF above the cap", "19 CFR 24.23"),
            ],
        },
        filed_on=D(2026, 2, 1),
    ).case
    services.decide_case(
        case,
        actor=specialist,
        outcome="allowed_in_part",
        reasons="Classification allowed; the fee was right.",
        refund_amount=Decimal("310.00"),
        decided_on=D(2026, 3, 3),
        notice_mailed_on=mailed_on,
        objection_outcomes={1: ("allowed", "GRI 1"), 2: ("denied", "Within the cap")},
        today=D(2026, 6, 1),
    )
    court = case.deadlines.get(kind="court_of_international_trade")
    assert (court.due_on, court.period_ends_on, court.state) == (court_by, day_180, "running")
