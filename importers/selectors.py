"""Reads of importer accounts and entries (HackSoft selectors): pages and the API read through these.

Each fetch goes through the one visibility rule (importers.permissions): a row the user may not
see raises Http404, the same as a missing one. Malformed identifiers are not found either: a
lookup never answers differently for "no such number" and "not a number".
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404

from cee_portal.users.models import BrokerFirm, User

from .accounts import reassignment
from .accounts.mix import Mix, fold_deltas, mixes, window_start
from .accounts.reassignment import decide
from .filters import EntryFilter, check_date_range
from .identifiers import normalize_entry_number, normalize_hts, normalize_ior
from .models import (
    AccountAssignment,
    BrokerDelegation,
    Center,
    Entry,
    EntryLine,
    HtsRule,
    HtsRuleChange,
    Importer,
    ImporterMembership,
    ImporterMonthlyMix,
    Invitation,
    Port,
    ReassignmentJob,
    ScheduledMove,
)
from .permissions import live_delegations, visible_delegations, visible_entries, visible_importers
from .reference.resolver import headings_moved_by, resolve_center

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


# --- People and authority (issue 13 item 2) -----------------------------------------------------------


def people_account(user, ior: str) -> Importer:
    """The account whose people and delegations a user may open: its importer users (and staff).
    A broker acts for the account but does not manage it: for a broker, as for anyone else who may
    not see the account, the page is missing (Http404)."""
    if getattr(user, "role", None) == User.Role.BROKER:
        raise Http404("No such importer account.")
    return account_detail(user, ior)


def account_people(importer: Importer) -> dict:
    """Members, usable invitations and every delegation of an account (fetched by people_account)."""
    from django.utils import timezone

    return {
        "members": list(
            ImporterMembership.objects.filter(importer=importer)
            .select_related("user")
            .order_by("user__username")
        ),
        "invitations": list(
            Invitation.objects.filter(
                importer=importer,
                accepted_at__isnull=True,
                cancelled_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).order_by("-created_at")
        ),
        "delegations": list(
            BrokerDelegation.objects.filter(importer=importer)
            .select_related("broker_firm", "granted_by", "revoked_by")
            .order_by("-starts_on", "-id")
        ),
    }


def delegation_of_account(user, importer: Importer, pk: int):
    """One delegation of the account, through the delegations' visibility rule (else Http404)."""
    delegation = visible_delegations(user).filter(importer=importer, pk=pk).select_related("importer").first()
    if delegation is None:
        raise Http404("No such delegation.")
    return delegation


def delegation_by_public_id(user, importer: Importer, public_id: str):
    """One delegation of the account by its public id (the API's), through the visibility rule
    (else Http404, like a missing one; a malformed id is missing too)."""
    import uuid

    from .permissions import visible_delegations

    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("No such delegation.") from None
    delegation = (
        visible_delegations(user)
        .filter(importer=importer, public_id=key)
        .select_related("importer", "broker_firm", "granted_by", "revoked_by")
        .first()
    )
    if delegation is None:
        raise Http404("No such delegation.")
    return delegation


def member_of_account(importer: Importer, user_id: int):
    """A member of the account (else Http404)."""
    membership = (
        ImporterMembership.objects.filter(importer=importer, user_id=user_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership.user


def invitation_to_cancel(user, importer: Importer, pk: int) -> Invitation:
    """An invitation of the account, for one of its administrators to cancel. Anyone else (a colleague
    who is not an administrator, like anyone outside the account) finds nothing: Http404."""
    from .permissions import can_manage_people

    invitation = Invitation.objects.filter(importer=importer, pk=pk).select_related("importer").first()
    if invitation is None or not can_manage_people(user, importer):
        raise Http404("No such invitation.")
    return invitation


def broker_firm_by_filer_code(code: str):
    """The broker firm with this filer code, or None."""
    return BrokerFirm.objects.filter(filer_code=(code or "").strip().upper()).first()


def my_delegations(user) -> list:
    """A broker's live delegations, with their accounts (the portal home's "acting under")."""
    return list(live_delegations(user).select_related("importer").order_by("importer__name", "pk"))


# --- Account moves: announced moves, pins, runs, tonight's preview, rule changes ----------------------


def announced_moves(user) -> QuerySet:
    """Moves announced and not yet in effect (ScheduledMove pending), soonest first."""
    return (
        ScheduledMove.objects.filter(
            state=ScheduledMove.State.PENDING, importer__in=visible_importers(user).values("pk")
        )
        .select_related("importer", "from_center", "to_center")
        .order_by("effective_on", "id")
    )


def pinned_accounts(user, *, center_id: int | None = None) -> QuerySet:
    """Pinned accounts (a supervisor's decision that automatic moves respect), newest pin first."""
    queryset = visible_importers(user).exclude(pin_reason="").select_related("center", "pinned_by")
    if center_id is not None:
        queryset = queryset.filter(center_id=center_id)
    return queryset.order_by("-pinned_at", "name", "id")


def reassignment_jobs(*, limit: int = 50) -> list[ReassignmentJob]:
    """The latest reassignment runs (ReassignmentJob), newest first."""
    return list(ReassignmentJob.objects.order_by("-started_at", "-id")[:limit])


def reassignment_job(pk: int) -> ReassignmentJob:
    try:
        return ReassignmentJob.objects.get(pk=pk)
    except ReassignmentJob.DoesNotExist:
        raise Http404("No such reassignment run.") from None


@dataclass(frozen=True)
class MoveRow:
    """One account a reassignment run would move, with the figures behind it."""

    ior_number: str
    name: str
    from_center: str
    to_center: str
    basis: str
    volume: str
    shares: str
    why: str

    CSV_HEADER = ("importer", "from", "to", "basis", "volume", "shares", "why")

    def as_csv(self) -> tuple:
        return (
            self.ior_number,
            self.from_center,
            self.to_center,
            self.basis,
            self.volume,
            self.shares,
            self.why,
        )


def move_rows(moves) -> list[MoveRow]:
    """Planned moves (reassignment Verdicts) as rows: the dry run's table and CSV, the preview page."""
    ace = dict(Center.objects.values_list("pk", "ace_id"))
    names = {
        pk: (number, name)
        for pk, number, name in Importer.objects.filter(pk__in=[m.importer_id for m in moves]).values_list(
            "pk", "ior_number", "name"
        )
    }
    return [
        MoveRow(
            ior_number=names[m.importer_id][0],
            name=names[m.importer_id][1],
            from_center=ace.get(m.from_center_id, "-"),
            to_center=ace[m.to_center_id],
            basis=m.figures.get("basis", ""),
            volume=m.figures.get("volume", ""),
            shares=" ".join(f"{k}:{v}%" for k, v in m.figures.get("shares", {}).items()),
            why=m.why,
        )
        for m in moves
    ]


@dataclass(frozen=True)
class MovePreview:
    today: date
    examined: int
    rows: list[MoveRow]


def tonight_preview(*, today: date) -> MovePreview:
    """What a full reassignment run as of `today` would move: the plan `reassign_accounts --dry-run`
    makes (reassignment.plan_run), without recording a job or moving anything."""
    examined, moves = reassignment.plan_run(today=today, importer_ids=None, rebuild_mix=True)
    return MovePreview(today=today, examined=examined, rows=move_rows(moves))


def hts_rules() -> QuerySet:
    return HtsRule.objects.select_related("center").order_by("prefix")


def hts_rule_changes(*, limit: int = 20) -> QuerySet:
    return HtsRuleChange.objects.select_related("old_center", "new_center", "changed_by").order_by(
        "-changed_at", "-id"
    )[:limit]


@dataclass(frozen=True)
class RuleChangePreview:
    """What saving an HTS -> Center rule would change, before it is saved."""

    prefix: str
    old_center_id: int | None
    new_center_id: int | None
    headings: dict  # {heading: (Center id now, Center id after)}
    lines: int  # entry lines whose Center changes (all dates)
    accounts_with_lines: int  # accounts that have such lines
    window_lines: int  # of those lines, in the reassignment window
    # Accounts the next reassignment run would move because of the change: (ior, name, from, to).
    accounts_moving: list[tuple[str, str, str, str]]


def hts_rule_change_preview(prefix: str, center_id: int | None, *, today: date) -> RuleChangePreview:
    """Count, set-based in SQL, the lines and accounts a rule change would move.

    The headings come from the longest-prefix logic (resolver.headings_moved_by); the lines under them
    are counted by account and heading in one grouped query; each touched account's mix over the
    window is the rollup's with those lines shifted to their new Center, and the reassignment rule
    (reassignment.decide) says whether the account would then move, where it would not before.
    """
    from django.conf import settings

    old_center_id = HtsRule.objects.filter(prefix=prefix).values_list("center_id", flat=True).first()
    headings = headings_moved_by(prefix, center_id)
    empty = RuleChangePreview(prefix, old_center_id, center_id, headings, 0, 0, 0, [])
    if not headings:
        return empty
    since = window_start(today)
    in_window = Q(entry__entry_date__gte=since)
    rows = list(
        EntryLine.objects.annotate(heading=Substr("hts_number", 1, 4))
        .filter(heading__in=sorted(headings))
        .values("entry__importer_id", "center_id", "heading")
        .annotate(
            lines=Count("id"),
            window_lines=Count("id", filter=in_window),
            window_value=Sum("entered_value", filter=in_window),
        )
        .order_by()
    )
    if not rows:
        return empty
    by_value = settings.ACCOUNT_MIX["BASIS"] != "lines"
    importer_ids = sorted({r["entry__importer_id"] for r in rows})
    fold_deltas()
    before = mixes(importer_ids, today=today)
    after = {pk: _copy_mix(mix) for pk, mix in before.items()}
    for r in rows:
        amount = Decimal(r["window_value"] or 0) if by_value else Decimal(r["window_lines"])
        if not amount:
            continue
        mix = after.setdefault(r["entry__importer_id"], _empty_mix())
        old, new = r["center_id"], headings[r["heading"]][1]
        if old is not None:
            mix.by_center[old] = mix.by_center.get(old, Decimal(0)) - amount
            if mix.by_center[old] <= 0:
                del mix.by_center[old]
        if new is not None:
            mix.by_center[new] = mix.by_center.get(new, Decimal(0)) + amount
    ace = dict(Center.objects.values_list("pk", "ace_id"))
    moving = []
    accounts = Importer.objects.filter(pk__in=importer_ids).values_list(
        "pk", "ior_number", "name", "center_id", "pin_reason"
    )
    for pk, ior, name, current, pin in accounts.order_by("name", "pk"):
        was = decide(pk, current, bool(pin), before.get(pk), ace)
        will = decide(pk, current, bool(pin), after.get(pk), ace)
        if will.move and (not was.move or was.to_center_id != will.to_center_id):
            moving.append((ior, name, ace.get(current, "-"), ace[will.to_center_id]))
    return RuleChangePreview(
        prefix=prefix,
        old_center_id=old_center_id,
        new_center_id=center_id,
        headings=headings,
        lines=sum(r["lines"] for r in rows),
        accounts_with_lines=len(importer_ids),
        window_lines=sum(r["window_lines"] for r in rows),
        accounts_moving=moving,
    )


def _empty_mix():
    from django.conf import settings

    return Mix(basis=settings.ACCOUNT_MIX["BASIS"])


def _copy_mix(mix):
    return Mix(basis=mix.basis, by_center=dict(mix.by_center))


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
