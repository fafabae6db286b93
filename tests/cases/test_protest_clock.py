"""Protest clock rules through the services, each on both sides of its threshold (issue 9, items 1-6).

Every date was counted by hand; the rule each test proves is cited in its name or docstring.
"""

import datetime as dt
from decimal import Decimal

import pytest

from cases import services
from cases.exceptions import CaseError, NotAllowed
from cases.models import Case, CaseEvent, Decision
from cases.services import FurtherReviewInput, ObjectionInput, ProtestantInput, ProtestedEntry
from tests.factories import EntryFactory, liquidated_entry, protest_input, staff_user, trade_user

pytestmark = pytest.mark.django_db

D = dt.date
LIQUIDATED = D(2026, 1, 20)
FILED = D(2026, 1, 30)  # day 90 after it: 2026-04-30; day 91: 2026-05-01
TWO_OBJECTIONS = [
    ObjectionInput("classification", "8429.52", "GRI 1"),
    ObjectionInput("charges", "MPF", "24.23"),
]
SURETY = ProtestantInput("98-7654321SU", "Great Plains Surety Co.", role="surety")


def _file(importer, filer, items, filed_on, **kwargs):
    items = [i if isinstance(i, ProtestedEntry) else ProtestedEntry(i) for i in items]
    decision = items[0].decision
    return services.file_protest(
        actor=filer,
        importer=importer,
        **{
            **protest_input([items[0].entry]),
            "entries": items,
            "objections": [ObjectionInput(decision, "The decision is wrong", "See the ruling")],
            **kwargs,
        },
        filed_on=filed_on,
    )


def _protest(importer, filer, filed_on=FILED, liquidated_on=LIQUIDATED) -> Case:
    return _file(importer, filer, [liquidated_entry(importer, liquidated_on)], filed_on).case


def code_of(error: CaseError) -> str:
    """The refusal's code, also when it is shown beside a field."""
    if hasattr(error, "code"):
        return error.code
    return next(iter(error.error_dict.values()))[0].code


def _unchanged(case: Case):
    case = Case.objects.get(pk=case.pk)
    return (case.version, case.protest.accelerated_disposition_mailed_on, case.events.count())


# --- 1. Accelerated disposition: 19 U.S.C. 1515(b); 19 CFR 174.22 ----------------------------------


@pytest.mark.parametrize(
    ("mailed_on", "accepted"),
    [
        pytest.param(D(2026, 4, 30), False, id="day-90-premature"),
        pytest.param(D(2026, 5, 1), True, id="day-91-first-day"),
        pytest.param(D(2026, 5, 2), True, id="day-92"),
    ],
)
def test_accelerated_disposition_only_after_90_days_following_the_filing_1515b(
    importer, filer, mailed_on, accepted
):
    case = _protest(importer, filer)
    if not accepted:
        before = _unchanged(case)
        with pytest.raises(CaseError) as caught:
            services.request_accelerated_disposition(case, actor=filer, mailed_on=mailed_on, today=mailed_on)
        message = " ".join(caught.value.messages)
        assert code_of(caught.value) == "premature"
        for fragment in ("premature", "19 U.S.C. 1515(b); 19 CFR 174.22(a)", "2026-05-01", "2026-01-30"):
            assert fragment in message
        assert _unchanged(case) == before
        return
    case = services.request_accelerated_disposition(case, actor=filer, mailed_on=mailed_on, today=mailed_on)
    row = case.deadlines.get(kind="accelerated_disposition")
    assert row.due_on == mailed_on + dt.timedelta(days=30)
    assert case.protest.accelerated_disposition_mailed_on == mailed_on
    assert case.events.filter(kind="accelerated_disposition").count() == 1


def test_accelerated_disposition_refusals_change_nothing(importer, filer, specialist):
    case = _protest(importer, filer)
    before = _unchanged(case)
    with pytest.raises(CaseError, match="in the future"):
        services.request_accelerated_disposition(
            case, actor=filer, mailed_on=D(2026, 5, 3), today=D(2026, 5, 2)
        )
    # The owning Center's staff may record a mailed request; another Center's staff may not.
    with pytest.raises(NotAllowed):
        services.request_accelerated_disposition(
            case, actor=staff_user("CEE001"), mailed_on=D(2026, 5, 1), today=D(2026, 5, 1)
        )
    assert _unchanged(case) == before


def test_exclusion_protest_keeps_its_own_rule_174_21b(importer, filer):
    entry = EntryFactory(importer=importer, entry_date=D(2026, 1, 5))
    item = ProtestedEntry(entry, decision="exclusion", decision_date=D(2026, 1, 10))
    case = _file(importer, filer, [item], D(2026, 1, 12)).case
    with pytest.raises(CaseError, match=r"174\.21\(b\)"):
        services.request_accelerated_disposition(
            case, actor=filer, mailed_on=D(2026, 4, 20), today=D(2026, 4, 20)
        )


def test_a_second_request_is_kept_and_the_30_days_stay_with_the_first(importer, filer):
    case = _protest(importer, filer)
    services.request_accelerated_disposition(case, actor=filer, mailed_on=D(2026, 5, 1), today=D(2026, 5, 1))
    case = services.request_accelerated_disposition(
        case, actor=filer, mailed_on=D(2026, 5, 10), today=D(2026, 5, 10)
    )
    assert case.deadlines.get(kind="accelerated_disposition").due_on == D(2026, 5, 31)
    messages = list(case.events.filter(kind="accelerated_disposition").values_list("message", flat=True))
    assert len(messages) == 2 and "kept" in messages[1] and "2026-05-01" in messages[1]


def test_an_earlier_mailing_recorded_later_runs_the_30_days_174_22(importer, filer):
    case = _protest(importer, filer)
    services.request_accelerated_disposition(
        case, actor=filer, mailed_on=D(2026, 5, 10), today=D(2026, 5, 12)
    )
    case = services.request_accelerated_disposition(
        case, actor=filer, mailed_on=D(2026, 5, 2), today=D(2026, 5, 12)
    )
    assert case.deadlines.get(kind="accelerated_disposition").due_on == D(2026, 6, 1)
    assert "precedes the one recorded for 2026-05-10" in case.events.last().message


@pytest.mark.parametrize(
    ("decided_on", "in_time"),
    [
        pytest.param(D(2026, 5, 30), True, id="day-29"),
        pytest.param(D(2026, 5, 31), True, id="day-30-in-time"),
        pytest.param(D(2026, 6, 1), False, id="day-31-already-deemed-denied"),
    ],
)
def test_decision_on_the_30th_day_after_the_request_is_in_time_174_22d(
    importer, filer, specialist, decided_on, in_time
):
    case = _protest(importer, filer)
    case = services.request_accelerated_disposition(
        case, actor=filer, mailed_on=D(2026, 5, 1), today=D(2026, 5, 1)
    )

    def decide():
        return services.decide_case(
            case,
            actor=specialist,
            outcome="denied",
            reasons="Correct.",
            decided_on=decided_on,
            today=decided_on,
        )

    if not in_time:
        with pytest.raises(CaseError) as caught:
            decide()
        assert code_of(caught.value) == "deemed_denied"
        assert "deemed denied on 2026-05-31" in " ".join(caught.value.messages)
        assert Case.objects.get(pk=case.pk).status == "received"
        return
    case = decide()
    assert case.status == "denied"
    assert case.deadlines.get(kind="accelerated_disposition").state == "met"


@pytest.mark.parametrize(
    ("decided_on", "in_time"),
    [
        pytest.param(D(2026, 2, 10), True, id="day-29"),
        pytest.param(D(2026, 2, 11), False, id="day-30-deemed-denied"),
        pytest.param(D(2026, 2, 12), False, id="day-31"),
    ],
)
def test_exclusion_decision_must_come_before_the_30th_day_174_21b(
    importer, filer, specialist, decided_on, in_time
):
    entry = EntryFactory(importer=importer, entry_date=D(2026, 1, 2))
    item = ProtestedEntry(entry, decision="exclusion", decision_date=D(2026, 1, 5))
    case = _file(importer, filer, [item], D(2026, 1, 12)).case  # deemed denied 2026-02-11
    if not in_time:
        with pytest.raises(CaseError, match="deemed denied on 2026-02-11"):
            services.decide_case(
                case, actor=specialist, outcome="allowed", reasons="Admissible.", refund_amount=Decimal(0),
                decided_on=decided_on, today=decided_on,
            )  # fmt: skip
        return
    case = services.decide_case(
        case, actor=specialist, outcome="allowed", reasons="Admissible.", refund_amount=Decimal(0),
        decided_on=decided_on, today=decided_on,
    )  # fmt: skip
    assert case.deadlines.get(kind="exclusion_deemed_denial").state == "met"


# --- 2. Which date a protest runs from: 19 U.S.C. 1514(c)(3) -----------------------------------------


@pytest.mark.parametrize("decision", ["classification", "appraisement", "charges", "liquidation"])
@pytest.mark.parametrize(
    ("filed_on", "accepted"),
    [
        pytest.param(D(2026, 7, 18), True, id="day-179"),
        pytest.param(D(2026, 7, 19), True, id="day-180"),
        pytest.param(D(2026, 7, 20), False, id="day-181"),
    ],
)
def test_decisions_merged_in_liquidation_run_from_the_liquidation_1514c3A(
    importer, filer, decision, filed_on, accepted
):
    item = ProtestedEntry(liquidated_entry(importer, LIQUIDATED), decision=decision)
    if accepted:
        link = _file(importer, filer, [item], filed_on).case.entry_links.get()
        assert (link.protested_act, link.decision_date) == ("liquidation", LIQUIDATED)
        return
    with pytest.raises(CaseError) as caught:
        _file(importer, filer, [item], filed_on)
    assert code_of(caught.value) == "out_of_window" and "2026-07-19" in " ".join(caught.value.messages)


def test_classification_protest_of_an_entry_liquidated_two_years_ago_is_refused_whatever_date_is_typed(
    importer, filer
):
    """1514(c)(3)(A): the classification is merged in the liquidation of 2024-01-20, not a typed date."""
    entry = liquidated_entry(importer, D(2024, 1, 20))
    typed = ProtestedEntry(entry, decision="classification", decision_date=D(2026, 1, 20))
    with pytest.raises(CaseError) as caught:
        _file(importer, filer, [typed], FILED)
    assert code_of(caught.value) == "typed_date"
    assert "liquidation on 2024-01-20" in " ".join(caught.value.messages)
    with pytest.raises(CaseError) as caught:
        _file(importer, filer, [ProtestedEntry(entry, decision="classification")], FILED)
    assert code_of(caught.value) == "out_of_window"
    assert not Case.objects.exists()


@pytest.mark.parametrize("decision", ["charges_outside", "drawback", "refusal_1520d", "exclusion"])
@pytest.mark.parametrize(
    ("decided_on", "problem"),
    [
        pytest.param(D(2026, 1, 4), "before the entry date", id="day-before-entry"),
        pytest.param(D(2026, 1, 5), None, id="entry-day"),
        pytest.param(D(2026, 1, 29), None, id="day-before-filing"),
        pytest.param(D(2026, 1, 31), "after the filing date", id="day-after-filing-future"),
    ],
)
def test_decisions_outside_liquidation_take_their_own_date_1514c3B(
    importer, filer, decision, decided_on, problem
):
    entry = EntryFactory(importer=importer, entry_date=D(2026, 1, 5))
    item = ProtestedEntry(entry, decision=decision, decision_date=decided_on)
    if problem is None:
        link = _file(importer, filer, [item], FILED).case.entry_links.get()
        assert (link.protested_act, link.decision_date) == ("separate", decided_on)
        return
    with pytest.raises(CaseError, match=problem):
        _file(importer, filer, [item], FILED)
    with pytest.raises(CaseError, match=r"1514\(c\)\(3\)\(B\)"):
        _file(importer, filer, [ProtestedEntry(entry, decision=decision)], FILED)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("demand_on", "accepted"),
    [
        pytest.param(D(2026, 2, 4), True, id="demand-179th-day"),
        pytest.param(D(2026, 2, 3), True, id="demand-180th-day"),
        pytest.param(D(2026, 2, 2), False, id="demand-181st-day"),
    ],
)
def test_a_surety_may_protest_within_180_days_after_the_demand_on_its_bond_1514c3(
    importer, filer, demand_on, accepted
):
    # Liquidated 2025-06-02: its own window closed 2025-11-29. Filed 2026-08-02.
    entry = liquidated_entry(importer, D(2025, 6, 2))
    surety = ProtestantInput(SURETY.identifier, SURETY.name, role="surety", bond_demand_mailed_on=demand_on)
    if accepted:
        case = _file(importer, filer, [entry], D(2026, 8, 2), protestant=surety).case
        assert case.protestants.get().bond_demand_mailed_on == demand_on
        return
    with pytest.raises(CaseError) as caught:
        _file(importer, filer, [entry], D(2026, 8, 2), protestant=surety)
    assert code_of(caught.value) == "out_of_window" and "2026-08-01" in " ".join(caught.value.messages)


def test_only_a_surety_runs_from_a_bond_demand_and_not_from_one_in_the_future(importer, filer):
    entry = liquidated_entry(importer, D(2025, 6, 2))
    importer_side = ProtestantInput("12-3456789AB", "Acme Inc.", bond_demand_mailed_on=D(2026, 2, 3))
    with pytest.raises(CaseError, match="Only a surety"):
        _file(importer, filer, [entry], D(2026, 8, 2), protestant=importer_side)
    future = ProtestantInput(
        SURETY.identifier, SURETY.name, role="surety", bond_demand_mailed_on=D(2026, 8, 3)
    )
    with pytest.raises(CaseError, match="after the filing date"):
        _file(importer, filer, [entry], D(2026, 8, 2), protestant=future)
    before_entry = ProtestantInput(
        SURETY.identifier,
        SURETY.name,
        role="surety",
        bond_demand_mailed_on=entry.entry_date - dt.timedelta(days=1),
    )
    with pytest.raises(CaseError, match="before the entry date"):
        _file(importer, filer, [entry], D(2026, 8, 2), protestant=before_entry)
    assert not Case.objects.exists()


# --- 3. Reliquidation: a new protestable decision ----------------------------------------------------


def test_reliquidation_opens_its_own_protest_and_leaves_the_filed_one_alone(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    first = _file(importer, filer, [entry], FILED).case
    amendment = first.deadlines.get(kind="protest_amendment").due_on
    assert amendment == D(2026, 7, 19)

    entry.reliquidation_date = D(2026, 3, 1)
    entry.save(update_fields=["reliquidation_date"])
    assert services.entries_liquidation_changed([entry.pk], today=D(2026, 3, 2)) == 1

    first.refresh_from_db()
    assert first.deadlines.get(kind="protest_amendment").due_on == amendment  # never re-read
    # Same protestant, same entry and category: a protest of the reliquidation is not a duplicate.
    second = _file(importer, filer, [ProtestedEntry(entry, of_reliquidation=True)], D(2026, 3, 5))
    assert not second.joined and second.case.pk != first.pk
    link = second.case.entry_links.get()
    assert (link.protested_act, link.decision_date) == ("reliquidation", D(2026, 3, 1))
    assert second.case.deadlines.get(kind="protest_amendment").due_on == D(2026, 8, 28)
    # The liquidation's own window still closes 2026-07-19 for new objections on the first protest.
    services.amend_protest(
        first,
        actor=filer,
        new_objections=[ObjectionInput("classification", "Also 8429.59", "EN")],
        amended_on=D(2026, 7, 19),
    )
    with pytest.raises(CaseError, match="2026-07-19"):
        services.amend_protest(
            first,
            actor=filer,
            new_objections=[ObjectionInput("classification", "Also 8429.60", "EN")],
            amended_on=D(2026, 7, 20),
        )


def test_protest_of_a_reliquidation_needs_one_and_only_for_liquidation_decisions(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    with pytest.raises(CaseError, match="has not been reliquidated"):
        _file(importer, filer, [ProtestedEntry(entry, of_reliquidation=True)], FILED)
    other = EntryFactory(importer=importer, entry_date=D(2026, 1, 5))
    item = ProtestedEntry(other, decision="drawback", decision_date=D(2026, 1, 10), of_reliquidation=True)
    with pytest.raises(CaseError, match="no reliquidation made it"):
        _file(importer, filer, [item], FILED)


# --- 4. Joined protests: 19 CFR 174.15, 174.21(a) -------------------------------------------------------


def test_joined_protest_decision_target_runs_from_the_last_joiner_and_keeps_its_further_review(
    importer, filer
):
    entry = liquidated_entry(importer, LIQUIDATED)
    case = _file(importer, filer, [entry], FILED).case
    assert case.deadlines.get(kind="protest_decision_target").due_on == D(2028, 1, 30)
    joiner = trade_user(importer)
    joined = _file(
        importer, joiner, [entry], D(2026, 3, 2), protestant=SURETY,
        further_review=FurtherReviewInput("c", "The bond facts were never considered."),
    )  # fmt: skip
    assert joined.joined and joined.case.pk == case.pk
    case = Case.objects.get(pk=case.pk)
    deadlines = dict(case.deadlines.values_list("kind", "due_on"))
    assert deadlines["protest_decision_target"] == D(2028, 3, 2)  # 2 years from 2026-03-02
    assert deadlines["further_review_decision"] == D(2026, 4, 1)  # 30 days from the joiner's AFR
    assert (case.protest.afr_status, case.protest.afr_filed_on) == ("requested", D(2026, 3, 2))
    assert "never considered" in case.protest.afr_justification


def test_a_joiners_further_review_beside_an_existing_one_is_kept(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    afr = FurtherReviewInput("a", "Inconsistent with HQ H123456.")
    case = _file(importer, filer, [entry], FILED, further_review=afr).case
    _file(
        importer, trade_user(importer), [entry], D(2026, 2, 5), protestant=SURETY,
        further_review=FurtherReviewInput("b", "A question never ruled on."),
    )  # fmt: skip
    case = Case.objects.get(pk=case.pk)
    assert "H123456" in case.protest.afr_justification and "never ruled on" in case.protest.afr_justification
    assert case.deadlines.get(kind="further_review_decision").due_on == D(2026, 3, 1)  # the first AFR's


def test_accelerated_disposition_of_a_joined_protest_waits_90_days_after_the_last_joiner(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    case = _file(importer, filer, [entry], FILED).case
    joiner = trade_user(importer)
    _file(importer, joiner, [entry], D(2026, 2, 9), protestant=SURETY)  # day 91 after it: 2026-05-11
    with pytest.raises(CaseError, match="2026-05-11"):
        services.request_accelerated_disposition(
            case, actor=joiner, mailed_on=D(2026, 5, 10), today=D(2026, 5, 10)
        )
    case = services.request_accelerated_disposition(
        case, actor=joiner, mailed_on=D(2026, 5, 11), today=D(2026, 5, 11)
    )
    assert case.deadlines.get(kind="accelerated_disposition").due_on == D(2026, 6, 10)


@pytest.mark.parametrize(
    ("amended_on", "entries", "accepted"),
    [
        pytest.param(D(2026, 7, 9), "both", True, id="first-window-last-day-both"),
        pytest.param(D(2026, 7, 10), "both", False, id="first-window-closed-both"),
        pytest.param(D(2026, 7, 10), "second", True, id="second-entry-still-open"),
        pytest.param(D(2026, 8, 28), "second", True, id="second-window-last-day"),
        pytest.param(D(2026, 8, 29), "second", False, id="second-window-closed"),
    ],
)
def test_amendment_windows_are_per_protested_entry_174_14(importer, filer, amended_on, entries, accepted):
    early, late = liquidated_entry(importer, D(2026, 1, 10)), liquidated_entry(importer, D(2026, 3, 1))
    case = _file(importer, filer, [early, late], D(2026, 3, 5)).case
    # The stored window is the last of them; amend_protest checks each named entry.
    assert case.deadlines.get(kind="protest_amendment").due_on == D(2026, 8, 28)
    named = [early, late] if entries == "both" else [late]

    def amend():
        return services.amend_protest(
            case,
            actor=filer,
            new_objections=[ObjectionInput("classification", "Also 8429.59", "EN")],
            entries=named,
            amended_on=amended_on,
        )

    if accepted:
        assert amend().objections.count() == 2
        return
    with pytest.raises(CaseError) as caught:
        amend()
    message = " ".join(caught.value.messages)
    closed = early if entries == "both" else late
    assert closed.formatted_number in message and "19 CFR 174.14" in message
    assert Case.objects.get(pk=case.pk).objections.count() == 1


# --- 5. Denial in part: 19 CFR 174.30(a), 174.31(a) -------------------------------------------------


@pytest.mark.parametrize(
    ("mailed_on", "court_by"),
    [
        pytest.param(None, D(2026, 10, 28), id="mailed-on-the-decision-day"),  # 180 days after 05-01
        # 180 days after 05-04 is Saturday 10-31: USCIT Rule 6(a)(1)(C) carries it to Monday 11-02.
        pytest.param(D(2026, 5, 4), D(2026, 11, 2), id="mailed-later"),
    ],
)
def test_allowed_in_part_starts_the_court_clock_from_the_notice_mailing(
    importer, filer, specialist, mailed_on, court_by
):
    case = _file(
        importer, filer, [liquidated_entry(importer, LIQUIDATED)], FILED,
        objections=TWO_OBJECTIONS,
    ).case  # fmt: skip
    case = services.decide_case(
        case, actor=specialist, outcome="allowed_in_part", reasons="Classification allowed, MPF denied.",
        refund_amount=Decimal("120.00"), decided_on=D(2026, 5, 1), notice_mailed_on=mailed_on,
        objection_outcomes={1: ("allowed", "ok"), 2: ("denied", "correct")}, today=D(2026, 5, 10),
    )  # fmt: skip
    assert Decision.objects.get(case=case).notice_mailed_on == (mailed_on or D(2026, 5, 1))
    court = case.deadlines.get(kind="court_of_international_trade")
    assert (court.due_on, court.state) == (court_by, "running")


def test_denial_in_part_notice_is_not_mailed_before_the_decision(importer, filer, specialist):
    case = _file(
        importer, filer, [liquidated_entry(importer, LIQUIDATED)], FILED,
        objections=TWO_OBJECTIONS,
    ).case  # fmt: skip
    with pytest.raises(CaseError, match="cannot be mailed before the decision"):
        services.decide_case(
            case, actor=specialist, outcome="allowed_in_part", reasons="r", refund_amount=Decimal(1),
            decided_on=D(2026, 5, 1), notice_mailed_on=D(2026, 4, 30),
            objection_outcomes={1: ("allowed", ""), 2: ("denied", "")}, today=D(2026, 5, 10),
        )  # fmt: skip


# --- 6. Court deadline on a weekend or legal holiday: USCIT Rule 6(a)(1)(C) -----------------------------


@pytest.mark.parametrize(
    ("mailed_on", "due_on", "day_180"),
    [
        pytest.param(D(2026, 3, 1), D(2026, 8, 28), None, id="friday-stays"),
        pytest.param(D(2026, 3, 2), D(2026, 8, 31), D(2026, 8, 29), id="saturday-to-monday"),
        pytest.param(D(2026, 3, 3), D(2026, 8, 31), D(2026, 8, 30), id="sunday-to-monday"),
        pytest.param(D(2026, 3, 4), D(2026, 8, 31), None, id="monday-stays"),
        # 2026-09-07 is Labor Day: the 180th day rolls to Tuesday.
        pytest.param(D(2026, 3, 11), D(2026, 9, 8), D(2026, 9, 7), id="labor-day-to-tuesday"),
    ],
)
def test_court_deadline_rolls_off_weekends_and_legal_holidays_and_keeps_the_180th_day(
    importer, filer, specialist, mailed_on, due_on, day_180
):
    case = _protest(importer, filer)
    case = services.decide_case(
        case, actor=specialist, outcome="denied", reasons="Correct.", decided_on=D(2026, 3, 1),
        notice_mailed_on=mailed_on, today=D(2026, 3, 20),
    )  # fmt: skip
    court = case.deadlines.get(kind="court_of_international_trade")
    assert (court.due_on, court.period_ends_on) == (due_on, day_180)
    assert "USCIT Rule 6(a)(1)(C)" in court.citation
    if day_180 is not None:
        assert f"the 180th day, {day_180.isoformat()}" in court.warnings
        assert (case.next_deadline_on, case.is_open) == (None, False)


# --- Item 9: decide_case takes its date; never before the filing, never in the future ----------------


@pytest.mark.parametrize(
    ("decided_on", "problem"),
    [
        pytest.param(D(2026, 1, 29), "before case", id="day-before-filing"),
        pytest.param(D(2026, 1, 30), None, id="filing-day"),
        pytest.param(D(2026, 2, 10), None, id="today"),
        pytest.param(D(2026, 2, 11), "in the future", id="tomorrow"),
    ],
)
def test_decision_date_is_not_before_the_filing_nor_in_the_future(
    importer, filer, specialist, decided_on, problem
):
    case = _protest(importer, filer)

    def decide():
        return services.decide_case(
            case, actor=specialist, outcome="denied", reasons="Correct.", decided_on=decided_on,
            today=D(2026, 2, 10),
        )  # fmt: skip

    if problem is None:
        assert Decision.objects.get(case=decide()).decided_on == decided_on
        return
    events = CaseEvent.objects.count()
    with pytest.raises(CaseError, match=problem):
        decide()
    assert (Case.objects.get(pk=case.pk).status, CaseEvent.objects.count()) == ("received", events)
