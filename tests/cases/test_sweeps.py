"""The periodic deadline sweeps: deemed denials, overdue CF-28s and reminders, each idempotent.

Every date below was counted by hand; the sweeps get `today=` instead of a frozen clock.
"""

import datetime as dt

import pytest
from django.core import mail

from cases import services
from cases.models import Case, CaseDeadline, CaseEvent, Decision, InformationRequest
from cases.services import ObjectionInput, ProtestedEntry
from cases.services.sweeps import run_deadline_sweeps
from cee_portal.operations import outbox
from cee_portal.operations.models import OutboxMessage, PeriodicJobRun
from tests.factories import (
    EntryFactory,
    liquidated_entry,
    protest_input,
)

pytestmark = pytest.mark.django_db

LIQUIDATED = dt.date(2026, 2, 20)
# The protest whose accelerated disposition is requested: liquidated 2025-11-20, filed 2025-12-01.
ACCELERATED_LIQUIDATED, ACCELERATED_FILED = dt.date(2025, 11, 20), dt.date(2025, 12, 1)
# The certified-mail date of the request: day 91 after the filing, the first allowed (19 U.S.C. 1515(b)).
MAILED = dt.date(2026, 3, 2)
DEEMED_DENIED = dt.date(2026, 4, 1)  # the 30th day after 2026-03-02: a decision that day is in time
CIT_AFTER_DEEMED_DENIAL = dt.date(2026, 9, 28)  # 180 days after 2026-04-01 (28 U.S.C. 2636(a))
ISSUED = dt.date(2026, 3, 2)  # CF-28 issue date
CF28_DUE = dt.date(2026, 4, 1)  # 30 days by practice (19 CFR 151.11)


@pytest.fixture(autouse=True)
def _reminder_lead(settings):
    settings.DEADLINE_REMINDER_DAYS = [14, 3]


def _protest_with_accelerated_disposition(importer, filer) -> Case:
    entry = liquidated_entry(importer, ACCELERATED_LIQUIDATED)
    case = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=ACCELERATED_FILED
    ).case
    return services.request_accelerated_disposition(case, actor=filer, mailed_on=MAILED, today=MAILED)


def _status_events(case: Case) -> list[tuple[str, str, str]]:
    return list(case.events.filter(kind="status").values_list("old_value", "new_value", "visibility"))


def _subjects() -> list[str]:
    return list(OutboxMessage.objects.order_by("id").values_list("payload__subject", flat=True))


@pytest.mark.parametrize(
    "sweep_on",
    [
        pytest.param(DEEMED_DENIED - dt.timedelta(days=1), id="day-29"),
        # 19 CFR 174.22(d): a decision on the 30th day is in time, so nothing is deemed that day.
        pytest.param(DEEMED_DENIED, id="day-30-still-in-time"),
    ],
)
def test_protest_is_not_deemed_denied_until_the_30th_day_after_the_request_has_passed(
    importer, filer, sweep_on
):
    case = _protest_with_accelerated_disposition(importer, filer)
    events_before = case.events.count()
    subjects_before = len(_subjects())

    summary = run_deadline_sweeps(today=sweep_on)

    case.refresh_from_db()
    assert summary["deemed_denied"] == 0
    assert (case.status, case.is_open) == ("received", True)
    assert not Decision.objects.filter(case=case).exists()
    assert case.events.count() == events_before
    assert case.deadlines.get(kind="accelerated_disposition").state == "running"
    # The only thing the sweep sends is the reminder of the coming deemed denial.
    assert _subjects()[subjects_before:] == [f"{case.reference_number}: deadline {DEEMED_DENIED}"]


@pytest.mark.parametrize(
    "sweep_on",
    [
        pytest.param(DEEMED_DENIED + dt.timedelta(days=1), id="sweep-on-day-31"),
        # A sweep that was down for days still dates the deemed denial on the 30th day.
        pytest.param(DEEMED_DENIED + dt.timedelta(days=3), id="late-sweep-keeps-the-30th-day"),
    ],
)
def test_protest_is_deemed_denied_as_of_the_30th_day_once_that_day_has_passed(importer, filer, sweep_on):
    """19 U.S.C. 1515(b); 19 CFR 174.22(d): deemed denied on day 30; the Court's 180 days run from it."""
    case = _protest_with_accelerated_disposition(importer, filer)
    mail.outbox.clear()

    summary = run_deadline_sweeps(today=sweep_on)

    case.refresh_from_db()
    assert summary["deemed_denied"] == 1
    assert (case.status, case.is_open, case.next_deadline_on) == ("deemed_denied", False, None)
    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.decided_on, decision.decided_by) == (
        "deemed_denied",
        DEEMED_DENIED,
        None,
    )
    assert "19 U.S.C. 1515(b)" in decision.reasons
    court = case.deadlines.get(kind="court_of_international_trade")
    assert (court.due_on, court.state) == (CIT_AFTER_DEEMED_DENIAL, "running")
    assert case.deadlines.get(kind="accelerated_disposition").state == "met"
    assert _status_events(case) == [("received", "deemed_denied", "shared")]
    # The importer side and the owning Center both hear of it (the Center did not act: the law did).
    notices = OutboxMessage.objects.filter(payload__subject=f"{case.reference_number}: Deemed denied")
    assert sorted(n.payload["audience"] for n in notices) == ["center", "importer"]
    notice = notices.get(payload__audience="importer")
    assert (notice.payload["audience"], notice.dispatched_at) == ("importer", None)

    outbox.drain()

    notice.refresh_from_db()
    assert notice.dispatched_at is not None
    sent = [m for m in mail.outbox if m.subject == f"{case.reference_number}: Deemed denied"]
    assert [m.to for m in sent] == [[filer.email]]
    assert f"Deemed denied on {DEEMED_DENIED}" in sent[0].body


def test_deemed_denial_sweep_run_again_adds_no_event_decision_or_notice(importer, filer):
    case = _protest_with_accelerated_disposition(importer, filer)
    run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=1))
    counts = (case.events.count(), Decision.objects.count(), OutboxMessage.objects.count())

    again_today = run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=1))
    next_day = run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=2))

    assert again_today["deemed_denied"] == next_day["deemed_denied"] == 0
    assert (case.events.count(), Decision.objects.count(), OutboxMessage.objects.count()) == counts
    assert Decision.objects.get(case=case).decided_on == DEEMED_DENIED


def _exclusion_protest_input(entry, *, decided_on: dt.date) -> dict:
    # protest_input() reads entries[0].port, so it is given the bare entry and then overridden.
    return {
        **protest_input([entry]),
        "entries": [ProtestedEntry(entry, decision="exclusion", decision_date=decided_on)],
        "objections": [ObjectionInput("exclusion", "Release the goods", "Admissible under 19 CFR 12.1")],
    }


def test_exclusion_protest_is_deemed_denied_30_days_after_filing_once(importer, filer):
    # 19 U.S.C. 1499(c)(5)(A); 19 CFR 174.21(b): filed 2026-02-10, deemed denied 2026-03-12.
    entry = EntryFactory(importer=importer)  # excluded goods: the entry need not be liquidated
    filed_on, deemed_on = dt.date(2026, 2, 10), dt.date(2026, 3, 12)
    case = services.file_protest(
        actor=filer,
        importer=importer,
        **_exclusion_protest_input(entry, decided_on=dt.date(2026, 2, 2)),
        filed_on=filed_on,
    ).case
    assert case.protest.is_exclusion
    assert case.deadlines.get(kind="exclusion_deemed_denial").due_on == deemed_on

    assert run_deadline_sweeps(today=deemed_on - dt.timedelta(days=1))["deemed_denied"] == 0
    case.refresh_from_db()
    assert case.status == "received"

    assert run_deadline_sweeps(today=deemed_on)["deemed_denied"] == 1
    case.refresh_from_db()
    assert case.status == "deemed_denied"
    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.decided_on) == ("deemed_denied", deemed_on)
    assert "174.21(b)" in decision.reasons
    # 180 days after 2026-03-12.
    assert case.deadlines.get(kind="court_of_international_trade").due_on == dt.date(2026, 9, 8)
    assert _status_events(case) == [("received", "deemed_denied", "shared")]
    counts = (case.events.count(), Decision.objects.count(), OutboxMessage.objects.count())

    assert run_deadline_sweeps(today=deemed_on)["deemed_denied"] == 0
    assert run_deadline_sweeps(today=deemed_on + dt.timedelta(days=1))["deemed_denied"] == 0
    assert (case.events.count(), Decision.objects.count(), OutboxMessage.objects.count()) == counts


def test_protest_decided_before_the_deemed_denial_day_is_left_alone(importer, filer, specialist):
    case = _protest_with_accelerated_disposition(importer, filer)
    services.decide_case(
        case,
        actor=specialist,
        outcome="denied",
        reasons="Classification in 8429.52 is correct.",
        decided_on=dt.date(2026, 3, 12),
        notice_mailed_on=dt.date(2026, 3, 13),
        today=dt.date(2026, 3, 13),
    )
    case.refresh_from_db()
    events = case.events.count()

    for today in (DEEMED_DENIED, DEEMED_DENIED + dt.timedelta(days=1)):
        assert run_deadline_sweeps(today=today)["deemed_denied"] == 0

    case.refresh_from_db()
    assert case.status == "denied"
    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.decided_on, decision.decided_by) == (
        "denied",
        dt.date(2026, 3, 12),
        specialist,
    )
    assert case.events.count() == events
    assert case.deadlines.get(kind="accelerated_disposition").state == "met"
    # The court clock runs from the mailing of the denial notice, not from a deemed denial.
    assert case.deadlines.get(kind="court_of_international_trade").due_on == dt.date(2026, 9, 9)


def _cf28(importer, specialist) -> Case:
    entry = EntryFactory(importer=importer)
    return services.issue_information_request(
        actor=specialist, entry=entry, questions="Send the commercial invoice.", issued_on=ISSUED
    )


def test_unanswered_cf28_is_flagged_once_the_day_after_its_due_date(importer, specialist):
    case = _cf28(importer, specialist)
    assert case.cf28.due_on == CF28_DUE

    assert run_deadline_sweeps(today=CF28_DUE)["cf28_overdue"] == 0
    assert InformationRequest.objects.get(case=case).overdue_flagged_on is None

    flagged_on = CF28_DUE + dt.timedelta(days=1)
    assert run_deadline_sweeps(today=flagged_on)["cf28_overdue"] == 1
    assert run_deadline_sweeps(today=flagged_on)["cf28_overdue"] == 0
    assert run_deadline_sweeps(today=flagged_on + dt.timedelta(days=1))["cf28_overdue"] == 0

    case = Case.objects.get(pk=case.pk)
    assert case.cf28.overdue_flagged_on == flagged_on
    assert case.status == "issued"  # CBP now decides on what it has; the request itself stays
    assert case.deadlines.get(kind="cf28_response").state == "missed"
    overdue = list(case.events.filter(kind="overdue").values_list("new_value", "visibility", "message"))
    assert overdue == [
        (
            "cf28_response",
            "internal",
            f"No answer by {CF28_DUE}; CBP may decide on the information it has.",
        )
    ]
    assert _subjects().count(f"{case.reference_number}: CF-28 answer overdue") == 1


def test_answered_cf28_is_not_flagged_overdue(importer, filer, specialist):
    case = _cf28(importer, specialist)
    services.answer_request(case, actor=filer, answer="Invoice attached.", answered_on=dt.date(2026, 3, 20))

    summary = run_deadline_sweeps(today=CF28_DUE + dt.timedelta(days=1))

    case = Case.objects.get(pk=case.pk)
    assert summary["cf28_overdue"] == 0
    assert case.status == "answered"
    assert case.cf28.overdue_flagged_on is None
    assert not case.events.filter(kind="overdue").exists()
    assert f"{case.reference_number}: CF-28 answer overdue" not in _subjects()


def test_answered_cf28_gets_no_reminder_to_answer(importer, filer, specialist):
    case = _cf28(importer, specialist)
    services.answer_request(case, actor=filer, answer="Invoice attached.", answered_on=dt.date(2026, 3, 10))

    summary = run_deadline_sweeps(today=CF28_DUE - dt.timedelta(days=14))

    assert summary["reminders"] == 0
    assert case.deadlines.get(kind="cf28_response").state == "met"


def test_running_deadline_gets_one_reminder_when_it_comes_within_the_lead_time(importer, filer, specialist):
    case = _cf28(importer, specialist)
    deadline = case.deadlines.get(kind="cf28_response")
    messages = OutboxMessage.objects.count()

    assert run_deadline_sweeps(today=CF28_DUE - dt.timedelta(days=15))["reminders"] == 0
    remind_on = CF28_DUE - dt.timedelta(days=14)
    assert run_deadline_sweeps(today=remind_on)["reminders"] == 1
    assert run_deadline_sweeps(today=remind_on)["reminders"] == 0
    assert run_deadline_sweeps(today=remind_on + dt.timedelta(days=1))["reminders"] == 0

    deadline.refresh_from_db()
    assert (deadline.reminded_on, deadline.state) == (remind_on, "running")
    reminders = list(OutboxMessage.objects.order_by("id")[messages:])
    assert [(m.payload["audience"], m.payload["subject"]) for m in reminders] == [
        ("importer", f"{case.reference_number}: deadline {CF28_DUE}")
    ]
    mail.outbox.clear()
    outbox.drain()
    assert [(m.to, m.subject) for m in mail.outbox if "deadline" in m.subject] == [
        ([filer.email], f"{case.reference_number}: deadline {CF28_DUE}")
    ]


def test_every_configured_lead_time_sends_its_own_reminder(importer, specialist):
    _cf28(importer, specialist)

    first = run_deadline_sweeps(today=CF28_DUE - dt.timedelta(days=14))["reminders"]
    second = run_deadline_sweeps(today=CF28_DUE - dt.timedelta(days=3))["reminders"]

    assert (first, second) == (1, 1)


def test_run_deadline_sweeps_records_its_run_for_healthz(client, importer, specialist):
    _cf28(importer, specialist)

    summary = run_deadline_sweeps(today=CF28_DUE + dt.timedelta(days=1))

    assert summary == {
        "deemed_denied": 0,
        "skipped": [],
        "cf28_overdue": 1,
        "reminders": 0,
        "today": "2026-04-02",
    }
    run = PeriodicJobRun.objects.get(name="deadline_sweeps")
    assert (run.last_status, run.last_summary) == ("ok", summary)
    assert run.last_started_at <= run.last_finished_at
    job = client.get("/healthz").json()["periodic_jobs"]["deadline_sweeps"]
    assert job["status"] == "ok"
    assert job["last_finished_at"]


def test_sweeps_write_events_only_through_the_timeline(importer, filer):
    """Every sweep action appends; nothing earlier on the timeline is changed or removed."""
    case = _protest_with_accelerated_disposition(importer, filer)
    before = list(CaseEvent.objects.filter(case=case).values_list("id", "kind", "message"))

    run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=1))

    after = list(CaseEvent.objects.filter(case=case).values_list("id", "kind", "message"))
    assert after[: len(before)] == before
    assert [kind for _, kind, _ in after[len(before) :]] == ["status"]
    assert CaseDeadline.objects.filter(case=case, state="running").count() == 1  # the court deadline


def test_run_deadline_sweeps_command_reports_what_it_did(capsys):
    from django.core.management import call_command

    call_command("run_deadline_sweeps", "--today", "2026-11-27")
    out = capsys.readouterr().out
    expected = "Deadline sweeps for 2026-11-27: 0 deemed denied, 0 CF-28 answers overdue, 0 reminders queued."
    assert expected in out


def test_deemed_denial_sweep_skips_a_case_changed_under_it_goes_on_and_reports_it(
    importer, filer, specialist, monkeypatch
):
    """A case changed between the sweep's read and its write (a newer version) is skipped, not overwritten."""
    from cases.services import sweeps

    changed = _protest_with_accelerated_disposition(importer, filer)
    other = services.request_accelerated_disposition(
        services.file_protest(
            actor=filer,
            importer=importer,
            **protest_input([liquidated_entry(importer, ACCELERATED_LIQUIDATED)], category="Parts"),
            filed_on=ACCELERATED_FILED,
        ).case,
        actor=filer,
        mailed_on=MAILED,
        today=MAILED,
    )
    read = sweeps._deemed_denial_candidates

    def read_then_someone_assigns(today):
        found = read(today)
        services.assign_case(changed, assignee=specialist, actor=specialist)  # bumps the version
        return found

    monkeypatch.setattr(sweeps, "_deemed_denial_candidates", read_then_someone_assigns)
    summary = run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=1))

    assert summary["deemed_denied"] == 1
    assert summary["skipped"] == [f"{changed.reference_number} (changed since the sweep read it)"]
    assert Case.objects.get(pk=changed.pk).status == "received"
    assert not Decision.objects.filter(case=changed).exists()
    assert Case.objects.get(pk=other.pk).status == "deemed_denied"

    monkeypatch.setattr(sweeps, "_deemed_denial_candidates", read)
    again = run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=2))
    assert (again["deemed_denied"], again["skipped"]) == (1, [])
    assert Decision.objects.get(case=changed).decided_on == DEEMED_DENIED


def test_run_deadline_sweeps_command_names_the_cases_it_skipped(
    importer, filer, specialist, monkeypatch, capsys
):
    from django.core.management import call_command

    from cases.services import sweeps

    changed = _protest_with_accelerated_disposition(importer, filer)
    read = sweeps._deemed_denial_candidates

    def read_then_someone_assigns(today):
        found = read(today)
        services.assign_case(changed, assignee=specialist, actor=specialist)
        return found

    monkeypatch.setattr(sweeps, "_deemed_denial_candidates", read_then_someone_assigns)
    call_command("run_deadline_sweeps", "--today", "2026-04-02")
    out = capsys.readouterr().out
    assert "0 deemed denied" in out
    assert f"Skipped {changed.reference_number} (changed since the sweep read it)" in out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deemed_denial_sweep_skips_a_case_locked_by_another_transaction():
    """A case row held by a user's action (select_for_update) is not waited for: skipped, reported."""
    import threading

    from django.db import connection, transaction

    from tests.factories import ImporterFactory, trade_user

    importer = ImporterFactory()
    filer = trade_user(importer)
    case = _protest_with_accelerated_disposition(importer, filer)
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        summary = run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=1))
    finally:
        release.set()
        holder.join()
    assert (summary["deemed_denied"], summary["skipped"]) == (
        0,
        [f"{case.reference_number} (locked by another change)"],
    )
    assert Case.objects.get(pk=case.pk).status == "received"
    assert run_deadline_sweeps(today=DEEMED_DENIED + dt.timedelta(days=1))["deemed_denied"] == 1
