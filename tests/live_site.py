"""Real processes for the reliability tests (docs/reliability.md): the site under gunicorn, a Celery
worker, a throwaway PostgreSQL cluster. Each is started as a subprocess of the test, pointed at a
database by DATABASE_URL, and stopped by its own process id (never by name).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
# Ports for servers these tests start (the range given to this work; any free one in it).
PORTS = range(
    int(os.environ.get("FAULT_TEST_PORT_MIN", 8501)), int(os.environ.get("FAULT_TEST_PORT_MAX", 8549)) + 1
)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def database_url(settings_dict: dict, name: str | None = None) -> str:
    s = settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{name or s['NAME']}"


def site_env(database: str, **extra: str) -> dict:
    """The environment of a process of the site: the test's own, pointed at `database`."""
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database,
        # Same key as the test process, so the sessions the test creates are valid in the site.
        "SECRET_KEY": settings.SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, threads: int = 8, log: Path):
    """The site under gunicorn (gthread), as production runs it; yields its base URL."""
    port = free_port()
    command = [
        str(GUNICORN),
        "cee_portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--backlog",
        "256",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url + "/accounts/login/"), seconds=60, what=f"gunicorn on {url}", log=log)
        yield url
    finally:
        stop(process)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


def wait_for(check, *, seconds: float, what: str, log: Path | None = None, every: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what} not ready after {seconds} s\n{tail}")


def stop(process: subprocess.Popen, *, sig: int = signal.SIGTERM, seconds: float = 15) -> None:
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def manage(env: dict, *args: str, timeout: float = 180) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# --- A throwaway PostgreSQL cluster -----------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The server binaries (initdb, pg_ctl) of the newest installed PostgreSQL, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


class Cluster:
    """A PostgreSQL cluster of its own, made by `initdb` in a temporary folder on a free port.

    Never the suite's cluster: it has its own data folder, socket folder and port, and is removed at
    the end. PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user.
    """

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cee-fault-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])

    def init(self) -> "Cluster":
        # trust on loopback: a throwaway cluster on a private port, removed at the end.
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres:unused@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [
                    *self.as_user,
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.dir, ignore_errors=True)
