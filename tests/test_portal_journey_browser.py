"""One journey across roles in real Chromium (issue 13 item 8), against the live server.

An importer's administrator invites a colleague (who accepts through the emailed link) and delegates
protests to a broker firm; the broker files a protest on two entries and uploads a document; a CBP
specialist sends a CF-28 from the workspace case page; the colleague answers it with a document; the
specialist allows the protest in part with reasons; the administrator reads the decision, its
reasons and the Court of International Trade deadline (180 days, 28 U.S.C. 2636(a), rolled past a
weekend or holiday by USCIT Rule 6(a)(1)(C)) on the portal case page. axe and the CSP on every page.

Legal today is pinned for the whole run (`pinned_today`): every module's `legal_today` answers the
date the test started with, so a run across midnight (US Eastern) cannot split the dates it checks.
"""

import datetime as dt
import re
import sys

import pytest

from tests.test_browser import check_page, csp_violations, sign_in, sign_out  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Journey-passphrase-42"


@pytest.fixture
def pinned_today(monkeypatch):
    """Every loaded module's `legal_today` (and the source's) answers the date the test started."""
    from django.urls import get_resolver

    from cee_portal import legal_time

    get_resolver().url_patterns  # noqa: B018  (imports every view module, so each binding is patched)
    today = legal_time.legal_today()
    original = legal_time.legal_today
    for module in list(sys.modules.values()):
        if getattr(module, "legal_today", None) is original:
            monkeypatch.setattr(module, "legal_today", lambda: today)
    return today


@pytest.fixture
def people(settings, live_server):
    from cee_portal.users.models import BrokerFirm, User
    from importers.models import ImporterMembership
    from importers.services import create_user
    from tests.factories import ImporterFactory

    settings.SITE_URL = live_server.url  # the links in emails point at this server
    importer = ImporterFactory(name="Keystone Machinery Inc.", center_ace_id="CEE010")
    admin = create_user(
        "ada",
        password=PASSWORD,
        role="importer",
        importer_iors=[importer.ior_number],
        email="ada@keystone.example",
    )
    ImporterMembership.objects.filter(user=admin).update(is_account_admin=True)
    firm = BrokerFirm.objects.create(name="Harbor Entry Partners", filer_code="HEP")
    broker = create_user("bo", password=PASSWORD, role="broker", email="bo@harbor.example")
    User.objects.filter(pk=broker.pk).update(broker_firm=firm)
    create_user(
        "maria", password=PASSWORD, role="specialist", center_ace_id="CEE010", email="maria@cbp.example.gov"
    )
    return importer


def test_invite_delegate_protest_cf28_answer_and_decision_in_part(
    page,
    live_server,
    csp_violations,  # noqa: F811 (the fixture)
    pinned_today,
    people,
    tmp_path,  # noqa: F811
):
    from django.core import mail

    from cases import deadlines
    from cases.models import Case, CaseKind
    from cases.services.common import clock_policy
    from tests.factories import liquidated_entry

    today, importer, policy = pinned_today, people, clock_policy()
    first = liquidated_entry(importer, today - dt.timedelta(days=10))
    second = liquidated_entry(importer, today - dt.timedelta(days=30))

    # 1. The administrator invites a colleague and delegates protests to the broker's firm.
    sign_in(page, live_server.url, "ada", PASSWORD)
    page.wait_for_url("**/portal/")
    check_page(page, "journey-home-admin", csp_violations)
    page.click("main a:text-is('People')")
    page.wait_for_url("**/people/")
    page.fill("#id_email", "cy@keystone.example")
    page.click("text=Send the invitation")
    assert "An invitation was sent to cy@keystone.example" in page.locator(".messages").inner_text()
    assert (
        "cy@keystone.example" in page.locator("table", has_text="Invitations not yet accepted").inner_text()
    )
    check_page(page, "journey-people-invited", csp_violations)
    invitation_mail = next(m for m in mail.outbox if m.to == ["cy@keystone.example"])
    link = re.search(r"http://\S+/portal/invitations/\S+/", invitation_mail.body).group(0)

    page.click("text=Brokers of Keystone Machinery Inc.")
    page.wait_for_url("**/delegations/")
    page.fill("#id_filer_code", "HEP")
    page.get_by_label("Protest (CBP Form 19)").check()
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=90)).isoformat())
    page.fill("#id_power_of_attorney", "CBP 5291 no. 7781")
    page.click("button:has-text('Delegate')")
    granted = page.locator(".messages").inner_text()
    assert "Harbor Entry Partners may act for Keystone Machinery Inc." in granted
    assert "on: Protest (CBP Form 19)" in granted
    row = page.locator("table tbody tr").first.inner_text()
    assert (
        "Protest (CBP Form 19)" in row and "In force" in row and "protest" not in row.replace("Protest", "")
    )
    check_page(page, "journey-delegated", csp_violations)
    sign_out(page)

    # 2. The colleague accepts through the emailed link and signs in.
    page.goto(link)
    assert page.locator("h1").inner_text() == "Join Keystone Machinery Inc."
    page.fill("#id_username", "cy")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("text=Create my sign-in")
    page.wait_for_url("**/accounts/login/")
    sign_in(page, live_server.url, "cy", PASSWORD)
    page.wait_for_url("**/portal/")
    assert "Keystone Machinery Inc." in page.locator("main table").first.inner_text()
    sign_out(page)

    # 3. The broker files a protest on two entries (the dates show before filing) and adds a document.
    sign_in(page, live_server.url, "bo", PASSWORD)
    page.wait_for_url("**/portal/")
    accounts = page.locator("main table").first.inner_text()
    assert "Protest (CBP Form 19)" in accounts and "Post summary correction" not in accounts
    check_page(page, "journey-home-broker", csp_violations)
    page.click("main table >> a:text-is('Protest')")
    page.wait_for_url(f"**/portal/file/{importer.ior_number}/protest/")
    page.fill("#id_agent_name", "Harbor Entry Partners")
    page.fill("#id_entries-0-entry", first.formatted_number)
    page.select_option("#id_entries-0-decision", "classification")
    closes = deadlines.protest_filing_deadline(first.liquidation_date, policy=policy).due_on
    page.wait_for_selector(f"#dates :text('{closes.isoformat()}')")
    page.click("button[name=add_entry]")
    page.fill("#id_entries-1-entry", second.formatted_number)
    page.select_option("#id_entries-1-decision", "appraisement")
    page.fill("#id_objections-0-text", "Classify in 8429.52")
    page.fill("#id_objections-0-justification", "GRI 1; EN to 84.29")
    page.click("button[name=add_objection]")
    page.select_option("#id_objections-1-protested_decision", "appraisement")
    page.fill("#id_objections-1-text", "Transaction value, not deductive value")
    page.fill("#id_objections-1-justification", "19 U.S.C. 1401a(b)")
    page.fill("#id_description", "Hydraulic excavators")
    page.click("button[name=file]")
    page.wait_for_url("**/portal/file/filed/**")
    protest = Case.objects.get(kind=CaseKind.PROTEST)
    assert page.locator("h1").inner_text() == f"Filed: {protest.reference_number}"
    target = deadlines.protest_decision_target(today, policy=policy).due_on
    assert target.isoformat() in page.locator("table").first.inner_text()
    check_page(page, "journey-filed", csp_violations)
    page.click(f"text=Open case {protest.reference_number}")
    page.wait_for_url(f"**/portal/cases/{protest.reference_number}/")
    invoice = tmp_path / "commercial-invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4\n% commercial invoice 4711\n")
    page.set_input_files("#id_document-file", str(invoice))
    page.click("button:has-text('Upload')")
    assert "commercial-invoice.pdf was added" in page.locator(".messages").inner_text()
    assert "commercial-invoice.pdf" in page.locator("table", has_text="Documents of this case").inner_text()
    timeline = page.locator(".timeline").inner_text()
    assert "Harbor Entry Partners for Keystone Machinery Inc. under delegation" in timeline
    check_page(page, "journey-broker-case", csp_violations)
    sign_out(page)

    # 4. The specialist claims the protest and sends a CF-28 from the workspace case page.
    sign_in(page, live_server.url, "maria", PASSWORD)
    page.wait_for_url("**/queue/")
    page.goto(f"{live_server.url}/cases/{protest.reference_number}/")
    assert "commercial-invoice.pdf" in page.locator("main").inner_text()  # staff see the broker's upload
    page.click("details.action summary:text-is('Claim')")
    page.click("#action-claim button[type=submit]")
    assert "You claimed case" in page.locator(".messages").inner_text()
    page.click("details.action summary:text-is('Request information (CF-28)')")
    page.select_option("#id_request_information-entry", second.entry_number)
    page.fill("#id_request_information-questions", "Send the sales contract and proof of payment.")
    page.click("#action-request_information button[type=submit]")
    assert "Request for information" in page.locator(".messages").inner_text()
    cf28 = protest.children.get(kind=CaseKind.CF28)
    answer_due = deadlines.cf28_response_due(today, policy=policy).due_on
    assert cf28.reference_number in page.locator("main").inner_text()
    check_page(page, "journey-cf28-sent", csp_violations)
    sign_out(page)

    # 5. The colleague finds the request waiting, answers with a document.
    sign_in(page, live_server.url, "cy", PASSWORD)
    page.wait_for_url("**/portal/")
    waiting = page.locator("table", has_text="Requests for information (CF-28) to answer").inner_text()
    assert cf28.reference_number in waiting and answer_due.isoformat() in waiting
    page.click(f"main a:text-is('{cf28.reference_number}')")
    page.wait_for_url(f"**/portal/cases/{cf28.reference_number}/")
    check_page(page, "journey-cf28-portal", csp_violations)
    assert "Send the sales contract and proof of payment." in page.locator(".asked").inner_text()
    page.click("main a:text-is('Answer the request for information')")
    page.wait_for_url(f"**/portal/file/case/{cf28.reference_number}/answer/")
    assert "Send the sales contract and proof of payment." in page.locator("main").inner_text()
    assert answer_due.isoformat() in page.locator("main").inner_text()
    check_page(page, "journey-answer", csp_violations)
    contract = tmp_path / "sales-contract.pdf"
    contract.write_bytes(b"%PDF-1.4\n% sales contract and wire transfer\n")
    page.fill("#id_answer", "The contract and the wire transfer are attached.")
    page.set_input_files("#id_documents", str(contract))
    page.click("button:has-text('Send the answer')")
    page.wait_for_url(f"**/portal/file/filed/{cf28.reference_number}/")
    assert (
        page.locator(".lead")
        .inner_text()
        .endswith(f"Keep the reference number {cf28.reference_number} for every later step.")
    )
    check_page(page, "journey-answered", csp_violations)
    cf28.refresh_from_db()
    assert cf28.status == "answered"
    assert [d.original_name for d in cf28.documents.all()] == ["sales-contract.pdf"]
    sign_out(page)

    # 6. The specialist reads the answer and allows the protest in part, with reasons.
    sign_in(page, live_server.url, "maria", PASSWORD)
    page.wait_for_url("**/queue/")
    page.goto(f"{live_server.url}/cases/{cf28.reference_number}/")
    staff_view = page.locator("main").inner_text()
    assert (
        "The contract and the wire transfer are attached." in staff_view
        and "sales-contract.pdf" in staff_view
    )
    page.goto(f"{live_server.url}/cases/{protest.reference_number}/")
    page.click("details.action summary:text-is('Decide')")
    page.check("input[name='decide-outcome'][value='allowed_in_part']")
    reasons = "Objection 1 allowed: heading 8429 (GRI 1). Objection 2 denied: no sale for export was shown."
    page.fill("#id_decide-reasons", reasons)
    page.fill("#id_decide-refund_amount", "1250.00")
    page.select_option("#id_decide-objection_1", "allowed")
    page.select_option("#id_decide-objection_2", "denied")
    page.click("#action-decide button[type=submit]")
    assert "allowed in part" in page.locator(".messages").inner_text().lower()
    check_page(page, "journey-decided-staff", csp_violations)
    sign_out(page)

    # 7. The administrator sees the decision, its reasons and the Court's deadline on the portal.
    court = deadlines.court_deadline_after_denial(today)
    assert court.due_on >= today + dt.timedelta(days=180)
    sign_in(page, live_server.url, "ada", PASSWORD)
    page.wait_for_url("**/portal/")
    decisions = page.locator("table", has_text="Decisions of the last 90 days").inner_text()
    assert protest.reference_number in decisions and "Allowed in part" in decisions
    page.click(f"table:has-text('Decisions of the last 90 days') a:text-is('{protest.reference_number}')")
    page.wait_for_url(f"**/portal/cases/{protest.reference_number}/")
    decision = page.locator(".decision").inner_text()
    assert f"Allowed in part on {today.isoformat()}" in decision
    assert reasons in decision and "1250.00" in decision
    row = page.locator("tr.deadline[data-kind='court_of_international_trade']").inner_text()
    assert "Last day to sue in the Court of International Trade" in row
    assert court.due_on.isoformat() in row and "28 U.S.C. 2636(a)" in row
    assert f"{(court.due_on - today).days} days left" in row
    if court.period_ends_on:  # the 180th day fell on a weekend or holiday: shown beside the deadline
        assert f"180th day, {court.period_ends_on:%a %Y-%m-%d}" in row
    else:
        assert court.due_on == today + dt.timedelta(days=180)
    check_page(page, "journey-decision-portal", csp_violations)

    # The decision reached the importer's side by email, with its reasons (issue 13 item 6).
    notice = [
        m for m in mail.outbox if m.to == ["ada@keystone.example"] and protest.reference_number in m.subject
    ]
    assert any(reasons in m.body for m in notice)
