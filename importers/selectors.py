"""Reads of importer accounts and entries (HackSoft selectors): pages and the API read through these.

Each fetch goes through the one visibility rule (importers.permissions): a row the user may not
see raises Http404, the same as a missing one. Malformed identifiers are not found either: a
lookup never answers differently for "no such number" and "not a number".
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from .filters import EntryFilter, check_date_range
from .identifiers import normalize_entry_number, normalize_hts, normalize_ior
from .models import AccountAssignment, Center, Entry, EntryLine, HtsRule, Importer, Port, ScheduledMove
from .permissions import visible_entries, visible_importers
from .resolver import resolve_center

ENTRY_NUMBER_LENGTH = 11
ENTRY_SEARCH_LIMIT = 20
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


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


def entry_detail(user, number: str) -> Entry:
    """One entry the user may see, with its importer, port and lines (each line's Center resolved)."""
    try:
        normalized = normalize_entry_number(number)
    except ValidationError:
        raise Http404("No such entry.") from None
    queryset = (
        visible_entries(user)
        .select_related("importer__center", "port__district")
        .prefetch_related(
            Prefetch("lines", queryset=EntryLine.objects.select_related("center").order_by("line_number"))
        )
    )
    try:
        return queryset.get(entry_number=normalized)
    except Entry.DoesNotExist:
        raise Http404("No such entry.") from None


def entry_search(user, prefix: str, *, limit: int = ENTRY_SEARCH_LIMIT) -> QuerySet:
    """Entries the user may see whose number starts with the prefix (dashes and spaces ignored)."""
    compact = "".join(prefix.replace("-", " ").split()).upper()
    if not compact or len(compact) > ENTRY_NUMBER_LENGTH or not set(compact) <= _ALNUM:
        return Entry.objects.none()
    # Entry numbers are 11 characters of A-Z and 0-9, so those starting with the prefix lie between
    # the prefix padded with "0" and with "Z": a range the unique index answers under any collation,
    # where LIKE 'prefix%' would need a pattern index the ingest does without (migration 0008).
    low, high = compact.ljust(ENTRY_NUMBER_LENGTH, "0"), compact.ljust(ENTRY_NUMBER_LENGTH, "Z")
    return (
        visible_entries(user)
        .filter(entry_number__gte=low, entry_number__lte=high, entry_number__startswith=compact)
        .select_related("importer", "port")
        .order_by("entry_number")[:limit]
    )


# --- Pages of the API's lists (keyset on a public identifier, no OFFSET) -------------------------------

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page:
    """One page of a list; `next_after` is the key of its last row, None on the last page."""

    rows: list
    next_after: tuple | None


def _page(queryset: QuerySet, keys: tuple[str, ...], after: tuple | None, page_size: int) -> Page:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": f"Give a page size from 1 to {MAX_PAGE_SIZE}, not {page_size}."})
    queryset = queryset.order_by(*keys)
    if after is not None:
        # (a, b) > (x, y) written out: the first key greater, or equal and the second greater.
        if len(keys) == 1:
            queryset = queryset.filter(**{f"{keys[0]}__gt": after[0]})
        else:
            queryset = queryset.filter(**{f"{keys[0]}__gte": after[0]}).exclude(
                **{keys[0]: after[0], f"{keys[1]}__lte": after[1]}
            )
    rows = list(queryset[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    last = rows[-1] if more else None
    return Page(rows, tuple(str(_attr(last, k)) for k in keys) if last is not None else None)


def _attr(row, path: str):
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def entry_page(user, filters: Mapping | None, *, after: str | None = None, page_size: int = 50) -> Page:
    """Entries the user may see, narrowed by EntryFilter, by entry number (keyset)."""
    filterset = EntryFilter(data=filters or {}, queryset=visible_entries(user))
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    check_date_range(filterset.form.cleaned_data, "entry_date_from", "entry_date_to")
    check_date_range(filterset.form.cleaned_data, "liquidation_date_from", "liquidation_date_to")
    queryset = filterset.qs.select_related("importer", "port")
    return _page(queryset, ("entry_number",), (after,) if after else None, page_size)


def account_page(user, *, after: tuple[str, str] | None = None, page_size: int = 50) -> Page:
    """The accounts a user may see (account_list), by name then importer number (keyset)."""
    return _page(account_list(user), ("name", "ior_number"), after, page_size)


# --- Reference data (every signed-in user reads it) ---------------------------------------------------


def center_list() -> QuerySet:
    return Center.objects.order_by("ace_id")


def center_detail(ace_id: str) -> Center:
    center = Center.objects.filter(ace_id=ace_id.strip().upper()).first()
    if center is None:
        raise Http404("No such Center.")
    return center


def port_list(*, active: bool | None = None) -> QuerySet:
    ports = Port.objects.select_related("district").order_by("code")
    return ports if active is None else ports.filter(active=active)


def port_detail(code: str) -> Port:
    port = Port.objects.select_related("district").filter(code=code.strip()).first()
    if port is None:
        raise Http404("No such port.")
    return port


def hts_rule_list() -> QuerySet:
    return HtsRule.objects.select_related("center").order_by("prefix")


def hts_center(hts_number: str) -> tuple[str, Center | None]:
    """The Center that administers an HTS number, through the one resolver (longest prefix wins).

    Returns the normalised number and its Center (None when no rule covers it); a malformed number
    raises ValidationError on the field `hts_number`.
    """
    compact = "".join(hts_number.replace(".", " ").split())
    if not 4 <= len(compact) <= 10 or not compact.isascii() or not compact.isdigit():
        raise ValidationError(
            {"hts_number": "Give an HTS number of 4 to 10 digits (a heading or more; dots allowed)."}
        )
    if len(compact) == 10:
        try:
            compact = normalize_hts(compact)
        except ValidationError as error:
            raise ValidationError({"hts_number": error.messages}) from error
    return compact, resolve_center(compact)
