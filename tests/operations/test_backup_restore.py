"""A tested restore (issue 15 item 5): ops/backup.sh dumps a database holding representative data
(accounts, entries, cases of every kind, messages, events, documents in storage), ops/restore.sh
restores it into a new database and folder, and every table's row count and content checksum, every
sequence, and every document's SHA-256 match. A document altered after the backup is caught.
PostgreSQL only (pg_dump and pg_restore)."""

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from cases import services
from cases.models import Case, Document
from tests.factories import trade_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def fingerprint(url: str) -> dict[str, tuple]:
    """Per table: (rows, md5 of every row's text in a fixed order); per sequence: its last value."""
    found = {}
    with psycopg.connect(url) as db:
        tables = [r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )]  # fmt: skip
        for table in tables:
            rows = "string_agg(t::text, E'\\n' ORDER BY t::text)"
            found[table] = db.execute(
                f"SELECT count(*), md5(coalesce({rows}, '')) FROM \"{table}\" t"
            ).fetchone()
        for (sequence,) in db.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"):
            found[f"sequence {sequence}"] = db.execute(f'SELECT last_value FROM "{sequence}"').fetchone()
    return found


def run(script: str, *args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "ops" / script), *map(str, args)],
        cwd=ROOT, env={**os.environ, "DEBUG": "1", "PYTHON": sys.executable, **env},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_a_backup_restores_into_a_new_database_with_every_row_and_document(tmp_path, _documents_in_tmp):
    call_command("seed_demo", importers=10, entries=60, cases=30, seed=3, verbosity=0)
    cases = list(Case.objects.filter(kind="protest", is_open=True).select_related("importer")[:4])
    assert cases, "the demo seed files protests"
    for n, case in enumerate(cases):
        filer = trade_user(case.importer)
        services.upload_document(
            actor=filer, case=case, upload=SimpleUploadedFile(f"i{n}.pdf", b"%PDF-1.7 " + str(n).encode())
        )
        png = SimpleUploadedFile(f"p{n}.png", b"\x89PNG\r\n\x1a\n" + bytes([n]) * 50)
        services.post_message(actor=filer, case=case, body=f"Invoice {n} attached", files=[png])
    assert Document.objects.count() == 8
    source = fingerprint(_url(connection.settings_dict["NAME"]))
    assert source["cases_case"][0] >= 30 and source["cases_document"][0] == 8

    backup = tmp_path / "backup"
    made = run("backup.sh", backup, env={"DATABASE_URL": _url(connection.settings_dict["NAME"]),
                                         "DOCUMENTS_ROOT": _documents_in_tmp.location})  # fmt: skip
    assert made.returncode == 0, made.stderr

    restored_name = f"restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored_name}"')
    restored_root = tmp_path / "documents-restored"
    env = {"DATABASE_URL": _url(restored_name), "DOCUMENTS_ROOT": str(restored_root)}
    try:
        restored = run("restore.sh", backup, env=env)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "8 documents verified" in restored.stdout
        assert fingerprint(_url(restored_name)) == source
        with psycopg.connect(_url(restored_name)) as db:
            rows = db.execute("SELECT file, sha256 FROM cases_document").fetchall()
        for name, sha in rows:
            assert hashlib.sha256((restored_root / name).read_bytes()).hexdigest() == sha

        # The check can fail: one restored file altered, one missing.
        (restored_root / rows[0][0]).write_bytes(b"%PDF-1.7 altered")
        (restored_root / rows[1][0]).unlink()
        verify = subprocess.run(
            [sys.executable, "manage.py", "verify_documents"], cwd=ROOT,
            env={**os.environ, "DEBUG": "1", **env}, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert verify.returncode != 0
        assert "differs from the recorded" in verify.stdout and "missing" in verify.stdout
        assert "2 of 8 documents are missing or altered" in verify.stderr
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
