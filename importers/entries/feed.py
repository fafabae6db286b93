"""Checking the entry feed (docs/entry_feed.md): a file in, chunks of checked records out.

The files themselves (columns, header contract, CSV and JSON Lines readers) are feed_files.py's.

No database and no Django models here: for big files the ingest runs the parser in a process of its
own (`parse_chunks`), which reads and checks the next chunks while the importing process writes.
The rules are the validators of identifiers.py; the fast paths below only skip work for values
already in their canonical form (the feed sends millions of those), and every other value goes
through the full check and message.
"""

import gc
import multiprocessing
import os
import re
import sys
import threading
import time
import traceback
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from queue import Empty
from typing import NamedTuple

from django.core.exceptions import ValidationError

from importers.entries.feed_files import (
    DUTY,
    ENTERED_VALUE,
    ENTRY_DATE,
    ENTRY_NUMBER,
    ENTRY_TYPE,
    EXTENSION_REQUESTED,
    FIELDS,
    GIVEN,
    HTS_NUMBER,
    IMPORTATION_DATE,
    IMPORTER_NAME,
    IMPORTER_NUMBER,
    LINE_NUMBER,
    LIQUIDATION_DATE,
    LIQUIDATION_STATUS,
    PORT_CODE,
    RECORD,
    RELIQUIDATION_DATE,
    SCHEDULED_LIQUIDATION_DATE,
    SUMMARY_UNDER_REVIEW,
    FileRefused,
    Refused,
    escape_char,
    printable,
    read_records,
    shown,
)
from importers.identifiers import normalize_entry_number, normalize_hts, normalize_ior

# No Django models here: a parser process imports this module without setting Django up.
# The liquidation statuses of models.LiquidationStatus (a test keeps the two the same).
LIQUIDATION_STATUSES = ("unliquidated", "liquidated", "extended", "suspended", "deemed_liquidated")
UNLIQUIDATED = "unliquidated"

# The entry columns a feed may change, and the order of an EntryRow's values.
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
ENTRY_VALUES = ("filer_code", "port_id", *UPDATABLE)
ENTRY_DATE_VALUE = ENTRY_VALUES.index("entry_date")
# Which UPDATABLE values a record gave, as a bit mask (bit i: UPDATABLE[i]): a column (JSON key) the
# record lacks leaves the stored value unchanged, never empties it (issue 16 item 1).
ALL_GIVEN = (1 << len(UPDATABLE)) - 1
# The values check_liquidation weighs together (with the entry date, always given).
LIQUIDATION_MASK = sum(
    1 << UPDATABLE.index(name)
    for name in ("scheduled_liquidation_date", "liquidation_date", "liquidation_status", "reliquidation_date")
)

TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "y", "t"}, {"", "0", "false", "no", "n", "f"}
# Amounts already in plain form: no sign, no exponent, no leading zeros, at most 12 + 2 digits.
_PLAIN_AMOUNT = re.compile(r"(?:0|[1-9][0-9]{0,11})(?:\.([0-9]{1,2}))?")
# The documented forms of an amount: ASCII digits, a decimal point and at most 2 decimals
# ("1234", "1234.5", "0012.50"). Not "1_000", "1e3", "١٢٣" or "１２", which Decimal() would take.
_AMOUNT = re.compile(r"0*([0-9]{1,12})(?:\.([0-9]{0,2}))?")
# ISO dates only: not "20260115" or "2026-W03-4", which date.fromisoformat() would take.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A line whose line number, HTS number and amounts need no work: "3", "8471300100", "1234.50", and
# a duty in the same form or "0" or empty. Any other form goes through the full checks.
_PLAIN_LINE = re.compile(
    r"[1-9][0-9]{0,3}\x1f(?!00|77)[0-9]{10}\x1f(?:0|[1-9][0-9]{0,11})\.[0-9]{2}"
    r"\x1f(?:(?:0|[1-9][0-9]{0,11})\.[0-9]{2}|0?)"
)
_LIQUIDATED = frozenset({"liquidated", "deemed_liquidated"})
_STATUSES = frozenset(LIQUIDATION_STATUSES)


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
        return printable(f"line {self.line}{entry}: {self.field}: {self.reason}")


class LineRecord(NamedTuple):
    line: int
    entry_number: str
    line_number: int
    hts_number: str
    # Amounts stay text in their canonical form ("1234.50"), as PostgreSQL prints numeric(14, 2).
    entered_value: str
    duty: str
    center_id: int | None


def line_piece(line: LineRecord) -> str:
    """A line as its entry's COPY text without the entry id: "3\t8471300100\t1234.50\t0.00\t7"."""
    center = "\\N" if line.center_id is None else line.center_id
    return f"{line.line_number}\t{line.hts_number}\t{line.entered_value}\t{line.duty}\t{center}"


def line_from_piece(piece: str, *, line: int, entry_number: str) -> LineRecord:
    line_number, hts, value, duty, center = piece.split("\t")
    return LineRecord(
        line, entry_number, int(line_number), hts, value, duty, None if center == "\\N" else int(center)
    )


@dataclass
class EntryRecord:
    line: int
    entry_number: str
    values: tuple  # in ENTRY_VALUES order; empty for an entry refused while parsed
    importer_number: str
    importer_name: str
    # Its lines as line_piece text: they travel between processes and into COPY as they are.
    lines: list[str] = field(default_factory=list)
    line_numbers: set[int] = field(default_factory=set)
    # What its lines add to the commodity mix, {Center id: [lines, value in cents]}: once the entry is
    # in a chunk, the chunk's sum for its importer and month (Chunk.sums), shared with its other entries.
    mix: dict[int, list[int]] = field(default_factory=dict)
    problem: Problem | None = None
    given: int = ALL_GIVEN  # which UPDATABLE values the record gave (bit i: UPDATABLE[i])
    # For a record that leaves liquidation facts out: check_liquidation's (field, reason) for its
    # values as a new entry would store them (the columns left out read as their defaults), or None.
    new_entry_problem: tuple[str, str] | None = None

    def row(self) -> "EntryRow":
        # tuple.__new__ in C: a named tuple's own constructor is a Python function, once per entry.
        return tuple.__new__(
            EntryRow,
            (
                self.line,
                self.entry_number,
                self.importer_number,
                self.importer_name,
                self.values,
                "\n".join(self.lines),
                len(self.lines),
                self.given,
                self.new_entry_problem,
            ),
        )


class EntryRow(NamedTuple):
    """A checked entry as the ingest writes it: flat, so a chunk crosses between processes cheaply."""

    line: int
    entry_number: str
    importer_number: str
    importer_name: str
    values: tuple  # in ENTRY_VALUES order
    lines: str  # its lines as line_piece text, one per text line
    line_count: int
    given: int  # which UPDATABLE values the record gave: the others stay as stored (bit i: UPDATABLE[i])
    # check_liquidation's answer for the values as a new entry would store them, when `given` leaves
    # some liquidation facts out (None: they agree); an existing entry is checked with its stored ones.
    new_entry_problem: tuple[str, str] | None

    def __reduce__(self):
        # Rebuilt by tuple.__new__ in C: a named tuple's own constructor made unpickling a chunk
        # cost 0.3 s in the writing process.
        return tuple.__new__, (EntryRow, tuple(self))

    def line_records(self) -> list[LineRecord]:
        if not self.lines:
            return []
        return [
            line_from_piece(p, line=self.line, entry_number=self.entry_number) for p in self.lines.split("\n")
        ]


@dataclass
class Chunk:
    """Whole entries of the file, checked: what the ingest writes in one transaction."""

    entries: dict[str, EntryRecord] = field(default_factory=dict)
    # Lines whose entry is not in this chunk: it was written by an earlier chunk or import, or not at all.
    orphan_lines: list[LineRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    entries_refused: int = 0
    lines_refused: int = 0
    records: int = 0  # records of the file read into this chunk, for progress
    valid: list[EntryRow] = field(default_factory=list)  # set by seal()
    # Lines read before any entry of their number in this chunk: the file line of the first.
    early: dict[str, int] = field(default_factory=dict)
    # Entry numbers whose early lines are refused (their entry came after them).
    late_entries: dict[str, int] = field(default_factory=dict)
    file_refused: bool = False  # the header contract refused the whole file
    # What the lines of the chunk's entries add to the commodity mix, summed while read: {(importer
    # number, month): {Center id: [lines, value in cents]}}, each entry's EntryRecord.mix.
    sums: dict[tuple[str, date], dict[int, list[int]]] = field(default_factory=dict)
    # Set by seal(): what the valid entries add, as MonthlyMixDelta COPY text without the importer id
    # (month, Center id, lines, value), by importer number. One row per importer, month and Center,
    # not per entry: the rollup takes in about half as many rows for the bench's feed (4 entries per
    # importer and chunk), fewer still for busier importers.
    mix: dict[str, str] = field(default_factory=dict)

    def __getstate__(self) -> dict:
        # The entries to write cross to the writing process as plain tuples, which pickle in C;
        # EntryRow.__reduce__ ran in Python once per entry (a tenth of the parser process's time).
        state = self.__dict__.copy()
        state["valid"] = [tuple(row) for row in self.valid]
        return state

    def __setstate__(self, state: dict) -> None:
        state["valid"] = [tuple.__new__(EntryRow, row) for row in state["valid"]]
        self.__dict__.update(state)

    def refuse(self, problem: Problem, *, entries: int = 0, lines: int = 0) -> Problem:
        self.problems.append(problem)
        self.entries_refused += entries
        self.lines_refused += lines
        return problem

    def seal(self) -> "Chunk":
        """Keep the entries to write in `valid`; report those refused because of one of their lines."""
        if self.late_entries:
            kept = []
            for line in self.orphan_lines:
                entry_line = self.late_entries.get(line.entry_number)
                if entry_line is None:
                    kept.append(line)
                    continue
                reason = f"comes before its entry record (line {entry_line}): a line follows its entry"
                self.refuse(Problem(line.line, line.entry_number, "record", reason), lines=1)
            self.orphan_lines = kept
        for record in self.entries.values():
            if record.problem is None:
                self.valid.append(record.row())
            elif record.values:  # a valid entry refused because of one of its lines
                reason = f"entry not written: {record.problem.reason}"
                problem = Problem(record.line, record.entry_number, "lines", reason)
                self.refuse(problem, entries=1, lines=len(record.lines))
                # Its lines read before the refusal are in its importer's sum: take them out.
                for center_id, (count, cents) in mix_of_lines(record.lines).items():
                    total = record.mix[center_id]
                    total[0] -= count
                    total[1] -= cents
        mix: dict[str, list[str]] = {}
        for (importer_number, month), by_center in self.sums.items():
            rows = mix.setdefault(importer_number, [])
            month_text = f"{month}\t"  # formatted once: a date in an f-string costs 0.7 µs
            rows += [
                f"{month_text}{center_id}\t{count}\t{cents // 100}.{cents % 100:02d}"
                for center_id, (count, cents) in by_center.items()
                if count
            ]
        self.mix = {number: "\n".join(rows) for number, rows in mix.items() if rows}
        self.entries, self.sums = {}, {}
        return self


def mix_of_lines(pieces: Iterable[str]) -> dict[int, list[int]]:
    """What lines (line_piece text) add to the commodity mix: {Center id: [lines, value in cents]}."""
    mix: dict[int, list[int]] = {}
    for piece in pieces:
        _, _, value, _, center = piece.split("\t")
        if center != "\\N":
            total = mix.setdefault(int(center), [0, 0])
            total[0] += 1
            total[1] += int(value.replace(".", ""))  # two decimals: whole cents
    return mix


# --- Checking one record -------------------------------------------------------------------------------


def _required(record: tuple, index: int) -> str:
    value = record[index].strip()
    if not value:
        raise RecordError(FIELDS[index], "is required")
    return value


def _date(record: tuple, index: int, *, required: bool = False) -> date | None:
    text = _required(record, index) if required else record[index].strip()
    if not text:
        return None
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise RecordError(FIELDS[index], f"{shown(text)!r} is not a date in the form YYYY-MM-DD")


def _bool(record: tuple, index: int) -> bool:
    text = record[index].strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RecordError(FIELDS[index], f"{shown(text)!r} is not yes/no")


def _amount(record: tuple, index: int, *, required: bool) -> str:
    """Return an amount as text with two decimals ("1234.50"), or raise RecordError."""
    text = record[index]
    plain = _PLAIN_AMOUNT.fullmatch(text)
    if plain is not None:
        cents = plain[1]
        return text + ".00" if cents is None else text if len(cents) == 2 else text + "0"
    name = FIELDS[index]
    text = text.strip()
    if not text:
        if required:
            raise RecordError(name, "is required")
        return "0.00"
    amount = _AMOUNT.fullmatch(text)
    if amount is None:
        if text.startswith("-") and _AMOUNT.fullmatch(text[1:]):
            raise RecordError(name, f"{shown(text)} is negative; amounts must be zero or more")
        if re.fullmatch(r"0*[0-9]+(\.[0-9]*)?", text, re.ASCII):
            reason = "must have at most 12 digits before and 2 after the decimal point"
            raise RecordError(name, f"{shown(text)} {reason}")
        reason = "is not an amount in US dollars (ASCII digits, a decimal point, at most 2 decimals)"
        raise RecordError(name, f"{shown(text)!r} {reason}")
    whole, cents = amount.groups()
    return f"{int(whole)}.{(cents or '').ljust(2, '0')}"


def _identifier(index: int, normalize, raw: str):
    try:
        return normalize(raw)
    except ValidationError as exc:
        raise RecordError(FIELDS[index], " ".join(exc.messages)) from None


def check_liquidation(values: dict) -> tuple[str, str] | None:
    """(field, reason) when an entry's dates and liquidation facts disagree, else None.

    The one rule for the feed's records and for an entry whose stored facts a record leaves unchanged.
    """
    entry_date, status = values["entry_date"], values["liquidation_status"]
    liquidation_date, reliquidation_date = values["liquidation_date"], values["reliquidation_date"]
    if status in _LIQUIDATED and liquidation_date is None:
        return "liquidation_date", f"is required when the status is {status}"
    if status not in _LIQUIDATED and liquidation_date is not None:
        return "liquidation_date", f"must be empty while the status is {status}"
    for name in ("scheduled_liquidation_date", "liquidation_date"):
        value = values[name]
        if value is not None and value < entry_date:
            return name, f"{value} is before the entry date {entry_date}"
    if reliquidation_date is not None and (liquidation_date is None or reliquidation_date < liquidation_date):
        return "reliquidation_date", "must follow a liquidation date"
    return None


def _name(record: tuple, max_length: int) -> str:
    """The importer's name as given, or RecordError: never cut, never a character no column can hold."""
    name = record[IMPORTER_NAME].strip()
    if len(name) > max_length:
        raise RecordError(
            "importer_name", f"is {len(name)} characters long; at most {max_length} fit (not cut)"
        )
    if not name.isprintable():
        for char in name:
            category = unicodedata.category(char)
            if category in ("Cc", "Cs"):
                what = "an undecodable byte (not UTF-8)" if category == "Cs" else "a control character"
                raise RecordError("importer_name", f"contains {what}: {escape_char(char)}")
    return name


def _given_mask(given: frozenset[str], cache: dict) -> int:
    """The UPDATABLE values a record gives. A status given gives the liquidation date with it: an
    unliquidated status without a date says there is none. Whatever is left unchanged is checked
    with what is given when the entry is written (check_liquidation on the merged values)."""
    mask = cache.get(given)
    if mask is None:
        if "liquidation_status" in given:
            given = given | {"liquidation_date"}
        mask = cache[given] = sum(1 << i for i, name in enumerate(UPDATABLE) if name in given)
    return mask


def parse_entry(
    number: int,
    record: tuple,
    ports: frozenset[str],
    importer_number_of=lambda raw: normalize_ior(raw)[0],
    name_max_length: int = 200,
    masks: dict | None = None,
) -> EntryRecord:
    entry_number = _identifier(ENTRY_NUMBER, normalize_entry_number, _required(record, ENTRY_NUMBER))
    importer_number = _identifier(IMPORTER_NUMBER, importer_number_of, _required(record, IMPORTER_NUMBER))
    port = _required(record, PORT_CODE)
    if port not in ports:
        raise RecordError("port_code", f"{shown(port)} is not an active port of entry")
    entry_type = record[ENTRY_TYPE].strip() or "01"
    if not (len(entry_type) == 2 and entry_type.isascii() and entry_type.isdigit()):
        raise RecordError("entry_type", f"{shown(entry_type)!r} is not a 2-digit entry type code")
    entry_date = _date(record, ENTRY_DATE, required=True)
    status = record[LIQUIDATION_STATUS].strip() or UNLIQUIDATED
    if status not in _STATUSES:
        raise RecordError(
            "liquidation_status", f"{shown(status)!r} is not one of {', '.join(LIQUIDATION_STATUSES)}"
        )
    facts = {
        "entry_date": entry_date,
        "scheduled_liquidation_date": _date(record, SCHEDULED_LIQUIDATION_DATE),
        "liquidation_status": status,
        "liquidation_date": _date(record, LIQUIDATION_DATE),
        "reliquidation_date": _date(record, RELIQUIDATION_DATE),
    }
    given = _given_mask(record[GIVEN], {} if masks is None else masks)
    # The columns a record leaves out parse as their defaults: `facts` is what a new entry stores.
    problem = check_liquidation(facts)
    new_entry_problem = None
    if given & LIQUIDATION_MASK == LIQUIDATION_MASK:
        if problem:
            raise RecordError(*problem)
    else:
        # The ingest refuses it if it is new, and checks an existing entry with its stored values.
        new_entry_problem = problem
    values = (  # in ENTRY_VALUES order
        entry_number[:3],
        port,
        entry_type,
        entry_date,
        _date(record, IMPORTATION_DATE),  # never the entry date: 1520(d) runs from importation
        facts["scheduled_liquidation_date"],
        facts["liquidation_date"],
        status,
        _bool(record, EXTENSION_REQUESTED),
        facts["reliquidation_date"],
        _bool(record, SUMMARY_UNDER_REVIEW),
    )
    return EntryRecord(
        line=number,
        entry_number=entry_number,
        values=values,
        importer_number=importer_number,
        importer_name=_name(record, name_max_length),
        given=given,
        new_entry_problem=new_entry_problem,
    )


def _line_number(record: tuple) -> int:
    text = record[LINE_NUMBER]
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        text = _required(record, LINE_NUMBER)
        if not (text.isascii() and text.isdigit() and len(text) <= 4):
            raise RecordError("line_number", f"{text!r} is not a line number between 1 and 9999")
    number = int(text)
    if number == 0:
        raise RecordError("line_number", f"{text!r} is not a line number between 1 and 9999")
    return number


def _hts(record: tuple) -> str:
    text = record[HTS_NUMBER]
    if not text:
        raise RecordError("hts_number", "is required")
    return _identifier(HTS_NUMBER, normalize_hts, text)


# --- Chunks of whole entries ---------------------------------------------------------------------------


class FeedParser:
    """Turn a feed file into chunks of whole, checked entries (and the lines of earlier entries)."""

    def __init__(
        self,
        *,
        ports: frozenset[str],
        heading_centers: dict[str, int],
        chunk_entries: int,
        name_max_length: int = 200,
    ):
        self.ports = ports
        self.heading_centers = heading_centers
        self.chunk_entries = chunk_entries
        # The importer name column's max_length, read from the model by the ingest (no models here).
        self.name_max_length = name_max_length
        # Lines follow their entry and repeat its number: check each number once, not once per line.
        self._last_raw_entry_number: str | None = None  # none yet: an empty first one is checked too
        self._last_entry_number = ""
        self._importer_numbers: dict[str, str] = {}
        self._masks: dict[frozenset, int] = {}
        # The entry the lines that follow belong to, by its number as written: their fast path.
        self._owner_raw = ""
        self._owner: EntryRecord | None = None

    def _importer_number(self, raw: str) -> str:
        """normalize_ior, remembered: an importer's entries repeat its number (invalid ones raise again)."""
        number = self._importer_numbers.get(raw)
        if number is None:
            if len(self._importer_numbers) >= 100_000:
                self._importer_numbers.clear()
            number = self._importer_numbers[raw] = normalize_ior(raw)[0]
        return number

    def chunks(self, path: Path) -> Iterator[Chunk]:
        """Sealed chunks of at most chunk_entries entries, each with the lines that follow them."""
        chunk = Chunk()
        try:
            for number, record in read_records(path):
                chunk.records += 1
                if type(record) is Refused:
                    self._refused(chunk, number, record)
                    continue
                kind = record[RECORD]
                if kind != "line" and kind != "entry":
                    kind = kind.strip().lower() or ("line" if record[HTS_NUMBER].strip() else "entry")
                if kind == "line":
                    self._add_line(chunk, number, record)
                elif kind == "entry":
                    if len(chunk.entries) >= self.chunk_entries:
                        yield chunk.seal()
                        chunk = Chunk()
                        self._owner_raw, self._owner = "", None  # its entries are gone with it
                    self._add_entry(chunk, number, record)
                else:
                    reason = f"{shown(kind)!r} is neither 'entry' nor 'line'"
                    chunk.refuse(Problem(number, shown(record[ENTRY_NUMBER].strip()), "record", reason))
        except FileRefused as exc:
            chunk.refuse(Problem(1, "", "header", str(exc)))
            chunk.file_refused = True
        yield chunk.seal()

    def _refused(self, chunk: Chunk, number: int, refused: Refused) -> None:
        """A record refused while read: an entry's lines go with it, a line takes its entry along."""
        raw = shown(refused.entry_number)
        problem = Problem(number, raw, refused.field, refused.reason)
        owner = self._owner
        if refused.cut_off and owner is not None and owner.problem is None:
            # Whatever number the cut row shows, the entry being read may have lost lines after it.
            reason = f"line {number} (unreadable or cut off) may be one of its lines: {refused.reason}"
            owner.problem = Problem(number, owner.entry_number, "record", reason)
        key = _entry_key(refused.entry_number) if refused.entry_number else ""
        owner = chunk.entries.get(key) if key else None
        if refused.kind == "entry" or (not refused.kind and key and owner is None):
            chunk.refuse(problem, entries=1)
            self._remember_refused(chunk, key, number, problem)
            return
        chunk.refuse(problem, lines=1)
        if owner is not None and owner.problem is None:
            owner.problem = Problem(
                number, owner.entry_number, refused.field, f"line {number}: {refused.reason}"
            )

    def _remember_refused(self, chunk: Chunk, key: str, number: int, problem: Problem) -> None:
        """Keep a refused entry in the chunk, so the lines that follow it are refused with it."""
        if not key:
            self._owner_raw, self._owner = "", None
            return
        previous = chunk.entries.get(key)
        if previous is not None:
            # The same number again: the first copy goes too (which of the two is right?).
            if previous.problem is None:
                previous.problem = Problem(
                    previous.line, key, "entry_number", f"appears again on line {number} in this file"
                )
            self._owner_raw, self._owner = "", previous
            return
        refused = EntryRecord(number, key, (), "", "", problem=problem)
        chunk.entries[key] = refused
        self._owner_raw, self._owner = "", refused

    def _add_entry(self, chunk: Chunk, number: int, record: tuple) -> None:
        try:
            parsed = parse_entry(
                number, record, self.ports, self._importer_number, self.name_max_length, self._masks
            )
        except RecordError as exc:
            raw = record[ENTRY_NUMBER].strip()
            problem = chunk.refuse(Problem(number, shown(raw), exc.field, exc.reason), entries=1)
            self._remember_refused(chunk, _entry_key(raw) if raw else "", number, problem)
            return
        previous = chunk.entries.get(parsed.entry_number)
        if previous is not None:
            reason = f"appears twice in this file (first on line {previous.line}); both copies are refused"
            problem = chunk.refuse(Problem(number, parsed.entry_number, "entry_number", reason), entries=1)
            self._remember_refused(chunk, parsed.entry_number, number, problem)
            return
        early = chunk.early.get(parsed.entry_number)
        if early is not None:
            reason = f"its line on line {early} comes before it: a line record follows its entry record"
            problem = chunk.refuse(Problem(number, parsed.entry_number, "record", reason), entries=1)
            chunk.late_entries[parsed.entry_number] = number
            self._remember_refused(chunk, parsed.entry_number, number, problem)
            return
        chunk.entries[parsed.entry_number] = parsed
        # Its lines add to its importer's sum for the month (entries are written whole or not at all:
        # seal() takes out those refused later).
        month = parsed.values[ENTRY_DATE_VALUE].replace(day=1)
        parsed.mix = chunk.sums.setdefault((parsed.importer_number, month), {})
        self._last_raw_entry_number, self._last_entry_number = record[ENTRY_NUMBER], parsed.entry_number
        self._owner_raw, self._owner = record[ENTRY_NUMBER], parsed

    def _entry_number_of_line(self, record: tuple) -> str:
        raw = record[ENTRY_NUMBER]
        if raw != self._last_raw_entry_number:
            number = _identifier(ENTRY_NUMBER, normalize_entry_number, _required(record, ENTRY_NUMBER))
            self._last_raw_entry_number, self._last_entry_number = raw, number
        return self._last_entry_number

    def _add_line(self, chunk: Chunk, number: int, record: tuple) -> None:
        line_number, hts, value, duty = record[LINE_NUMBER:GIVEN]
        owner = self._owner
        if (
            owner is not None
            and record[ENTRY_NUMBER] == self._owner_raw
            and _PLAIN_LINE.fullmatch(f"{line_number}\x1f{hts}\x1f{value}\x1f{duty}")
            and owner.problem is None
            and int(line_number) not in owner.line_numbers
        ):
            # The common case: a line of the entry just read, every value already canonical.
            owner.line_numbers.add(int(line_number))
            center_id = self.heading_centers.get(hts[:4])
            center = "\\N" if center_id is None else center_id
            owner.lines.append(
                f"{line_number}\t{hts}\t{value}\t{duty if len(duty) > 1 else '0.00'}\t{center}"
            )
            if center_id is not None:
                total = owner.mix.get(center_id)
                if total is None:
                    total = owner.mix[center_id] = [0, 0]
                total[0] += 1
                total[1] += int(value.replace(".", ""))  # two decimals: whole cents add exactly
            return
        try:
            entry_number = self._entry_number_of_line(record)
            hts = _hts(record)
            line = LineRecord(
                number,
                entry_number,
                _line_number(record),
                hts,
                _amount(record, ENTERED_VALUE, required=True),
                _amount(record, DUTY, required=False),
                self.heading_centers.get(hts[:4]),
            )
        except RecordError as exc:
            raw = record[ENTRY_NUMBER].strip()
            chunk.refuse(Problem(number, shown(raw), exc.field, exc.reason), lines=1)
            owner = chunk.entries.get(_entry_key(raw)) if raw else None
            if owner is not None and owner.problem is None:
                owner.problem = Problem(number, owner.entry_number, exc.field, f"line {number}: {exc.reason}")
            return
        owner = chunk.entries.get(entry_number)
        if owner is None:
            chunk.orphan_lines.append(line)
            chunk.early.setdefault(entry_number, number)
        elif owner.problem is not None:
            reason = f"belongs to entry refused on line {owner.problem.line}"
            chunk.refuse(Problem(number, entry_number, "entry_number", reason), lines=1)
        elif line.line_number in owner.line_numbers:
            reason = f"line {line.line_number} appears twice for this entry"
            problem = Problem(number, entry_number, "line_number", reason)
            owner.problem = chunk.refuse(problem, lines=1)
        else:
            owner.lines.append(line_piece(line))
            owner.line_numbers.add(line.line_number)
            if line.center_id is not None:
                total = owner.mix.get(line.center_id)
                if total is None:
                    total = owner.mix[line.center_id] = [0, 0]
                total[0] += 1
                # Canonical amounts have two decimals: whole cents add exactly, and fast.
                total[1] += int(line.entered_value.replace(".", ""))


def _entry_key(raw: str) -> str:
    """The entry number a refused record names, normalised when it can be, as its lines will be."""
    try:
        return normalize_entry_number(raw)
    except ValidationError:
        return raw.strip()


# --- Parsing beside the writes -------------------------------------------------------------------------

# Below this size a file is parsed in the importing process: starting a parser process costs more.
PARALLEL_FROM_BYTES = 4 * 1024 * 1024
# How often each process checks that the other is still there.
PARSER_POLL_SECONDS = 1.0


def parse_chunks(path: Path, *, parallel: bool | None = None, **parser_options) -> Iterator[Chunk]:
    """The sealed chunks of a feed file, parsed in a process of its own for big files.

    In a second process the parsing (two thirds of the import's Python work) runs on the other core
    while this one writes, with no lock shared between them; chunks come over a pipe, at most two ahead.
    """
    if parallel is None:
        parallel = path.stat().st_size >= PARALLEL_FROM_BYTES
    if multiprocessing.current_process().daemon:
        parallel = False  # a daemon process (a worker pool's) may not start one
    parser = FeedParser(**parser_options)
    if not parallel:
        yield from parser.chunks(path)
        return
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited connections
    queue = context.Queue(maxsize=2)
    process = context.Process(
        target=_parse_into, args=(parser, path, queue, os.getpid()), name="feed-parser", daemon=True
    )
    process.start()
    try:
        while True:
            try:
                item = queue.get(timeout=PARSER_POLL_SECONDS)
            except Empty:
                if not process.is_alive():  # killed (out of memory, by hand): never wait forever
                    raise RuntimeError(
                        f"the feed parser process died (exit code {process.exitcode})"
                    ) from None
                continue
            if item is None:
                break
            if isinstance(item, str):
                raise RuntimeError(f"the feed parser failed:\n{item}")
            yield item
        process.join()
    finally:
        if process.is_alive():
            process.terminate()
            process.join()


def _parse_into(parser: FeedParser, path: Path, queue, parent_pid: int) -> None:
    """The parser process: put each sealed chunk, then None; or the traceback text of a failure."""
    _exit_with_parent(parent_pid)
    # This process only builds chunks, whose objects form no reference cycles: the cyclic collector's
    # passes over them (every 700 new objects, and over all of them now and then) took 7 % of its CPU.
    gc.freeze()
    gc.set_threshold(50_000, 20, 1000)
    # The queue's feeder thread pickles and sends while this one parses; each of its pipe writes
    # waited up to the default 5 ms for the interpreter lock.
    sys.setswitchinterval(0.0005)
    try:
        for chunk in parser.chunks(path):
            queue.put(chunk)
        queue.put(None)
    except BaseException:
        queue.put(traceback.format_exc())


def _exit_with_parent(parent_pid: int) -> None:
    """End this process when the importing one dies (SIGKILL included): no orphan parser, and with it
    gone multiprocessing's resource tracker (whose pipe it holds) ends too (issue 16 item 6)."""
    try:  # Linux: the kernel sends SIGKILL at once when the parent dies
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # it died before the line above took effect
        os._exit(1)

    def watch() -> None:  # elsewhere (and as a second guard): poll for the parent
        while os.getppid() == parent_pid:
            time.sleep(PARSER_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="feed-parser-parent-watch", daemon=True).start()
