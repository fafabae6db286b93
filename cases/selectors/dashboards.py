"""The supervisors' dashboard: open cases by kind, status and age, throughput, uniformity."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q

from cee_portal.legal_time import legal_today

from ..models import CaseEntry, CaseKind, CaseQuerySet
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


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _throughput(decided: CaseQuerySet, today: date) -> list[tuple[date, int]]:
    """Decisions per week (weeks start on Monday), the last THROUGHPUT_WEEKS weeks, in one query."""
    first = _week_start(today) - timedelta(weeks=THROUGHPUT_WEEKS - 1)
    # From the cases' side: one scan of the filtered cases joined to their decisions.
    per_day = (
        decided.filter(decision__decided_on__gte=first, decision__decided_on__lte=today)
        .values("decision__decided_on")
        .annotate(n=Count("id"))
        .values_list("decision__decided_on", "n")
    )
    weeks = {first + timedelta(weeks=n): 0 for n in range(THROUGHPUT_WEEKS)}
    for day, n in per_day:
        weeks[_week_start(day)] += n
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
    kinds, decisions = dict(CaseKind.choices), dict(CaseEntry.Decision.choices)
    categories: dict[str, dict] = {}
    for r in rows:
        protested = r["entry_links__protested_decision"] or ""
        key = f"{r['kind']}:{protested}" if r["kind"] == CaseKind.PROTEST else r["kind"]
        label = kinds.get(r["kind"], r["kind"])
        if r["kind"] == CaseKind.PROTEST:
            label = (
                f"Protest of {decisions[protested].lower()}" if protested else "Protest (decision not given)"
            )
        category = categories.setdefault(key, {"category": key, "label": label, "ports": {}})
        port = category["ports"].setdefault(
            r["filing_port_id"],
            {
                "port": r["filing_port_id"],
                "name": r["filing_port__name"],
                "outcomes": {},
                "total": 0,
            },
        )
        outcome = r["decision__outcome"]
        port["outcomes"][outcome] = port["outcomes"].get(outcome, 0) + r["n"]
        port["total"] += r["n"]
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
