"""Issue 15 item 1: concurrency through the edges, against the running site.

The site runs under gunicorn (2 processes x 8 threads, as production runs it) on the test database;
the racers are real threads of this process, each with its own HTTP session: staff signed in through a
session cookie (pages: a GET for the form and its CSRF token, then the POST) or an API token. Every
racer first reads the case at the same version, waits at a barrier, then sends its write. The row
lock and the version check in the services (`lock_case`) must leave exactly one winner; every loser
gets the clear conflict (the page's 409 "changed since you loaded it", the API's 409 JSON).

PostgreSQL only: SQLite serialises every writer of the file, so it would not show a race.
"""

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
import requests
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Decision, Document
from cee_portal.legal_time import legal_today
from cee_portal.operations.models import OutboxMessage
from cee_portal.users.models import User
from importers.services import issue_api_token
from tests.factories import ImporterFactory, liquidated_entry, protest_input, staff_user, trade_user
from tests.live_site import database_url, gunicorn, site_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STALE_PAGE = "changed since you loaded it"
TIMEOUT = 120


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so it shows no race")
    # Tasks in-process (the outbox drains in the site's own process, mail to the console): no Redis
    # queue is left behind for a later worker.
    folder = tmp_path_factory.mktemp("site")
    env = site_env(
        database_url(connection.settings_dict),
        DEBUG="1",
        REDIS_URL="",
        LOG_LEVEL="WARNING",
        DOCUMENTS_ROOT=str(folder / "documents"),
    )
    with gunicorn(env, workers=2, threads=8, log=folder / "gunicorn.log") as url:
        yield url


# --- Racers ---------------------------------------------------------------------------------------------


def signed_in(user: User) -> requests.Session:
    """An HTTP session signed in as `user` (a session row, as the sign-in page would make)."""
    user = User.objects.get(pk=user.pk)  # factories set a password they do not save
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    session = fresh_session()
    session.cookies.set("sessionid", store.session_key)
    return session


def fresh_session() -> requests.Session:
    """A new connection for each request: a racer waits at the barrier longer than gunicorn keeps an
    idle connection alive (2 s), and a reused connection closed meanwhile would be reset."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session


def api_session(user: User, importer=None) -> requests.Session:
    session = fresh_session()
    key = issue_api_token(user, importer_ior=importer.ior_number if importer else None)
    session.headers["Authorization"] = f"Token {key}"
    return session


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") in {"hidden", None, "text", "date"}:
            self.values.setdefault(attrs["name"], attrs.get("value") or "")


def page_form(session: requests.Session, url: str, prefix: str) -> dict:
    """The hidden fields of a page's form (`prefix`-...) and its CSRF token, as a browser would send."""
    response = session.get(url, timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:500]
    parser = _Inputs()
    parser.feed(response.text)
    fields = {k: v for k, v in parser.values.items() if k.startswith(f"{prefix}-")}
    fields["csrfmiddlewaretoken"] = parser.values["csrfmiddlewaretoken"]
    return fields


def race(racers: list, *, label: str) -> list:
    """Run each racer's `prepare` (the read), then all `send`s at once after a barrier."""
    barrier = threading.Barrier(len(racers), timeout=TIMEOUT)

    def run(racer):
        prepared = racer["prepare"]()
        barrier.wait()
        return racer["send"](prepared)

    with ThreadPoolExecutor(max_workers=len(racers), thread_name_prefix=label) as pool:
        return list(pool.map(run, racers))


def protest(importer=None) -> Case:
    importer = importer or ImporterFactory()
    today = legal_today()
    entry = liquidated_entry(importer, today - dt.timedelta(days=40))
    return services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([entry]), filed_on=today
    ).case


# --- 1. Claims: 50 through the page and 50 through the API at once ---------------------------------------


def test_100_concurrent_claims_through_the_page_and_the_api_make_one_assignment(site):
    case = protest()
    start_version = case.version
    page_url = site + reverse("staff:case", args=[case.reference_number])
    claim_url = site + reverse("staff:case-action", args=[case.reference_number, "claim"])
    api_url = f"{site}/api/v1/cases/{case.reference_number}/"
    staff = [staff_user("CEE010") for _ in range(100)]

    def by_page(user):
        session = signed_in(user)

        def send(fields):
            response = session.post(claim_url, data=fields, allow_redirects=False, timeout=TIMEOUT)
            return ("page", user.pk, response.status_code, response.text)

        return {"prepare": lambda: page_form(session, page_url, "claim"), "send": send}

    def by_api(user):
        session = api_session(user)

        def send(etag):
            response = session.post(
                api_url + "claim/",
                json={},
                headers={"Idempotency-Key": str(uuid.uuid4()), "If-Match": etag},
                timeout=TIMEOUT,
            )
            return ("api", user.pk, response.status_code, response.text)

        return {"prepare": lambda: session.get(api_url, timeout=TIMEOUT).headers["ETag"], "send": send}

    results = race([by_page(u) for u in staff[:50]] + [by_api(u) for u in staff[50:]], label="claim")

    won = [r for r in results if (r[0], r[2]) in {("page", 302), ("api", 200)}]
    assert len(won) == 1, sorted({(r[0], r[2]) for r in results})
    for edge, _, status, body in results:
        if (edge, status) in {("page", 302), ("api", 200)}:
            continue
        assert status == 409, (edge, status, body[:300])
        if edge == "page":
            assert STALE_PAGE in body and "Reload it and try again; nothing was changed." in body
        else:
            assert '"code":"stale_version"' in body.replace(" ", "")
    case.refresh_from_db()
    assert case.assignee_id == won[0][1]
    assert case.version == start_version + 1
    assert CaseEvent.objects.filter(case=case, kind="assignee").count() == 1


# --- 2. Decisions: 50 at once (half page, half API; allow and deny mixed) --------------------------------


def test_50_concurrent_decisions_make_one_decision_one_event_one_notice(site):
    case = protest()
    today = legal_today().isoformat()
    page_url = site + reverse("staff:case", args=[case.reference_number])
    decide_url = site + reverse("staff:case-action", args=[case.reference_number, "decide"])
    api_url = f"{site}/api/v1/cases/{case.reference_number}/"
    notices_before = OutboxMessage.objects.filter(topic="case.notice", payload__case_id=case.pk).count()
    staff = [staff_user("CEE010") for _ in range(50)]

    def decision(n: int) -> dict:
        if n % 2:
            return {"outcome": "allowed", "reasons": f"Allowed by racer {n}.", "refund_amount": "125.00"}
        return {"outcome": "denied", "reasons": f"Denied by racer {n}.", "notice_mailed_on": today}

    def by_page(n, user):
        session = signed_in(user)

        def send(fields):
            data = {
                **fields,
                **{f"decide-{k}": v for k, v in decision(n).items()},
                "decide-decided_on": today,
            }
            response = session.post(decide_url, data=data, allow_redirects=False, timeout=TIMEOUT)
            return ("page", user.pk, response.status_code, response.text)

        return {"prepare": lambda: page_form(session, page_url, "decide"), "send": send}

    def by_api(n, user):
        session = api_session(user)

        def send(etag):
            response = session.post(
                api_url + "decide/",
                json={**decision(n), "decided_on": today},
                headers={"Idempotency-Key": str(uuid.uuid4()), "If-Match": etag},
                timeout=TIMEOUT,
            )
            return ("api", user.pk, response.status_code, response.text)

        return {"prepare": lambda: session.get(api_url, timeout=TIMEOUT).headers["ETag"], "send": send}

    racers = [by_page(n, u) if n % 4 < 2 else by_api(n, u) for n, u in enumerate(staff)]
    results = race(racers, label="decide")

    won = [r for r in results if (r[0], r[2]) in {("page", 302), ("api", 200)}]
    assert len(won) == 1, sorted({(r[0], r[2], r[3][:120]) for r in results if r not in won})
    assert {r[2] for r in results if r not in won} == {409}
    decision_row = Decision.objects.get(case=case)
    assert decision_row.decided_by_id == won[0][1]
    case.refresh_from_db()
    assert case.status == decision_row.outcome
    assert CaseEvent.objects.filter(case=case, kind="status").count() == 1
    notices = OutboxMessage.objects.filter(topic="case.notice", payload__case_id=case.pk).count()
    assert notices - notices_before == 1  # the importer's notice of the decision, once


# --- 3. A document upload racing a withdrawal ---------------------------------------------------------------


def test_an_upload_racing_a_withdrawal_lands_before_it_or_is_refused(site):
    """Each of 8 cases: the filer uploads (portal page) while the same filer withdraws (API). Either the
    document is on the timeline before the withdrawal, or the upload is refused with the reason and
    nothing is stored; never a document added to a withdrawn case."""
    importer = ImporterFactory()
    filer = trade_user(importer)
    cases = [protest(importer) for _ in range(8)]
    # ~1 MB of text: the upload's checks take a moment, which is when a withdrawal could slip in.
    data = ("Answer line for the Center, goods shipped 3 March.\n" * 20_000).encode()

    def uploader(case):
        session = signed_in(filer)
        page = site + reverse("portal:case", args=[case.reference_number])
        url = site + reverse("portal:case-upload", args=[case.reference_number])

        def prepare():
            response = session.get(page, timeout=TIMEOUT)
            parser = _Inputs()
            parser.feed(response.text)
            return parser.values["csrfmiddlewaretoken"]

        def send(token):
            response = session.post(
                url,
                data={"csrfmiddlewaretoken": token},
                files={"document-file": ("answer.txt", data, "text/plain")},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            return ("upload", case.pk, response.status_code, response.text)

        return {"prepare": prepare, "send": send}

    def withdrawer(case):
        session = api_session(filer, importer)

        def send(_):
            response = session.post(
                f"{site}/api/v1/cases/{case.reference_number}/withdraw/",
                json={"note": "Withdrawn by the filer."},
                headers={"Idempotency-Key": str(uuid.uuid4())},
                timeout=TIMEOUT,
            )
            return ("withdraw", case.pk, response.status_code, response.text)

        return {"prepare": lambda: None, "send": send}

    results = race([r for case in cases for r in (uploader(case), withdrawer(case))], label="upload")

    outcomes = []
    for case in cases:
        upload = next(r for r in results if r[0] == "upload" and r[1] == case.pk)
        withdraw = next(r for r in results if r[0] == "withdraw" and r[1] == case.pk)
        assert withdraw[2] == 200, withdraw[3][:300]
        case.refresh_from_db()
        assert case.status == "withdrawn"
        withdrawn_at = CaseEvent.objects.get(case=case, kind="status", new_value="withdrawn").pk
        documents = list(Document.objects.filter(case=case))
        events = list(CaseEvent.objects.filter(case=case, kind="document").values_list("pk", flat=True))
        if upload[2] == 302:
            assert len(documents) == 1 and len(events) == 1
            assert events[0] < withdrawn_at, "a document was added to a withdrawn case"
            outcomes.append("before")
        else:
            assert upload[2] == 400, upload[3][:300]
            assert f"Case {case.reference_number} was withdrawn: it takes no more documents." in upload[3]
            assert documents == [] and events == []
            outcomes.append("refused")
    # Both orders are legal; which one each pair takes is the scheduler's choice (shown with -s).
    print(f"upload vs withdrawal: {outcomes.count('before')} before, {outcomes.count('refused')} refused")
