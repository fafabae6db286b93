"""The commodity mix of importers: how their lines split across Centers, month by month.

ImporterMonthlyMix holds one row per (importer, month of entry, Center), so the mix over any window
is a sum over a few rows and the account page can chart the history straight from it. The ingest
notes what new lines add as MonthlyMixDelta rows (record_new_lines); whatever decides from the rollup
or rebuilds it folds them in first (fold_deltas); changed lines get their importers' rows rebuilt
(refresh_monthly_mix).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum

from importers.entries.bulk import copy_text
from importers.models import ImporterMonthlyMix, MonthlyMixDelta

_CHUNK = 5000
MIX_LOCK = 7_246_001  # advisory lock key serialising rebuilds of the rollup


def _month_sql() -> str:
    if connection.vendor == "postgresql":
        return "date_trunc('month', e.entry_date)::date"
    return "date(e.entry_date, 'start of month')"


@transaction.atomic
def refresh_monthly_mix(importer_ids: Iterable[int] | None = None, *, since: date | None = None) -> int:
    """Rebuild the monthly rollup for some importers (all when None); return rows written.

    With `since` (all importers only), just the months from that one on are checked and repaired:
    the nightly run looks at the reassignment window, not at years of history.
    """
    fold_deltas()  # before a rebuild, or folding later would count the rebuilt lines twice
    mix_table = ImporterMonthlyMix._meta.db_table
    since = since.replace(day=1) if since else None  # the rollup holds whole months
    select = f"""
        INSERT INTO {mix_table} (importer_id, month, center_id, line_count, entered_value)
        SELECT e.importer_id, {_month_sql()}, l.center_id, COUNT(*), SUM(l.entered_value)
        FROM importers_entryline l JOIN importers_entry e ON e.id = l.entry_id
        WHERE l.center_id IS NOT NULL {{where}}
        GROUP BY e.importer_id, {_month_sql()}, l.center_id
    """
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rebuilds delete then insert: two at once (an import and the nightly run) would collide.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MIX_LOCK])
        if importer_ids is None:
            if connection.vendor == "postgresql":
                return _repair_all(cursor, mix_table, since=since)
            if since is None:
                cursor.execute(f"DELETE FROM {mix_table}")
                cursor.execute(select.format(where=""))
            else:
                cursor.execute(f"DELETE FROM {mix_table} WHERE month >= %s", [since])
                cursor.execute(select.format(where="AND e.entry_date >= %s"), [since])
            return cursor.rowcount
        ids = sorted(set(importer_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {mix_table} WHERE importer_id IN ({marks})", chunk)
            cursor.execute(select.format(where=f"AND e.importer_id IN ({marks})"), chunk)
            written += cursor.rowcount
    return written


def record_new_lines(rows: str) -> None:
    """Note what new lines add to the rollup, given as COPY text rows of MonthlyMixDelta.

    Each row: importer id, month, Center id, lines, value, tab-separated. The ingest's path for new
    entries, in its chunk's transaction: plain inserts (COPY), which fold_deltas merges later.
    Lines that change or move go through refresh_monthly_mix instead.
    """
    copy_text(MonthlyMixDelta, ["importer_id", "month", "center_id", "line_count", "entered_value"], rows)


@transaction.atomic
def fold_deltas() -> int:
    """Merge the pending MonthlyMixDelta rows into the rollup; return the rollup rows touched.

    Called before the rollup is read for a decision or rebuilt: by the set-based readers here, by
    reassignment.plan() and apply_due_scheduled_moves(), by assign_initial_centers() and at the end of
    each import. Never inside a transaction that holds importer row locks: it takes MIX_LOCK, and
    the imports take MIX_LOCK before they touch importer rows (a lock-order deadlock otherwise).
    """
    if not MonthlyMixDelta.objects.exists():
        return 0  # nothing to merge: no lock taken, readers do not queue behind a rebuild
    mix_table, delta_table = ImporterMonthlyMix._meta.db_table, MonthlyMixDelta._meta.db_table
    merge = f"""
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (importer_id, month, center_id) DO UPDATE SET
            line_count = {mix_table}.line_count + excluded.line_count,
            entered_value = {mix_table}.entered_value + excluded.entered_value
    """
    columns = "importer_id, month, center_id, line_count, entered_value"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MIX_LOCK])
            # Taken and merged in one statement: rows an import commits meanwhile wait for the next fold.
            cursor.execute(
                f"""
                WITH taken AS (DELETE FROM {delta_table} RETURNING {columns})
                INSERT INTO {mix_table} ({columns})
                SELECT importer_id, month, center_id, SUM(line_count), SUM(entered_value) FROM taken
                {merge}
                """
            )
            return cursor.rowcount
        # SQLite allows one writer at a time: nothing can commit between these two statements.
        cursor.execute(
            f"""
            INSERT INTO {mix_table} ({columns})
            SELECT importer_id, month, center_id, SUM(line_count), SUM(entered_value) FROM {delta_table}
            WHERE true {merge}
            """
        )
        touched = cursor.rowcount
        cursor.execute(f"DELETE FROM {delta_table}")
        return touched


def _repair_all(cursor, mix_table: str, *, since: date | None) -> int:
    """Recompute the whole rollup and write only the rows that differ (PostgreSQL); return rows written.

    Rewriting 1.5M rows every night cost ~35 s in inserts, deferred key checks and dead rows to
    vacuum; a nightly repair usually finds a handful of differences.
    """
    # A caller's transaction may run the repair twice (tests, seeding): start from no temp tables.
    cursor.execute("DROP TABLE IF EXISTS mix_fresh, mix_diff")
    cursor.execute(
        f"""
        CREATE TEMP TABLE mix_fresh ON COMMIT DROP AS
        SELECT e.importer_id, {_month_sql()} AS month, l.center_id,
               COUNT(*)::int AS line_count, SUM(l.entered_value) AS entered_value
        FROM importers_entryline l JOIN importers_entry e ON e.id = l.entry_id
        WHERE l.center_id IS NOT NULL {"AND e.entry_date >= %s" if since else ""}
        GROUP BY 1, 2, 3
        """,
        [since] if since else None,
    )
    cursor.execute("ANALYZE mix_fresh")
    cursor.execute(
        f"""
        CREATE TEMP TABLE mix_diff ON COMMIT DROP AS
        SELECT m.id AS old_id, f.importer_id, f.month, f.center_id, f.line_count, f.entered_value
        FROM mix_fresh f FULL JOIN (SELECT * FROM {mix_table} {"WHERE month >= %s" if since else ""}) m
          ON m.importer_id = f.importer_id AND m.month = f.month AND m.center_id = f.center_id
        WHERE m.id IS NULL OR f.importer_id IS NULL
           OR m.line_count <> f.line_count OR m.entered_value <> f.entered_value
        """,
        [since] if since else None,
    )
    cursor.execute(
        f"DELETE FROM {mix_table} WHERE id IN (SELECT old_id FROM mix_diff WHERE old_id IS NOT NULL)"
    )
    cursor.execute(
        f"""
        INSERT INTO {mix_table} (importer_id, month, center_id, line_count, entered_value)
        SELECT importer_id, month, center_id, line_count, entered_value FROM mix_diff
        WHERE importer_id IS NOT NULL
        """
    )
    return cursor.rowcount


@dataclass
class Mix:
    """One importer's goods by Center over a window, on the configured basis."""

    basis: str
    by_center: dict[int, Decimal] = field(default_factory=dict)

    @property
    def volume(self) -> Decimal:
        return sum(self.by_center.values(), Decimal(0))

    def share(self, center_id: int | None) -> Decimal:
        """Percentage (0-100) of the volume that belongs to a Center."""
        if not self.volume or center_id is None:
            return Decimal(0)
        return self.by_center.get(center_id, Decimal(0)) * 100 / self.volume

    @property
    def predominant(self) -> int | None:
        """The Center with the largest volume; ties go to the lower Center id, for stable results."""
        if not self.by_center:
            return None
        return max(sorted(self.by_center), key=lambda c: self.by_center[c])

    def figures(self, center_ace_ids: dict[int, str]) -> dict:
        """The numbers behind a decision, in a form a person can read later."""
        # The volume once, not once per share (share() sums it again): a new feed's initial
        # Centers format these for thousands of importers.
        volume, ordered = self.volume, sorted(self.by_center.items())
        return {
            "basis": self.basis,
            "volume": str(volume),
            "by_center": {center_ace_ids[c]: str(v) for c, v in ordered},
            "shares": {center_ace_ids[c]: f"{v * 100 / volume if volume else 0:.1f}" for c, v in ordered},
        }


def window_start(today: date, window_days: int | None = None) -> date:
    """First month counted in a window of N days ending today (whole months of the rollup)."""
    days = window_days if window_days is not None else settings.ACCOUNT_MIX["WINDOW_DAYS"]
    return (today - timedelta(days=days)).replace(day=1)


def mixes(
    importer_ids: Iterable[int] | None,
    *,
    today: date,
    basis: str | None = None,
    window_days: int | None = None,
) -> dict[int, Mix]:
    """Return each importer's mix over the window (set-based: one grouped query per chunk).

    Reads the rollup as it is: callers fold pending deltas first (see fold_deltas), outside the
    transactions in which they lock importers.
    """
    basis = basis or settings.ACCOUNT_MIX["BASIS"]
    measure = "line_count" if basis == "lines" else "entered_value"
    rows = ImporterMonthlyMix.objects.filter(month__gte=window_start(today, window_days), month__lte=today)
    result: dict[int, Mix] = defaultdict(lambda: Mix(basis=basis))
    chunks = [None] if importer_ids is None else _chunks(sorted(set(importer_ids)))
    for chunk in chunks:
        qs = rows if chunk is None else rows.filter(importer_id__any_of=chunk)
        for importer_id, center_id, total in (
            qs.values("importer_id", "center_id")
            .annotate(total=Sum(measure))
            .values_list("importer_id", "center_id", "total")
        ):
            result[importer_id].by_center[center_id] = Decimal(total)
    return dict(result)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def check_window(
    *, today: date, basis: str | None = None, window_days: int | None = None
) -> tuple[list[int], list[int]]:
    """For the full run (PostgreSQL), from one aggregation of the window's lines by importer and
    Center: (importers whose rollup over the window disagrees with their lines, importers whose
    Center is not the predominant one of the window).

    The first are the ones whose rollup needs a rebuild (any drift from the ingest). The second are
    the only ones that can move, so only these are decided in Python; they are ranked from the lines
    themselves, which is what the rollup holds once the drifted importers are rebuilt, so the rollup
    is not read a second time (that was ~0.4x the floor of the run). Ties go to the lower Center id,
    as Mix.predominant does; the window is the rollup's, months from window_start() to today's.
    """
    fold_deltas()
    basis = basis or settings.ACCOUNT_MIX["BASIS"]
    measure = "n_now" if basis == "lines" else "v_now"
    since = window_start(today, window_days)
    # The rollup's window ends with today's month: entries up to the end of it.
    end = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    mix_table = ImporterMonthlyMix._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH fresh AS (
                SELECT e.importer_id, l.center_id, COUNT(*) AS n, SUM(l.entered_value) AS v,
                       COUNT(*) FILTER (WHERE e.entry_date < %(end)s) AS n_now,
                       SUM(l.entered_value) FILTER (WHERE e.entry_date < %(end)s) AS v_now
                FROM importers_entryline l JOIN importers_entry e ON e.id = l.entry_id
                WHERE l.center_id IS NOT NULL AND e.entry_date >= %(since)s
                GROUP BY 1, 2
            ), rolled AS (
                SELECT importer_id, center_id, SUM(line_count) AS n, SUM(entered_value) AS v
                FROM {mix_table} WHERE month >= %(since)s GROUP BY 1, 2
            ), drifted AS (
                SELECT DISTINCT COALESCE(f.importer_id, r.importer_id) AS importer_id
                FROM fresh f FULL JOIN rolled r ON r.importer_id = f.importer_id AND r.center_id = f.center_id
                WHERE f.n IS DISTINCT FROM r.n OR f.v IS DISTINCT FROM r.v
            ), predominant AS (
                -- Each importer's first row: DISTINCT ON, not a ranking window, which cost about
                -- a tenth more of the check's CPU time (issue 11).
                SELECT DISTINCT ON (importer_id) importer_id, center_id
                FROM fresh WHERE n_now > 0
                ORDER BY importer_id, {measure} DESC, center_id
            )
            SELECT importer_id, true FROM drifted
            UNION ALL
            SELECT p.importer_id, false FROM predominant p JOIN importers_importer i ON i.id = p.importer_id
            WHERE i.center_id IS DISTINCT FROM p.center_id
            """,
            {"since": since, "end": end},
        )
        rows = cursor.fetchall()
    return [pk for pk, drifted in rows if drifted], [pk for pk, drifted in rows if not drifted]
