"""Account moves for supervisors (issue 12, item 7): who may do what, bad input, and what really moves.

Rights are the predicates of importers.permissions (81 FR 92978: pins and manual moves are a
supervisor's decision; runs and the preview national; HTS rules the administrators'). Pages answer
403 for a refused act, 404 for an account that does not exist, and a message on the form for bad
input, changing nothing.
"""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command

from cases import services
from importers.models import AccountAssignment, Importer, PinChange, ReassignmentJob, ScheduledMove
from tests.factories import ImporterFactory, liquidated_entry, protest_input, staff_user, trade_user
from tests.importers.test_reassignment import TODAY, add_lines
from tests.web.staff_people import STAFF, TRADE, signer

pytestmark = pytest.mark.django_db

MAY_PIN = {"supervisor", "national_supervisor", "admin"}
MAY_RUN = {"national_supervisor", "admin"}
MAY_EDIT_RULES = {"admin"}
PIN = {"pin_reason": "business_practice", "note": "Agreed with OFO on 2026-11-02"}


@pytest.fixture
def sign_in_as(client):
    return signer(client)


@pytest.fixture
def account():
    """A Machinery (CEE010) account with one open and one closed protest."""
    importer = ImporterFactory(center_ace_id="CEE010", name="Keystone Machinery Inc.")
    filer, specialist = trade_user(importer), staff_user("CEE010")
    entry_on = dt.date(2026, 10, 1)
    open_case = services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([liquidated_entry(importer, entry_on)]),
        filed_on=TODAY,
    ).case
    closed_case = services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([liquidated_entry(importer, entry_on)]),
        filed_on=TODAY,
    ).case
    services.decide_case(closed_case, actor=specialist, outcome="denied", reasons="r", decided_on=TODAY)
    importer.open_case, importer.closed_case = open_case, closed_case
    return importer


def url(name: str, importer=None) -> str:
    base = f"/moves/accounts/{importer.ior_number}/" if importer else "/moves/"
    return {"account": base, "pin": base + "pin/", "unpin": base + "unpin/", "move": base + "move/"}.get(
        name, name
    )


# --- Who may open what -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/moves/", "/moves/preview/", "/moves/runs/", "/moves/hts-rules/", "/dashboard/"]
)
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("who", TRADE)
@pytest.mark.parametrize(
    "path", ["/moves/", "/moves/preview/", "/moves/preview.csv", "/moves/runs/", "/moves/hts-rules/"]
)
def test_trade_users_are_refused_every_move_page(sign_in_as, account, who, path):
    client = sign_in_as(who, account)
    assert client.get(path).url == "/portal/"  # a list page: to the portal home (web/access.py)
    for act in ("pin", "unpin", "move"):  # pages of one account: 404, like a missing account
        assert client.post(url(act, account), {**PIN, "to_center": "CEE001"}).status_code == 404
    account.refresh_from_db()
    assert not account.is_pinned


@pytest.mark.parametrize("who", STAFF)
def test_every_staff_role_reads_the_moves_page_and_the_account(sign_in_as, account, who):
    client = sign_in_as(who)
    pin_importer_for_listing = ImporterFactory(center_ace_id="CEE001", name="Pinned Pharma LLC")
    from importers.services import pin_importer

    pin_importer(pin_importer_for_listing, reason="intended_use", note="n", actor=None, today=TODAY)
    home = client.get("/moves/")
    assert home.status_code == 200
    assert "Pinned Pharma LLC" in home.content.decode()
    assert ('href="/moves/preview/"' in home.content.decode()) == (who in MAY_RUN)
    page = client.get(url("account", account))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Keystone Machinery Inc." in text
    assert ("Pin the account" in text) == (who in MAY_PIN)
    assert ("Review the move" in text) == (who in MAY_PIN)


@pytest.mark.parametrize("who", STAFF)
@pytest.mark.parametrize("path", ["/moves/preview/", "/moves/preview.csv", "/moves/runs/"])
def test_runs_and_the_preview_are_for_national_supervisors_and_administrators(sign_in_as, who, path):
    response = sign_in_as(who).get(path)
    assert response.status_code == (200 if who in MAY_RUN else 403)


@pytest.mark.parametrize("who", STAFF)
def test_hts_rules_page_is_for_administrators_only(sign_in_as, who):
    client = sign_in_as(who)
    assert client.get("/moves/hts-rules/").status_code == (200 if who in MAY_EDIT_RULES else 403)
    response = client.post("/moves/hts-rules/", {"prefix": "8429", "center": "CEE001", "confirm": "yes"})
    assert response.status_code == (302 if who in MAY_EDIT_RULES else 403)
    from importers.models import HtsRule

    assert HtsRule.objects.filter(prefix="8429", center__ace_id="CEE001").exists() == (who in MAY_EDIT_RULES)


@pytest.mark.parametrize("path", ["/moves/accounts/12-345678900/", "/moves/accounts/not-a-number/"])
def test_an_unknown_or_malformed_account_is_not_found(sign_in_as, path):
    client = sign_in_as("admin")
    assert client.get(path).status_code == 404
    assert client.post(path + "pin/", PIN).status_code == 404


def test_the_account_box_opens_the_account_or_says_it_was_not_found(sign_in_as, account):
    client = sign_in_as("specialist")
    assert client.get("/moves/find/", {"ior": account.ior_number}).url == url("account", account)
    response = client.get("/moves/find/", {"ior": "99-9"}, follow=True)
    assert "No importer account &#x27;99-9&#x27;" in response.content.decode()


# --- Pin and lift a pin ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", STAFF)
def test_pin_and_unpin_by_role_with_the_reason_recorded(sign_in_as, account, who):
    client = sign_in_as(who)
    response = client.post(url("pin", account), PIN)
    account.refresh_from_db()
    if who not in MAY_PIN:
        assert response.status_code == 403
        assert "supervisory decisions (81 FR 92978)" in response.content.decode()
        assert not account.is_pinned and not PinChange.objects.exists()
        return
    assert response.status_code == 302
    assert (account.pin_reason, account.pin_note, account.pinned_by.username) == (
        "business_practice",
        PIN["note"],
        who,
    )
    response = client.post(url("unpin", account), {"note": "The business practice ended"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.is_pinned
    assert list(
        PinChange.objects.order_by("id").values_list("action", "pin_reason", "note", "changed_by__username")
    ) == [
        ("pinned", "business_practice", PIN["note"], who),
        ("unpinned", "", "The business practice ended", who),
    ]


def test_a_supervisor_of_another_center_may_not_unpin_either(sign_in_as, account):
    from importers.services import pin_importer

    pin_importer(account, reason="appeal", note="OFO letter", actor=None, today=TODAY)
    response = sign_in_as("supervisor_elsewhere").post(url("unpin", account), {"note": "why not"})
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.pin_reason == "appeal"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"note": "n"}, "pin_reason", "Choose the reason for the pin"),
        ({"pin_reason": "whim", "note": "n"}, "pin_reason", "whim is not a reason for a pin"),
        ({"pin_reason": "appeal", "note": ""}, "note", "Say in a note what was decided"),
    ],
)
def test_a_pin_with_bad_input_says_which_field_and_changes_nothing(sign_in_as, account, data, field, message):
    response = sign_in_as("supervisor").post(url("pin", account), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert message in " ".join(response.context["pin_form"].errors[field])
    account.refresh_from_db()
    assert not account.is_pinned and not PinChange.objects.exists()


def test_lifting_a_pin_needs_a_reason_and_a_pin(sign_in_as, account):
    client = sign_in_as("supervisor")
    response = client.post(url("unpin", account), {"note": ""})
    assert response.status_code == 400 and "Say why the pin is lifted" in response.content.decode()
    response = client.post(url("unpin", account), {"note": "tidy up"})
    assert response.status_code == 400 and "The account is not pinned" in response.content.decode()
    assert not PinChange.objects.exists()


# --- Move by hand ------------------------------------------------------------------------------------------


def test_a_move_is_confirmed_with_its_open_cases_then_takes_them_along(sign_in_as, account, monkeypatch):
    """81 FR 92978: a manual move is pinned; the open case moves with the account, the closed one stays."""
    monkeypatch.setattr("web.staff.moves.legal_today", lambda: dt.date(2026, 11, 30))
    client = sign_in_as("supervisor")
    data = {**PIN, "to_center": "CEE001", "from_center": "CEE010"}
    confirm = client.post(url("move", account), data)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "<strong>1</strong> open case moves with the account" in text
    assert 'name="confirm" value="yes"' in text
    account.refresh_from_db()
    assert account.center.ace_id == "CEE010" and not AccountAssignment.objects.exists()  # nothing yet

    done = client.post(url("move", account), {**data, "confirm": "yes"})
    assert done.status_code == 302
    account.refresh_from_db()
    account.open_case.refresh_from_db()
    account.closed_case.refresh_from_db()
    assert (account.center.ace_id, account.pin_reason) == ("CEE001", "business_practice")
    assert (account.open_case.center.ace_id, account.closed_case.center.ace_id) == ("CEE001", "CEE010")
    history = AccountAssignment.objects.get(importer=account)
    assert (
        history.from_center.ace_id,
        history.to_center.ace_id,
        history.effective_on,
        history.decided_by.username,
    ) == (
        "CEE010",
        "CEE001",
        dt.date(2026, 11, 30),
        "supervisor",
    )
    assert "moves page" in history.note
    assert "moved to CEE001 on 2026-11-30" in account.open_case.events.get(kind="center").message
    page = client.get(done.url).content.decode()
    assert "moved to CEE001" in page and "with 1 open case" in page


@pytest.mark.parametrize("who", ["specialist", "account_manager", "supervisor_elsewhere"])
def test_a_move_is_refused_to_who_may_not_decide_it(sign_in_as, account, who):
    data = {**PIN, "to_center": "CEE001", "from_center": "CEE010", "confirm": "yes"}
    assert sign_in_as(who).post(url("move", account), data).status_code == 403
    account.refresh_from_db()
    account.open_case.refresh_from_db()
    assert (account.center.ace_id, account.open_case.center.ace_id) == ("CEE010", "CEE010")


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"to_center": "CEE010"}, 400, "The account is with CEE010 already"),
        ({"to_center": "CEE099"}, 400, "No such Center"),
        ({"to_center": ""}, 400, "Choose the Center the account moves to"),
        ({"to_center": "CEE001", "pin_reason": ""}, 400, "Choose the reason for the pin"),
        # Posted from a page loaded before another move: refused, nothing overwritten.
        ({"to_center": "CEE001", "from_center": "CEE009"}, 409, "moved to CEE010 since this page was loaded"),
    ],
)
def test_a_move_with_bad_input_says_why_and_moves_nothing(sign_in_as, account, data, status, message):
    posted = {**PIN, "from_center": "CEE010", "confirm": "yes", **data}
    response = sign_in_as("national_supervisor").post(url("move", account), posted)
    assert response.status_code == status
    assert message in response.content.decode()
    account.refresh_from_db()
    account.open_case.refresh_from_db()
    assert (account.center.ace_id, account.open_case.center.ace_id, account.pin_reason) == (
        "CEE010",
        "CEE010",
        "",
    )
    assert not AccountAssignment.objects.exists()


def test_a_move_cancels_an_announced_move(sign_in_as, account):
    ScheduledMove.objects.create(
        importer=account,
        from_center=account.center,
        to_center_id=account.center_id - 1,
        announced_on=TODAY,
        effective_on=TODAY + dt.timedelta(days=14),
    )
    home = sign_in_as("admin").get("/moves/").content.decode()
    assert "Keystone Machinery Inc." in home  # listed as announced
    data = {**PIN, "to_center": "CEE002", "from_center": "CEE010", "confirm": "yes"}
    assert sign_in_as("admin").post(url("move", account), data).status_code == 302
    assert ScheduledMove.objects.get(importer=account).state == "cancelled"
    assert "No move is announced" in sign_in_as("admin").get("/moves/").content.decode()


# --- Tonight's preview and the runs ------------------------------------------------------------------------


def test_the_preview_page_and_csv_show_exactly_what_the_nightly_run_then_moves(sign_in_as, monkeypatch):
    """The preview plans through reassignment.plan_run as `reassign_accounts` does: same moves."""
    monkeypatch.setattr("web.staff.runs.legal_today", lambda: TODAY)
    shifting = ImporterFactory(center_ace_id="CEE009", name="Shifting Plastics Co.")
    add_lines(shifting, "3901100000", 10, on=dt.date(2026, 1, 10))
    add_lines(shifting, "8429510000", 30, on=dt.date(2026, 9, 10))  # now Machinery (CEE010) leads
    staying = ImporterFactory(center_ace_id="CEE009", name="Steady Plastics Co.")
    add_lines(staying, "3901100000", 30)
    pinned = ImporterFactory(center_ace_id="CEE009", name="Pinned Plastics Co.", pin_reason="appeal")
    add_lines(pinned, "8429510000", 30)
    within_margin = ImporterFactory(center_ace_id="CEE009", name="Close Call Co.")
    add_lines(within_margin, "3901100000", 10)
    add_lines(within_margin, "8429510000", 11)  # leads by 4.8 points: within the 10-point margin

    client = sign_in_as("national_supervisor")
    page = client.get("/moves/preview/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Shifting Plastics Co." in text
    assert not any(name in text for name in ("Steady Plastics", "Pinned Plastics", "Close Call"))
    assert page.context["preview"].examined == Importer.objects.count()
    response = client.get("/moves/preview.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["importer", "from", "to", "basis", "volume", "shares", "why"]
    previewed = {(r[0], r[1], r[2]) for r in rows[1:]}
    assert previewed == {(shifting.ior_number, "CEE009", "CEE010")}
    assert not AccountAssignment.objects.exists() and not ReassignmentJob.objects.exists()  # nothing moved

    call_command("reassign_accounts", "--full", "--today", TODAY.isoformat())
    moved = {
        (a.importer.ior_number, a.from_center.ace_id, a.to_center.ace_id)
        for a in AccountAssignment.objects.select_related("importer", "from_center", "to_center")
    }
    assert moved == previewed


def test_a_running_job_polls_its_progress_and_a_finished_one_stops(sign_in_as):
    job = ReassignmentJob.objects.create(
        scope="full", as_of=TODAY, planned=1500, chunks_total=3, chunks_done=1
    )
    client = sign_in_as("national_supervisor")
    fragment = client.get(f"/moves/runs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 3s"' in fragment and f'hx-get="/moves/runs/{job.pk}/progress/"' in fragment
    assert 'max="3" value="1"' in fragment and "Running" in fragment
    detail = client.get(f"/moves/runs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 3s"' in detail

    ReassignmentJob.objects.filter(pk=job.pk).update(state="finished", chunks_done=3, moved=1500)
    fragment = client.get(f"/moves/runs/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and "Finished" in fragment and "1500 moved" in fragment
    assert client.get("/moves/runs/99999/").status_code == 404
    assert sign_in_as("supervisor").get(f"/moves/runs/{job.pk}/progress/").status_code == 403


def test_a_run_started_from_the_page_is_listed(sign_in_as, monkeypatch):
    monkeypatch.setattr("web.staff.runs.legal_today", lambda: TODAY)
    shifting = ImporterFactory(center_ace_id="CEE009")
    add_lines(shifting, "8429510000", 30)
    client = sign_in_as("admin")
    response = client.post("/moves/runs/start/")
    assert response.status_code == 302 and response.url == "/moves/runs/"
    job = ReassignmentJob.objects.get()  # Celery runs eagerly in tests
    assert (job.state, job.moved, job.as_of) == ("finished", 1, TODAY)
    assert f"Run {job.pk}" in client.get("/moves/runs/").content.decode()
    assert sign_in_as("supervisor").post("/moves/runs/start/").status_code == 403
    assert ReassignmentJob.objects.count() == 1


# --- HTS -> Center rules: the preview first, then the existing rule-change code ----------------------------


def test_a_rule_change_shows_what_it_would_move_then_saves_through_the_resolver(
    sign_in_as, monkeypatch, django_capture_on_commit_callbacks
):
    from importers.models import EntryLine, HtsRule, HtsRuleChange

    monkeypatch.setattr("web.staff.runs.legal_today", lambda: TODAY)
    excavators = ImporterFactory(center_ace_id="CEE010", name="Excavator Imports Inc.")
    add_lines(excavators, "8429510000", 30)  # all of it under heading 8429
    mixed = ImporterFactory(center_ace_id="CEE010", name="Mixed Machinery Inc.")
    add_lines(mixed, "8429510000", 5)
    add_lines(mixed, "8471300100", 30)  # mostly computers: stays with CEE010 whatever 8429 does
    client = sign_in_as("admin")

    preview = client.post("/moves/hts-rules/", {"prefix": "8429", "center": "CEE001"})
    assert preview.status_code == 200
    found = preview.context["preview"]
    assert (len(found.headings), found.lines, found.accounts_with_lines) == (1, 35, 2)
    assert found.accounts_moving == [(excavators.ior_number, excavators.name, "CEE010", "CEE001")]
    assert not HtsRule.objects.filter(prefix="8429").exists()  # nothing saved yet

    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post("/moves/hts-rules/", {"prefix": "8429", "center": "CEE001", "confirm": "yes"})
    assert saved.status_code == 302
    change = HtsRuleChange.objects.get()
    assert (change.prefix, change.action, change.old_center, change.new_center.ace_id) == (
        "8429",
        "created",
        None,
        "CEE001",
    )
    assert (change.changed_by.username, change.headings_changed) == ("admin", 1)
    assert EntryLine.objects.filter(hts_number="8429510000", center__ace_id="CEE001").count() == 35
    call_command("reassign_accounts", "--full", "--today", TODAY.isoformat())
    moved = set(AccountAssignment.objects.values_list("importer__ior_number", "to_center__ace_id"))
    assert moved == {(excavators.ior_number, "CEE001")}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"prefix": "8", "center": "CEE001"}, "Give an HTS chapter (2 digits, e.g. 84) or heading"),
        ({"prefix": "84291", "center": "CEE001"}, "Give an HTS chapter"),
        ({"prefix": "", "center": "CEE001"}, "Give the HTS chapter (2 digits) or heading"),
        ({"prefix": "8429", "center": ""}, "Choose the Center the rule sends these goods to"),
        ({"prefix": "84", "center": "CEE010"}, "already names CEE010: nothing would change"),
    ],
)
def test_a_rule_change_with_bad_input_says_why_and_changes_nothing(sign_in_as, data, message):
    from importers.models import HtsRule, HtsRuleChange

    response = sign_in_as("admin").post("/moves/hts-rules/", {**data, "confirm": "yes"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert HtsRule.objects.get(prefix="84").center.ace_id == "CEE010"
    assert not HtsRule.objects.filter(prefix="8429").exists() and not HtsRuleChange.objects.exists()


# --- Query counts -----------------------------------------------------------------------------------------


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_moves_pages_read_in_a_fixed_number_of_queries(sign_in_as, django_assert_num_queries):
    from importers.services import pin_importer

    client = sign_in_as("admin")
    first = ImporterFactory(center_ace_id="CEE001")
    pin_importer(first, reason="appeal", note="n", actor=None, today=TODAY)
    ReassignmentJob.objects.create(scope="full", as_of=TODAY)
    home, runs = _queries(client, "/moves/"), _queries(client, "/moves/runs/")
    for _ in range(20):
        importer = ImporterFactory(center_ace_id="CEE002")
        pin_importer(importer, reason="appeal", note="n", actor=staff_user(None, role="admin"), today=TODAY)
        ScheduledMove.objects.create(
            importer=ImporterFactory(center_ace_id="CEE003"),
            from_center=importer.center,
            to_center=first.center,
            announced_on=TODAY,
            effective_on=TODAY,
        )
        ReassignmentJob.objects.create(scope="full", as_of=TODAY)
    with django_assert_num_queries(home):
        client.get("/moves/")
    with django_assert_num_queries(runs):
        client.get("/moves/runs/")
