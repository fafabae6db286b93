"""The case read layer: the rows each selector returns per kind of user, the queue's filters and
keyset pagination, and query counts that do not grow with the rows."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cases import selectors, services
from cases.exceptions import CaseError
from cases.models import Case, CaseEntry, CaseEvent, ProtestDetail
from cee_portal.users.models import User
from importers.models import Port
from tests.factories import (
    EntryFactory,
    ImporterFactory,
    UserFactory,
    broker_user,
    center,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 7, 1)
_serial = itertools.count(1)


def make_case(importer, *, deadline=None, kind="protest", status="received", assignee=None, **kwargs) -> Case:
    """A queue row as the services leave it (the queue reads these columns only)."""
    is_open = status in {"received", "under_review", "suspended", "issued", "answered"}
    case = Case.objects.create(
        reference_number=f"T-{next(_serial):06d}",
        kind=kind,
        status=status,
        is_open=is_open,
        center=importer.center,
        filing_port=Port.objects.get(code=kwargs.pop("port", "2304")),
        importer=importer,
        assignee=assignee,
        filed_on=kwargs.pop("filed_on", TODAY - dt.timedelta(days=10)),
        next_deadline_on=deadline,
    )
    if kind == "protest":
        ProtestDetail.objects.create(case=case, description="x", **kwargs)
    return case


def refs(rows) -> list[str]:
    return [c.reference_number for c in rows]


@pytest.fixture
def world():
    """Two accounts of Machinery (CEE010), one of Pharmaceuticals (CEE001), their people and cases."""
    machinery, other_machinery = ImporterFactory(), ImporterFactory()
    pharma = ImporterFactory(center_ace_id="CEE001")
    broker = broker_user(pharma)  # acts for pharma under a delegation of every case kind
    people = {
        "member": trade_user(machinery),
        "broker": broker,
        "specialist": staff_user("CEE010"),
        "specialist_elsewhere": staff_user("CEE001"),
        "national_supervisor": UserFactory(role=User.Role.SUPERVISOR),
        "admin": UserFactory(role=User.Role.ADMIN),
    }
    cases = {
        "m1": make_case(machinery, deadline=TODAY + dt.timedelta(days=3)),
        "m2": make_case(machinery, deadline=TODAY + dt.timedelta(days=1), assignee=people["specialist"]),
        "m_closed": make_case(machinery, status="denied"),
        "o1": make_case(other_machinery, deadline=TODAY + dt.timedelta(days=2)),
        "p1": make_case(pharma, deadline=TODAY + dt.timedelta(days=5), port="5301"),
    }
    return {"people": people, "cases": cases, "machinery": machinery, "pharma": pharma}


def queue(world, who, **filters):
    return refs(selectors.case_queue(world["people"][who], filters, today=TODAY).rows)


def expected(world, *names):
    return [world["cases"][n].reference_number for n in names]


# --- Rows per kind of user ------------------------------------------------------------------------


def test_queue_rows_per_kind_of_user(world):
    """Staff see by Center (their own first, national at a click); the trade only their accounts."""
    assert queue(world, "member") == expected(world, "m2", "m1")
    assert queue(world, "member", center="all") == expected(world, "m2", "m1")
    assert queue(world, "broker") == expected(world, "p1")
    assert queue(world, "specialist") == expected(world, "m2", "o1", "m1")
    assert queue(world, "specialist_elsewhere") == expected(world, "p1")
    assert queue(world, "specialist_elsewhere", center="all") == expected(world, "m2", "o1", "m1", "p1")
    assert queue(world, "specialist_elsewhere", center="cee010") == expected(world, "m2", "o1", "m1")
    assert queue(world, "national_supervisor") == expected(world, "m2", "o1", "m1", "p1")
    assert queue(world, "admin") == expected(world, "m2", "o1", "m1", "p1")


# Which of the world's cases each kind of user may open, count and see on the dashboard.
SEEN_BY = {
    "member": {"m1", "m2", "m_closed"},
    "broker": {"p1"},
    "specialist": {"m1", "m2", "m_closed", "o1", "p1"},
    "specialist_elsewhere": {"m1", "m2", "m_closed", "o1", "p1"},
    "national_supervisor": {"m1", "m2", "m_closed", "o1", "p1"},
    "admin": {"m1", "m2", "m_closed", "o1", "p1"},
}


@pytest.mark.parametrize("who", list(SEEN_BY))
def test_detail_counts_and_dashboard_rows_per_kind_of_user(world, who):
    user = world["people"][who]
    opened = set()
    for name, case in world["cases"].items():
        try:
            assert selectors.case_detail(user, case.reference_number) == case
            opened.add(name)
        except Http404:
            pass
    assert opened == SEEN_BY[who]
    everything = {"center": "all", "state": "any"}
    assert selectors.queue_counts(user, everything, today=TODAY).total == len(SEEN_BY[who])
    assert selectors.dashboard(user, everything, today=TODAY).counts.total == len(SEEN_BY[who])


def test_assignee_filter_names_only_staff(world):
    """A username of the importer side is not an assignee, and the refusal does not tell it exists."""
    member = world["people"]["member"]
    with pytest.raises(CaseError) as refused:
        selectors.case_queue(world["people"]["admin"], {"assignee": member.username}, today=TODAY)
    assert "No CBP staff user" in refused.value.message_dict["assignee"][0]


def test_queue_shows_closed_cases_only_when_asked(world):
    assert queue(world, "specialist", state="closed") == expected(world, "m_closed")
    assert queue(world, "specialist", status="denied") == expected(world, "m_closed")
    assert queue(world, "specialist", state="any") == expected(world, "m2", "o1", "m1", "m_closed")


def test_anonymous_sees_an_empty_queue(world):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.case_queue(AnonymousUser(), {"center": "all"}, today=TODAY).rows == []


# --- Filters ------------------------------------------------------------------------------------------------


def test_filters_by_port_district_kind_importer_and_assignee(world):
    cases, people = world["cases"], world["people"]
    assert queue(world, "admin", port="5301") == expected(world, "p1")
    assert queue(world, "admin", district="23") == expected(world, "m2", "o1", "m1")
    assert queue(world, "admin", kind=["psc", "pic"]) == []
    assert queue(world, "admin", importer=world["pharma"].ior_number) == expected(world, "p1")
    assert queue(world, "specialist", assignee="me") == expected(world, "m2")
    assert queue(world, "specialist", assignee="unassigned") == expected(world, "o1", "m1")
    assert queue(world, "specialist", assignee="anyone") == expected(world, "m2", "o1", "m1")
    assert queue(world, "admin", assignee=people["specialist"].username) == expected(world, "m2")
    assert cases["m2"].assignee_id == people["specialist"].pk


def test_deadline_filters_on_both_sides_of_the_day(world):
    """due_within N includes the Nth day and what is overdue; overdue starts the day after the deadline."""
    machinery = world["machinery"]
    late = make_case(machinery, deadline=TODAY - dt.timedelta(days=1))
    due_today = make_case(machinery, deadline=TODAY)
    assert queue(world, "specialist", due_within=2) == [late.reference_number, due_today.reference_number] + (
        expected(world, "m2", "o1")
    )
    assert queue(world, "specialist", due_within=0) == [late.reference_number, due_today.reference_number]
    assert queue(world, "specialist", overdue=True) == [late.reference_number]
    assert late.reference_number not in queue(world, "specialist", overdue=False)
    assert due_today.reference_number in queue(world, "specialist", overdue=False)


def test_entry_accelerated_and_further_review_filters(world):
    machinery = world["machinery"]
    entry = EntryFactory(importer=machinery)
    covered = make_case(machinery, deadline=TODAY + dt.timedelta(days=9))
    twice = make_case(machinery, deadline=TODAY + dt.timedelta(days=9))
    CaseEntry.objects.create(case=covered, entry=entry, case_kind="protest", merchandise_category="a")
    CaseEntry.objects.create(case=twice, entry=entry, case_kind="protest", merchandise_category="b")
    accelerated = make_case(
        machinery,
        deadline=TODAY + dt.timedelta(days=8),
        accelerated_disposition_mailed_on=TODAY - dt.timedelta(days=5),
    )
    afr = make_case(machinery, deadline=TODAY + dt.timedelta(days=7), afr_status="requested")
    dashed = f"{entry.entry_number[:3]}-{entry.entry_number[3:10]}-{entry.entry_number[10]}"
    assert queue(world, "specialist", entry=dashed) == [covered.reference_number, twice.reference_number]
    assert queue(world, "specialist", accelerated=True) == [accelerated.reference_number]
    assert queue(world, "specialist", further_review="requested") == [afr.reference_number]
    assert queue(world, "specialist", further_review="granted") == []


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"center": "CEE011"}, "center"),
        ({"kind": "appeal"}, "kind"),
        ({"assignee": "nobody-by-that-name"}, "assignee"),
        ({"importer": "12-345"}, "importer"),
        ({"entry": "ABC-123"}, "entry"),
        ({"due_within": "-1"}, "due_within"),
        ({"due_within": "1.5"}, "due_within"),
        ({"overdue": "perhaps"}, "overdue"),
        ({"accelerated": "maybe"}, "accelerated"),
        ({"further_review": "not_requested"}, "further_review"),
        ({"state": "open-ish"}, "state"),
    ],
)
def test_bad_filter_is_refused_with_its_field(world, filters, field):
    with pytest.raises(CaseError) as refused:
        selectors.case_queue(world["people"]["admin"], filters, today=TODAY)
    assert field in refused.value.message_dict


# --- Keyset pagination -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("page_size", "pages"), [(1, 8), (3, 3), (4, 2), (7, 2), (8, 1)])
def test_keyset_pages_walk_ties_and_cases_without_deadline_once_each(world, page_size, pages):
    """Ties on the deadline are broken by id; cases without a deadline come last; nothing repeats.

    Page sizes put page boundaries inside a tie, across the last dated row, and among the undated.
    """
    pharma = world["pharma"]
    day = TODAY + dt.timedelta(days=20)
    made = [
        make_case(pharma, deadline=d) for d in (day, day, day, day + dt.timedelta(days=1), None, None, day)
    ]
    everything = refs(
        selectors.case_queue(world["people"]["specialist_elsewhere"], today=TODAY, page_size=50).rows
    )
    # p1 (5 days) first; the four due on `day` by id; the one due the day after; the undated by id.
    assert everything == expected(world, "p1") + refs([made[i] for i in (0, 1, 2, 6, 3, 4, 5)])
    walked, cursor, walked_pages = [], None, 0
    while True:
        page = selectors.case_queue(
            world["people"]["specialist_elsewhere"], cursor=cursor, page_size=page_size, today=TODAY
        )
        walked += refs(page.rows)
        walked_pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert walked == everything
    assert walked_pages == pages


def test_a_case_filed_between_pages_neither_repeats_nor_shifts_rows(world):
    pharma = world["pharma"]
    first = selectors.case_queue(world["people"]["national_supervisor"], page_size=2, today=TODAY)
    earlier = make_case(pharma, deadline=TODAY)  # sorts before the cursor: not on the next page
    rest = selectors.case_queue(
        world["people"]["national_supervisor"], cursor=first.next_cursor, page_size=10, today=TODAY
    )
    assert refs(first.rows) + refs(rest.rows) == expected(world, "m2", "o1", "m1", "p1")
    assert earlier.reference_number not in refs(rest.rows)
    assert rest.next_cursor is None


@pytest.mark.parametrize(
    "cursor", ["garbage!", "W10", "WyIyMDI2LTEzLTAxIiwgMV0", "WyIyMDI2LTA3LTAxIiwgIngiXQ"]
)
def test_damaged_cursor_is_refused(world, cursor):
    with pytest.raises(CaseError) as refused:
        selectors.case_queue(world["people"]["admin"], cursor=cursor, today=TODAY)
    assert "cursor" in refused.value.message_dict


def test_page_size_has_bounds(world):
    for size in (0, selectors.MAX_PAGE_SIZE + 1):
        with pytest.raises(CaseError):
            selectors.case_queue(world["people"]["admin"], page_size=size, today=TODAY)
    assert len(selectors.case_queue(world["people"]["admin"], page_size=1, today=TODAY).rows) == 1


def test_days_left_counts_from_today(world):
    page = selectors.case_queue(world["people"]["specialist"], today=TODAY)
    assert [page.days_left(c) for c in page.rows] == [1, 2, 3]


# --- Counts and dashboard ------------------------------------------------------------------------------


def test_queue_counts_follow_the_filter(world):
    make_case(world["machinery"], kind="cf28", status="issued", deadline=TODAY)
    counts = selectors.queue_counts(world["people"]["specialist"], today=TODAY)
    assert counts.by_kind_status == {("protest", "received"): 3, ("cf28", "issued"): 1}
    assert counts.by_kind == {"protest": 3, "cf28": 1}
    assert counts.total == 4
    assert selectors.queue_counts(world["people"]["member"], {"center": "all"}, today=TODAY).total == 3
    assert selectors.queue_counts(
        world["people"]["specialist"], {"state": "closed"}, today=TODAY
    ).by_status == {"denied": 1}


def test_dashboard_buckets_and_due_counts_on_both_sides_of_each_boundary(world):
    pharma = world["pharma"]
    reader = world["people"]["specialist_elsewhere"]
    for days_ago in (30, 31, 730, 731):
        make_case(pharma, filed_on=TODAY - dt.timedelta(days=days_ago))
    make_case(pharma, deadline=TODAY + dt.timedelta(days=7))
    make_case(pharma, deadline=TODAY + dt.timedelta(days=8))
    make_case(pharma, deadline=TODAY + dt.timedelta(days=30))
    make_case(pharma, deadline=TODAY + dt.timedelta(days=31))
    make_case(pharma, deadline=TODAY - dt.timedelta(days=1), assignee=reader)
    board = selectors.dashboard(reader, today=TODAY)
    # p1 and the five with deadlines were filed 10 days ago (make_case's default).
    assert board.aging == {"0-30": 7, "31-90": 1, "91-180": 0, "181-365": 0, "366-730": 1, "over 730": 1}
    assert board.overdue == 1
    assert board.due_within_7 == 3  # p1 (5 days), day 7, and the overdue one
    assert board.due_within_30 == 5
    assert board.counts.total == 10
    assert board.workload[0] == {
        "assignee_id": None,
        "assignee__username": None,
        "open": 9,
        "overdue": 0,
        "due_within_7": 2,
    }
    assert board.workload[1]["assignee__username"] == reader.username
    assert (board.workload[1]["open"], board.workload[1]["overdue"]) == (1, 1)


# --- The case page ------------------------------------------------------------------------------------------


@pytest.fixture
def filed():
    importer = ImporterFactory()
    member = trade_user(importer)
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    case = services.file_protest(
        actor=member, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    specialist = staff_user("CEE010")
    services.assign_case(case, assignee=specialist, actor=specialist)  # an internal event
    return {"case": case, "member": member, "specialist": specialist, "importer": importer}


def test_case_detail_by_id_or_reference_for_those_who_may_see_it(filed):
    case = filed["case"]
    assert selectors.case_detail(filed["specialist"], case.pk) == case
    assert selectors.case_detail(filed["member"], str(case.pk)) == case
    assert selectors.case_detail(filed["member"], case.reference_number) == case
    assert selectors.case_detail(staff_user("CEE001"), case.reference_number) == case


@pytest.mark.parametrize("lookup", ["own", "missing_id", "missing_reference", "huge_id"])
def test_case_detail_of_another_importer_is_missing(filed, lookup):
    stranger = trade_user(ImporterFactory())
    key = {
        "own": filed["case"].pk,
        "missing_id": 10**9,
        "missing_reference": "2304-26-999999",
        "huge_id": "9" * 30,
    }[lookup]
    with pytest.raises(Http404):
        selectors.case_detail(stranger, key)


def test_portal_timeline_leaves_out_internal_events(filed):
    staff_view = selectors.case_detail(filed["specialist"], filed["case"].pk)
    trade_view = selectors.case_detail(filed["member"], filed["case"].pk)
    assert "assignee" in [e.kind for e in staff_view.events.all()]
    assert "assignee" not in [e.kind for e in trade_view.events.all()]
    assert all(e.visibility == CaseEvent.Visibility.SHARED for e in trade_view.events.all())


# --- Query counts ------------------------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_queue_query_count_is_the_same_for_10_and_100_rows(django_assert_num_queries):
    importer = ImporterFactory()
    reader = staff_user("CEE010")
    for n in range(10):
        make_case(importer, deadline=TODAY + dt.timedelta(days=n))

    def read():
        page = selectors.case_queue(
            reader, {"center": "CEE010", "kind": "protest"}, today=TODAY, page_size=100
        )
        shown = [  # what a queue row shows
            (row.importer.name, row.center.ace_id, row.filing_port.name, row.assignee, row.running_deadlines)
            for row in page.rows
        ]
        assert len(shown) == len(page.rows)
        return page

    # The Center's lookup, the rows with a deadline, those without (the page was not full), and
    # the rows' running deadlines.
    with django_assert_num_queries(4):
        assert len(read().rows) == 10
    for n in range(90):
        make_case(importer, deadline=TODAY + dt.timedelta(days=n % 7), assignee=reader if n % 2 else None)
    with django_assert_num_queries(4):
        assert len(read().rows) == 100
    make_case(importer, deadline=TODAY + dt.timedelta(days=400))
    with django_assert_num_queries(3):  # a page filled by dated rows never reads the undated ones
        page = read()
        assert len(page.rows) == 100 and page.next_cursor is not None


def test_queue_without_rules_skips_the_running_deadlines_query(django_assert_num_queries):
    importer = ImporterFactory()
    reader = staff_user("CEE010")
    for n in range(3):
        make_case(importer, deadline=TODAY + dt.timedelta(days=n))
    # The rows with a deadline and those without (the page was not full): no deadlines query.
    with django_assert_num_queries(2):
        page = selectors.case_queue(reader, {}, today=TODAY, with_rules=False)
    assert len(page.rows) == 3 and not hasattr(page.rows[0], "running_deadlines")
    with django_assert_num_queries(3):
        page = selectors.case_queue(reader, {}, today=TODAY)
    assert all(hasattr(row, "running_deadlines") for row in page.rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_an_importers_open_cases_by_deadline_are_read_in_index_order():
    """An importer's API list (a token scoped to one account) reads its first page from the partial
    index case_open_importer_deadline, never sorting all of the account's open cases."""
    importer = ImporterFactory()
    member = trade_user(importer)
    member.api_importer_id = importer.pk  # as ApiTokenAuthentication leaves a scoped token's user
    for n in range(5):
        make_case(importer, deadline=TODAY + dt.timedelta(days=n))
    rows = selectors.filtered_cases(member, {}, today=TODAY).filter(next_deadline_on__isnull=False)
    with connection.cursor() as cursor:
        # The test tables are tiny: without this, a sequential scan is cheapest whatever the indexes.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = rows.by_deadline()[:51].explain()
    assert "case_open_importer_deadline" in plan and "Sort" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_queue_counts_read_the_index_alone():
    """Counts per kind and status of a Center's open cases come from case_open_center_kind_status
    without reading the table."""
    reader = staff_user("CEE010")
    for n in range(5):
        make_case(ImporterFactory(), deadline=TODAY + dt.timedelta(days=n))
    rows = selectors.filtered_cases(reader, {}, today=TODAY).order_by().values("kind", "status")
    with connection.cursor() as cursor:
        # The test tables are tiny: without this, a sequential scan is cheapest whatever the indexes.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        # A plain scan of (Center, kind, status) that filters is_open costs as much on tiny tables
        # (it won a run); the claim is that the counts read no table, so only index-only scans remain.
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = rows.annotate(n=Count("id")).explain()
    assert "Index Only Scan using case_open_center_kind_status" in plan


def test_counts_and_dashboard_query_counts_are_constant(django_assert_num_queries):
    importer = ImporterFactory()
    reader = staff_user("CEE010")
    make_case(importer, deadline=TODAY)
    small = (
        _queries(lambda: selectors.queue_counts(reader, today=TODAY)),
        _queries(lambda: selectors.dashboard(reader, today=TODAY)),
    )
    for n in range(60):
        make_case(
            importer, deadline=TODAY + dt.timedelta(days=n), assignee=staff_user("CEE010") if n % 3 else None
        )
    large = (
        _queries(lambda: selectors.queue_counts(reader, today=TODAY)),
        _queries(lambda: selectors.dashboard(reader, today=TODAY)),
    )
    # Dashboard: counts, totals, workload, decisions per week, decisions by port (web/staff/dashboard).
    assert small == large == (1, 5)


def test_case_page_query_count_is_the_same_for_1_and_50_events(filed, django_assert_num_queries):
    case, specialist = filed["case"], filed["specialist"]

    def read():
        page = selectors.case_detail(specialist, case.reference_number)
        (page.importer.center, page.protest, page.decision if hasattr(page, "decision") else None)
        [(e.actor, e.on_behalf_of) for e in page.events.all()]
        [link.entry.port for link in page.entry_links.all()]
        list(page.deadlines.all()), list(page.objections.all()), list(page.protestants.all())
        return page

    few = _queries(read)
    for n in range(50):
        services.assign_case(case, assignee=None if n % 2 == 0 else specialist, actor=specialist)
    with django_assert_num_queries(few):
        assert len(read().events.all()) > 50


def test_case_detail_fetches_psc_lines_with_the_rest(django_assert_num_queries):
    from decimal import Decimal

    importer = ImporterFactory()
    filer = trade_user(importer)
    entry = EntryFactory(
        importer=importer, entry_date=dt.date(2026, 1, 5), scheduled_liquidation_date=dt.date(2026, 11, 16)
    )
    psc = services.file_psc(
        actor=filer,
        entry=entry,
        reason_code="01",
        explanation="x",
        lines=[services.PscLineInput(n, "8429521010", Decimal(1)) for n in (1, 2, 3)],
        filed_on=dt.date(2026, 6, 10),
    )
    page = selectors.case_detail(filer, psc.pk)
    with django_assert_num_queries(0):
        assert [line.line_number for line in page.psc.lines.all()] == [1, 2, 3]
    assert center("CEE010") == page.center
