"""Importer accounts: the list, one account, and its page (entries by keyset, the mix history)."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from ..identifiers import normalize_ior
from ..models import AccountAssignment, Entry, Importer, ImporterMonthlyMix, ScheduledMove
from ..permissions import visible_importers


def account_list(user) -> QuerySet:
    """The accounts a user may see, by name, with their Center (the portal's accounts, the API's list)."""
    return visible_importers(user).select_related("center", "account_manager").order_by("name", "id")


def account_detail(user, ior: str) -> Importer:
    """One importer account the user may see, with its Center, manager, moves and pending move."""
    try:
        number, _ = normalize_ior(ior)
    except ValidationError:
        raise Http404("No such importer account.") from None
    queryset = (
        visible_importers(user)
        .select_related("center", "account_manager", "pinned_by")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=AccountAssignment.objects.select_related("from_center", "to_center", "decided_by"),
            ),
            Prefetch(
                "scheduled_moves",
                queryset=ScheduledMove.objects.filter(state=ScheduledMove.State.PENDING).select_related(
                    "from_center", "to_center"
                ),
                to_attr="pending_moves",
            ),
        )
    )
    try:
        return queryset.get(ior_number=number)
    except Importer.DoesNotExist:
        raise Http404("No such importer account.") from None


# --- The account page ------------------------------------------------------------------------------

ACCOUNT_ENTRIES_PAGE = 25
MIX_HISTORY_MONTHS = 24


@dataclass(frozen=True)
class EntryPage:
    """One page of an account's entries, newest first; `next_cursor` is None on the last page."""

    rows: list[Entry]
    next_cursor: str | None


def account_entries(importer: Importer, *, cursor: str | None = None, page_size: int = ACCOUNT_ENTRIES_PAGE):
    """An account's entries by entry date then id, newest first; keyset pagination (no OFFSET).

    The importer comes from account_detail (so it is one the user may see); a damaged cursor starts over.
    """
    queryset = Entry.objects.filter(importer=importer).select_related("port")
    after = _decode_entry_cursor(cursor)
    if after is not None:
        on, pk = after
        queryset = queryset.filter(entry_date__lte=on).filter(Q(entry_date__lt=on) | Q(id__lt=pk))
    rows = list(queryset.order_by("-entry_date", "-id")[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = f"{rows[-1].entry_date.isoformat()}.{rows[-1].pk}" if more else None
    return EntryPage(rows=rows, next_cursor=next_cursor)


def _decode_entry_cursor(cursor: str | None) -> tuple[date, int] | None:
    if not cursor:
        return None
    try:
        on, pk = cursor.split(".", 1)
        return date.fromisoformat(on), int(pk)
    except ValueError:
        return None


def account_mix_history(importer: Importer, *, months: int = MIX_HISTORY_MONTHS) -> list[ImporterMonthlyMix]:
    """The account's monthly rollup (lines and value by Center) for its last `months` months with lines."""
    recent = list(
        ImporterMonthlyMix.objects.filter(importer=importer)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()[:months]
    )
    if not recent:
        return []
    return list(
        ImporterMonthlyMix.objects.filter(importer=importer, month__gte=min(recent))
        .select_related("center")
        .order_by("month", "center__ace_id")
    )
