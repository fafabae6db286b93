"""Management commands print their own output on stdout and nothing else; log lines go to stderr."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from importers.models import HeadingCenter, Port, PreferenceAgreement
from tests.factories import ImporterFactory, make_entry_number
from tests.importers import feeds
from tests.importers.test_reassignment import TODAY, add_lines

ROOT = Path(__file__).resolve().parent.parent.parent


def manage(*args: str, db: Path) -> subprocess.CompletedProcess:
    """Run manage.py as an operator would: the embedded default (SQLite, tasks in-process)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "LOG_LEVEL"}}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{db}")
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_celery_and_library_log_lines_go_to_stderr_not_into_a_commands_stdout(tmp_path):
    db = tmp_path / "ops.sqlite3"
    manage("migrate", "-v0", db=db)
    loaded = manage("load_reference_data", db=db)
    assert loaded.stdout.splitlines() == [loaded.stdout.strip()]
    assert loaded.stdout.startswith("Reference data loaded (centers: 10 new;")
    number = make_entry_number("QRS", 1)
    path = feeds.write_csv(
        tmp_path,
        [feeds.entry(number, entry_date="2026-10-01")] + [feeds.line(number, k) for k in range(1, 4)],
    )
    imported = manage("import_entries", str(path), "--today", "2026-11-27", db=db)
    # The import queues the incremental reassignment, run in-process by Celery, which logs the task.
    assert '"logger": "celery.app.trace"' in imported.stderr
    assert imported.stdout.splitlines() == [imported.stdout.strip()]
    assert imported.stdout.startswith("entries: 1 created,") and "celery" not in imported.stdout
    listed = manage("reassign_accounts", "--full", "--dry-run", "--today", "2026-11-27", db=db)
    assert listed.stdout.splitlines() == ["Dry run: 1 accounts examined, 0 would move. Nothing changed."]


def test_dry_run_listing_has_column_headers_over_aligned_columns(capsys, db):
    importer = ImporterFactory(center_ace_id="CEE009")
    add_lines(importer, "8429510000", 30)
    call_command("reassign_accounts", "--full", "--dry-run", "--today", TODAY.isoformat())
    header, row, summary = capsys.readouterr().out.splitlines()
    assert header.split() == ["importer", "from", "to", "basis", "volume", "shares", "why"]
    assert row.split()[:5] == [importer.ior_number, "CEE009", "CEE010", "lines", "30"]
    # Each value starts under its column's header.
    for column, value in [("from", "CEE009"), ("to ", "CEE010"), ("volume", "30 "), ("why", "CEE010 leads")]:
        assert row[header.index(column) :].startswith(value), column
    assert summary == "Dry run: 1 accounts examined, 1 would move. Nothing changed."


def test_dry_run_with_nothing_to_move_prints_only_the_summary(capsys, db):
    call_command("reassign_accounts", "--full", "--dry-run", "--today", TODAY.isoformat())
    assert capsys.readouterr().out.splitlines() == [
        "Dry run: 0 accounts examined, 0 would move. Nothing changed."
    ]


def test_pending_listing_has_column_headers(capsys, settings, db):
    settings.ACCOUNT_MIX = {**settings.ACCOUNT_MIX, "NOTICE_DAYS": 14}
    importer = ImporterFactory(center_ace_id="CEE009")
    add_lines(importer, "8429510000", 30)
    call_command("reassign_accounts", "--importer", importer.ior_number, "--today", TODAY.isoformat())
    capsys.readouterr()
    call_command("reassign_accounts", "--pending")
    header, row, summary = capsys.readouterr().out.splitlines()
    assert header.split() == ["importer", "from", "to", "announced", "effective"]
    assert row.split() == [importer.ior_number, "CEE009", "CEE010", "2026-11-27", "2026-12-11"]
    assert summary == "1 pending move(s)."


@pytest.mark.django_db
def test_load_reference_data_says_new_for_the_rows_it_created_and_updated_for_rewritten_ones():
    PreferenceAgreement.objects.filter(code="PA").delete()
    HeadingCenter.objects.filter(heading="8429").delete()
    Port.objects.filter(code="2304").update(active=False)
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    text = out.getvalue()
    assert "1520(d) agreements: 1 new" in text and "headings: 1 new" in text and "updated" not in text
    assert PreferenceAgreement.objects.filter(code="PA").exists()
    assert HeadingCenter.objects.get(heading="8429").center.ace_id == "CEE010"
    out = StringIO()
    call_command("load_reference_data", "--update", stdout=out)
    assert "ports: 0 new, 1 updated" in out.getvalue() and "headings: 0 new)" in out.getvalue()
