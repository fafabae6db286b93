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


# --- Errors users see (issue 15 item 2; the live restart is tests/test_fault_database.py) -------------


def test_a_database_error_on_a_page_answers_the_friendly_503_page(client, monkeypatch):
    from tests.factories import sign_in_as, staff_user

    sign_in_as(client, staff_user())

    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 refused")

    monkeypatch.setattr("web.staff.queue.case_queue", unreachable)
    response = client.get("/queue/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    body = response.content.decode()
    assert "CEE Portal is briefly unavailable" in body
    assert "refused" not in body and "Traceback" not in body


def test_a_database_error_in_the_api_answers_the_json_503(api_client, monkeypatch):
    from importers.services import issue_api_token
    from tests.factories import staff_user

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(staff_user())}")

    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 refused")

    monkeypatch.setattr("cases.api.views.selectors.case_queue", unreachable)
    response = api_client.get("/api/v1/cases/")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "service_unavailable" and "refused" not in response.content.decode()


@pytest.mark.parametrize(
    ("path", "marker"), [("/queue/", b"Something went wrong"), ("/api/v1/x", b"server_error")]
)
def test_a_bug_answers_the_friendly_page_or_the_json_body_never_a_traceback(path, marker):
    from django.test import RequestFactory

    from cee_portal.operations.errors import server_error

    response = server_error(RequestFactory().get(path))
    assert response.status_code == 500 and marker in response.content
    assert b"Traceback" not in response.content
