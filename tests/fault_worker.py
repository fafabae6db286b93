"""A real Celery worker for tests/test_fault_worker.py, with an optional pause where the test kills it.

    python -m tests.fault_worker QUEUE

runs `celery -A cee_portal worker --pool solo -Q QUEUE` (the same CLI, through `app.worker_main`) after
applying the test seam named by FAULT_SEAM. A seam only pauses the worker at a known point, writes
FAULT_MARKER and sleeps there so that the test's SIGKILL lands exactly inside the work; it changes
nothing the worker does:

- `reassignment`: in the move after FAULT_AFTER moves, once that move's rows are written and before
  its transaction commits (an account half-way through its move); FAULT_MOVES_PER_TRANSACTION, if
  set, is how many moves commit together;
- `drain`: in the outbox drain, before the email after FAULT_AFTER emails is handed to the mailer
  (inside that message's transaction).

`RecordingBackend` is the outside world (the mail server): each email handed to it is one JSON line
in FAULT_MAIL_LOG, flushed to disk before it returns, so a SIGKILL right after cannot lose it.
"""

import json
import os
import sys
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    sent = 0

    def send_messages(self, messages):
        for message in messages:
            if os.environ.get("FAULT_SEAM") == "drain" and RecordingBackend.sent == int(
                os.environ["FAULT_AFTER"]
            ):
                _pause()
            with open(os.environ["FAULT_MAIL_LOG"], "a", encoding="utf-8") as log:
                log.write(json.dumps({"subject": message.subject, "to": message.to}) + "\n")
                log.flush()
                os.fsync(log.fileno())
            RecordingBackend.sent += 1
        return len(messages)


def _pause() -> None:
    Path(os.environ["FAULT_MARKER"]).write_text(str(os.getpid()))
    time.sleep(3600)  # the test kills the worker here


def _pause_in_a_move() -> None:
    from importers.accounts import reassignment

    original = reassignment.move_account
    after = int(os.environ["FAULT_AFTER"])
    calls = {"n": 0}

    def move_account(*args, **kwargs):
        result = original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == after + 1:
            _pause()
        return result

    reassignment.move_account = move_account
    if int(os.environ.get("FAULT_MOVES_PER_TRANSACTION") or 0):
        # Smaller transactions of moves than production's, so that a kill lands after one committed.
        reassignment.MOVES_PER_TRANSACTION = int(os.environ["FAULT_MOVES_PER_TRANSACTION"])


def main(queue: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cee_portal.settings")
    django.setup()
    from cee_portal.celery import app

    # Tasks the worker's tasks send (outbox drains after each move) stay on this private queue.
    app.conf.task_default_queue = queue
    app.conf.task_routes = {}  # not the shared queues per kind of job (settings.CELERY_TASK_ROUTES)
    # A task whose worker died unacknowledged comes back after this many seconds (1 hour by default).
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(os.environ.get("FAULT_VISIBILITY_TIMEOUT", "3600")),
        "unacked_restore_throttle": 1,
    }
    if os.environ.get("FAULT_SEAM") == "reassignment":
        _pause_in_a_move()
    app.worker_main(
        [
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )


if __name__ == "__main__":
    main(sys.argv[1])
