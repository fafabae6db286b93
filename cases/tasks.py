from celery import shared_task

from . import notifications  # noqa: F401  (registers the outbox handler in workers)
from .services import run_deadline_sweeps


@shared_task(name="cases.run_deadline_sweeps")
def run_deadline_sweeps_task() -> dict:
    """Deemed denials, overdue CF-28s and reminders (beat, hourly; idempotent)."""
    return run_deadline_sweeps()
