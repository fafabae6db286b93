"""Ingest of the entry feed: CSV or JSON Lines of entry and line records (docs/entry_feed.md).

Records are read and checked by importers.entries.feed (for big files in a second process, chunks ahead of
the writes); an entry and its lines are written together or not at all. Each chunk of whole entries is
one transaction with set-based writes: one query to read what exists, bulk inserts (COPY on
PostgreSQL) for what is new, bulk updates for what changed, nothing for what is unchanged. So
re-importing a file changes nothing, and a file interrupted half-way can simply be imported again.
"""

import csv
import gc
import io
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from cee_portal.legal_time import legal_today
from importers.accounts.mix import fold_deltas, record_new_lines, refresh_monthly_mix
from importers.entries.bulk import copy_text, insert_rows, reserve_ids
from importers.entries.feed import (
    ALL_GIVEN,
    ENTRY_DATE_VALUE,
    ENTRY_VALUES,
    UPDATABLE,
    EntryRow,
    LineRecord,
    Problem,
    check_liquidation,
    mix_of_lines,
    parse_chunks,
    printable,
)
from importers.identifiers import normalize_ior
from importers.models import Entry, EntryLine, Importer, Port
from importers.reference import resolver
from importers.services import assign_initial_centers
from importers.signals import liquidation_changed
from importers.tasks import reassign_accounts_task

LIQUIDATION_FACTS = frozenset(UPDATABLE) - {"entry_type", "entry_date", "importation_date"}
PORT = ENTRY_VALUES.index("port_id")
LINE_COLUMNS = ("entry_id", "line_number", "hts_number", "entered_value", "duty", "center_id")
# Serialises the chunk transactions of concurrent imports (PostgreSQL advisory lock): two imports of
# overlapping files would both insert the same new entry (uniq_entry_number) and both count the
# same importers as created. Waiting for the other's chunk, each finds what the other wrote.
INGEST_LOCK = 7_246_002

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
    file_refused: bool = False  # the header contract refused the file: nothing of it was read
    problems: list[Problem] = field(default_factory=list)
    touched_importer_ids: set[int] = field(default_factory=set)

    @property
    def exit_status(self) -> int:
        """For cron (docs/entry_feed.md): 0 all loaded, 1 records refused (the rest loaded), 2 file
        refused."""
        return 2 if self.file_refused else 1 if self.problems else 0

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
    """One import run over one file; call run() once.

    Its lookups are by sets of keys: `.order_by()` drops the models' default ordering, which cost a
    sort of 20,000 rows per query.
    """

    def __init__(self, *, today: date | None = None, chunk_entries: int = 20000, progress=None):
        self.today = today or legal_today()
        self.summary = Summary()
        # Importers of committed chunks still without a Center: created by this import, or by an
        # earlier one that stopped before giving them theirs (a killed run, issue 16 item 6).
        self.new_importer_ids: set[int] = set()
        self.parser_options = dict(
            ports=frozenset(Port.objects.ports_of_entry().values_list("code", flat=True)),
            heading_centers=resolver.heading_center_ids(),
            chunk_entries=chunk_entries,
            # Refuse names the column cannot hold, by the column's own size (never cut them).
            name_max_length=Importer._meta.get_field("name").max_length,
        )
        self.progress = progress

    def run(self, path: Path, *, parallel: bool | None = None) -> Summary:
        try:
            with _rare_collections():
                self._read_and_write(path, parallel)
        except BaseException:
            # The committed chunks' importers still get their Center; if even this fails (or the
            # process dies), the nightly reassignment run gives them their predominant one.
            self._settle_accounts(quietly=True)
            raise
        self._settle_accounts()
        return self.summary

    def _read_and_write(self, path: Path, parallel: bool | None) -> None:
        for chunk in parse_chunks(path, parallel=parallel, **self.parser_options):
            self.summary.problems += chunk.problems
            self.summary.entries_refused += chunk.entries_refused
            self.summary.lines_refused += chunk.lines_refused
            self.summary.file_refused |= chunk.file_refused
            if chunk.valid or chunk.orphan_lines:
                self._write_chunk(chunk.valid, chunk.orphan_lines, chunk.mix)
            if self.progress is not None:
                self.progress.update(chunk.records)

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

    def _facts_agree(self, record: EntryRow, values: tuple | None, *, stored: bool = False) -> bool:
        """For a record that leaves some values out: do its values, with the stored ones (or the
        defaults of a new entry) it leaves, still make one consistent liquidation? Refuse it if not.

        A new entry's answer (`values` None) comes checked from the parser (EntryRow.new_entry_problem).
        """
        if values is None:
            problem = record.new_entry_problem
        else:
            problem = check_liquidation(dict(zip(UPDATABLE, values, strict=True)))
        if problem is None:
            return True
        left = "the stored values" if stored else "the defaults"
        reason = f"{problem[1]} (with {left} of the columns this file leaves out)"
        self._refuse(
            Problem(record.line, record.entry_number, problem[0], reason), entries=1, lines=record.line_count
        )
        return False

    def _refuse(self, problem: Problem, *, entries: int = 0, lines: int = 0) -> Problem:
        self.summary.problems.append(problem)
        self.summary.entries_refused += entries
        self.summary.lines_refused += lines
        return problem

    def _write_chunk(
        self, entries: list[EntryRow], orphan_lines: list[LineRecord], mix: dict[str, str]
    ) -> None:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The planner's cost estimates for 20,000-key lookups call for JIT compilation,
                # which took longer (~0.2 s a query) than running the queries, and for parallel
                # workers, which take the core the parser process runs on.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INGEST_LOCK])
            changed, new_importers = self._write(entries, orphan_lines, mix)
            if changed:
                # The one hook for everything that depends on an entry's liquidation (cases' deadlines),
                # in the chunk's transaction: the chunk and its consequences commit together.
                liquidation_changed.send(sender=Entry, entry_ids=changed)
        self.new_importer_ids |= new_importers
        self.summary.liquidation_changes += len(changed)

    def _write(
        self, chunk_entries: list[EntryRow], orphan_lines: list[LineRecord], mix: dict[str, str]
    ) -> tuple[list[int], set[int]]:
        """Write a chunk; return (entries whose liquidation changed, importers created).

        `mix`: what the lines of the chunk's entries add to the commodity mix (Chunk.mix).
        """
        entries, importer_ids, new_importer_ids = self._importers(chunk_entries)
        # Plain rows, not model instances: most entries of a re-import are unchanged.
        existing = {
            row[0]: row
            for row in Entry.objects.order_by()
            .filter(entry_number__any_of=[r.entry_number for r in entries])
            .values_list("entry_number", "id", "importer_id", *ENTRY_VALUES)
        }
        to_create, to_update, kept, changed_facts, redated = [], [], [], [], set()
        for record in entries:
            importer_id = importer_ids[record.importer_number]
            current = existing.get(record.entry_number)
            if current is None:
                if record.given != ALL_GIVEN and not self._facts_agree(record, None):
                    continue
                to_create.append(record)
                continue
            # current: entry_number, id, importer_id, then the values in ENTRY_VALUES order.
            if current[2] != importer_id or current[4] != record.values[PORT]:
                field_name = "importer_number" if current[2] != importer_id else "port_code"
                reason = (
                    "cannot change on an existing entry (file a post summary correction or ask the Center)"
                )
                problem = Problem(record.line, record.entry_number, field_name, reason)
                self._refuse(problem, entries=1, lines=record.line_count)
                continue
            stored, given = current[5:], record.values[2:]  # the UPDATABLE values, both
            if record.given != ALL_GIVEN:
                # A column the file lacks leaves the stored value as it is (issue 16 item 1).
                given = tuple(
                    new if record.given >> i & 1 else old
                    for i, (old, new) in enumerate(zip(stored, given, strict=True))
                )
                if not self._facts_agree(record, given, stored=True):
                    continue
            kept.append(record)
            changed = {name for name, old, new in zip(UPDATABLE, stored, given, strict=True) if old != new}
            if not changed:
                self.summary.entries_unchanged += 1
                continue
            values = dict(zip(UPDATABLE, given, strict=True))
            to_update.append(
                Entry(
                    pk=current[1],
                    entry_number=record.entry_number,
                    updated_at=timezone.now(),
                    **{name: values[name] for name in UPDATABLE},
                )
            )
            if LIQUIDATION_FACTS & changed:
                changed_facts.append(current[1])
            if "entry_date" in changed:  # its lines move to another month of the rollup
                redated.add(importer_id)
        entry_ids = {number: row[1] for number, row in existing.items()}
        entry_ids.update(self._insert_entries(to_create, importer_ids))
        if to_update:
            Entry.objects.bulk_update(to_update, [*UPDATABLE, "updated_at"], batch_size=1000)
        self.summary.entries_created += len(to_create)
        self.summary.entries_updated += len(to_update)

        orphan_numbers = {line.entry_number for line in orphan_lines} - entry_ids.keys()
        entry_ids.update(
            Entry.objects.order_by()
            .filter(entry_number__any_of=list(orphan_numbers))
            .values_list("entry_number", "id")
        )
        other_lines = [line for r in kept for line in r.line_records()]
        for line in orphan_lines:
            if line.entry_number in entry_ids:
                other_lines.append(line)
            else:
                reason = (
                    "line of an unknown entry: the entry is neither in this file before it "
                    "nor already imported"
                )
                self._refuse(Problem(line.line, line.entry_number, "entry_number", reason), lines=1)
        # New entries' lines come as COPY text already: only their entry id goes in front of each.
        copy_text(
            EntryLine, LINE_COLUMNS, "".join(_led_by(entry_ids[r.entry_number], r.lines) for r in to_create)
        )
        self.summary.lines_created += sum(r.line_count for r in to_create)
        changed_lines = self._write_other_lines(other_lines, entry_ids)

        # New entries' lines are noted for the rollup; importers whose stored lines changed or moved
        # to another month get their rollup rebuilt.
        record_new_lines(_new_lines_mix(mix, chunk_entries, to_create, importer_ids))
        rebuild = redated
        if changed_lines:
            rebuild |= set(
                Entry.objects.order_by()
                .filter(entry_number__any_of=list(changed_lines))
                .values_list("importer_id", flat=True)
            )
        if rebuild:
            refresh_monthly_mix(rebuild)
        self.summary.touched_importer_ids |= rebuild | {importer_ids[r.importer_number] for r in to_create}
        return changed_facts, new_importer_ids

    @staticmethod
    def _insert_entries(created: list[EntryRow], importer_ids: dict[str, int]) -> dict[str, int]:
        """Insert new entries; return their ids by entry number."""
        now = timezone.now()
        columns = ["entry_number", "importer_id", *ENTRY_VALUES, "created_at", "updated_at"]
        ids = reserve_ids(Entry, len(created))
        if ids is not None:
            copy_text(Entry, ["id", *columns], _entries_as_copy_text(ids, created, importer_ids, now))
            return {r.entry_number: id_ for r, id_ in zip(created, ids, strict=True)}
        rows = [(r.entry_number, importer_ids[r.importer_number], *r.values, now, now) for r in created]
        insert_rows(Entry, columns, rows)
        return dict(
            Entry.objects.order_by()
            .filter(entry_number__any_of=[r.entry_number for r in created])
            .values_list("entry_number", "id")
        )

    def _importers(self, entries: list[EntryRow]) -> tuple[list[EntryRow], dict[str, int], set[int]]:
        """Find or create the importers of a chunk's entries; refuse the entries of a nameless new one.

        Returns the entries still to write, the importer ids by number, and the importers created.
        """
        numbers = list({r.importer_number for r in entries})
        ids, centerless = {}, set()
        for number, id_, center_id in (
            Importer.objects.order_by()
            .filter(ior_number__any_of=numbers)
            .values_list("ior_number", "id", "center_id")
        ):
            ids[number] = id_
            if center_id is None:
                centerless.add(id_)
        names: dict[str, str] = {}
        for record in entries:
            if record.importer_number not in ids and record.importer_name:
                names.setdefault(record.importer_number, record.importer_name)
        writable = []
        for record in entries:
            if record.importer_number in ids or record.importer_number in names:
                writable.append(record)
                continue
            reason = f"is required for a new importer ({record.importer_number})"
            problem = Problem(record.line, record.entry_number, "importer_name", reason)
            self._refuse(problem, entries=1, lines=record.line_count)
        new = [Importer(ior_number=n, ior_kind=normalize_ior(n)[1], name=name) for n, name in names.items()]
        # ignore_conflicts: an importer created meanwhile by a concurrent import is simply found.
        Importer.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        created = dict(
            Importer.objects.order_by().filter(ior_number__any_of=list(names)).values_list("ior_number", "id")
        )
        ids.update(created)
        self.summary.importers_created += len(created)
        return writable, ids, set(created.values()) | centerless

    def _write_other_lines(self, lines: list[LineRecord], entry_ids: dict[str, int]) -> set[str]:
        """Lines of entries already stored: insert new ones, update changed ones; return whose changed."""
        if not lines:
            return set()
        rows = (
            EntryLine.objects.order_by()
            .filter(entry_id__any_of=list({entry_ids[line.entry_number] for line in lines}))
            .values_list("entry_id", "line_number", "id", "hts_number", "entered_value", "duty")
        )
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


def _entries_as_copy_text(
    ids: list[int], created: list[EntryRow], importer_ids: dict[str, int], now: datetime
) -> str:
    """New entries as COPY text, each led by its id. psycopg's adaptation row by row cost more than
    the COPY itself, and so did formatting value by value in Python: str() of every value, then the
    three words COPY spells differently. Safe for entries alone: none of their values (the feed's
    checked codes, digits, ISO dates, statuses, timestamps) holds a tab, a newline, a backslash or
    the words None, True or False. The two timestamps are the same for all: formatted once (2.3 µs
    each, 0.9 s of CPU for 200,000 entries)."""
    stamps = f"\t{now}\t{now}\n"
    text = "".join(
        f"{id_}\t{r.entry_number}\t{importer_ids[r.importer_number]}\t{TAB.join(map(str, r.values))}{stamps}"
        for id_, r in zip(ids, created, strict=True)
    )
    return text.replace("None", "\\N").replace("True", "t").replace("False", "f")


TAB = "\t"


@contextmanager
def _rare_collections():
    """Run the cyclic garbage collector less often for a while. A chunk arrives as 20,000 entries of
    new tuples, none in a cycle; each 700 of them set off a collection, and some of those walk the
    whole process (Django and all). Collections still run, every 50,000 new objects."""
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _new_lines_mix(
    mix: dict[str, str], entries: list[EntryRow], created: list[EntryRow], importer_ids: dict[str, int]
) -> str:
    """What the created entries' lines add to the rollup, as MonthlyMixDelta COPY text.

    When every entry of the chunk is new (a first import, the daily feed), that is the parser's sum
    for the chunk as it is. Otherwise it is summed here from the lines of the created entries, or
    when they are the most, from the parser's sum less the lines of the others.
    """
    if len(created) == len(entries):
        return "".join(_led_by(importer_ids[number], rows) for number, rows in mix.items())
    if not created:
        return ""
    totals: dict[tuple[str, str, int], list[int]] = {}
    if len(created) * 2 <= len(entries):
        _add_lines_mix(totals, created, 1)
    else:
        for number, rows in mix.items():
            for row in rows.split("\n"):
                month, center, count, value = row.split("\t")
                totals[(number, month, int(center))] = [int(count), int(value.replace(".", ""))]
        created_numbers = {r.entry_number for r in created}
        _add_lines_mix(totals, [r for r in entries if r.entry_number not in created_numbers], -1)
    return "".join(
        f"{importer_ids[number]}\t{month}\t{center}\t{count}\t{cents // 100}.{cents % 100:02d}\n"
        for (number, month, center), (count, cents) in totals.items()
        if count
    )


def _add_lines_mix(totals: dict[tuple[str, str, int], list[int]], entries: list[EntryRow], sign: int) -> None:
    """Add (sign 1) or take out (-1) what the entries' lines add to the mix, by importer, month and Center."""
    for record in entries:
        if not record.lines:
            continue
        month = record.values[ENTRY_DATE_VALUE].replace(day=1).isoformat()
        for center_id, (count, cents) in mix_of_lines(record.lines.split("\n")).items():
            total = totals.setdefault((record.importer_number, month, center_id), [0, 0])
            total[0] += sign * count
            total[1] += sign * cents


def _led_by(key: int, rows: str) -> str:
    """COPY text rows (one per text line, none if empty) with `key` put in front as the first column."""
    if not rows:
        return ""
    prefix = f"{key}\t"
    return prefix + rows.replace("\n", "\n" + prefix) + "\n"


def import_entries(
    path: Path,
    *,
    today: date | None = None,
    progress=None,
    chunk_entries: int = 20000,
    parallel: bool | None = None,
) -> Summary:
    """Import an entry feed file; return what was created, updated and refused (and why).

    `parallel`: parse in a second process (default: for files of a few megabytes and more).
    """
    ingest = Ingest(today=today, chunk_entries=chunk_entries, progress=progress)
    summary = ingest.run(Path(path), parallel=parallel)
    summary.problems.sort(key=lambda p: p.line)
    if summary.touched_importer_ids:
        _after_import(summary.touched_importer_ids, ingest.today)
    return summary


def _after_import(importer_ids: Iterable[int], today: date) -> None:
    """Queue the incremental account reassignment for the importers this import touched, as of the
    import's own date (`--today`, else the legal today): one "today" for the import and its run."""
    ids, as_of = sorted(importer_ids), today.isoformat()
    transaction.on_commit(lambda: reassign_accounts_task.delay(ids, as_of))


def write_problems_csv(problems: list[Problem], out: io.TextIOBase) -> None:
    """The refused records as CSV; control characters and undecodable bytes escaped, so it is always
    valid UTF-8 and safe to open (issue 16 item 5)."""
    writer = csv.writer(out)
    writer.writerow(["line", "entry_number", "field", "reason"])
    for p in problems:
        writer.writerow([p.line, printable(p.entry_number), printable(p.field), printable(p.reason)])
