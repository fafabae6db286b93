"""Issue 16 item 6 (faults) and issue 9 items 9-10 (one "today", the first Center by the nightly rule).

- a killed import, rerun, gives exactly a clean import's result, and every importer with entries
  ends with a Center (from its whole history when nothing is inside the window);
- an importer's first Center is decided by the nightly run's rule over its window (81 FR 92978 as
  reassignment.decide applies it), so the nightly run does not move it again;
- the parser process ends when the importing process dies;
- two imports of overlapping files at once both finish, with every entry loaded once and true counts.
"""

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from importers.accounts import reassignment
from importers.entries.ingest import Ingest, import_entries
from importers.models import (
    AccountAssignment,
    Center,
    Entry,
    EntryLine,
    Importer,
    ImporterMonthlyMix,
    MonthlyMixDelta,
)
from tests.factories import make_entry_number
from tests.importers.feeds import entry, line, write_csv

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)  # the window (365 days, whole months) starts 2025-11-01
ROOT = Path(__file__).resolve().parents[2]
MACHINERY, RUBBER = "8429510000", "4014100000"  # CEE010, CEE001


def iors(n: int) -> list[str]:
    return [f"{10 + k % 89:02d}-{k:07d}AA" for k in range(n)]


def feed_rows(first: int, count: int, *, importers: int, entry_date: str, filer: str = "KIL") -> list[dict]:
    """Entries `first`..`first + count - 1`, spread over `importers` importers, 1-3 lines each."""
    rows = []
    for n in range(first, first + count):
        number = make_entry_number(filer, n)
        ior = iors(importers)[n % importers]
        rows.append(
            entry(
                number,
                importer_number=ior,
                importer_name=f"Importer {ior}",
                entry_date=entry_date,
                scheduled_liquidation_date="",
            )
        )
        for k in range(1, n % 3 + 2):
            rows.append(line(number, k, hts=MACHINERY if (n + k) % 3 else RUBBER, value=f"{n}.{k:02d}"))
    return rows


def snapshot() -> tuple:
    return (
        sorted(
            Entry.objects.values_list(
                "entry_number", "importer__ior_number", "entry_date", "liquidation_status"
            )
        ),
        sorted(
            EntryLine.objects.values_list(
                "entry__entry_number", "line_number", "hts_number", "entered_value", "duty", "center__ace_id"
            )
        ),
        sorted(Importer.objects.values_list("ior_number", "name", "center__ace_id")),
        sorted(
            ImporterMonthlyMix.objects.values_list(
                "importer__ior_number", "month", "center__ace_id", "line_count", "entered_value"
            )
        ),
        sorted(
            AccountAssignment.objects.values_list(
                "importer__ior_number", "from_center", "to_center__ace_id", "reason", "effective_on"
            )
        ),
    )


def wipe() -> None:
    AccountAssignment.objects.all().delete()
    EntryLine.objects.all().delete()
    Entry.objects.all().delete()
    ImporterMonthlyMix.objects.all().delete()
    MonthlyMixDelta.objects.all().delete()
    Importer.objects.all().delete()


# --- A killed import, rerun ---------------------------------------------------------------------------


def test_an_import_killed_midway_then_rerun_equals_a_clean_import(tmp_path, monkeypatch):
    """The issue: after a SIGKILL and a rerun, half the new importers (entries older than the
    window) had no Center, even after `reassign_accounts --full`."""
    path = write_csv(tmp_path, feed_rows(1, 40, importers=8, entry_date="2024-03-05"))
    chunks = {"written": 0}
    write_chunk = Ingest._write_chunk

    def killed_after_two_chunks(self, *args):
        if chunks["written"] == 2:
            raise KeyboardInterrupt  # the process dies here: nothing after it runs
        chunks["written"] += 1
        return write_chunk(self, *args)

    with monkeypatch.context() as patch:
        patch.setattr(Ingest, "_write_chunk", killed_after_two_chunks)
        patch.setattr(Ingest, "_settle_accounts", lambda self, quietly=False: None)
        with pytest.raises(KeyboardInterrupt):
            import_entries(path, today=TODAY, chunk_entries=10, parallel=False)
    assert Entry.objects.count() == 20 and Importer.objects.filter(center__isnull=True).count() == 8

    rerun = import_entries(path, today=TODAY, chunk_entries=10, parallel=False)
    assert (rerun.entries_created, rerun.entries_unchanged, rerun.importers_assigned) == (20, 20, 8)
    after_rerun = snapshot()
    assert not Importer.objects.filter(center__isnull=True).exists()
    # Their lines are older than the window: the nightly run finds nothing to move.
    assert reassignment.plan(today=TODAY)[1] == []

    wipe()
    import_entries(path, today=TODAY, chunk_entries=10, parallel=False)
    assert snapshot() == after_rerun


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_nightly_run_gives_a_killed_imports_importers_their_first_center(tmp_path, monkeypatch, dry_run):
    """Without a rerun: `reassign_accounts --full` gives importers left without a Center their first
    one from their whole history (their entries are older than the window); a dry run changes nothing."""
    from django.core.management import call_command

    path = write_csv(tmp_path, feed_rows(1, 12, importers=4, entry_date="2024-03-05"))
    with monkeypatch.context() as patch:
        patch.setattr(Ingest, "_settle_accounts", lambda self, quietly=False: None)
        import_entries(path, today=TODAY, parallel=False)
    assert Importer.objects.filter(center__isnull=True).count() == 4

    args = ["--dry-run"] if dry_run else []
    call_command("reassign_accounts", "--full", "--today", str(TODAY), *args, stdout=io.StringIO())
    assert Importer.objects.filter(center__isnull=True).count() == (4 if dry_run else 0)
    if not dry_run:
        assert set(AccountAssignment.objects.values_list("reason", "effective_on")) == {("initial", TODAY)}
        assert reassignment.plan(today=TODAY)[1] == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sigkilled_import_rerun_equals_a_clean_import_and_leaves_no_process(tmp_path):
    """A real SIGKILL of `manage.py import_entries` (parsing in a second process), then a rerun."""
    rows = feed_rows(1, 24_000, importers=300, entry_date="2024-03-05")
    path = write_csv(tmp_path, rows)
    assert path.stat().st_size > 4 * 1024 * 1024  # big enough for the parser process
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_TASK_ALWAYS_EAGER": "0"}
    command = [
        sys.executable,
        "manage.py",
        "import_entries",
        str(path),
        "--chunk",
        "1000",
        "--today",
        str(TODAY),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while Entry.objects.count() < 3000 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        helpers = _children(process.pid)
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        assert helpers, "the parser process was not started"
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    _wait_gone(helpers, seconds=10)
    written = Entry.objects.count()
    assert 0 < written < 24_000

    rerun = import_entries(path, today=TODAY, chunk_entries=1000)
    assert rerun.problems == [], rerun.problems[:5]
    after_rerun = snapshot()
    assert not Importer.objects.filter(center__isnull=True).exists()
    assert len(after_rerun[0]) == 24_000

    wipe()
    import_entries(path, today=TODAY, chunk_entries=1000)
    assert snapshot() == after_rerun


def _database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/"
        f"{settings['NAME']}"
    )


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(child) for child in children]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its reaper is missing


def _wait_gone(pids: list[int], *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if _alive(pid)], "an orphan outlived the importing process"


def test_the_parser_process_exits_when_its_parent_dies(tmp_path):
    """The issue: the parser process and multiprocessing's resource tracker stayed alive as orphans."""
    path = write_csv(tmp_path, feed_rows(1, 3000, importers=5, entry_date="2026-01-15"))
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from importers.entries.feed import parse_chunks

        if __name__ == "__main__":
            chunks = parse_chunks(
                Path({str(path)!r}), parallel=True, ports=frozenset({{"2304"}}), heading_centers={{}},
                chunk_entries=10,
            )
            next(chunks)
            print("parsing", flush=True)
            time.sleep(120)  # the parser fills the queue and waits on it
        """
    )
    runner = tmp_path / "runner.py"
    runner.write_text(script)
    parent = subprocess.Popen([sys.executable, str(runner)], stdout=subprocess.PIPE, cwd=ROOT)
    try:
        assert parent.stdout.readline().strip() == b"parsing"
        helpers = _children(parent.pid)
        assert helpers and all(_alive(pid) for pid in helpers)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    finally:
        if parent.poll() is None:
            parent.kill()
    _wait_gone(helpers, seconds=10)


def test_the_importing_process_does_not_wait_forever_for_a_dead_parser(tmp_path, monkeypatch):
    from importers.entries import feed

    path = write_csv(tmp_path, feed_rows(1, 50, importers=2, entry_date="2026-01-15"))
    monkeypatch.setattr(feed, "_parse_into", _die)
    monkeypatch.setattr(feed, "PARSER_POLL_SECONDS", 0.2)
    with pytest.raises(RuntimeError, match="parser process died"):
        list(feed.parse_chunks(path, parallel=True, ports=frozenset(), heading_centers={}, chunk_entries=5))


def _die(*args):
    os._exit(9)


# --- Concurrent imports ----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_overlapping_files_both_finish_with_true_counts(tmp_path, monkeypatch):
    """The issue: one of two concurrent imports died with IntegrityError uniq_entry_number (3 of 3
    runs), and both reported the same importers "created"."""
    monkeypatch.setattr("importers.entries.ingest._after_import", lambda ids, today: None)
    first = write_csv(tmp_path, feed_rows(1, 600, importers=40, entry_date="2026-02-02"), "first.csv")
    second = write_csv(tmp_path, feed_rows(301, 600, importers=40, entry_date="2026-02-02"), "second.csv")

    def run(path):
        try:
            return import_entries(path, today=TODAY, chunk_entries=50, parallel=False)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        summaries = list(pool.map(run, [first, second]))

    assert all(s.problems == [] for s in summaries)
    assert Entry.objects.count() == 900
    assert sum(s.entries_created for s in summaries) == 900
    assert sum(s.entries_unchanged for s in summaries) == 300
    assert sum(s.importers_created for s in summaries) == Importer.objects.count() == 40
    assert EntryLine.objects.count() == sum(s.lines_created for s in summaries)
    assert not Importer.objects.filter(center__isnull=True).exists()


# --- The first Center: the nightly rule, as of the import's date (issue 9 items 9, 10) ---------------


def import_lines(tmp_path: Path, ior: str, plan: list[tuple[str, str, int]], *, filer: str, today=TODAY):
    """Import entries for one importer: (entry date, HTS, lines) per entry."""
    rows = []
    for n, (entry_date, hts, count) in enumerate(plan, start=1):
        number = make_entry_number(filer, n)
        rows.append(
            entry(
                number,
                importer_number=ior,
                importer_name="Window Co",
                entry_date=entry_date,
                scheduled_liquidation_date="",
            )
        )
        rows += [line(number, k, hts=hts) for k in range(1, count + 1)]
    return import_entries(write_csv(tmp_path, rows, f"{filer}.csv"), today=today)


def center_of(ior: str) -> str | None:
    importer = Importer.objects.get(ior_number=ior)
    return importer.center.ace_id if importer.center else None


def test_the_first_center_is_the_windows_predominant_one_not_the_whole_historys(tmp_path):
    """An importer whose old lines are rubber (CEE001) and whose lines in the window are machinery
    (CEE010) starts at CEE010, as the nightly rule decides: no move seconds after the import."""
    import_lines(
        tmp_path, "12-3456789AB", [("2024-05-01", RUBBER, 30), ("2026-06-01", MACHINERY, 3)], filer="WIN"
    )
    assert center_of("12-3456789AB") == "CEE010"
    initial = AccountAssignment.objects.get()
    assert (initial.reason, initial.effective_on) == ("initial", TODAY)
    assert initial.figures["by_center"] == {"CEE010": "3"} and initial.figures["window_days"] == 365
    assert reassignment.plan(today=TODAY)[1] == []


@pytest.mark.parametrize(
    ("entry_date", "first"),
    [
        ("2025-10-31", "CEE001"),  # the day before the window's first month: whole history
        ("2025-11-01", "CEE010"),  # the window's first day
        ("2025-11-02", "CEE010"),
    ],
)
def test_the_window_boundary_decides_where_the_first_center_comes_from(tmp_path, entry_date, first):
    import_lines(
        tmp_path, "12-3456789AB", [("2024-05-01", RUBBER, 5), (entry_date, MACHINERY, 1)], filer="BND"
    )
    assert center_of("12-3456789AB") == first


@pytest.mark.parametrize(("window_lines", "moves"), [(19, False), (20, True), (21, True)])
def test_nothing_in_the_window_gives_the_whole_historys_center_until_the_window_holds_the_minimum(
    tmp_path, window_lines, moves
):
    """The nightly run leaves a history-only account until its window holds MIN_LINES (20)."""
    import_lines(tmp_path, "12-3456789AB", [("2024-05-01", RUBBER, 30)], filer="OLD")
    assert center_of("12-3456789AB") == "CEE001"
    assert "whole history" in AccountAssignment.objects.get().figures["window"]

    import_lines(tmp_path, "12-3456789AB", [("2026-06-01", MACHINERY, window_lines)], filer="NEW")
    planned = reassignment.plan(today=TODAY)[1]
    assert bool(planned) is moves
    if moves:
        assert Center.objects.get(pk=planned[0].to_center_id).ace_id == "CEE010"
        assert planned[0].figures["by_center"] == {"CEE010": str(window_lines)}


def test_the_follow_up_reassignment_runs_as_of_the_imports_today(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from importers import tasks

    queued = []
    monkeypatch.setattr(tasks.reassign_accounts_task, "delay", lambda ids, as_of: queued.append((ids, as_of)))
    with django_capture_on_commit_callbacks(execute=True):
        import_lines(
            tmp_path, "12-3456789AB", [("2026-06-01", MACHINERY, 2)], filer="TOD", today=dt.date(2026, 7, 4)
        )
    assert queued == [([Importer.objects.get().pk], "2026-07-04")]
    assert AccountAssignment.objects.get().effective_on == dt.date(2026, 7, 4)


def test_without_today_the_import_uses_the_legal_today(tmp_path, monkeypatch):
    monkeypatch.setattr("importers.entries.ingest.legal_today", lambda: dt.date(2026, 8, 9))
    import_lines(tmp_path, "12-3456789AB", [("2026-06-01", MACHINERY, 2)], filer="LEG", today=None)
    assert AccountAssignment.objects.get().effective_on == dt.date(2026, 8, 9)
