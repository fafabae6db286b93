"""Demo cases (demo.cases.seed_cases): every kind and state, consistent with the statutory clock."""

import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from cases import deadlines
from cases.models import (
    DECISION_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Case,
    CaseDeadline,
    CaseEntry,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Decision,
    PscLine,
    ReferenceCounter,
)
from cases.services import refresh_deadlines, run_deadline_sweeps
from demo.cases import KIND_SHARES, PATHS, STATUS_WEIGHTS, seed_cases
from importers.models import EntryLine, Port
from tests.factories import EntryFactory, EntryLineFactory, ImporterFactory, staff_user

TODAY = date(2026, 11, 27)
COUNT = 300
REFERENCE = re.compile(r"^(?P<prefix>PSC-|PIC-|RFI-|NOA-)?(?P<port>\d{4})-(?P<year>\d{2})-(?P<serial>\d{6})$")
PREFIX = {"protest": None, "psc": "PSC-", "pic": "PIC-", "cf28": "RFI-", "cf29": "NOA-"}


def build_trade(today: date = TODAY) -> None:
    """Importers of three Centers (staff only in CEE010) with liquidated and unliquidated entries."""
    ports = list(Port.objects.ports_of_entry().order_by("code")[:4])
    staff_user("CEE010")
    staff_user("CEE010", role="supervisor")
    staff_user("CEE003", is_active=False)  # an inactive user is never assigned
    for n, ace_id in enumerate(("CEE010", "CEE010", "CEE010", "CEE003", "CEE003", "CEE007")):
        importer = ImporterFactory(center_ace_id=ace_id)
        for k in range(14):
            # Liquidated 1 to 420 days ago, on a Friday as ACE posts them; one reliquidated later.
            liquidated = today - timedelta(days=1 + 30 * k + n)
            entered = liquidated - timedelta(days=314)
            entry = EntryFactory(
                importer=importer,
                port=ports[(n + k) % len(ports)],
                entry_date=entered,
                importation_date=entered - timedelta(days=k % 3),
                scheduled_liquidation_date=liquidated,
                liquidation_status="liquidated",
                liquidation_date=liquidated,
                reliquidation_date=liquidated + timedelta(days=20) if k == 5 else None,
            )
            _lines(entry, 1 + k % 3)
        for k in range(14):
            entered = today - timedelta(days=2 + 21 * k + n)
            extended = k == 4
            entry = EntryFactory(
                importer=importer,
                port=ports[(n + k) % len(ports)],
                entry_date=entered,
                importation_date=entered,
                scheduled_liquidation_date=entered + timedelta(days=314 + (365 if extended else 0)),
                liquidation_status="extended" if extended else "unliquidated",
                extension_requested_by_importer=extended,
                summary_under_review=k == 7,
            )
            _lines(entry, 1 + k % 4)


def _lines(entry, count: int) -> None:
    for number in range(1, count + 1):
        EntryLineFactory(
            entry=entry,
            line_number=number,
            hts_number=("8429520000", "8413708000", "8471300100")[number % 3],
            entered_value=Decimal(1000 * number),
            duty=Decimal(25 * number),
        )


@pytest.fixture
def seeded(db):
    build_trade()
    assert seed_cases(count=COUNT, seed=7, today=TODAY) == COUNT
    return Case.objects.all()


def _reachable(kind: str) -> set[str]:
    return {status for moves in TRANSITIONS[kind].items() for status in (moves[0], *moves[1])}


def test_every_status_of_the_transition_table_has_a_weight_and_a_path():
    for kind in TRANSITIONS:
        assert set(STATUS_WEIGHTS[kind]) == _reachable(kind)
        assert set(PATHS[kind]) == _reachable(kind)
    assert {kind for kind, _ in KIND_SHARES} == set(TRANSITIONS)


def test_seed_covers_every_kind_in_every_status(seeded):
    seen = defaultdict(set)
    for kind, status in seeded.values_list("kind", "status"):
        seen[kind].add(status)
    assert {kind: seen[kind] for kind in TRANSITIONS} == {kind: _reachable(kind) for kind in TRANSITIONS}
    kinds = Counter(seeded.values_list("kind", flat=True))
    for kind, share in KIND_SHARES:
        assert abs(kinds[kind] - share * COUNT) <= 1
    open_share = seeded.filter(is_open=True).count() / COUNT
    assert 0.5 < open_share < 0.8
    for case in seeded:
        assert case.is_open == (case.status in OPEN_STATUSES)


def test_reference_numbers_are_unique_well_formed_and_counted(seeded):
    refs = list(seeded.values_list("reference_number", "kind", "filing_port_id", "filed_on"))
    assert len({ref for ref, *_ in refs}) == COUNT
    highest = Counter()
    for ref, kind, port, filed_on in refs:
        match = REFERENCE.match(ref)
        assert match, ref
        assert match["prefix"] == PREFIX[kind]
        assert match["port"] == port and int(match["year"]) == filed_on.year % 100
        key = f"{kind}:{port}:{match['year']}"
        highest[key] = max(highest[key], int(match["serial"]))
    assert dict(ReferenceCounter.objects.values_list("key", "last_value")) == dict(highest)
    # Serials follow the filing dates within each key, as CBP numbers filings on receipt.
    by_key = defaultdict(list)
    for _ref, kind, port, filed_on in sorted(refs, key=lambda r: r[0]):
        by_key[(kind, port, filed_on.year)].append(filed_on)
    assert all(dates == sorted(dates) for dates in by_key.values())


def test_recomputing_deadlines_changes_nothing(seeded):
    def snapshot():
        rows = CaseDeadline.objects.order_by("case_id", "kind").values_list(
            "case_id", "kind", "due_on", "citation", "rule", "warnings", "state", "reminded_on"
        )
        cases = seeded.order_by("pk").values_list(
            "pk", "next_deadline_on", "next_deadline_kind", "updated_at"
        )
        return list(rows), list(cases)

    before = snapshot()
    assert sum(1 for row in before[1] if row[1]) > COUNT / 5  # not a vacuous check
    for case in seeded.order_by("pk"):
        refresh_deadlines(case, today=TODAY)
    assert snapshot() == before


def test_deadline_sweeps_find_nothing_left_to_do(seeded):
    # Deemed denials happened, overdue CF-28s were flagged and reminders sent as the sweeps would have.
    assert seeded.filter(status="deemed_denied").exists()
    assert CaseDeadline.objects.filter(kind="cf28_response", state="missed", case__status="issued").exists()
    assert CaseDeadline.objects.filter(reminded_on__isnull=False).exists()
    summary = run_deadline_sweeps(TODAY)
    assert (summary["deemed_denied"], summary["cf28_overdue"], summary["reminders"]) == (0, 0, 0)


def test_filings_lie_within_their_statutory_windows(seeded):
    links = CaseEntry.objects.select_related("case", "entry")
    protests = 0
    for link in links:
        case, entry = link.case, link.entry
        assert link.case_kind == case.kind
        assert case.importer_id == entry.importer_id
        assert case.center_id == entry.importer.center_id
        if case.kind == CaseKind.PROTEST:
            protests += 1
            if link.protested_decision == "liquidation":
                # The act stored at filing: the reliquidation where the entry had one, else the liquidation.
                act = "reliquidation" if entry.reliquidation_date else "liquidation"
                assert link.protested_act == act
                assert link.decision_date == (entry.reliquidation_date or entry.liquidation_date)
            else:
                assert link.protested_decision == "exclusion" and case.protest.is_exclusion
            deadlines.check_protest_timely(link.decision_date, case.filed_on)
            assert link.active == (case.status != CaseStatus.WITHDRAWN)
        elif case.kind == CaseKind.PSC:
            assert entry.liquidation_status in {"unliquidated", "extended"} and not entry.summary_under_review
            extension = entry.extension_requested_by_importer and entry.liquidation_status == "extended"
            deadlines.check_psc_timely(
                entry.entry_date,
                entry.scheduled_liquidation_date,
                case.filed_on,
                importer_extension_granted=extension,
            )
            assert link.active == case.is_open
        elif case.kind == CaseKind.PIC:
            deadlines.check_pic_timely(entry.importation_date, case.filed_on)
        elif case.kind == CaseKind.CF28:
            assert case.cf28.due_on == deadlines.cf28_response_due(case.filed_on).due_on
        elif case.kind == CaseKind.CF29 and case.cf29.action_kind == "proposed":
            assert case.cf29.due_on == deadlines.cf29_response_due(case.filed_on).due_on
        assert case.filed_on <= TODAY
    assert protests > Counter(seeded.values_list("kind", flat=True))["protest"]  # some cover several entries


def test_accelerated_disposition_requests_come_after_90_days_and_joined_targets_from_the_last_joiner(seeded):
    """19 U.S.C. 1515(b): requests are mailed after day 90 of the last filing; 174.21(a): joined targets."""
    requested = seeded.filter(protest__accelerated_disposition_mailed_on__isnull=False)
    assert requested.exists()
    for case in requested.select_related("protest"):
        last_filed = max(case.protestants.values_list("filed_on", flat=True))
        mailed = case.protest.accelerated_disposition_mailed_on
        deadlines.check_accelerated_disposition_request(last_filed, mailed)
        assert case.events.filter(kind="accelerated_disposition").count() == 1
    joined = seeded.filter(protestants__joined=True).distinct()
    assert joined.exists()
    for case in joined:
        last_filed = max(case.protestants.values_list("filed_on", flat=True))
        target = case.deadlines.get(kind="protest_decision_target").due_on
        assert target == deadlines.protest_decision_target(last_filed).due_on
    in_part = seeded.filter(kind="protest", decision__outcome="allowed_in_part")
    assert in_part.exists()
    for case in in_part:
        court = case.deadlines.get(kind="court_of_international_trade")
        assert court.due_on == deadlines.court_deadline_after_denial(case.decision.notice_mailed_on).due_on


def test_decisions_and_timeline_follow_the_moves(seeded):
    for case in seeded.prefetch_related("events", "deadlines"):
        events = list(case.events.all())
        assert events[0].kind == ("issued" if case.kind in {"cf28", "cf29"} else "filed")
        moves = [(e.old_value, e.new_value) for e in events if e.kind == "status"]
        status = events[0].new_value
        for old, new in moves:
            assert old == status and new in TRANSITIONS[case.kind][old]
            status = new
        assert status == case.status
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert case.version >= 1 + len(moves)
        outcomes = [new for _, new in moves if new in DECISION_STATUSES]
        decision = Decision.objects.filter(case=case).first()
        if not outcomes:
            assert decision is None
            continue
        assert decision.outcome == outcomes[0]
        assert case.filed_on <= decision.decided_on <= TODAY
        assert (decision.refund_amount is not None) == (decision.outcome in {"allowed", "allowed_in_part"})
        # A denial in whole or, for a protest, in part mails a notice (19 CFR 174.30(a), 174.31(a)).
        mailed = decision.outcome == "denied" or (
            decision.outcome == "allowed_in_part" and case.kind == CaseKind.PROTEST
        )
        assert (decision.notice_mailed_on is not None) == mailed
        if mailed:
            assert decision.decided_on <= decision.notice_mailed_on <= TODAY
        if decision.outcome == "deemed_denied":
            deemed = {d.kind: d for d in case.deadlines.all()}
            trigger = deemed.get("accelerated_disposition") or deemed["exclusion_deemed_denial"]
            assert decision.decided_on == trigger.due_on and trigger.state == "met"
            assert decision.decided_by_id is None
        if case.kind == CaseKind.PROTEST and decision.outcome == "allowed_in_part":
            assert {o.outcome for o in case.objections.all()} == {"allowed", "denied"}


def test_assignees_are_active_staff_of_the_owning_center(seeded):
    open_cee010 = seeded.filter(is_open=True, center__ace_id="CEE010")
    assigned = open_cee010.filter(assignee__isnull=False).count()
    assert 0.3 < assigned / open_cee010.count() < 0.8
    assert not seeded.exclude(center__ace_id="CEE010").filter(assignee__isnull=False).exists()
    for case in seeded.filter(assignee__isnull=False).select_related("assignee"):
        assert case.assignee.center_id == case.center_id and case.assignee.is_active


def test_psc_lines_copy_the_entry_with_one_line_changed(seeded):
    for case in seeded.filter(kind="psc").select_related("psc"):
        original = list(
            EntryLine.objects.filter(entry=case.psc.entry).values_list(
                "line_number", "hts_number", "entered_value", "duty"
            )
        )
        corrected = list(
            PscLine.objects.filter(psc=case.psc).values_list(
                "line_number", "hts_number", "entered_value", "duty"
            )
        )
        assert [line[0] for line in corrected] == [line[0] for line in original]
        assert sum(a != b for a, b in zip(original, corrected, strict=True)) == 1


def test_one_active_protest_per_entry_and_category_and_one_open_psc_per_entry(seeded):
    protests = Counter(
        CaseEntry.objects.filter(case_kind="protest", active=True).values_list(
            "entry_id", "merchandise_category"
        )
    )
    assert max(protests.values()) == 1
    open_psc = Counter(
        CaseEntry.objects.filter(case_kind="psc", active=True).values_list("entry_id", flat=True)
    )
    assert max(open_psc.values()) == 1


def test_second_call_does_nothing(seeded):
    events = CaseEvent.objects.count()
    assert seed_cases(count=50, seed=8, today=TODAY) == 0
    assert (Case.objects.count(), CaseEvent.objects.count()) == (COUNT, events)


def _signature() -> list[tuple]:
    return list(
        Case.objects.order_by("reference_number").values_list(
            "reference_number", "kind", "status", "filed_on", "next_deadline_on", "assignee__username"
        )
    )


@pytest.mark.django_db
def test_same_seed_gives_the_same_cases():
    build_trade()

    class Rollback(Exception):
        pass

    signatures = []
    for _ in range(2):
        try:
            with transaction.atomic():
                seed_cases(count=120, seed=3, today=TODAY)
                signatures.append(_signature())
                raise Rollback
        except Rollback:
            pass
    assert signatures[0] == signatures[1] and len(signatures[0]) == 120


@pytest.mark.django_db
def test_without_entries_nothing_is_created():
    assert seed_cases(count=10, seed=1, today=TODAY) == 0
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_seed_demo_fills_cases_on_the_demo_entries():
    demo = pytest.importorskip("demo.seed")
    result = demo.seed_demo(importers=20, entries=400, cases=150, seed=2, today=TODAY, progress=False)
    assert result.counts["cases"] == 150
    assert set(Case.objects.values_list("kind", flat=True)) == set(TRANSITIONS)
    for case in Case.objects.order_by("?")[:40]:
        before = list(case.deadlines.values_list("kind", "due_on", "state"))
        refresh_deadlines(case, today=TODAY)
        assert list(case.deadlines.values_list("kind", "due_on", "state")) == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_copy_path_on_postgresql_writes_consistent_cases():
    build_trade()
    assert seed_cases(count=COUNT, seed=11, today=TODAY) == COUNT
    assert Case.objects.count() == COUNT and CaseEvent.objects.count() > COUNT
    # The sequences stand after the reserved ranges: the services can file the next case.
    case = Case.objects.order_by("-pk").first()
    assert Case.objects.create(
        reference_number="X-1", kind="cf28", status="issued", center_id=case.center_id,
        filing_port_id=case.filing_port_id, importer_id=case.importer_id, filed_on=TODAY,
    ).pk > case.pk  # fmt: skip
    before = list(CaseDeadline.objects.order_by("pk").values_list("case_id", "kind", "due_on", "state"))
    for case in Case.objects.exclude(reference_number="X-1"):
        refresh_deadlines(case, today=TODAY)
    assert (
        list(CaseDeadline.objects.order_by("pk").values_list("case_id", "kind", "due_on", "state")) == before
    )
    summary = run_deadline_sweeps(TODAY)
    assert (summary["deemed_denied"], summary["cf28_overdue"], summary["reminders"]) == (0, 0, 0)
