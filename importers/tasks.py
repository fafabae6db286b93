from celery import shared_task

from . import resolver


@shared_task(name="importers.reresolve_lines")
def reresolve_lines_task(headings: list[str]) -> int:
    """Re-resolve entry lines under headings whose Center changed."""
    return resolver.reresolve_lines(headings)
