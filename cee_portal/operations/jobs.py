"""Record when periodic jobs run, for /healthz and the admin."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from .models import PeriodicJobRun


@contextmanager
def recorded_run(name: str) -> Iterator[dict]:
    """Record the start and end of a periodic job; the caller fills the yielded summary dict."""
    PeriodicJobRun.objects.update_or_create(
        name=name, defaults={"last_started_at": timezone.now(), "last_status": "running"}
    )
    summary: dict = {}
    try:
        yield summary
    except Exception as exc:
        PeriodicJobRun.objects.filter(name=name).update(
            last_finished_at=timezone.now(), last_status="failed", last_summary={"error": str(exc)[:500]}
        )
        raise
    PeriodicJobRun.objects.filter(name=name).update(
        last_finished_at=timezone.now(), last_status="ok", last_summary=summary
    )
