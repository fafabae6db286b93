"""GET /healthz: database, broker and periodic jobs, for load balancers and on-call staff."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import PeriodicJobRun

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("health check: database unreachable")
        return False


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "embedded"  # tasks run in-process; there is no broker to be down
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception:
        logger.warning("health check: broker unreachable")
        return "down"


@never_cache
@require_GET
def healthz(request):
    database_ok = _database_ok()
    broker = _broker_status()
    jobs = {}
    if database_ok:
        jobs = {
            run.name: {
                "last_started_at": run.last_started_at,
                "last_finished_at": run.last_finished_at,
                "status": run.last_status,
            }
            for run in PeriodicJobRun.objects.all()
        }
    if not database_ok:
        status, code = "down", 503
    elif broker == "down":
        # Filings are written to the database and the outbox; they keep working without Redis.
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse(
        {
            "status": status,
            "database": "ok" if database_ok else "down",
            "broker": broker,
            "periodic_jobs": jobs,
        },
        status=code,
    )
