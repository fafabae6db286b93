"""Reads of cases (HackSoft selectors): the queue, its counts, the dashboard and the case page.

Pages and the API read through these and never build querysets of their own. The entry and
account pages list their cases with `case_queue(user, {"entry": number, "center": "all",
"state": "any"})` (or `"importer": ior`): the same rows, order and pages as the queue. Every read starts
from `Case.objects.visible_to(user)`, the one visibility rule, so an invisible case is a missing
case (Http404). Filters are the queue's one FilterSet (cases.filters.CaseQueueFilter); a bad
filter raises CaseError with the field and the reason (400 through the API's exception handler,
beside the field on a page). Query counts do not grow with the number of rows.
"""

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404, QueryDict

from cee_portal.legal_time import legal_today
from cee_portal.users.models import User
from importers.models import Center

from .exceptions import CaseError
from .filters import CaseQueueFilter
from .models import Case, CaseDeadline, CaseEntry, CaseEvent, CaseKind, CaseQuerySet, SavedQueueFilter
from .permissions import can_view_internal, center_staff_q

THROUGHPUT_WEEKS = 12
UNIFORMITY_DAYS = 365
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
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


# --- The queue ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, nearest deadline first; `next_cursor` is None on the last page."""

    rows: list[Case]
    next_cursor: str | None
    today: date
    page_size: int

    def days_left(self, case: Case) -> int | None:
        """Days from today to the case's next deadline (negative when overdue)."""
        return None if case.next_deadline_on is None else (case.next_deadline_on - self.today).days


def filtered_cases(user, filters: Mapping | None = None, *, today: date | None = None) -> CaseQuerySet:
    """The cases a user may see, narrowed by the queue's filters and defaults (unordered)."""
    filterset = CaseQueueFilter(
        data=_as_querydict(filters),
        queryset=Case.objects.visible_to(user),
        user=user,
        today=today or legal_today(),
    )
    if not filterset.is_valid():
        raise CaseError({name: list(messages) for name, messages in filterset.errors.items()})
    try:
        return filterset.qs
    except ValidationError as error:
        raise CaseError(
            error.message_dict if hasattr(error, "error_dict") else {"filters": error.messages}
        ) from error


def case_queue(
    user,
    filters: Mapping | None = None,
    *,
    cursor: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    today: date | None = None,
) -> QueuePage:
    """One page of the queue by nearest statutory deadline, then id; keyset pagination (no OFFSET).

    The cursor names the last row shown (its deadline and id), so a deep page costs what the first
    does and a case filed meanwhile neither repeats nor skips a row.
    """
    today = today or legal_today()
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise CaseError({"page_size": f"Give a page size from 1 to {MAX_PAGE_SIZE}, not {page_size}."})
    after_deadline, after_id = _decode_cursor(cursor) if cursor else (None, None)
    queryset = filtered_cases(user, filters, today=today).select_related(
        "importer", "center", "filing_port", "assignee"
    )
    wanted = page_size + 1
    # Two index ranges, not one OR: "after (d, id) or without a deadline" cannot be an index
    # condition, so PostgreSQL would read the queue from its start and filter (OFFSET by another
    # name). Dated rows come first; the undated ones (sorted last) only when the dated run out.
    rows: list[Case] = []
    if after_id is None or after_deadline is not None:
        dated = queryset.filter(next_deadline_on__isnull=False)
        if after_deadline is not None:
            # ">= d" is the index range; the OR only drops the ties already shown.
            dated = dated.filter(Q(next_deadline_on__gte=after_deadline)).filter(
                Q(next_deadline_on__gt=after_deadline) | Q(id__gt=after_id)
            )
        rows = list(dated.by_deadline()[:wanted])
    if len(rows) < wanted:
        undated = queryset.filter(next_deadline_on__isnull=True)
        if after_deadline is None and after_id is not None:
            undated = undated.filter(id__gt=after_id)
        rows += list(undated.order_by("id")[: wanted - len(rows)])
    more = len(rows) > page_size
    rows = rows[:page_size]
    prefetch_related_objects(
        rows,
        Prefetch(
            "deadlines",
            queryset=CaseDeadline.objects.filter(state=CaseDeadline.State.RUNNING),
            to_attr="running_deadlines",
        ),
    )
    next_cursor = _encode_cursor(rows[-1]) if more else None
    return QueuePage(rows=rows, next_cursor=next_cursor, today=today, page_size=page_size)


def _encode_cursor(case: Case) -> str:
    deadline = case.next_deadline_on.isoformat() if case.next_deadline_on else None
    return base64.urlsafe_b64encode(json.dumps([deadline, case.pk]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[date | None, int]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        deadline, pk = raw
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError(pk)
        return (date.fromisoformat(deadline) if deadline is not None else None), pk
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
        raise CaseError(
            {"cursor": "This page link is damaged or was not made by the queue; start from the first page."}
        ) from None


def _as_querydict(filters: Mapping | None) -> QueryDict:
    """Filters as a QueryDict, so a list value selects several kinds or statuses from plain dicts too."""
    if isinstance(filters, QueryDict):
        return filters
    data = QueryDict(mutable=True)
    for name, value in (filters or {}).items():
        if isinstance(value, list | tuple | set | frozenset):
            data.setlist(name, [str(v) for v in value])
        elif value is not None:
            data[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return data


# --- Counts and the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueCounts:
    """How many cases the filter selects, per kind and status."""

    by_kind_status: dict[tuple[str, str], int]

    @property
    def total(self) -> int:
        return sum(self.by_kind_status.values())

    @property
    def by_kind(self) -> dict[str, int]:
        return _summed(self.by_kind_status, 0)

    @property
    def by_status(self) -> dict[str, int]:
        return _summed(self.by_kind_status, 1)


def _summed(counts: dict[tuple[str, str], int], position: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, n in counts.items():
        out[key[position]] = out.get(key[position], 0) + n
    return out


def queue_counts(user, filters: Mapping | None = None, *, today: date | None = None) -> QueueCounts:
    """Counts per kind and status for the queue's current filter (loaded apart from the rows)."""
    rows = (
        filtered_cases(user, filters, today=today).order_by().values("kind", "status").annotate(n=Count("id"))
    )
    return QueueCounts(by_kind_status={(r["kind"], r["status"]): r["n"] for r in rows})


# --- Beside the queue: saved filters, the cases a bulk action names, whom to pick as assignee ----------


def saved_queue_filters(user) -> list[SavedQueueFilter]:
    """The user's own saved filters and those shared with the user's Center, by name."""
    if not can_view_internal(user):
        return []
    mine_or_shared = Q(owner=user)
    if user.center_id is not None:
        mine_or_shared |= Q(shared_with_id=user.center_id)
    rows = SavedQueueFilter.objects.filter(mine_or_shared).select_related("owner")
    return list(rows.order_by("name", "id"))


def saved_queue_filter(user, pk: int) -> SavedQueueFilter:
    """One saved filter the user sees (own or shared with the user's Center), else Http404."""
    for saved in saved_queue_filters(user):
        if saved.pk == pk:
            return saved
    raise Http404("No such saved filter.")


def cases_by_reference(user, references: list[str]) -> dict[str, Case]:
    """The visible cases among these reference numbers (a bulk selection); invisible ones are absent."""
    rows = Case.objects.visible_to(user).filter(reference_number__in=references).select_related("assignee")
    return {case.reference_number: case for case in rows}


@dataclass(frozen=True)
class QueueChoices:
    """What the queue's filter and bulk-assign fields offer: the Centers, and staff to assign."""

    centers: list[Center]
    people: list[User]


def queue_choices(user) -> QueueChoices:
    """Every Center by ACE id; the user's Center's and national staff by username (every active
    staff member for national users)."""
    if not can_view_internal(user):
        return QueueChoices(centers=[], people=[])
    people = User.objects.filter(is_active=True, role__in=sorted(User.STAFF_ROLES))
    if user.center_id is not None:
        people = people.filter(center_staff_q(user.center_id))
    return QueueChoices(
        centers=list(Center.objects.order_by("ace_id")), people=list(people.order_by("username"))
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
    data = _as_querydict(filters).copy()
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


# --- The case page ----------------------------------------------------------------------------------


def case_detail(user, pk_or_reference: int | str) -> Case:
    """The case page's fetch: one case the user may see, with all it shows, in a fixed number of queries.

    `events` holds the timeline the user may read: all of it for CBP staff, the shared events for
    the importer side (internal notes never reach the portal).
    """
    events = CaseEvent.objects.select_related("actor", "on_behalf_of", "delegation__broker_firm").order_by(
        "id"
    )
    if not can_view_internal(user):
        events = events.shared()
    queryset = (
        Case.objects.visible_to(user)
        .select_related(
            "importer__center",
            "center",
            "filing_port",
            "assignee",
            "filed_by",
            "parent",
            "protest__review_center",
            "psc",
            "pic",
            "cf28",
            "cf29",
            "decision__decided_by",
        )
        .prefetch_related(
            Prefetch("entry_links", queryset=CaseEntry.objects.select_related("entry__port").order_by("id")),
            Prefetch("events", queryset=events),
            "deadlines",
            "objections",
            "protestants",
            Prefetch("children", queryset=Case.objects.visible_to(user).order_by("id")),
            "psc__lines",
        )
    )
    lookup = _case_lookup(pk_or_reference)
    try:
        return queryset.get(**lookup)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def _case_lookup(pk_or_reference: int | str) -> dict:
    """A database id (int or digits) or a reference number (never all digits: it has dashes)."""
    if isinstance(pk_or_reference, int):
        return {"pk": pk_or_reference}
    text = str(pk_or_reference).strip()
    return {"pk": int(text)} if text.isdigit() else {"reference_number": text}


def case_events_since(user, case: Case, after_event_id: int | None) -> list[CaseEvent]:
    """The timeline events a user may read that came after the one a page last showed (a stale edit's
    "what changed since"); every event when the page named none."""
    events = case.events.select_related("actor").order_by("id")
    if not can_view_internal(user):
        events = events.shared()
    if after_event_id is not None:
        events = events.filter(id__gt=after_event_id)
    return list(events)


def assignable_staff(case: Case):
    """Who a case may be assigned to: active staff of its Center and national staff (can_assign's rule)."""
    from cee_portal.users.models import User

    return (
        User.objects.filter(center_staff_q(case.center_id), is_active=True, role__in=sorted(User.STAFF_ROLES))
        .select_related("center")
        .order_by("last_name", "first_name", "username")
    )


# Filings that each claim to settle one entry's duties: two open at once on one entry pull the
# entry two ways (a PSC corrects an unliquidated summary, 19 CFR 101.9(b); a protest contests a
# liquidation, 19 U.S.C. 1514; a 1520(d) claim reliquidates for a preference). CF-28 / CF-29 are
# CBP's own questions and conflict with nothing.
CONFLICTING_KINDS = frozenset({CaseKind.PROTEST, CaseKind.PSC, CaseKind.PIC})


def entry_conflicts(cases) -> dict[int, str]:
    """Case id -> why it conflicts, for the open filings of different kinds on one entry."""
    open_filings = [c for c in cases if c.is_open and c.kind in CONFLICTING_KINDS]
    kinds = {c.kind for c in open_filings}
    if len(kinds) < 2:
        return {}
    conflicts = {}
    for case in open_filings:
        others = sorted(
            f"{o.get_kind_display()} {o.reference_number}" for o in open_filings if o.kind != case.kind
        )
        conflicts[case.pk] = f"Open at the same time as {', '.join(others)} on this entry."
    return conflicts


# --- The portal (issue 13): home, case page, documents, messages ----------------------------------------

# How far ahead the portal home looks for filing windows that close (protest, PSC, 1520(d)).
CLOSING_SOON_DAYS = 30
RECENT_DECISION_DAYS = 90
PORTAL_LIST_LIMIT = 50


@dataclass(frozen=True)
class ClosingWindow:
    """An entry whose filing window closes soon: which window, its last day, the rule behind it."""

    entry: object
    kind: str
    due_on: date
    citation: str
    days_left: int


@dataclass(frozen=True)
class PortalHome:
    today: date
    accounts: list
    account: object | None
    open_cases: list[Case]
    waiting_on_importer: list[Case]
    closing_windows: list[ClosingWindow]
    recent_decisions: list[Case]


def portal_home(user, account_ior: str | None = None) -> PortalHome:
    """The portal home: the accounts the user acts for (one of them when `account_ior` picks it), their
    open cases by next deadline, cases waiting on the importer (a CF-28 to answer, a proposed CF-29 to
    object to), entries whose protest, PSC or 1520(d) window closes within CLOSING_SOON_DAYS, and
    decisions of the last RECENT_DECISION_DAYS. A fixed number of queries, whatever the rows."""
    from importers.permissions import visible_entries, visible_importers

    today = legal_today()
    accounts = list(visible_importers(user).select_related("center").order_by("name", "pk"))
    account = next((a for a in accounts if account_ior and a.ior_number == account_ior.strip()), None)
    if account_ior and account is None:
        raise Http404("No such importer account.")
    cases = Case.objects.visible_to(user).select_related("importer")
    entries = visible_entries(user).select_related("importer")
    if account is not None:
        cases, entries = cases.filter(importer=account), entries.filter(importer=account)
    waiting = Q(kind="cf28", status="issued") | Q(kind="cf29", status="issued", cf29__action_kind="proposed")
    return PortalHome(
        today=today,
        accounts=accounts,
        account=account,
        open_cases=list(cases.open().by_deadline()[:PORTAL_LIST_LIMIT]),
        waiting_on_importer=list(cases.open().filter(waiting).by_deadline()[:PORTAL_LIST_LIMIT]),
        closing_windows=_closing_windows(entries, today),
        recent_decisions=list(
            cases.filter(decision__decided_on__gte=today - timedelta(days=RECENT_DECISION_DAYS))
            .select_related("decision")
            .order_by("-decision__decided_on", "-id")[:PORTAL_LIST_LIMIT]
        ),
    )


def _closing_windows(entries, today: date) -> list[ClosingWindow]:
    """Set-based: one query per window picks the entries whose window may close in the horizon (a
    margin for weekend roll-forward), then the pure rules of cases/deadlines.py give the exact day."""
    from django.conf import settings

    from . import deadlines

    policy = deadlines.ClockPolicy.from_mapping(settings.CASE_CLOCK)
    horizon = today + timedelta(days=CLOSING_SOON_DAYS)
    margin = timedelta(days=10)
    found: list[ClosingWindow] = []

    def keep(entry, deadline, kind):
        if today <= deadline.due_on <= horizon:
            found.append(
                ClosingWindow(entry, kind, deadline.due_on, deadline.citation, (deadline.due_on - today).days)
            )

    def not_filed(queryset, kind):
        return queryset.exclude(case_links__case_kind=kind, case_links__active=True)

    # Protest: 180 days from liquidation (19 U.S.C. 1514(c)(3)).
    liquidated = not_filed(entries, "protest").filter(
        liquidation_date__gte=today - timedelta(days=180) - margin, liquidation_date__lte=today
    )
    for entry in liquidated.order_by("liquidation_date", "pk")[:PORTAL_LIST_LIMIT]:
        keep(entry, deadlines.protest_filing_deadline(entry.liquidation_date, policy=policy), "Protest")
    # PSC: 300 days from entry and 15 days before scheduled liquidation (19 CFR 101.9(b)(1)).
    unliquidated = (
        not_filed(entries, "psc")
        .filter(
            liquidation_status="unliquidated",
            summary_under_review=False,
            scheduled_liquidation_date__isnull=False,
            entry_date__gte=today - timedelta(days=300) - margin,
        )
        .filter(
            Q(entry_date__lte=horizon - timedelta(days=300) + margin)
            | Q(scheduled_liquidation_date__lte=horizon + timedelta(days=15) + margin)
        )
    )
    for entry in unliquidated.order_by("entry_date", "pk")[:PORTAL_LIST_LIMIT]:
        if entry.scheduled_liquidation_date > entry.entry_date:
            deadline = deadlines.psc_filing_deadline(
                entry.entry_date,
                entry.scheduled_liquidation_date,
                importer_extension_granted=entry.extension_requested_by_importer,
                policy=policy,
            )
            keep(entry, deadline, "Post summary correction")
    # 1520(d): one year from importation (19 U.S.C. 1520(d)).
    imported = not_filed(entries, "pic").filter(
        importation_date__gte=today - timedelta(days=366) - margin,
        importation_date__lte=horizon - timedelta(days=365) + margin,
    )
    for entry in imported.order_by("importation_date", "pk")[:PORTAL_LIST_LIMIT]:
        keep(entry, deadlines.pic_filing_deadline(entry.importation_date, policy=policy), "1520(d) claim")
    return sorted(found, key=lambda w: (w.due_on, w.kind, w.entry.pk))


def case_documents(user, case: Case) -> list:
    """The documents of a case the user may see (staff and the filer side alike), oldest first."""
    from .models import Document

    return list(
        Document.objects.visible_to(user).filter(case=case).select_related("uploaded_by").order_by("id")
    )


def case_messages(user, case: Case) -> list:
    """The case's thread (never internal notes: those are internal events, not messages)."""
    from .models import Document, Message

    return list(
        Message.objects.visible_to(user)
        .filter(case=case)
        .select_related("author", "delegation__broker_firm")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("id")))
        .order_by("id")
    )


def document_for_download(user, pk: int):
    """One document the user may see (its case's visibility rule); otherwise Http404 like a missing one."""
    from .models import Document

    document = Document.objects.visible_to(user).select_related("case").filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


def notification_preferences(user):
    """The user's notice preferences; an unsaved all-on row when they never chose (the default)."""
    from .models import NotificationPreference

    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
