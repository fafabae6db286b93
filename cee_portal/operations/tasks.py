from celery import shared_task

from . import outbox
from .jobs import recorded_run


@shared_task(name="operations.drain_outbox")
def drain_outbox_task() -> dict[str, int]:
    """Deliver pending outbox messages (also run by beat, to catch up after a broker outage)."""
    with recorded_run("drain_outbox") as summary:
        summary.update(outbox.drain())
    return summary
