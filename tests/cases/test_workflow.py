import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.exceptions import CaseError, IllegalTransition, NotAllowed, StaleVersion
from cases.models import (
    DECISION_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Actor,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
)
from cases.services import DecisionInput
from tests.factories import (
    EntryFactory,
    ImporterFactory,
    UserFactory,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 7, 1)


def filed_case(kind: str, importer, filer, specialist) -> Case:
    """A freshly filed or issued case of each kind, through the services."""
    if kind == CaseKind.PROTEST:
        entry = liquidated_entry(importer, dt.date(2026, 6, 1))
        return services.file_protest(
            actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 10)
        ).case
    if kind == CaseKind.PSC:
        entry = EntryFactory(
            importer=importer,
            entry_date=dt.date(2026, 1, 5),
            scheduled_liquidation_date=dt.date(2026, 11, 16),
        )
        return services.file_psc(
            actor=filer,
            entry=entry,
            reason_code="01",
            explanation="x",
            lines=[services.PscLineInput(1, "8429521010", Decimal(1))],
            filed_on=dt.date(2026, 6, 10),
        )
    if kind == CaseKind.PIC:
        entry = EntryFactory(importer=importer, importation_date=dt.date(2026, 1, 5))
        return services.file_pic(
            actor=filer,
            entry=entry,
            agreement="USMCA",
            certificate_of_origin="C",
            filed_on=dt.date(2026, 6, 10),
        )
    if kind == CaseKind.CF28:
        return services.issue_information_request(
            actor=specialist,
            entry=EntryFactory(importer=importer),
            questions="?",
            issued_on=dt.date(2026, 6, 10),
        )
    return services.issue_notice_of_action(
        actor=specialist,
        entry=EntryFactory(importer=importer),
        action_kind="proposed",
        action="Rate advance",
        issued_on=dt.date(2026, 6, 10),
    )


def put_in(case: Case, status: str) -> Case:
    # Test set-up only: place a case in a state without walking the workflow.
    Case.objects.filter(pk=case.pk).update(status=status, is_open=status in OPEN_STATUSES)
    return Case.objects.get(pk=case.pk)


ALL_MOVES = [
    pytest.param(kind, source, target, id=f"{kind}:{source}->{target}")
    for kind, table in TRANSITIONS.items()
    for source in table
    for target in CaseStatus.values
    if target != source
]


@pytest.mark.parametrize(("kind", "source", "target"), ALL_MOVES)
def test_transition_table_allows_exactly_its_moves(kind, source, target):
    importer = ImporterFactory()
    filer, specialist = trade_user(importer), staff_user("CEE010")
    case = put_in(filed_case(kind, importer, filer, specialist), source)
    who = TRANSITIONS[kind][source].get(target)
    actor = {Actor.STAFF: specialist, Actor.FILER: filer, Actor.SYSTEM: None, None: specialist}[who]
    decision = DecisionInput("reasons", TODAY) if target in DECISION_STATUSES else None
    events_before = case.events.count()
    if who is None:
        with pytest.raises(IllegalTransition) as refused:
            services.transition_case(case, to=target, actor=actor, today=TODAY, decision=decision)
        # The message names the current state and every allowed move.
        assert source in str(refused.value)
        assert all(move in str(refused.value) for move in TRANSITIONS[kind][source])
        assert Case.objects.get(pk=case.pk).status == source
        return
    moved = services.transition_case(case, to=target, actor=actor, today=TODAY, decision=decision)
    assert (moved.status, moved.is_open, moved.version) == (target, target in OPEN_STATUSES, case.version + 1)
    event = moved.events.order_by("id").last()
    assert (event.kind, event.old_value, event.new_value) == ("status", source, target)
    assert moved.events.count() == events_before + 1


@pytest.mark.parametrize(
    ("kind", "source", "target", "wrong"),
    [
        pytest.param("protest", "received", "under_review", "filer", id="filer-cannot-review"),
        pytest.param("protest", "received", "withdrawn", "staff", id="staff-cannot-withdraw-for-filer"),
        pytest.param("protest", "received", "under_review", "other_center", id="other-center-staff"),
        pytest.param("protest", "under_review", "deemed_denied", "staff", id="only-system-deems-denied"),
        pytest.param("cf28", "issued", "answered", "staff", id="staff-cannot-answer-for-importer"),
    ],
)
def test_moves_are_reserved_to_their_actor(kind, source, target, wrong):
    importer = ImporterFactory()
    filer, specialist = trade_user(importer), staff_user("CEE010")
    case = put_in(filed_case(kind, importer, filer, specialist), source)
    actor = {"filer": filer, "staff": specialist, "other_center": staff_user("CEE001")}[wrong]
    decision = DecisionInput("r", TODAY) if target in DECISION_STATUSES else None
    with pytest.raises(NotAllowed):
        services.transition_case(case, to=target, actor=actor, today=TODAY, decision=decision)
    assert Case.objects.get(pk=case.pk).status == source


def test_national_supervisor_may_act_on_any_center():
    importer = ImporterFactory()
    case = filed_case("protest", importer, trade_user(importer), staff_user())
    supervisor = UserFactory(role="supervisor")  # no Center: national
    moved = services.transition_case(case, to="under_review", actor=supervisor, today=TODAY)
    assert moved.status == "under_review"


def test_stale_version_is_refused_and_changes_nothing():
    importer = ImporterFactory()
    specialist = staff_user()
    case = filed_case("protest", importer, trade_user(importer), specialist)
    loaded_version = case.version
    services.transition_case(
        case, to="under_review", actor=specialist, expected_version=loaded_version, today=TODAY
    )
    with pytest.raises(StaleVersion) as refused:
        services.transition_case(
            case, to="suspended", actor=specialist, expected_version=loaded_version, today=TODAY
        )
    assert "changed since you loaded it" in str(refused.value) and "under_review" in str(refused.value)
    assert Case.objects.get(pk=case.pk).status == "under_review"


def test_decision_status_needs_a_decision_record():
    importer = ImporterFactory()
    specialist = staff_user()
    case = filed_case("protest", importer, trade_user(importer), specialist)
    with pytest.raises(CaseError, match="is a decision"):
        services.transition_case(case, to="denied", actor=specialist, today=TODAY)


def test_denial_records_the_decision_and_starts_the_court_clock_from_mailing():
    importer = ImporterFactory()
    specialist = staff_user()
    case = filed_case("protest", importer, trade_user(importer), specialist)
    decided = services.decide_case(
        case,
        actor=specialist,
        outcome="denied",
        reasons="Correct as liquidated",
        decided_on=dt.date(2026, 7, 1),
        notice_mailed_on=dt.date(2026, 7, 2),
    )
    assert decided.decision.notice_mailed_on == dt.date(2026, 7, 2)
    court = decided.deadlines.get(kind="court_of_international_trade")
    assert court.due_on == dt.date(2026, 12, 29) and "2636" in court.citation
    assert decided.objections.get().outcome == "denied"
    assert decided.deadlines.get(kind="protest_decision_target").state == "met"
    assert decided.next_deadline_on is None and not decided.is_open


def test_allowance_in_part_needs_every_objection_outcome_and_a_refund():
    importer = ImporterFactory()
    filer, specialist = trade_user(importer), staff_user()
    case = filed_case("protest", importer, filer, specialist)
    case = services.amend_protest(
        case,
        actor=filer,
        new_objections=[services.ObjectionInput("appraisement", "Value", "Transaction value")],
        amended_on=dt.date(2026, 6, 20),
    )
    with pytest.raises(CaseError, match="refund"):
        services.decide_case(case, actor=specialist, outcome="allowed_in_part", reasons="r")
    with pytest.raises(CaseError, match="every objection"):
        services.decide_case(
            case,
            actor=specialist,
            outcome="allowed_in_part",
            reasons="r",
            refund_amount=Decimal(5),
            objection_outcomes={1: ("allowed", "ok")},
        )
    decided = services.decide_case(
        case,
        actor=specialist,
        outcome="allowed_in_part",
        reasons="r",
        refund_amount=Decimal("1234.56"),
        objection_outcomes={1: ("allowed", "right heading"), 2: ("denied", "value correct")},
    )
    assert decided.decision.refund_amount == Decimal("1234.56")
    assert list(decided.objections.values_list("number", "outcome")) == [(1, "allowed"), (2, "denied")]


def test_new_objections_only_within_the_window_new_arguments_until_decision():
    importer = ImporterFactory()
    filer, specialist = trade_user(importer), staff_user()
    case = filed_case(
        "protest", importer, filer, specialist
    )  # liquidated 2026-06-01: window closes 2026-11-28
    with pytest.raises(CaseError, match="2026-11-28"):
        services.amend_protest(
            case,
            actor=filer,
            new_objections=[services.ObjectionInput("charges", "Fee", "Not owed")],
            amended_on=dt.date(2026, 11, 29),
        )
    amended = services.amend_protest(
        case, actor=filer, new_arguments={1: "See HQ ruling H123"}, amended_on=dt.date(2026, 12, 15)
    )
    assert "H123" in amended.objections.get(number=1).justification
    services.decide_case(amended, actor=specialist, outcome="denied", reasons="r")
    with pytest.raises(CaseError, match="no longer be amended"):
        services.amend_protest(amended, actor=filer, new_arguments={1: "more"})


def test_further_review_granted_is_forwarded_with_its_review_office():
    importer = ImporterFactory()
    filer, specialist = trade_user(importer), staff_user()
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    case = services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([entry], further_review=services.FurtherReviewInput("a", "Ruling")),
        filed_on=dt.date(2026, 6, 10),
    ).case
    with pytest.raises(CaseError, match="174.26"):
        services.decide_further_review(case, actor=specialist, granted=True, reason="ok")
    case = services.decide_further_review(
        case,
        actor=specialist,
        granted=True,
        reason="Conflicts with HQ ruling",
        review_office="headquarters",
        decided_on=dt.date(2026, 7, 1),
    )
    protest = case.protest
    assert (protest.afr_status, protest.review_office) == ("granted", "headquarters")
    assert case.center.ace_id == "CEE010"  # the owning Center is unchanged by the review office
    assert case.deadlines.get(kind="further_review_decision").state == "met"


def test_claim_and_assign_are_not_statuses():
    importer = ImporterFactory()
    specialist, colleague = staff_user(), staff_user()
    supervisor = staff_user(role="supervisor")
    case = filed_case("protest", importer, trade_user(importer), specialist)
    claimed = services.assign_case(case, assignee=specialist, actor=specialist)
    assert (claimed.assignee, claimed.status) == (specialist, "received")
    with pytest.raises(NotAllowed):
        services.assign_case(claimed, assignee=colleague, actor=specialist)
    reassigned = services.assign_case(claimed, assignee=colleague, actor=supervisor)
    assert reassigned.assignee == colleague
    assert reassigned.events.filter(kind="assignee", visibility="internal").count() == 2


def test_cf28_answer_moves_it_and_meets_its_deadline():
    importer = ImporterFactory()
    filer, specialist = trade_user(importer), staff_user()
    case = filed_case("cf28", importer, filer, specialist)
    answered = services.answer_request(
        case, actor=filer, answer="Invoice attached", answered_on=dt.date(2026, 7, 1)
    )
    assert answered.status == "answered" and answered.cf28.answer == "Invoice attached"
    closed = services.transition_case(answered, to="closed", actor=specialist, today=dt.date(2026, 7, 2))
    assert closed.deadlines.get(kind="cf28_response").state == "met"


def test_timeline_is_append_only():
    importer = ImporterFactory()
    case = filed_case("protest", importer, trade_user(importer), staff_user())
    event = case.events.get()
    event.message = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(pk=event.pk).update(message="x")
    with pytest.raises(ValidationError):
        CaseEvent.objects.all().delete()
    assert CaseEvent.objects.get(pk=event.pk).message != "rewritten"


@pytest.mark.postgres
def test_database_refuses_to_rewrite_the_timeline():
    from django.db import DatabaseError, connection, transaction

    importer = ImporterFactory()
    case = filed_case("protest", importer, trade_user(importer), staff_user())
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE cases_caseevent SET message = 'x' WHERE case_id = %s", [case.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM cases_caseevent WHERE case_id = %s", [case.pk])


def test_admin_offers_no_way_to_edit_or_delete_events(admin_client):
    importer = ImporterFactory()
    case = filed_case("protest", importer, trade_user(importer), staff_user())
    event = case.events.get()
    assert admin_client.get(f"/admin/cases/caseevent/{event.pk}/delete/").status_code == 403
    response = admin_client.post(f"/admin/cases/caseevent/{event.pk}/change/", {"message": "x"})
    assert response.status_code == 403
    assert admin_client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200


def test_amendment_with_an_incomplete_objection_adds_nothing():
    importer = ImporterFactory()
    filer = trade_user(importer)
    case = filed_case("protest", importer, filer, staff_user())
    incomplete = [
        services.ObjectionInput("charges", "Fee", "Not owed"),
        services.ObjectionInput("appraisement", "x", ""),
    ]
    with pytest.raises(CaseError, match="174.13"):
        services.amend_protest(case, actor=filer, new_objections=incomplete, amended_on=dt.date(2026, 6, 20))
    assert list(case.objections.values_list("number", flat=True)) == [1]


@pytest.mark.parametrize(
    ("answered_on", "accepted"), [(dt.date(2026, 6, 30), True), (dt.date(2026, 7, 1), False)]
)
def test_an_objection_to_a_proposed_cf29_only_within_its_20_days(answered_on, accepted):
    """19 CFR 152.2 (20 days by practice): after the due date CBP may act; refused, nothing written."""
    importer = ImporterFactory()
    filer = trade_user(importer)
    case = filed_case("cf29", importer, filer, staff_user())  # issued 2026-06-10, due 2026-06-30
    if accepted:
        answered = services.answer_request(case, actor=filer, answer="Wrong rate", answered_on=answered_on)
        assert answered.status == "answered"
        return
    with pytest.raises(CaseError) as refused:
        services.answer_request(case, actor=filer, answer="Wrong rate", answered_on=answered_on)
    assert refused.value.error_dict["answer"][0].code == "out_of_window"
    case.refresh_from_db()
    assert case.status == "issued" and case.cf29.answer == ""


def test_a_late_cf28_answer_is_still_recorded_but_only_once():
    """19 U.S.C. 1509: CBP decides on what it has; a late answer is read, a second one refused."""
    importer = ImporterFactory()
    filer = trade_user(importer)
    case = filed_case("cf28", importer, filer, staff_user())  # due 2026-07-10
    late = services.answer_request(case, actor=filer, answer="Invoice", answered_on=dt.date(2026, 7, 11))
    assert late.status == "answered"
    with pytest.raises(CaseError) as again:
        services.answer_request(late, actor=filer, answer="Another", answered_on=dt.date(2026, 7, 12))
    assert again.value.code == "already_answered"
    late.refresh_from_db()
    assert late.cf28.answer == "Invoice"
