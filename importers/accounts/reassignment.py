"""Account reassignment: move an importer's account to the Center of its predominant goods.

The rule (81 FR 92978) with the anti-flapping guards from settings.ACCOUNT_MIX:
- the mix is the importer's lines (or entered value) by Center over a rolling window;
- an account moves to Center B when B's share exceeds the current Center's by at least
  MARGIN_POINTS and the window's volume reaches the minimum for the basis;
- a pinned account never moves; an account without a Center gets the predominant one at once.
decide() is the rule; plan() applies it to many importers set-based; apply_move() carries one
move out atomically (account, history, open cases, events, notices): its own transaction, or a
savepoint in run_chunk's groups of moves.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from cee_portal.operations import outbox
from importers.accounts.mix import (
    Mix,
    check_window,
    fold_deltas,
    mixes,
    refresh_monthly_mix,
    window_start,
)
from importers.entries.bulk import set_column
from importers.models import (
    AccountAssignment,
    AssignmentReason,
    Center,
    Importer,
    ReassignmentJob,
    ScheduledMove,
)
from importers.signals import account_moved


@dataclass(frozen=True)
class Verdict:
    importer_id: int
    from_center_id: int | None
    to_center_id: int | None
    move: bool
    why: str
    figures: dict


def decide(
    importer_id: int,
    current_center_id: int | None,
    pinned: bool,
    mix: Mix | None,
    ace_ids: dict[int, str],
    rule: dict | None = None,
) -> Verdict:
    """Apply the reassignment rule to one importer's mix; say why it moves or stays."""
    rule = rule or settings.ACCOUNT_MIX
    mix = mix or Mix(basis=rule["BASIS"])
    figures = mix.figures(ace_ids)
    minimum = Decimal(rule["MIN_LINES"] if mix.basis == "lines" else rule["MIN_VALUE"])
    figures.update(
        {
            "margin_points": rule["MARGIN_POINTS"],
            "minimum_volume": str(minimum),
            "window_days": rule["WINDOW_DAYS"],
        }
    )
    best = mix.predominant

    def verdict(move: bool, why: str, to: int | None = None) -> Verdict:
        return Verdict(importer_id, current_center_id, to if move else current_center_id, move, why, figures)

    if best is None:
        return verdict(False, "no goods with a Center in the window")
    if current_center_id is None:
        return verdict(True, "no Center yet: the predominant one", best)
    if pinned:
        return verdict(False, "pinned by a supervisor")
    if best == current_center_id:
        return verdict(False, "already with the predominant Center")
    if mix.volume < minimum:
        return verdict(False, f"volume {mix.volume} below the minimum {minimum}")
    lead = mix.share(best) - mix.share(current_center_id)
    figures["lead_points"] = f"{lead:.1f}"
    if lead < Decimal(str(rule["MARGIN_POINTS"])):
        return verdict(False, f"lead of {lead:.1f} points is within the margin of {rule['MARGIN_POINTS']}")
    return verdict(True, f"{ace_ids[best]} leads {ace_ids[current_center_id]} by {lead:.1f} points", best)


def plan(*, today: date, importer_ids: list[int] | None = None) -> tuple[int, list[Verdict]]:
    """Decide for many importers at once (set-based mix); return (importers examined, moves)."""
    fold_deltas()
    ace_ids = dict(Center.objects.values_list("pk", "ace_id"))
    found = mixes(importer_ids, today=today)
    accounts = (
        Importer.objects.all() if importer_ids is None else Importer.objects.filter(pk__any_of=importer_ids)
    )
    examined, moves = 0, []
    for importer_id, center_id, pin_reason in accounts.values_list("pk", "center_id", "pin_reason").iterator(
        chunk_size=10_000
    ):
        examined += 1
        mix = found.get(importer_id)
        if center_id is not None and (mix is None or mix.predominant == center_id):
            continue  # nothing imported in the window, or already with its predominant Center
        verdict = decide(importer_id, center_id, bool(pin_reason), mix, ace_ids)
        if verdict.move:
            moves.append(verdict)
    return examined, moves


@transaction.atomic
def apply_move(verdict: Verdict, *, today: date, actor=None) -> str:
    """Carry out one planned move; return "moved", "scheduled" or "skipped" (already done, pinned, changed).

    Locks the importer row and re-checks the plan, so a rerun or a concurrent run moves nothing twice.
    """
    importer = Importer.objects.select_for_update().get(pk=verdict.importer_id)
    if (
        importer.center_id != verdict.from_center_id
        or importer.is_pinned
        or importer.center_id == verdict.to_center_id
    ):
        return "skipped"
    notice_days = settings.ACCOUNT_MIX["NOTICE_DAYS"]
    if notice_days and importer.center_id is not None:
        return _schedule(importer, verdict, today=today, effective_on=today + timedelta(days=notice_days))
    move_account(
        importer,
        to_center_id=verdict.to_center_id,
        reason=AssignmentReason.COMPUTED,
        figures=verdict.figures,
        effective_on=today,
        actor=actor,
    )
    return "moved"


def _schedule(importer: Importer, verdict: Verdict, *, today: date, effective_on: date) -> str:
    pending = ScheduledMove.objects.filter(importer=importer, state=ScheduledMove.State.PENDING).first()
    if pending is not None and pending.to_center_id == verdict.to_center_id:
        return "skipped"
    if pending is not None:
        pending.state = ScheduledMove.State.CANCELLED
        pending.save(update_fields=["state"])
    ScheduledMove.objects.create(
        importer=importer,
        from_center_id=importer.center_id,
        to_center_id=verdict.to_center_id,
        announced_on=today,
        effective_on=effective_on,
        figures=verdict.figures,
    )
    outbox.enqueue(
        "account.move_announced",
        importer_id=importer.pk,
        to_center_id=verdict.to_center_id,
        effective_on=effective_on.isoformat(),
    )
    return "scheduled"


def apply_due_scheduled_moves(*, today: date, actor=None) -> int:
    """Apply announced moves whose effective date has come, if the mix still calls for them."""
    fold_deltas()  # here, not inside the per-move transactions that lock the importer
    applied = 0
    ace_ids = dict(Center.objects.values_list("pk", "ace_id"))
    for move in ScheduledMove.objects.filter(state=ScheduledMove.State.PENDING, effective_on__lte=today):
        with transaction.atomic():
            move = ScheduledMove.objects.select_for_update().get(pk=move.pk)
            importer = Importer.objects.select_for_update().get(pk=move.importer_id)
            mix = mixes([importer.pk], today=today).get(importer.pk)
            verdict = decide(importer.pk, importer.center_id, importer.is_pinned, mix, ace_ids)
            if move.state != ScheduledMove.State.PENDING:
                continue
            if not verdict.move or verdict.to_center_id != move.to_center_id:
                move.state = ScheduledMove.State.CANCELLED
            else:
                move_account(
                    importer,
                    to_center_id=move.to_center_id,
                    reason=AssignmentReason.COMPUTED,
                    figures=verdict.figures,
                    effective_on=move.effective_on,
                    actor=actor,
                )
                move.state = ScheduledMove.State.APPLIED
                applied += 1
            move.save(update_fields=["state"])
    return applied


def move_account(
    importer: Importer,
    *,
    to_center_id: int,
    reason: str,
    figures: dict,
    effective_on: date,
    actor=None,
    note: str = "",
) -> Importer:
    """Move a (locked) account and its open work to another Center, in the caller's transaction."""
    from_center_id = importer.center_id
    AccountAssignment.objects.create(
        importer=importer,
        from_center_id=from_center_id,
        to_center_id=to_center_id,
        reason=reason,
        effective_on=effective_on,
        decided_by=actor,
        figures=figures,
        note=note,
    )
    importer.center_id = to_center_id
    # The new Center names its own account manager.
    importer.account_manager = None
    importer.needs_account_manager = from_center_id is not None
    importer.save(update_fields=["center", "account_manager", "needs_account_manager"])
    if from_center_id is not None:
        # Open cases follow their account (cases subscribes; importers/signals.py), in this transaction.
        account_moved.send(
            sender=Importer,
            importer=importer,
            from_center_id=from_center_id,
            to_center_id=to_center_id,
            effective_on=effective_on,
            actor=actor,
        )
        outbox.enqueue(
            "account.moved",
            importer_id=importer.pk,
            from_center_id=from_center_id,
            to_center_id=to_center_id,
            effective_on=effective_on.isoformat(),
        )
    return importer


# --- Runs -------------------------------------------------------------------------------------------

CHUNK_SIZE = 500
# Moves committed together inside a chunk, each in its own savepoint (see _transaction_groups); also
# bounds how long a group holds its accounts' and open cases' row locks (~0.5 s at ~5 ms a move).
MOVES_PER_TRANSACTION = 100


def start_job(*, scope: str, today: date, dry_run: bool = False):
    return ReassignmentJob.objects.create(scope=scope, as_of=today, dry_run=dry_run)


def prepare(
    job, *, importer_ids: list[int] | None, rebuild_mix: bool, all_history: bool = False
) -> list[Verdict]:
    """Plan a job's moves (after repairing the monthly rollup for a full run) and record the counts."""
    examined, moves = plan_run(
        today=job.as_of, importer_ids=importer_ids, rebuild_mix=rebuild_mix, all_history=all_history
    )
    if not job.dry_run:
        # Accounts an import left without a Center (it stopped first) and with nothing in the
        # window for decide(): their first Center from their whole history (issue 16 item 6).
        centerless = Importer.objects.filter(center__isnull=True)
        if importer_ids is not None:
            centerless = centerless.filter(pk__any_of=importer_ids)
        planned = {verdict.importer_id for verdict in moves}
        assign_initial_centers(
            [pk for pk in centerless.values_list("pk", flat=True) if pk not in planned], today=job.as_of
        )
    job.examined, job.planned = examined, len(moves)
    job.chunks_total = 0 if job.dry_run else (len(moves) + CHUNK_SIZE - 1) // CHUNK_SIZE
    job.save(update_fields=["examined", "planned", "chunks_total"])
    return moves


def plan_run(
    *, today: date, importer_ids: list[int] | None, rebuild_mix: bool, all_history: bool = False
) -> tuple[int, list[Verdict]]:
    """What a run would move: (accounts examined, moves). The one planning step of every run.

    The nightly run, `reassign_accounts --dry-run` and the preview page (tonight_preview) all plan
    through here, so the preview shows what the run then does. A full plan repairs the monthly
    rollup first (any drift from the ingest): a repair, not a change of any account.
    """
    since = window_start(today)
    if importer_ids is None and connection.vendor == "postgresql" and not all_history:
        # Set-based full run, one pass over the window's lines: repair only the importers whose
        # window drifted, then decide only for those whose Center is not their predominant one (the
        # others cannot move).
        drifted, off_predominant = check_window(today=today)
        refresh_monthly_mix(drifted)
        examined = Importer.objects.count()
        _, moves = plan(today=today, importer_ids=off_predominant)
        return examined, moves
    if rebuild_mix:
        # The full run repairs the rollup (any drift from the ingest) over the window it decides
        # on; all_history also repairs the older months the account page charts.
        refresh_monthly_mix(importer_ids, since=None if all_history else since)
    return plan(today=today, importer_ids=importer_ids)


def run_chunk(job_id: int, verdicts: list[Verdict], *, today: date, actor=None) -> dict[str, int]:
    """Apply one chunk of moves; safe to rerun (each move re-checks under its row lock)."""
    from django.db.models import F
    from django.utils import timezone

    counts = {"moved": 0, "scheduled": 0, "skipped": 0, "errors": 0}
    errors = []
    started_at = ReassignmentJob.objects.values_list("started_at", flat=True).get(pk=job_id)
    # In importer order, so two runs that meet lock their rows in the same order.
    ordered = sorted(verdicts, key=lambda verdict: verdict.importer_id)
    with outbox.one_drain():  # the moves' notices go out once the chunk is done, not after each move
        for group in _transaction_groups(ordered):
            with transaction.atomic(), _constraints_checked_per_statement():
                for verdict in group:
                    try:
                        outcome = apply_move(verdict, today=today, actor=actor)
                        if outcome == "skipped" and _moved_since(verdict, started_at, today):
                            # A rerun of a chunk whose worker died: the first attempt committed it.
                            outcome = "moved"
                        counts[outcome] += 1
                    except Exception as exc:  # one bad account must not stop the others; the job records it
                        counts["errors"] += 1
                        errors.append(f"importer {verdict.importer_id}: {exc}")
    ReassignmentJob.objects.filter(pk=job_id).update(
        moved=F("moved") + counts["moved"],
        scheduled=F("scheduled") + counts["scheduled"],
        errors=F("errors") + counts["errors"],
        chunks_done=F("chunks_done") + 1,
    )
    if errors:
        job = ReassignmentJob.objects.get(pk=job_id)
        job.error_log = (job.error_log + "\n".join(errors) + "\n")[-20_000:]
        job.save(update_fields=["error_log"])
    ReassignmentJob.objects.filter(pk=job_id, chunks_done__gte=F("chunks_total"), state="running").update(
        state="finished", finished_at=timezone.now()
    )
    return counts


def _transaction_groups(verdicts: list[Verdict]) -> list[list[Verdict]]:
    """The moves committed together: MOVES_PER_TRANSACTION on PostgreSQL, one by one elsewhere.

    One commit for a group, not one per move: a commit waits for the disk (~3.5 ms on the benchmark
    machine), a fifth of a move's time (issue 11). Each move stays whole in its own savepoint
    (apply_move is atomic), so a failing one rolls back alone and the others commit. That needs its
    foreign keys checked before the savepoint ends (_constraints_checked_per_statement), which only
    PostgreSQL can do; elsewhere each move commits alone, as a key it breaks fails at its commit.
    """
    size = MOVES_PER_TRANSACTION if connection.vendor == "postgresql" else 1
    return [verdicts[i : i + size] for i in range(0, len(verdicts), size)]


@contextmanager
def _constraints_checked_per_statement() -> Iterator[None]:
    """Within the block, PostgreSQL checks the (deferred) foreign keys at each statement, not at commit:
    a move that breaks one fails inside its own savepoint instead of failing its group's commit."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's keys are deferred; as they were


def _moved_since(verdict: Verdict, started_at, today: date) -> bool:
    """Was this planned move made since the job started (by an earlier attempt of its chunk)?"""
    return AccountAssignment.objects.filter(
        importer_id=verdict.importer_id,
        from_center_id=verdict.from_center_id,
        to_center_id=verdict.to_center_id,
        reason=AssignmentReason.COMPUTED,
        effective_on=today,
        decided_at__gte=started_at,
    ).exists()


def finish(job) -> None:
    from django.utils import timezone

    job.refresh_from_db()
    if job.state == job.State.RUNNING and job.chunks_done >= job.chunks_total:
        job.state, job.finished_at = job.State.FINISHED, timezone.now()
        job.save(update_fields=["state", "finished_at"])


def chunks(verdicts: list[Verdict]) -> list[list[Verdict]]:
    return [verdicts[i : i + CHUNK_SIZE] for i in range(0, len(verdicts), CHUNK_SIZE)]


def verdict_to_dict(v: Verdict) -> dict:
    return {
        "importer_id": v.importer_id,
        "from_center_id": v.from_center_id,
        "to_center_id": v.to_center_id,
        "move": v.move,
        "why": v.why,
        "figures": v.figures,
    }


def verdict_from_dict(d: dict) -> Verdict:
    return Verdict(**d)


def assign_initial_centers(importer_ids: list[int], *, today: date, actor=None) -> int:
    """Give importers without a Center their first one at once, with an `initial` history row.

    The same rule as the nightly run (reassignment.decide over the mix window ending `today`), so an
    import never assigns a Center the nightly run moves seconds later (issue 9 item 10). An importer
    with nothing inside the window (a history load, entries older than the window) gets its first
    Center from its whole history; the nightly run leaves it until the window holds the minimum
    volume (decide's guard), so every importer with entries ends with a Center (issue 16 item 6).
    """
    fold_deltas()  # before the chunks lock the importers
    ids = sorted(set(importer_ids))
    # Chunked: PostgreSQL caps a statement at 65,535 parameters.
    return sum(
        _assign_initial_chunk(ids[i : i + 5000], today=today, actor=actor) for i in range(0, len(ids), 5000)
    )


@transaction.atomic
def _assign_initial_chunk(importer_ids: list[int], *, today: date, actor) -> int:
    # Locked, so two ingests finishing together cannot both write an initial assignment.
    unassigned = list(
        Importer.objects.select_for_update()
        .filter(pk__any_of=importer_ids, center__isnull=True)
        .values_list("pk", flat=True)
    )
    if not unassigned:
        return 0
    ace_ids = dict(Center.objects.values_list("pk", "ace_id"))
    in_window = mixes(unassigned, today=today)
    outside = [pk for pk in unassigned if pk not in in_window or in_window[pk].predominant is None]
    # Only for those with nothing inside the window: everything they have, up to today.
    whole_history = (
        mixes(outside, today=today, window_days=(today - date(1900, 1, 1)).days) if outside else {}
    )
    centers, history = {}, []
    for importer_id in unassigned:
        verdict = decide(importer_id, None, False, in_window.get(importer_id), ace_ids)
        if verdict.move:
            center_id, figures = verdict.to_center_id, verdict.figures
        else:
            mix = whole_history.get(importer_id)
            if mix is None or mix.predominant is None:
                continue  # no line with a Center at all: nothing to decide from
            center_id, figures = mix.predominant, mix.figures(ace_ids)
            figures["window"] = "whole history: nothing inside the reassignment window"
        centers[importer_id] = center_id
        history.append(
            AccountAssignment(
                importer_id=importer_id,
                from_center=None,
                to_center_id=center_id,
                reason=AssignmentReason.INITIAL,
                effective_on=today,
                decided_by=actor,
                figures=figures,
            )
        )
    set_column(Importer, "center_id", centers, only_if_null=True)
    AccountAssignment.objects.bulk_create(history, batch_size=2000)
    return len(centers)
