"""Web benchmark: the workspace pages, the API case list and a mixed load, against gunicorn on loopback.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cee_web_bench \
        .venv/bin/python bench/web.py [pages|api|mixed|queries|all] [options]      (make bench-web)

It needs a database seeded with cases (`bench/seed_demo.py --cases 1000000`). It collects the static
files, prepares its bench users and data through the services (bench/webfixtures.py), starts
gunicorn in production mode (DEBUG=0, a bench SECRET_KEY, static files by whitenoise) with 2 workers
on 127.0.0.1, waits for /healthz, runs the scenarios, prints the figures and stops gunicorn.

- pages (issue 12 item 12): one request at a time, --runs each after warm-up: the queue's first page
  and a deep keyset page (the busiest Center, open, by deadline) as its specialist, the national
  queue, the case page of a case with 50 events, the dashboard of the Center and the national one.
- api (issue 14 item 5): GET /api/v1/cases/ as the specialist and as an importer user, token auth,
  --concurrency clients for --seconds each.
- mixed (issue 15 item 4): staff pages and API, importer API list, 1520(d) filings and document
  downloads at once, --concurrency clients for --seconds.
- queries: the same pages in process (Django's test client), with the number of SQL queries of each.

Every load scenario reports requests/s, p50/p95/p99, errors, and the CPU share (of the whole 2-core
machine) of the load generator (this process), of gunicorn, of the PostgreSQL backends serving the
bench database, and of the whole machine (the rest is other people's work on the shared cores).
The API throttle is raised for the run (API_THROTTLE_USER_RATE): the default 1,200 requests a
minute per user would refuse a single bench user at 20 requests/s; the throttle still runs.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project first: this file's own folder (bench/, sys.path[0]) would make "web" this script.
sys.path.insert(0, str(ROOT))

from webload import (  # noqa: E402
    CPUS,
    CpuWindow,
    Request,
    all_postgres_pids,
    children,
    run_load,
    summary,
)

DATA = ROOT / "bench" / "data"
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "cee_portal.settings",
    "DEBUG": "0",
    "SECRET_KEY": "webbench-not-a-secret-" + "k" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    # Plain HTTP on loopback: production redirects to HTTPS behind its proxy.
    "SECURE_SSL_REDIRECT": "0",
    "TRUSTED_PROXY_HOPS": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    # Filings queue their side effects for a Celery worker, as in production; none runs here, and
    # the queue (this Redis database, the bench's own) is emptied when the bench ends.
    "REDIS_URL": os.environ.get("WEB_BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"),
    "API_THROTTLE_USER_RATE": "1000000/min",
    "DOCUMENTS_ROOT": str(DATA / "web-documents"),
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "600",
}


# --- The server ---------------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, port: int, workers: int, worker_class: str, threads: int):
        self.port, self.workers, self.worker_class, self.threads = port, workers, worker_class, threads

    def __enter__(self):
        DATA.mkdir(parents=True, exist_ok=True)
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "cee_portal.wsgi",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "--error-logfile",
            str(DATA / "web-gunicorn.log"),
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited ({self.process.returncode}); see {DATA / 'web-gunicorn.log'}"
                )
            time.sleep(0.5)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz in 60 s")

    def pids(self) -> list[int]:
        return children(self.process.pid)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return False


def bench_db_pids() -> list[int]:
    """The PostgreSQL backends connected to the bench database (gunicorn's, kept open by CONN_MAX_AGE)."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [r[0] for r in rows]


# --- Requests ------------------------------------------------------------------------------------------


def page(name: str, path: str, user) -> Request:
    return Request(name, "GET", path, {"Cookie": f"sessionid={user.session}", "Host": "127.0.0.1"})


def api(name: str, path: str, user, *, method="GET", body=None, ok=(200,), extra=None) -> Request:
    headers = {"Authorization": f"Token {user.token}", "Host": "127.0.0.1", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    headers.update(extra or {})
    return Request(name, method, path, headers, body, ok)


def page_requests(fx) -> list[Request]:
    s, n = fx.specialist, fx.national
    return [
        page("queue, first page (Center, open)", "/queue/", s),
        page(f"queue, deep page (row {fx.deep_position:,})", f"/queue/?cursor={fx.deep_cursor}", s),
        page("queue, national first page", "/queue/?center=all", n),
        page("queue counts (htmx, Center)", "/queue/counts/", s),
        page(f"case page ({50} events)", f"/cases/{fx.case_50}/", s),
        page("dashboard, Center", "/dashboard/", s),
        page("dashboard, national", "/dashboard/?center=all", n),
    ]


def mixed_pick(fx):
    """Staff and importer traffic: weights in per cent of requests."""
    s, n, imp = fx.specialist, fx.national, fx.importers
    filings = {u.importer_ior: list(fx.pic_entries.get(u.importer_ior, ())) for u in imp}
    docs = fx.documents

    def file_pic(rng):
        user = rng.choice([u for u in imp if filings[u.importer_ior]] or imp)
        entries = filings[user.importer_ior]
        number = entries.pop() if entries else "00000000000"
        body = json.dumps(
            {"entry_number": number, "agreement": fx.agreement, "certificate_of_origin": "bench CO 1"}
        ).encode()
        return api(
            "importer: file 1520(d) claim (API)",
            "/api/v1/filings/pics/",
            user,
            method="POST",
            body=body,
            ok=(201,),
            extra={"Idempotency-Key": str(uuid.uuid4())},
        )

    table = [
        (20, lambda r: page("staff: queue first page", "/queue/", s)),
        (5, lambda r: page("staff: queue deep page", f"/queue/?cursor={fx.deep_cursor}", s)),
        (5, lambda r: page("staff: queue counts", "/queue/counts/", s)),
        (15, lambda r: page("staff: case page", f"/cases/{r.choice(fx.center_cases)}/", s)),
        (5, lambda r: page("staff: case page (50 events)", f"/cases/{fx.case_50}/", s)),
        (10, lambda r: api("staff: API case list", "/api/v1/cases/", s)),
        (5, lambda r: api("national: API case list", "/api/v1/cases/?center=all", n)),
        (20, lambda r: api("importer: API case list", "/api/v1/cases/", r.choice(imp))),
        (
            10,
            lambda r: api(
                "importer: document download (API)",
                "/api/v1/cases/{}/documents/{}/".format(*r.choice(docs)[:2]),
                imp[0],
            ),
        ),
        (5, file_pic),
    ]
    weights = [w for w, _ in table]
    makers = [m for _, m in table]

    def pick(rng: random.Random) -> Request:
        return rng.choices(makers, weights)[0](rng)

    return pick


# --- Reporting -----------------------------------------------------------------------------------------


# The goals of issue 12 (pages) and issue 14 (API) that issue 15 item 4 asks to hold under the mix:
# request name -> {statistic: at most ms}.
MIXED_GOALS = {
    "staff: queue first page": {"p50": 50, "p95": 100},
    "staff: queue deep page": {"p50": 50, "p95": 100},
    "staff: case page (50 events)": {"p50": 60},
    "staff: API case list": {"p95": 100},
    "national: API case list": {"p95": 100},
    "importer: API case list": {"p95": 100},
}


def goal_verdicts(per_name: dict) -> list[str]:
    """'met'/'MISSED' per goal of MIXED_GOALS that the load's requests measured."""
    out = []
    for name, goals in MIXED_GOALS.items():
        if name not in per_name:
            continue
        for stat, limit in goals.items():
            value = per_name[name][stat]
            out.append(f"{name} {stat} {value:.1f} ms <= {limit}: {'met' if value <= limit else 'MISSED'}")
    return out


def load_report(title: str, result, window) -> dict:
    overall = summary(result.samples)
    rate = result.count / result.seconds
    shares = {
        "generator": result.generator_cpu / (window.seconds * CPUS),
        "gunicorn": window.share("gunicorn"),
        "postgres (bench db)": window.share("postgres_bench"),
        "postgres (all)": window.share("postgres_all"),
        "machine": window.machine_busy,
    }
    print(f"\n{title}: {result.concurrency} clients, {result.seconds:.1f} s, {result.count:,} requests")
    print(
        f"  {rate:.1f} req/s   p50 {overall['p50']:.1f} ms   p95 {overall['p95']:.1f} ms   "
        f"p99 {overall['p99']:.1f} ms   max {overall['max']:.1f} ms   errors {overall['errors']}"
    )
    print("  CPU share of the 2-core machine: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))
    # CPU per request: what a request costs whatever else shares the cores (wall times do not).
    per_request = {
        "gunicorn": window.cpu["gunicorn"] * 1000 / max(result.count, 1),
        "postgres": window.cpu["postgres_bench"] * 1000 / max(result.count, 1),
        "generator": result.generator_cpu * 1000 / max(result.count, 1),
    }
    print("  CPU ms per request: " + ", ".join(f"{k} {v:.1f}" for k, v in per_request.items()))
    print(f"  load average {window.load0[0]:.2f} -> {window.load1[0]:.2f}")
    per_name = {}
    if len(result.by_name()) > 1:
        print(f"  {'request':44} {'n':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'err':>4}")
        for name, samples in sorted(result.by_name().items()):
            s = summary(samples)
            per_name[name] = {**s, "rate": s["n"] / result.seconds}
            print(
                f"  {name:44} {s['n']:6d} {s['n'] / result.seconds:7.1f} {s['p50']:7.1f} "
                f"{s['p95']:7.1f} {s['p99']:7.1f} {s['errors']:4d}"
            )
    verdicts = goal_verdicts(per_name)
    for verdict in verdicts:
        print(f"  goal: {verdict}")
    for error in result.errors[:10]:
        print(f"  ! {error}")
    return {
        "goals": verdicts,
        "title": title,
        "rate": rate,
        **overall,
        "cpu": shares,
        "cpu_ms_per_request": per_request,
        "per_request": per_name,
        "concurrency": result.concurrency,
        "seconds": result.seconds,
        "load": [window.load0, window.load1],
    }


def measured(server, run):
    groups = {
        "gunicorn": server.pids,
        "postgres_bench": bench_db_pids,
        "postgres_all": all_postgres_pids,
    }
    with CpuWindow(groups) as window:
        result = run()
    return result, window


# --- Scenarios -----------------------------------------------------------------------------------------


def scenario_pages(server, fx, args) -> list[dict]:
    out = []
    print(
        f"\nPages, one request at a time, {args.runs} runs each ({args.dashboard_runs} of the dashboards) "
        f"after {args.warmup} warm-up:"
    )
    print("  (CPU: ms of CPU per request in gunicorn and in PostgreSQL; with one request at a time, the")
    print("  latency on an idle machine is about their sum plus the loopback round trip)")
    print(
        f"  {'page':44} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max':>8} {'err':>4} "
        f"{'gunicorn CPU':>12} {'pg CPU':>7} {'load':>5}"
    )
    for request in page_requests(fx):
        # The dashboard takes seconds a request on the 1M-case seed: fewer runs keep the bench short.
        runs = min(args.runs, args.dashboard_runs) if request.name.startswith("dashboard") else args.runs
        run_load("127.0.0.1", args.port, lambda r, q=request: q, concurrency=1, requests=args.warmup)
        result, window = measured(
            server,
            lambda q=request, n=runs: run_load(
                "127.0.0.1", args.port, lambda r: q, concurrency=1, requests=n
            ),
        )
        s = summary(result.samples)
        cpu = {
            name: window.cpu[name] * 1000 / max(result.count, 1) for name in ("gunicorn", "postgres_bench")
        }
        print(
            f"  {request.name:44} {s['p50']:8.1f} {s['p95']:8.1f} {s['p99']:8.1f} {s['max']:8.1f} "
            f"{s['errors']:4d} {cpu['gunicorn']:12.1f} {cpu['postgres_bench']:7.1f} {window.load1[0]:5.2f}"
        )
        for error in result.errors[:3]:
            print(f"  ! {error}")
        out.append(
            {
                "page": request.name,
                "path": request.path,
                **s,
                "cpu_ms": cpu,
                "machine": window.machine_busy,
                "load": window.load1[0],
            }
        )
    return out


def scenario_api(server, fx, args) -> list[dict]:
    out = []
    for label, user in (("staff (specialist)", fx.specialist), ("importer", fx.importers[0])):
        request = api(f"API case list as {label}", "/api/v1/cases/", user)
        run_load("127.0.0.1", args.port, lambda r, q=request: q, concurrency=args.concurrency, seconds=3)
        result, window = measured(
            server,
            lambda q=request: run_load(
                "127.0.0.1", args.port, lambda r: q, concurrency=args.concurrency, seconds=args.seconds
            ),
        )
        out.append(load_report(request.name, result, window))
    return out


def scenario_mixed(server, fx, args) -> list[dict]:
    pick = mixed_pick(fx)
    warm = [q for q in page_requests(fx)]
    run_load("127.0.0.1", args.port, lambda r: r.choice(warm), concurrency=args.concurrency, seconds=3)
    out = []
    # At saturation (closed loop), then at fixed rates below it: do the goals hold at that load?
    for rate in [None, *args.mixed_rates]:
        result, window = measured(
            server,
            lambda rate=rate: run_load(
                "127.0.0.1", args.port, pick, concurrency=args.concurrency, seconds=args.seconds, rate=rate
            ),
        )
        title = "Mixed load, closed loop" if rate is None else f"Mixed load at {rate:g} req/s"
        out.append(load_report(title, result, window))
    return out


def scenario_queries(fx, args) -> list[dict]:
    """Each page in process, with its SQL query count (and, with BENCH_SQL=1, each query's time)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = []
    print(f"\n{'page':44} {'status':>6} {'queries':>8} {'SQL ms':>8} {'CPU ms':>7}")
    requests = page_requests(fx) + [
        api("API case list (staff)", "/api/v1/cases/", fx.specialist),
        api("API case list (importer)", "/api/v1/cases/", fx.importers[0]),
    ]
    for request in requests:
        client = Client(HTTP_HOST="127.0.0.1")
        headers = {k: v for k, v in request.headers.items() if k not in {"Host", "Cookie"}}
        if "Cookie" in request.headers:
            client.cookies["sessionid"] = request.headers["Cookie"].split("=", 1)[1]
        client.get(request.path, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(request.path, headers=headers).status_code
        # Copied before the next request empties the query log.
        captured = list(queries.captured_queries)
        sql_ms, count = sum(float(q["time"]) for q in captured) * 1000, len(captured)
        # Python CPU per request (this process only: not the database's), robust to other jobs on
        # the shared cores, unlike wall time. The median of --cpu-runs requests.
        cpu = []
        for _ in range(args.cpu_runs):
            t0 = time.process_time()
            client.get(request.path, headers=headers)
            cpu.append((time.process_time() - t0) * 1000)
        cpu_ms = sorted(cpu)[len(cpu) // 2]
        print(f"{request.name:44} {status:6d} {count:8d} {sql_ms:8.1f} {cpu_ms:7.1f}")
        if os.environ.get("BENCH_SQL"):
            for q in captured:
                print(f"    {float(q['time']) * 1000:8.1f} ms  {q['sql'][:400]}")
        out.append(
            {
                "page": request.name,
                "queries": count,
                "sql_ms": sql_ms,
                "cpu_ms": cpu_ms,
                "status": status,
            }
        )
    connection.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "scenario", nargs="*", default=["all"], choices=["pages", "api", "mixed", "queries", "all"]
    )
    parser.add_argument("--port", type=int, default=8301)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--runs", type=int, default=100, help="requests per page (pages)")
    parser.add_argument("--dashboard-runs", type=int, default=20, help="requests per dashboard (pages)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--cpu-runs", type=int, default=21, help="requests per page for CPU time (queries)")
    parser.add_argument("--concurrency", type=int, default=8, help="clients (api, mixed)")
    parser.add_argument("--seconds", type=float, default=30, help="duration of each load (api, mixed)")
    parser.add_argument(
        "--mixed-rates", type=float, nargs="*", default=[20, 40], help="fixed rates (req/s) for mixed"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        parser.error("set DATABASE_URL to the seeded bench database")
    scenarios = ["pages", "api", "mixed"] if "all" in args.scenario else args.scenario

    os.environ.update(SERVER_ENV)
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    print(f"{started}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {CPUS} CPUs")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from webfixtures import prepare

    t0 = time.perf_counter()
    fx = prepare()
    print(
        f"Fixtures in {time.perf_counter() - t0:.1f} s: Center {fx.center} ({fx.center_open:,} open cases), "
        f"importers {', '.join(u.importer_ior for u in fx.importers)}, case {fx.case_50}, "
        f"{len(fx.documents)} documents, "
        f"{sum(len(v) for v in fx.pic_entries.values())} entries to file 1520(d) claims on ({fx.agreement})"
    )
    figures = {"started": started, "args": {k: str(v) for k, v in vars(args).items()}}
    if "queries" in scenarios:
        figures["queries"] = scenario_queries(fx, args)
    served = [s for s in scenarios if s != "queries"]
    runners = {"pages": scenario_pages, "api": scenario_api, "mixed": scenario_mixed}
    try:
        if served:
            with Gunicorn(args.port, args.workers, args.worker_class, args.threads) as server:
                print(
                    f"gunicorn: {args.workers} {args.worker_class} workers x {args.threads} threads, "
                    f"port {args.port}, pids {server.pids()}"
                )
                for name in served:
                    figures[name] = runners[name](server, fx, args)
    finally:
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
