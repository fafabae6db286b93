"""Filing in the portal (issue 13 item 3): each filing accepted whole or refused beside its field.

Accepted: the case, its entries and deadlines are written and the confirmation shows the reference and
the dates. Refused: the reason is on the field, what was typed is kept, nothing is written. The same
form posted twice files once (cases.services.file_once). Another importer's entries and cases are
refused or not found.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, CaseDeadline, FilingReceipt, Objection
from cee_portal.legal_time import legal_today
from importers.models import ImporterMembership
from tests.factories import (
    EntryFactory,
    ImporterFactory,
    broker_user,
    liquidated_entry,
    protest_input,
    staff_user,
    trade_user,
)

pytestmark = pytest.mark.django_db

TODAY = legal_today()


def sign_in(client, user):
    # The factory sets the password without saving it: log in the stored user, whose session hash holds.
    user.save()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


@pytest.fixture
def importer():
    return ImporterFactory(name="Keystone Machinery Inc.")


@pytest.fixture
def filer(importer):
    return trade_user(importer)


@pytest.fixture
def signed_in(client, filer):
    sign_in(client, filer)
    return client


def url(name, *args):
    return reverse(f"portal:filing:{name}", args=args)


def token_of(response) -> str:
    return re.search(r'name="filing_token" value="([^"]+)"', response.content.decode()).group(1)


def protest_post(importer, entries, objections=None, token="t" * 32, **extra) -> dict:
    """The protest form as posted: rows of (entry, decision, decision date)."""
    data = {
        "filing_token": token,
        "protestant_name": importer.name,
        "protestant_identifier": importer.ior_number,
        "protestant_role": "importer",
        "description": "Hydraulic excavators",
        "entries-TOTAL_FORMS": str(len(entries)),
        "entries-INITIAL_FORMS": "0",
        "file": "1",
    }
    for n, row in enumerate(entries):
        entry, decision, on = row if isinstance(row, tuple) else (row, "classification", None)
        data[f"entries-{n}-entry"] = entry.formatted_number
        data[f"entries-{n}-decision"] = decision
        data[f"entries-{n}-decision_date"] = on.isoformat() if on else ""
    objections = objections or [("classification", "Classify in 8429.52", "GRI 1; EN to 84.29")]
    data["objections-TOTAL_FORMS"] = str(len(objections))
    data["objections-INITIAL_FORMS"] = "0"
    for n, (decision, text, why) in enumerate(objections):
        data.update(
            {
                f"objections-{n}-protested_decision": decision,
                f"objections-{n}-text": text,
                f"objections-{n}-justification": why,
            }
        )
    data.update(extra)
    return data


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


# --- Who may open the filing pages ---------------------------------------------------------------------


def test_anonymous_goes_to_sign_in_and_staff_are_refused(client, importer):
    response = client.get(url("protest", importer.ior_number))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    sign_in(client, staff_user())
    assert client.get(url("protest", importer.ior_number)).status_code == 403


def test_another_importers_account_is_not_found(signed_in):
    other = ImporterFactory()
    for name in ("protest", "psc", "pic"):
        assert signed_in.get(url(name, other.ior_number)).status_code == 404


def test_the_protest_form_says_what_each_field_means_and_which_rule_applies(signed_in, importer):
    page = signed_in.get(url("protest", importer.ior_number)).content.decode()
    for rule in ("19 CFR 174.12(a)", "1514(c)(3)(A)", "1514(c)(3)(B)", "174.13(a)(6)", "174.24", "174.15"):
        assert rule in page, rule
    assert 'name="filing_token"' in page


# --- Protest: accepted, preview, refusals ----------------------------------------------------------------


def test_a_protest_on_two_entries_with_two_objections_is_filed_with_its_dates(signed_in, importer):
    first, second = liquidated_entry(importer, ago(10)), liquidated_entry(importer, ago(20))
    data = protest_post(
        importer,
        [first, second],
        [
            ("classification", "Classify in 8429.52", "GRI 1"),
            ("appraisement", "Transaction value", "19 U.S.C. 1401a(b)"),
        ],
    )
    response = signed_in.post(url("protest", importer.ior_number), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("filed", case.reference_number)
    assert case.entry_links.count() == 2 and Objection.objects.filter(case=case).count() == 2
    assert {link.decision_date for link in case.entry_links.all()} == {ago(10), ago(20)}
    target = case.deadlines.get(kind="protest_decision_target")
    page = signed_in.get(response["Location"]).content.decode()
    assert case.reference_number in page
    assert target.due_on.isoformat() in page and "19 U.S.C. 1515(a)" in page


def test_the_preview_shows_each_entrys_window_and_files_nothing(signed_in, importer):
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [entry])
    del data["file"]
    data["preview"] = "1"
    page = signed_in.post(url("protest", importer.ior_number), data).content.decode()
    closes = ago(10) + dt.timedelta(days=180)
    assert (
        f"The protest window for entry <strong>{entry.formatted_number}</strong> (from its liquidation of "
        f"{ago(10).isoformat()}) closes on <strong>{closes.isoformat()}</strong>, in 170 days"
    ) in page
    assert not Case.objects.exists()


def test_the_htmx_dates_fragment_follows_the_chosen_entries(signed_in, importer):
    entry = liquidated_entry(importer, ago(30))
    excluded = EntryFactory(importer=importer, entry_date=ago(40))
    data = protest_post(importer, [entry, (excluded, "exclusion", ago(5))])
    page = signed_in.post(url("protest_dates", importer.ior_number), data).content.decode()
    assert "in 150 days" in page and "in 175 days" in page
    assert "Exclusion protest: deemed denied on" in page  # 19 U.S.C. 1499(c)(5)(A)
    assert "<html" not in page


@pytest.mark.parametrize(("days", "accepted"), [(179, True), (180, True), (181, False)])
def test_the_180_day_window_from_liquidation_day_before_on_and_after(signed_in, importer, days, accepted):
    """19 U.S.C. 1514(c)(3): within 180 days after the liquidation, the 180th day included."""
    entry = liquidated_entry(importer, ago(days))
    response = signed_in.post(url("protest", importer.ior_number), protest_post(importer, [entry]))
    assert Case.objects.exists() is accepted
    if not accepted:
        assert response.status_code == 200
        row = response.context["entries"].forms[0]
        assert "1514(c)(3)" in " ".join(row.errors["entry"])
        assert not FilingReceipt.objects.exists()


def test_a_typed_date_for_a_decision_made_in_liquidation_is_refused_beside_the_entry(signed_in, importer):
    """1514(c)(3)(A): the protest runs from the liquidation, never from a date the filer types."""
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [(entry, "classification", ago(3))], description="Excavators, kept")
    response = signed_in.post(url("protest", importer.ior_number), data)
    row = response.context["entries"].forms[0]
    assert "leave the decision date empty" in " ".join(row.errors["entry"])
    assert "Excavators, kept" in response.content.decode()  # what was typed stays
    assert not Case.objects.exists()


def test_a_decision_outside_liquidation_needs_its_date(signed_in, importer):
    """1514(c)(3)(B): an exclusion runs from its own date, which the filer gives."""
    entry = EntryFactory(importer=importer, entry_date=ago(40))
    response = signed_in.post(
        url("protest", importer.ior_number), protest_post(importer, [(entry, "exclusion", None)])
    )
    assert "1514(c)(3)(B)" in " ".join(response.context["entries"].forms[0].errors["entry"])
    assert not Case.objects.exists()
    signed_in.post(
        url("protest", importer.ior_number), protest_post(importer, [(entry, "exclusion", ago(5))])
    )
    assert Case.objects.get().protest.is_exclusion


def test_another_importers_entry_is_refused_on_its_field(signed_in, importer):
    other = liquidated_entry(ImporterFactory(), ago(10))
    response = signed_in.post(url("protest", importer.ior_number), protest_post(importer, [other]))
    assert "No entry" in " ".join(response.context["entries"].forms[0].errors["entry"])
    assert not Case.objects.exists()


def test_further_review_needs_its_174_24_criterion_and_is_recorded(signed_in, importer):
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [entry], further_review="on")
    response = signed_in.post(url("protest", importer.ior_number), data)
    assert "174.24" in " ".join(response.context["form"].errors["afr_criterion"])
    assert not Case.objects.exists()
    data.update(afr_criterion="a", afr_justification="HQ ruling H123456 classifies them in 8429.52")
    signed_in.post(url("protest", importer.ior_number), data)
    case = Case.objects.get()
    assert case.protest.afr_status == "requested"
    assert case.deadlines.filter(kind="further_review_decision").exists()


def test_a_surety_bond_demand_after_today_is_refused_beside_its_field(signed_in, importer):
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(
        importer,
        [entry],
        protestant_role="surety",
        bond_demand_mailed_on=(TODAY + dt.timedelta(days=1)).isoformat(),
    )
    response = signed_in.post(url("protest", importer.ior_number), data)
    assert "in the future" in " ".join(response.context["form"].errors["bond_demand_mailed_on"])
    assert not Case.objects.exists()


def test_the_same_form_posted_twice_files_once(signed_in, importer):
    entry = liquidated_entry(importer, ago(10))
    token = token_of(signed_in.get(url("protest", importer.ior_number)))
    data = protest_post(importer, [entry], token=token)
    first = signed_in.post(url("protest", importer.ior_number), data)
    second = signed_in.post(url("protest", importer.ior_number), data)
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == url("filed", case.reference_number)
    assert FilingReceipt.objects.get().case == case


def test_a_refused_filing_leaves_its_token_usable_for_the_corrected_form(signed_in, importer):
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [(entry, "classification", ago(3))])
    signed_in.post(url("protest", importer.ior_number), data)
    assert not FilingReceipt.objects.exists()
    data["entries-0-decision_date"] = ""
    assert signed_in.post(url("protest", importer.ior_number), data).status_code == 302
    assert Case.objects.count() == 1


def test_another_users_token_is_refused(client, importer):
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [entry])
    sign_in(client, trade_user(importer))
    client.post(url("protest", importer.ior_number), data)
    sign_in(client, trade_user(importer))
    response = client.post(url("protest", importer.ior_number), data)
    assert "already used by another user" in response.content.decode()
    assert Case.objects.count() == 1


def test_a_broker_under_a_live_protest_delegation_may_file(client, importer):
    broker = broker_user(importer, kinds=("protest",))
    sign_in(client, broker)
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [entry], agent_name="Border Brokers LLC")
    assert client.post(url("protest", importer.ior_number), data).status_code == 302
    assert Case.objects.get().filed_by == broker


def test_a_broker_whose_delegation_covers_no_protests_may_not_file_one(client, importer):
    sign_in(client, broker_user(importer, kinds=("psc",)))
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [entry], agent_name="Border Brokers LLC")
    assert client.post(url("protest", importer.ior_number), data).status_code in (403, 404)
    assert not Case.objects.exists()


def test_the_entry_search_offers_only_the_accounts_entries(signed_in, importer, filer):
    """The filer sees both accounts; the protest form of one offers that account's entries only."""
    mine = EntryFactory(importer=importer)
    theirs = EntryFactory(importer=ImporterFactory())
    ImporterMembership.objects.create(importer=theirs.importer, user=filer)
    page = signed_in.get(
        url("entry_matches", importer.ior_number), {"entries-0-entry": "ABC"}
    ).content.decode()
    assert mine.formatted_number in page and theirs.formatted_number not in page


# --- Post summary correction and 1520(d) claim -----------------------------------------------------------


def psc_post(entry, token="p" * 32, **extra):
    return {
        "filing_token": token,
        "entry": entry.formatted_number,
        "reason_code": "01",
        "explanation": "Classification corrected",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-line_number": "1",
        "lines-0-hts_number": "8429.52.1010",
        "lines-0-entered_value": "1000.00",
        "lines-0-duty": "0",
        "file": "1",
        **extra,
    }


def test_a_psc_is_filed_with_its_lines_and_window(signed_in, importer):
    entry = EntryFactory(
        importer=importer, entry_date=ago(10), scheduled_liquidation_date=ago(10) + dt.timedelta(days=314)
    )
    response = signed_in.post(url("psc", importer.ior_number), psc_post(entry))
    case = Case.objects.get()
    assert response["Location"] == url("filed", case.reference_number)
    assert case.psc.lines.get().hts_number == "8429521010"
    assert case.reference_number in signed_in.get(response["Location"]).content.decode()


def test_a_psc_of_a_liquidated_entry_is_refused_beside_the_entry(signed_in, importer):
    """19 CFR 101.9(b): only unliquidated entries; protest instead."""
    entry = liquidated_entry(importer, ago(10))
    response = signed_in.post(url("psc", importer.ior_number), psc_post(entry))
    assert "101.9(b)" in " ".join(response.context["form"].errors["entry"])
    assert not Case.objects.exists()


def test_a_psc_line_with_a_bad_hts_number_is_refused_beside_the_lines(signed_in, importer):
    entry = EntryFactory(
        importer=importer, entry_date=ago(10), scheduled_liquidation_date=ago(10) + dt.timedelta(days=314)
    )
    response = signed_in.post(
        url("psc", importer.ior_number), psc_post(entry, **{"lines-0-hts_number": "12"})
    )
    assert response.context["sections"]["lines"] and not Case.objects.exists()


@pytest.mark.parametrize(("days", "accepted"), [(364, True), (365, True), (366, False)])
def test_a_1520d_claim_within_one_year_of_importation(signed_in, importer, days, accepted):
    """19 U.S.C. 1520(d): within 1 year after the date of importation."""
    imported = TODAY.replace(year=TODAY.year - 1) + dt.timedelta(days=365 - days)
    entry = EntryFactory(importer=importer, entry_date=imported, importation_date=imported)
    data = {"filing_token": "c" * 32, "entry": entry.formatted_number, "agreement": "USMCA",
            "certificate_of_origin": "USMCA certification 2026-17", "file": "1"}  # fmt: skip
    response = signed_in.post(url("pic", importer.ior_number), data)
    assert Case.objects.exists() is accepted
    if accepted:
        assert Case.objects.get().pic.agreement_id == "USMCA"
    else:
        assert "1520(d)" in " ".join(response.context["form"].errors["entry"])


def test_a_1520d_claim_under_an_agreement_without_such_claims_cannot_be_chosen(signed_in, importer):
    entry = EntryFactory(importer=importer, entry_date=ago(10))
    data = {"filing_token": "c" * 32, "entry": entry.formatted_number, "agreement": "SGFTA",
            "certificate_of_origin": "x", "file": "1"}  # fmt: skip
    response = signed_in.post(url("pic", importer.ior_number), data)
    assert response.context["form"].errors["agreement"] and not Case.objects.exists()


# --- Actions on filed cases ----------------------------------------------------------------------------


def filed_protest(importer, filer, *, liquidated_days_ago=10, filed_days_ago=0, entries=1):
    made = [liquidated_entry(importer, ago(liquidated_days_ago + filed_days_ago)) for _ in range(entries)]
    return services.file_protest(
        actor=filer, importer=importer, **protest_input(made), filed_on=ago(filed_days_ago)
    ).case


def test_amend_adds_a_new_objection_inside_the_window_and_an_argument(signed_in, importer, filer):
    case = filed_protest(importer, filer)
    data = {
        "filing_token": "a" * 32,
        "version": case.version,
        "objections-TOTAL_FORMS": "1",
        "objections-INITIAL_FORMS": "0",
        "objections-0-protested_decision": "appraisement",
        "objections-0-text": "Transaction value",
        "objections-0-justification": "1401a(b)",
        "argument_1": "See also HQ H301234",
        "file": "1",
    }
    response = signed_in.post(url("amend", case.reference_number), data)
    assert response.status_code == 302
    assert case.objections.count() == 2
    assert "HQ H301234" in case.objections.get(number=1).justification


def test_amend_refuses_new_objections_after_the_window_on_the_field_and_writes_nothing(
    signed_in, importer, filer
):
    """19 CFR 174.14: new objections only within the 180 days; arguments until decision (174.28)."""
    case = filed_protest(
        importer, filer, liquidated_days_ago=170, filed_days_ago=11
    )  # window closed 1 day ago
    data = {
        "filing_token": "a" * 32,
        "version": case.version,
        "objections-TOTAL_FORMS": "1",
        "objections-INITIAL_FORMS": "0",
        "objections-0-protested_decision": "appraisement",
        "objections-0-text": "Transaction value",
        "objections-0-justification": "1401a(b)",
        "argument_1": "Late argument is fine",
        "file": "1",
    }
    response = signed_in.post(url("amend", case.reference_number), data)
    assert "174.14" in " ".join(response.context["sections"]["new_objections"])
    assert case.objections.count() == 1 and "Late argument" not in case.objections.get().justification
    del data["objections-0-text"], data["objections-0-justification"], data["objections-0-protested_decision"]
    data["objections-TOTAL_FORMS"] = "0"
    assert signed_in.post(url("amend", case.reference_number), data).status_code == 302
    assert "Late argument" in case.objections.get().justification


def test_a_stale_page_is_refused_whole(signed_in, importer, filer):
    case = filed_protest(importer, filer)
    data = {"filing_token": "a" * 32, "version": case.version - 1, "objections-TOTAL_FORMS": "0",
            "objections-INITIAL_FORMS": "0", "argument_1": "x", "file": "1"}  # fmt: skip
    response = signed_in.post(url("amend", case.reference_number), data)
    assert "changed since you loaded it" in response.content.decode()
    assert "x" not in case.objections.get().justification.split("\n")[-1]


def test_another_importers_case_is_not_found(signed_in):
    other = ImporterFactory()
    case = filed_protest(other, trade_user(other))
    for name in ("amend", "withdraw", "accelerate", "filed"):
        assert signed_in.get(url(name, case.reference_number)).status_code == 404


def cf(kind, importer, *, issued_days_ago):
    entry = EntryFactory(importer=importer, entry_date=ago(issued_days_ago + 30))
    specialist = staff_user()
    if kind == "cf28":
        return services.issue_information_request(
            actor=specialist, entry=entry, questions="Send the invoice", issued_on=ago(issued_days_ago)
        )
    return services.issue_notice_of_action(
        actor=specialist,
        entry=entry,
        action_kind="proposed",
        action="Rate advance",
        issued_on=ago(issued_days_ago),
    )


def test_a_cf28_answer_is_filed_once_and_closes_its_clock(signed_in, importer):
    case = cf("cf28", importer, issued_days_ago=5)
    page = signed_in.get(url("answer", case.reference_number)).content.decode()
    assert "Send the invoice" in page and "19 CFR 151.11" in page
    data = {"filing_token": "r" * 32, "version": case.version, "answer": "Invoice attached", "file": "1"}
    assert signed_in.post(url("answer", case.reference_number), data).status_code == 302
    assert signed_in.post(url("answer", case.reference_number), data).status_code == 302
    case.refresh_from_db()
    assert case.status == "answered" and case.cf28.answer == "Invoice attached"
    assert case.events.filter(kind="status", new_value="answered").count() == 1


def test_a_cf28_answer_carries_its_documents_and_a_refused_file_refuses_the_whole_answer(signed_in, importer):
    """Issue 13 item 3: reply to a CF-28 with answer + documents; the scan refuses EICAR before storing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Document

    case = cf("cf28", importer, issued_days_ago=5)
    from cases.services.scanning import EICAR
    data = {"filing_token": "s" * 32, "version": case.version, "answer": "See the invoice", "file": "1"}
    bad = {**data, "documents": [SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice"),
                                 SimpleUploadedFile("x.txt", EICAR)]}  # fmt: skip
    response = signed_in.post(url("answer", case.reference_number), bad)
    case.refresh_from_db()
    assert response.status_code == 200 and response.context["form"].errors["documents"]
    assert case.status == "issued" and not Document.objects.exists()  # nothing half-written
    pdf = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice")
    good = {**data, "filing_token": "t" * 32, "documents": [pdf]}
    assert signed_in.post(url("answer", case.reference_number), good).status_code == 302
    case.refresh_from_db()
    assert case.status == "answered"
    assert list(Document.objects.filter(case=case).values_list("original_name", flat=True)) == ["invoice.pdf"]


@pytest.mark.parametrize(("days", "accepted"), [(19, True), (20, True), (21, False)])
def test_an_objection_to_a_proposed_cf29_within_its_20_days(signed_in, importer, days, accepted):
    """19 CFR 152.2 and CBP practice: 20 days to answer a proposed action; after it, refused."""
    case = cf("cf29", importer, issued_days_ago=days)
    data = {"filing_token": "r" * 32, "version": case.version, "answer": "The rate is wrong", "file": "1"}
    response = signed_in.post(url("answer", case.reference_number), data)
    case.refresh_from_db()
    assert (case.status == "answered") is accepted
    if not accepted:
        assert "152.2" in " ".join(response.context["form"].errors["answer"])
        assert case.cf29.answer == ""


def test_withdraw_before_decision_and_refused_after(signed_in, importer, filer):
    case = filed_protest(importer, filer)
    data = {"filing_token": "w" * 32, "version": case.version, "confirm": "on", "file": "1"}
    assert signed_in.post(url("withdraw", case.reference_number), data).status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn" and not case.entry_links.filter(active=True).exists()
    decided = filed_protest(importer, filer)
    services.decide_case(decided, actor=staff_user(), outcome="denied", reasons="No")
    decided.refresh_from_db()
    data = {"filing_token": "x" * 32, "version": decided.version, "confirm": "on", "file": "1"}
    response = signed_in.post(url("withdraw", decided.reference_number), data)
    assert "cannot move to withdrawn" in response.content.decode()
    assert Case.objects.get(pk=decided.pk).status == "denied"


@pytest.mark.parametrize(("filed_days_ago", "accepted"), [(90, False), (91, True)])
def test_accelerated_disposition_only_after_90_days(signed_in, importer, filer, filed_days_ago, accepted):
    """19 U.S.C. 1515(b); 19 CFR 174.22: a request mailed on day 90 or earlier is premature."""
    case = filed_protest(importer, filer, filed_days_ago=filed_days_ago)
    data = {"filing_token": "d" * 32, "version": case.version, "mailed_on": TODAY.isoformat(), "file": "1"}
    response = signed_in.post(url("accelerate", case.reference_number), data)
    case.refresh_from_db()
    assert (case.protest.accelerated_disposition_mailed_on == TODAY) is accepted
    if accepted:
        assert CaseDeadline.objects.filter(case=case, kind="accelerated_disposition").exists()
    else:
        assert "premature" in " ".join(response.context["form"].errors["mailed_on"])


def test_the_psc_and_1520d_dates_fragment_shows_the_typed_entrys_window(signed_in, importer):
    entry = EntryFactory(
        importer=importer, entry_date=ago(10), scheduled_liquidation_date=ago(10) + dt.timedelta(days=314)
    )
    page = signed_in.get(
        url("entry_dates", importer.ior_number), {"kind": "psc", "entry": entry.formatted_number}
    )
    due = ago(10) + dt.timedelta(days=299)  # 15 days before the scheduled liquidation (101.9(b)(1))
    assert f"<strong>{due.isoformat()}</strong>, in 289 days" in page.content.decode()
    page = signed_in.get(
        url("entry_dates", importer.ior_number), {"kind": "pic", "entry": entry.formatted_number}
    )
    year = ago(10).replace(year=ago(10).year + 1)
    assert (
        f"<strong>{year.isoformat()}</strong>" in page.content.decode() and "1520(d)" in page.content.decode()
    )
    other = EntryFactory(importer=ImporterFactory())
    page = signed_in.get(
        url("entry_dates", importer.ior_number), {"kind": "psc", "entry": other.formatted_number}
    )
    assert "No entry" in page.content.decode() and other.importer.name not in page.content.decode()


def test_a_form_without_its_token_files_nothing_and_says_why(signed_in, importer):
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [entry])
    del data["filing_token"]
    response = signed_in.post(url("protest", importer.ior_number), data)
    assert "no filing token" in response.content.decode()
    assert not Case.objects.exists()


def test_adding_a_row_shows_one_more_and_judges_nothing(signed_in, importer):
    entry = liquidated_entry(importer, ago(10))
    data = protest_post(importer, [entry], description="")
    del data["file"]
    data["add_entry"] = "1"
    response = signed_in.post(url("protest", importer.ior_number), data)
    assert len(response.context["entries"].forms) == 2
    assert not response.context["form"].errors and "form-errors" not in response.content.decode()
    assert entry.formatted_number in response.content.decode()
    assert not Case.objects.exists()
