"""Ingest of the entry feed: CSV or JSON Lines of entry and line records (docs/entry_feed.md).

Records are validated in Python (check digits, IOR, HTS, ports, amounts, dates); an entry and its
lines are written together or not at all. The file is processed in chunks of whole entries, each
in one transaction, with set-based writes: one query to read what exists, bulk inserts (COPY on
PostgreSQL) for what is new, bulk updates for what changed, nothing for what is unchanged. So
re-importing a file changes nothing, and a file interrupted half-way can simply be imported again.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import resolver
from .bulk import insert_rows
from .identifiers import normalize_entry_number, normalize_hts, normalize_ior
from .mix import add_to_monthly_mix, refresh_monthly_mix
from .models import Entry, EntryLine, Importer, LiquidationStatus, Port
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
MAX_VALUE = Decimal("999999999999.99")
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "y", "t"}, {"", "0", "false", "no", "n", "f"}


class RecordError(Exception):
    def __init__(self, field_name: str, reason: str):
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """One refused record: where it is in the file, which field, and why."""

    line: int
    entry_number: str
    field: str
    reason: str

    def __str__(self) -> str:
        entry = f" entry {self.entry_number}" if self.entry_number else ""
        return f"line {self.line}{entry}: {self.field}: {self.reason}"


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


@dataclass
class EntryRecord:
    line: int
    entry_number: str
    values: dict
    importer_number: str
    importer_name: str
    lines: list["LineRecord"] = field(default_factory=list)
    line_numbers: set[int] = field(default_factory=set)
    problem: Problem | None = None


@dataclass
class LineRecord:
    line: int
    entry_number: str
    line_number: int
    hts_number: str
    entered_value: Decimal
    duty: Decimal


# --- Reading -------------------------------------------------------------------------------------------


def read_records(path: Path) -> Iterator[tuple[int, dict]]:
    """Yield (file line number, record) from CSV or JSON Lines; JSON entries may nest their lines."""
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        with open(path, encoding="utf-8") as fh:
            for number, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"not valid JSON ({exc.msg})"}
                    continue
                if not isinstance(record, dict):
                    yield number, {"__error__": "each line must be a JSON object"}
                    continue
                nested = record.pop("lines", None)
                yield number, record
                if isinstance(nested, list):
                    for item in nested:
                        item = {"record": "line", "entry_number": record.get("entry_number"), **item}
                        yield number, item
        return
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield reader.line_num, row


def _text(record: dict, name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    return str(value).strip()


def _required(record: dict, name: str) -> str:
    value = _text(record, name)
    if not value:
        raise RecordError(name, "is required")
    return value


def _date(record: dict, name: str, *, required: bool = False) -> date | None:
    text = _required(record, name) if required else _text(record, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RecordError(name, f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _bool(record: dict, name: str) -> bool:
    value = record.get(name)
    if isinstance(value, bool):
        return value
    text = _text(record, name).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RecordError(name, f"{text!r} is not yes/no")


def _amount(record: dict, name: str, *, required: bool) -> Decimal:
    text = _required(record, name) if required else (_text(record, name) or "0")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RecordError(name, f"{text!r} is not an amount in US dollars") from None
    if not value.is_finite():
        raise RecordError(name, f"{text!r} is not an amount in US dollars")
    if value < 0:
        raise RecordError(name, f"{text} is negative; amounts must be zero or more")
    if value > MAX_VALUE or value.as_tuple().exponent < -2:
        raise RecordError(name, f"{text} must have at most 12 digits before and 2 after the decimal point")
    return value


def _identifier(name: str, normalize: Callable[[str], object], raw: str):
    try:
        return normalize(raw)
    except ValidationError as exc:
        raise RecordError(name, " ".join(exc.messages)) from None


def parse_entry(number: int, record: dict, ports: set[str]) -> EntryRecord:
    entry_number = _identifier("entry_number", normalize_entry_number, _required(record, "entry_number"))
    importer_number, _ = _identifier("importer_number", normalize_ior, _required(record, "importer_number"))
    port = _required(record, "port_code")
    if port not in ports:
        raise RecordError("port_code", f"{port} is not an active port of entry")
    entry_type = _text(record, "entry_type") or "01"
    if not (len(entry_type) == 2 and entry_type.isdigit()):
        raise RecordError("entry_type", f"{entry_type!r} is not a 2-digit entry type code")
    entry_date = _date(record, "entry_date", required=True)
    status = _text(record, "liquidation_status") or LiquidationStatus.UNLIQUIDATED
    if status not in LiquidationStatus.values:
        raise RecordError(
            "liquidation_status", f"{status!r} is not one of {', '.join(LiquidationStatus.values)}"
        )
    values = {
        "filer_code": entry_number[:3],
        "port_id": port,
        "entry_type": entry_type,
        "entry_date": entry_date,
        "importation_date": _date(record, "importation_date") or entry_date,
        "scheduled_liquidation_date": _date(record, "scheduled_liquidation_date"),
        "liquidation_date": _date(record, "liquidation_date"),
        "liquidation_status": status,
        "extension_requested_by_importer": _bool(record, "extension_requested_by_importer"),
        "reliquidation_date": _date(record, "reliquidation_date"),
        "summary_under_review": _bool(record, "summary_under_review"),
    }
    liquidated = status in {LiquidationStatus.LIQUIDATED, LiquidationStatus.DEEMED_LIQUIDATED}
    if liquidated and values["liquidation_date"] is None:
        raise RecordError("liquidation_date", f"is required when the status is {status}")
    if not liquidated and values["liquidation_date"] is not None:
        raise RecordError("liquidation_date", f"must be empty while the status is {status}")
    for name in ("scheduled_liquidation_date", "liquidation_date"):
        if values[name] is not None and values[name] < entry_date:
            raise RecordError(name, f"{values[name]} is before the entry date {entry_date}")
    if values["reliquidation_date"] is not None and (
        values["liquidation_date"] is None or values["reliquidation_date"] < values["liquidation_date"]
    ):
        raise RecordError("reliquidation_date", "must follow a liquidation date")
    return EntryRecord(
        line=number,
        entry_number=entry_number,
        values=values,
        importer_number=importer_number,
        importer_name=_text(record, "importer_name")[:200],
    )


@lru_cache(maxsize=1024)
def _cached_entry_number(raw: str) -> str:
    # Every line repeats its entry's number: validate each number once, not once per line.
    return normalize_entry_number(raw)


def parse_line(number: int, record: dict) -> LineRecord:
    entry_number = _identifier("entry_number", _cached_entry_number, _required(record, "entry_number"))
    text = _required(record, "line_number")
    if not text.isdigit() or not 1 <= int(text) <= 9999:
        raise RecordError("line_number", f"{text!r} is not a line number between 1 and 9999")
    return LineRecord(
        line=number,
        entry_number=entry_number,
        line_number=int(text),
        hts_number=_identifier("hts_number", normalize_hts, _required(record, "hts_number")),
        entered_value=_amount(record, "entered_value", required=True),
        duty=_amount(record, "duty", required=False),
    )


# --- Writing -------------------------------------------------------------------------------------------


class Ingest:
    """One import run over one file; call run() once."""

    def __init__(self, *, today: date | None = None, chunk_entries: int = 20000, progress=None):
        self.today = today or timezone.localdate()
        self.chunk_entries = chunk_entries
        self.progress = progress
        self.summary = Summary()
        self.ports = set(Port.objects.ports_of_entry().values_list("code", flat=True))
        self.heading_centers = resolver.heading_center_ids()

    def run(self, path: Path) -> Summary:
        chunk: dict[str, EntryRecord] = {}
        orphan_lines: list[LineRecord] = []  # lines of entries written in an earlier chunk or import
        for number, record in read_records(path):
            if self.progress is not None:
                self.progress.update(1)
            kind = _text(record, "record").lower() or ("line" if _text(record, "hts_number") else "entry")
            if "__error__" in record:
                self._refuse(Problem(number, "", "record", record["__error__"]), lines=1)
                continue
            if kind == "entry":
                if len(chunk) >= self.chunk_entries:
                    self._write_chunk(chunk, orphan_lines)
                    chunk, orphan_lines = {}, []
                self._add_entry(chunk, number, record)
            elif kind == "line":
                self._add_line(chunk, orphan_lines, number, record)
            else:
                self._refuse(
                    Problem(number, "", "record", f"{kind!r} is neither 'entry' nor 'line'"), lines=0
                )
        self._write_chunk(chunk, orphan_lines)
        return self.summary

    def _refuse(self, problem: Problem, *, entries: int = 0, lines: int = 0) -> None:
        self.summary.problems.append(problem)
        self.summary.entries_refused += entries
        self.summary.lines_refused += lines

    def _add_entry(self, chunk: dict[str, EntryRecord], number: int, record: dict) -> None:
        try:
            parsed = parse_entry(number, record, self.ports)
        except RecordError as exc:
            raw = _text(record, "entry_number")
            entry_number = raw.replace("-", "").upper()
            self._refuse(Problem(number, raw, exc.field, exc.reason), entries=1)
            # Its lines must be refused too: remember the entry as invalid.
            chunk[entry_number] = EntryRecord(
                number, entry_number, {}, "", "", problem=self.summary.problems[-1]
            )
            return
        if parsed.entry_number in chunk:
            previous = chunk[parsed.entry_number]
            self._refuse(
                Problem(
                    number,
                    parsed.entry_number,
                    "entry_number",
                    f"appears twice in this file (first on line {previous.line})",
                ),
                entries=1,
            )
            return
        chunk[parsed.entry_number] = parsed

    def _add_line(self, chunk, orphan_lines, number: int, record: dict) -> None:
        try:
            line = parse_line(number, record)
        except RecordError as exc:
            raw = _text(record, "entry_number")
            self._refuse(Problem(number, raw, exc.field, exc.reason), lines=1)
            owner = chunk.get(raw.replace("-", "").upper())
            if owner is not None and owner.problem is None:
                owner.problem = Problem(number, owner.entry_number, exc.field, f"line {number}: {exc.reason}")
            return
        owner = chunk.get(line.entry_number)
        if owner is None:
            orphan_lines.append(line)
        elif owner.problem is not None:
            self._refuse(
                Problem(
                    number,
                    line.entry_number,
                    "entry_number",
                    f"belongs to entry refused on line {owner.problem.line}",
                ),
                lines=1,
            )
        else:
            if line.line_number in owner.line_numbers:
                self._refuse(
                    Problem(
                        number,
                        line.entry_number,
                        "line_number",
                        f"line {line.line_number} appears twice for this entry",
                    ),
                    lines=1,
                )
                owner.problem = self.summary.problems[-1]
                return
            owner.lines.append(line)
            owner.line_numbers.add(line.line_number)

    def _write_chunk(self, chunk: dict[str, EntryRecord], orphan_lines: list[LineRecord]) -> None:
        entries = []
        for record in chunk.values():
            if record.problem is None:
                entries.append(record)
                continue
            if record.values:  # a valid entry refused because of one of its lines
                self._refuse(
                    Problem(
                        record.line,
                        record.entry_number,
                        "lines",
                        f"entry not written: {record.problem.reason}",
                    ),
                    entries=1,
                    lines=len(record.lines),
                )
        if not entries and not orphan_lines:
            return
        with transaction.atomic():
            liquidation_changed = self._write(entries, orphan_lines)
        if liquidation_changed:
            # The one hook for everything that depends on an entry's liquidation (cases' deadlines).
            from cases.services import entries_liquidation_changed

            entries_liquidation_changed(liquidation_changed)
            self.summary.liquidation_changes += len(liquidation_changed)

    def _write(self, entries: list[EntryRecord], orphan_lines: list[LineRecord]) -> list[int]:
        importer_ids, new_importer_ids = self._importers(entries)
        # Plain rows, not model instances: most entries of a re-import are unchanged.
        existing = {
            row["entry_number"]: row
            for row in Entry.objects.filter(entry_number__in=[r.entry_number for r in entries]).values(
                "id", "entry_number", "importer_id", "port_id", *UPDATABLE
            )
        }
        orphan_numbers = {line.entry_number for line in orphan_lines} - {r.entry_number for r in entries}
        known = dict(Entry.objects.filter(entry_number__in=orphan_numbers).values_list("entry_number", "id"))
        to_create, to_update, changed_facts = [], [], []
        for record in entries:
            importer_id = importer_ids[record.importer_number]
            current = existing.get(record.entry_number)
            if current is None:
                to_create.append(record)
                continue
            if current["importer_id"] != importer_id or current["port_id"] != record.values["port_id"]:
                field_name = "importer_number" if current["importer_id"] != importer_id else "port_code"
                self._refuse(
                    Problem(
                        record.line,
                        record.entry_number,
                        field_name,
                        "cannot change on an existing entry (file a post summary correction "
                        "or ask the Center)",
                    ),
                    entries=1,
                    lines=len(record.lines),
                )
                record.problem = self.summary.problems[-1]
                continue
            changed = [name for name in UPDATABLE if current[name] != record.values[name]]
            if changed:
                now = timezone.now()
                to_update.append(
                    Entry(
                        pk=current["id"],
                        entry_number=record.entry_number,
                        updated_at=now,
                        **{name: record.values[name] for name in UPDATABLE},
                    )
                )
                if LIQUIDATION_FACTS.intersection(changed):
                    changed_facts.append(current["id"])
            else:
                self.summary.entries_unchanged += 1
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
            Entry.objects.filter(entry_number__in=[r.entry_number for r in to_create]).values_list(
                "entry_number", "id"
            )
        )
        entry_ids.update(known)

        lines = [line for r in entries if r.problem is None for line in r.lines]
        for line in orphan_lines:
            if line.entry_number in entry_ids:
                lines.append(line)
            else:
                self._refuse(
                    Problem(
                        line.line,
                        line.entry_number,
                        "entry_number",
                        "line of an unknown entry: the entry is neither in this file before it "
                        "nor already imported",
                    ),
                    lines=1,
                )
        new_numbers = {r.entry_number for r in to_create}
        changed = self._write_lines(lines, entry_ids, new_entry_numbers=new_numbers)
        changed |= {e.entry_number for e in to_update}

        # New entries add their lines to the rollup; importers whose existing lines or entry dates
        # changed get their rollup rebuilt.
        where = {
            r.entry_number: (importer_ids[r.importer_number], r.values["entry_date"].replace(day=1))
            for r in to_create
        }
        deltas: dict[tuple[int, date, int], tuple[int, Decimal]] = {}
        for line in lines:
            center_id = self.heading_centers.get(line.hts_number[:4])
            if line.entry_number in where and center_id is not None:
                key = (*where[line.entry_number], center_id)
                count, value = deltas.get(key, (0, Decimal(0)))
                deltas[key] = (count + 1, value + line.entered_value)
        existing_changed = changed - new_numbers
        rebuild = {importer_ids[r.importer_number] for r in entries if r.entry_number in existing_changed}
        orphans_changed = [entry_ids[n] for n in orphan_numbers & changed]
        rebuild |= set(Entry.objects.filter(pk__in=orphans_changed).values_list("importer_id", flat=True))
        add_to_monthly_mix({key: delta for key, delta in deltas.items() if key[0] not in rebuild})
        refresh_monthly_mix(rebuild)
        touched = rebuild | {importer_id for importer_id, _ in where.values()}
        self.summary.touched_importer_ids |= touched
        self.summary.importers_assigned += assign_initial_centers(sorted(new_importer_ids), today=self.today)
        return changed_facts

    def _importers(self, entries: list[EntryRecord]) -> tuple[dict[str, int], set[int]]:
        """Find or create the importers of a chunk's entries; refuse entries of a nameless new one."""
        numbers = {r.importer_number for r in entries}
        ids = dict(Importer.objects.filter(ior_number__in=numbers).values_list("ior_number", "id"))
        names: dict[str, str] = {}
        for record in entries:
            if record.importer_number not in ids and record.importer_name:
                names.setdefault(record.importer_number, record.importer_name)
        for record in entries:
            if record.importer_number not in ids and record.importer_number not in names:
                reason = f"is required for a new importer ({record.importer_number})"
                self._refuse(
                    Problem(record.line, record.entry_number, "importer_name", reason),
                    entries=1,
                    lines=len(record.lines),
                )
                record.problem = self.summary.problems[-1]
        new = [Importer(ior_number=n, ior_kind=normalize_ior(n)[1], name=name) for n, name in names.items()]
        # ignore_conflicts: an importer created meanwhile by a concurrent import is simply found.
        Importer.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        created = dict(Importer.objects.filter(ior_number__in=list(names)).values_list("ior_number", "id"))
        ids.update(created)
        self.summary.importers_created += len(created)
        entries[:] = [r for r in entries if r.problem is None]
        return ids, set(created.values())

    def _write_lines(
        self, lines: list[LineRecord], entry_ids: dict[str, int], *, new_entry_numbers: set[str]
    ) -> set[str]:
        """Insert new lines, update changed ones; return the entry numbers whose lines changed."""
        fresh = [line for line in lines if line.entry_number in new_entry_numbers]
        others = [line for line in lines if line.entry_number not in new_entry_numbers]
        existing = {}
        if others:
            ids = {entry_ids[line.entry_number] for line in others}
            rows = EntryLine.objects.filter(entry_id__in=ids).values_list(
                "entry_id", "line_number", "id", "hts_number", "entered_value", "duty"
            )
            existing = {(row[0], row[1]): row[2:] for row in rows}
        to_create, to_update = [], []
        changed = {line.entry_number for line in fresh}
        for line in fresh:
            to_create.append(self._line_row(line, entry_ids))
        for line in others:
            row = self._line_row(line, entry_ids)
            current = existing.get((row[0], row[1]))
            if current is None:
                to_create.append(row)
                changed.add(line.entry_number)
            elif current[1:] != (row[2], row[3], row[4]):
                entry_id, number, hts, value, duty, center_id = row
                to_update.append(
                    EntryLine(
                        pk=current[0],
                        entry_id=entry_id,
                        line_number=number,
                        hts_number=hts,
                        entered_value=value,
                        duty=duty,
                        center_id=center_id,
                    )
                )
                changed.add(line.entry_number)
            else:
                self.summary.lines_unchanged += 1
        self._insert_lines(to_create)
        if to_update:
            EntryLine.objects.bulk_update(
                to_update, ["hts_number", "entered_value", "duty", "center"], batch_size=1000
            )
        self.summary.lines_created += len(to_create)
        self.summary.lines_updated += len(to_update)
        return changed

    def _line_row(self, line: LineRecord, entry_ids: dict[str, int]) -> tuple:
        center_id = self.heading_centers.get(line.hts_number[:4])
        return (
            entry_ids[line.entry_number],
            line.line_number,
            line.hts_number,
            line.entered_value,
            line.duty,
            center_id,
        )

    def _insert_lines(self, rows: list[tuple]) -> None:
        insert_rows(
            EntryLine, ["entry_id", "line_number", "hts_number", "entered_value", "duty", "center_id"], rows
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
