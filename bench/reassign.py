"""Benchmark: account reassignment (full recompute + moves) on PostgreSQL, against its floor and a naive loop.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cee_bench .venv/bin/python bench/reassign.py \
        [--sample 2000] [--celery] [--json out.json] [--baseline small.json] [--profile DIR]

It uses a database already seeded by bench/seed_demo.py and never seeds: on an empty database it
prints how to seed and stops. While another process is still seeding (it holds its table locks),
it polls the row counts every --poll seconds, up to --wait minutes, until the seed has committed
(the counts stop changing, or importers_entryline reaches --min-lines rows).

In one run, on the same data (--today is the seed's last day, 2026-06-30 by default):

  floors       the least any recompute has to do, timed in SQL with nothing fetched into Python (one
               row of totals comes back): the window's lines grouped by importer and Center
               (a) with the Center stored on the line (the goal's floor), (b) with the Center found by
               the heading join instead; and (c) the old floor, (a) with every row fetched. Best of
               --floor-runs, measured before the full runs and again after them (same settings as
               the product's queries, parallel workers included)
  naive        a per-importer ORM loop (one grouped query over the importer's lines + decide()) on a
               random --sample of importers, extrapolated to all of them
  full #1, #2  `manage.py reassign_accounts --full --today D` in a subprocess, as users run it: wall
               time, peak RSS (/usr/bin/time -v), and inside that process the time of each phase of
               the current code (window check, rollup repair, plan, initial
               Centers, apply = the chunks of moves and the outbox drain they kick, in process as
               there is no broker; nested, with what is left of each); run twice:
               before the first, --moves accounts (166 by default) are put under another Center than
               their predominant one, so the first run moves them back (the first run with moves)
               and the second finds the steady state (0 moves)
               (the project's bytecode is written first: see compile_project)
  dry run      `reassign_accounts --full --dry-run` (it still rebuilds the rollup)
  incremental  1,000 new entries for existing importers imported with importers.entries.ingest.import_entries
               (timed alone, with the after-commit reassignment hook held back), then the reassignment
               of the importers they touched, in process, through the task the hook queues
               (importers.reassign_accounts with their ids; Celery eager), and through the command
               (`reassign_accounts --importer IOR ...`, Django start-up included)
  celery       with --celery: its own redis-server on a free port and a 2-process worker;
               `reassign_accounts --full --celery` until the job is finished; the worker processes'
               peak RSS (VmHWM)

Before each full run and the dry run the rollup table is VACUUMed (ANALYZE too) and the time
reported: every full run deletes and re-inserts all its rows, and autovacuum, which would clean them
up between two nightly runs, may be off (it is off on the benchmark machine: conf.d/90-ci.conf);
without it each run leaves ~1.6M more dead rows and the next one is slower. --no-vacuum skips this.

Then a table, the goals of the issue (met or not) and, with --baseline (the --json of a run on a
smaller database, e.g. the 1M-line one), the scaling ratios. --profile DIR keeps a cProfile of each
command run (it slows the Python parts: take the figures from a run without it). The child
processes run with DEBUG off, as in production.

Side effects on the benchmark database, so it stays reusable: the --moves accounts are displaced
and full #1 moves them back (with their history rows, open cases and notices), every run adds
ReassignmentJob rows, and the incremental step adds 1,000 entries
(~5,000 lines) under filer code BNR, which may move a few accounts. Results go in docs/benchmarks.md.
"""

import argparse
import csv
import functools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cee_portal.settings")
# Production-like: DEBUG off (no query log kept in memory); a throwaway key for that.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("LOG_LEVEL", "ERROR")  # the product logs JSON lines to stdout; keep the report readable

# The window's lines by importer and Center: what the full run's window check aggregates.
FLOOR_SQL = """
    SELECT e.importer_id, l.center_id, count(*) AS n, sum(l.entered_value) AS v
    FROM importers_entryline l JOIN importers_entry e ON e.id = l.entry_id
    WHERE l.center_id IS NOT NULL AND e.entry_date >= %s
    GROUP BY 1, 2
"""
# The same with the Center found from the HTS heading at read time, as if the line did not store it.
HEADING_FLOOR_SQL = """
    SELECT e.importer_id, h.center_id, count(*) AS n, sum(l.entered_value) AS v
    FROM importers_entryline l JOIN importers_entry e ON e.id = l.entry_id
    JOIN importers_headingcenter h ON h.heading = left(l.hts_number, 4)
    WHERE h.center_id IS NOT NULL AND e.entry_date >= %s
    GROUP BY 1, 2
"""
# Nothing fetched: the totals use every column, so the planner cannot drop the sums.
SERVER_SIDE = "SELECT count(*), sum(n), sum(v) FROM ({}) AS floor"
FLOORS = {
    "server": (
        "floor: window by importer and Center, Center on the line, in SQL",
        SERVER_SIDE.format(FLOOR_SQL),
    ),
    "heading": ("floor: the same with the heading join, in SQL", SERVER_SIDE.format(HEADING_FLOOR_SQL)),
    "fetched": ("floor: Center on the line, every row fetched", FLOOR_SQL),
}
BENCH_FILER = "BNR"
GOALS = {
    "full_s": 30.0,
    # Wall time over the server-side floor with the Center on the line: steady state (nothing moves).
    "floor_ratio": 2.0,
    "floor_ratio_moves": 2.5,  # a run that moves accounts
    "naive_ratio": 20.0,
    "rss_mb": 500.0,
    "incremental_s": 2.0,
}


# --- Timers around the product's phases (used in the command's process and in this one) ---------------------


# (owner attribute, label, parent label): the phases of reassign_accounts as the code runs them today.
# Each is wrapped where its callers look it up (reassignment imports mix's functions by name). A
# phase's time is its own wall time; the report prints what is left of a parent after its children.
PHASES = (
    ("command.Command.handle", "handle()", None),
    ("reassignment.start_job", "start/finish job", "handle()"),
    ("reassignment.finish", "start/finish job", "handle()"),
    ("reassignment.apply_due_scheduled_moves", "due scheduled moves", "handle()"),
    ("reassignment.prepare", "prepare", "handle()"),
    ("reassignment.check_window", "window check (drift + off-predominant, one pass)", "prepare"),
    ("reassignment.refresh_monthly_mix", "rollup repair", "prepare"),
    ("reassignment.plan", "plan", "prepare"),
    ("reassignment.mixes", "mix query", "plan"),
    ("reassignment.assign_initial_centers", "initial Centers", "prepare"),
    ("command.Command._report", "report", "handle()"),
    ("reassignment.run_chunk", "apply (chunks of moves)", "handle()"),
    # Without a broker the notices are delivered in the command's process, one transaction each.
    ("outbox.drain", "outbox drain (in process: no broker)", "apply (chunks of moves)"),
)


def install_timers(timings: dict, calls: dict):
    """Wrap the reassignment's phases so their time adds up in `timings` (by label); return a function
    that puts the originals back. A phase called inside another phase than its parent (mixes() from
    the initial Centers, say) counts under that one as "<label> in <caller>"."""
    from cee_portal.operations import outbox
    from importers.accounts import reassignment
    from importers.management.commands import reassign_accounts as command

    owners = {"reassignment": reassignment, "command": command, "outbox": outbox}
    parents = {label: parent for _, label, parent in PHASES}
    stack: list[str] = []
    saved = []

    def wrap(owner, name: str, label: str) -> None:
        original = getattr(owner, name)
        saved.append((owner, name, original))

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            key = label
            if stack and parents.get(label) not in (stack[-1], None):
                key = f"{label} in {stack[-1]}"
            stack.append(key)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                stack.pop()
                timings[key] = timings.get(key, 0.0) + time.perf_counter() - started
                calls[key] = calls.get(key, 0) + 1

        setattr(owner, name, wrapper)

    for path, label, _ in PHASES:
        module, *attrs = path.split(".")
        owner = owners[module]
        for attr in attrs[:-1]:
            owner = getattr(owner, attr)
        wrap(owner, attrs[-1], label)

    def restore() -> None:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)

    return restore


def child_main(argv: list[str]) -> int:
    """`reassign.py _command ARGS`: run `manage.py ARGS` with the phase timers, write them as JSON."""
    import django

    started = time.perf_counter()
    django.setup()
    timings, calls = {}, {}
    install_timers(timings, calls)
    timings["start-up"] = time.perf_counter() - started
    import manage  # the project's manage.py, run as users run it (ROOT is on sys.path)

    sys.argv = [str(ROOT / "manage.py"), *argv]
    profile_path = os.environ.get("BENCH_PROFILE")
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        manage.main()
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile_path)
        import resource

        with open(os.environ["BENCH_TIMINGS"], "w") as out:
            json.dump(
                {
                    "timings": timings,
                    "calls": calls,
                    "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                },
                out,
            )
    return 0


# --- Helpers ------------------------------------------------------------------------------------------------


def say(text: str = "") -> None:
    print(text, flush=True)


def child_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")}
    env.update(extra)
    return env


def run_command(args: list[str], *, label: str, profile_dir: Path | None, env: dict | None = None) -> dict:
    """Run `manage.py ARGS` through the timed child under /usr/bin/time -v; return wall, RSS, phases."""
    with tempfile.TemporaryDirectory() as tmp:
        timings_path, time_path = Path(tmp) / "timings.json", Path(tmp) / "time.txt"
        extra = {"BENCH_TIMINGS": str(timings_path)}
        if profile_dir is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
            extra["BENCH_PROFILE"] = str(profile_dir / f"{label}.prof")
        command = [sys.executable, str(Path(__file__).resolve()), "_command", *args]
        gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
        if gnu_time:
            command = [gnu_time, "-v", "-o", str(time_path), *command]
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=ROOT, env={**(env or child_env()), **extra}, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            say(done.stdout[-3000:])
            say(done.stderr[-3000:])
            raise SystemExit(f"{label}: manage.py {' '.join(args[:4])} ... failed ({done.returncode})")
        child = json.loads(timings_path.read_text())
        rss_kb = child["ru_maxrss_kb"]
        if gnu_time and time_path.exists():
            for line in time_path.read_text().splitlines():
                if "Maximum resident set size" in line:
                    rss_kb = int(line.rsplit(":", 1)[1])
    return {
        "label": label,
        "wall_s": wall,
        "rss_mb": rss_kb / 1024,
        "phases": child["timings"],
        "calls": child["calls"],
        "stdout_tail": done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else [],
    }


def compile_project() -> int:
    """Write the bytecode of the project's packages (gitignored __pycache__), as Python does on the
    first run of an installation; return how many packages. Where PYTHONDONTWRITEBYTECODE is set and
    nothing was ever written (this machine's sessions set it), every command compiled the project's
    ~150 modules from source again: 0.2-0.4 s of its start-up that a deployed installation does not pay."""
    import compileall

    packages = [path for path in ROOT.iterdir() if (path / "__init__.py").exists()]
    for package in packages:
        compileall.compile_dir(package, quiet=1)
    compileall.compile_file(ROOT / "manage.py", quiet=1)
    return len(packages)


def last_job_id() -> int:
    from importers.models import ReassignmentJob

    return ReassignmentJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def jobs_since(job_id: int) -> list[dict]:
    from importers.models import ReassignmentJob

    return list(
        ReassignmentJob.objects.filter(pk__gt=job_id)
        .order_by("pk")
        .values("pk", "scope", "dry_run", "state", "examined", "planned", "moved", "scheduled", "errors")
    )


def scalar(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def fmt_s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:,.2f} s"


# --- 1. The database ----------------------------------------------------------------------------------------


def seeder_active() -> bool:
    """Whether another session holds the write locks seed_demo takes (its transaction is still open)."""
    return bool(
        scalar(
            """
            SELECT count(*) FROM pg_locks k JOIN pg_class c ON c.oid = k.relation
            WHERE c.relname IN ('importers_importer', 'importers_entry', 'importers_entryline')
              AND k.mode IN ('ExclusiveLock', 'AccessExclusiveLock') AND k.pid <> pg_backend_pid()
            """
        )
    )


def wait_for_seed(args) -> tuple[int, int]:
    from django.db import DatabaseError

    deadline = time.monotonic() + args.wait * 60
    previous = None
    while True:
        try:
            counts = (
                scalar("SELECT count(*) FROM importers_importer"),
                scalar("SELECT count(*) FROM importers_entryline"),
            )
        except DatabaseError as exc:
            sys.exit(
                f"{exc}\nNot a migrated CEE Portal database: create and seed it with bench/seed_demo.py."
            )
        seeding = seeder_active()
        importers, lines = counts
        if lines and not seeding and (lines >= args.min_lines or previous in (None, counts)):
            return counts
        if not lines and not seeding:
            sys.exit(
                "The database has no entry lines. Seed it first (200,000 importers, ~10M lines):\n"
                "    DATABASE_URL=... .venv/bin/python bench/seed_demo.py [--keep]\n"
                "or, for the 1M-line size:\n"
                "    DATABASE_URL=... .venv/bin/python bench/seed_demo.py --importers 20000 --entries 200000"
            )
        if time.monotonic() > deadline:
            sys.exit(
                f"Gave up after {args.wait} min: {importers:,} importers, {lines:,} lines, seeding={seeding}"
            )
        state = "a seeder holds the table locks" if seeding else "counts still changing"
        say(f"  waiting: {importers:,} importers, {lines:,} lines ({state}); next check in {args.poll} s")
        previous = counts
        time.sleep(args.poll)


def describe_database() -> dict:
    from django.db import connection

    info = {"tables": {}}
    for table in (
        "importers_importer",
        "importers_entry",
        "importers_entryline",
        "importers_importermonthlymix",
        "importers_accountassignment",
    ):
        info["tables"][table] = {
            "rows": scalar(f"SELECT count(*) FROM {table}"),
            "size": scalar("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table]),
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        info["postgres"] = cursor.fetchone()[0].split(" on ")[0]
        settings = {}
        for name in (
            "shared_buffers",
            "work_mem",
            "max_parallel_workers_per_gather",
            "effective_cache_size",
            "autovacuum",
        ):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
        info["settings"] = settings
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), current_database()")
        info["database_size"], info["database"] = cursor.fetchone()
    info["cpus"] = os.cpu_count()
    info["loadavg_start"] = os.getloadavg()
    return info


def vacuum_rollup() -> dict:
    """VACUUM (ANALYZE) the rollup, as autovacuum would between two nightly runs; time it."""
    from django.db import connection

    table = "importers_importermonthlymix"
    dead = scalar("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table])
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    return {
        "vacuum_s": time.perf_counter() - started,
        "dead_rows_before": dead,
        "size_after": scalar("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table]),
    }


def displace_accounts(count: int, *, today: date, seed: int) -> int:
    """Put `count` accounts with a clear predominant Center (>= 60 % of >= 40 lines in the window,
    not pinned) under another Center, as if their mix had shifted: the next full run moves them back,
    so every run of this script measures a first run with moves, then the steady state. Returns how
    many were displaced."""
    from django.db import connection

    from importers.accounts.mix import fold_deltas, window_start

    if not count:
        return 0
    fold_deltas()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH totals AS (
                SELECT importer_id, center_id, SUM(line_count) AS n FROM importers_importermonthlymix
                WHERE month >= %s AND month <= %s GROUP BY 1, 2
            ), ranked AS (
                SELECT importer_id, center_id, n, SUM(n) OVER (PARTITION BY importer_id) AS total,
                       ROW_NUMBER() OVER (PARTITION BY importer_id ORDER BY n DESC, center_id) AS place
                FROM totals
            ), chosen AS (
                SELECT r.importer_id, r.center_id
                FROM ranked r JOIN importers_importer i ON i.id = r.importer_id
                WHERE r.place = 1 AND r.n * 100 >= 60 * r.total AND r.total >= 40
                  AND i.center_id = r.center_id AND i.pin_reason = ''
                ORDER BY md5(r.importer_id::text || %s) LIMIT %s
            )
            UPDATE importers_importer i
            SET center_id = (SELECT min(c.id) FROM importers_center c WHERE c.id <> chosen.center_id)
            FROM chosen WHERE i.id = chosen.importer_id
            """,
            [window_start(today), today, str(seed), count],
        )
        return cursor.rowcount


# --- 2. Floor and naive loop --------------------------------------------------------------------------------


def measure_floor(start: date, runs: int) -> dict:
    """Each floor query --floor-runs times; the best and every time, and the parallel plan."""
    from django.db import connection

    out = {}
    for key, (_, sql) in FLOORS.items():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, [start])
            plan = [row[0] for row in cursor.fetchall()]
        workers = next((line.strip() for line in plan if "Workers Planned" in line), "Workers Planned: 0")
        times, rows = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, [start])
                fetched = cursor.fetchall()
            times.append(time.perf_counter() - started)
            rows = fetched[0][0] if key != "fetched" else len(fetched)
        out[key] = {"times_s": times, "best_s": min(times), "rows": rows, "parallel": workers}
    out["loadavg"] = os.getloadavg()
    return out


def merge_floors(before: dict, after: dict | None) -> dict:
    """The best of the floors measured before and after the full runs (same run, same data)."""
    if not after:
        return before
    merged = {}
    for key in FLOORS:
        times = before[key]["times_s"] + after[key]["times_s"]
        merged[key] = {**before[key], "times_s": times, "best_s": min(times)}
    merged["loadavg"] = before["loadavg"]
    merged["loadavg_after"] = after["loadavg"]
    return merged


def measure_naive(sample_size: int, *, today: date, seed: int) -> dict:
    from django.conf import settings
    from django.db.models import Count, Sum

    from importers.accounts.mix import Mix, window_start
    from importers.accounts.reassignment import decide
    from importers.models import Center, EntryLine, Importer

    basis = settings.ACCOUNT_MIX["BASIS"]
    measure = Count("id") if basis == "lines" else Sum("entered_value")
    start = window_start(today)
    ace_ids = dict(Center.objects.values_list("pk", "ace_id"))
    all_ids = list(Importer.objects.values_list("pk", flat=True))
    sample = sorted(random.Random(seed).sample(all_ids, min(sample_size, len(all_ids))))
    mixes, verdicts = {}, {}
    started = time.perf_counter()
    for importer in Importer.objects.filter(pk__in=sample).only("pk", "center_id", "pin_reason").iterator():
        rows = (
            EntryLine.objects.filter(
                entry__importer=importer.pk, entry__entry_date__gte=start, entry__entry_date__lte=today
            )
            .values("center")
            .annotate(total=measure)
        )
        by_center = {r["center"]: Decimal(r["total"]) for r in rows if r["center"] is not None}
        mix = Mix(basis=basis, by_center=by_center) if by_center else None
        mixes[importer.pk] = by_center
        if mix is None and importer.center_id is not None:
            continue
        verdicts[importer.pk] = decide(
            importer.pk, importer.center_id, bool(importer.pin_reason), mix, ace_ids
        )
    elapsed = time.perf_counter() - started
    per_importer = elapsed / len(sample)
    return {
        "sample": len(sample),
        "sample_s": elapsed,
        "per_importer_ms": per_importer * 1000,
        "extrapolated_s": per_importer * len(all_ids),
        "importers": len(all_ids),
        "would_move_in_sample": sum(v.move for v in verdicts.values()),
        "_mixes": mixes,
    }


def cross_check(naive_mixes: dict, today: date) -> dict:
    """The product's mixes (from the rebuilt rollup) must equal the naive ones, importer by importer."""
    from importers.accounts.mix import mixes

    found = mixes(list(naive_mixes), today=today)
    differ = [
        i for i, by_center in naive_mixes.items() if (found[i].by_center if i in found else {}) != by_center
    ]
    return {"checked": len(naive_mixes), "differ": len(differ), "examples": differ[:5]}


# --- 3. Incremental -----------------------------------------------------------------------------------------


def write_incremental_feed(path: Path, entries: int, *, today: date, seed: int) -> tuple[int, list[str]]:
    """New entries for existing importers (one per importer), ~5 lines each, dated in the window."""
    from django.db.models import Max

    from importers.identifiers import entry_check_digit
    from importers.models import Entry, Importer, Port
    from importers.reference.resolver import heading_center_ids

    rng = random.Random(f"{seed}:{time.time_ns()}")
    highest = Entry.objects.filter(filer_code=BENCH_FILER).aggregate(n=Max("entry_number"))["n"]
    serial = int(highest[3:10]) + 1 if highest else 1
    ids = list(Importer.objects.values_list("pk", flat=True))
    chosen = rng.sample(ids, min(entries, len(ids)))
    importers = list(Importer.objects.filter(pk__in=chosen).values_list("ior_number", "name"))
    ports = list(Port.objects.ports_of_entry().values_list("code", flat=True))
    headings = sorted(h for h, c in heading_center_ids().items() if c is not None)
    lines = 0
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["record", "entry_number", "importer_number", "importer_name", "port_code", "entry_date",
             "scheduled_liquidation_date", "line_number", "hts_number", "entered_value", "duty"]
        )  # fmt: skip
        for n in range(entries):
            ior, name = importers[n % len(importers)]
            txn = f"{serial + n:07d}"
            number = f"{BENCH_FILER}{txn}{entry_check_digit(BENCH_FILER, txn)}"
            day = today - timedelta(days=rng.randrange(0, 60))
            out.writerow(
                ["entry", number, ior, name, rng.choice(ports), day.isoformat(),
                 (day + timedelta(days=314)).isoformat(), "", "", "", ""]
            )  # fmt: skip
            for k in range(1, rng.randint(1, 9) + 1):
                hts = f"{rng.choice(headings)}{rng.randint(0, 999999):06d}"
                out.writerow(
                    ["line", number, "", "", "", "", "", k, hts, f"{rng.randint(100, 500000)}.00", "0"]
                )
                lines += 1
    return lines, [ior for ior, _ in importers]


def measure_incremental(entries: int, *, today: date, seed: int, profile_dir: Path | None) -> dict:
    import importers.entries.ingest as ingest
    from importers.models import Importer
    from importers.tasks import reassign_accounts_task

    result = {"entries": entries}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "new_entries.csv"
        lines, _ = write_incremental_feed(path, entries, today=today, seed=seed)
        held_back = []
        original_hook = ingest._after_import
        # The reassignment is timed on its own below.
        ingest._after_import = lambda ids, _today: held_back.extend(ids)
        try:
            started = time.perf_counter()
            summary = ingest.import_entries(path, today=today)
            result["import_s"] = time.perf_counter() - started
        finally:
            ingest._after_import = original_hook
    touched = sorted(set(held_back))
    result.update(
        lines=lines,
        created=f"{summary.entries_created} entries, {summary.lines_created} lines, "
        f"{len(summary.problems)} problems",
        touched=len(touched),
    )

    # What the import's after-commit hook runs: the reassignment task for the touched importers.
    timings, calls = {}, {}
    before = last_job_id()
    restore = install_timers(timings, calls)
    try:
        started = time.perf_counter()
        reassign_accounts_task(touched, today.isoformat())
        result["reassign_s"] = time.perf_counter() - started
    finally:
        restore()
    result["reassign_phases"] = timings
    jobs = jobs_since(before)
    result["job"] = jobs[-1] if jobs else None

    # The same importers through the command users type (Django start-up and IOR lookups included).
    iors = list(Importer.objects.filter(pk__in=touched).values_list("ior_number", flat=True))
    before = last_job_id()
    args = ["reassign_accounts", f"--today={today.isoformat()}", "-v0"]
    for ior in iors:
        args += ["--importer", ior]
    result["command"] = run_command(args, label="incremental-command", profile_dir=profile_dir)
    jobs = jobs_since(before)
    result["command"]["job"] = jobs[-1] if jobs else None
    return result


# --- 4. Celery ----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return pids


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure_celery(*, today: date, concurrency: int, timeout_s: float) -> dict:
    redis_server = shutil.which("redis-server")
    celery_bin = Path(sys.executable).with_name("celery")
    if not redis_server or not celery_bin.exists():
        return {"skipped": "redis-server or celery not found"}
    port = _free_port()
    redis = subprocess.Popen(
        [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    try:
        env = child_env(REDIS_URL=f"redis://127.0.0.1:{port}/0")
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        worker = subprocess.Popen(
            [str(celery_bin), "-A", "cee_portal", "worker", "--pool=prefork", f"--concurrency={concurrency}",
             f"--hostname=bench-reassign-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        ready_by = time.monotonic() + 60
        while " ready." not in Path(log.name).read_text():
            if worker.poll() is not None or time.monotonic() > ready_by:
                return {"skipped": "the worker did not start: " + Path(log.name).read_text()[-500:]}
            time.sleep(0.2)
        before = last_job_id()
        started = time.perf_counter()
        queued = run_command(
            ["reassign_accounts", "--full", "--celery", f"--today={today.isoformat()}"],
            label="celery-queue",
            profile_dir=None,
            env=env,
        )
        from importers.models import ReassignmentJob

        job = None
        while time.perf_counter() - started < timeout_s:
            job = ReassignmentJob.objects.filter(pk__gt=before, scope="full").order_by("pk").first()
            if job and job.state != "running" and job.chunks_done >= job.chunks_total:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        workers = {pid: _peak_rss_mb(pid) for pid in _process_tree(worker.pid)}
        return {
            "wall_s": elapsed,
            "queue_command_s": queued["wall_s"],
            "worker_peak_rss_mb": workers,
            "job": jobs_since(before)[-1] if job else None,
            "finished": bool(job and job.state == "finished"),
        }
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis.terminate()
        redis.wait(10)
        log.close()
        os.unlink(log.name)


# --- Report -------------------------------------------------------------------------------------------------


def phase_lines(run: dict) -> list[str]:
    """The run's phases as a tree, each parent followed by what is left of it after its children."""
    p, calls = run["phases"], run["calls"]
    children: dict[str | None, list[str]] = {}
    for _, label, parent in PHASES:
        children.setdefault(parent, [])
        if label not in children[parent]:
            children[parent].append(label)
    for key in p:  # phases met under another caller ("mix query in initial Centers")
        if " in " in key:
            label, caller = key.split(" in ", 1)
            if key not in children.setdefault(caller, []):
                children[caller].append(key)
    lines = [f"start-up (interpreter, Django, imports) {run['wall_s'] - p.get('handle()', 0.0):.2f} s"]

    def walk(label: str, depth: int) -> None:
        if label not in p:
            return
        count = calls.get(label, 0)
        shown = f"{'  ' * depth}{label} {p[label]:.2f} s" + (f" ({count} calls)" if count > 1 else "")
        lines.append(shown)
        kids = [k for k in children.get(label, []) if k in p]
        if kids:
            rest = p[label] - sum(p[k] for k in kids)
            for kid in kids:
                walk(kid, depth + 1)
            lines.append(f"{'  ' * (depth + 1)}other in {label} {rest:.2f} s")

    walk("handle()", 0)
    return lines


def report(results: dict, baseline: dict | None) -> None:
    db, floor, naive = results["database"], results["floor"], results["naive"]
    pg_settings = ", ".join(f"{k}={v}" for k, v in db["settings"].items())
    say()
    say(
        f"== Account reassignment on {db['database']} ({db['postgres']}, {db['cpus']} CPUs, {pg_settings}) =="
    )
    for table, t in db["tables"].items():
        say(f"   {table:<30} {t['rows']:>12,} rows  {t['size']}")
    say(f"   database {db['database_size']}; today {results['today']}, window from {results['window_start']}")
    say()
    rows = []

    def row(label: str, seconds: float | None, detail: str = "") -> None:
        rows.append((label, seconds, detail))

    for key, (label, _) in FLOORS.items():
        f = floor[key]
        runs = ", ".join(f"{t:.2f}" for t in f["times_s"])
        what = "groups" if key != "fetched" else "rows fetched"
        detail = f"best of {len(f['times_s'])}; {f['rows']:,} {what}; {f['parallel']}; runs {runs} s"
        row(label, f["best_s"], detail)
    row(
        f"naive ORM loop, {naive['sample']:,} importers",
        naive["sample_s"],
        f"{naive['per_importer_ms']:.2f} ms each",
    )
    row(f"naive, extrapolated to {naive['importers']:,}", naive["extrapolated_s"])
    for run in [*results["full"], *[results["dry_run"]] * bool(results.get("dry_run"))]:
        job = run.get("job") or {}
        moved = (
            f"{job.get('planned', '?')} would move"
            if job.get("dry_run")
            else f"{job.get('moved', '?')} moved"
        )
        command = "reassign_accounts --full" + (" --dry-run" if job.get("dry_run") else "")
        row(
            f"{run['label']}: {command}",
            run["wall_s"],
            f"peak RSS {run['rss_mb']:.0f} MB; {job.get('examined', 0):,} examined, {moved}, "
            f"{job.get('errors', '?')} errors",
        )
        for line in phase_lines(run):
            row("", None, line)
        if run.get("vacuum"):
            v = run["vacuum"]
            row(
                "",
                None,
                f"before it: VACUUM (ANALYZE) of the rollup {v['vacuum_s']:.2f} s, "
                f"{v['dead_rows_before']:,} dead rows, {v['size_after']} after",
            )
    inc = results.get("incremental")
    if inc:
        job, p = inc.get("job") or {}, inc["reassign_phases"]
        row(f"incremental: import {inc['entries']:,} entries", inc["import_s"], f"{inc['created']}")
        row(
            "incremental: reassignment (task, in process)",
            inc["reassign_s"],
            f"{inc['touched']} importers; {job.get('examined', '?')} examined, "
            f"{job.get('moved', '?')} moved; "
            f"plan {p.get('plan', 0):.2f} s (mix query {p.get('plan: mix query', 0):.2f} s), "
            f"apply {p.get('apply (chunks)', 0):.2f} s",
        )
        cmd = inc["command"]
        row(
            "incremental: reassign_accounts --importer x N",
            cmd["wall_s"],
            f"peak RSS {cmd['rss_mb']:.0f} MB; handle() {cmd['phases'].get('command handle()', 0):.2f} s; "
            f"{(cmd.get('job') or {}).get('moved', '?')} moved",
        )
    cel = results.get("celery") or {"skipped": "not run"}
    if "skipped" in cel:
        row("celery", None, f"skipped: {cel['skipped']}")
    else:
        rss = ", ".join(f"{v:.0f}" for v in cel["worker_peak_rss_mb"].values() if v is not None)
        job = cel.get("job") or {}
        row(
            "celery: --full --celery until job finished",
            cel["wall_s"],
            f"queueing {cel['queue_command_s']:.2f} s; worker processes' peak RSS {rss} MB; "
            f"{job.get('moved', '?')} moved; finished={cel['finished']}",
        )
    for label, seconds, detail in rows:
        say(f"{label:<46} {fmt_s(seconds) if seconds is not None else '':>11}  {detail}")
    cross = results.get("cross_check")
    if cross:
        say(
            f"cross-check: naive mixes vs the rollup for {cross['checked']:,} sampled importers: "
            f"{cross['differ']} differ {cross['examples'] or ''}"
        )
    say()
    say("Ratios to the floors (wall time of the command, start-up included; handle() in brackets)")
    server, heading = floor["server"]["best_s"], floor["heading"]["best_s"]
    for run in [*results["full"], *[results["dry_run"]] * bool(results.get("dry_run"))]:
        handle = run["phases"].get("handle()", 0.0)
        moved = (run.get("job") or {}).get("moved")
        say(
            f"   {run['label']:<10} {moved if moved is not None else '-':>4} moved: "
            f"{run['wall_s'] / server:.2f}x the floor with the Center on the line ({handle / server:.2f}x), "
            f"{run['wall_s'] / heading:.2f}x the heading-join floor ({handle / heading:.2f}x)"
        )
    say()
    say("Goals")
    for name, measured, goal, met in goals(results):
        say(f"   {'met    ' if met else 'NOT MET'}  {name:<44} {measured:<12} goal {goal}")
    if baseline:
        say()
        say(f"Scaling against {baseline['database']['database']} (time ratio / line ratio: 1.0 is linear)")
        for name, ratio_lines, ratio_time in scaling(results, baseline):
            say(
                f"   {name:<40} lines x{ratio_lines:.2f}, time x{ratio_time:.2f} "
                f"-> {ratio_time / ratio_lines:.2f}"
            )
    say(f"load average at start {results['database']['loadavg_start']}, at end {os.getloadavg()}")


def goals(results: dict) -> list[tuple[str, str, str, bool]]:
    floor = results["floor"]["server"]["best_s"]
    naive = results["naive"]["extrapolated_s"]
    out = []

    def goal(name: str, measured: str, target: str, met: bool) -> None:
        out.append((name, measured, target, met))

    for run in results["full"]:
        wall, label = run["wall_s"], run["label"]
        goal(f"{label} wall time", f"{wall:.1f} s", f"<= {GOALS['full_s']:.0f} s", wall <= GOALS["full_s"])
        moves = bool((run.get("job") or {}).get("moved"))
        limit = GOALS["floor_ratio_moves" if moves else "floor_ratio"]
        ratio = wall / floor
        goal(
            f"{label} / server-side floor ({'with moves' if moves else 'steady state'})",
            f"{ratio:.2f}x",
            f"<= {limit:g}x",
            ratio <= limit,
        )
        ratio = naive / wall
        goal(
            f"naive / {label}",
            f"{ratio:.1f}x",
            f">= {GOALS['naive_ratio']:.0f}x",
            ratio >= GOALS["naive_ratio"],
        )
    commands = list(results["full"])
    if results.get("dry_run"):
        commands.append(results["dry_run"])
    if results.get("incremental"):
        commands.append(results["incremental"]["command"])
    limit = f"<= {GOALS['rss_mb']:.0f} MB"
    peak = max(r["rss_mb"] for r in commands)
    goal("peak RSS, the commands", f"{peak:.0f} MB", limit, peak <= GOALS["rss_mb"])
    cel = results.get("celery") or {}
    if cel.get("worker_peak_rss_mb"):
        worst = max(v for v in cel["worker_peak_rss_mb"].values() if v is not None)
        goal("peak RSS, each Celery worker process", f"{worst:.0f} MB", limit, worst <= GOALS["rss_mb"])
    inc = results.get("incremental")
    if inc:
        seconds = inc["reassign_s"]
        limit = f"<= {GOALS['incremental_s']:.0f} s"
        goal(
            f"incremental ({inc['entries']:,} entries)",
            f"{seconds:.2f} s",
            limit,
            seconds <= GOALS["incremental_s"],
        )
    return out


def scaling(results: dict, baseline: dict) -> list[tuple[str, float, float]]:
    lines = results["database"]["tables"]["importers_entryline"]["rows"]
    base_lines = baseline["database"]["tables"]["importers_entryline"]["rows"]
    ratio = lines / base_lines
    out = []
    if "server" in baseline["floor"]:
        base_floor = baseline["floor"]["server"]["best_s"]
        out.append(("floor (best)", ratio, results["floor"]["server"]["best_s"] / base_floor))
    for run, base in zip(results["full"], baseline["full"], strict=False):
        out.append((f"{run['label']} wall", ratio, run["wall_s"] / base["wall_s"]))
        for phase in ("prepare", "plan", "handle()"):
            if base["phases"].get(phase):
                out.append(
                    (f"{run['label']} {phase}", ratio, run["phases"].get(phase, 0) / base["phases"][phase])
                )
    return out


# --- Main ---------------------------------------------------------------------------------------------------


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_command":
        return child_main(sys.argv[2:])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=2000, help="Importers in the naive loop (default 2000)")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 6, 30), help="The run's date")
    parser.add_argument("--full-runs", type=int, default=2, help="Full recomputes in a row (default 2)")
    parser.add_argument("--floor-runs", type=int, default=3)
    parser.add_argument("--new-entries", type=int, default=1000, help="Entries for the incremental run")
    parser.add_argument("--no-incremental", action="store_true", help="Skip the incremental step")
    parser.add_argument(
        "--celery", action="store_true", help="Also run the Celery variant (own redis + worker)"
    )
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="Seed of the naive loop's sample")
    parser.add_argument(
        "--moves",
        type=int,
        default=166,
        help="Accounts put under another Center before full #1, so that it moves them back (default 166, "
        "what the first run on a fresh seed once moved; 0: none)",
    )
    parser.add_argument("--wait", type=float, default=40, help="Minutes to wait for a running seed")
    parser.add_argument("--poll", type=int, default=60, help="Seconds between checks while waiting")
    parser.add_argument("--min-lines", type=int, default=9_000_000, help="Lines that mean the seed is there")
    parser.add_argument("--json", type=Path, help="Write the results here (for --baseline later)")
    parser.add_argument("--baseline", type=Path, help="--json of a smaller run: print the scaling ratios")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="Keep a cProfile of each command run (slows the Python parts: not for the figures)",
    )
    parser.add_argument(
        "--no-vacuum",
        dest="vacuum",
        action="store_false",
        help="Do not VACUUM the rollup before each full run (see the top of this file)",
    )
    args = parser.parse_args()
    # Without REDIS_URL Celery runs tasks in process (eager), here and in the commands started below;
    # the --celery step brings its own broker.
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the seeded PostgreSQL database, e.g. "
                 "postgres://postgres:postgres@127.0.0.1:5432/cee_bench")  # fmt: skip
    import django

    django.setup()
    from importers.accounts.mix import window_start

    say(f"Checking {url.rsplit('/', 1)[1]} ...")
    importers, lines = wait_for_seed(args)
    say(f"  {importers:,} importers, {lines:,} entry lines")
    today = args.today
    results = {
        "date_run": date.today().isoformat(),
        "today": today.isoformat(),
        "window_start": window_start(today).isoformat(),
        "database": describe_database(),
    }
    say(f"floors: x{args.floor_runs} each ...")
    floors_before = measure_floor(window_start(today), args.floor_runs)
    say(f"naive ORM loop over {args.sample:,} importers ...")
    results["naive"] = measure_naive(args.sample, today=today, seed=args.seed)
    naive_mixes = results["naive"].pop("_mixes")

    say(f"bytecode of {compile_project()} project packages written (or already up to date)")
    results["displaced"] = displace_accounts(args.moves, today=today, seed=args.seed)
    say(
        f"displaced {results['displaced']} accounts (under another Center than their predominant one): "
        "full #1 moves them back"
    )
    results["full"] = []
    for n in range(1, args.full_runs + 1):
        say(f"full #{n}: reassign_accounts --full ...")
        vacuum = vacuum_rollup() if args.vacuum else None
        before = last_job_id()
        run = run_command(
            ["reassign_accounts", "--full", f"--today={today.isoformat()}"],
            label=f"full #{n}",
            profile_dir=args.profile,
        )
        jobs = jobs_since(before)
        run["job"] = jobs[-1] if jobs else None
        run["vacuum"] = vacuum
        results["full"].append(run)
        say(f"  {run['wall_s']:.2f} s, {run['rss_mb']:.0f} MB, {run['job']}")

    say("dry run: reassign_accounts --full --dry-run ...")
    vacuum = vacuum_rollup() if args.vacuum else None
    before = last_job_id()
    dry = run_command(
        ["reassign_accounts", "--full", "--dry-run", f"--today={today.isoformat()}"],
        label="dry run",
        profile_dir=args.profile,
    )
    dry["job"] = (jobs_since(before) or [{}])[-1]
    dry["vacuum"] = vacuum
    results["dry_run"] = dry
    say(f"floors again, after the full runs: x{args.floor_runs} each ...")
    results["floor"] = merge_floors(floors_before, measure_floor(window_start(today), args.floor_runs))
    results["cross_check"] = cross_check(naive_mixes, today)

    if not args.no_incremental:
        say(f"incremental: import {args.new_entries:,} new entries, then reassign the touched importers ...")
        results["incremental"] = measure_incremental(
            args.new_entries, today=today, seed=args.seed, profile_dir=args.profile
        )
    if args.celery:
        say("celery: reassign_accounts --full --celery with a 2-process worker ...")
        if args.vacuum:
            vacuum_rollup()
        results["celery"] = measure_celery(today=today, concurrency=args.celery_concurrency, timeout_s=1800)
    else:
        results["celery"] = {"skipped": "not requested (--celery)"}

    baseline = json.loads(args.baseline.read_text()) if args.baseline else None
    report(results, baseline)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
        say(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
