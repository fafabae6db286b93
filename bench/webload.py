"""The load generator and CPU meters of bench/web.py: stdlib only, so the generator stays light.

A fixed number of threads, each with its own keep-alive connection (`http.client`), sends requests
back to back (closed loop: a thread waits for its answer before the next request) until a time or a
count is reached, then stops by itself. Each request's latency is measured around the whole exchange
(send, wait, read the body). CPU is read from /proc: this process (the generator), the PostgreSQL
backends serving the bench database, the gunicorn workers, and the whole machine (what the other
engineers' jobs on the shared cores took meanwhile).
"""

import http.client
import os
import random
import resource
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CPUS = os.cpu_count() or 1


@dataclass(frozen=True)
class Request:
    name: str
    method: str
    path: str
    headers: dict
    body: bytes | None = None
    ok: tuple[int, ...] = (200,)


# A request factory: (thread's random generator) -> the next request to send.
Pick = Callable[[random.Random], Request]


@dataclass
class Sample:
    name: str
    ms: float
    status: int  # 0 when the exchange failed (connection refused, reset, timeout)
    ok: bool


@dataclass
class LoadResult:
    samples: list[Sample]
    seconds: float
    concurrency: int
    generator_cpu: float  # CPU seconds this process used
    errors: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.samples)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.samples if not s.ok)

    def by_name(self) -> dict[str, list[Sample]]:
        out: dict[str, list[Sample]] = {}
        for s in self.samples:
            out.setdefault(s.name, []).append(s)
        return out


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summary(samples: Iterable[Sample]) -> dict:
    samples = list(samples)
    ms = sorted(s.ms for s in samples)
    return {
        "n": len(ms),
        "errors": sum(1 for s in samples if not s.ok),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": ms[-1] if ms else float("nan"),
    }


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_load(
    host: str,
    port: int,
    pick: Pick,
    *,
    concurrency: int,
    seconds: float | None = None,
    requests: int | None = None,
    rate: float | None = None,
    seed: int = 1,
) -> LoadResult:
    """Send requests from `concurrency` threads until `seconds` pass or `requests` are sent in all.

    Without `rate` each thread sends its next request as soon as the last is answered (closed loop:
    the most the server gives at this concurrency). With `rate` (requests/s in all) each thread keeps
    to its share of a fixed schedule, so latencies are measured at a set load rather than at
    saturation; a thread that falls behind sends at once and does not catch up with a burst.
    """
    assert seconds or requests, "give a duration or a request count"
    samples: list[Sample] = []
    errors: list[str] = []
    lock = threading.Lock()
    budget = [requests if requests is not None else float("inf")]
    started = time.perf_counter()
    deadline = started + seconds if seconds else float("inf")

    def take() -> bool:
        with lock:
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            return True

    def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        local: list[Sample] = []
        interval = concurrency / rate if rate else 0.0
        next_at = started + interval * n / concurrency  # threads staggered over one interval
        while time.perf_counter() < deadline and take():
            if interval:
                wait = next_at - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                next_at = max(next_at + interval, time.perf_counter())
            req = pick(rng)
            t0 = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body, headers=req.headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status = 0
                with lock:
                    if len(errors) < 20:
                        errors.append(f"{req.name} {req.path}: {exc!r}")
            ms = (time.perf_counter() - t0) * 1000
            ok = status in req.ok
            if not ok and status and len(errors) < 20:
                with lock:
                    errors.append(f"{req.name} {req.method} {req.path}: HTTP {status}")
            local.append(Sample(req.name, ms, status, ok))
        conn.close()
        with lock:
            samples.extend(local)

    cpu0 = _cpu_self()
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return LoadResult(samples, elapsed, concurrency, _cpu_self() - cpu0, errors)


# --- CPU meters (/proc) -------------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return total - idle, total


def all_postgres_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class CpuWindow:
    """CPU used over a window by groups of processes, and by the whole machine.

    `groups` maps a name to a function listing that group's pids; each is called at the start and at
    the end, and a pid found only at the end counts from zero (it started inside the window).
    """

    def __init__(self, groups: dict[str, Callable[[], list[int]]]):
        self.groups = groups

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.machine0 = machine_jiffies()
        self.start = {name: {p: process_cpu(p) for p in pids()} for name, pids in self.groups.items()}
        self.load0 = os.getloadavg()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        busy1, total1 = machine_jiffies()
        busy0, total0 = self.machine0
        self.machine_busy = (busy1 - busy0) / max(total1 - total0, 1)  # 0..1 of all CPUs
        self.cpu = {}
        for name, pids in self.groups.items():
            before = self.start[name]
            now = {p: process_cpu(p) for p in set(pids()) | set(before)}
            self.cpu[name] = sum(max(now[p] - before.get(p, 0.0), 0.0) for p in now)
        self.load1 = os.getloadavg()
        return False

    def share(self, name: str) -> float:
        """A group's CPU as a share of the machine's capacity (all CPUs) over the window."""
        return self.cpu[name] / (self.seconds * CPUS)
