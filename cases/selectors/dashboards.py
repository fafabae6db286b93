"""The supervisors' dashboard: open cases by kind, status and age, throughput, uniformity.

Two reads of the same figures. `dashboard` counts directly over the cases a filter selects (any
user, any filter: the reference). `dashboard_summary` reads the newest precomputed snapshot
(cases.services.dashboards.refresh_dashboard, every few minutes) for a Center or the nation: a
few milliseconds at any table size, the same numbers as `dashboard` at the snapshot's moment, and
`as_of` says which moment.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q

from cee_portal.legal_time import legal_today

from ..models import (
    CaseEntry,
    CaseKind,
    CaseQuerySet,
    DashboardDecisionCount,
    DashboardOpenCount,
    DashboardSnapshot,
    DashboardWeekCount,
)
from ..permissions import can_view_internal
from .queue import QueueCounts, as_querydict, filtered_cases

THROUGHPUT_WEEKS = 12
UNIFORMITY_DAYS = 365
# Days since filing; the last bucket is past the two years in which CBP should decide a protest
# (19 U.S.C. 1515(a)).
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("366-730", 366, 730),
    ("over 730", 731, None),
)


@dataclass(frozen=True)
class Dashboard:
    """Aggregates over the cases a filter selects (open cases of the user's Center by default)."""

    today: date
    counts: QueueCounts
    aging: dict[str, int]
    due_within_7: int
    due_within_30: int
    overdue: int
    # One row per assignee (None: unassigned): open, overdue and due-within-7 counts, busiest first.
    workload: list[dict] = field(default_factory=list)
    # Decisions per week (Monday of the week, count), oldest first, THROUGHPUT_WEEKS weeks to this one.
    throughput: list[tuple[date, int]] = field(default_factory=list)
    # Decisions of the last UNIFORMITY_DAYS by decision category, port of filing and outcome:
    # [{"category", "label", "ports": [{"port", "name", "outcomes": {outcome: n}, "total"}]}].
    uniformity: list[dict] = field(default_factory=list)
    # When the figures were counted: None for a direct count (now); else the snapshot's time.
    as_of: datetime | None = None


def dashboard(user, filters: Mapping | None = None, *, today: date | None = None) -> Dashboard:
    """Open cases by kind and status, aging since filing, what falls due, and each person's load."""
    today = today or legal_today()
    queryset = filtered_cases(user, filters, today=today).order_by()
    counts = QueueCounts(
        by_kind_status={
            (r["kind"], r["status"]): r["n"]
            for r in queryset.values("kind", "status").annotate(n=Count("id"))
        }
    )
    due_7 = Q(next_deadline_on__lte=today + timedelta(days=7))
    overdue = Q(next_deadline_on__lt=today)
    aggregates = {
        f"aged_{n}": Count("id", filter=_filed_between(today, low, high))
        for n, (_, low, high) in enumerate(AGING_BUCKETS)
    }
    totals = queryset.aggregate(
        **aggregates,
        due_within_7=Count("id", filter=due_7),
        due_within_30=Count("id", filter=Q(next_deadline_on__lte=today + timedelta(days=30))),
        overdue=Count("id", filter=overdue),
    )
    workload = list(
        queryset.values("assignee_id", "assignee__username")
        .annotate(
            open=Count("id"), overdue=Count("id", filter=overdue), due_within_7=Count("id", filter=due_7)
        )
        .order_by("-open", "assignee__username")
    )
    decided = filtered_cases(user, _decided_filters(filters), today=today).order_by()
    return Dashboard(
        today=today,
        throughput=_throughput(decided, today),
        uniformity=_uniformity(decided, today),
        counts=counts,
        aging={name: totals[f"aged_{n}"] for n, (name, _, _) in enumerate(AGING_BUCKETS)},
        due_within_7=totals["due_within_7"],
        due_within_30=totals["due_within_30"],
        overdue=totals["overdue"],
        workload=workload,
    )


def _decided_filters(filters: Mapping | None) -> dict:
    """The dashboard's filter for decisions: the same Center, port, kind... but any state."""
    data = as_querydict(filters).copy()
    for name in ("state", "status", "overdue", "due_within"):
        data.pop(name, None)
    data["state"] = "any"
    return data


def week_start(day: date) -> date:
    """The Monday of the day's week (throughput weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def _throughput(decided: CaseQuerySet, today: date) -> list[tuple[date, int]]:
    """Decisions per week (weeks start on Monday), the last THROUGHPUT_WEEKS weeks, in one query."""
    first = week_start(today) - timedelta(weeks=THROUGHPUT_WEEKS - 1)
    # From the cases' side: one scan of the filtered cases joined to their decisions.
    per_day = (
        decided.filter(decision__decided_on__gte=first, decision__decided_on__lte=today)
        .values("decision__decided_on")
        .annotate(n=Count("id"))
        .values_list("decision__decided_on", "n")
    )
    weeks = {first + timedelta(weeks=n): 0 for n in range(THROUGHPUT_WEEKS)}
    for day, n in per_day:
        weeks[week_start(day)] += n
    return list(weeks.items())


def _uniformity(decided: CaseQuerySet, today: date) -> list[dict]:
    """Decisions by port for the same decision category: do ports decide alike (the CEE's purpose)?

    The category of a protest is the decision protested (19 U.S.C. 1514(a): classification,
    appraisement, ...), recorded on its entries; other kinds are their own category. One query.
    """
    since = today - timedelta(days=UNIFORMITY_DAYS)
    rows = (
        decided.filter(decision__decided_on__gte=since, decision__decided_on__lte=today)
        .values(
            "kind",
            "entry_links__protested_decision",
            "filing_port_id",
            "filing_port__name",
            "decision__outcome",
        )
        # Distinct: a protest covering several entries of one category is one decision.
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    return _uniformity_view(
        (
            r["kind"],
            r["entry_links__protested_decision"],
            r["filing_port_id"],
            r["filing_port__name"],
            r["decision__outcome"],
            r["n"],
        )
        for r in rows
    )


def _uniformity_view(rows: Iterable[tuple[str, str | None, str, str, str, int]]) -> list[dict]:
    """Rows of (kind, decision protested, port, port name, outcome, decisions) as the view's
    categories, each with its ports (most decisions first) and their outcomes."""
    kinds, decisions = dict(CaseKind.choices), dict(CaseEntry.Decision.choices)
    categories: dict[str, dict] = {}
    for kind, protested, port_code, port_name, outcome, n in rows:
        protested = protested or ""
        key = f"{kind}:{protested}" if kind == CaseKind.PROTEST else kind
        label = kinds.get(kind, kind)
        if kind == CaseKind.PROTEST:
            label = (
                f"Protest of {decisions[protested].lower()}" if protested else "Protest (decision not given)"
            )
        category = categories.setdefault(key, {"category": key, "label": label, "ports": {}})
        port = category["ports"].setdefault(
            port_code, {"port": port_code, "name": port_name, "outcomes": {}, "total": 0}
        )
        port["outcomes"][outcome] = port["outcomes"].get(outcome, 0) + n
        port["total"] += n
    out = []
    for category in sorted(categories.values(), key=lambda c: c["label"]):
        ports = sorted(category["ports"].values(), key=lambda p: (-p["total"], p["port"]))
        out.append({**category, "ports": ports, "total": sum(p["total"] for p in ports)})
    return out


def _filed_between(today: date, low_days: int, high_days: int | None) -> Q:
    """Cases filed between low_days and high_days days before today (inclusive)."""
    q = Q(filed_on__lte=today - timedelta(days=low_days))
    if high_days is not None:
        q &= Q(filed_on__gte=today - timedelta(days=high_days))
    return q


def dashboard_summary(user, center=None, *, today: date | None = None) -> Dashboard:
    """A Center's (or, with center=None, the nation's) dashboard from the newest snapshot.

    The snapshot counts every case, so only users who see every case (CBP staff) read it; anyone
    else, and everyone before the first snapshot exists, gets the direct count of `dashboard`.
    A fixed number of queries (four), each over the snapshot's rows of that Center (or the nation).
    """
    snapshot = DashboardSnapshot.objects.order_by("-id").first() if can_view_internal(user) else None
    if snapshot is None:
        return dashboard(user, {"center": center.ace_id if center else "all"}, today=today)
    # A Center's rows, or the nation's (center NULL, summed by the refresh): one row per key.
    scope = {"snapshot": snapshot, "center": center}
    counts: dict[tuple[str, str], int] = {}
    aging = dict.fromkeys((name for name, _, _ in AGING_BUCKETS), 0)
    due = dict.fromkeys(DashboardOpenCount.Due.values, 0)
    people: dict[int | None, dict] = {}
    open_rows = DashboardOpenCount.objects.filter(**scope).values_list(
        "kind", "status", "assignee_id", "assignee__username", "age", "due", "n"
    )
    for kind, status, assignee_id, username, age, band, n in open_rows:
        counts[(kind, status)] = counts.get((kind, status), 0) + n
        if age is not None:
            aging[AGING_BUCKETS[age][0]] += n
        due[band] += n
        person = people.setdefault(
            assignee_id,
            {
                "assignee_id": assignee_id,
                "assignee__username": username,
                "open": 0,
                "overdue": 0,
                "due_within_7": 0,
            },
        )
        person["open"] += n
        person["overdue"] += n if band == DashboardOpenCount.Due.OVERDUE else 0
        person["due_within_7"] += (
            n if band in (DashboardOpenCount.Due.OVERDUE, DashboardOpenCount.Due.WEEK) else 0
        )
    first = week_start(snapshot.today) - timedelta(weeks=THROUGHPUT_WEEKS - 1)
    weeks = {first + timedelta(weeks=n): 0 for n in range(THROUGHPUT_WEEKS)}
    for week, n in DashboardWeekCount.objects.filter(**scope).values_list("week", "n"):
        weeks[week] += n
    decisions = DashboardDecisionCount.objects.filter(**scope).values_list(
        "kind", "protested_decision", "filing_port_id", "filing_port__name", "outcome", "n"
    )
    overdue, within_7 = due["overdue"], due["overdue"] + due["week"]
    return Dashboard(
        today=snapshot.today,
        as_of=snapshot.computed_at,
        counts=QueueCounts(by_kind_status=counts),
        aging=aging,
        overdue=overdue,
        due_within_7=within_7,
        due_within_30=within_7 + due["month"],
        # Busiest first, then by username with the unassigned last (PostgreSQL's order of NULL).
        workload=sorted(
            people.values(),
            key=lambda p: (-p["open"], p["assignee__username"] is None, p["assignee__username"] or ""),
        ),
        throughput=list(weeks.items()),
        uniformity=_uniformity_view(decisions),
    )
