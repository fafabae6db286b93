"""Past one machine (issue 15 item 5): queues per kind of job, and exactly one Celery beat.

The beat lock is exercised against the real Redis (REDIS_URL), each test under its own key: a second
lock is refused while the first is held, taken once it is released or expired; a beat that lost its
lock stops. Two real `celery beat` processes: the second exits with the reason, the first runs on.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from cee_portal.celery import app
from cee_portal.operations.beat import BeatLock, BeatLockHeld, SingleBeatScheduler

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")
ROOT = Path(__file__).resolve().parents[2]


def test_each_kind_of_job_has_its_queue_and_a_worker_without_q_consumes_them_all():
    import cases.tasks  # noqa: F401  (the task modules a worker's autodiscovery imports)
    import cee_portal.operations.tasks  # noqa: F401
    import importers.tasks  # noqa: F401

    routed = {
        name: app.amqp.router.route({}, name, (), {}, app.tasks[name])["queue"].name
        for name in (
            "operations.drain_outbox",
            "cases.run_deadline_sweeps",
            "importers.reassign_accounts",
            "importers.apply_reassignment_chunk",
            "importers.reresolve_lines",
            "cases.refresh_dashboard",
            "cee_portal.ping",
        )
    }
    assert routed == {
        "operations.drain_outbox": "outbox",
        "cases.run_deadline_sweeps": "sweeps",
        "importers.reassign_accounts": "reassignment",
        "importers.apply_reassignment_chunk": "reassignment",
        "importers.reresolve_lines": "lines",
        "cases.refresh_dashboard": "sweeps",
        "cee_portal.ping": "celery",
    }
    # Declared queues are what `celery worker` without -Q consumes: every job still runs on one machine.
    assert {q.name for q in app.conf.task_queues} == {"celery", "outbox", "sweeps", "reassignment", "lines"}
    # Every periodic job is routed to a declared queue.
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert (
            app.amqp.router.route({}, entry["task"], (), {}, app.tasks[entry["task"]])["queue"].name
            in app.amqp.queues
        )


def test_beat_uses_the_single_beat_scheduler():
    assert app.conf.beat_scheduler == "cee_portal.operations.beat:SingleBeatScheduler"


@pytest.fixture
def key():
    name = f"cee-portal-test-beat-{uuid.uuid4().hex}"
    yield name
    BeatLock(os.environ["REDIS_URL"], key=name, ttl=1).client.delete(name)


@needs_redis
def test_a_second_lock_is_refused_while_the_first_is_held_and_taken_once_released(key):
    url = os.environ["REDIS_URL"]
    first, second = BeatLock(url, key=key, ttl=30), BeatLock(url, key=key, ttl=30)
    first.acquire()
    with pytest.raises(BeatLockHeld) as refused:
        second.acquire()
    assert first.token in refused.value.message and "only one beat may run" in refused.value.message
    first.renew()  # still ours
    first.release()
    second.acquire()
    with pytest.raises(BeatLockHeld):
        first.renew()  # released, then taken by the other: the first must stop


@needs_redis
def test_an_expired_lock_passes_to_the_next_beat_and_the_paused_one_stops(key):
    url = os.environ["REDIS_URL"]
    first, second = BeatLock(url, key=key, ttl=0.3), BeatLock(url, key=key, ttl=30)
    first.acquire()
    time.sleep(0.5)  # the holder died or paused past the time to live
    second.acquire()
    with pytest.raises(BeatLockHeld) as stopped:
        first.renew()
    assert "lost" in stopped.value.message
    first.release()  # releasing a lock that is no longer ours leaves the new holder's alone
    second.renew()


@needs_redis
def test_the_scheduler_takes_the_lock_before_its_first_tick_and_renews_it(key, settings, tmp_path):
    settings.BEAT_LOCK_KEY, settings.BEAT_LOCK_TTL = key, 30
    scheduler = SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / "one"), lazy=False)
    try:
        with pytest.raises(BeatLockHeld):
            SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / "two"), lazy=False)
        assert scheduler.beat_lock.client.pttl(key) > 20_000
    finally:
        scheduler.beat_lock.release()


@needs_redis
def test_two_beat_processes_one_runs_and_the_other_exits_with_the_reason(key, tmp_path):
    env = {**os.environ, "DEBUG": "1", "BEAT_LOCK_KEY": key, "BEAT_LOCK_TTL": "30"}
    celery = Path(sys.executable).with_name("celery")

    def beat(name: str) -> subprocess.Popen:
        return subprocess.Popen(
            [str(celery), "-A", "cee_portal", "beat", "--loglevel", "INFO", "-s", str(tmp_path / name),
             "--pidfile", ""],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip

    lock = BeatLock(os.environ["REDIS_URL"], key=key, ttl=1)
    first = beat("first")
    try:
        for _ in range(150):
            if lock.client.get(key) or first.poll() is not None:
                break
            time.sleep(0.2)
        assert first.poll() is None, first.stdout.read()
        holder = lock.client.get(key).decode()
        second = beat("second")
        output, _ = second.communicate(timeout=60)
        assert second.returncode != 0 and "only one beat may run" in output, output
        assert first.poll() is None and lock.client.get(key).decode() == holder
    finally:
        first.terminate()
        first.communicate(timeout=30)
    assert lock.client.get(key) is None  # released on a clean stop: a replacement starts at once


@pytest.mark.django_db
def test_every_periodic_job_can_be_rerun_by_hand_with_a_management_command():
    """docs/operations.md lists each beat entry with its command; the outbox's is drain_outbox."""
    from io import StringIO

    from django.core.management import call_command

    from cee_portal.operations.models import OutboxMessage

    OutboxMessage.objects.create(topic="account.moved", payload={"importer": 0})
    out = StringIO()
    call_command("drain_outbox", stdout=out)
    assert "Outbox:" in out.getvalue() and "delivered" in out.getvalue()
    assert OutboxMessage.objects.get().attempts == 1  # tried: delivered or failed, never skipped
    commands = {
        "drain-outbox": "drain_outbox",
        "deadline-sweeps": "run_deadline_sweeps",
        "reassign-accounts": "reassign_accounts",
        "refresh-dashboard": "refresh_dashboard",
    }
    assert set(settings.CELERY_BEAT_SCHEDULE) == set(commands)
    from django.core.management import get_commands

    assert set(commands.values()) <= set(get_commands())
