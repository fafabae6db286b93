"""The entry feed's files (docs/entry_feed.md): its columns, the header contract, the CSV and JSON
Lines readers, and how refused values are shown.

A reader turns a file into records (a tuple of text per FIELDS, then the columns it was given) or
Refused ones (a record that cannot be read, with what is known of it); the checks of each value are
importers.entries.feed's. No Django here either: the parser process imports this without settings.
"""

import csv
import json
import operator
import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

# Every record, CSV row or JSON object, becomes a tuple of stripped-or-raw text in this order.
FIELDS = (
    "record",
    "entry_number",
    "importer_number",
    "importer_name",
    "port_code",
    "entry_type",
    "entry_date",
    "importation_date",
    "scheduled_liquidation_date",
    "liquidation_status",
    "liquidation_date",
    "extension_requested_by_importer",
    "reliquidation_date",
    "summary_under_review",
    "line_number",
    "hts_number",
    "entered_value",
    "duty",
)
GIVEN = len(FIELDS)  # a record tuple ends with the frozenset of the columns (keys) it was given
(
    RECORD,
    ENTRY_NUMBER,
    IMPORTER_NUMBER,
    IMPORTER_NAME,
    PORT_CODE,
    ENTRY_TYPE,
    ENTRY_DATE,
    IMPORTATION_DATE,
    SCHEDULED_LIQUIDATION_DATE,
    LIQUIDATION_STATUS,
    LIQUIDATION_DATE,
    EXTENSION_REQUESTED,
    RELIQUIDATION_DATE,
    SUMMARY_UNDER_REVIEW,
    LINE_NUMBER,
    HTS_NUMBER,
    ENTERED_VALUE,
    DUTY,
) = range(len(FIELDS))

# --- The header contract (docs/entry_feed.md "Columns") ---
ENTRY_COLUMNS = ("entry_number", "importer_number", "port_code", "entry_date")  # required for entries
LINE_COLUMNS = ("entry_number", "line_number", "hts_number", "entered_value")  # required for lines
_ENTRY_ONLY = frozenset(FIELDS[IMPORTER_NUMBER:LINE_NUMBER])
_LINE_ONLY = frozenset(FIELDS[LINE_NUMBER:])

JSON_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
# The longest CSV field read (characters); a longer one makes its row unreadable.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
# Messages echo at most this much of a refused value (a 100,000-character cell stays one line).
_SHOWN_MAX = 40

_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    """Text safe for a terminal and for a UTF-8 file: control characters, undecodable bytes and lone
    surrogates shown as escapes (\\x1b, \\n, \\xE9, \\ud800), so a refused value cannot forge output."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == " " else escape_char(char) for char in text)


def escape_char(char: str) -> str:
    code = ord(char)
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept by the surrogateescape reader
        return f"\\x{code - 0xDC00:02X}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def shown(text: str) -> str:
    """A refused value as a message quotes it: at most _SHOWN_MAX characters."""
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


class Refused(NamedTuple):
    """A record refused while read (its shape, its encoding, its JSON types), with what is known of it:
    its kind and entry number, so an entry's lines are refused with it."""

    field: str
    reason: str
    kind: str = ""  # "entry", "line" or "" when unknown
    entry_number: str = ""
    # A row whose entry cannot be told (cut off, unreadable): it may be a line of the entry being
    # read, so that entry is refused with it rather than written without it.
    cut_off: bool = False


# --- Reading ---------------------------------------------------------------------------------------------


class FileRefused(Exception):
    """The file as a whole breaks the header contract, or is no feed at all: nothing of it is read."""


Record = tuple  # FIELDS values as text, then the frozenset of the columns given (index GIVEN)


def read_records(path: Path) -> Iterator[tuple[int, Record | Refused]]:
    """Yield (file line number, record) or (file line number, Refused); raise FileRefused at once
    for a file without a recognisable header (CSV) or first record (JSON Lines).

    Undecodable bytes are kept as lone surrogates (surrogateescape) and refused with their record,
    not with the file: a latin-1 byte deep in a file must not stop the entries after it.
    """
    if path.suffix.lower() in JSON_SUFFIXES:
        yield from _json_records(path)  # a JSON object cut short is not valid JSON: refused anyway
    elif _ends_with_line_break(path):
        yield from _csv_records(path)
    else:
        yield from _last_refused(_csv_records(path))


def _ends_with_line_break(path: Path) -> bool:
    with open(path, "rb") as fh:
        if fh.seek(0, os.SEEK_END) == 0:
            return True
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) in (b"\n", b"\r")


def _last_refused(records: Iterator[tuple[int, Record | Refused]]) -> Iterator[tuple[int, Record | Refused]]:
    """A CSV file that stops without a line break was cut off (a transfer stopped, a disk filled): its
    last row may be cut inside a value ("1234.50" read as "12"), so it is refused; unless it reads as
    a whole entry record, the entry it may belong to (the one being read) is refused with it."""
    pending = None
    for item in records:
        if pending is not None:
            yield pending
        pending = item
    if pending is None:
        return
    number, record = pending
    reason = "the file ends inside this row, without a line break after it: was it cut off?"
    if type(record) is Refused:
        kind = record.kind
        record = Refused(
            record.field, f"{record.reason}; {reason}", kind, record.entry_number, kind != "entry"
        )
    else:
        kind = record[RECORD].strip().lower() or ("line" if record[HTS_NUMBER].strip() else "entry")
        kind = kind if kind in ("entry", "line") else ""
        record = Refused("record", reason, kind, record[ENTRY_NUMBER].strip(), kind != "entry")
    yield number, record


def check_columns(names: list[str]) -> str | None:
    """The header contract: why these column names are refused, or None (docs/entry_feed.md)."""
    known = [name for name in names if name in FIELDS]
    if not known:
        hinted = [_hint(name) for name in names if _hint(name)]
        if not hinted:
            return (
                "the first row is not a header: it names none of the columns of docs/entry_feed.md "
                f"({', '.join(FIELDS)})"
            )
    reasons = []
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        listed = ", ".join(
            repr(shown(name)) + (f" (did you mean {_hint(name)}?)" if _hint(name) else "")
            for name in unknown[:10]
        )
        reasons.append(f"unknown column{'s' if len(unknown) > 1 else ''} {listed}")
    duplicated = sorted({name for name in known if known.count(name) > 1})
    if duplicated:
        reasons.append(
            f"column{'s' if len(duplicated) > 1 else ''} {', '.join(duplicated)} appear more than once"
        )
    present = set(known)
    missing = []
    if present & _ENTRY_ONLY or not present & _LINE_ONLY:
        missing += [name for name in ENTRY_COLUMNS if name not in present]
    if present & _LINE_ONLY:
        missing += [name for name in LINE_COLUMNS if name not in present and name not in missing]
    if missing:
        reasons.append(f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return "; ".join(reasons) or None


def _hint(name: str) -> str | None:
    """The column a Title-Case or spaced name ("Entry Number") was probably meant to be."""
    guess = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return guess if guess in FIELDS and guess != name else None


def _csv_records(path: Path) -> Iterator[tuple[int, Record | Refused]]:
    # Over the csv module's default 131,072 characters a row is unreadable, so which entry it belongs
    # to is unknown; up to this limit it is read, and its over-long value refused by its own rule.
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise FileRefused(f"the first row is not a readable CSV header ({exc})") from None
        if header is None:
            raise FileRefused("the file is empty: a feed starts with its header row (docs/entry_feed.md)")
        _refuse_if_not_utf8(",".join(header))
        names = [name.strip() for name in header]
        problem = check_columns(names)
        if problem:
            raise FileRefused(problem)
        width = len(names)
        given = frozenset(names)
        # A column the file lacks reads as the empty cell appended to every row (index `width`).
        pick = operator.itemgetter(*(names.index(name) if name in names else width for name in FIELDS))
        kind_at = names.index("record") if "record" in names else None
        number_at = names.index("entry_number")
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a field over the csv module's limit
                yield reader.line_num, Refused("record", f"not readable as CSV ({exc})", cut_off=True)
                continue
            if len(row) != width:
                if not row:  # a blank line
                    continue
                yield reader.line_num, _misshapen(row, width, kind_at, number_at)
                continue
            row.append("")
            yield reader.line_num, (*pick(row), given)


def _refuse_if_not_utf8(first_row: str) -> None:
    """A file whose first row is not UTF-8 text is in another encoding (UTF-16 from a spreadsheet,
    latin-1): refused whole with the bytes that show it, rather than as "not a header". A stray byte
    deeper in a UTF-8 file refuses only its record (read_records)."""
    bad = next((char for char in first_row if 0xDC80 <= ord(char) <= 0xDCFF or char == "\x00"), None)
    if bad is None:
        return
    utf16 = first_row.startswith(("\udcff\udcfe", "\udcfe\udcff")) or "\x00" in first_row
    guess = " (it looks like UTF-16)" if utf16 else ""
    raise FileRefused(
        f"the file is not UTF-8 text{guess}: its first row holds the byte {escape_char(bad)}; "
        "save it as UTF-8 (docs/entry_feed.md)"
    )


def _misshapen(row: list[str], width: int, kind_at: int | None, number_at: int) -> Refused:
    """A row with more or fewer cells than the header: refused, never cut or padded (issue 16 item 2)."""
    kind = row[kind_at].strip().lower() if kind_at is not None and kind_at < len(row) else ""
    number = row[number_at].strip() if number_at < len(row) else ""
    hint = " (an unquoted comma in a value? quote it)" if len(row) > width else " (a missing comma?)"
    reason = f"has {len(row)} cells but the header has {width}{hint}"
    return Refused("record", reason, kind if kind in ("entry", "line") else "", number)


def _json_records(path: Path) -> Iterator[tuple[int, Record | Refused]]:
    with open(path, encoding="utf-8-sig", errors="surrogateescape") as fh:
        first = True
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            if first:
                _refuse_if_not_utf8(text)
            try:
                record = json.loads(text, parse_float=Decimal)  # amounts keep the digits written
            except (json.JSONDecodeError, RecursionError) as exc:
                if first:
                    raise FileRefused(
                        f"line {number} is not a JSON object: this is not a JSON Lines feed"
                    ) from None
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                yield number, Refused("record", f"not valid JSON ({reason})")
                continue
            if not isinstance(record, dict):
                if first:
                    raise FileRefused(f"line {number} is not a JSON object: this is not a JSON Lines feed")
                yield number, Refused("record", "each line must be a JSON object")
                continue
            first = False
            yield from _json_object(number, record)


def _json_object(number: int, record: dict) -> Iterator[tuple[int, Record | Refused]]:
    raw_number = record.get("entry_number")
    raw_number = raw_number.strip() if isinstance(raw_number, str) else ""
    has_lines = record.get("lines") is not None  # "lines": null is no lines
    nested = record.pop("lines", None)
    kind = _json_kind(record)
    yield number, _json_record(record, kind, raw_number)
    if not has_lines:
        return
    if kind != "entry" or not isinstance(nested, list):
        # Never dropped: the entry is refused with it ("lines": "x" is not a list of lines).
        got = "a line record" if kind != "entry" else f"a JSON {_json_type(nested)}"
        yield (
            number,
            Refused(
                "lines", f"must be a list of line objects on an entry record, got {got}", "line", raw_number
            ),
        )
        return
    for item in nested:
        if not isinstance(item, dict):
            yield number, Refused("lines", "each item of 'lines' must be a JSON object", "line", raw_number)
            continue
        if "entry_number" in item and item["entry_number"] != record.get("entry_number"):
            yield (
                number,
                Refused("entry_number", "a nested line must not name another entry", "line", raw_number),
            )
            continue
        item = {**item, "record": "line", "entry_number": record.get("entry_number")}
        yield number, _json_record(item, "line", raw_number)


def _json_kind(record: dict) -> str:
    kind = record.get("record")
    if isinstance(kind, str) and kind.strip().lower() in ("entry", "line"):
        return kind.strip().lower()
    return "line" if record.get("hts_number") not in (None, "") else "entry"


def _json_type(value) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


# JSON numbers are taken where a number is a natural way to write the value; everything else is text.
_JSON_NUMBERS = frozenset({"line_number", "entered_value", "duty"})
_JSON_BOOLEANS = frozenset({"extension_requested_by_importer", "summary_under_review"})


def _json_record(record: dict, kind: str, raw_number: str) -> Record | Refused:
    unknown = [key for key in record if key not in FIELDS]
    if unknown:
        return Refused(
            shown(str(unknown[0])), "is not a field of the entry feed (docs/entry_feed.md)", kind, raw_number
        )
    values = []
    for name in FIELDS:
        value = record.get(name)
        if value is None:
            values.append("")
        elif type(value) is str:
            values.append(value)
        elif type(value) is bool and name in _JSON_BOOLEANS:
            values.append("true" if value else "false")
        elif type(value) in (int, Decimal) and name in _JSON_NUMBERS:
            values.append(str(value))
        else:
            reason = f"expected text, got a JSON {_json_type(value)}"
            return Refused(name, reason, kind, raw_number)
    values.append(frozenset(record))
    return tuple(values)
