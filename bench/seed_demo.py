"""Time `manage.py seed_demo` on PostgreSQL, in a benchmark database kept apart from development.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cee_bench .venv/bin/python bench/seed_demo.py
    .venv/bin/python bench/seed_demo.py --importers 20000 --entries 200000     # the 1M-line size
    .venv/bin/python bench/seed_demo.py --keep                                # reuse a seeded database

The database is created when missing (createdb), migrated and given the reference data. Without
--keep it is dropped and created again first, so every run measures a seed into empty tables; only
databases whose name contains "bench" are ever dropped. Results go in docs/benchmarks.md.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres:postgres@127.0.0.1:5432/cee_bench"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--importers", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--lines-per-entry", type=float, default=5)
    parser.add_argument("--cases", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default="2026-06-30", help="Fixed, so runs are comparable")
    parser.add_argument("--keep", action="store_true", help="Reuse the database; skip seeding if seeded")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"DATABASE_URL must name a PostgreSQL database, got {parts.scheme!r}")
    name = parts.path.lstrip("/")
    pg_env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": unquote(parts.username or "postgres"),
        "PGPASSWORD": unquote(parts.password or ""),
    }
    django_env = {**os.environ, "DATABASE_URL": url, "DEBUG": os.environ.get("DEBUG", "1")}
    python = sys.executable

    exists = _psql(pg_env, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and not args.keep:
        if "bench" not in name:
            sys.exit(f"Refusing to drop {name!r}: only databases named *bench* are recreated (or use --keep)")
        subprocess.run(["dropdb", "--force", name], env=pg_env, check=True)
        exists = False
    if not exists:
        subprocess.run(["createdb", name], env=pg_env, check=True)
        print(f"Created database {name}")

    timings = {}
    started = time.perf_counter()
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=django_env, check=True)
    subprocess.run([python, "manage.py", "load_reference_data"], cwd=ROOT, env=django_env, check=True)
    timings["migrate + reference data"] = time.perf_counter() - started

    command = [
        python,
        "manage.py",
        "seed_demo",
        f"--importers={args.importers}",
        f"--entries={args.entries}",
        f"--lines-per-entry={args.lines_per_entry}",
        f"--cases={args.cases}",
        f"--seed={args.seed}",
        f"--today={args.today}",
    ]
    print("$", " ".join(command[1:]))
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=django_env, check=True)
    timings["seed_demo (wall clock)"] = time.perf_counter() - started

    print()
    for table in (
        "importers_importer",
        "importers_entry",
        "importers_entryline",
        "importers_importermonthlymix",
    ):
        rows = _psql(pg_env, f"SELECT count(*) FROM {table}", database=name)
        size = _psql(pg_env, f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))", database=name)
        print(f"{table:<32} {int(rows):>12,} rows  {size}")
    for what, seconds in timings.items():
        print(f"{what:<32} {seconds:>8.1f} s")
    return 0


def _psql(env: dict, sql: str, database: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "-d", database, "-tAc", sql], env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
