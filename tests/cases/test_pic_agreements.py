"""1520(d) claims under the agreements that provide them, and conflicts flagged at PSC intake.

19 U.S.C. 1520(d): a post-importation preference claim within 1 year after the date of importation,
only under the agreements whose implementing acts provide it (reference data,
importers/reference/data/preference_agreements.csv). 19 CFR 101.9(b): post summary corrections.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases import services
from cases.exceptions import CaseError
from cases.models import Case, CaseEntry
from cases.services import PscLineInput
from importers.entries.ingest import import_entries
from importers.models import Entry, PreferenceAgreement
from tests.factories import EntryFactory, liquidated_entry, make_entry_number, staff_user
from tests.importers import feeds

pytestmark = pytest.mark.django_db

D = dt.date
SHIPPED = {"USMCA", "CL", "CAFTA-DR", "OM", "PE", "KR", "CO", "PA"}
# Programs without 1520(d) claims (CBP guidance of Aug 2014; CSMS 17-000110).
NOT_1520D = ["SG", "AU", "MA", "BH", "IL", "JO", "GSP", "AGOA", "CBTPA"]
FILED = D(2026, 3, 1)


def claim(filer, entry, *, agreement="USMCA", filed_on=FILED) -> Case:
    return services.file_pic(
        actor=filer, entry=entry, agreement=agreement, certificate_of_origin="Cert 42", filed_on=filed_on
    )


def imported(importer, on: dt.date | None, *, entry_on: dt.date | None = None, **kwargs):
    entry_on = entry_on or on or D(2025, 3, 10)
    return EntryFactory(importer=importer, importation_date=on, entry_date=entry_on, **kwargs)


# --- the agreements as reference data -----------------------------------------------------------------


def test_shipped_1520d_agreements_are_the_eight_with_the_regulation_each_cites():
    rows = {a.code: a for a in PreferenceAgreement.objects.all()}
    assert set(rows) == SHIPPED
    assert all(a.active and a.regulation.startswith("19 CFR") and a.implementing_act for a in rows.values())
    assert "182.31" in rows["USMCA"].regulation and "181.31" in rows["USMCA"].regulation  # USMCA; NAFTA
    assert rows["CL"].regulation == "19 CFR 10.440-10.442"
    assert rows["CAFTA-DR"].regulation == "19 CFR 10.590-10.592"
    assert rows["OM"].regulation == "19 CFR 10.869-10.871"


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_claim_accepted_under_each_shipped_agreement_cites_its_regulation(importer, filer, code):
    case = claim(filer, imported(importer, D(2025, 3, 10)), agreement=code.lower())
    agreement = PreferenceAgreement.objects.get(code=code)
    assert (case.kind, case.status, case.pic.agreement_id) == ("pic", "received", code)
    assert not case.flagged_for_specialist
    assert agreement.regulation in case.events.get(kind="filed").message


@pytest.mark.parametrize("code", NOT_1520D)
def test_claim_under_a_program_without_1520d_is_refused_naming_the_psc_before_liquidation(
    importer, filer, code
):
    entry = imported(importer, D(2025, 3, 10))
    with pytest.raises(CaseError) as refused:
        claim(filer, entry, agreement=code)
    message = refused.value.message_dict["agreement"][0]
    assert f"{code} is not an agreement" in message and "19 U.S.C. 1520(d)" in message
    assert "post summary correction before liquidation (19 CFR 101.9(b))" in message
    assert "protest after it" in message and "USMCA" in message and "CAFTA-DR" in message
    assert not Case.objects.exists()


def test_a_claim_naming_no_agreement_is_refused_asking_for_one(importer, filer):
    with pytest.raises(CaseError) as refused:
        claim(filer, imported(importer, D(2025, 3, 10)), agreement="  ")
    message = refused.value.message_dict["agreement"][0]
    assert message.startswith("Name the trade agreement") and "USMCA" in message
    assert not Case.objects.exists()


def test_claim_under_singapore_on_a_liquidated_entry_points_to_a_protest(importer, filer):
    entry = liquidated_entry(importer, D(2026, 1, 16))
    with pytest.raises(CaseError) as refused:
        claim(filer, entry, agreement="SG", filed_on=D(2026, 2, 1))
    message = refused.value.message_dict["agreement"][0]
    assert "was liquidated on 2026-01-16" in message
    assert "protest of the liquidation within 180 days (19 U.S.C. 1514(c)(3))" in message
    assert not Case.objects.exists()


def test_an_agreement_an_administrator_marked_inactive_takes_no_new_claims(importer, filer, admin_client):
    agreement = PreferenceAgreement.objects.get(code="PA")
    url = reverse("admin:importers_preferenceagreement_change", args=[agreement.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and agreement.regulation in page.content.decode()
    form = {
        "name": agreement.name,
        "regulation": "19 CFR 10.2010-10.2012",
        "implementing_act": agreement.implementing_act,
        "basis": "confirmed",
        "note": "",
    }  # `active` left unticked
    assert admin_client.post(url, form).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.active, agreement.regulation, agreement.code) == (False, "19 CFR 10.2010-10.2012", "PA")
    with pytest.raises(CaseError, match="not accepted at present"):
        claim(filer, imported(importer, D(2025, 3, 10)), agreement="PA")
    assert not Case.objects.exists()


def test_reloading_reference_data_keeps_an_agreement_deactivated_and_says_nothing_new():
    from importers.reference.reference_data import load_reference_data

    PreferenceAgreement.objects.filter(code="KR").update(active=False)
    result = load_reference_data(update=True)
    assert result.created["1520(d) agreements"] == 0
    assert not PreferenceAgreement.objects.get(code="KR").active


# --- one open claim per entry ----------------------------------------------------------------------


def test_a_second_open_claim_on_the_entry_is_refused_like_a_second_psc(importer, filer):
    entry = imported(importer, D(2025, 3, 10))
    first = claim(filer, entry)
    with pytest.raises(CaseError) as refused:
        claim(filer, entry, agreement="CL", filed_on=D(2026, 3, 2))
    assert refused.value.code == "open_pic" and first.reference_number in str(refused.value)
    assert Case.objects.count() == 1


def test_the_database_refuses_a_second_open_claim_link_on_one_entry(importer, filer):
    entry = imported(importer, D(2025, 3, 10))
    first = claim(filer, entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEntry.objects.create(
            case=Case.objects.create(
                reference_number="PIC-X",
                kind="pic",
                status="received",
                center=first.center,
                filing_port=first.filing_port,
                importer=importer,
                filed_on=first.filed_on,
            ),
            entry=entry,
            case_kind="pic",
        )


def test_a_decided_claim_releases_the_entry_for_a_new_one(importer, filer):
    entry = imported(importer, D(2025, 3, 10))
    first = claim(filer, entry)
    services.decide_case(
        first,
        actor=staff_user("CEE010"),
        outcome="denied",
        reasons="No certification.",
        decided_on=D(2026, 3, 2),
    )
    second = claim(filer, entry, agreement="USMCA", filed_on=D(2026, 3, 3))
    assert second.status == "received" and second.pk != first.pk


# --- the one-year window runs from importation -------------------------------------------------------


@pytest.mark.parametrize(
    ("imported_on", "filed_on", "accepted"),
    [
        pytest.param(D(2025, 3, 10), D(2026, 3, 9), True, id="day-before-anniversary"),
        pytest.param(D(2025, 3, 10), D(2026, 3, 10), True, id="anniversary-is-the-last-day"),
        pytest.param(D(2025, 3, 10), D(2026, 3, 11), False, id="day-after-anniversary"),
        pytest.param(D(2024, 2, 29), D(2025, 2, 27), True, id="feb29-import-day-before-feb28"),
        pytest.param(D(2024, 2, 29), D(2025, 2, 28), True, id="feb29-import-last-day-feb28"),
        pytest.param(D(2024, 2, 29), D(2025, 3, 1), False, id="feb29-import-mar1-late"),
    ],
)
def test_1520d_year_runs_from_the_importation_date(importer, filer, imported_on, filed_on, accepted):
    """19 U.S.C. 1520(d): within 1 year after the date of importation (Feb 29 runs to Feb 28)."""
    entry = imported(importer, imported_on)
    if accepted:
        assert claim(filer, entry, filed_on=filed_on).filed_on == filed_on
    else:
        with pytest.raises(CaseError, match=r"1520\(d\)") as refused:
            claim(filer, entry, filed_on=filed_on)
        assert refused.value.code == "out_of_window"
        assert f"imported on {imported_on.isoformat()}" in str(refused.value)
        assert not Case.objects.exists()


def test_the_year_is_not_counted_from_the_later_entry_date(importer, filer):
    """Imported 10 March 2025, entered 20 March: a claim on 15 March 2026 is late (19 U.S.C. 1520(d))."""
    entry = imported(importer, D(2025, 3, 10), entry_on=D(2025, 3, 20))
    with pytest.raises(CaseError, match="out of|1520"):
        claim(filer, entry, filed_on=D(2026, 3, 15))


def test_an_entry_without_importation_date_gives_a_flagged_claim_never_the_entry_date(importer, filer):
    entry = imported(importer, None, entry_on=D(2023, 1, 10))
    assert entry.lacks_importation_date
    case = claim(filer, entry, filed_on=D(2026, 3, 1))  # 3 years after the entry date
    entry.refresh_from_db()
    assert entry.importation_date is None
    assert case.flagged_for_specialist
    assert "no date of importation" in case.flag_reason and "19 U.S.C. 1520(d)" in case.flag_reason


def test_entry_admin_flags_an_entry_without_importation_date(importer, admin_client):
    missing = imported(importer, None, entry_on=D(2026, 1, 5))
    dated = imported(importer, D(2026, 1, 4))
    url = reverse("admin:importers_entry_changelist")
    page = admin_client.get(url, {"importation_date__isempty": "1"}).content.decode()
    assert missing.formatted_number in page and dated.formatted_number not in page
    assert "MISSING: the 1520(d) year cannot be counted" in page


def test_feed_without_importation_date_leaves_it_empty_not_the_entry_date(tmp_path):
    number, dated_number = make_entry_number("ABC", 7_000_001), make_entry_number("ABC", 7_000_002)
    path = feeds.write_csv(
        tmp_path,
        [
            feeds.entry(number),
            feeds.line(number, 1),
            feeds.entry(dated_number, importation_date="2026-01-12"),
            feeds.line(dated_number, 1),
        ],
    )
    summary = import_entries(path)
    assert summary.entries_created == 2, summary
    dates = dict(Entry.objects.values_list("entry_number", "importation_date"))
    assert dates == {number: None, dated_number: D(2026, 1, 12)}


# --- a PSC on an entry with an open CF-28 or CF-29 ---------------------------------------------------


def psc(filer, entry):
    return services.file_psc(
        actor=filer,
        entry=entry,
        reason_code="VALUE",
        explanation="Corrected value",
        lines=[PscLineInput(1, "8429510000", Decimal("900.00"))],
        filed_on=D(2026, 2, 1),
    )


@pytest.mark.parametrize("kind", ["cf28", "cf29"])
def test_psc_on_an_entry_with_an_open_cf28_or_cf29_is_flagged(importer, filer, kind):
    entry = EntryFactory(importer=importer)
    specialist = staff_user("CEE010")
    if kind == "cf28":
        request = services.issue_information_request(
            actor=specialist, entry=entry, questions="Invoices?", issued_on=D(2026, 1, 20)
        )
    else:
        request = services.issue_notice_of_action(
            actor=specialist,
            entry=entry,
            action_kind="proposed",
            action="Rate advance",
            issued_on=D(2026, 1, 20),
        )
    case = psc(filer, entry)
    assert case.flagged_for_specialist and request.reference_number in case.flag_reason


def test_psc_is_not_flagged_for_a_closed_cf28_or_another_entrys(importer, filer):
    entry, other = EntryFactory(importer=importer), EntryFactory(importer=importer)
    specialist = staff_user("CEE010")
    closed = services.issue_information_request(
        actor=specialist, entry=entry, questions="Invoices?", issued_on=D(2026, 1, 20)
    )
    services.transition_case(closed, to="closed", actor=specialist, today=D(2026, 1, 25))
    services.issue_information_request(actor=specialist, entry=other, questions="?", issued_on=D(2026, 1, 20))
    case = psc(filer, entry)
    assert not case.flagged_for_specialist and case.flag_reason == ""
