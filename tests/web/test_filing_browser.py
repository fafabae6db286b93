"""Filing in the portal in real Chromium: the protest journey, and axe on every filing page.

A protest on two entries with two objections: the dates appear as the entries are chosen (htmx),
a refused submission keeps what was typed with the reason beside the field, the filed protest's
confirmation shows its reference number and the dates that now run.
"""

import datetime as dt
import re

import pytest

from cee_portal.legal_time import legal_today
from tests.test_browser import check_page, csp_violations, sign_in  # noqa: F401 (csp_violations: fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Filing-journey-42"


@pytest.fixture
def account():
    from importers.services import create_user
    from tests.factories import ImporterFactory

    importer = ImporterFactory(name="Keystone Machinery Inc.", center_ace_id="CEE010")
    create_user("imelda", password=PASSWORD, role="importer", importer_iors=[importer.ior_number])
    return importer


def test_file_a_protest_on_two_entries_with_two_objections(page, live_server, csp_violations, account):  # noqa: F811
    from cases.models import Case
    from tests.factories import liquidated_entry

    today = legal_today()
    first = liquidated_entry(account, today - dt.timedelta(days=10))
    second = liquidated_entry(account, today - dt.timedelta(days=30))
    sign_in(page, live_server.url, "imelda", PASSWORD)
    page.wait_for_url("**/portal/")
    page.goto(f"{live_server.url}/portal/file/{account.ior_number}/protest/")
    assert page.locator("h1").inner_text() == "File a protest"
    check_page(page, "filing-protest", csp_violations)

    page.fill("#id_entries-0-entry", first.formatted_number)
    page.select_option("#id_entries-0-decision", "classification")
    closes = (today - dt.timedelta(days=10) + dt.timedelta(days=180)).isoformat()
    page.wait_for_selector(f"#dates :text('{closes}')")  # htmx refreshed the dates as the entry was chosen
    assert "in 170 days" in page.locator("#dates").inner_text()

    page.click("button[name=add_entry]")
    assert page.locator(".form-errors").count() == 0  # adding a row judges nothing yet
    page.fill("#id_entries-1-entry", second.formatted_number)
    page.select_option("#id_entries-1-decision", "appraisement")
    page.fill("#id_objections-0-text", "Classify in 8429.52")
    page.fill("#id_objections-0-justification", "GRI 1; EN to 84.29")
    page.click("button[name=add_objection]")
    page.select_option("#id_objections-1-protested_decision", "appraisement")
    page.fill("#id_objections-1-text", "Transaction value, not deductive")
    page.fill("#id_objections-1-justification", "19 U.S.C. 1401a(b)")
    page.click("button[name=preview]")
    dates = page.locator("#dates").inner_text()
    assert f"entry {first.formatted_number}" in dates and f"entry {second.formatted_number}" in dates
    assert "in 150 days" in dates and "two-year target" in dates
    check_page(page, "filing-protest-dates", csp_violations)

    # Refused: no description (19 CFR 174.13(a)(5)); what was typed stays.
    page.click("button[name=file]")
    assert "Nothing was filed" in page.locator(".form-errors").first.inner_text()
    assert page.locator("#id_objections-1-text").input_value() == "Transaction value, not deductive"
    assert page.locator(".field-invalid #id_description").count() == 1
    check_page(page, "filing-protest-refused", csp_violations)
    assert not Case.objects.exists()

    page.fill("#id_description", "Hydraulic excavators")
    page.click("button[name=file]")
    page.wait_for_url("**/portal/file/filed/**")
    case = Case.objects.get()
    assert page.locator("h1").inner_text() == f"Filed: {case.reference_number}"
    table = page.locator("table").first.inner_text()
    target = case.deadlines.get(kind="protest_decision_target").due_on.isoformat()
    assert target in table and "19 U.S.C. 1515(a)" in table
    assert case.entry_links.count() == 2 and case.objections.count() == 2
    check_page(page, "filing-confirmation", csp_violations)

    # Going back and posting again (a retried POST) files nothing new.
    page.go_back()
    page.click("button[name=file]")
    page.wait_for_url(f"**/portal/file/filed/{case.reference_number}/")
    assert re.search("already submitted", page.locator(".messages").inner_text())
    assert Case.objects.count() == 1


def test_every_other_filing_page_passes_axe(page, live_server, csp_violations, account):  # noqa: F811
    from cases import services
    from cee_portal.users.models import User
    from tests.factories import EntryFactory, liquidated_entry, protest_input, staff_user

    today = legal_today()
    filer = User.objects.get(username="imelda")
    protest = services.file_protest(
        actor=filer,
        importer=account,
        **protest_input([liquidated_entry(account, today - dt.timedelta(days=100))]),
        filed_on=today - dt.timedelta(days=92),
    ).case
    entry = EntryFactory(importer=account, entry_date=today - dt.timedelta(days=20))
    specialist = staff_user()
    cf28 = services.issue_information_request(actor=specialist, entry=entry, questions="Send the invoice")
    cf29 = services.issue_notice_of_action(
        actor=specialist, entry=entry, action_kind="proposed", action="Advance"
    )
    sign_in(page, live_server.url, "imelda", PASSWORD)
    page.wait_for_url("**/portal/")
    base = f"{live_server.url}/portal/file"
    pages = {
        "filing-psc": f"{base}/{account.ior_number}/psc/",
        "filing-pic": f"{base}/{account.ior_number}/pic/",
        "filing-amend": f"{base}/case/{protest.reference_number}/amend/",
        "filing-accelerate": f"{base}/case/{protest.reference_number}/accelerate/",
        "filing-withdraw": f"{base}/case/{protest.reference_number}/withdraw/",
        "filing-answer-cf28": f"{base}/case/{cf28.reference_number}/answer/",
        "filing-answer-cf29": f"{base}/case/{cf29.reference_number}/answer/",
    }
    for name, address in pages.items():
        page.goto(address)
        assert page.locator("h1").count() == 1, name
        check_page(page, name, csp_violations)

    # The PSC window appears as the entry number is typed (htmx), before anything is submitted.
    page.goto(pages["filing-psc"])
    page.fill("#id_entry", entry.formatted_number)
    page.locator("#id_entry").press("Tab")
    page.wait_for_selector("#entry-dates :text('Last day for a post summary correction')")
    assert "19 CFR 101.9(b)(1)" in page.locator("#entry-dates").inner_text()
    check_page(page, "filing-psc-dates", csp_violations)

    # PSC refused on a liquidated entry: the reason beside the entry, axe on the refused page.
    page.goto(pages["filing-psc"])
    page.fill("#id_entry", protest.entry_links.get().entry.formatted_number)
    page.fill("#id_reason_code", "01")
    page.fill("#id_explanation", "Classification")
    page.fill("#id_lines-0-line_number", "1")
    page.fill("#id_lines-0-hts_number", "8429.52.1010")
    page.fill("#id_lines-0-entered_value", "100")
    page.click("button[name=file]")
    assert "101.9(b)" in page.locator(".field-invalid").first.inner_text()
    check_page(page, "filing-psc-refused", csp_violations)

    # Accelerated disposition recorded: the confirmation shows the deemed-denial date.
    page.goto(pages["filing-accelerate"])
    page.fill("#id_mailed_on", today.isoformat())
    page.click("button[name=file]")
    page.wait_for_url("**/portal/file/filed/**")
    assert "Accelerated disposition: deemed denied on" in page.locator("table").first.inner_text()
    check_page(page, "filing-confirmation-accelerated", csp_violations)
