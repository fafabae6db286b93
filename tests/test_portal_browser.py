"""The portal in real Chromium (issue 13 item 8): an importer's administrator invites a colleague (the
link from the email works once, and an expired one does not), delegates a broker firm; the broker
sees the case and uploads a document. axe and the CSP are checked on every portal page."""

import datetime as dt
import re

import pytest

from tests.test_browser import check_page, csp_violations, sign_in, sign_out  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def test_invite_delegate_and_a_broker_uploads(page, live_server, csp_violations, tmp_path, settings):  # noqa: F811
    from django.core import mail

    settings.SITE_URL = live_server.url  # the invitation's link (sent through the outbox) points here

    from cases import services
    from cee_portal.legal_time import legal_today
    from cee_portal.users.models import BrokerFirm, User
    from importers.models import ImporterMembership, Invitation
    from importers.services import create_user
    from tests.factories import ImporterFactory, liquidated_entry, protest_input

    today = legal_today()
    importer = ImporterFactory(name="Keystone Machinery")
    admin = create_user("ada", password=PASSWORD, role="importer", importer_iors=[importer.ior_number])
    ImporterMembership.objects.filter(user=admin).update(is_account_admin=True)
    entry = liquidated_entry(importer, today - dt.timedelta(days=30))
    case = services.file_protest(
        actor=admin, importer=importer, **protest_input([entry]), filed_on=today - dt.timedelta(days=5)
    ).case
    firm = BrokerFirm.objects.create(name="Harbor Entry Partners", filer_code="HEP")
    broker = create_user("bo", password=PASSWORD, role="broker")
    User.objects.filter(pk=broker.pk).update(broker_firm=firm)

    # The administrator: home, people, invitation.
    sign_in(page, live_server.url, "ada", PASSWORD)
    page.wait_for_url("**/portal/")
    assert "Keystone Machinery" in page.locator("main").inner_text()
    check_page(page, "portal-home", csp_violations)
    page.click("main a:text-is('People')")
    page.wait_for_url("**/people/")
    assert page.locator("h1").inner_text() == "People of Keystone Machinery"
    check_page(page, "portal-people", csp_violations)
    page.fill("#id_email", "cy@example.com")
    page.click("text=Send the invitation")
    page.wait_for_selector(".messages")
    assert "An invitation was sent to cy@example.com" in page.locator(".messages").inner_text()
    link = re.search(r"http://\S+/portal/invitations/\S+/", mail.outbox[-1].body).group(0)

    # Delegation of protests to the broker's firm, for a month.
    page.click("text=Brokers of Keystone Machinery")
    page.wait_for_url("**/delegations/")
    check_page(page, "portal-delegations", csp_violations)
    page.fill("#id_filer_code", "QQQ")
    page.get_by_label("Protest (CBP Form 19)").check()
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#id_power_of_attorney", "CBP 5291 no. 7781")
    page.click("button:has-text('Delegate')")
    page.wait_for_selector(".errorlist")
    assert "No broker firm has the filer code QQQ" in page.locator("main").inner_text()
    check_page(page, "portal-delegations-refused", csp_violations)
    page.fill("#id_filer_code", "HEP")
    page.click("button:has-text('Delegate')")
    page.wait_for_selector(".messages")
    assert "Harbor Entry Partners may act for Keystone Machinery" in page.locator(".messages").inner_text()
    assert "In force" in page.locator("table").inner_text()
    check_page(page, "portal-delegations-granted", csp_violations)
    sign_out(page)

    # The colleague accepts once; the link is then spent.
    page.goto(link)
    assert page.locator("h1").inner_text() == "Join Keystone Machinery"
    check_page(page, "portal-invitation", csp_violations)
    page.fill("#id_username", "cy")
    page.fill("#id_password1", "Cy-passphrase-2026")
    page.fill("#id_password2", "Cy-passphrase-2026")
    page.click("text=Create my sign-in")
    page.wait_for_url("**/accounts/login/")
    page.goto(link)
    assert page.locator("h1").inner_text() == "This invitation link cannot be used"
    check_page(page, "portal-invitation-spent", csp_violations)
    sign_in(page, live_server.url, "cy", "Cy-passphrase-2026")
    page.wait_for_url("**/portal/")
    assert "Keystone Machinery" in page.locator("main").inner_text()
    sign_out(page)

    # An expired link does not work either.
    _, token = services_invite(admin, importer)
    Invitation.objects.filter(email="late@example.com").update(
        expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    page.goto(f"{live_server.url}/portal/invitations/{token}/")
    assert page.locator("h1").inner_text() == "This invitation link cannot be used"

    # The broker sees the case and uploads a document; a refused file says why.
    sign_in(page, live_server.url, "bo", PASSWORD)
    page.wait_for_url("**/portal/")
    check_page(page, "portal-home-broker", csp_violations)
    page.click(f"text={case.reference_number}")
    page.wait_for_url(f"**/portal/cases/{case.reference_number}/")
    assert page.locator("h1").inner_text() == f"Case {case.reference_number}"
    check_page(page, "portal-case", csp_violations)
    pdf = tmp_path / "commercial-invoice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% invoice 4711\n")
    page.set_input_files("#id_document-file", str(pdf))
    page.click("button:has-text('Upload')")
    page.wait_for_selector(".messages")
    assert "commercial-invoice.pdf was added" in page.locator(".messages").inner_text()
    timeline = page.locator(".timeline").inner_text()
    assert "Harbor Entry Partners for Keystone Machinery under delegation" in timeline
    check_page(page, "portal-case-document", csp_violations)
    bad = tmp_path / "tool.pdf"
    bad.write_bytes(b"MZ\x90\x00 not a pdf")
    page.set_input_files("#id_document-file", str(bad))
    page.click("button:has-text('Upload')")
    page.wait_for_selector(".form-errors, .errorlist")
    assert "not an allowed type" in page.locator("main").inner_text()
    check_page(page, "portal-case-refused", csp_violations)
    page.fill("#id_message-body", "The invoice is attached.")
    page.click("button:has-text('Send')")
    page.wait_for_selector(".thread")
    assert "The invoice is attached." in page.locator(".thread").inner_text()
    check_page(page, "portal-case-message", csp_violations)
    assert case.documents.get().uploaded_by == broker


def services_invite(admin, importer):
    from django.utils import timezone

    from importers.services import invite_colleague

    return invite_colleague(
        actor=admin, importer=importer, email="late@example.com", now=timezone.now()
    )
