"""Moves by hand and the one legal "today" on the account side (81 FR 92978; cee_portal.legal_time).

Every change of an account's Center (nightly run, announced move, pin by a supervisor, the admin)
goes through reassignment.move_account: history row, open cases with their timeline, notices. The
dates are legal dates passed in, from legal_today() at the edge.
"""

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from importers.models import AccountAssignment, Center, ScheduledMove
from importers.services import pin_importer, unpin_importer
from tests.factories import ImporterFactory, liquidated_entry, protest_input, staff_user, trade_user
from tests.importers.test_reassignment import TODAY, add_lines, run

pytestmark = pytest.mark.django_db


def center(ace_id: str) -> Center:
    return Center.objects.get(ace_id=ace_id)


def open_and_closed_cases(importer):
    filer, specialist = trade_user(importer), staff_user(importer.center.ace_id)
    entry_on = dt.date(2026, 10, 1)
    open_case = services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([liquidated_entry(importer, entry_on)]),
        filed_on=TODAY,
    ).case
    closed_case = services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([liquidated_entry(importer, entry_on)]),
        filed_on=TODAY,
    ).case
    services.decide_case(closed_case, actor=specialist, outcome="denied", reasons="r", decided_on=TODAY)
    return open_case, closed_case


# --- pin_importer moves through the one move service -------------------------------------------------


def test_pinning_to_another_center_takes_the_open_cases_along_with_the_given_date():
    importer = ImporterFactory(center_ace_id="CEE009")
    open_case, closed_case = open_and_closed_cases(importer)
    importer.account_manager = staff_user("CEE009", role="account_manager")
    importer.save()
    moved_on = dt.date(2026, 11, 20)  # not the wall clock's day: the date is the caller's

    pin_importer(
        importer,
        reason="business_practice",
        note="Agreed with OFO",
        actor=staff_user("CEE009", role="supervisor"),
        center=center("CEE010"),
        today=moved_on,
    )

    importer.refresh_from_db()
    open_case.refresh_from_db()
    closed_case.refresh_from_db()
    assert (importer.center.ace_id, importer.pin_reason) == ("CEE010", "business_practice")
    assert importer.account_manager is None and importer.needs_account_manager
    history = AccountAssignment.objects.get(importer=importer)
    assert (history.from_center.ace_id, history.to_center.ace_id, history.reason, history.effective_on) == (
        "CEE009",
        "CEE010",
        "business_practice",
        moved_on,
    )
    assert (open_case.center.ace_id, closed_case.center.ace_id) == ("CEE010", "CEE009")
    event = open_case.events.get(kind="center")
    assert "moved to CEE010 on 2026-11-20" in event.message
    assert not closed_case.events.filter(kind="center").exists()


def test_pinning_in_place_moves_nothing_and_cancels_an_announced_move(settings):
    settings.ACCOUNT_MIX = {**settings.ACCOUNT_MIX, "NOTICE_DAYS": 14}
    importer = ImporterFactory(center_ace_id="CEE009")
    add_lines(importer, "8429510000", 30)
    run(importer)
    assert ScheduledMove.objects.get(importer=importer).state == "pending"
    open_case, _ = open_and_closed_cases(importer)

    pin_importer(importer, reason="intended_use", note="", actor=staff_user(role="supervisor"), today=TODAY)

    importer.refresh_from_db()
    open_case.refresh_from_db()
    assert (importer.center.ace_id, open_case.center.ace_id) == ("CEE009", "CEE009")
    assert not AccountAssignment.objects.filter(importer=importer).exists()
    assert ScheduledMove.objects.get(importer=importer).state == "cancelled"


def test_a_pin_without_a_known_reason_is_refused_and_changes_nothing():
    importer = ImporterFactory(center_ace_id="CEE009")
    open_case, _ = open_and_closed_cases(importer)
    with pytest.raises(ValidationError, match="pin needs one of"):
        pin_importer(importer, reason="whim", note="", actor=None, center=center("CEE010"), today=TODAY)
    importer.refresh_from_db()
    open_case.refresh_from_db()
    assert (importer.center.ace_id, importer.pin_reason, open_case.center.ace_id) == ("CEE009", "", "CEE009")
    assert not AccountAssignment.objects.filter(importer=importer).exists()


# --- announced moves: the timeline shows the move's effective date ----------------------------------


@pytest.mark.parametrize(
    ("run_on", "applied"),
    [
        pytest.param(TODAY + dt.timedelta(13), False, id="day-before-effective"),
        pytest.param(TODAY + dt.timedelta(14), True, id="effective-day"),
        pytest.param(TODAY + dt.timedelta(20), True, id="run-six-days-late"),
    ],
)
def test_an_announced_move_is_dated_its_effective_day_whenever_the_run_applies_it(settings, run_on, applied):
    settings.ACCOUNT_MIX = {**settings.ACCOUNT_MIX, "NOTICE_DAYS": 14}
    importer = ImporterFactory(center_ace_id="CEE009")
    add_lines(importer, "8429510000", 30)
    open_case, _ = open_and_closed_cases(importer)
    run(importer)  # announces on TODAY, effective TODAY + 14
    from django.core.management import call_command

    call_command("reassign_accounts", "--importer", importer.ior_number, "--today", run_on.isoformat())
    importer.refresh_from_db()
    open_case.refresh_from_db()
    effective = TODAY + dt.timedelta(14)
    if not applied:
        assert (importer.center.ace_id, open_case.center.ace_id) == ("CEE009", "CEE009")
        assert ScheduledMove.objects.get(importer=importer).state == "pending"
        return
    assert (importer.center.ace_id, open_case.center.ace_id) == ("CEE010", "CEE010")
    assert AccountAssignment.objects.get(importer=importer).effective_on == effective
    assert f"moved to CEE010 on {effective.isoformat()}" in open_case.events.get(kind="center").message


def test_a_computed_move_dates_the_case_timeline_with_the_run_date_not_the_wall_clock():
    importer = ImporterFactory(center_ace_id="CEE009")
    add_lines(importer, "8429510000", 30)
    open_case, _ = open_and_closed_cases(importer)
    run(importer)  # --today 2026-11-27
    assert "moved to CEE010 on 2026-11-27" in open_case.events.get(kind="center").message


# --- the admin calls the services, with the legal date --------------------------------------------


def admin_form(importer, **values) -> dict:
    return {
        "ior_number": importer.ior_number,
        "name": importer.name,
        "address": "",
        "center": importer.center_id or "",
        "pin_reason": importer.pin_reason,
        "pin_note": importer.pin_note,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        **values,
    }


@pytest.mark.parametrize(
    ("utc_moment", "legal_day"),
    [
        pytest.param(
            dt.datetime(2026, 12, 1, 4, 59, tzinfo=dt.UTC), dt.date(2026, 11, 30), id="2359-eastern"
        ),
        pytest.param(dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC), dt.date(2026, 12, 1), id="0000-eastern"),
    ],
)
def test_an_admin_move_is_dated_in_the_legal_time_zone(admin_client, monkeypatch, utc_moment, legal_day):
    importer = ImporterFactory(center_ace_id="CEE009")
    open_case, _ = open_and_closed_cases(importer)
    monkeypatch.setattr(timezone, "now", lambda: utc_moment)
    url = reverse("admin:importers_importer_change", args=[importer.pk])
    response = admin_client.post(
        url, admin_form(importer, center=center("CEE010").pk, pin_reason="appeal", pin_note="Letter to OFO")
    )
    assert response.status_code == 302
    history = AccountAssignment.objects.get(importer=importer)
    assert (history.reason, history.effective_on, history.decided_by.username) == (
        "appeal",
        legal_day,
        "admin",
    )
    open_case.refresh_from_db()
    assert open_case.center.ace_id == "CEE010"
    assert f"on {legal_day.isoformat()}" in open_case.events.get(kind="center").message


def test_admin_refuses_to_clear_an_accounts_center(admin_client):
    importer = ImporterFactory(center_ace_id="CEE009")
    url = reverse("admin:importers_importer_change", args=[importer.pk])
    response = admin_client.post(url, admin_form(importer, center="", pin_reason="appeal"))
    assert response.status_code == 200 and "An account always has a Center" in response.content.decode()
    importer.refresh_from_db()
    assert (importer.center.ace_id, importer.pin_reason) == ("CEE009", "")


def test_admin_first_center_by_hand_writes_an_initial_history_row(admin_client):
    importer = ImporterFactory(center_ace_id=None)
    url = reverse("admin:importers_importer_change", args=[importer.pk])
    assert admin_client.post(url, admin_form(importer, center=center("CEE005").pk)).status_code == 302
    importer.refresh_from_db()
    history = AccountAssignment.objects.get(importer=importer)
    assert (importer.center.ace_id, history.from_center, history.reason) == ("CEE005", None, "initial")
    assert not importer.needs_account_manager


def test_admin_pin_in_place_and_lifting_it_go_through_the_pin_services(admin_client):
    importer = ImporterFactory(center_ace_id="CEE009")
    url = reverse("admin:importers_importer_change", args=[importer.pk])
    assert admin_client.post(url, admin_form(importer, pin_reason="high_value")).status_code == 302
    importer.refresh_from_db()
    assert (importer.pin_reason, importer.pinned_by.username) == ("high_value", "admin")
    assert not AccountAssignment.objects.filter(importer=importer).exists()
    assert admin_client.post(url, admin_form(importer, pin_reason="")).status_code == 302
    importer.refresh_from_db()
    assert (importer.pin_reason, importer.pinned_by, importer.pinned_at) == ("", None, None)


def test_an_unpinned_account_may_move_again_on_the_next_run():
    importer = ImporterFactory(center_ace_id="CEE009")
    add_lines(importer, "8429510000", 30)
    pin_importer(importer, reason="intended_use", note="", actor=None, today=TODAY)
    run(importer)
    importer.refresh_from_db()
    assert importer.center.ace_id == "CEE009"
    unpin_importer(importer, actor=None)
    run(importer)
    importer.refresh_from_db()
    assert importer.center.ace_id == "CEE010"


def test_the_imports_own_reassignment_run_uses_the_imports_today(
    tmp_path, django_capture_on_commit_callbacks
):
    """The incremental run an import queues is dated the import's --today, not the wall clock."""
    from importers.entries.ingest import import_entries
    from importers.models import ReassignmentJob
    from tests.factories import make_entry_number
    from tests.importers import feeds

    importer = ImporterFactory(ior_number="12-3456789AB", center_ace_id="CEE009")
    rows = []
    for n in range(1, 7):
        number = make_entry_number("QRS", n)
        rows += [feeds.entry(number, entry_date="2026-10-01")] + [feeds.line(number, k) for k in range(1, 6)]
    with django_capture_on_commit_callbacks(execute=True):
        import_entries(feeds.write_csv(tmp_path, rows), today=TODAY)
    history = AccountAssignment.objects.get(importer=importer)
    assert (history.to_center.ace_id, history.effective_on) == ("CEE010", TODAY)
    assert ReassignmentJob.objects.get(scope="single").as_of == TODAY


@pytest.mark.postgres  # committed lines: SQLite's flush after the test meets 0007's triggers
@pytest.mark.django_db(transaction=True)
def test_a_chunk_of_moves_sends_its_notices_in_one_drain_once_the_chunk_is_done():
    """The outbox is drained once per chunk (here in process: no broker), not once per move or per
    transaction of moves: the last drain delivered every move's notice."""
    from cee_portal.operations.models import OutboxMessage, PeriodicJobRun

    importers = [ImporterFactory(center_ace_id="CEE009") for _ in range(3)]
    for importer in importers:
        add_lines(importer, "8429510000", 30)
    run()
    assert {i.ace_id for i in Center.objects.filter(importers__in=importers)} == {"CEE010"}
    moved = OutboxMessage.objects.filter(topic="account.moved")
    assert moved.count() == 3 and not moved.filter(dispatched_at__isnull=True).exists()
    assert PeriodicJobRun.objects.get(name="drain_outbox").last_summary == {"delivered": 3, "failed": 0}


@pytest.mark.postgres  # committed lines: SQLite's flush after the test meets 0007's triggers
@pytest.mark.django_db(transaction=True)
def test_a_move_the_database_refuses_rolls_back_alone_and_the_others_of_its_transaction_commit():
    """A chunk's moves commit together (reassignment.MOVES_PER_TRANSACTION), each in its own savepoint.
    One that breaks a foreign key (its new Center is gone: Django's keys are checked at commit unless
    told otherwise) leaves its account as it was, with no history and no notice, and the two others
    move, each with one history row and one notice."""
    from cee_portal.operations.models import OutboxMessage
    from importers.accounts import reassignment
    from importers.models import ReassignmentJob

    importers = [ImporterFactory(center_ace_id="CEE009") for _ in range(3)]
    for importer in importers:
        add_lines(importer, "8429510000", 30)
    job = reassignment.start_job(scope="incremental", today=TODAY)
    moves = reassignment.prepare(job, importer_ids=[i.pk for i in importers], rebuild_mix=True)
    assert len(moves) == 3 and len(reassignment._transaction_groups(moves)) == 1
    bad = moves[1]
    moves[1] = dataclasses.replace(bad, to_center_id=Center.objects.order_by("-pk").first().pk + 1000)

    counts = reassignment.run_chunk(job.pk, moves, today=TODAY)

    assert counts == {"moved": 2, "scheduled": 0, "skipped": 0, "errors": 1}
    for importer in importers:
        importer.refresh_from_db()
        history = AccountAssignment.objects.filter(importer=importer, reason="computed")
        notices = OutboxMessage.objects.filter(topic="account.moved", payload__importer_id=importer.pk)
        if importer.pk == bad.importer_id:
            assert (importer.center.ace_id, history.count(), notices.count()) == ("CEE009", 0, 0)
        else:
            assert (importer.center.ace_id, history.count(), notices.count()) == ("CEE010", 1, 1)
    job = ReassignmentJob.objects.get(pk=job.pk)
    assert (job.moved, job.errors, job.state) == (2, 1, "finished")
    assert f"importer {bad.importer_id}:" in job.error_log
