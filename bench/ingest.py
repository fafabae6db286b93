"""Benchmark: entry-feed ingest throughput (lines/s) into PostgreSQL, against its floor in the same run.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cee_ingest_bench \
        .venv/bin/python bench/ingest.py [--entries 200000] [--lines-per-entry 5] [--no-parser]

Creates the database if needed (migrate + reference data), generates a CSV feed of new entries
(valid check digits, HTS across chapters) and runs three imports through the public code path: the
first import (everything new), a re-import of the same file (nothing changes) and the daily case
(new entries of the importers the first one created).

The floor: right after each import, the same entries and lines are COPYed raw into plain tables
with the same columns and indexes as importers_entry and importers_entryline (CREATE TABLE ... LIKE
... INCLUDING ALL: no triggers, no foreign keys), holding what the real tables held before that
import, in one transaction; the rows come from the real tables as COPY text, read before the clock
starts. So the floor is what PostgreSQL needs to take the rows in, with nothing parsed or checked.
Each import and each floor starts at rest (feed synced, ANALYZE, CHECKPOINT). Prints lines/s for
both and the ratio (import / floor; the goal of issue 11 is >= 0.5 for the first import and the
daily case), with the load average.

Then, unless --no-parser, the cost of the feed's checks (issue 16): the parser alone (read and check
every record into chunks, no database), single process, on the same file, as this tree has it and as
the tree before issue 16 had it (`git archive` of --before-rev into a temporary folder), each in a
fresh interpreter, best of --parser-runs.
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

# The tree before issue 16's checks of the feed (for the parser-alone comparison).
BEFORE_ISSUE_16 = "c2ecf29"
FLOOR_TABLES = {"importers_entry": "bench_floor_entry", "importers_entryline": "bench_floor_entryline"}


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


# --- The floor: raw COPY of the same rows into plain tables ---------------------------------------------


def create_floor_tables(cursor) -> None:
    """Plain copies of the entry and line tables: same columns, defaults, checks and indexes
    (INCLUDING ALL), no triggers and no foreign keys (LIKE copies neither)."""
    for real, floor in FLOOR_TABLES.items():
        cursor.execute(f"DROP TABLE IF EXISTS {floor}")
        cursor.execute(f"CREATE TABLE {floor} (LIKE {real} INCLUDING ALL)")


def export_rows(cursor, entry_filter: str) -> tuple[bytes, bytes, list[str], list[str]]:
    """The entries matching `entry_filter` (SQL on importers_entry e) and their lines, as COPY text
    with every column the import writes (entries with their ids, as the ingest sends them; lines
    without, as the ingest sends them)."""
    entry_columns = _columns(cursor, "importers_entry")
    line_columns = [c for c in _columns(cursor, "importers_entryline") if c != "id"]
    entries, lines = bytearray(), bytearray()
    with cursor.copy(
        f"COPY (SELECT {', '.join('e.' + c for c in entry_columns)} FROM importers_entry e "
        f"WHERE {entry_filter} ORDER BY e.id) TO STDOUT"
    ) as copy:
        for block in copy:
            entries += block
    with cursor.copy(
        f"COPY (SELECT {', '.join('l.' + c for c in line_columns)} FROM importers_entryline l "
        f"JOIN importers_entry e ON e.id = l.entry_id WHERE {entry_filter} ORDER BY l.id) TO STDOUT"
    ) as copy:
        for block in copy:
            lines += block
    return bytes(entries), bytes(lines), entry_columns, line_columns


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def backend_cpu(pid: int) -> float | None:
    """CPU seconds a local PostgreSQL backend has used (None when its /proc entry cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_import(path: Path) -> tuple:
    """Import a file; (summary, wall seconds, CPU seconds by process). The CPU figures hold up on a
    shared machine where the wall time does not: the PostgreSQL backend's, the writing process's,
    and the parser process's (a child, counted once it has been waited for)."""
    import resource

    from django.db import connection

    from importers.entries.ingest import import_entries

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    backend, writer = backend_cpu(pid), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    summary = import_entries(path)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    end_backend = backend_cpu(pid)
    cpu = {
        "backend": None if backend is None or end_backend is None else end_backend - backend,
        "writer": time.process_time() - writer,
        "parser": after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime,
    }
    return summary, elapsed, cpu


def time_floor(exported: tuple[bytes, bytes, list[str], list[str]], at_rest) -> tuple[float, float | None]:
    """COPY the exported entries, then their lines, into the floor tables in one transaction; the
    seconds from the first byte sent to the commit, and the backend's CPU seconds."""
    import psycopg
    from django.db import connection

    entries, lines, entry_columns, line_columns = exported
    at_rest()
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=False) as conn:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")  # connected and ready before the clock starts
            pid = cursor.fetchone()[0]
            cpu = backend_cpu(pid)
            started = time.perf_counter()
            for table, columns, data in (
                (FLOOR_TABLES["importers_entry"], entry_columns, entries),
                (FLOOR_TABLES["importers_entryline"], line_columns, lines),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for start in range(0, len(data), 1 << 20):
                        copy.write(data[start : start + (1 << 20)])
        conn.commit()
        elapsed = time.perf_counter() - started
        end = backend_cpu(pid)
        return elapsed, None if cpu is None or end is None else end - cpu


def ratio_line(label: str, lines: int, seconds: float, cpu: dict, floor: tuple) -> str:
    floor_s, floor_cpu = floor
    spent = " + ".join(f"{name} {value:.1f}" for name, value in cpu.items() if value is not None)
    total = sum(value for value in cpu.values() if value is not None)
    return (
        f"{label}: {seconds:.1f} s, {lines / seconds:,.0f} lines/s; floor (raw COPY) {floor_s:.1f} s, "
        f"{lines / floor_s:,.0f} lines/s; ratio {floor_s / seconds:.2f}x the floor (load {_load()})\n"
        f"    CPU seconds: import {total:.1f} ({spent}); floor {floor_cpu or 0:.1f} (backend)"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- The parser alone: the cost of the checks ---------------------------------------------------------

_PARSE_ONLY = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
module, path, ports, headings = sys.argv[2], Path(sys.argv[3]), sys.argv[4], sys.argv[5]
import importlib, json
feed = importlib.import_module(module)
options = dict(ports=frozenset(ports.split(",")), heading_centers=json.loads(Path(headings).read_text()),
               chunk_entries=20000)
best = cpu = None
for _ in range(int(sys.argv[6])):
    parser = feed.FeedParser(**options)
    started, used = time.perf_counter(), time.process_time()
    entries = lines = 0
    for chunk in parser.chunks(path):
        entries += len(chunk.valid)
        lines += sum(row.line_count for row in chunk.valid)
    elapsed, used = time.perf_counter() - started, time.process_time() - used
    best = elapsed if best is None else min(best, elapsed)
    cpu = used if cpu is None else min(cpu, used)
print(json.dumps({"best_s": best, "cpu_s": cpu, "entries": entries, "lines": lines}))
"""


def parse_alone(root: Path, module: str, path: Path, ports: list[str], headings: Path, runs: int) -> dict:
    import json

    done = subprocess.run(
        [sys.executable, "-c", _PARSE_ONLY, str(root), module, str(path), ",".join(ports), str(headings),
         str(runs)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_parser(
    path: Path, lines: int, ports: list[str], runs: int, before_rev: str, tmp: Path, repo: Path
) -> None:
    """The parser alone on the same file: this tree against the tree before issue 16."""
    import json

    from importers.reference import resolver

    headings = tmp / "headings.json"
    headings.write_text(json.dumps(resolver.heading_center_ids()))
    before = tmp / "before"
    before.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", before_rev, "importers"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    old_module = "importers.feed" if (before / "importers" / "feed.py").exists() else "importers.entries.feed"
    now = parse_alone(ROOT, "importers.entries.feed", path, ports, headings, runs)
    then = parse_alone(before, old_module, path, ports, headings, runs)
    for label, got in ((f"before issue 16 ({before_rev})", then), ("now", now)):
        print(
            f"parser alone, {label}: {got['best_s']:.2f} s wall, {got['cpu_s']:.2f} s CPU (best of {runs}), "
            f"{lines / got['cpu_s']:,.0f} lines per CPU second; {got['entries']:,} entries, "
            f"{got['lines']:,} lines in chunks"
        )
    # CPU seconds: on a shared machine the wall time says more about the neighbours than the code.
    print(
        f"parser alone: the checks of issue 16 cost {now['cpu_s'] - then['cpu_s']:+.2f} CPU s "
        f"({now['cpu_s'] / then['cpu_s']:.2f}x the CPU time before; "
        f"wall {now['best_s'] / then['best_s']:.2f}x; load {_load()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--lines-per-entry", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-parser", action="store_true", help="Skip the parser-alone comparison")
    parser.add_argument("--parser-runs", type=int, default=2)
    parser.add_argument("--before-rev", default=BEFORE_ISSUE_16, help="The tree to compare the parser with")
    parser.add_argument(
        "--git-repo", type=Path, default=ROOT, help="Where --before-rev is found (this checkout by default)"
    )
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
    with connection.cursor() as cursor:
        create_floor_tables(cursor)

    def floor_of(entry_filter: str, *, empty_first: bool) -> float:
        with connection.cursor() as cursor:
            if empty_first:
                cursor.execute(f"TRUNCATE {', '.join(FLOOR_TABLES.values())}")
            exported = export_rows(cursor.connection.cursor(), entry_filter)  # psycopg's own cursor
        return time_floor(exported, at_rest)

    print(f"load average at start: {_load()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.csv"
        started = time.perf_counter()
        lines = write_feed(path, args.entries, args.lines_per_entry, args.seed, ports)
        print(f"generated {args.entries:,} entries, {lines:,} lines in {time.perf_counter() - started:.1f} s")
        at_rest()
        first, elapsed, cpu = timed_import(path)
        print(f"first import: {first.as_text()}")
        # Into empty plain tables, as the first import went into empty ones.
        floor = floor_of("e.filer_code = 'BNC'", empty_first=True)
        print(ratio_line("first import", lines, elapsed, cpu, floor))
        at_rest()
        second, again, cpu = timed_import(path)
        print(f"re-import (no changes): {second.as_text()}")
        # The same rows again into empty tables (the re-import writes nothing: this is the floor of
        # taking the file's rows in at all); the tables then hold the first file, as the real ones do.
        floor = floor_of("e.filer_code = 'BNC'", empty_first=True)
        print(ratio_line("re-import (no changes)", lines, again, cpu, floor))
        # The daily case: new entries of importers the system already knows.
        later = Path(tmp) / "later.csv"
        more = write_feed(later, args.entries, args.lines_per_entry, args.seed + 1, ports, filer="BND")
        at_rest()
        third, elapsed, cpu = timed_import(later)
        print(f"new entries of known importers: {third.as_text()}")
        # Into plain tables holding the first file's rows, as the real ones did.
        floor = floor_of("e.filer_code = 'BND'", empty_first=False)
        print(ratio_line("new entries of known importers (the daily case)", more, elapsed, cpu, floor))
        if not args.no_parser:
            measure_parser(path, lines, ports, args.parser_runs, args.before_rev, Path(tmp), args.git_repo)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {', '.join(FLOOR_TABLES.values())}")
    print(f"load average at end: {_load()}")


if __name__ == "__main__":
    main()
