"""The transactional outbox: enqueue side effects with their cause, deliver them later.

Handlers are registered by topic; the drain delivers each pending message at most once per
successful handler run, oldest first, and leaves failed ones for the next drain.
"""

import logging
from collections.abc import Callable

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .jobs import recorded_run
from .models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[dict], None]
_HANDLERS: dict[str, Handler] = {}


def handles(topic: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of a topic."""

    def register(func: Handler) -> Handler:
        _HANDLERS[topic] = func
        return func

    return register


def enqueue(topic: str, **payload) -> OutboxMessage:
    """Write a side effect to the outbox inside the caller's transaction; drain once it commits."""
    message = OutboxMessage.objects.create(topic=topic, payload=payload)

    def kick() -> None:
        try:
            drain_outbox_task.delay()
        except Exception:  # the broker is down: the beat-driven drain picks the message up later
            logger.warning("outbox drain not queued; broker unavailable", extra={"outbox_id": message.pk})

    transaction.on_commit(kick)
    return message


def drain(limit: int = 500) -> dict[str, int]:
    """Deliver pending messages; return counts of delivered and failed ones."""
    delivered = failed = 0
    tried: set[int] = set()
    while len(tried) < limit:
        # Fewest attempts first: messages that keep failing sink behind new ones instead of blocking
        # them. Messages queued by this drain's handlers (a notice's next recipient) are picked up by
        # the next pass; each message is tried once per drain.
        pending = list(
            OutboxMessage.objects.filter(dispatched_at__isnull=True)
            .exclude(pk__in=tried)
            .order_by("attempts", "id")
            .values_list("pk", flat=True)[: limit - len(tried)]
        )
        if not pending:
            break
        tried.update(pending)
        for pk in pending:
            outcome = _deliver(pk)
            delivered += outcome == "delivered"
            failed += outcome == "failed"
    return {"delivered": delivered, "failed": failed}


def _deliver(pk: int) -> str:
    """Deliver one message in its own transaction: "delivered", "failed" or "skipped"."""
    with transaction.atomic():
        # skip_locked: two drains running at once never deliver one message twice.
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, dispatched_at__isnull=True)
            .first()
        )
        if message is None:
            return "skipped"
        handler = _HANDLERS.get(message.topic)
        try:
            if handler is None:
                raise LookupError(f"no handler registered for topic {message.topic!r}")
            with transaction.atomic():
                handler(message.payload)
        except Exception as exc:
            message.attempts += 1
            message.last_error = str(exc)[:2000]
            message.save(update_fields=["attempts", "last_error"])
            logger.exception("outbox delivery failed", extra={"outbox_id": pk, "topic": message.topic})
            return "failed"
        message.attempts += 1
        message.dispatched_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "dispatched_at", "last_error"])
        return "delivered"


# Defined beside the outbox it drains (enqueue kicks it), so the two modules do not import each
# other; cee_portal/operations/tasks.py re-exports it for Celery's autodiscovery.
@shared_task(name="operations.drain_outbox")
def drain_outbox_task() -> dict[str, int]:
    """Deliver pending outbox messages (also run by beat, to catch up after a broker outage)."""
    with recorded_run("drain_outbox") as summary:
        summary.update(drain())
    return summary
