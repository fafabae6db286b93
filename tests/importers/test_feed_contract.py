"""Issue 16: the entry feed stores exactly what it was given or refuses it.

Each reproduction quoted in the issue is a test here, through `import_entries` (the service) or the
`import_entries` command, on the real database.
"""

import csv
import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from importers.entries.ingest import import_entries
from importers.models import Entry, EntryLine, Importer
from tests.factories import make_entry_number
from tests.importers.feeds import COLUMNS, entry, line, write_csv

pytestmark = pytest.mark.django_db

E1, E2, E3 = (make_entry_number("ABC", n) for n in (1, 2, 3))
HST = make_entry_number("HST", 1)
# The header of the reproduction: the columns a typical ACE extract carries.
SHORT_HEADER = (
    "record,entry_number,importer_number,importer_name,port_code,entry_date,"
    "line_number,hts_number,entered_value,duty"
)


def write(tmp_path: Path, text: str | bytes, name: str = "feed.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    else:
        path.write_bytes(text)
    return path


def command(path: Path, *args) -> tuple[int, str, str]:
    """Run the command; return (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_entries", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def stored_entries() -> list[str]:
    return sorted(Entry.objects.values_list("entry_number", flat=True))


def entry_row(number: str, name: str = "Acme Inc.", importer: str = "12-3456789AB") -> str:
    return f"entry,{number},{importer},{name},2304,2026-01-15,,,,"


def line_row(number: str, line_number: int = 1, value: str = "250.00") -> str:
    return f"line,{number},,,,,{line_number},8429510000,{value},0.00"


# --- 2. Row shape ------------------------------------------------------------------------------------


def test_an_unquoted_comma_refuses_the_row_and_its_entry_instead_of_shifting_columns(tmp_path):
    """The issue's reproduction: one cell more than the header loaded entered value 1.00, duty 250.00."""
    path = write(
        tmp_path,
        "\n".join(
            [SHORT_HEADER, entry_row(HST), "line,HST-0000001-3,,,,,1,8429510000,1,250.00,0.00", ""]
        ).replace("HST-0000001-3", HST),
    )
    status, _, err = command(path)
    assert status == 1
    assert "line 3" in err and "has 11 cells but the header has 10" in err and "unquoted comma" in err
    assert not Entry.objects.exists() and not EntryLine.objects.exists()


def test_a_row_with_a_cell_too_few_is_refused_not_padded(tmp_path):
    path = write(tmp_path, "\n".join([SHORT_HEADER, entry_row(E1), line_row(E1), entry_row(E2)[:-1], ""]))
    summary = import_entries(path)
    assert stored_entries() == [E1]
    assert [(p.line, p.field) for p in summary.problems] == [(4, "record")]
    assert "has 9 cells but the header has 10" in summary.problems[0].reason


# --- 1. Header contract --------------------------------------------------------------------------------


def test_a_missing_optional_column_leaves_a_stored_liquidation_unchanged(tmp_path, monkeypatch):
    """The issue's reproduction: a file without the liquidation columns un-liquidated the entry."""
    calls = []
    monkeypatch.setattr("cases.services.entries_liquidation_changed", lambda ids: calls.append(ids))
    liquidated = write_csv(
        tmp_path, [entry(E1, liquidation_status="liquidated", liquidation_date="2026-03-01"), line(E1, 1)]
    )
    import_entries(liquidated)
    assert len(calls) == 0  # a new entry: no case depends on it yet

    without = write(
        tmp_path, "\n".join([SHORT_HEADER, entry_row(E1), line_row(E1, value="1000.00"), ""]), "b.csv"
    )
    summary = import_entries(without)

    stored = Entry.objects.get()
    assert (stored.liquidation_status, stored.liquidation_date) == ("liquidated", date(2026, 3, 1))
    # The scheduled liquidation date is not in the short file either: unchanged too.
    assert stored.scheduled_liquidation_date == date(2026, 11, 25)
    assert (summary.entries_unchanged, summary.entries_updated, calls) == (1, 0, [])


def test_an_empty_cell_in_a_present_column_is_an_explicit_value(tmp_path):
    """Only a column that is there changes a stored fact: an empty liquidation_date there clears it."""
    import_entries(
        write_csv(tmp_path, [entry(E1, liquidation_status="liquidated", liquidation_date="2026-03-01")])
    )
    summary = import_entries(write_csv(tmp_path, [entry(E1, liquidation_status="unliquidated")], "b.csv"))
    stored = Entry.objects.get()
    assert (stored.liquidation_status, stored.liquidation_date, summary.entries_updated) == (
        "unliquidated",
        None,
        1,
    )


def test_a_partial_file_that_disagrees_with_the_stored_facts_is_refused(tmp_path):
    """A reliquidation date given against a stored unliquidated status: refused, not half-applied."""
    import_entries(write_csv(tmp_path, [entry(E1)]))
    header = "entry_number,importer_number,port_code,entry_date,reliquidation_date"
    path = write(tmp_path, f"{header}\n{E1},12-3456789AB,2304,2026-01-15,2026-05-01\n", "b.csv")
    summary = import_entries(path)
    assert [p.field for p in summary.problems] == ["reliquidation_date"]
    assert "with the stored values of the columns this file leaves out" in summary.problems[0].reason
    assert Entry.objects.get().reliquidation_date is None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        pytest.param(
            "Record,Entry Number,Importer Number,Port Code,Entry Date",
            "unknown columns 'Record' (did you mean record?), 'Entry Number' (did you mean entry_number?)",
            id="title-case",
        ),
        pytest.param(
            "record,entry_number,importer_number,port_code,entry_date,entry_date",
            "entry_date appear more than once",
            id="duplicated",
        ),
        pytest.param(
            "record,entry_number,importer_number,entry_date",
            "missing required column port_code",
            id="missing",
        ),
        pytest.param(
            "entry_number,line_number,hts_number", "missing required column entered_value", id="missing-line"
        ),
        pytest.param(
            "record,entry_number,importer_number,port_code,entry_date,colour",
            "unknown column 'colour'",
            id="unknown",
        ),
        pytest.param(
            f"entry,{E1},12-3456789AB,Acme,2304,2026-01-15", "the first row is not a header", id="no-header"
        ),
    ],
)
def test_the_header_is_checked_before_any_row_and_refuses_the_file(tmp_path, header, message):
    path = write(tmp_path, f"{header}\n{entry_row(E1)}\n{line_row(E1)}\n")
    errors = tmp_path / "errors.csv"
    status, out, err = command(path, "--errors", str(errors))
    assert status == 2 and message in err
    assert not Entry.objects.exists() and not Importer.objects.exists()
    assert [row["field"] for row in csv.DictReader(open(errors, encoding="utf-8"))] == ["header"]


def test_junk_is_refused_at_once_with_one_message(tmp_path):
    """200 MB of junk gave 2.76M "is required" lines and exit 0; now one refusal, nothing read."""
    junk = "\n".join(f"{n}\x07garbage,{'z' * 40},\u00e9" for n in range(20_000))
    summary = import_entries(write(tmp_path, junk))
    assert summary.file_refused and len(summary.problems) == 1 and summary.exit_status == 2


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff"])
def test_an_empty_file_is_refused_and_the_errors_file_still_written(tmp_path, content):
    errors = tmp_path / "errors.csv"
    status, _, err = command(write(tmp_path, content), "--errors", str(errors))
    assert status == 2 and ("empty" in err or "not a header" in err)
    assert len(list(csv.reader(open(errors, encoding="utf-8")))) == 2


def test_a_missing_file_exits_2_and_writes_the_errors_file(tmp_path):
    errors = tmp_path / "errors.csv"
    status, _, err = command(tmp_path / "nope.csv", "--errors", str(errors))
    assert status == 2 and "no such file" in err
    assert list(csv.DictReader(open(errors, encoding="utf-8")))[0]["field"] == "path"


def test_a_file_of_lines_only_adds_lines_to_stored_entries(tmp_path):
    import_entries(write_csv(tmp_path, [entry(E1), line(E1, 1)]))
    path = write(
        tmp_path, f"entry_number,line_number,hts_number,entered_value\n{E1},2,8429510000,5.00\n", "b.csv"
    )
    summary = import_entries(path)
    assert summary.problems == [] and summary.lines_created == 1
    assert Entry.objects.get().liquidation_status == "unliquidated"


# --- 3. Never a traceback for a value ----------------------------------------------------------------


def loaded_around(tmp_path: Path, bad_row: str, *, header: str = SHORT_HEADER) -> tuple:
    """A file of a valid entry, the bad row's entry, and a valid entry after it; return (summary, stored)."""
    rows = [header, entry_row(E1), line_row(E1), bad_row, line_row(E2), entry_row(E3), line_row(E3), ""]
    summary = import_entries(write(tmp_path, "\n".join(rows)))
    return summary, stored_entries()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        pytest.param("Acme\x00Inc", "control character: \\x00", id="nul"),
        pytest.param("Acme\x1b[2JInc", "control character: \\x1b", id="escape"),
        pytest.param("Acme\udc80Inc", "undecodable byte", id="lone-surrogate"),
        pytest.param("A" * 201, "is 201 characters long; at most 200 fit (not cut)", id="too-long"),
    ],
)
def test_a_name_the_column_cannot_hold_refuses_its_entry_only(tmp_path, name, reason):
    bad = entry_row(E2, name=name, importer="98-7654321ZZ")
    summary, stored = loaded_around(tmp_path, bad)
    assert stored == [E1, E3]
    assert [(p.line, p.field) for p in summary.problems] == [(4, "importer_name"), (5, "entry_number")]
    assert reason in summary.problems[0].reason
    assert not Importer.objects.filter(ior_number="98-7654321ZZ").exists()


def test_a_name_of_exactly_the_column_size_is_stored_byte_exact(tmp_path):
    name = "Ä\tB " + "x" * 196  # 200 characters: the column's max_length, read from the model
    assert len(name) == Importer._meta.get_field("name").max_length
    summary, stored = loaded_around(tmp_path, entry_row(E2, name=f'"{name}"', importer="98-7654321ZZ"))
    assert summary.problems and summary.problems[0].field == "importer_name"  # a tab is a control character
    clean = "Ä B " + "x" * 196
    summary, stored = loaded_around(tmp_path, entry_row(E2, name=clean, importer="98-7654321ZY"))
    assert Importer.objects.get(ior_number="98-7654321ZY").name == clean


def test_a_latin1_byte_deep_in_a_file_refuses_its_record_and_the_file_goes_on(tmp_path):
    """The issue: a latin-1 byte after 40,000 of 50,000 entries crashed with a traceback, every rerun."""
    rows = [SHORT_HEADER.encode()]
    numbers = [make_entry_number("LAT", n) for n in range(1, 61)]
    for n, number in enumerate(numbers):
        name = b"Soci\xe9t\xe9 G\xe9n\xe9rale" if n == 40 else b"Acme Inc."
        rows.append(b"entry," + number.encode() + b",12-3456789AB," + name + b",2304,2026-01-15,,,,")
        rows.append(line_row(number).encode())
    summary = import_entries(write(tmp_path, b"\n".join(rows) + b"\n"), chunk_entries=25)
    assert summary.entries_created == 59 and summary.entries_refused == 1
    assert numbers[40] not in stored_entries()
    problem = summary.problems[0]
    assert (problem.line, problem.field) == (82, "importer_name") and "\\xE9" in str(problem)


def test_a_field_over_the_csv_modules_limit_refuses_its_record_and_the_file_goes_on(tmp_path):
    """The issue: a CSV field over 131,072 characters crashed the import with a traceback."""
    summary, stored = loaded_around(tmp_path, entry_row(E2, name="n" * 140_000))
    assert stored == [E1, E3]
    assert (summary.problems[0].line, summary.problems[0].field) == (4, "importer_name")
    assert "is 140000 characters long" in summary.problems[0].reason


def test_a_row_past_the_field_limit_refuses_the_entry_it_may_belong_to(tmp_path, monkeypatch, request):
    from importers.entries import feed_files

    monkeypatch.setattr(feed_files, "CSV_FIELD_LIMIT", 1000)
    previous = csv.field_size_limit(1000)
    request.addfinalizer(lambda: csv.field_size_limit(previous))
    rows = [
        SHORT_HEADER,
        entry_row(E1),
        line_row(E1),
        f"line,{E1},,,,,2,8429510000,{'9' * 2000},0",
        entry_row(E2),
    ]
    summary = import_entries(write(tmp_path, "\n".join([*rows, line_row(E2), ""])))
    assert stored_entries() == [E2]  # E1 is not written without a line it may have
    assert [p.line for p in summary.problems] == [2, 4]
    assert "field larger than field limit (1000)" in summary.problems[1].reason


def test_an_empty_entry_number_before_the_first_entry_is_refused(tmp_path):
    rows = [SHORT_HEADER, "line,,,,,,1,8429510000,5.00,0", entry_row(E1), line_row(E1), ""]
    summary = import_entries(write(tmp_path, "\n".join(rows)))
    assert stored_entries() == [E1]
    assert [(p.line, p.field, p.reason) for p in summary.problems] == [(2, "entry_number", "is required")]


def test_a_line_before_its_entry_refuses_both(tmp_path):
    rows = [SHORT_HEADER, line_row(E2), entry_row(E1), line_row(E1), entry_row(E2), ""]
    summary = import_entries(write(tmp_path, "\n".join(rows)))
    assert stored_entries() == [E1]
    assert sorted((p.line, p.field) for p in summary.problems) == [(2, "record"), (5, "record")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("entered_value", "١٢٣"),
        ("entered_value", "１２"),
        ("entered_value", "1_000"),
        ("entered_value", "1e3"),
        ("entered_value", "1,000"),
        ("entered_value", "-5"),
        ("entered_value", "1234567890123"),
        ("duty", "1.234"),
        ("duty", " NaN"),
    ],
)
def test_amounts_only_in_the_documented_form(tmp_path, field, value):
    bad = line(E1, 2, **{"value" if field == "entered_value" else field: value})
    summary = import_entries(write_csv(tmp_path, [entry(E1), line(E1, 1), bad]))
    assert not Entry.objects.exists()
    assert field in [p.field for p in summary.problems]


@pytest.mark.parametrize(
    ("text", "stored"), [("12", "12.00"), ("0012.5", "12.50"), ("7.", "7.00"), ("0", "0.00")]
)
def test_amounts_in_the_documented_forms_are_stored_as_dollars_and_cents(tmp_path, text, stored):
    summary = import_entries(write_csv(tmp_path, [entry(E1), line(E1, 1, value=text)]))
    assert summary.problems == [] and EntryLine.objects.get().entered_value == Decimal(stored)


@pytest.mark.parametrize("value", ["20260115", "2026-W03-4", "2026-001", "２０２６-01-15", "2026-02-30"])
def test_dates_only_as_iso_dates(tmp_path, value):
    summary = import_entries(write_csv(tmp_path, [entry(E1, entry_date=value)]))
    assert not Entry.objects.exists()
    assert summary.problems[0].field == "entry_date" and "YYYY-MM-DD" in summary.problems[0].reason


# --- 4. Whole entries --------------------------------------------------------------------------------


def test_a_line_after_a_refused_duplicate_entry_is_refused_with_both_copies(tmp_path):
    """The issue: a line after a refused duplicate entry was attached to the first copy."""
    rows = [entry(E1), line(E1, 1), entry(E1, port_code="2704"), line(E1, 2), entry(E2), line(E2, 1)]
    summary = import_entries(write_csv(tmp_path, rows))
    assert stored_entries() == [E2]
    assert EntryLine.objects.count() == 1
    assert (summary.entries_refused, summary.lines_refused) == (2, 2)


def test_an_entry_refused_after_a_valid_copy_does_not_hide_it(tmp_path):
    rows = [entry(E1), line(E1, 1), entry(E1, entry_date="bad"), line(E1, 2)]
    summary = import_entries(write_csv(tmp_path, rows))
    assert not Entry.objects.exists() and summary.entries_refused == 2


# --- JSON Lines ---------------------------------------------------------------------------------------


def write_jsonl(tmp_path: Path, records: list) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        pytest.param({"lines": "x"}, "lines", "must be a list of line objects", id="lines-string"),
        pytest.param({"lines": [1]}, "lines", "must be a JSON object", id="lines-item"),
        pytest.param({"importer_name": ["a", "b"]}, "importer_name", "got a JSON array", id="name-list"),
        pytest.param({"port_code": 2304}, "port_code", "got a JSON number", id="port-number"),
        pytest.param({"entry_date": {"y": 2026}}, "entry_date", "got a JSON object", id="date-object"),
        pytest.param({"colour": "red"}, "colour", "not a field", id="unknown-key"),
        pytest.param({"importer_name": "x" * 201}, "importer_name", "not cut", id="long-name"),
        pytest.param({"importer_name": "Acme\ud800"}, "importer_name", "undecodable", id="lone-surrogate"),
    ],
)
def test_wrong_json_types_refuse_the_entry_never_silently(tmp_path, bad, field, reason):
    record = {**entry(E2, importer_number="98-7654321ZZ"), **bad}
    good = {**entry(E1), "lines": [{"line_number": 1, "hts_number": "8429510000", "entered_value": 5}]}
    summary = import_entries(write_jsonl(tmp_path, [good, record, line(E2, 1), entry(E3)]))
    assert stored_entries() == [E1, E3]
    assert summary.problems[0].field == field and reason in summary.problems[0].reason
    assert not Importer.objects.filter(ior_number="98-7654321ZZ").exists()


def test_a_file_that_is_not_json_lines_is_refused_at_once(tmp_path):
    summary = import_entries(write_jsonl(tmp_path, ["<html>", entry(E1)]))
    assert summary.file_refused and not Entry.objects.exists()


def test_json_numbers_keep_the_digits_written(tmp_path):
    good = {**entry(E1), "lines": [{"line_number": 1, "hts_number": "8429510000", "entered_value": 1234.5}]}
    bad = json.dumps({**entry(E2), "lines": [{"line_number": 1, "hts_number": "8429510000"}]})
    bad = bad.replace('"8429510000"}', '"8429510000", "entered_value": 1e3}')  # the literal as written
    summary = import_entries(write_jsonl(tmp_path, [good, bad]))
    assert stored_entries() == [E1] and EntryLine.objects.get().entered_value == Decimal("1234.50")
    assert "entered_value" in [p.field for p in summary.problems]


def test_json_absent_keys_leave_stored_facts_unchanged(tmp_path):
    import_entries(
        write_csv(tmp_path, [entry(E1, liquidation_status="liquidated", liquidation_date="2026-03-01")])
    )
    bare = {
        k: v for k, v in entry(E1).items() if k not in ("liquidation_status", "scheduled_liquidation_date")
    }
    summary = import_entries(write_jsonl(tmp_path, [bare]))
    assert summary.entries_unchanged == 1 and Entry.objects.get().liquidation_status == "liquidated"


# --- 5. Exit status and escaped output --------------------------------------------------------------


def test_control_characters_are_escaped_in_messages_and_the_errors_file(tmp_path):
    """The issue: an entry number with ESC and newline forged an "imported OK" line on the terminal."""
    forged = "ABC\x1b[1A\nentries: 1 imported OK\udce9"
    path = write(
        tmp_path,
        f'{SHORT_HEADER}\nentry,"{forged}",12-3456789AB,Acme,2304,2026-01-15,,,,\n'.encode(
            "utf-8", "surrogateescape"
        ),
    )
    errors = tmp_path / "errors.csv"
    status, out, err = command(path, "--errors", str(errors))
    assert status == 1
    assert "\x1b" not in err and "imported OK" in err and "\\x1b[1A\\nentries" in err
    problem_lines = [text for text in err.splitlines() if text.startswith("feed.csv line ")]
    assert len(problem_lines) == 1 and "\\xE9" in problem_lines[0]
    text = errors.read_bytes().decode("utf-8")  # valid UTF-8 whatever the input held
    assert "\x1b" not in text and "\\x1b" in text


def test_a_clean_import_exits_0(tmp_path):
    status, out, err = command(write_csv(tmp_path, [entry(E1), line(E1, 1)]))
    assert (status, err) == (0, "") and "entries: 1 created" in out


def test_the_example_header_is_the_documented_columns():
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "entries.csv"
    from importers.entries.feed import FIELDS

    header = example.read_text().splitlines()[0].split(",")
    assert sorted(header) == sorted(FIELDS) == sorted(COLUMNS)


def test_a_file_cut_off_inside_its_last_row_refuses_that_row_and_its_entry(tmp_path):
    """A truncated transfer: a value cut short ("0.00" to "0.", "1234.50" to "12") is never stored."""
    text = "\n".join(
        [SHORT_HEADER, entry_row(E1), line_row(E1), entry_row(E2), line_row(E2, value="1234.50")]
    )
    summary = import_entries(write(tmp_path, text[:-2]))  # the duty "0.00" cut to "0."
    assert stored_entries() == [E1]
    assert [(p.line, p.field) for p in summary.problems] == [(4, "lines"), (5, "record")]
    assert "without a line break" in summary.problems[1].reason
    # The same file with its last line break is whole: both entries load.
    import_entries(write(tmp_path, text + "\n", "whole.csv"))
    assert stored_entries() == [E1, E2]


# --- Issue 15 item 2: a file not UTF-8, cut off, or with a wrong header: file and line named ---------------


def _whole_file(rows: list[str]) -> str:
    return "\n".join([SHORT_HEADER, *rows]) + "\n"


@pytest.mark.parametrize(
    ("name", "data", "guess"),
    [
        pytest.param(
            "feed.csv", _whole_file([entry_row(E1), line_row(E1)]).encode("utf-16"), True, id="utf-16"
        ),
        pytest.param("feed.jsonl", '{"record": "entry"}\n'.encode("utf-16-le"), True, id="utf-16-jsonl"),
        pytest.param(
            "feed.csv", b"record,entry_n\xfcmber\n" + entry_row(E1).encode() + b"\n", False, id="header"
        ),
    ],
)
def test_a_file_that_is_not_utf8_is_refused_whole_naming_the_file_and_line_1(tmp_path, name, data, guess):
    """Not UTF-8 from its first row (a spreadsheet's UTF-16 export, a latin-1 extract): the whole file
    is refused before any row is read, and the message says why; a stray byte deeper in a UTF-8
    file refuses only its record (test_a_latin1_byte_deep_in_a_file_refuses_its_record_...)."""
    errors = tmp_path / "errors.csv"
    status, _, err = command(write(tmp_path, data, name), "--errors", str(errors))
    first = err.splitlines()[0]
    assert status == 2 and first.startswith(f"{name} line 1: header: the file is not UTF-8 text")
    assert ("looks like UTF-16" in first) is guess and "save it as UTF-8" in first
    assert f"{tmp_path / name}: import finished with refusals: the file was refused" in err
    assert not Entry.objects.exists() and not Importer.objects.exists()
    assert [row["field"] for row in csv.DictReader(open(errors, encoding="utf-8"))] == ["header"]


def test_a_cut_off_file_and_a_wrong_header_name_the_file_and_line_in_the_commands_output(tmp_path):
    cut = write(
        tmp_path, _whole_file([entry_row(E1), line_row(E1), entry_row(E2), line_row(E2)])[:-4], "cut.csv"
    )
    status, _, err = command(cut)
    first, second = err.splitlines()[:2]
    assert status == 1 and first.startswith(f"cut.csv line 4 entry {E2}: lines: entry not written: line 5")
    assert second.startswith(f"cut.csv line 5 entry {E2}: record:") and second.endswith("was it cut off?")
    assert stored_entries() == [E1]  # nothing of the cut entry written

    Entry.objects.all().delete()
    wrong = write(tmp_path, f"Entry Number,Port\n{E1},2304\n", "wrong.csv")
    status, _, err = command(wrong)
    assert status == 2 and err.splitlines()[0].startswith(
        "wrong.csv line 1: header: unknown columns 'Entry Number'"
    )
    assert not Entry.objects.exists()
