import datetime as dt

import pytest

from cases import services
from cases.exceptions import CaseError, NotAllowed
from cases.models import Case, CaseEntry, CaseEvent, Protestant
from cases.services import ObjectionInput, PscLineInput
from tests.factories import (
    EntryFactory,
    ImporterFactory,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db

LIQUIDATED = dt.date(2026, 6, 1)


def test_protest_numbered_by_port_year_serial_with_entries_and_deadlines(importer, filer):
    first = liquidated_entry(importer, LIQUIDATED)
    second = liquidated_entry(importer, LIQUIDATED, port_id="2704")
    result = services.file_protest(
        actor=filer, importer=importer, **protest_input([first, second]), filed_on=dt.date(2026, 6, 10)
    )
    case = result.case
    assert not result.joined
    assert case.reference_number == "2304-26-000001"
    assert (case.kind, case.status, case.is_open, case.center.ace_id) == (
        "protest",
        "received",
        True,
        "CEE010",
    )
    assert set(case.entry_links.values_list("entry_id", flat=True)) == {first.pk, second.pk}
    deadlines = dict(case.deadlines.values_list("kind", "due_on"))
    assert deadlines == {
        "protest_amendment": dt.date(2026, 11, 28),
        "protest_decision_target": dt.date(2028, 6, 10),
    }
    assert case.next_deadline_on == dt.date(2028, 6, 10)
    assert list(case.events.values_list("kind", "visibility")) == [("filed", "shared")]
    again = services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([liquidated_entry(importer, LIQUIDATED)]),
        filed_on=dt.date(2026, 6, 11),
    )
    assert again.case.reference_number == "2304-26-000002"
    assert list(Case.objects.for_entry(first)) == [case]


@pytest.mark.parametrize(
    ("filed_on", "accepted"),
    [
        pytest.param(dt.date(2026, 6, 1), False, id="same-day-premature"),
        pytest.param(dt.date(2026, 6, 2), True, id="first-day"),
        pytest.param(dt.date(2026, 11, 28), True, id="last-day-180"),
        pytest.param(dt.date(2026, 11, 29), False, id="day-181-late"),
    ],
)
def test_protest_window_boundaries(importer, filer, filed_on, accepted):
    entry = liquidated_entry(importer, LIQUIDATED)
    if accepted:
        services.file_protest(actor=filer, importer=importer, **protest_input([entry]), filed_on=filed_on)
        assert Case.objects.count() == 1
        return
    with pytest.raises(CaseError) as refused:
        services.file_protest(actor=filer, importer=importer, **protest_input([entry]), filed_on=filed_on)
    message = " ".join(refused.value.messages)
    assert (
        "1514" in message and filed_on.isoformat() in message and "2026-06-02 through 2026-11-28" in message
    )
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_protest_of_an_unliquidated_entry_is_premature(importer, filer):
    entry = EntryFactory(importer=importer)
    with pytest.raises(CaseError, match="cannot be filed before liquidation"):
        services.file_protest(
            actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
        )


def test_protest_of_another_importers_entry_is_refused(importer, filer):
    other = liquidated_entry(ImporterFactory(), LIQUIDATED)
    with pytest.raises(CaseError, match="not an entry of importer"):
        services.file_protest(
            actor=filer, importer=importer, **protest_input([other]), filed_on=dt.date(2026, 6, 2)
        )


def test_only_members_of_the_account_may_file(importer):
    entry = liquidated_entry(importer, LIQUIDATED)
    stranger = trade_user(ImporterFactory())
    with pytest.raises(NotAllowed):
        services.file_protest(
            actor=stranger, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
        )


def test_second_protestant_on_same_entry_and_category_is_joined(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    first = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    )
    surety = trade_user(importer)
    joined = services.file_protest(
        actor=surety,
        importer=importer,
        **protest_input([entry], identifier="SURETY-123", name="Great Surety Co."),
        filed_on=dt.date(2026, 6, 5),
    )
    assert joined.joined and joined.case.pk == first.case.pk
    assert Case.objects.count() == 1
    assert list(Protestant.objects.values_list("name", "joined")) == [
        ("Acme Inc.", False),
        ("Great Surety Co.", True),
    ]
    assert list(joined.case.objections.values_list("number", flat=True)) == [1, 2]
    assert joined.case.events.filter(kind="joined").count() == 1


def test_same_protestant_again_is_refused_with_a_pointer_to_amend(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    first = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    )
    with pytest.raises(CaseError) as refused:
        services.file_protest(
            actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 3)
        )
    assert first.case.reference_number in str(refused.value) and "174.14" in str(refused.value)


def test_another_category_of_merchandise_is_a_separate_protest(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([entry], category="excavators"),
        filed_on=dt.date(2026, 6, 2),
    )
    second = services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([entry], category="spare parts"),
        filed_on=dt.date(2026, 6, 2),
    )
    assert not second.joined and Case.objects.count() == 2


def test_database_holds_one_active_protest_per_entry_category_and_protested_decision(importer, filer):
    """19 U.S.C. 1514(c)(1): one protest per entry, category and protested decision, by constraint."""
    from django.db import IntegrityError, transaction

    entry = liquidated_entry(importer, LIQUIDATED)
    case = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEntry.objects.create(
            case=case.case.__class__.objects.create(
                reference_number="X",
                kind="protest",
                status="received",
                center=case.case.center,
                filing_port=case.case.filing_port,
                importer=importer,
                filed_on=dt.date(2026, 6, 2),
            ),
            entry=entry,
            case_kind="protest",
            protested_act="liquidation",
            decision_date=LIQUIDATED,
        )


def test_protest_with_further_review_then_accelerated_disposition_sets_their_deadlines(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    case = services.file_protest(
        actor=filer,
        importer=importer,
        **protest_input([entry], further_review=services.FurtherReviewInput("b", "Novel question of law")),
        filed_on=dt.date(2026, 6, 10),
    ).case
    deadlines = dict(case.deadlines.values_list("kind", "due_on"))
    assert deadlines["further_review_decision"] == dt.date(2026, 7, 10)
    # 19 U.S.C. 1515(b): requested later, after 90 days following the filing (day 91: 2026-09-09).
    case = services.request_accelerated_disposition(
        case, actor=filer, mailed_on=dt.date(2026, 9, 9), today=dt.date(2026, 9, 9)
    )
    deadlines = dict(case.deadlines.values_list("kind", "due_on"))
    assert deadlines["accelerated_disposition"] == dt.date(2026, 10, 9)
    assert case.protest.accelerated_disposition_mailed_on == dt.date(2026, 9, 9)


def test_protest_needs_objections_with_justification(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    with pytest.raises(CaseError, match="174.13"):
        services.file_protest(
            actor=filer,
            importer=importer,
            **protest_input([entry], objections=[ObjectionInput("classification", "x", " ")]),
            filed_on=dt.date(2026, 6, 2),
        )


def psc_lines():
    return [PscLineInput(1, "8429.52.1010", 125000)]


def test_psc_is_filed_within_its_window_and_holds_the_entry(importer, filer):
    entry = EntryFactory(
        importer=importer, entry_date=dt.date(2026, 1, 5), scheduled_liquidation_date=dt.date(2026, 11, 16)
    )
    case = services.file_psc(
        actor=filer,
        entry=entry,
        reason_code="01",
        explanation="Wrong HTS",
        lines=psc_lines(),
        filed_on=dt.date(2026, 10, 31),
    )
    assert case.reference_number == "PSC-2304-26-000001"
    assert case.psc.lines.get().hts_number == "8429521010"
    with pytest.raises(CaseError, match="still in progress"):
        services.file_psc(
            actor=filer,
            entry=entry,
            reason_code="01",
            explanation="Again",
            lines=psc_lines(),
            filed_on=dt.date(2026, 10, 31),
        )


@pytest.mark.parametrize(
    ("entry_kwargs", "message"),
    [
        pytest.param({"summary_under_review": True}, "under CBP review", id="under-review"),
        pytest.param(
            {"liquidation_status": "liquidated", "liquidation_date": dt.date(2026, 10, 30)},
            "only for unliquidated",
            id="liquidated",
        ),
    ],
)
def test_psc_refusals(importer, filer, entry_kwargs, message):
    entry = EntryFactory(
        importer=importer,
        entry_date=dt.date(2026, 1, 5),
        scheduled_liquidation_date=dt.date(2026, 11, 16),
        **entry_kwargs,
    )
    with pytest.raises(CaseError, match=message):
        services.file_psc(
            actor=filer,
            entry=entry,
            reason_code="01",
            explanation="x",
            lines=psc_lines(),
            filed_on=dt.date(2026, 6, 1),
        )
    assert Case.objects.count() == 0


def test_psc_refused_on_an_entry_with_an_open_protest(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    )
    entry.liquidation_status, entry.liquidation_date = "extended", None
    entry.save()
    with pytest.raises(CaseError, match="under protest"):
        services.file_psc(
            actor=filer,
            entry=entry,
            reason_code="01",
            explanation="x",
            lines=psc_lines(),
            filed_on=dt.date(2026, 6, 3),
        )


def test_protest_on_an_entry_with_an_open_psc_is_flagged_for_the_specialist(importer, filer):
    entry = EntryFactory(
        importer=importer, entry_date=dt.date(2025, 8, 1), scheduled_liquidation_date=dt.date(2026, 6, 12)
    )
    psc = services.file_psc(
        actor=filer,
        entry=entry,
        reason_code="01",
        explanation="x",
        lines=psc_lines(),
        filed_on=dt.date(2026, 5, 1),
    )
    entry.liquidation_status, entry.liquidation_date = "liquidated", dt.date(2026, 6, 12)
    entry.save()
    protest = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 15)
    ).case
    assert protest.flagged_for_specialist and psc.reference_number in protest.flag_reason


def test_pic_within_one_year_of_importation(importer, filer):
    entry = EntryFactory(
        importer=importer, importation_date=dt.date(2025, 12, 1), entry_date=dt.date(2025, 12, 1)
    )
    case = services.file_pic(
        actor=filer,
        entry=entry,
        agreement="USMCA",
        certificate_of_origin="Cert 42",
        filed_on=dt.date(2026, 12, 1),
    )
    assert case.kind == "pic" and case.reference_number.startswith("PIC-2304-26-")
    with pytest.raises(CaseError, match="1520"):
        services.file_pic(
            actor=filer,
            entry=EntryFactory(importer=importer, importation_date=dt.date(2025, 12, 1)),
            agreement="USMCA",
            certificate_of_origin="Cert",
            filed_on=dt.date(2026, 12, 2),
        )


def test_cf28_issued_by_the_owning_center_only(importer):
    entry = EntryFactory(importer=importer)
    specialist = staff_user("CEE010")
    case = services.issue_information_request(
        actor=specialist, entry=entry, questions="Send the invoice", issued_on=dt.date(2026, 3, 2)
    )
    assert (case.status, case.assignee, case.cf28.due_on) == ("issued", specialist, dt.date(2026, 4, 1))
    assert case.next_deadline_on == dt.date(2026, 4, 1)
    with pytest.raises(NotAllowed):
        services.issue_information_request(
            actor=staff_user("CEE001"), entry=entry, questions="?", issued_on=dt.date(2026, 3, 2)
        )


def test_every_entry_lists_its_cases(importer, filer):
    entry = liquidated_entry(importer, LIQUIDATED)
    protest = services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    rfi = services.issue_information_request(
        actor=staff_user(), entry=entry, questions="?", parent=protest, issued_on=dt.date(2026, 6, 3)
    )
    assert set(Case.objects.for_entry(entry)) == {protest, rfi}
    assert rfi.parent == protest


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_protest_numbers_stay_unique_under_concurrent_filing():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    importer = ImporterFactory()
    filer = trade_user(importer)
    entries = [liquidated_entry(importer, LIQUIDATED) for _ in range(8)]

    def file(entry):
        try:
            return services.file_protest(
                actor=filer, importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
            ).case.reference_number
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(file, entries))
    assert sorted(numbers) == [f"2304-26-{n:06d}" for n in range(1, 9)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_protests_on_one_entry_and_category_make_one_protest():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    importer = ImporterFactory()
    entry = liquidated_entry(importer, LIQUIDATED)
    filers = [trade_user(importer) for _ in range(6)]

    def file(n):
        try:
            return services.file_protest(
                actor=filers[n],
                importer=importer,
                **protest_input([entry], identifier=f"P{n}", name=f"Person {n}"),
                filed_on=dt.date(2026, 6, 2),
            ).joined
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        joined = list(pool.map(file, range(6)))
    assert sorted(joined) == [False, True, True, True, True, True]
    assert Case.objects.count() == 1 and Protestant.objects.count() == 6
