"""The staff queue page (issue 12, item 2): who opens it, what each role sees by default, the filters
(refusals beside the field, never a 500), days left as text and colour, keyset pages, counts, saved
filters, bulk assignment through the policy, the CSV export and the header search."""

import csv
import datetime as dt
import io
import itertools
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.deadlines import DeadlineKind
from cases.models import Case, CaseDeadline, CaseEvent, ProtestDetail, SavedQueueFilter
from cee_portal.legal_time import legal_today
from cee_portal.users.models import User
from importers.models import Port
from tests.factories import EntryFactory, ImporterFactory, UserFactory, staff_user, trade_user
from web.staff.queue import days_left_text

pytestmark = pytest.mark.django_db

QUEUE = "/queue/"
_serial = itertools.count(1)


def make_case(importer, *, days=None, kind="protest", status="received", assignee=None, port="2304", **extra):
    """A queue row as the services leave it, with its next deadline `days` from the legal today."""
    today = legal_today()
    is_open = status in {"received", "under_review", "suspended", "issued", "answered"}
    case = Case.objects.create(
        reference_number=f"Q-{next(_serial):06d}",
        kind=kind,
        status=status,
        is_open=is_open,
        center=importer.center,
        filing_port=Port.objects.get(code=port),
        importer=importer,
        assignee=assignee,
        filed_on=today - dt.timedelta(days=10),
        next_deadline_on=None if days is None else today + dt.timedelta(days=days),
        next_deadline_kind="" if days is None else "protest_decision_target",
    )
    if kind == "protest":
        ProtestDetail.objects.create(case=case, description="x", **extra)
    if days is not None:
        CaseDeadline.objects.create(
            case=case,
            kind="protest_decision_target",
            due_on=case.next_deadline_on,
            citation="19 U.S.C. 1515(a)",
            rule="Two years from filing",
        )
    return case


def rows(response) -> list[str]:
    """The reference numbers of the queue's rows, in order."""
    return re.findall(r"data-open>([^<]+)</a>", response.content.decode())


@pytest.fixture
def world():
    machinery = ImporterFactory(center_ace_id="CEE010", name="Keystone Machinery Inc.")
    pharma = ImporterFactory(center_ace_id="CEE001", name="Pharma Co.")
    people = {
        "specialist": staff_user("CEE010", username="spec"),
        "manager": staff_user("CEE010", role=User.Role.ACCOUNT_MANAGER, username="mgr"),
        "supervisor": staff_user("CEE010", role=User.Role.SUPERVISOR, username="sup"),
        "national": UserFactory(role=User.Role.SUPERVISOR, username="natsup"),
        "admin": UserFactory(role=User.Role.ADMIN, username="boss"),
        "pharma_specialist": staff_user("CEE001", username="pharmspec"),
        "member": trade_user(machinery),
    }
    cases = {
        "m_late": make_case(machinery, days=-2),
        "m_soon": make_case(machinery, days=3, assignee=people["specialist"]),
        "m_later": make_case(machinery, days=40, kind="psc"),
        "m_none": make_case(machinery),
        "m_closed": make_case(machinery, status="denied"),
        "p1": make_case(
            pharma, days=5, port="3001", accelerated_disposition_mailed_on=legal_today() - dt.timedelta(3)
        ),
    }
    return {"people": people, "cases": cases, "machinery": machinery, "pharma": pharma}


def refs(world, *names):
    return [world["cases"][n].reference_number for n in names]


def bulk(action, references, **extra) -> dict:
    """A bulk form as the queue renders it: the selected references, each with its case version."""
    cases = {c.reference_number: c for c in Case.objects.filter(reference_number__in=references)}
    versions = {f"version-{r}": cases[r].version for r in references if r in cases}
    return {"action": action, "case": references, **versions, **extra}


def login(client, user):
    # The factory sets the password without saving it; sign in with the user as stored.
    user.refresh_from_db()
    client.force_login(user)
    return client


def signed_in(client, world, who):
    return login(client, world["people"][who])


# --- Who opens it ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [QUEUE, "/queue/counts/", "/queue/export.csv", "/search/?q=x", "/cases/Q-000001/"]
)
def test_anonymous_users_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("path", [QUEUE, "/queue/counts/", "/queue/export.csv", "/search/?q=x"])
def test_importer_users_and_brokers_are_sent_to_the_portal_home(client, world, path):
    broker = UserFactory(role=User.Role.BROKER)
    for user in (world["people"]["member"], broker):
        login(client, user)
        assert client.get(path).url == "/portal/"
    response = client.post("/queue/bulk/", {"action": "claim", "case": refs(world, "m_late")})
    assert response.url == "/portal/"
    assert Case.objects.get(pk=world["cases"]["m_late"].pk).assignee is None


@pytest.mark.parametrize(
    ("who", "heading", "expected"),
    [
        ("specialist", "Queue: Machinery", ("m_late", "m_soon", "m_later", "m_none")),
        ("manager", "Queue: Machinery", ("m_late", "m_soon", "m_later", "m_none")),
        ("supervisor", "Queue: Machinery", ("m_late", "m_soon", "m_later", "m_none")),
        ("pharma_specialist", "Queue: Pharmaceuticals", ("p1",)),
        ("national", "Queue: all Centers", ("m_late", "m_soon", "p1", "m_later", "m_none")),
        ("admin", "Queue: all Centers", ("m_late", "m_soon", "p1", "m_later", "m_none")),
    ],
)
def test_each_staff_role_opens_the_open_cases_of_its_center_by_nearest_deadline(
    client, world, who, heading, expected
):
    response = signed_in(client, world, who).get(QUEUE)
    assert response.status_code == 200
    assert f"<h1>{heading}" in response.content.decode()
    assert rows(response) == refs(world, *expected)


def test_the_national_queue_is_one_click_away_for_center_staff(client, world):
    response = signed_in(client, world, "specialist").get(QUEUE)
    assert 'href="/queue/?center=all"' in response.content.decode()
    national = client.get(QUEUE, {"center": "all"})
    assert "<h1>Queue: all Centers" in national.content.decode()
    assert rows(national) == refs(world, "m_late", "m_soon", "p1", "m_later", "m_none")
    assert rows(client.get(QUEUE, {"center": "CEE001"})) == refs(world, "p1")


# --- Filters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "psc"}, ("m_later",)),
        ({"assignee": "me"}, ("m_soon",)),
        ({"assignee": "unassigned"}, ("m_late", "m_later", "m_none")),
        ({"assignee": "spec", "center": "all"}, ("m_soon",)),
        ({"overdue": "true"}, ("m_late",)),
        ({"overdue": "false"}, ("m_soon", "m_later", "m_none")),
        # Within 3 days: the overdue case and the one due in exactly 3 days, not the one in 40.
        ({"due_within": "3"}, ("m_late", "m_soon")),
        ({"due_within": "2"}, ("m_late",)),
        ({"accelerated": "true", "center": "all"}, ("p1",)),
        ({"port": "3001", "center": "all"}, ("p1",)),
        ({"state": "closed"}, ("m_closed",)),
        ({"status": "denied"}, ("m_closed",)),
    ],
)
def test_each_filter_narrows_the_rows(client, world, filters, expected):
    response = signed_in(client, world, "specialist").get(QUEUE, filters)
    assert response.status_code == 200
    assert rows(response) == refs(world, *expected)


def test_the_entry_and_importer_filters_find_cases_by_public_numbers(client, world):
    from cases.models import CaseEntry

    entry = EntryFactory(importer=world["machinery"])
    CaseEntry.objects.create(case=world["cases"]["m_later"], entry=entry, case_kind="psc")
    signed_in(client, world, "specialist")
    assert rows(client.get(QUEUE, {"entry": entry.entry_number})) == refs(world, "m_later")
    ior = world["pharma"].ior_number
    assert rows(client.get(QUEUE, {"importer": ior, "center": "all"})) == refs(world, "p1")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("center", "CEE999", "No Center &#x27;CEE999&#x27;"),
        ("assignee", "nobody", "No CBP staff user &#x27;nobody&#x27;"),
        ("kind", "bogus", "Select a valid choice"),
        ("due_within", "-1", "Give a whole number of days from 0 to 3650"),
        ("due_within", "3651", "Give a whole number of days from 0 to 3650"),
        ("due_within", "soon", "Enter a number"),
        ("entry", "not-an-entry", "ntry number"),
        ("overdue", "maybe", "Select a valid choice"),
    ],
)
def test_a_refused_filter_value_shows_its_message_beside_the_field_never_a_500(
    client, world, field, value, message
):
    response = signed_in(client, world, "specialist").get(QUEUE, {field: value})
    assert response.status_code == 200
    html = response.content.decode()
    # The message sits inside the refused field's own group, which is marked invalid.
    own_group = rf'<div class="field field-invalid">(?:(?!<div class="field).)*id="id_{field}'
    group = re.search(own_group, html, re.S)
    assert group, f"{field} is not marked invalid"
    assert message in group.group(0)
    assert rows(response) == []
    assert "The filters were refused" in html
    counts = client.get("/queue/counts/", {field: value})
    assert counts.status_code == 200 and "once the filters are accepted" in counts.content.decode()


def test_the_filter_form_shows_the_filters_of_each_request_and_the_staff_of_the_moment(client, world):
    """The form's HTML is cached (web/staff/queue.py filter_fields_html): each request must still show
    its own filters checked, its own refusals, and a colleague added since."""

    def checked_kinds(response) -> set[str]:
        html = response.content.decode()
        return set(re.findall(r'name="kind" value="(\w+)" id="id_kind_\d+" checked', html))

    signed_in(client, world, "specialist")
    for kinds in (["protest"], ["psc"], ["protest"], ["protest", "psc"], []):
        assert checked_kinds(client.get(QUEUE, {"kind": kinds})) == set(kinds)
    refused = client.get(QUEUE, {"kind": ["protest"], "due_within": "-1"}).content.decode()
    assert "field-invalid" in refused
    assert "field-invalid" not in client.get(QUEUE, {"kind": ["protest"]}).content.decode()
    staff_user("CEE010", username="newcomer")
    assert 'value="newcomer"' in client.get(QUEUE, {"kind": ["protest"]}).content.decode()


def test_a_damaged_page_link_is_refused_above_the_form(client, world):
    response = signed_in(client, world, "specialist").get(QUEUE, {"cursor": "not-a-cursor"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This page link is damaged" in html
    assert '<details class="queue-filter-panel" open>' in html  # where the message is
    assert '<details class="queue-filter-panel">' in client.get(QUEUE).content.decode()
    response = client.get(QUEUE, {"per_page": "5000"})
    assert "Give a page size from 1 to 200" in response.content.decode()
    response = client.get(QUEUE, {"per_page": "lots"})
    assert "Rows per page is a whole number" in response.content.decode()


# --- Rows: days left and the rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "text", "css"),
    [
        (None, "No running deadline", "days-none"),
        (-2, "2 days overdue", "days-overdue"),
        (-1, "1 day overdue", "days-overdue"),
        (0, "Due today", "days-soon"),
        (1, "1 day left", "days-soon"),
        (7, "7 days left", "days-soon"),
        (8, "8 days left", "days-ok"),
    ],
)
def test_days_left_is_words_and_a_colour_class_that_agree(days, text, css):
    assert days_left_text(days) == (text, css)


def test_each_row_shows_days_left_as_text_and_class_and_the_rule_of_its_deadline(client, world):
    html = signed_in(client, world, "specialist").get(QUEUE).content.decode()
    assert '<span class="days days-overdue">2 days overdue</span>' in html
    assert '<span class="days days-soon">3 days left</span>' in html
    assert '<span class="days days-ok">40 days left</span>' in html
    assert '<span class="days days-none">No running deadline</span>' in html
    assert DeadlineKind.PROTEST_DECISION_TARGET.label in html
    assert "19 U.S.C. 1515(a)" in html
    reference = world["cases"]["m_late"].reference_number
    assert f'href="/cases/{reference}/"' in html
    assert '<th scope="col">Days left</th>' in html


def test_an_empty_queue_says_so_and_offers_to_clear_the_filters(client, world):
    html = signed_in(client, world, "specialist").get(QUEUE, {"kind": "cf28"}).content.decode()
    assert "No open cases match these filters." in html
    assert '<a href="/queue/">Clear filters</a>' in html


# --- Keyset pages and counts -------------------------------------------------------------------------


def test_pages_go_by_the_keyset_cursor_with_next_and_first_links_and_no_offset(client, world):
    for n in range(30):
        make_case(world["machinery"], days=100 + n)
    signed_in(client, world, "specialist")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(QUEUE, {"per_page": "25"})
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
    first_rows = rows(first)
    assert len(first_rows) == 25 and first_rows[:2] == refs(world, "m_late", "m_soon")
    html = first.content.decode()
    assert "First page" not in html
    next_link = re.search(r'href="(/queue/\?[^"]*cursor=[^"]+)" rel="next"', html).group(1)
    next_link = next_link.replace("&amp;", "&")
    second = client.get(next_link)
    second_rows = rows(second)
    # 34 open cases of the Center: 25, then 9, none repeated, the undated one last.
    assert len(second_rows) == 9 and not set(first_rows) & set(second_rows)
    assert second_rows[-1] == world["cases"]["m_none"].reference_number
    html = second.content.decode()
    assert 'href="/queue/?per_page=25">First page</a>' in html
    assert 'rel="next"' not in html and "Last page" in html


def test_counts_per_kind_and_status_follow_the_filter_and_load_apart_from_the_rows(client, world):
    html = signed_in(client, world, "specialist").get(QUEUE, {"center": "all"}).content.decode()
    assert 'hx-get="/queue/counts/?center=all"' in html and 'hx-trigger="load"' in html
    counts = client.get("/queue/counts/", {"center": "all"}).content.decode()
    assert "<strong>5</strong> cases match" in counts
    assert 'Protest (CBP Form 19)</th><td class="num">4<' in counts
    assert 'Post summary correction</th><td class="num">1<' in counts
    assert 'Received</th><td class="num">5<' in counts
    only_psc = client.get("/queue/counts/", {"kind": "psc"}).content.decode()
    assert "<strong>1</strong> case match" in only_psc


def test_the_queue_reads_the_same_number_of_queries_for_10_and_100_rows(client):
    """Issue 12 item 11: no query per row (importer, port, assignee, deadline all come in bulk)."""
    importer = ImporterFactory(center_ace_id="CEE010")
    reader = staff_user("CEE010")
    login(client, reader)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE, {"per_page": "100"})
        return len(rows(response)), len(queries.captured_queries)

    for n in range(10):
        make_case(importer, days=n, assignee=reader if n % 2 else None)
    shown_10, queries_10 = count()
    for n in range(90):
        kind = "protest" if n % 3 else "psc"
        make_case(importer, days=n % 9, kind=kind, assignee=reader if n % 2 else None)
    shown_100, queries_100 = count()
    assert (shown_10, shown_100) == (10, 100)
    assert queries_10 == queries_100


# --- Saved filters -------------------------------------------------------------------------------------


def test_a_private_saved_filter_is_its_owners_only_and_a_shared_one_reaches_the_center(client, world):
    signed_in(client, world, "specialist")
    response = client.post(
        "/queue/filters/", {"name": "My overdue", "query": "overdue=true&cursor=abc&bogus=1", "next": QUEUE}
    )
    assert response.status_code == 302 and response.url == "/queue/?overdue=true"
    client.post("/queue/filters/", {"name": "Center PSCs", "query": "kind=psc", "shared": "on"})
    mine = SavedQueueFilter.objects.get(name="My overdue")
    assert (mine.query, mine.shared_with_id) == ("overdue=true", None)
    assert SavedQueueFilter.objects.get(name="Center PSCs").shared_with.ace_id == "CEE010"
    html = client.get(QUEUE).content.decode()
    assert "My overdue" in html and "Center PSCs" in html

    colleague = signed_in(client, world, "manager").get(QUEUE).content.decode()
    assert "Center PSCs" in colleague and "shared by spec" in colleague
    assert "My overdue" not in colleague
    elsewhere = signed_in(client, world, "pharma_specialist").get(QUEUE).content.decode()
    assert "Center PSCs" not in elsewhere and "My overdue" not in elsewhere

    # A colleague who sees a shared filter cannot delete it; the owner can.
    shared = SavedQueueFilter.objects.get(name="Center PSCs")
    login(client, world["people"]["manager"])
    client.post(f"/queue/filters/{shared.pk}/delete/")
    assert SavedQueueFilter.objects.filter(pk=shared.pk).exists()
    assert client.post(f"/queue/filters/{mine.pk}/delete/").status_code == 404
    login(client, world["people"]["specialist"])
    client.post(f"/queue/filters/{shared.pk}/delete/")
    assert not SavedQueueFilter.objects.filter(pk=shared.pk).exists()


@pytest.mark.parametrize(
    ("who", "data", "message"),
    [
        ("specialist", {"name": "  ", "query": "kind=psc"}, "Give the filter a name"),
        ("specialist", {"name": "x" * 81, "query": "kind=psc"}, "Keep the name to 80 characters"),
        ("specialist", {"name": "Bad", "query": "center=CEE999"}, "No Center"),
        ("specialist", {"name": "Bad", "query": "kind=bogus"}, "Select a valid choice"),
        ("national", {"name": "Shared", "query": "kind=psc", "shared": "on"}, "no Center to share with"),
    ],
)
def test_a_refused_saved_filter_says_why_and_saves_nothing(client, world, who, data, message):
    signed_in(client, world, who)
    response = client.post("/queue/filters/", {**data, "next": QUEUE}, follow=True)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not SavedQueueFilter.objects.exists()


# --- Bulk claim, assign, unassign ------------------------------------------------------------------


def test_bulk_claim_claims_what_the_policy_allows_and_reports_each_refusal(client, world):
    signed_in(client, world, "specialist")
    selected = refs(world, "m_late", "m_later", "p1", "m_closed") + ["NO-SUCH-1"]
    response = client.post("/queue/bulk/", bulk("claim", selected, next="/queue/?kind=protest"), follow=True)
    assert response.redirect_chain[-1][0] == "/queue/?kind=protest"
    spec = world["people"]["specialist"]
    assert Case.objects.get(pk=world["cases"]["m_late"].pk).assignee == spec
    assert Case.objects.get(pk=world["cases"]["m_later"].pk).assignee == spec
    assert Case.objects.get(pk=world["cases"]["p1"].pk).assignee is None  # another Center's case
    assert Case.objects.get(pk=world["cases"]["m_closed"].pk).assignee is None
    html = response.content.decode().replace("&#x27;", "'")
    assert "Claimed: 2 of 5 cases" in html
    assert "Refused 3 of 5" in html
    p1, closed = refs(world, "p1", "m_closed")
    assert f"{p1}: You may not assign case {p1}" in html
    assert f"{closed}: Case {closed} is denied; only open cases are assigned." in html
    assert "NO-SUCH-1: no such case, or not one you may see." in html


def test_a_bulk_claim_never_takes_a_case_a_colleague_holds(client, world):
    """Issue 15 item 1: the queue's claim takes only unassigned cases, checked under the row lock: a
    case the queue showed as a colleague's (its version current) is refused with who holds it. (A
    colleague's claim made after the queue was shown is refused as a change: the next tests.)"""
    signed_in(client, world, "specialist")
    taken, free = refs(world, "m_late", "m_later")
    colleague = staff_user("CEE010", first_name="Ana", last_name="Colleague")
    services.assign_case(world["cases"]["m_late"], assignee=colleague, actor=colleague)
    response = client.post("/queue/bulk/", bulk("claim", [taken, free]), follow=True)
    html = response.content.decode().replace("&#x27;", "'")
    assert f"{taken}: Case {taken} is assigned to Ana Colleague: a claim from the queue takes only" in html
    assert Case.objects.get(reference_number=taken).assignee == colleague
    assert Case.objects.get(reference_number=free).assignee == world["people"]["specialist"]
    assert CaseEvent.objects.filter(case__reference_number=taken, kind="assignee").count() == 1


def test_bulk_assign_and_unassign_by_a_supervisor(client, world):
    signed_in(client, world, "supervisor")
    selected = refs(world, "m_late", "m_soon")
    client.post("/queue/bulk/", bulk("assign", selected, assignee="mgr"))
    assert {c.assignee.username for c in Case.objects.filter(reference_number__in=selected)} == {"mgr"}
    elsewhere = bulk("assign", selected, assignee="pharmspec")
    response = client.post("/queue/bulk/", elsewhere, follow=True)
    assert "Choose the person to assign" in response.content.decode()  # not staff of this Center
    client.post("/queue/bulk/", bulk("unassign", selected))
    assert not Case.objects.filter(reference_number__in=selected, assignee__isnull=False).exists()


def test_a_specialist_may_not_assign_to_a_colleague(client, world):
    signed_in(client, world, "specialist")
    response = client.post("/queue/bulk/", bulk("assign", refs(world, "m_late"), assignee="mgr"), follow=True)
    assert "Refused 1 of 1" in response.content.decode()
    assert Case.objects.get(pk=world["cases"]["m_late"].pk).assignee is None


def rendered_bulk_form(response) -> dict:
    """The bulk form's hidden fields as the queue page rendered them (versions and loaded_at)."""
    html = response.content.decode()
    return dict(
        re.findall(r'<input type="hidden" name="((?:version-[^"]+)|loaded_at)" value="([^"]*)"', html)
    )


def test_a_bulk_action_refuses_only_the_cases_changed_since_the_queue_was_loaded(client, world):
    """Issue 12: stale edits are refused; in a bulk action, case by case, saying what changed."""
    supervisor_client = Client()
    signed_in(supervisor_client, world, "supervisor")
    page = signed_in(client, world, "supervisor").get(QUEUE)
    form = rendered_bulk_form(page)
    late, later, soon = refs(world, "m_late", "m_later", "m_soon")
    assert form[f"version-{late}"] == "1" and form["loaded_at"]
    # Meanwhile, in another tab: m_later is assigned to mgr, m_soon moved on to review.
    supervisor_client.post("/queue/bulk/", bulk("assign", [later], assignee="mgr"))
    services.transition_case(world["cases"]["m_soon"], to="under_review", actor=world["people"]["supervisor"])

    response = client.post(
        "/queue/bulk/",
        {"action": "unassign", "case": [late, later, soon], **form},
        follow=True,
    )
    html = response.content.decode().replace("&#x27;", "'").replace("&gt;", ">")
    assert f"Unassigned: 1 of 3 cases ({late})." in html
    assert "Refused 2 of 3" in html
    assert (
        f"{later}: changed since you loaded the queue (version 1, now 2: Assignee: — → mgr by sup); "
        "now received, assigned to mgr. Nothing was done to it" in html
    )
    assert (
        f"{soon}: changed since you loaded the queue (version 1, now 2: Status: Received → Under review"
        in html
    )
    assert "now under review, assigned to spec." in html
    cases = {c.reference_number: c for c in Case.objects.filter(reference_number__in=[later, soon])}
    assert cases[later].assignee.username == "mgr" and cases[soon].assignee.username == "spec"


def test_a_bulk_selection_without_its_version_changes_nothing(client, world):
    late, soon = refs(world, "m_late", "m_soon")
    data = {**bulk("claim", [late, soon]), f"version-{late}": "", "loaded_at": "not a time"}
    response = signed_in(client, world, "specialist").post("/queue/bulk/", data, follow=True)
    html = response.content.decode().replace("&#x27;", "'")
    assert f"{late}: the page did not say which version of it you saw; reload the queue." in html
    assert f"Claimed: 1 of 2 cases ({soon})" in html  # already the specialist's: unchanged, counted done
    assert Case.objects.get(reference_number=late).assignee is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "claim"}, "Select at least one case"),
        ({"action": "delete", "case": ["x"]}, "Choose what to do"),
    ],
)
def test_a_bulk_action_without_cases_or_verb_changes_nothing(client, world, data, message):
    response = signed_in(client, world, "specialist").post("/queue/bulk/", data, follow=True)
    assert message in response.content.decode()
    assert client.get("/queue/bulk/").status_code == 405


# --- CSV export ----------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_export_streams_every_page_of_the_current_filter(client, world, monkeypatch):
    import web.staff.queue_export as export

    monkeypatch.setattr(export, "MAX_PAGE_SIZE", 2)  # three keyset pages for four rows
    response = signed_in(client, world, "specialist").get("/queue/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="queue-')
    table = read_csv(response)
    assert table[0][:3] == ["Reference", "Kind", "Status"]
    assert [r[0] for r in table[1:]] == refs(world, "m_late", "m_soon", "m_later", "m_none")
    late = table[1]
    assert late[3] == "CEE010" and late[10] == "-2" and late[12] == "19 U.S.C. 1515(a)"
    national = read_csv(client.get("/queue/export.csv", {"center": "all", "kind": "protest"}))
    assert [r[0] for r in national[1:]] == refs(world, "m_late", "m_soon", "p1", "m_none")


def test_the_csv_export_quotes_cells_a_spreadsheet_would_run_as_formulas(client, world):
    """OWASP CSV injection: text starting with = + - @ gets a leading quote; our numbers stay numbers."""
    for n, name in enumerate(['=HYPERLINK("http://x")', "+1 Corp", "-2 Corp", "@SUM(A1)", "Plain Co."]):
        make_case(ImporterFactory(center_ace_id="CEE010", name=name), days=200 + n)
    table = read_csv(signed_in(client, world, "specialist").get("/queue/export.csv"))
    names = [r[5] for r in table[1:]]
    assert names[-6:-2] == ['\'=HYPERLINK("http://x")', "'+1 Corp", "'-2 Corp", "'@SUM(A1)"]
    assert "Plain Co." in names
    assert table[1][10] == "-2"  # days left, a number we wrote


def test_a_refused_export_filter_goes_back_to_the_queue_with_its_message(client, world):
    response = signed_in(client, world, "specialist").get("/queue/export.csv", {"center": "CEE999"})
    assert response.status_code == 302 and response.url == "/queue/?center=CEE999"


# --- Header search and the case link -------------------------------------------------------------------


def test_the_header_search_opens_a_case_or_finds_entries(client, world):
    signed_in(client, world, "specialist")
    reference = world["cases"]["m_late"].reference_number
    assert 'role="search"' in client.get(QUEUE).content.decode()
    response = client.get("/search/", {"q": f" {reference.lower()} "})
    assert response.url == f"/cases/{reference}/"
    assert client.get(response.url).status_code == 200
    entry = EntryFactory(importer=world["machinery"])
    response = client.get("/search/", {"q": entry.entry_number})
    assert response.url == f"/entries/?q={entry.entry_number}"
    assert client.get(response.url).url == f"/entries/{entry.entry_number}/"  # a whole number opens its page
    response = client.get("/search/", {"q": "nothing"}, follow=True)
    assert response.status_code == 200 and "nothing" in response.content.decode()
