"""Ingest of the entry feed: CSV or JSON Lines of entry and line records (docs/entry_feed.md).

Records are read and checked by importers.feed in a thread of their own, a chunk ahead of the
writes; an entry and its lines are written together or not at all. Each chunk of whole entries is
one transaction with set-based writes: one query to read what exists, bulk inserts (COPY on
PostgreSQL) for what is new, bulk updates for what changed, nothing for what is unchanged. So
re-importing a file changes nothing, and a file interrupted half-way can simply be imported again.
"""

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import resolver
from .bulk import insert_rows
from .feed import EntryRecord, FeedParser, LineRecord, Problem, read_ahead
from .identifiers import normalize_ior
from .mix import fold_deltas, record_new_lines, refresh_monthly_mix
from .models import Entry, EntryLine, Importer, Port
from .services import assign_initial_centers

# The entry columns a feed may change; a change to any of the liquidation facts moves deadlines.
UPDATABLE = (
    "entry_type",
    "entry_date",
    "importation_date",
    "scheduled_liquidation_date",
    "liquidation_date",
    "liquidation_status",
    "extension_requested_by_importer",
    "reliquidation_date",
    "summary_under_review",
)
LIQUIDATION_FACTS = frozenset(UPDATABLE) - {"entry_type", "entry_date", "importation_date"}
# Column order of parsed entry values, as written by the bulk insert.
ENTRY_VALUES = ("filer_code", "port_id", *UPDATABLE)
LINE_COLUMNS = ("entry_id", "line_number", "hts_number", "entered_value", "duty", "center_id")

__all__ = ["Problem", "Summary", "import_entries", "write_problems_csv"]

logger = logging.getLogger(__name__)


@dataclass
class Summary:
    entries_created: int = 0
    entries_updated: int = 0
    entries_unchanged: int = 0
    entries_refused: int = 0
    lines_created: int = 0
    lines_updated: int = 0
    lines_unchanged: int = 0
    lines_refused: int = 0
    importers_created: int = 0
    importers_assigned: int = 0
    liquidation_changes: int = 0
    problems: list[Problem] = field(default_factory=list)
    touched_importer_ids: set[int] = field(default_factory=set)

    @property
    def lines_total(self) -> int:
        return self.lines_created + self.lines_updated + self.lines_unchanged

    def as_text(self) -> str:
        return (
            f"entries: {self.entries_created} created, {self.entries_updated} updated, "
            f"{self.entries_unchanged} unchanged, {self.entries_refused} refused; "
            f"lines: {self.lines_created} created, {self.lines_updated} updated, "
            f"{self.lines_unchanged} unchanged, {self.lines_refused} refused; "
            f"importers: {self.importers_created} created, {self.importers_assigned} assigned a Center"
        )


# --- Writing -------------------------------------------------------------------------------------------


class Ingest:
    """One import run over one file; call run() once."""

    def __init__(self, *, today: date | None = None, chunk_entries: int = 20000, progress=None):
        self.today = today or timezone.localdate()
        self.summary = Summary()
        self.new_importer_ids: set[int] = set()  # created by committed chunks, Center still to give
        self.parser = FeedParser(
            ports=frozenset(Port.objects.ports_of_entry().values_list("code", flat=True)),
            heading_centers=resolver.heading_center_ids(),
            chunk_entries=chunk_entries,
            progress=progress,
        )

    def run(self, path: Path) -> Summary:
        try:
            # The parser runs a chunk ahead in its own thread; writes stay on this thread's connection.
            for chunk in read_ahead(self.parser.chunks(path)):
                entries = chunk.valid_entries()
                self.summary.problems += chunk.problems
                self.summary.entries_refused += chunk.entries_refused
                self.summary.lines_refused += chunk.lines_refused
                if entries or chunk.orphan_lines:
                    self._write_chunk(entries, chunk.orphan_lines)
        except BaseException:
            # The committed chunks' importers still get their Center; if even this fails (or the
            # process dies), the nightly reassignment run gives them their predominant one.
            self._settle_accounts(quietly=True)
            raise
        self._settle_accounts()
        return self.summary

    def _settle_accounts(self, *, quietly: bool = False) -> None:
        """Fold the file's new lines into the rollup and give the new importers their initial Center.

        Once per file, not per chunk: a chunk of 20,000 entries touches tens of thousands of rollup
        rows, and merging them chunk by chunk was a fifth of the import's time.
        """
        new_importers, self.new_importer_ids = sorted(self.new_importer_ids), set()
        try:
            with transaction.atomic():
                fold_deltas()
                self.summary.importers_assigned += assign_initial_centers(new_importers, today=self.today)
        except Exception:
            if not quietly:
                raise
            logger.exception("entry import: initial Centers left to the nightly reassignment run")

    def _refuse(self, problem: Problem, *, entries: int = 0, lines: int = 0) -> Problem:
        self.summary.problems.append(problem)
        self.summary.entries_refused += entries
        self.summary.lines_refused += lines
        return problem

    def _write_chunk(self, entries: list[EntryRecord], orphan_lines: list[LineRecord]) -> None:
        with transaction.atomic():
            liquidation_changed, new_importers = self._write(entries, orphan_lines)
        self.new_importer_ids |= new_importers
        if liquidation_changed:
            # The one hook for everything that depends on an entry's liquidation (cases' deadlines).
            from cases.services import entries_liquidation_changed

            entries_liquidation_changed(liquidation_changed)
            self.summary.liquidation_changes += len(liquidation_changed)

    def _write(
        self, entries: list[EntryRecord], orphan_lines: list[LineRecord]
    ) -> tuple[list[int], set[int]]:
        """Write a chunk; return (entries whose liquidation changed, importers created)."""
        importer_ids, new_importer_ids = self._importers(entries)
        # Plain rows, not model instances: most entries of a re-import are unchanged.
        existing = {
            row["entry_number"]: row
            for row in Entry.objects.filter(entry_number__any_of=[r.entry_number for r in entries]).values(
                "id", "entry_number", "importer_id", "port_id", *UPDATABLE
            )
        }
        to_create, to_update, changed_facts, redated = [], [], [], set()
        for record in entries:
            importer_id = importer_ids[record.importer_number]
            current = existing.get(record.entry_number)
            if current is None:
                to_create.append(record)
                continue
            if current["importer_id"] != importer_id or current["port_id"] != record.values["port_id"]:
                field_name = "importer_number" if current["importer_id"] != importer_id else "port_code"
                reason = (
                    "cannot change on an existing entry (file a post summary correction or ask the Center)"
                )
                problem = Problem(record.line, record.entry_number, field_name, reason)
                record.problem = self._refuse(problem, entries=1, lines=len(record.lines))
                continue
            changed = [name for name in UPDATABLE if current[name] != record.values[name]]
            if not changed:
                self.summary.entries_unchanged += 1
                continue
            to_update.append(
                Entry(
                    pk=current["id"],
                    entry_number=record.entry_number,
                    updated_at=timezone.now(),
                    **{name: record.values[name] for name in UPDATABLE},
                )
            )
            if LIQUIDATION_FACTS.intersection(changed):
                changed_facts.append(current["id"])
            if "entry_date" in changed:  # its lines move to another month of the rollup
                redated.add(importer_id)
        now = timezone.now()
        insert_rows(
            Entry,
            ["entry_number", "importer_id", *ENTRY_VALUES, "created_at", "updated_at"],
            (
                (
                    r.entry_number,
                    importer_ids[r.importer_number],
                    *(r.values[c] for c in ENTRY_VALUES),
                    now,
                    now,
                )
                for r in to_create
            ),
        )
        if to_update:
            Entry.objects.bulk_update(to_update, [*UPDATABLE, "updated_at"], batch_size=1000)
        self.summary.entries_created += len(to_create)
        self.summary.entries_updated += len(to_update)

        entry_ids = {number: row["id"] for number, row in existing.items()}
        entry_ids.update(
            Entry.objects.filter(entry_number__any_of=[r.entry_number for r in to_create]).values_list(
                "entry_number", "id"
            )
        )
        orphan_numbers = {line.entry_number for line in orphan_lines} - entry_ids.keys()
        entry_ids.update(
            Entry.objects.filter(entry_number__any_of=list(orphan_numbers)).values_list("entry_number", "id")
        )
        new_lines = [line for r in to_create for line in r.lines]
        other_lines = [
            line for r in entries if r.problem is None and r.entry_number in existing for line in r.lines
        ]
        for line in orphan_lines:
            if line.entry_number in entry_ids:
                other_lines.append(line)
            else:
                reason = (
                    "line of an unknown entry: the entry is neither in this file before it "
                    "nor already imported"
                )
                self._refuse(Problem(line.line, line.entry_number, "entry_number", reason), lines=1)
        insert_rows(EntryLine, LINE_COLUMNS, (self._line_row(line, entry_ids) for line in new_lines))
        self.summary.lines_created += len(new_lines)
        changed_lines = self._write_other_lines(other_lines, entry_ids)

        # New entries' lines are noted for the rollup; importers whose stored lines changed or moved
        # to another month get their rollup rebuilt.
        record_new_lines([entry_ids[r.entry_number] for r in to_create])
        rebuild = redated
        if changed_lines:
            rebuild |= set(
                Entry.objects.filter(entry_number__any_of=list(changed_lines)).values_list(
                    "importer_id", flat=True
                )
            )
        if rebuild:
            refresh_monthly_mix(rebuild)
        self.summary.touched_importer_ids |= rebuild | {importer_ids[r.importer_number] for r in to_create}
        return changed_facts, new_importer_ids

    def _importers(self, entries: list[EntryRecord]) -> tuple[dict[str, int], set[int]]:
        """Find or create the importers of a chunk's entries; refuse entries of a nameless new one."""
        numbers = list({r.importer_number for r in entries})
        ids = dict(Importer.objects.filter(ior_number__any_of=numbers).values_list("ior_number", "id"))
        names: dict[str, str] = {}
        for record in entries:
            if record.importer_number not in ids and record.importer_name:
                names.setdefault(record.importer_number, record.importer_name)
        for record in entries:
            if record.importer_number not in ids and record.importer_number not in names:
                reason = f"is required for a new importer ({record.importer_number})"
                problem = Problem(record.line, record.entry_number, "importer_name", reason)
                record.problem = self._refuse(problem, entries=1, lines=len(record.lines))
        new = [Importer(ior_number=n, ior_kind=normalize_ior(n)[1], name=name) for n, name in names.items()]
        # ignore_conflicts: an importer created meanwhile by a concurrent import is simply found.
        Importer.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        created = dict(
            Importer.objects.filter(ior_number__any_of=list(names)).values_list("ior_number", "id")
        )
        ids.update(created)
        self.summary.importers_created += len(created)
        entries[:] = [r for r in entries if r.problem is None]
        return ids, set(created.values())

    def _write_other_lines(self, lines: list[LineRecord], entry_ids: dict[str, int]) -> set[str]:
        """Lines of entries already stored: insert new ones, update changed ones; return whose changed."""
        if not lines:
            return set()
        rows = EntryLine.objects.filter(
            entry_id__any_of=list({entry_ids[line.entry_number] for line in lines})
        ).values_list("entry_id", "line_number", "id", "hts_number", "entered_value", "duty")
        existing = {(row[0], row[1]): (row[2], row[3], str(row[4]), str(row[5])) for row in rows}
        to_create, to_update, changed = [], [], set()
        for line in lines:
            row = self._line_row(line, entry_ids)
            current = existing.get((row[0], row[1]))
            if current is None:
                to_create.append(row)
                changed.add(line.entry_number)
            elif current[1:] != (line.hts_number, line.entered_value, line.duty):
                to_update.append(EntryLine(pk=current[0], **dict(zip(LINE_COLUMNS, row, strict=True))))
                changed.add(line.entry_number)
            else:
                self.summary.lines_unchanged += 1
        insert_rows(EntryLine, LINE_COLUMNS, to_create)
        if to_update:
            EntryLine.objects.bulk_update(
                to_update, ["hts_number", "entered_value", "duty", "center"], batch_size=1000
            )
        self.summary.lines_created += len(to_create)
        self.summary.lines_updated += len(to_update)
        return changed

    @staticmethod
    def _line_row(line: LineRecord, entry_ids: dict[str, int]) -> tuple:
        return (
            entry_ids[line.entry_number],
            line.line_number,
            line.hts_number,
            line.entered_value,
            line.duty,
            line.center_id,
        )


def import_entries(
    path: Path, *, today: date | None = None, progress=None, chunk_entries: int = 20000
) -> Summary:
    """Import an entry feed file; return what was created, updated and refused (and why)."""
    summary = Ingest(today=today, chunk_entries=chunk_entries, progress=progress).run(Path(path))
    summary.problems.sort(key=lambda p: p.line)
    if summary.touched_importer_ids:
        _after_import(summary.touched_importer_ids)
    return summary


def _after_import(importer_ids: Iterable[int]) -> None:
    """Queue the incremental account reassignment for the importers this import touched."""
    from importers.tasks import reassign_importers_task

    ids = sorted(importer_ids)
    transaction.on_commit(lambda: reassign_importers_task.delay(ids))


def write_problems_csv(problems: list[Problem], out: io.TextIOBase) -> None:
    writer = csv.writer(out)
    writer.writerow(["line", "entry_number", "field", "reason"])
    for p in problems:
        writer.writerow([p.line, p.entry_number, p.field, p.reason])
