"""Issue 15 item 2: a Celery worker killed with SIGKILL in the middle of its work, then a rerun.

A real worker process (`python -m tests.fault_worker`, i.e. `celery -A cee_portal worker --pool solo`
on a private queue of the test's Redis) works on the test database. A seam pauses it at a known point
inside the work (tests/fault_worker.py) and the test kills it there with SIGKILL: no shutdown, no
acknowledgement. A second worker then gets the same task back from Redis by itself (tasks are
acknowledged late; the dead worker's unacknowledged task returns after the visibility timeout, 3 s
here, 1 hour by default) and finishes it. The result must equal a clean run: every account moved
once, with one history row, one timeline event per open case, one outbox message and one email; and
every queued notice emailed once.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from cases import services
from cases.models import Case, CaseEvent, NoticeDelivery
from cases.services.common import notify
from cee_portal.operations.models import OutboxMessage
from cee_portal.operations.tasks import drain_outbox_task
from importers.accounts import reassignment
from importers.models import AccountAssignment, Importer
from importers.tasks import apply_reassignment_chunk_task
from tests.factories import ImporterFactory, liquidated_entry, protest_input, trade_user
from tests.importers.test_reassignment import TODAY, add_lines
from tests.live_site import ROOT, database_url, site_env, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.celery_live,
    pytest.mark.django_db(transaction=True),
]

MACHINERY = "8429510000"  # CEE010


@pytest.fixture
def queue():
    name = f"cee-fault-{uuid.uuid4().hex[:8]}"
    yield name
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(
        name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}"
    )


class Workers:
    """Start workers on the private queue; every one is stopped by its own pid at the end."""

    def __init__(self, queue: str, folder: Path):
        self.queue, self.folder, self.started = queue, folder, []
        self.mail_log = folder / "mail.jsonl"
        self.marker = folder / "paused"

    def start(self, seam: str = "", after: int = 0, moves_per_transaction: int = 0) -> subprocess.Popen:
        log = self.folder / f"worker-{len(self.started)}.log"
        env = site_env(
            database_url(connection.settings_dict),
            DEBUG="1",
            REDIS_URL=os.environ["REDIS_URL"],
            CELERY_TASK_ALWAYS_EAGER="0",
            EMAIL_BACKEND="tests.fault_worker.RecordingBackend",
            FAULT_MAIL_LOG=str(self.mail_log),
            FAULT_SEAM=seam,
            FAULT_AFTER=str(after),
            FAULT_MOVES_PER_TRANSACTION=str(moves_per_transaction),
            FAULT_MARKER=str(self.marker),
            FAULT_VISIBILITY_TIMEOUT="3",
            LOG_LEVEL="INFO",
        )
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.fault_worker", self.queue],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)
        wait_for(lambda: b"ready." in log.read_bytes(), seconds=60, what="the Celery worker", log=log)
        return process

    def kill_when_paused(self, process: subprocess.Popen) -> None:
        wait_for(self.marker.exists, seconds=60, what="the worker at its pause")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self.marker.unlink()

    def emails(self) -> list[tuple[str, str]]:
        """(subject, recipient) of every email the mail server accepted, in order."""
        if not self.mail_log.exists():
            return []
        sent = [json.loads(line) for line in self.mail_log.read_text().splitlines()]
        return [(m["subject"], ",".join(m["to"])) for m in sent]

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(queue, tmp_path):
    made = Workers(queue, tmp_path)
    yield made
    made.stop_all()


def _quiet_outbox() -> None:
    """What set-up queued (filing notices) counts as delivered: the test watches its own messages."""
    from django.utils import timezone

    OutboxMessage.objects.filter(dispatched_at__isnull=True).update(dispatched_at=timezone.now())


# --- A reassignment chunk -------------------------------------------------------------------------------


def _accounts_to_move(count: int) -> list[Importer]:
    """Accounts of Base Metals (CEE005) whose lines are machinery (CEE010), each with an open protest
    and one member with an email; no staff of either Center has an email, so each move mails one."""
    importers = []
    for n in range(count):
        importer = ImporterFactory(center_ace_id="CEE005")
        member = trade_user(importer, email=f"member{n}@example.com")
        add_lines(importer, MACHINERY, 30)
        entry = liquidated_entry(importer, dt.date(2026, 10, 1))
        services.file_protest(
            actor=member, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 11, 2)
        )
        importers.append(importer)
    return importers


def _account_state(importers: list[Importer]) -> dict:
    state = {}
    for importer in Importer.objects.filter(pk__in=[i.pk for i in importers]).select_related("center"):
        history = list(AccountAssignment.objects.filter(importer=importer, reason="computed"))
        cases = list(Case.objects.filter(importer=importer, is_open=True).select_related("center"))
        state[importer.ior_number] = {
            "center": importer.center.ace_id,
            "history": [h.to_center_id for h in history],
            "cases": [c.center.ace_id for c in cases],
            "events": CaseEvent.objects.filter(case__in=cases, kind="center").count(),
            "outbox": OutboxMessage.objects.filter(
                topic="account.moved", payload__importer_id=importer.pk
            ).count(),
        }
    return state


def test_a_worker_killed_in_a_reassignment_chunk_leaves_no_account_half_moved_and_a_rerun_finishes(workers):
    importers = _accounts_to_move(6)
    job = reassignment.start_job(scope="incremental", today=TODAY)
    moves = reassignment.prepare(job, importer_ids=[i.pk for i in importers], rebuild_mix=True)
    assert len(moves) == 6 and job.chunks_total == 1
    _quiet_outbox()

    first = workers.start(seam="reassignment", after=3, moves_per_transaction=2)
    apply_reassignment_chunk_task.apply_async(
        (job.pk, [reassignment.verdict_to_dict(v) for v in moves], TODAY.isoformat()), queue=workers.queue
    )
    workers.kill_when_paused(first)  # inside the 4th move, its rows written, not committed

    # The moves commit two by two here (FAULT_MOVES_PER_TRANSACTION; reassignment.MOVES_PER_TRANSACTION
    # in production), each in its own savepoint: the first two committed; the 3rd, done, and the 4th,
    # half-way, rolled back whole with their transaction; nothing is half-moved.
    killed = _account_state(importers)
    moved = {ior: s for ior, s in killed.items() if s["center"] == "CEE010"}
    stayed = {ior: s for ior, s in killed.items() if s["center"] == "CEE005"}
    assert len(moved) == 2 and len(stayed) == 4
    for s in moved.values():
        assert (len(s["history"]), s["cases"], s["events"], s["outbox"]) == (1, ["CEE010"], 1, 1)
    for s in stayed.values():
        assert (s["history"], s["cases"], s["events"], s["outbox"]) == ([], ["CEE005"], 0, 0)

    workers.start()  # no seam: the same chunk comes back from Redis and is finished

    def finished() -> bool:
        state = _account_state(importers)
        return all(s["center"] == "CEE010" for s in state.values()) and len(workers.emails()) >= 6

    wait_for(finished, seconds=90, what="the rerun of the chunk and the drain of its notices")
    time.sleep(2)  # anything doubled would arrive now
    final = _account_state(importers)
    for s in final.values():
        assert (len(s["history"]), s["cases"], s["events"], s["outbox"]) == (1, ["CEE010"], 1, 1)
    subjects = [subject for subject, _ in workers.emails()]
    assert sorted(subjects) == sorted(f"Account {ior} moved to Machinery" for ior in final)
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
    job.refresh_from_db()
    # The job's count includes the moves the killed attempt committed (the rerun skips them).
    assert (job.state, job.chunks_done, job.moved, job.errors) == ("finished", 1, 6, 0)


# --- An outbox drain --------------------------------------------------------------------------------------


def test_a_worker_killed_in_an_outbox_drain_emails_each_notice_once_after_the_rerun(workers):
    """Six notices to the two members of an account: twelve emails. The worker is killed after the
    third, inside the transaction of the message that carries the fourth. The flaw this found: one
    message emailed every recipient and committed their delivery records together, so a kill between
    two recipients re-sent the first ones on the rerun; now each message sends one email."""
    importer = ImporterFactory()
    member = trade_user(importer, email="filer@example.com")
    trade_user(importer, email="colleague@example.com")
    entry = liquidated_entry(importer, dt.date(2026, 10, 1))
    case = services.file_protest(
        actor=member, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 11, 2)
    ).case
    _quiet_outbox()
    for n in range(1, 7):
        notify(case, audience="importer", subject=f"Notice {n}", body=f"Notice number {n}.")

    first = workers.start(seam="drain", after=3)
    drain_outbox_task.apply_async(queue=workers.queue)
    workers.kill_when_paused(first)

    assert len(workers.emails()) == 3
    assert NoticeDelivery.objects.count() == 3  # each email accepted is recorded: none re-sent

    workers.start()  # the killed drain comes back from Redis and delivers the rest
    wait_for(
        lambda: not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists(),
        seconds=90,
        what="the rerun of the drain",
    )
    time.sleep(2)  # anything doubled would arrive now
    expected = [
        (f"{case.reference_number}: Notice {n}", address)
        for n in range(1, 7)
        for address in ("colleague@example.com", "filer@example.com")
    ]
    assert sorted(workers.emails()) == sorted(expected)
    assert NoticeDelivery.objects.count() == 12
