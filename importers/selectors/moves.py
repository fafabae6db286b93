"""Account moves: announced moves, pins, runs, tonight's preview, rule changes."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404

from ..accounts import reassignment
from ..accounts.mix import Mix, fold_deltas, mixes, window_start
from ..accounts.reassignment import decide
from ..models import Center, EntryLine, HtsRule, HtsRuleChange, Importer, ReassignmentJob, ScheduledMove
from ..permissions import visible_importers
from ..reference.resolver import headings_moved_by


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
