"""Issue 15 item 2: the database restarted under the running site.

The test makes its own PostgreSQL cluster (`initdb`, a free port, a temporary folder: never the
suite's cluster), migrates it, serves the site from it under gunicorn with production settings
(DEBUG off), then stops the cluster: /healthz answers 503, pages a friendly 503 page and the API its
JSON error, with no traceback anywhere. Once the cluster is back, the same site processes answer
again by themselves (no restart): connections are checked before reuse (CONN_HEALTH_CHECKS) and a
broken one is closed at the end of its request.
"""

import json
import uuid

import pytest
import requests

from tests.live_site import ROOT, Cluster, gunicorn, manage, postgres_bin, site_env, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

LEAKS = ("Traceback", "OperationalError", "psycopg", "connection refused", 'File "/')

SET_UP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from cee_portal.users.models import User
from importers.models import Center
from importers.reference.reference_data import load_reference_data
from importers.services import issue_api_token

load_reference_data()
user = User.objects.create_user(
    "restart-specialist", email="s@example.com", role="specialist", center=Center.objects.get(ace_id="CEE010")
)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key, issue_api_token(user))
"""


@pytest.fixture
def cluster():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    made = Cluster()
    try:
        made.init()
        made.start()
        yield made
    finally:
        made.remove()


def _static_manifest(env: dict) -> None:
    """Production settings serve hashed static names from the collectstatic manifest (as deployed)."""
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v0")


def test_the_site_survives_a_database_restart_and_recovers_without_a_restart(cluster, tmp_path):
    cluster.create_database("site")
    env = site_env(
        cluster.url("site"),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        CELERY_TASK_ALWAYS_EAGER="1",
        REDIS_URL="",
        LOG_LEVEL="ERROR",
    )
    manage(env, "migrate", "-v0")
    _static_manifest(env)
    session_key, token = manage(env, "shell", "-c", SET_UP).splitlines()[-1].split()

    with gunicorn(env, workers=2, threads=4, log=tmp_path / "gunicorn.log") as url:
        page = requests.Session()
        page.cookies.set("sessionid", session_key)
        api = requests.Session()
        api.headers["Authorization"] = f"Token {token}"

        def probe() -> dict:
            claim = api.post(
                f"{url}/api/v1/cases/0000-26-000001/claim/",
                json={},
                headers={"Idempotency-Key": str(uuid.uuid4()), "If-Match": '"1"'},
                timeout=10,
            )
            return {
                "healthz": requests.get(f"{url}/healthz", timeout=10),
                "queue": page.get(f"{url}/queue/", timeout=10, allow_redirects=False),
                "cases": api.get(f"{url}/api/v1/cases/", timeout=10),
                "claim": claim,
            }

        up = probe()
        assert [up[k].status_code for k in ("healthz", "queue", "cases", "claim")] == [200, 200, 200, 404]
        assert "Queue" in up["queue"].text  # signed in, the queue itself

        cluster.stop()
        down = probe()
        assert down["healthz"].status_code == 503
        assert down["healthz"].json()["status"] == "down" and down["healthz"].json()["database"] == "down"
        page_down = down["queue"]
        assert page_down.status_code == 503 and page_down.headers["Retry-After"]
        assert page_down.headers["Content-Type"].startswith("text/html")
        assert "CEE Portal is briefly unavailable" in page_down.text
        for name in ("cases", "claim"):
            answer = down[name]
            assert answer.status_code == 503, (name, answer.text[:300])
            assert answer.headers["Content-Type"] == "application/json"
            assert answer.json()["code"] == "service_unavailable"
        for answer in down.values():
            assert not any(leak in answer.text for leak in LEAKS), answer.text[:500]

        cluster.start()
        wait_for(
            lambda: requests.get(f"{url}/healthz", timeout=10).status_code == 200, seconds=30, what="health"
        )
        again = probe()
        assert [again[k].status_code for k in ("healthz", "queue", "cases", "claim")] == [200, 200, 200, 404]
        assert json.loads(again["healthz"].text)["database"] == "ok"
        assert "Queue" in again["queue"].text
