"""The staff case page (issue 12 item 3): what it shows, the actions each role is offered, each
action through its service (allowed ones change rows, refused ones change nothing and say why),
stale edits, the record of openings and the query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, CaseOpening, Decision
from cases.services.casework import add_internal_note
from tests.factories import (
    ImporterFactory,
    UserFactory,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 2)
FILED = dt.date(2026, 6, 2)


@pytest.fixture(autouse=True)
def _legal_today(monkeypatch):
    """The pages' legal "today" is fixed, so the dates below stay on their side of each limit."""
    monkeypatch.setattr("web.staff.case.legal_today", lambda: TODAY)


def make_protest(importer=None, *, further_review=False) -> Case:
    importer = importer or ImporterFactory()
    entry = liquidated_entry(importer, dt.date(2026, 5, 1))
    extra = {"further_review": services.FurtherReviewInput("a", "Ruling HQ 123")} if further_review else {}
    return services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([entry], **extra), filed_on=FILED
    ).case


def login(client, user) -> None:
    """Sign in as the stored user (the factory sets a password it does not save: reload first, or the
    session's password hash would not match and Django would sign the session out)."""
    user.refresh_from_db()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def page_url(case) -> str:
    return reverse("staff:case", args=[case.reference_number])


def action_url(case, name) -> str:
    return reverse("staff:case-action", args=[case.reference_number, name])


def post(client, case, name, **fields):
    """POST an action as the page renders it: prefixed fields, the version and last event it showed."""
    case.refresh_from_db()
    last = case.events.order_by("-id").first()
    data = {f"{name}-expected_version": case.version, f"{name}-seen_event": last.pk if last else 0}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(action_url(case, name), data)


def offered(response) -> list[str]:
    return [action.name for action, _ in response.context["actions"]]


# --- What the page shows -----------------------------------------------------------------------------


def test_page_shows_the_case_its_entries_deadlines_and_timeline(client):
    case = make_protest()
    specialist = staff_user()
    login(client, specialist)
    response = client.get(page_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.importer.name in html and reverse("staff:account", args=[case.importer.ior_number]) in html
    entry = case.entry_links.get().entry
    assert reverse("staff:entry", args=[entry.entry_number]) in html
    assert "Machinery" in html and "LAREDO" in html.upper()
    assert "Unassigned" in html
    # Every running deadline with days left in words and its citation (19 U.S.C. 1515(a): two years).
    target = case.deadlines.get(kind="protest_decision_target")
    days = (target.due_on - TODAY).days
    assert f"{days} days left" in html and target.citation in html
    assert "Shared with importer" in html  # the filing's event, labelled in text


def test_internal_and_shared_events_are_labelled_in_text(client):
    case = make_protest()
    specialist = staff_user()
    add_internal_note(case, actor=specialist, text="Called the broker about the invoices.")
    login(client, specialist)
    html = client.get(page_url(case)).content.decode()
    assert 'class="event event-internal"' in html and 'class="event event-shared"' in html
    assert "Called the broker about the invoices." in html
    assert html.count(">Internal</span>") >= 2  # in the notes and on the timeline


def test_court_deadline_shows_the_rolled_date_and_the_180th_day(client):
    """USCIT Rule 6(a)(1)(C): the 180th day after a denial's mailing, on a weekend, rolls to Monday."""
    case = make_protest()
    specialist = staff_user()
    # A mailing date whose 180th day falls on a Saturday.
    mailed = next(
        FILED + dt.timedelta(days=n)
        for n in range(30, 120)
        if (FILED + dt.timedelta(days=n + 180)).weekday() == 5 and FILED + dt.timedelta(days=n) <= TODAY
    )
    services.decide_case(
        case, actor=specialist, outcome="denied", reasons="Classified correctly.", decided_on=mailed,
        notice_mailed_on=mailed, today=TODAY,
    )  # fmt: skip
    court = Case.objects.get(pk=case.pk).deadlines.get(kind="court_of_international_trade")
    assert court.period_ends_on == mailed + dt.timedelta(days=180)
    assert court.due_on == court.period_ends_on + dt.timedelta(days=2)  # Saturday -> Monday
    login(client, specialist)
    html = client.get(page_url(case)).content.decode()
    assert f"rolled forward from the 180th day, {court.period_ends_on:%a %Y-%m-%d}" in html
    assert f"{court.due_on:%a %Y-%m-%d}" in html


def test_every_opening_is_recorded(client):
    case = make_protest()
    specialist, supervisor = staff_user(), UserFactory(role="supervisor")
    login(client, specialist)
    client.get(page_url(case))
    client.get(page_url(case))
    login(client, supervisor)
    client.get(page_url(case))
    openings = list(CaseOpening.objects.filter(case=case).order_by("id").values_list("user", flat=True))
    assert openings == [specialist.pk, specialist.pk, supervisor.pk]


def test_trade_users_and_missing_cases_both_get_404(client):
    case = make_protest()
    login(client, trade_user(case.importer))
    assert client.get(page_url(case)).status_code == 404  # the staff side, even for its own case
    login(client, staff_user())
    assert client.get(reverse("staff:case", args=["9999-26-000001"])).status_code == 404
    assert not CaseOpening.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    case = make_protest()
    response = client.get(page_url(case))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Which actions are offered -----------------------------------------------------------------------


def test_actions_offered_follow_the_table_and_the_predicates(client):
    case = make_protest(further_review=True)
    specialist = staff_user()
    login(client, specialist)
    names = offered(client.get(page_url(case)))
    # received protest: claim, review, CF-28/29, decide, further review; no suspend (not under review),
    # no close (not decided), no assign (a specialist claims, a supervisor assigns).
    assert names == [
        "claim", "start_review", "request_information", "notice_of_action", "accelerated_disposition",
        "decide", "further_review", "note",
    ]  # fmt: skip
    supervisor = staff_user(role="supervisor")
    login(client, supervisor)
    assert "assign" in offered(client.get(page_url(case)))
    # Staff of another Center see the case (national visibility) but may only write notes.
    login(client, staff_user("CEE001"))
    assert offered(client.get(page_url(case))) == ["note"]


def test_decided_protest_offers_only_close_and_notes(client):
    case = make_protest()
    specialist = staff_user()
    services.decide_case(case, actor=specialist, outcome="denied", reasons="r", decided_on=TODAY, today=TODAY)
    login(client, specialist)
    assert offered(client.get(page_url(case))) == ["close", "note"]


def test_suspended_protest_offers_resume_not_suspend(client):
    case = make_protest()
    specialist = staff_user()
    services.transition_case(case, to="under_review", actor=specialist, today=TODAY)
    services.transition_case(case, to="suspended", actor=specialist, today=TODAY)
    login(client, specialist)
    names = offered(client.get(page_url(case)))
    assert "resume" in names and "suspend" not in names and "decide" not in names


# --- Actions: allowed ones change rows, refused ones change nothing ------------------------------------


def test_claim_then_a_colleagues_claim_from_an_older_page_is_stale(client):
    case = make_protest()
    specialist, colleague = staff_user(), staff_user()
    login(client, colleague)
    colleague_form = dict((a.name, f) for a, f in client.get(page_url(case)).context["actions"])["claim"]
    login(client, specialist)
    response = post(client, case, "claim")
    assert response.status_code == 302 and response["Location"] == page_url(case)
    case.refresh_from_db()
    assert case.assignee == specialist
    messages = [str(m) for m in client.get(page_url(case)).context["messages"]]
    assert messages == [f"You claimed case {case.reference_number}."]
    login(client, colleague)
    response = client.post(
        action_url(case, "claim"),
        {f"claim-{key}": colleague_form.initial[key] for key in ("expected_version", "seen_event")},
    )
    assert response.status_code == 409
    assert [e.kind for e in response.context["changed"]] == ["assignee"]
    case.refresh_from_db()
    assert case.assignee == specialist


def test_specialist_may_not_assign_to_a_colleague(client):
    case = make_protest()
    specialist, colleague = staff_user(), staff_user()
    login(client, specialist)
    response = post(client, case, "assign", assignee=colleague.pk)
    assert response.status_code == 403
    assert "You may not assign case" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None


def test_supervisor_assigns_and_unassigns(client):
    case = make_protest()
    supervisor, colleague = staff_user(role="supervisor"), staff_user()
    login(client, supervisor)
    assert post(client, case, "assign", assignee=colleague.pk).status_code == 302
    case.refresh_from_db()
    assert case.assignee == colleague
    assert post(client, case, "assign", assignee="").status_code == 302
    case.refresh_from_db()
    assert case.assignee is None
    assert case.events.filter(kind="assignee", visibility="internal").count() == 2


def test_request_information_issues_a_cf28_child_and_records_it_on_the_parent(client):
    """19 CFR 151.11: the CF-28 names its questions; its answer is due 30 days later by practice."""
    case = make_protest()
    specialist = staff_user()
    entry = case.entry_links.get().entry
    login(client, specialist)
    version = Case.objects.get(pk=case.pk).version
    response = post(
        client, case, "request_information", entry=entry.entry_number, questions="Send the invoice."
    )
    assert response.status_code == 302
    child = Case.objects.get(parent=case, kind="cf28")
    assert child.cf28.questions == "Send the invoice." and child.cf28.due_on == TODAY + dt.timedelta(days=30)
    parent = Case.objects.get(pk=case.pk)
    assert parent.version == version + 1
    assert parent.events.filter(kind="request_issued", new_value=child.reference_number).exists()


def test_request_information_without_questions_is_refused_beside_the_field(client):
    case = make_protest()
    entry = case.entry_links.get().entry
    login(client, staff_user())
    response = post(client, case, "request_information", entry=entry.entry_number, questions="  ")
    assert response.status_code == 400
    form = response.context["actions"][[a.name for a, _ in response.context["actions"]].index(
        "request_information")][1]  # fmt: skip
    assert form.errors["questions"]
    assert not Case.objects.filter(parent=case).exists()


def test_notice_of_action_proposed(client):
    case = make_protest()
    entry = case.entry_links.get().entry
    login(client, staff_user())
    response = post(
        client,
        case,
        "notice_of_action",
        entry=entry.entry_number,
        action_kind="proposed",
        action="Rate advance",
    )
    assert response.status_code == 302
    child = Case.objects.get(parent=case, kind="cf29")
    assert child.cf29.action_kind == "proposed" and child.cf29.due_on is not None


@pytest.mark.parametrize(
    ("days_after_filing", "accepted"),
    [(90, False), (91, True), (92, True)],
    ids=["day-90-premature", "day-91", "day-92"],
)
def test_accelerated_disposition_mailing_date_19_cfr_174_22(client, days_after_filing, accepted):
    """19 CFR 174.22(a): a request mailed 90 days or less after filing is premature."""
    case = make_protest()
    login(client, staff_user())
    mailed = FILED + dt.timedelta(days=days_after_filing)
    response = post(client, case, "accelerated_disposition", mailed_on=mailed.isoformat())
    case.refresh_from_db()
    if accepted:
        assert response.status_code == 302
        assert case.protest.accelerated_disposition_mailed_on == mailed
    else:
        assert response.status_code == 400
        form = dict((a.name, f) for a, f in response.context["actions"])["accelerated_disposition"]
        assert "mailed_on" in form.errors
        assert case.protest.accelerated_disposition_mailed_on is None


def test_deny_records_the_decision_and_its_notice_date(client):
    case = make_protest()
    specialist = staff_user()
    login(client, specialist)
    response = post(
        client, case, "decide", outcome="denied", reasons="Correctly classified in 8471.",
        decided_on=TODAY.isoformat(), notice_mailed_on=TODAY.isoformat(),
    )  # fmt: skip
    assert response.status_code == 302
    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.notice_mailed_on, decision.decided_by) == ("denied", TODAY, specialist)


def test_allow_needs_a_refund_amount(client):
    case = make_protest()
    login(client, staff_user())
    response = post(
        client, case, "decide", outcome="allowed", reasons="Agreed.", decided_on=TODAY.isoformat()
    )
    assert response.status_code == 400
    form = dict((a.name, f) for a, f in response.context["actions"])["decide"]
    assert "refund_amount" in form.errors
    assert not Decision.objects.filter(case=case).exists()
    response = post(
        client, case, "decide", outcome="allowed", reasons="Agreed.", decided_on=TODAY.isoformat(),
        refund_amount="1250.00",
    )  # fmt: skip
    assert response.status_code == 302
    assert Decision.objects.get(case=case).refund_amount == Decimal("1250.00")


@pytest.mark.parametrize(
    ("decided_on", "accepted"),
    [(TODAY - dt.timedelta(days=1), True), (TODAY, True), (TODAY + dt.timedelta(days=1), False)],
    ids=["yesterday", "today", "tomorrow-refused"],
)
def test_decision_date_may_not_be_in_the_future(client, decided_on, accepted):
    case = make_protest()
    login(client, staff_user())
    response = post(client, case, "decide", outcome="denied", reasons="r", decided_on=decided_on.isoformat())
    assert (response.status_code == 302) is accepted
    assert Decision.objects.filter(case=case).exists() is accepted
    if not accepted:
        assert "is in the future" in response.content.decode()


def test_allow_in_part_with_objection_outcomes(client):
    importer = ImporterFactory()
    entry = liquidated_entry(importer, dt.date(2026, 5, 1))
    kwargs = protest_input([entry])
    kwargs["objections"] = kwargs["objections"] * 2
    case = services.file_protest(actor=trade_user(importer), importer=importer, **kwargs, filed_on=FILED).case
    login(client, staff_user())
    response = post(
        client, case, "decide", outcome="allowed_in_part", reasons="Half right.",
        decided_on=TODAY.isoformat(), refund_amount="10", objection_1="allowed", objection_2="denied",
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(case.objections.order_by("number").values_list("outcome", flat=True)) == ["allowed", "denied"]


def test_further_review_grant_and_refusal(client):
    case = make_protest(further_review=True)
    login(client, staff_user())
    response = post(
        client, case, "further_review", decision="grant", reason="HQ ruling", decided_on=TODAY.isoformat()
    )
    assert response.status_code == 400  # 19 CFR 174.26: to Headquarters or a Center reviewer
    form = dict((a.name, f) for a, f in response.context["actions"])["further_review"]
    assert "174.26" in str(form.errors["review_office"])
    response = post(
        client, case, "further_review", decision="grant", reason="HQ ruling", decided_on=TODAY.isoformat(),
        review_office="headquarters",
    )  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.protest.afr_status == "granted"


def test_suspend_resume_and_close(client):
    case = make_protest()
    specialist = staff_user()
    login(client, specialist)
    assert post(client, case, "start_review").status_code == 302
    assert post(client, case, "suspend", note="Awaiting a ruling").status_code == 302
    case.refresh_from_db()
    assert case.status == "suspended"
    assert post(client, case, "resume").status_code == 302
    case.refresh_from_db()
    assert case.status == "under_review"
    response = post(client, case, "close")  # an undecided protest is not closed
    assert response.status_code == 400 and "cannot move to closed" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "under_review"


def test_other_center_staff_posting_an_action_is_refused_and_nothing_changes(client):
    case = make_protest()
    login(client, staff_user("CEE001"))
    response = post(client, case, "decide", outcome="denied", reasons="r", decided_on=TODAY.isoformat())
    assert response.status_code == 403
    assert "Only the owning Center&#x27;s staff may move case" in response.content.decode()
    assert not Decision.objects.filter(case=case).exists()


def test_internal_note_is_added_and_an_empty_one_refused(client):
    case = make_protest()
    login(client, staff_user())
    assert client.post(action_url(case, "note"), {"note-text": "  "}).status_code == 400
    assert not case.events.filter(kind="note").exists()
    assert (
        client.post(action_url(case, "note"), {"note-text": "Broker says invoice follows."}).status_code
        == 302
    )
    note = case.events.get(kind="note")
    assert note.visibility == CaseEvent.Visibility.INTERNAL


def test_unknown_action_is_missing(client):
    case = make_protest()
    login(client, staff_user())
    assert client.post(action_url(case, "delete-everything"), {}).status_code == 404


def test_actions_are_post_only(client):
    case = make_protest()
    login(client, staff_user())
    assert client.get(action_url(case, "claim")).status_code == 405


# --- Stale edits ------------------------------------------------------------------------------------------


def test_stale_decision_is_refused_with_what_changed_and_nothing_overwritten(client):
    case = make_protest()
    specialist, supervisor = staff_user(), staff_user(role="supervisor")
    login(client, specialist)
    page = client.get(page_url(case))
    form = dict((a.name, f) for a, f in page.context["actions"])["decide"]
    rendered_version, seen = form.initial["expected_version"], form.initial["seen_event"]
    # Meanwhile a supervisor suspends the review.
    services.transition_case(case, to="under_review", actor=supervisor, today=TODAY)
    services.transition_case(case, to="suspended", actor=supervisor, note="Awaiting HQ", today=TODAY)
    response = client.post(
        action_url(case, "decide"),
        {
            "decide-expected_version": rendered_version,
            "decide-seen_event": seen,
            "decide-outcome": "denied",
            "decide-reasons": "r",
            "decide-decided_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since you loaded it" in html
    changed = response.context["changed"]
    assert [e.new_value for e in changed] == ["under_review", "suspended"]
    case.refresh_from_db()
    assert case.status == "suspended" and not Decision.objects.filter(case=case).exists()


def test_refused_stale_form_keeps_its_inputs_at_the_new_version(client):
    case = make_protest()
    specialist = staff_user()
    login(client, specialist)
    old = Case.objects.get(pk=case.pk).version
    services.assign_case(case, assignee=specialist, actor=specialist)
    response = client.post(
        action_url(case, "start_review"),
        {"start_review-expected_version": old, "start_review-seen_event": 0, "start_review-note": "Go"},
    )
    assert response.status_code == 409
    form = dict((a.name, f) for a, f in response.context["actions"])["start_review"]
    assert form["expected_version"].value() == old + 1 and form["note"].value() == "Go"


# --- Query count ------------------------------------------------------------------------------------------


def test_case_page_query_count_does_not_grow_with_events(client):
    """Issue 12 item 11: the same number of queries for 1 and 50 events."""
    specialist = staff_user()
    login(client, specialist)
    small, large = make_protest(), make_protest()
    for n in range(49):
        add_internal_note(large, actor=specialist, text=f"Note {n}")
    assert large.events.count() >= 50 and small.events.count() <= 2
    client.get(page_url(small))  # warm caches (content types, session)
    counts = []
    for case in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(case)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Per role: who opens the page, who may act ------------------------------------------------------------

ROLES = {
    # name: (factory kwargs, page status, may act on a CEE010 case)
    "specialist": ({"role": "specialist", "center_ace_id": "CEE010"}, 200, True),
    "account_manager": ({"role": "account_manager", "center_ace_id": "CEE010"}, 200, True),
    "supervisor": ({"role": "supervisor", "center_ace_id": "CEE010"}, 200, True),
    "national_supervisor": ({"role": "supervisor"}, 200, True),
    "admin": ({"role": "admin"}, 200, True),
    "other_center_specialist": ({"role": "specialist", "center_ace_id": "CEE001"}, 200, False),
    "other_center_supervisor": ({"role": "supervisor", "center_ace_id": "CEE001"}, 200, False),
}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_staff_role_opens_the_page_and_acts_only_for_its_center(client, role):
    kwargs, status, may_act = ROLES[role]
    case = make_protest()
    user = UserFactory(**kwargs)
    login(client, user)
    response = client.get(page_url(case))
    assert response.status_code == status
    names = offered(response)
    assert ("decide" in names) is may_act and ("start_review" in names) is may_act
    assert ("assign" in names) is (may_act and kwargs["role"] in {"supervisor", "admin"})
    response = post(client, case, "start_review", note="")
    case.refresh_from_db()
    if may_act:
        assert response.status_code == 302 and case.status == "under_review"
    else:
        assert response.status_code == 403 and case.status == "received"
        assert "Only the owning Center" in response.content.decode()


@pytest.mark.parametrize("role", ["importer", "broker"])
def test_trade_roles_are_kept_off_the_staff_pages_and_change_nothing(client, role):
    case = make_protest()
    user = trade_user(case.importer)
    if role == "broker":
        user.role = "broker"
        user.save(update_fields=["role"])
    login(client, user)
    # Like a missing case (web/access.py): the staff URL confirms nothing.
    assert client.get(page_url(case)).status_code == 404
    response = client.post(action_url(case, "claim"), {"claim-expected_version": case.version})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.assignee is None and not CaseOpening.objects.exists()


def test_cf28_page_offers_close_and_withdraw_not_the_importers_answer(client):
    specialist = staff_user()
    importer = ImporterFactory()
    entry = liquidated_entry(importer, dt.date(2026, 5, 1))
    cf28 = services.issue_information_request(actor=specialist, entry=entry, questions="?", issued_on=TODAY)
    login(client, specialist)
    assert offered(client.get(page_url(cf28))) == ["close", "withdraw", "note"]
    assert post(client, cf28, "withdraw", note="Issued in error").status_code == 302
    cf28.refresh_from_db()
    assert cf28.status == "withdrawn"


def test_psc_is_accepted_or_rejected_not_allowed(client):
    importer = ImporterFactory()
    from tests.factories import EntryFactory

    entry = EntryFactory(
        importer=importer, entry_date=dt.date(2026, 1, 5), scheduled_liquidation_date=dt.date(2026, 11, 16)
    )
    psc = services.file_psc(
        actor=trade_user(importer), entry=entry, reason_code="01", explanation="Value",
        lines=[services.PscLineInput(1, "8429521010", Decimal(1))], filed_on=dt.date(2026, 6, 10),
    )  # fmt: skip
    login(client, staff_user())
    form = dict((a.name, f) for a, f in client.get(page_url(psc)).context["actions"])["decide"]
    assert [value for value, _ in form.fields["outcome"].choices] == ["accepted", "rejected"]
    assert (
        post(client, psc, "decide", outcome="accepted", reasons="Agreed", decided_on="2026-07-01").status_code
        == 302
    )
    psc.refresh_from_db()
    assert psc.status == "accepted"


def test_the_cf28_form_shows_the_answer_date_before_issuing(client):
    """By practice the importer has 30 days to answer a CF-28 (19 U.S.C. 1509; 19 CFR 151.11)."""
    case = make_protest()
    login(client, staff_user())
    html = client.get(page_url(case)).content.decode()
    assert f"Answer due {TODAY + dt.timedelta(days=30):%Y-%m-%d} if issued today (19 U.S.C. 1509" in html


def test_a_form_without_its_version_is_refused_with_a_reason(client):
    case = make_protest()
    login(client, staff_user())
    response = client.post(action_url(case, "start_review"), {"start_review-note": "x"})
    assert response.status_code == 400
    assert "lost the case version" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "received"
