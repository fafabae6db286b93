"""Entries: one by its number, and the search by a number's first characters."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from ..identifiers import normalize_entry_number
from ..models import Entry, EntryLine
from ..permissions import visible_entries

ENTRY_NUMBER_LENGTH = 11
ENTRY_SEARCH_LIMIT = 20
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


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


def entry_search(user, prefix: str, *, limit: int = ENTRY_SEARCH_LIMIT, importer=None) -> QuerySet:
    """Entries the user may see whose number starts with the prefix (dashes and spaces ignored).

    `importer` limits the search to one account (the portal's filing forms search the account filed for).
    """
    compact = "".join(prefix.replace("-", " ").split()).upper()
    if not compact or len(compact) > ENTRY_NUMBER_LENGTH or not set(compact) <= _ALNUM:
        return Entry.objects.none()
    # Entry numbers are 11 characters of A-Z and 0-9, so those starting with the prefix lie between
    # the prefix padded with "0" and with "Z": a range the unique index answers under any collation,
    # where LIKE 'prefix%' would need a pattern index the ingest does without (migration 0008).
    low, high = compact.ljust(ENTRY_NUMBER_LENGTH, "0"), compact.ljust(ENTRY_NUMBER_LENGTH, "Z")
    entries = visible_entries(user)
    if importer is not None:
        entries = entries.filter(importer=importer)
    return (
        entries.filter(entry_number__gte=low, entry_number__lte=high, entry_number__startswith=compact)
        .select_related("importer", "port")
        .order_by("entry_number")[:limit]
    )
