"""Exactly one Celery beat: a lock in Redis that a second beat cannot take.

Two beats would send every periodic job twice. The jobs are safe to run twice (the outbox drain skips
locked rows, the sweeps and the reassignment are idempotent), but the work and the log lines double,
so the scheduler itself refuses to run beside another one: it takes `BEAT_LOCK_KEY` in Redis (SET NX
with a time to live) before its first tick and renews it on every tick. A second beat finds the lock
held and exits with a message naming the holder; if the holder dies, its lock expires after
`BEAT_LOCK_TTL` seconds and the next beat started (by the process manager) takes over. A beat that
finds its lock taken by another (it was paused past the time to live) stops rather than run beside it.

Without Redis (the embedded default) there is no beat and no lock.
"""

import logging
import os
import socket
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

# Renew only if still ours; delete only if still ours (a Lua script is atomic in Redis).
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class BeatLockHeld(SystemExit):
    """Another beat holds the lock: this one exits (status 1) with the reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BeatLock:
    def __init__(self, redis_url: str, *, key: str, ttl: float):
        import redis

        self.client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
        self.key, self.ttl_ms = key, int(ttl * 1000)
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def acquire(self) -> None:
        if not self.client.set(self.key, self.token, nx=True, px=self.ttl_ms):
            holder = (self.client.get(self.key) or b"?").decode()
            raise BeatLockHeld(
                f"Another Celery beat holds {self.key} ({holder}); only one beat may run. This one exits."
            )

    def renew(self) -> None:
        if not self.client.eval(_RENEW, 1, self.key, self.token, self.ttl_ms):
            raise BeatLockHeld(f"This beat lost {self.key} to another beat; it stops so that only one runs.")

    def release(self) -> None:
        self.client.eval(_RELEASE, 1, self.key, self.token)


class SingleBeatScheduler(PersistentScheduler):
    """Celery's file-backed scheduler, run only while this process holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.beat_lock = None
        super().__init__(*args, **kwargs)

    def setup_schedule(self):
        # Only the scheduler that runs sets its schedule up (`celery beat` also makes a lazy one for
        # its banner): the lock is taken here, before the first tick.
        if settings.REDIS_URL and self.beat_lock is None:
            lock = BeatLock(settings.REDIS_URL, key=settings.BEAT_LOCK_KEY, ttl=settings.BEAT_LOCK_TTL)
            lock.acquire()
            self.beat_lock = lock
            logger.info("beat lock %s taken by %s", lock.key, lock.token)
        super().setup_schedule()

    def tick(self, *args, **kwargs):
        if self.beat_lock is not None:
            self.beat_lock.renew()
        # Wake at least three times per time to live, so the lock is renewed before it expires.
        return min(super().tick(*args, **kwargs), settings.BEAT_LOCK_TTL / 3)

    def close(self):
        super().close()
        if self.beat_lock is not None:
            self.beat_lock.release()
