"""Importer-side changes reach cases through one seam, importers/signals.py, inside the change's own
transaction (issue 10 item 3): a failure in cases rolls the change back, so nothing is half-applied
and nothing is lost; the re-run applies both.

The account move: 81 FR 92978 (open work follows the account to its new Center). The liquidation
change: a PSC open when its entry liquidates is flagged (19 CFR 101.9(b)(1)); deadlines recomputed.
"""

import datetime as dt
from decimal import Decimal

import pytest

from cases.models import Case
from cases.services import PscLineInput, file_psc
from importers.entries.ingest import import_entries
from importers.models import AccountAssignment, Center, Entry
from importers.services import pin_importer
from importers.signals import account_moved, liquidation_changed
from tests.factories import EntryFactory, ImporterFactory, make_entry_number, staff_user, trade_user
from tests.importers import feeds

pytestmark = pytest.mark.django_db

E1 = make_entry_number("ABC", 1)


class CasesFailed(Exception):
    pass


def fail(*args, **kwargs):
    raise CasesFailed("cases could not follow the change")


def open_psc(entry: Entry) -> Case:
    return file_psc(
        actor=trade_user(entry.importer),
        entry=entry,
        reason_code="VALUE",
        explanation="Corrected value",
        lines=[PscLineInput(1, "8429510000", Decimal("900.00"))],
        filed_on=dt.date(2026, 2, 1),
    )


def move_to_cee010(importer) -> None:
    """A supervisor pins the account to CEE010: a move through reassignment.move_account."""
    pin_importer(
        importer,
        reason="business_practice",
        note="",
        actor=staff_user("CEE009", role="supervisor"),
        center=Center.objects.get(ace_id="CEE010"),
        today=dt.date(2026, 11, 20),
    )


def test_both_receivers_are_connected_by_the_cases_app():
    assert account_moved.has_listeners() and liquidation_changed.has_listeners()


def test_an_account_move_whose_cases_cannot_follow_is_rolled_back_whole(monkeypatch):
    importer = ImporterFactory(center_ace_id="CEE009")
    entry = EntryFactory(importer=importer)
    case = open_psc(entry)
    monkeypatch.setattr("cases.receivers.move_open_cases", fail)

    with pytest.raises(CasesFailed):
        move_to_cee010(importer)

    importer.refresh_from_db()
    case.refresh_from_db()
    assert (importer.center.ace_id, case.center.ace_id) == ("CEE009", "CEE009")
    assert not AccountAssignment.objects.filter(importer=importer).exists()

    monkeypatch.undo()
    move_to_cee010(importer)
    case.refresh_from_db()
    assert case.center.ace_id == "CEE010"


def test_a_liquidation_change_whose_cases_hook_fails_is_not_lost(tmp_path, monkeypatch):
    """The chunk and the deadline recompute commit together: a crash rolls back the entry's new
    liquidation, so the re-import sees the change again and the case is flagged then."""
    import_entries(feeds.write_csv(tmp_path, [feeds.entry(E1), feeds.line(E1, 1)]))
    entry = Entry.objects.get()
    case = open_psc(entry)
    liquidated = feeds.write_csv(
        tmp_path,
        [feeds.entry(E1, liquidation_status="liquidated", liquidation_date="2026-11-27"), feeds.line(E1, 1)],
        "liquidated.csv",
    )
    monkeypatch.setattr("cases.services.entries_liquidation_changed", fail)

    with pytest.raises(CasesFailed):
        import_entries(liquidated)

    entry.refresh_from_db()
    case.refresh_from_db()
    assert (entry.liquidation_status, entry.liquidation_date) == ("unliquidated", None)
    assert not case.flagged_for_specialist

    monkeypatch.undo()
    summary = import_entries(liquidated)
    entry.refresh_from_db()
    case.refresh_from_db()
    assert summary.liquidation_changes == 1
    assert entry.liquidation_status == "liquidated"
    assert case.flagged_for_specialist
    assert case.events.filter(kind="entry_changed").count() == 1
