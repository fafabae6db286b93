"""Benchmark stub: the dashboard and the account-move pages, timed in process (issue 12, item 12).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cee_bench \
        .venv/bin/python bench/dashboard.py [--runs 30] [--path /dashboard/?center=all ...]

A stub, not yet the issue's method (gunicorn on loopback and an HTTP client): it signs in a national
supervisor with Django's test client and requests each page --runs times after one warm-up, printing
the median and 95th percentile of the wall clock, the median CPU time of this process (what the page
costs the web worker, less sensitive than the wall clock to other work on a shared machine; the
database's own time is not in it) and the number of queries of each. It uses a database already seeded
(`manage.py seed_demo --cases N`, or bench/seed_demo.py) and writes nothing but its bench user and,
with --refresh N, the dashboard's snapshots: the refresh (cases.services.dashboards) is then timed N
times before the pages, and the direct count (cases.selectors.dashboard, what the page read before
the snapshots) is timed beside the snapshot's read, national and for CEE010.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cee_portal.settings")
os.environ.setdefault("DEBUG", "1")

PATHS = ["/dashboard/?center=all", "/dashboard/?center=CEE010", "/moves/", "/moves/runs/"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--refresh", type=int, default=0, help="time the dashboard refresh this many times")
    parser.add_argument(
        "--path", action="append", help="a page to time (repeatable); default: " + " ".join(PATHS)
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cases.models import Case
    from cee_portal.users.models import User

    if not Case.objects.exists():
        print(
            "No cases: seed first, e.g. manage.py seed_demo --importers 2000 --entries 40000 --cases 100000"
        )
        return 1
    user, _ = User.objects.get_or_create(username="bench-national", defaults={"role": User.Role.SUPERVISOR})
    request_started.disconnect(reset_queries)  # or each request would empty the captured queries
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    total, open_ = Case.objects.count(), Case.objects.filter(is_open=True).count()
    print(f"{total:,} cases, {open_:,} open; {args.runs} runs each")
    if args.refresh:
        _refresh_and_direct(user, args.refresh)
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8}")
    for path in args.path or PATHS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path  # warm-up, and the query count
        times, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(
            f"{path:32} {statistics.median(times):10.1f} {p95:8.1f} {statistics.median(cpu):8.1f} "
            f"{len(queries):8d}"
        )
        if os.environ.get("BENCH_SQL"):
            for query in queries.captured_queries:
                print(f"  {float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}")
    return 0


def _refresh_and_direct(user, times: int) -> None:
    from cases.selectors import dashboard, dashboard_summary
    from cases.services.dashboards import refresh_dashboard
    from importers.models import Center

    refreshes = []
    for _ in range(times):
        started = time.perf_counter()
        refresh_dashboard()
        refreshes.append((time.perf_counter() - started) * 1000)
    print(f"refresh: {', '.join(f'{t:.0f}' for t in refreshes)} ms")
    machinery = Center.objects.get(ace_id="CEE010")
    for label, direct, summary in (
        ("national", lambda: dashboard(user, {"center": "all"}), lambda: dashboard_summary(user, None)),
        ("CEE010", lambda: dashboard(user, {"center": "CEE010"}), lambda: dashboard_summary(user, machinery)),
    ):
        timed = []
        for read in (direct, summary):
            started = time.perf_counter()
            read()
            timed.append((time.perf_counter() - started) * 1000)
        print(f"selector, {label}: direct count {timed[0]:.0f} ms, snapshot {timed[1]:.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
