from datetime import date

from celery import shared_task
from django.db import OperationalError

from cee_portal.legal_time import legal_today
from cee_portal.operations.jobs import recorded_run

from .accounts import reassignment
from .reference.resolver import reresolve_lines_task  # noqa: F401  (re-exported for autodiscovery)


@shared_task(name="importers.reassign_accounts")
def reassign_accounts_task(importer_ids: list[int] | None = None, as_of: str | None = None) -> int:
    """Plan account moves (all importers when None) and fan the moves out to workers in chunks."""
    today = date.fromisoformat(as_of) if as_of else legal_today()
    scope = "full" if importer_ids is None else ("single" if len(importer_ids) == 1 else "incremental")
    with recorded_run(f"reassign_accounts_{scope}") as summary:
        job = reassignment.start_job(scope=scope, today=today)
        reassignment.apply_due_scheduled_moves(today=today)
        moves = reassignment.prepare(job, importer_ids=importer_ids, rebuild_mix=importer_ids is None)
        for chunk in reassignment.chunks(moves):
            apply_reassignment_chunk_task.delay(
                job.pk, [reassignment.verdict_to_dict(v) for v in chunk], today.isoformat()
            )
        reassignment.finish(job)
        summary.update(job=job.pk, examined=job.examined, planned=job.planned)
    return job.pk


@shared_task(
    name="importers.apply_reassignment_chunk",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def apply_reassignment_chunk_task(job_id: int, verdicts: list[dict], as_of: str) -> dict[str, int]:
    """Apply one chunk of planned moves (retried on transient database errors; safe to rerun)."""
    return reassignment.run_chunk(
        job_id, [reassignment.verdict_from_dict(v) for v in verdicts], today=date.fromisoformat(as_of)
    )
