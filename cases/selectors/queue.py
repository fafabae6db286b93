"""The queue: its pages (keyset cursor), its counts, saved filters, the cases a bulk action names."""

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404, QueryDict

from cee_portal.legal_time import legal_today
from cee_portal.users.models import User
from importers.models import Center

from ..exceptions import CaseError
from ..filters import CaseQueueFilter
from ..models import Case, CaseDeadline, CaseQuerySet, SavedQueueFilter
from ..permissions import can_view_internal, center_staff_q

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


# --- The queue ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, nearest deadline first; `next_cursor` is None on the last page."""

    rows: list  # Case instances, or dicts of the fields asked for (`case_queue(values=...)`)
    next_cursor: str | None
    today: date
    page_size: int

    def days_left(self, case: Case) -> int | None:
        """Days from today to the case's next deadline (negative when overdue)."""
        return None if case.next_deadline_on is None else (case.next_deadline_on - self.today).days


def filtered_cases(user, filters: Mapping | None = None, *, today: date | None = None) -> CaseQuerySet:
    """The cases a user may see, narrowed by the queue's filters and defaults (unordered)."""
    filterset = CaseQueueFilter(
        data=as_querydict(filters),
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
    with_rules: bool = True,
    values: Sequence[str] | None = None,
) -> QueuePage:
    """One page of the queue by nearest statutory deadline, then id; keyset pagination (no OFFSET).

    The cursor names the last row shown (its deadline and id), so a deep page costs what the first
    does and a case filed meanwhile neither repeats nor skips a row. `with_rules` loads each row's
    running deadlines (`running_deadlines`, for the rule a page cites beside the days left); the API
    answers without them and skips that query.

    `values` names the fields a page shows (lookups like "importer__ior_number" join their table): each
    row is then a dict of them, read without building model instances, which the API's list answers
    with (four model instances a row cost more than the query). The rules that choose the rows are the
    same either way.
    """
    today = today or legal_today()
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise CaseError({"page_size": f"Give a page size from 1 to {MAX_PAGE_SIZE}, not {page_size}."})
    after_deadline, after_id = _decode_cursor(cursor) if cursor else (None, None)
    queryset = filtered_cases(user, filters, today=today)
    if values is None:
        queryset = queryset.select_related("importer", "center", "filing_port", "assignee")
    else:
        queryset = queryset.values(*dict.fromkeys([*values, "id", "next_deadline_on"]))
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
    if with_rules and values is None:
        prefetch_related_objects(
            rows,
            Prefetch(
                "deadlines",
                queryset=CaseDeadline.objects.filter(state=CaseDeadline.State.RUNNING),
                to_attr="running_deadlines",
            ),
        )
    if not more:
        next_cursor = None
    elif values is None:
        next_cursor = _encode_cursor(rows[-1])
    else:
        next_cursor = _encode_cursor_at(rows[-1]["next_deadline_on"], rows[-1]["id"])
    return QueuePage(rows=rows, next_cursor=next_cursor, today=today, page_size=page_size)


def _encode_cursor(case: Case) -> str:
    return _encode_cursor_at(case.next_deadline_on, case.pk)


def _encode_cursor_at(deadline: date | None, pk: int) -> str:
    raw = [deadline.isoformat() if deadline else None, pk]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


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


def as_querydict(filters: Mapping | None) -> QueryDict:
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
