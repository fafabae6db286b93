"""Issue 16 item 8: hypothesis-generated hostile feeds through `import_entries`.

Every character class in every field (NUL, lone surrogates, control characters, non-ASCII digits,
over-long text), wrong row shapes and files cut off anywhere. Whatever the feed, the import:
- never raises;
- never stores a partial entry: a stored entry has exactly the lines the file gives it;
- stores every value byte-exact (after the documented normalisation) or refuses its record;
- loses no clean entry because of another record's error.

The expectations are computed here, independently of importers.entries.feed, from the documented rules
(docs/entry_feed.md). Run on PostgreSQL (COPY) and SQLite alike; each example is rolled back.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importers.entries.ingest import import_entries
from importers.models import Entry, EntryLine, Importer
from tests.factories import make_entry_number
from tests.importers.feeds import COLUMNS

pytestmark = pytest.mark.django_db

# Derandomized: CI replays the same 40 feeds on every run (a failure is a reproducible regression, not a
# flaky build); run with --hypothesis-seed=random locally to explore new ones.
HOSTILE_SETTINGS = settings(
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udce9",
    "\x1b[2J",
    "\n",
    "\r\n",
    "\t",
    ",",
    '"',
    '""',
    "\\N",
    "\\",
    "١٢٣",
    "１２",
    "1_000",
    "1e3",
    "-1",
    "NaN",
    "Infinity",
    "20260115",
    "2026-W03-4",
    "2026-02-30",
    "Entry Number",
    "x" * 201,
    "y" * 140_000,
    "=1+1",
    "<b>x</b>",
    "null",
    "true",
    " 12 ",
    "99999999999999",
    "0x10",
]
# Every Unicode category, surrogates included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
NAME_CHARS = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs"))
# Names at the column's size (200), and just over it.
LONG_NAMES = st.integers(196, 204).map(lambda n: "N" * n)
HOSTILE = st.one_of(st.sampled_from(NASTY), ANY_TEXT, LONG_NAMES)
IORS = ["12-3456789AB", "98-7654321ZZ", "180101-00001"]
PORTS = ["2304", "2704"]
HTS = ["8429510000", "4014.10.0000", "8471 30 0100", "3901100000"]


def sometimes_hostile(valid: st.SearchStrategy) -> st.SearchStrategy:
    """The valid value nine times in ten, a hostile one otherwise."""
    return st.integers(0, 9).flatmap(lambda k: HOSTILE if k == 0 else valid)


@dataclass
class Row:
    cells: list[str]
    entry_number: str  # the canonical number of the entry it was generated for
    kind: str
    number_hostile: bool = False
    mutated: bool = False
    intact: bool = True  # complete in the file (set after a cut)
    present: bool = True  # any of it in the file: a row wholly after the cut was never given


@dataclass
class Generated:
    rows: list[Row] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


@st.composite
def hostile_feeds(draw) -> tuple[Generated, bytes]:
    generated = Generated()
    for n in range(1, draw(st.integers(1, 7)) + 1):
        number = make_entry_number("HYP", n)
        generated.numbers.append(number)
        entry_date = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 540)))
        status, liquidation = draw(
            st.sampled_from(
                [
                    ("unliquidated", ""),
                    ("", ""),
                    ("liquidated", (entry_date + timedelta(days=314)).isoformat()),
                    ("extended", ""),
                ]
            )
        )
        values = {
            "record": "entry",
            "entry_number": draw(sometimes_hostile(st.just(number))),
            "importer_number": draw(sometimes_hostile(st.sampled_from(IORS))),
            "importer_name": draw(
                sometimes_hostile(
                    st.one_of(
                        st.text(NAME_CHARS, min_size=1, max_size=30).map(lambda t: f'{t} Co, "Ltd"'),
                        LONG_NAMES.filter(lambda t: len(t) <= 200),
                    )
                )
            ),
            "port_code": draw(sometimes_hostile(st.sampled_from(PORTS))),
            "entry_type": draw(sometimes_hostile(st.sampled_from(["01", "11", ""]))),
            "entry_date": draw(sometimes_hostile(st.just(entry_date.isoformat()))),
            "liquidation_status": draw(sometimes_hostile(st.just(status))),
            "liquidation_date": draw(sometimes_hostile(st.just(liquidation))),
        }
        generated.rows.append(_row(values, number, "entry"))
        for k in range(1, draw(st.integers(0, 3)) + 1):
            amount = st.decimals(0, 10**6, places=2).map(str)
            line_values = {
                "record": "line",
                "entry_number": draw(sometimes_hostile(st.just(number))),
                "line_number": draw(sometimes_hostile(st.just(str(k)))),
                "hts_number": draw(sometimes_hostile(st.sampled_from(HTS))),
                "entered_value": draw(sometimes_hostile(amount)),
                "duty": draw(sometimes_hostile(st.one_of(st.just(""), amount))),
            }
            generated.rows.append(_row(line_values, number, "line"))
    for row in generated.rows:  # wrong shapes: a cell more or less, never in the first two
        if draw(st.integers(0, 19)) == 0:
            at = draw(st.integers(2, len(row.cells) - 1))
            if draw(st.booleans()):
                row.cells.insert(at, draw(HOSTILE))
            else:
                del row.cells[at]
            row.mutated = True
    texts = [_csv_text(COLUMNS)] + [_csv_text(row.cells) for row in generated.rows]
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
    content = b"".join(encoded)
    if draw(st.integers(0, 3)) == 0:  # cut off anywhere after the header
        cut = draw(st.integers(len(encoded[0]), len(content)))
        content = content[:cut]
        end = len(encoded[0])
        for row, data in zip(generated.rows, encoded[1:], strict=True):
            row.present = end < cut
            end += len(data)
            row.intact = end <= cut
    return generated, content


def _row(values: dict, number: str, kind: str) -> Row:
    return Row(
        cells=[values.get(name, "") for name in COLUMNS],
        entry_number=number,
        kind=kind,
        number_hostile=values["entry_number"] != number,
    )


def _csv_text(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


# --- The documented rules, applied independently -------------------------------------------------------

ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
AMOUNT = re.compile(r"0*([0-9]{1,12})(\.[0-9]{0,2})?")


def expected_amount(text: str, *, required: bool) -> Decimal:
    text = text.strip()
    if not text and not required:
        return Decimal("0.00")
    assert AMOUNT.fullmatch(text), f"stored an amount given as {text!r}"
    return Decimal(text.rstrip(".") or "0")


def expected_line(cells: dict) -> tuple:
    number = cells["line_number"].strip()
    assert number.isascii() and number.isdigit() and 1 <= int(number) <= 9999, f"line number {number!r}"
    hts = re.sub(r"[.\s]", "", cells["hts_number"])
    assert hts.isascii() and hts.isdigit() and len(hts) == 10, f"stored an HTS number given as {hts!r}"
    return (
        int(number),
        hts,
        expected_amount(cells["entered_value"], required=True),
        expected_amount(cells["duty"], required=False),
    )


def check(generated: Generated, summary) -> None:
    by_number = {}
    for row in generated.rows:
        if row.present or row.kind == "entry":
            by_number.setdefault(row.entry_number, []).append(row)
    stored = {e.entry_number: e for e in Entry.objects.select_related("importer", "port")}
    # Entries read last before a row the cut goes through (whichever entry that row names).
    cut_next = {
        before.entry_number
        for before, row in zip(generated.rows, generated.rows[1:], strict=False)
        if row.present and not row.intact
    }
    assert set(stored) <= set(generated.numbers), "stored an entry the file did not give"
    importer_names: dict[str, str] = {}
    for number in generated.numbers:
        rows = by_number[number]
        entry_row, line_rows = rows[0], [r for r in rows[1:] if not r.number_hostile]
        cells = dict(zip(COLUMNS, entry_row.cells, strict=False))
        whole = entry_row.intact and not entry_row.mutated and not entry_row.number_hostile
        whole_lines = all(r.intact and not r.mutated for r in line_rows)
        if number not in stored:
            # The entry being read where a file is cut off may have lost lines: refused, clean or not.
            at_the_cut = any(r.present and not r.intact for r in rows) or number in cut_next
            assert at_the_cut or not _clean(entry_row, line_rows), (
                f"clean {number} not stored: {summary.problems}"
            )
            continue
        entry = stored[number]
        assert whole and whole_lines, f"entry {number} stored from a cut, misshapen or foreign row"
        # Byte-exact, or the record would have been refused.
        assert entry.port.code == cells["port_code"].strip()
        assert ISO.fullmatch(cells["entry_date"].strip()) and entry.entry_date == date.fromisoformat(
            cells["entry_date"].strip()
        )
        assert entry.entry_type == (cells["entry_type"].strip() or "01")
        assert entry.liquidation_status == (cells["liquidation_status"].strip() or "unliquidated")
        liquidation = cells["liquidation_date"].strip()
        assert entry.liquidation_date == (date.fromisoformat(liquidation) if liquidation else None)
        name = cells["importer_name"].strip()
        assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in name) and len(name) <= 200
        if name:  # a new importer takes the first name given with one of its entries
            importer_names.setdefault(entry.importer.ior_number, name)
        lines = set(
            EntryLine.objects.filter(entry=entry).values_list(
                "line_number", "hts_number", "entered_value", "duty"
            )
        )
        expected = {expected_line(dict(zip(COLUMNS, r.cells, strict=False))) for r in line_rows}
        assert lines == expected, f"entry {number}: partial or altered lines"
    for importer in Importer.objects.all():  # created by its first stored entry, name as given
        assert importer.name == importer_names[importer.ior_number]
    assert summary.entries_created == len(stored)
    assert summary.lines_created == EntryLine.objects.count()


def _clean(entry_row: Row, line_rows: list[Row]) -> bool:
    """Every field of the entry and its lines valid as generated, every row whole."""
    rows = [entry_row, *line_rows]
    if any(r.mutated or not r.intact or r.number_hostile for r in rows):
        return False
    cells = dict(zip(COLUMNS, entry_row.cells, strict=True))
    if not (
        cells["importer_number"] in IORS
        and cells["port_code"] in PORTS
        and cells["entry_type"] in ("01", "11", "")
        and _real_date(cells["entry_date"])
        and cells["liquidation_status"] in ("unliquidated", "", "liquidated", "extended")
        and bool(cells["liquidation_date"]) == (cells["liquidation_status"] == "liquidated")
        and (not cells["liquidation_date"] or _real_date(cells["liquidation_date"]))
        and _clean_name(cells["importer_name"])
    ):
        return False
    numbers = []
    for row in line_rows:
        line = dict(zip(COLUMNS, row.cells, strict=True))
        if not (
            line["line_number"].isascii()
            and line["line_number"].isdigit()
            and line["hts_number"] in HTS
            and re.fullmatch(r"[0-9]{1,7}\.[0-9]{2}", line["entered_value"])
            and re.fullmatch(r"([0-9]{1,7}\.[0-9]{2})?", line["duty"])
        ):
            return False
        numbers.append(line["line_number"])
    return len(set(numbers)) == len(numbers)


def _real_date(text: str) -> bool:
    """An ISO date that exists on the calendar (2026-02-30 has the form but is no date)."""
    if not ISO.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _clean_name(name: str) -> bool:
    return (
        bool(name.strip())
        and len(name.strip()) <= 200
        and all(unicodedata.category(c) not in ("Cc", "Cs") for c in name)
    )


class Rollback(Exception):
    pass


def run_example(tmp_path: Path, generated: Generated, content: bytes, chunk_entries: int) -> None:
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    try:
        with transaction.atomic():
            summary = import_entries(path, chunk_entries=chunk_entries, parallel=False)
            check(generated, summary)
            raise Rollback
    except Rollback:
        pass


@HOSTILE_SETTINGS
@given(feed=hostile_feeds(), chunk_entries=st.integers(1, 4))
def test_a_hostile_csv_feed_is_stored_exactly_or_refused(tmp_path, feed, chunk_entries):
    generated, content = feed
    run_example(tmp_path, generated, content, chunk_entries)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
JSON_KEYS = st.sampled_from([*COLUMNS, "lines", "x", "Entry Number"])


def base_record(n: int) -> dict:
    return {
        "record": "entry",
        "entry_number": make_entry_number("JSN", n),
        "importer_number": "12-3456789AB",
        "importer_name": "Acme Co",
        "port_code": "2304",
        "entry_date": "2026-01-15",
        "lines": [{"line_number": 1, "hts_number": "8429510000", "entered_value": "10.00"}],
    }


@HOSTILE_SETTINGS
@given(overrides=st.lists(st.dictionaries(JSON_KEYS, JSON_VALUES, max_size=2), min_size=1, max_size=5))
def test_a_hostile_json_lines_feed_is_stored_exactly_or_refused(tmp_path, overrides):
    """Wrong JSON types in any field (a list for a name, a number for a port, "lines": "x")."""
    import json

    records = [{**base_record(n), **override} for n, override in enumerate(overrides, start=1)]
    path = tmp_path / "hostile.jsonl"
    text = "\n".join(json.dumps(r) for r in records) + "\n"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        with transaction.atomic():
            summary = import_entries(path, parallel=False)
            stored = {e.entry_number: e for e in Entry.objects.select_related("port", "importer")}
            for n, (record, override) in enumerate(zip(records, overrides, strict=True), start=1):
                number = make_entry_number("JSN", n)
                if number not in stored:
                    assert override, f"a valid record {n} was refused: {summary.problems}"
                    continue
                entry = stored[number]
                # Text fields only as JSON strings (a list, a number or an object refuses the record).
                for key in ("importer_name", "port_code", "entry_date", "entry_number", "importer_number"):
                    assert isinstance(record.get(key), str), f"{key} stored from {record.get(key)!r}"
                assert entry.port.code == record["port_code"].strip()
                assert entry.entry_date.isoformat() == record["entry_date"].strip()
                assert "x" not in record and "Entry Number" not in record
                lines = record.get("lines")
                given = len(lines) if isinstance(lines, list) else 0
                assert EntryLine.objects.filter(entry=entry).count() == given, "a partial entry"
            assert summary.entries_created == len(stored)
            raise Rollback
    except Rollback:
        pass
