"""Benchmark: entry-feed ingest throughput (lines/s) into PostgreSQL.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cee_ingest_bench \
        .venv/bin/python bench/ingest.py [--entries 200000] [--lines-per-entry 5]

Creates the database if needed (migrate + reference data), generates a CSV feed of new entries
(valid check digits, HTS across chapters), imports it through the public command path, then
imports it again (the idempotent no-op path) and prints both rates.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cee_portal.settings")
os.environ.setdefault("DEBUG", "1")
# The incremental reassignment an import queues is Celery's job, not the ingest's: queue it in
# memory (no worker) instead of running it inline, so the figure is the ingest alone.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    env = {**os.environ, "PGPASSWORD": "postgres"}
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True, text=True, env=env, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], env=env, check=True)


def write_feed(
    path: Path, entries: int, lines_per_entry: int, seed: int, ports: list[str], filer: str = "BNC"
) -> int:
    from importers.identifiers import entry_check_digit

    rng = random.Random(seed)
    chapters = ["84", "85", "87", "39", "94", "61", "62", "30", "27", "72", "73", "40", "90", "33", "03"]
    weights = [14, 13, 9, 8, 6, 5, 5, 4, 4, 3, 3, 2, 2, 2, 1]
    lines = 0
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "record",
                "entry_number",
                "importer_number",
                "importer_name",
                "port_code",
                "entry_date",
                "scheduled_liquidation_date",
                "line_number",
                "hts_number",
                "entered_value",
                "duty",
            ]
        )
        for n in range(entries):
            txn = f"{n + 1:07d}"
            number = f"{filer}{txn}{entry_check_digit(filer, txn)}"
            ior = f"{(n % 5000) // 100 + 10:02d}-{n % 5000:07d}AA"
            out.writerow(
                [
                    "entry",
                    number,
                    ior,
                    f"Bench importer {n % 5000}",
                    rng.choice(ports),
                    "2026-02-02",
                    "2026-12-13",
                    "",
                    "",
                    "",
                    "",
                ]
            )
            for k in range(1, rng.randint(1, 2 * lines_per_entry - 1) + 1):
                chapter = rng.choices(chapters, weights)[0]
                hts = f"{chapter}{rng.randint(1, 90):02d}{rng.randint(0, 999999):06d}"
                out.writerow(
                    ["line", number, "", "", "", "", "", k, hts, f"{rng.randint(100, 500000)}.00", "0"]
                )
                lines += 1
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--lines-per-entry", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres:postgres@127.0.0.1:5432/cee_ingest_bench"
        )
    if "ingest_bench" not in url.rsplit("/", 1)[1]:
        # It empties the trade tables: never point it at a database that matters.
        sys.exit("bench/ingest.py empties its database: give it one whose name contains 'ingest_bench'")
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    with connection.cursor() as cursor:  # start from an empty feed so every run measures inserts
        cursor.execute(
            "TRUNCATE importers_entryline, importers_entry, importers_importermonthlymix, "
            "importers_accountassignment, importers_importer CASCADE"
        )
    from importers.entries.ingest import import_entries
    from importers.models import Port

    def at_rest() -> None:
        # Each timed run starts with the written feed on disk, after a checkpoint, with fresh
        # statistics: otherwise whether the kernel's writeback, one of PostgreSQL's checkpoints (1 GB
        # of WAL per million lines) or an autovacuum landed inside a run moved the figures by ±20 %.
        os.sync()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("CHECKPOINT")

    ports = list(Port.objects.ports_of_entry().values_list("code", flat=True))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.csv"
        started = time.perf_counter()
        lines = write_feed(path, args.entries, args.lines_per_entry, args.seed, ports)
        print(f"generated {args.entries:,} entries, {lines:,} lines in {time.perf_counter() - started:.1f} s")
        at_rest()
        started = time.perf_counter()
        first = import_entries(path)
        elapsed = time.perf_counter() - started
        print(f"first import: {first.as_text()}")
        print(f"first import: {elapsed:.1f} s, {lines / elapsed:,.0f} lines/s")
        at_rest()
        started = time.perf_counter()
        second = import_entries(path)
        again = time.perf_counter() - started
        print(f"re-import (no changes): {again:.1f} s, {lines / again:,.0f} lines/s; {second.as_text()}")
        # The daily case: new entries of importers the system already knows.
        later = Path(tmp) / "later.csv"
        more = write_feed(later, args.entries, args.lines_per_entry, args.seed + 1, ports, filer="BND")
        at_rest()
        started = time.perf_counter()
        third = import_entries(later)
        elapsed = time.perf_counter() - started
        print(
            f"new entries of known importers: {elapsed:.1f} s, {more / elapsed:,.0f} lines/s; "
            f"{third.as_text()}"
        )


if __name__ == "__main__":
    main()
