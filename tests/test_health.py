import pytest
from django.db.utils import OperationalError

from cee_portal.operations.jobs import recorded_run

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_jobs(client):
    with recorded_run("deadline_sweeps") as summary:
        summary["cases"] = 0
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["status"] in {"ok", "degraded"}
    assert body["periodic_jobs"]["deadline_sweeps"]["status"] == "ok"
    assert body["periodic_jobs"]["deadline_sweeps"]["last_finished_at"]


def test_healthz_is_degraded_not_down_when_only_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "down"


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "database": "down",
        "broker": response.json()["broker"],
        "periodic_jobs": {},
    }
