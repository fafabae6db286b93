from celery import shared_task

from cee_portal.operations.jobs import recorded_run

from . import notifications  # noqa: F401  (registers the outbox handler in workers)
from .services import run_deadline_sweeps
from .services.dashboards import refresh_dashboard


@shared_task(name="cases.run_deadline_sweeps")
def run_deadline_sweeps_task() -> dict:
    """Deemed denials, overdue CF-28s and reminders (beat, hourly; idempotent)."""
    return run_deadline_sweeps()


@shared_task(name="cases.refresh_dashboard")
def refresh_dashboard_task() -> int:
    """Count the dashboard's figures again (beat, every DASHBOARD_REFRESH_MINUTES); the snapshot id.

    Recorded for /healthz, where a refresh that stopped running shows before the page's warning."""
    with recorded_run("refresh_dashboard") as summary:
        snapshot = refresh_dashboard()
        summary.update(snapshot=snapshot.pk, today=snapshot.today.isoformat())
    return snapshot.pk
