"""Refresh the dashboard's precomputed figures (beat, every DASHBOARD_REFRESH_MINUTES).

Why precomputed: at a million cases the dashboard's direct counts (open cases by kind, status,
assignee, age and deadline; a year of decisions by category, port and outcome joined to the entries)
read most of the case table: 1.4 s nationally at 100k cases, growing with the table. The figures
are counts, and a supervisor reads them as "where do we stand today", so a snapshot a few minutes
old, labelled with its time, serves as well as a live count and costs a few milliseconds to read.

One refresh = three INSERT ... SELECT ... GROUP BY statements over the cases (set-based: the rows
never leave the database) into count tables under a new DashboardSnapshot. Ages and due dates are
counted from the refresh's legal date, exactly as cases.selectors.dashboard counts them from
`today`, so a snapshot equals the direct count of its moment. Older snapshots are dropped, keeping
the one before the newest for a reader that picked it a moment ago.
"""

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case as Choose
from django.db.models import CharField, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from cee_portal.legal_time import legal_today

from ..models import (
    Case,
    DashboardDecisionCount,
    DashboardOpenCount,
    DashboardSnapshot,
    DashboardWeekCount,
)
from ..selectors.dashboards import AGING_BUCKETS, THROUGHPUT_WEEKS, UNIFORMITY_DAYS, week_start

# The decisions' GROUP BY sorts about 230k joined rows at a million cases: in memory, not on disk.
REFRESH_WORK_MEM = "64MB"


@transaction.atomic
def refresh_dashboard(*, today: date | None = None, now: datetime | None = None) -> DashboardSnapshot:
    """Count open cases and recent decisions per Center into a new snapshot; drop older ones."""
    today = today or legal_today()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{REFRESH_WORK_MEM}'")
    snapshot = DashboardSnapshot.objects.create(computed_at=now or timezone.now(), today=today)
    for model, counts, columns in (
        (DashboardOpenCount, _open_counts(today), OPEN_COLUMNS),
        (DashboardDecisionCount, _decision_counts(today), DECISION_COLUMNS),
        (DashboardWeekCount, _week_counts(today), WEEK_COLUMNS),
    ):
        _insert(model, snapshot, counts, columns)
        # The nation's rows (center NULL), summed from the Centers' just written: the national page
        # then reads its rows as a Center's page does, without adding up ten Centers' on every view.
        keys = {name: model._meta.get_field(name).attname for name in columns if name not in ("center", "n")}
        national = (
            model.objects.filter(snapshot=snapshot).values(*keys.values()).annotate(total=Sum("n")).order_by()
        )
        _insert(model, snapshot, national, {**keys, "n": "total"})
    previous = DashboardSnapshot.objects.filter(id__lt=snapshot.id).order_by("-id").first()
    if previous is not None:
        DashboardSnapshot.objects.filter(id__lt=previous.id).delete()
    return snapshot


# Field of the count table <- column of the aggregate query.
OPEN_COLUMNS = {
    "center": "center_id",
    "kind": "kind",
    "status": "status",
    "assignee": "assignee_id",
    "age": "age_bucket",
    "due": "due_band",
    "n": "n",
}
DECISION_COLUMNS = {
    "center": "center_id",
    "kind": "kind",
    "filing_port": "filing_port_id",
    "protested_decision": "protested",
    "outcome": "decided",
    "n": "n",
}
WEEK_COLUMNS = {"center": "center_id", "week": "monday", "n": "n"}


def _insert(model, snapshot: DashboardSnapshot, counts: QuerySet, columns: dict[str, str]) -> None:
    """INSERT INTO the count table SELECT the aggregate: the rows never leave the database."""
    quote = connection.ops.quote_name
    sql, params = counts.query.sql_with_params()
    targets = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    sources = ", ".join(f"counts.{quote(column)}" for column in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} (snapshot_id, {targets}) "
            f"SELECT %s, {sources} FROM ({sql}) counts",
            [snapshot.pk, *params],
        )


def _open_counts(today: date) -> QuerySet:
    age = Choose(
        *(
            When(
                Q(filed_on__lte=today - timedelta(days=low))
                & (Q() if high is None else Q(filed_on__gte=today - timedelta(days=high))),
                then=Value(n),
            )
            for n, (_, low, high) in enumerate(AGING_BUCKETS)
        ),
        default=None,
        output_field=IntegerField(),
    )
    due = Choose(
        When(next_deadline_on__isnull=True, then=Value(DashboardOpenCount.Due.NONE)),
        When(next_deadline_on__lt=today, then=Value(DashboardOpenCount.Due.OVERDUE)),
        When(next_deadline_on__lte=today + timedelta(days=7), then=Value(DashboardOpenCount.Due.WEEK)),
        When(next_deadline_on__lte=today + timedelta(days=30), then=Value(DashboardOpenCount.Due.MONTH)),
        default=Value(DashboardOpenCount.Due.LATER),
        output_field=CharField(),
    )
    return (
        Case.objects.open()
        .order_by()
        .annotate(age_bucket=age, due_band=due)
        .values("center_id", "kind", "status", "assignee_id", "age_bucket", "due_band")
        .annotate(n=Count("id"))
    )


def _decision_counts(today: date) -> QuerySet:
    since = today - timedelta(days=UNIFORMITY_DAYS)
    return (
        Case.objects.filter(decision__decided_on__gte=since, decision__decided_on__lte=today)
        .order_by()
        .annotate(
            protested=Coalesce(F("entry_links__protested_decision"), Value("")),
            decided=F("decision__outcome"),
        )
        .values("center_id", "kind", "filing_port_id", "protested", "decided")
        # Distinct: a protest covering several entries of one category is one decision.
        .annotate(n=Count("id", distinct=True))
    )


def _week_counts(today: date) -> QuerySet:
    first = week_start(today) - timedelta(weeks=THROUGHPUT_WEEKS - 1)
    return (
        Case.objects.filter(decision__decided_on__gte=first, decision__decided_on__lte=today)
        .order_by()
        .annotate(monday=TruncWeek("decision__decided_on"))
        .values("center_id", "monday")
        .annotate(n=Count("id"))
    )
