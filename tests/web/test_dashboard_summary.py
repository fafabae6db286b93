"""The dashboard's precomputed figures (cases.services.dashboards, cases.selectors.dashboard_summary):
every figure equals the direct count of the snapshot's moment, per Center and nationally, also after
cases change (once counted again); the page says when they were counted; reads stay constant.
"""

import datetime as dt
import re
from dataclasses import asdict

import pytest
from django.utils import timezone

from cases import selectors, services
from cases.models import Case, DashboardOpenCount, DashboardSnapshot
from cases.services.dashboards import refresh_dashboard
from cases.tasks import refresh_dashboard_task
from cee_portal.operations.models import PeriodicJobRun
from importers.models import Center
from tests.cases.test_selectors import make_case
from tests.factories import ImporterFactory, staff_user, trade_user
from tests.web.staff_people import signer
from tests.web.test_dashboard import TODAY, decided

pytestmark = pytest.mark.django_db

CENTERS = ["CEE010", "CEE001", "all"]


@pytest.fixture
def world():
    """Open cases on both sides of every age and due boundary, with and without assignees, in two
    Centers; decisions inside and outside the year and the twelve weeks, of several categories."""
    machinery, pharma = ImporterFactory(center_ace_id="CEE010"), ImporterFactory(center_ace_id="CEE001")
    people = [
        staff_user("CEE010", username="amy"),
        staff_user("CEE010", username="bob"),
        staff_user("CEE001"),
    ]
    n = 0
    for importer in (machinery, pharma):
        for days_ago in (-1, 0, 30, 31, 90, 91, 180, 181, 365, 366, 730, 731):
            make_case(importer, filed_on=TODAY - dt.timedelta(days=days_ago), assignee=people[n % 3])
            n += 1
        for due in (None, -1, 0, 7, 8, 30, 31):
            deadline = None if due is None else TODAY + dt.timedelta(days=due)
            make_case(
                importer,
                deadline=deadline,
                kind=("protest", "psc", "cf28")[n % 3],
                status=("received", "under_review", "issued")[n % 3],
                assignee=people[n % 2] if n % 4 else None,
            )
            n += 1
        for days_ago, outcome, protested, port in (
            (0, "allowed", "classification", "2304"),
            (0, "denied", "classification", "5301"),
            (2, "denied", "appraisement", "2304"),
            (83, "allowed_in_part", "classification", "2304"),  # in the twelfth week back
            (84, "denied", "classification", "2304"),  # the week before it
            (365, "denied", "classification", "5301"),
            (366, "denied", "classification", "5301"),
            (-1, "denied", "classification", "2304"),  # decided after the snapshot's day
        ):
            decided(importer, TODAY - dt.timedelta(days=days_ago), outcome, protested=protested, port=port)
        decided(importer, TODAY, "accepted", kind="psc")
    return {
        "machinery": machinery,
        "pharma": pharma,
        "people": people,
        "admin": staff_user(None, role="admin"),
    }


def figures(board) -> dict:
    """Everything the page shows, in a comparable form (workload as a set: ties may order apart)."""
    data = asdict(board)
    data.pop("as_of")
    data["workload"] = sorted(data["workload"], key=lambda p: p["assignee_id"] or 0)
    return data


def center(ace_id):
    return None if ace_id == "all" else Center.objects.get(ace_id=ace_id)


@pytest.mark.parametrize("ace_id", CENTERS)
def test_the_snapshot_gives_exactly_the_direct_count(world, ace_id):
    refresh_dashboard(today=TODAY)
    summary = selectors.dashboard_summary(world["admin"], center(ace_id))
    direct = selectors.dashboard(world["admin"], {"center": ace_id}, today=TODAY)
    assert summary.as_of is not None and direct.as_of is None
    assert figures(summary) == figures(direct)
    # Not vacuous: every kind of figure has something in it.
    assert summary.counts.total and summary.overdue and summary.due_within_30 > summary.due_within_7
    assert all(summary.aging.values()) and sum(n for _, n in summary.throughput) and summary.uniformity
    assert [p["open"] for p in summary.workload] == sorted(
        (p["open"] for p in summary.workload), reverse=True
    )


def test_after_cases_change_the_figures_stay_those_of_their_time_until_counted_again(world):
    admin = world["admin"]
    first = refresh_dashboard(today=TODAY, now=timezone.now() - dt.timedelta(minutes=3))
    before = figures(selectors.dashboard_summary(admin, center("CEE010")))
    case = Case.objects.filter(center__ace_id="CEE010", kind="protest", status="received").first()
    services.decide_case(case, actor=admin, outcome="denied", reasons="r", decided_on=TODAY)
    services.assign_case(
        Case.objects.filter(center__ace_id="CEE010", is_open=True, assignee__isnull=True).first(),
        assignee=world["people"][0],
        actor=admin,
    )
    stale = selectors.dashboard_summary(admin, center("CEE010"))
    assert stale.as_of == first.computed_at and figures(stale) == before  # as counted, and says when
    direct = figures(selectors.dashboard(admin, {"center": "CEE010"}, today=TODAY))
    assert direct != before
    refresh_dashboard(today=TODAY)
    for ace_id in CENTERS:
        again = selectors.dashboard_summary(admin, center(ace_id))
        assert figures(again) == figures(selectors.dashboard(admin, {"center": ace_id}, today=TODAY)), ace_id


def test_a_refresh_keeps_the_newest_two_snapshots_and_the_task_runs_it(world):
    ids = [refresh_dashboard(today=TODAY).pk for _ in range(3)]
    ids.append(refresh_dashboard_task.delay().get())
    assert list(DashboardSnapshot.objects.values_list("id", flat=True)) == ids[:-3:-1]
    assert not DashboardOpenCount.objects.exclude(snapshot_id__in=ids[-2:]).exists()
    run = PeriodicJobRun.objects.get(name="refresh_dashboard")  # shown by /healthz
    assert run.last_status == "ok" and run.last_summary["snapshot"] == ids[-1]


def test_before_the_first_refresh_and_for_the_trade_the_count_is_direct(world):
    assert selectors.dashboard_summary(world["admin"], None).as_of is None  # no snapshot yet
    refresh_dashboard(today=TODAY)
    member = trade_user(world["machinery"])
    own = selectors.dashboard_summary(member, None)
    # The snapshot counts every case; an importer user sees only its account's.
    assert own.as_of is None
    assert own.counts.total == Case.objects.filter(importer=world["machinery"], is_open=True).count()


def test_reading_the_snapshot_costs_four_queries_whatever_its_size(world, django_assert_num_queries):
    refresh_dashboard(today=TODAY)
    with django_assert_num_queries(4):
        selectors.dashboard_summary(world["admin"], None)
    for n in range(30):
        make_case(ImporterFactory(center_ace_id="CEE009"), deadline=TODAY + dt.timedelta(days=n))
    refresh_dashboard(today=TODAY)
    with django_assert_num_queries(4):
        selectors.dashboard_summary(world["admin"], None)


def test_the_page_shows_the_snapshots_figures_and_when_they_were_counted(client, world):
    snapshot = refresh_dashboard(today=TODAY)
    text = signer(client)("national_supervisor").get("/dashboard/", {"center": "all"}).content.decode()
    counted = timezone.localtime(snapshot.computed_at)
    note = re.sub(r"\s+", " ", text[text.index('id="as-of"') : text.index("</p>", text.index('id="as-of"'))])
    assert f'as of <time datetime="{counted.isoformat()}">{counted:%H:%M} ' in note
    assert "counted again every 5 minutes" in note
    total = selectors.dashboard(world["admin"], {"center": "all"}, today=TODAY).counts.total
    assert f'<span class="figure" id="open-total">{total}</span>' in text
    # A new open case shows only once counted again.
    make_case(world["machinery"], deadline=TODAY)
    assert f'id="open-total">{total}</span>' in client.get("/dashboard/", {"center": "all"}).content.decode()
    refresh_dashboard(today=TODAY)
    assert (
        f'id="open-total">{total + 1}</span>' in client.get("/dashboard/", {"center": "all"}).content.decode()
    )


def test_before_the_first_refresh_the_page_says_it_counted_directly(client, world):
    text = signer(client)("supervisor").get("/dashboard/").content.decode()
    assert "counted directly, as the first precomputed figures are not ready yet" in text


@pytest.mark.parametrize(("minutes_ago", "warned"), [(14, False), (16, True)])
def test_the_page_warns_when_the_figures_are_older_than_three_refreshes(client, world, minutes_ago, warned):
    refresh_dashboard(today=TODAY, now=timezone.now() - dt.timedelta(minutes=minutes_ago))
    text = signer(client)("supervisor").get("/dashboard/").content.decode()
    assert ('id="refresh-overdue"' in text) is warned
