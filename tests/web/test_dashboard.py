"""The dashboard (issue 12, item 8): per Center and national, its figures on both sides of each
boundary, charts with their tables, who may open it, and a query count that does not grow with rows.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors
from cases.models import CaseEntry, Decision
from cee_portal.legal_time import legal_today
from tests.cases.test_selectors import make_case
from tests.factories import EntryFactory, ImporterFactory, staff_user
from tests.web.staff_people import STAFF, TRADE, signer

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 7, 1)  # a Wednesday: its week starts on Monday 2026-06-29


@pytest.fixture
def sign_in_as(client):
    return signer(client)


def decided(importer, on: dt.date, outcome="denied", *, kind="protest", protested="", port="2304", by=None):
    """A decided case: closed with its outcome, a Decision dated `on`, and the decision protested."""
    case = make_case(importer, kind=kind, status=outcome, port=port)
    Decision.objects.create(case=case, outcome=outcome, decided_on=on, reasons="r", decided_by=by)
    if protested:
        CaseEntry.objects.create(
            case=case, entry=EntryFactory(importer=importer), case_kind=kind, protested_decision=protested
        )
    return case


# --- The selector's new figures --------------------------------------------------------------------------


def test_throughput_counts_decisions_per_week_from_monday_over_twelve_weeks():
    importer = ImporterFactory()
    admin = staff_user(None, role="admin")
    first_monday = dt.date(2026, 4, 13)  # 11 weeks before the week of TODAY
    for day in (
        first_monday - dt.timedelta(days=1),  # Sunday before the window: not counted
        first_monday,  # the window's first day
        dt.date(2026, 6, 28),  # Sunday: the week of 22 June
        dt.date(2026, 6, 29),  # Monday: this week
        TODAY,
        TODAY + dt.timedelta(days=1),  # not yet decided as of today
    ):
        decided(importer, day)
    weeks = selectors.dashboard(admin, {"center": "all"}, today=TODAY).throughput
    assert len(weeks) == 12
    assert weeks[0] == (first_monday, 1)
    assert weeks[-2] == (dt.date(2026, 6, 22), 1)
    assert weeks[-1] == (dt.date(2026, 6, 29), 2)
    assert sum(n for _, n in weeks) == 4


def test_uniformity_groups_decisions_by_category_and_port_over_a_year():
    machinery = ImporterFactory()
    admin = staff_user(None, role="admin")
    recent = TODAY - dt.timedelta(days=10)
    for outcome in ("allowed", "allowed", "denied"):
        decided(machinery, recent, outcome, protested="classification", port="2304")
    for _ in range(3):
        decided(machinery, recent, "denied", protested="classification", port="5301")
    decided(machinery, recent, "allowed", protested="appraisement", port="2304")
    decided(machinery, recent, "accepted", kind="psc", port="2304")
    decided(machinery, TODAY - dt.timedelta(days=365), "denied", protested="classification", port="5301")
    decided(machinery, TODAY - dt.timedelta(days=366), "denied", protested="classification", port="2304")

    found = {c["label"]: c for c in selectors.dashboard(admin, {"center": "all"}, today=TODAY).uniformity}
    assert set(found) == {
        "Protest of classification and rate of duty",
        "Protest of appraised value",
        "Post summary correction",
    }
    classification = found["Protest of classification and rate of duty"]
    ports = {p["port"]: (p["outcomes"], p["total"]) for p in classification["ports"]}
    # 365 days back is in the year, 366 days back is not.
    assert ports == {"5301": ({"denied": 4}, 4), "2304": ({"allowed": 2, "denied": 1}, 3)}
    assert [p["port"] for p in classification["ports"]] == ["5301", "2304"]  # most decisions first
    assert found["Post summary correction"]["ports"][0]["outcomes"] == {"accepted": 1}


def test_the_decisions_follow_the_dashboards_center():
    machinery, pharma = ImporterFactory(), ImporterFactory(center_ace_id="CEE001")
    admin = staff_user(None, role="admin")
    decided(machinery, TODAY)
    decided(pharma, TODAY)
    decided(pharma, TODAY)
    totals = {
        center: sum(n for _, n in selectors.dashboard(admin, {"center": center}, today=TODAY).throughput)
        for center in ("CEE010", "CEE001", "all")
    }
    assert totals == {"CEE010": 1, "CEE001": 2, "all": 3}
    # A specialist's default is the own Center.
    assert sum(n for _, n in selectors.dashboard(staff_user("CEE001"), today=TODAY).throughput) == 2


# --- The page ---------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_the_trade_is_refused(client, sign_in_as):
    assert client.get("/dashboard/").url.startswith("/accounts/login/")
    for who in TRADE:
        response = sign_in_as(who).get("/dashboard/")
        assert response.status_code == 302 and response.url == "/portal/"


@pytest.mark.parametrize("who", STAFF)
def test_every_staff_role_sees_its_centers_dashboard_by_default_and_the_national_one_at_a_click(
    sign_in_as, who
):
    machinery, pharma = ImporterFactory(), ImporterFactory(center_ace_id="CEE001")
    today = legal_today()
    make_case(machinery, deadline=today - dt.timedelta(days=1), filed_on=today - dt.timedelta(days=40))
    make_case(machinery, deadline=today + dt.timedelta(days=7), filed_on=today)
    make_case(pharma, deadline=today + dt.timedelta(days=30), kind="psc", filed_on=today)
    client = sign_in_as(who)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    own = who in {"specialist", "account_manager", "supervisor"}
    figures = {key: _tile(text, key) for key in ("open-total", "overdue", "due-7", "due-30")}
    if who == "supervisor_elsewhere":  # CEE009 has no case
        assert figures == {"open-total": 0, "overdue": 0, "due-7": 0, "due-30": 0}
    elif own:
        assert "Dashboard: CEE010" in text
        assert figures == {"open-total": 2, "overdue": 1, "due-7": 2, "due-30": 2}
    else:  # national staff see every Center by default
        assert "Dashboard: all Centers" in text
        assert figures == {"open-total": 3, "overdue": 1, "due-7": 2, "due-30": 3}
    national = client.get("/dashboard/", {"center": "all"}).content.decode()
    assert {key: _tile(national, key) for key in ("open-total", "due-30")} == {"open-total": 3, "due-30": 3}
    pharma_page = client.get("/dashboard/", {"center": "CEE001"}).content.decode()
    assert "Dashboard: CEE001" in pharma_page and _tile(pharma_page, "open-total") == 1


def test_an_unknown_center_is_said_beside_the_field_and_the_own_dashboard_shown(sign_in_as):
    make_case(ImporterFactory(), deadline=legal_today())
    response = sign_in_as("specialist").get("/dashboard/", {"center": "CEE099"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Select a valid choice. CEE099 is not one of the available choices." in text
    assert "Dashboard: CEE010" in text and _tile(text, "open-total") == 1


def test_every_chart_is_an_svg_image_with_a_name_and_a_table_beside_it(sign_in_as):
    machinery = ImporterFactory()
    today = legal_today()
    person = staff_user("CEE010")
    make_case(machinery, deadline=today + dt.timedelta(days=3), assignee=person, filed_on=today)
    decided(machinery, today, "allowed", protested="classification")
    text = sign_in_as("supervisor").get("/dashboard/").content.decode()
    charts = re.findall(r"<svg [^>]*>", text)
    assert len(charts) == 6  # kind, status, aging, throughput, workload, one uniformity category
    for svg in charts:
        assert 'role="img"' in svg and "aria-labelledby=" in svg and "style=" not in svg
    for table in ("kinds-table", "statuses-table", "aging-table", "throughput-table", "workload-table"):
        assert f'id="{table}"' in text
    assert "uniformity-table" in text and "Protest of classification and rate of duty" in text
    assert f'<th scope="row">{person.username}</th>' in text


def _tile(text: str, key: str) -> int:
    return int(re.search(rf'id="{key}">(\d+)<', text).group(1))


# --- Query count (item 11) --------------------------------------------------------------------------------


def _rows(n: int) -> None:
    importers = [ImporterFactory(), ImporterFactory(center_ace_id="CEE001")]
    people = [staff_user("CEE010") for _ in range(3)]
    today = legal_today()
    for i in range(n):
        importer = importers[i % 2]
        make_case(
            importer,
            kind=("protest", "psc", "cf28")[i % 3],
            status=("received", "under_review", "issued")[i % 3],
            deadline=today + dt.timedelta(days=i - n // 2),
            assignee=people[i % 3],
            filed_on=today - dt.timedelta(days=i * 20),
            port=("2304", "5301")[i % 2],
        )
        decided(
            importer,
            today - dt.timedelta(days=i * 5),
            ("allowed", "denied")[i % 2],
            protested="classification",
        )


@pytest.mark.parametrize("center", ["all", "CEE010"])
def test_the_dashboard_reads_in_the_same_number_of_queries_for_few_and_many_cases(
    sign_in_as, django_assert_num_queries, center
):
    client = sign_in_as("national_supervisor")
    _rows(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/dashboard/", {"center": center}).status_code == 200
    _rows(60)
    with django_assert_num_queries(len(few)):
        assert client.get("/dashboard/", {"center": center}).status_code == 200


def test_the_uniformity_view_shows_the_ports_with_the_most_decisions_and_counts_the_rest(sign_in_as):
    from importers.models import Port
    from web.staff.dashboard import PORTS_SHOWN

    machinery, today = ImporterFactory(), legal_today()
    codes = list(Port.objects.order_by("code").values_list("code", flat=True)[: PORTS_SHOWN + 1])
    for n, code in enumerate(codes):
        for _ in range(1 if n == PORTS_SHOWN else 2):  # the last port has the fewest decisions
            decided(machinery, today, protested="classification", port=code)
    text = sign_in_as("supervisor").get("/dashboard/").content.decode()
    table = text[text.index('class="table uniformity-table"') :]
    assert f"(the {PORTS_SHOWN} ports with the most; 1 more not shown)" in table
    assert all(f'<th scope="row">{code} ' in table for code in codes[:PORTS_SHOWN])
    assert f'<th scope="row">{codes[-1]} ' not in table
