import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from importers.entries.ingest import import_entries
from importers.models import AccountAssignment, Entry, EntryLine, Importer, ImporterMonthlyMix
from tests.factories import make_entry_number
from tests.importers.feeds import entry, line, write_csv

pytestmark = pytest.mark.django_db

E1, E2, E3 = (make_entry_number("ABC", n) for n in (1, 2, 3))


def test_valid_file_creates_importer_entries_lines_and_initial_center(tmp_path):
    path = write_csv(
        tmp_path, [entry(E1), line(E1, 1), line(E1, 2, hts="4014100000"), entry(E2), line(E2, 1)]
    )
    summary = import_entries(path)
    assert (summary.entries_created, summary.lines_created, summary.importers_created) == (2, 3, 1)
    assert summary.problems == []
    importer = Importer.objects.get()
    assert importer.ior_number == "12-3456789AB"
    # Two machinery lines (CEE010) against one 4014 line (CEE001): Machinery predominates.
    assert importer.center.ace_id == "CEE010"
    initial = AccountAssignment.objects.get(importer=importer)
    assert initial.reason == "initial" and initial.from_center is None
    assert initial.figures["by_center"] == {"CEE001": "1", "CEE010": "2"}
    centers = dict(EntryLine.objects.values_list("hts_number", "center__ace_id"))
    assert centers == {"8429510000": "CEE010", "4014100000": "CEE001"}
    assert sum(ImporterMonthlyMix.objects.values_list("line_count", flat=True)) == 3


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        pytest.param(entry(E1[:-1] + "9"), "entry_number", "check digit", id="bad-check-digit"),
        pytest.param(entry(E1, port_code="9999"), "port_code", "not an active port", id="unknown-port"),
        pytest.param(entry(E1, port_code="2395"), "port_code", "not an active port", id="inactive-code"),
        pytest.param(entry(E1, entry_date=""), "entry_date", "required", id="missing-entry-date"),
        pytest.param(entry(E1, entry_date="15/01/2026"), "entry_date", "YYYY-MM-DD", id="bad-date"),
        pytest.param(entry(E1, importer_number="123456789"), "importer_number", "", id="bad-ior"),
        pytest.param(
            entry(E1, liquidation_status="liquidated"), "liquidation_date", "required", id="liq-no-date"
        ),
        pytest.param(
            entry(E1, liquidation_status="closed"), "liquidation_status", "not one of", id="bad-status"
        ),
        pytest.param(
            entry(E1, importer_number="55-5555555AA", importer_name=""),
            "importer_name",
            "new importer",
            id="new-importer-no-name",
        ),
    ],
)
def test_invalid_entry_is_reported_and_nothing_of_it_is_written(tmp_path, bad, field, reason):
    path = write_csv(tmp_path, [bad, line(E1, 1), entry(E2), line(E2, 1)])
    summary = import_entries(path)
    assert [(p.line, p.field) for p in summary.problems][:1] == [(2, field)]
    assert reason in summary.problems[0].reason
    assert summary.entries_refused == 1
    # The valid entry of the same file still loads; nothing of the refused one does.
    assert list(Entry.objects.values_list("entry_number", flat=True)) == [E2]
    assert EntryLine.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_line", "field", "reason"),
    [
        pytest.param(line(E1, 2, hts="847130010"), "hts_number", "", id="hts-9-digits"),
        pytest.param(line(E1, 2, hts="7701000000"), "hts_number", "77", id="hts-reserved-chapter"),
        pytest.param(line(E1, 2, value="-5.00"), "entered_value", "negative", id="negative-value"),
        pytest.param(line(E1, 2, value="12.345"), "entered_value", "2 after", id="too-many-decimals"),
        pytest.param(line(E1, 2, value=""), "entered_value", "required", id="missing-value"),
        pytest.param(line(E1, 1), "line_number", "twice", id="duplicate-line-number"),
    ],
)
def test_one_bad_line_refuses_its_whole_entry(tmp_path, bad_line, field, reason):
    path = write_csv(tmp_path, [entry(E1), line(E1, 1), bad_line, entry(E2), line(E2, 1)])
    summary = import_entries(path)
    assert summary.problems[0].line in {2, 4}
    bad = [p for p in summary.problems if p.line == 4][0]
    assert bad.field == field and reason in bad.reason
    assert not Entry.objects.filter(entry_number=E1).exists()
    assert Entry.objects.filter(entry_number=E2).exists()
    assert summary.entries_refused == 1 and summary.entries_created == 1


def test_line_of_an_unknown_entry_is_refused(tmp_path):
    path = write_csv(tmp_path, [line(E3, 1), entry(E2), line(E2, 1)])
    summary = import_entries(path)
    assert [(p.line, p.field) for p in summary.problems] == [(2, "entry_number")]
    assert "unknown entry" in summary.problems[0].reason
    assert EntryLine.objects.count() == 1


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_csv(tmp_path, [entry(E1), line(E1, 1), line(E1, 2), entry(E2), line(E2, 1)])
    import_entries(path)
    before = list(Entry.objects.values_list("entry_number", "updated_at").order_by("id"))
    summary = import_entries(path)
    assert (summary.entries_created, summary.entries_updated, summary.entries_unchanged) == (0, 0, 2)
    assert (summary.lines_created, summary.lines_updated, summary.lines_unchanged) == (0, 0, 3)
    assert list(Entry.objects.values_list("entry_number", "updated_at").order_by("id")) == before
    assert AccountAssignment.objects.count() == 1


def test_feed_change_to_liquidation_updates_the_entry_and_calls_the_hook(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("cases.services.entries_liquidation_changed", lambda ids: calls.append(sorted(ids)))
    import_entries(write_csv(tmp_path, [entry(E1), line(E1, 1)]))
    changed = entry(E1, liquidation_status="liquidated", liquidation_date="2026-11-27")
    summary = import_entries(write_csv(tmp_path, [changed, line(E1, 1, value="1200.00")], name="later.csv"))
    assert (summary.entries_updated, summary.lines_updated) == (1, 1)
    entry_row = Entry.objects.get()
    assert entry_row.liquidation_status == "liquidated" and str(entry_row.liquidation_date) == "2026-11-27"
    assert EntryLine.objects.get().entered_value == Decimal("1200.00")
    assert calls == [[entry_row.pk]]


def test_importer_of_an_existing_entry_cannot_change(tmp_path):
    import_entries(write_csv(tmp_path, [entry(E1), line(E1, 1)]))
    moved = entry(E1, importer_number="98-7654321AA", importer_name="Other Co")
    summary = import_entries(write_csv(tmp_path, [moved], name="b.csv"))
    assert summary.problems[0].field == "importer_number"
    assert Entry.objects.get().importer.ior_number == "12-3456789AB"


def test_json_lines_with_nested_lines(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [
        {**entry(E1), "lines": [{"line_number": 1, "hts_number": "8511.40.0000", "entered_value": "10"}]},
        {"record": "entry", "entry_number": "not-a-number"},
        "not an object",
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n{broken\n")
    summary = import_entries(path)
    assert summary.entries_created == 1 and summary.lines_created == 1
    assert EntryLine.objects.get().center.ace_id == "CEE003"
    assert [p.line for p in summary.problems] == [2, 3, 4]


def test_command_prints_summary_and_writes_errors_csv(tmp_path, capsys):
    path = write_csv(tmp_path, [entry(E1), line(E1, 1), entry(E2, port_code="0000")])
    errors = tmp_path / "errors.csv"
    # A refused record makes the exit status 1 (issue 16 item 5); the valid entry is still loaded.
    with pytest.raises(CommandError, match="1 problem") as refused:
        call_command("import_entries", str(path), "--errors", str(errors))
    assert refused.value.returncode == 1 and Entry.objects.get().entry_number == E1
    out, err = capsys.readouterr()
    assert "entries: 1 created" in out and "1 refused" in out
    assert "line 4" in err and "port_code" in err
    assert list(csv.DictReader(open(errors)))[0]["field"] == "port_code"


def test_example_files_load_cleanly():
    root = Path(__file__).resolve().parents[2] / "docs" / "examples"
    first = import_entries(root / "entries.csv")
    assert first.problems == [] and first.entries_created == 2
    second = import_entries(root / "entries.jsonl")
    assert second.problems == [] and second.entries_unchanged == 2 and second.lines_unchanged == 3


@pytest.mark.postgres
def test_copy_path_loads_many_lines_across_chunks(tmp_path):
    rows = []
    for n in range(1, 121):
        number = make_entry_number("XYZ", n)
        rows.append(entry(number))
        rows += [line(number, k, hts="3901100000" if k % 2 else "8471300100") for k in range(1, 6)]
    summary = import_entries(write_csv(tmp_path, rows), chunk_entries=50)
    assert (summary.entries_created, summary.lines_created) == (120, 600)
    assert EntryLine.objects.filter(center__ace_id="CEE009").count() == 360


def test_reliquidation_from_the_feed_leaves_an_open_protests_windows_and_opens_its_own(tmp_path):
    """19 U.S.C. 1514(c)(3)(A): a reliquidation is a new protestable decision; it does not move the
    windows of a protest already filed against the liquidation."""

    from cases import services
    from tests.factories import ImporterFactory, protest_input, trade_user

    importer = ImporterFactory(ior_number="12-3456789AB")
    liquidated = entry(
        E1,
        liquidation_status="liquidated",
        liquidation_date="2026-06-01",
        scheduled_liquidation_date="2026-06-01",
    )
    import_entries(write_csv(tmp_path, [liquidated, line(E1, 1)]))
    protest = services.file_protest(
        actor=trade_user(importer),
        importer=importer,
        **protest_input([Entry.objects.get()]),
        filed_on=dt.date(2026, 6, 10),
    ).case
    assert protest.deadlines.get(kind="protest_amendment").due_on == dt.date(2026, 11, 28)
    reliquidated = {**liquidated, "reliquidation_date": "2026-08-01"}
    summary = import_entries(write_csv(tmp_path, [reliquidated, line(E1, 1)], name="later.csv"))
    assert summary.liquidation_changes == 1
    # The protest still runs from the liquidation of 2026-06-01; the reliquidation has its own window
    # (through 2027-01-28, 180 days after 2026-08-01), named on the timeline.
    assert protest.deadlines.get(kind="protest_amendment").due_on == dt.date(2026, 11, 28)
    changed = protest.events.get(kind="entry_changed", visibility="internal")
    assert "reliquidated on 2026-08-01" in changed.message and "2027-01-28" in changed.message


def test_rollup_kept_by_the_ingest_equals_a_full_rebuild(tmp_path):
    from importers.accounts.mix import refresh_monthly_mix

    rows = []
    for n in range(1, 13):
        number = make_entry_number("MIX", n)
        rows.append(
            entry(
                number,
                entry_date=f"2026-{n:02d}-15",
                scheduled_liquidation_date="2027-10-29",
                importer_number=f"12-34567{n % 3}9AB",
                importer_name=f"Importer {n % 3}",
            )
        )
        rows += [
            line(number, k, hts="3901100000" if k % 2 else "8429510000", value=f"{k}00.00") for k in (1, 2, 3)
        ]
    import_entries(write_csv(tmp_path, rows), chunk_entries=4)
    changed = [r if r.get("line_number") != "2" else {**r, "hts_number": "9402100000"} for r in rows]
    import_entries(write_csv(tmp_path, changed, name="b.csv"), chunk_entries=5)

    def snapshot():
        return sorted(
            ImporterMonthlyMix.objects.values_list(
                "importer_id", "month", "center_id", "line_count", "entered_value"
            )
        )

    kept = snapshot()
    refresh_monthly_mix(None)
    assert kept == snapshot()
    assert sum(row[3] for row in kept) == 36


def test_rollup_of_chunks_written_in_part_equals_a_full_rebuild(tmp_path):
    """A chunk's new lines reach the rollup summed by importer, month and Center: its entries already
    stored, refused by the writer or refused by a line after their first ones add nothing."""
    from importers.accounts.mix import refresh_monthly_mix

    def entry_rows(n, *, importer=0, lines=(1, 2, 3), **values):
        number = make_entry_number("PRT", n)
        fields = {"importer_number": f"12-34567{importer}9AB", "importer_name": f"Importer {importer}"}
        rows = [entry(number, entry_date=f"2026-{n % 3 + 1:02d}-15", **{**fields, **values})]
        hts = ("3901100000", "8429510000")
        return rows + [line(number, k, hts=hts[k % 2], value=f"{n}{k}.50") for k in lines]

    stored = {n: entry_rows(n, importer=n % 2) for n in range(1, 7)}
    import_entries(write_csv(tmp_path, [row for rows in stored.values() for row in rows]), chunk_entries=8)
    # First chunk: 2 of its 8 entries are new, and one of a new importer without a name is refused.
    first = [*stored[1], *stored[2], *stored[3], *stored[4], *stored[5], *entry_rows(7), *entry_rows(8)]
    first += entry_rows(16, importer=8, importer_name="")
    # Second chunk: 6 of its 7 valid entries are new; one more is refused by its repeated line 1.
    second = [*stored[6], *(row for n in range(9, 15) for row in entry_rows(n, importer=n % 3))]
    second += entry_rows(17, lines=(1, 2, 1))
    summary = import_entries(write_csv(tmp_path, first + second, name="b.csv"), chunk_entries=8)
    assert (summary.entries_created, summary.entries_unchanged, summary.entries_refused) == (8, 6, 2)

    def snapshot():
        return sorted(
            ImporterMonthlyMix.objects.values_list(
                "importer_id", "month", "center_id", "line_count", "entered_value"
            )
        )

    kept = snapshot()
    refresh_monthly_mix(None)
    assert kept == snapshot()
    assert sum(row[3] for row in kept) == 14 * 3 == EntryLine.objects.count()


def mixed_feed(tmp_path: Path) -> Path:
    """Valid and invalid records of every kind, lines in canonical and other forms."""
    rows = [
        entry(E1),
        line(E1, 1),
        line(E1, 2, hts="8471.30.0100", value="1,000"),  # refuses the whole entry
        entry(E2, entry_date="15/01/2026"),
        line(E2, 1),
        entry(E3, importer_number="98-7654321AA", importer_name="Other Co"),
        line(E3, 1, value="12.5", duty=""),
        line(E3, 2, hts="3901 10 0000", value="0012.50", duty="10."),
        line(make_entry_number("ZZZ", 9), 1),
    ]
    for n in range(4, 30):
        number = make_entry_number("ABC", n)
        rows += [
            entry(number),
            line(number, 1, value=f"{n}.00"),
            line(number, 2, hts="9402100000", value="7"),
        ]
    return write_csv(tmp_path, rows)


def outcome(summary):
    lines = sorted(
        EntryLine.objects.values_list("entry__entry_number", "line_number", "entered_value", "duty")
    )
    mix = sorted(
        ImporterMonthlyMix.objects.values_list("importer__ior_number", "center__ace_id", "line_count")
    )
    return summary.as_text(), [str(p) for p in summary.problems], lines, mix


def test_parsing_in_a_second_process_gives_the_same_import(tmp_path):
    path = mixed_feed(tmp_path)
    inline = outcome(import_entries(path, parallel=False, chunk_entries=7))
    EntryLine.objects.all().delete()
    Entry.objects.all().delete()
    ImporterMonthlyMix.objects.all().delete()
    AccountAssignment.objects.all().delete()
    Importer.objects.all().delete()
    assert outcome(import_entries(path, parallel=True, chunk_entries=7)) == inline
    text, problems, lines, _ = inline
    assert "entries: 27 created" in text
    assert any("line 4" in p and "entered_value" in p for p in problems)
    # Amounts in other forms are stored as their value; an empty duty is zero.
    assert (E3, 1, Decimal("12.50"), Decimal("0.00")) in lines
    assert (E3, 2, Decimal("12.50"), Decimal("10.00")) in lines


def test_a_failing_parser_process_fails_the_import(tmp_path):
    # Values never fail the parser (they are refused record by record); a file it cannot open does.
    with pytest.raises(RuntimeError, match="IsADirectoryError"):
        import_entries(tmp_path, parallel=True)


def test_parser_statuses_are_the_models():
    from importers.entries import feed
    from importers.models import LiquidationStatus

    assert feed.LIQUIDATION_STATUSES == tuple(LiquidationStatus.values)
    assert feed.UNLIQUIDATED == LiquidationStatus.UNLIQUIDATED


def test_new_lines_reach_the_rollup_through_deltas_folded_once(tmp_path):
    from importers.accounts.mix import fold_deltas, mixes, record_new_lines, refresh_monthly_mix
    from importers.accounts.reassignment import plan
    from importers.models import Center, MonthlyMixDelta

    import_entries(write_csv(tmp_path, [entry(E1), line(E1, 1), line(E1, 2)]))
    assert not MonthlyMixDelta.objects.exists()  # the import folded what it noted
    importer = Importer.objects.get()
    machinery = Center.objects.get(ace_id="CEE010")
    month = Entry.objects.get().entry_date.replace(day=1)
    today = month.replace(day=28)
    pending = f"{importer.pk}\t{month}\t{machinery.pk}\t3\t30.00\n"
    record_new_lines(pending)
    # A reassignment plan folds first: the mix it decides from counts the pending lines, once.
    plan(today=today, importer_ids=[importer.pk])
    assert not MonthlyMixDelta.objects.exists()
    assert mixes([importer.pk], today=today)[importer.pk].by_center[machinery.pk] == 5
    assert fold_deltas() == 0
    # A rebuild from the lines drops what no line backs (the 3 noted by hand above).
    record_new_lines(pending)
    refresh_monthly_mix([importer.pk])
    assert ImporterMonthlyMix.objects.get(importer=importer).line_count == 2
    assert not MonthlyMixDelta.objects.exists()


def test_a_center_with_lines_cannot_be_deleted(tmp_path):
    from django.db.models import ProtectedError

    from importers.models import Center

    import_entries(write_csv(tmp_path, [entry(E1), line(E1, 1)]))
    with pytest.raises(ProtectedError):
        Center.objects.get(ace_id="CEE010").delete()


@pytest.mark.parametrize("parallel", [False, True])
def test_a_stray_line_after_a_refused_entry_in_the_next_chunk_is_not_lost(tmp_path, parallel):
    rows = [entry(E1), line(E1, 1), entry(E2, port_code="0000"), line(E1, 2)]
    summary = import_entries(write_csv(tmp_path, rows), chunk_entries=1, parallel=parallel)
    # E1 was written with the first chunk; its stray line 2 comes in the next and finds it there.
    assert summary.lines_created == 2 and summary.entries_refused == 1
    assert sorted(EntryLine.objects.values_list("line_number", flat=True)) == [1, 2]


def test_scheduled_moves_and_initial_assignments_fold_pending_lines_first(tmp_path):
    from importers.accounts.mix import record_new_lines
    from importers.accounts.reassignment import apply_due_scheduled_moves
    from importers.models import Center, MonthlyMixDelta
    from importers.services import assign_initial_centers

    import_entries(write_csv(tmp_path, [entry(E1), line(E1, 1)]))
    importer, center = Importer.objects.get(), Center.objects.get(ace_id="CEE010")
    pending = f"{importer.pk}\t2026-01-01\t{center.pk}\t2\t20.00\n"
    for settle in (
        lambda: apply_due_scheduled_moves(today=dt.date(2026, 11, 28)),
        lambda: assign_initial_centers([importer.pk], today=dt.date(2026, 11, 28)),
    ):
        record_new_lines(pending)
        settle()
        assert not MonthlyMixDelta.objects.exists()
    assert ImporterMonthlyMix.objects.get(importer=importer).line_count == 5
