"""Pages of the API's lists (keyset on a public identifier, no OFFSET)."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from ..filters import EntryFilter, check_date_range
from ..permissions import visible_entries
from .accounts import account_list

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
