"""Refresh the dashboard's precomputed figures (beat, every DASHBOARD_REFRESH_MINUTES).

Why precomputed: at a million cases the dashboard's direct counts (open cases by kind, status,
assignee, age and deadline; a year of decisions by category, port and outcome joined to the entries)
read most of the case table: 1.4 s nationally at 100k cases, growing with the table. The figures
are counts, and a supervisor reads them as "where do we stand today", so a snapshot a few minutes
old, labelled with its time, serves as well as a live count and costs a few milliseconds to read.

One refresh = three GROUP BY queries over the cases (set-based, in the database) whose few thousand
result rows are written under a new DashboardSnapshot; ages and due dates are counted from the
refresh's legal date, exactly as cases.selectors.dashboard counts them from `today`, so a snapshot
equals the direct count of its moment. Older snapshots are dropped, keeping the one before the
newest for a reader that picked it a moment ago.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import CharField, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
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

BATCH = 2000


@transaction.atomic
def refresh_dashboard(*, today: date | None = None, now: datetime | None = None) -> DashboardSnapshot:
    """Count open cases and recent decisions per Center into a new snapshot; drop older ones."""
    today = today or legal_today()
    snapshot = DashboardSnapshot.objects.create(computed_at=now or timezone.now(), today=today)
    _write(DashboardOpenCount, snapshot, _open_counts(today))
    _write(DashboardDecisionCount, snapshot, _decision_counts(today))
    _write(DashboardWeekCount, snapshot, _week_counts(today))
    previous = DashboardSnapshot.objects.filter(id__lt=snapshot.id).order_by("-id").first()
    if previous is not None:
        DashboardSnapshot.objects.filter(id__lt=previous.id).delete()
    return snapshot


def _write(model, snapshot: DashboardSnapshot, rows) -> None:
    model.objects.bulk_create((model(snapshot=snapshot, **row) for row in rows), batch_size=BATCH)


def _open_counts(today: date):
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
    rows = (
        Case.objects.open()
        .order_by()
        .annotate(age_bucket=age, due_band=due)
        .values("center_id", "kind", "status", "assignee_id", "age_bucket", "due_band")
        .annotate(n=Count("id"))
    )
    for row in rows.iterator(chunk_size=BATCH):
        row["age"], row["due"] = row.pop("age_bucket"), row.pop("due_band")
        yield row


def _decision_counts(today: date):
    since = today - timedelta(days=UNIFORMITY_DAYS)
    rows = (
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
    for row in rows.iterator(chunk_size=BATCH):
        row["protested_decision"], row["outcome"] = row.pop("protested"), row.pop("decided")
        yield row


def _week_counts(today: date):
    first = week_start(today) - timedelta(weeks=THROUGHPUT_WEEKS - 1)
    per_day = (
        Case.objects.filter(decision__decided_on__gte=first, decision__decided_on__lte=today)
        .order_by()
        .values("center_id", "decision__decided_on")
        .annotate(n=Count("id"))
        .values_list("center_id", "decision__decided_on", "n")
    )
    weeks: dict[tuple[int, date], int] = {}
    for center_id, day, n in per_day:
        key = (center_id, week_start(day))
        weeks[key] = weeks.get(key, 0) + n
    return ({"center_id": c, "week": w, "n": n} for (c, w), n in weeks.items())
