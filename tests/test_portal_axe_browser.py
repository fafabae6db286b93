"""axe-core and the CSP on every portal page (issue 13 item 8), in real Chromium.

Every portal URL pattern is read from the URLconf: each must be visited here as a page (in the state
named beside it), or be listed in NOT_PAGES with where its output is checked instead; a new portal
URL without either fails `test_every_portal_url_is_checked_by_axe`. A serious or critical axe
finding, or a CSP violation, fails the test (tests/test_browser.py `check_page`).
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.test_browser import check_page, csp_violations, sign_in, sign_out  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Axe-every-page-42"

# Portal URLs that are not pages, and where what they answer is checked.
NOT_PAGES = {
    "portal:document": "a file download (attachment), not a page",
    "portal:people-remove": "POST only; redirects to the people page (checked after a removal)",
    "portal:delegation-revoke": "POST only; redirects to the delegations page (checked with its rows)",
    "portal:invitation-cancel": "POST only; redirects to the people page (checked after a cancellation)",
    "portal:filing:protest_dates": "an htmx fragment, checked inside the protest form (protest-dates)",
    "portal:filing:entry_matches": "an htmx fragment (a datalist), checked inside the protest form",
    "portal:filing:entry_dates": "an htmx fragment, checked inside the PSC form (psc-dates)",
}


def portal_url_names() -> set[str]:
    """Every named portal URL pattern, with nested namespaces ("portal:filing:protest")."""
    names = set()

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name:
                names.add(prefix + p.name)

    _, resolver = get_resolver().namespace_dict["portal"]
    walk(resolver.url_patterns, "portal:")
    return names


@pytest.fixture
def world(settings, live_server):
    """An account with an administrator, a colleague, a delegated broker, a pending invitation, an open
    protest with a document and a message, a decided protest, a CF-28 and a proposed CF-29."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases import services
    from cee_portal.legal_time import legal_today
    from cee_portal.users.models import BrokerFirm, User
    from importers.models import ImporterMembership
    from importers.services import create_user, grant_delegation, invite_colleague
    from tests.factories import EntryFactory, ImporterFactory, liquidated_entry, protest_input

    settings.SITE_URL = live_server.url
    today = legal_today()
    importer = ImporterFactory(name="Keystone Machinery Inc.", center_ace_id="CEE010")
    ada = create_user("ada", password=PASSWORD, role="importer", importer_iors=[importer.ior_number])
    ImporterMembership.objects.filter(user=ada).update(is_account_admin=True)
    create_user("cy", password=PASSWORD, role="importer", importer_iors=[importer.ior_number])
    firm = BrokerFirm.objects.create(name="Harbor Entry Partners", filer_code="HEP")
    broker = create_user("bo", password=PASSWORD, role="broker")
    User.objects.filter(pk=broker.pk).update(broker_firm=firm)
    grant_delegation(
        actor=ada, importer=importer, broker_firm=firm, case_kinds=["protest", "cf28"], starts_on=today,
        ends_on=today + dt.timedelta(days=60), power_of_attorney="CBP 5291 no. 7781", today=today,
    )  # fmt: skip
    specialist = create_user("maria", password=PASSWORD, role="specialist", center_ace_id="CEE010")
    ada.refresh_from_db()
    _, token = invite_colleague(
        actor=ada, importer=importer, email="new@keystone.example", now=timezone.now()
    )
    open_protest = services.file_protest(
        actor=ada,
        importer=importer,
        **protest_input([liquidated_entry(importer, today - dt.timedelta(days=100))]),
        filed_on=today - dt.timedelta(days=92),
    ).case
    services.upload_document(
        actor=ada, case=open_protest, upload=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n% invoice\n")
    )
    services.post_message(actor=ada, case=open_protest, body="The invoice is attached.")
    decided = services.file_protest(
        actor=ada,
        importer=importer,
        **protest_input([liquidated_entry(importer, today - dt.timedelta(days=40))]),
        filed_on=today - dt.timedelta(days=30),
    ).case
    services.assign_case(decided, assignee=specialist, actor=specialist)
    decided.refresh_from_db()
    services.decide_case(decided, actor=specialist, outcome="denied", reasons="Correctly classified in 8471.")
    entry = EntryFactory(importer=importer, entry_date=today - dt.timedelta(days=20))
    cf28 = services.issue_information_request(actor=specialist, entry=entry, questions="Send the invoice.")
    cf29 = services.issue_notice_of_action(
        actor=specialist, entry=entry, action_kind="proposed", action="Advance the value by 8 percent."
    )
    return {
        "importer": importer,
        "token": token,
        "open": open_protest,
        "decided": decided,
        "cf28": cf28,
        "cf29": cf29,
        "entry": entry,
        "today": today,
    }


def test_every_portal_url_is_checked_by_axe(page, live_server, csp_violations, world, tmp_path):  # noqa: F811
    base, ior = live_server.url, world["importer"].ior_number
    visited: set[str] = set()

    def check(name: str, path: str | None = None) -> None:
        """axe and the CSP on the page shown now (after opening `path`, when given)."""
        if path is not None:
            page.goto(base + path)
        visited.add(resolve(page.url.removeprefix(base).split("?")[0]).view_name)
        assert page.locator("h1").count() == 1, name
        check_page(page, f"axe-{name}", csp_violations)

    # Anonymous: sign-in, the invitation (usable, unknown).
    check("sign-in", "/accounts/login/")
    check("invitation", f"/portal/invitations/{world['token']}/")
    assert page.locator("h1").inner_text() == "Join Keystone Machinery Inc."
    check("invitation-unusable", "/portal/invitations/not-a-token/")

    # The account's administrator: home, cases, people, delegations, notifications, every filing page.
    sign_in(page, base, "ada", PASSWORD)
    page.wait_for_url("**/portal/")
    check("home")
    check("home-one-account", f"/portal/?account={ior}")
    check("case-open", f"/portal/cases/{world['open'].reference_number}/")
    assert "invoice.pdf" in page.locator("main").inner_text()
    assert "The invoice is attached." in page.locator(".thread").inner_text()
    check("case-decided", f"/portal/cases/{world['decided'].reference_number}/")
    assert "Last day to sue in the Court of International Trade" in page.locator("main").inner_text()
    check("case-cf28", f"/portal/cases/{world['cf28'].reference_number}/")
    check("case-cf29", f"/portal/cases/{world['cf29'].reference_number}/")

    # The case page's two forms, refused (400): the page at the form's URL, with the reason beside it.
    page.goto(f"{base}/portal/cases/{world['open'].reference_number}/")
    bad = tmp_path / "tool.pdf"
    bad.write_bytes(b"MZ\x90\x00 not a pdf")
    page.set_input_files("#id_document-file", str(bad))
    page.click("button:has-text('Upload')")
    assert "not an allowed type" in page.locator("main").inner_text()
    check("case-upload-refused")
    page.fill("#id_message-body", "   ")  # blank once stripped (the browser's own check passes)
    page.click("button:has-text('Send')")
    assert "Write the message first: nothing was sent." in page.locator("main").inner_text()
    check("case-message-refused")

    check("people", f"/portal/accounts/{ior}/people/")
    page.fill("#id_email", "x@y")  # the browser accepts it; the address has no domain to deliver to
    page.click("text=Send the invitation")
    assert page.locator(".errorlist").count()
    check("people-refused")
    page.click("button:has-text('Remove cy')")
    assert "cy no longer acts for Keystone Machinery Inc." in page.locator(".messages").inner_text()
    check("people-after-removal")
    page.click("button:has-text('Cancel the invitation to new@keystone.example')")
    assert "The invitation to new@keystone.example is cancelled" in page.locator(".messages").inner_text()
    check("people-after-cancelling")
    check("delegations", f"/portal/accounts/{ior}/delegations/")
    page.fill("#id_filer_code", "QQQ")
    page.get_by_label("Post summary correction").check()
    page.fill("#id_ends_on", (world["today"] + dt.timedelta(days=30)).isoformat())
    page.fill("#id_power_of_attorney", "CBP 5291 no. 9")
    page.click("button:has-text('Delegate')")
    assert "No broker firm has the filer code QQQ" in page.locator("main").inner_text()
    check("delegations-refused")
    check("notifications", "/portal/notifications/")

    filing = "/portal/file"
    check("filing-protest", f"{filing}/{ior}/protest/")
    page.fill("#id_entries-0-entry", world["open"].entry_links.get().entry.formatted_number)
    page.click("button[name=preview]")
    assert world["open"].entry_links.get().entry.formatted_number in page.locator("#dates").inner_text()
    check("filing-protest-dates")
    page.click("button[name=file]")
    check("filing-protest-refused")
    check("filing-psc", f"{filing}/{ior}/psc/")
    page.fill("#id_entry", world["entry"].formatted_number)
    page.locator("#id_entry").press("Tab")
    page.wait_for_selector("#entry-dates :text('Last day for a post summary correction')")
    check("filing-psc-dates")
    check("filing-pic", f"{filing}/{ior}/pic/")
    open_ref = world["open"].reference_number
    check("filing-amend", f"{filing}/case/{open_ref}/amend/")
    check("filing-withdraw", f"{filing}/case/{open_ref}/withdraw/")
    check("filing-accelerate", f"{filing}/case/{open_ref}/accelerate/")
    check("filing-answer-cf28", f"{filing}/case/{world['cf28'].reference_number}/answer/")
    page.click("button[name=file]")  # no answer typed
    check("filing-answer-refused")
    check("filing-answer-cf29", f"{filing}/case/{world['cf29'].reference_number}/answer/")
    check("filing-not-allowed", f"{filing}/case/{world['decided'].reference_number}/withdraw/")
    page.goto(f"{base}{filing}/case/{open_ref}/accelerate/")
    page.fill("#id_mailed_on", world["today"].isoformat())
    page.click("button[name=file]")
    page.wait_for_url("**/portal/file/filed/**")
    check("filing-confirmation")
    sign_out(page)

    # A broker: its home (the switcher of the accounts it acts for) and a delegated case.
    sign_in(page, base, "bo", PASSWORD)
    page.wait_for_url("**/portal/")
    check("home-broker")
    check("case-broker", f"/portal/cases/{open_ref}/")
    sign_out(page)

    # The cancelled invitation's link says so.
    check("invitation-cancelled", f"/portal/invitations/{world['token']}/")
    assert page.locator("h1").inner_text() == "This invitation was cancelled"

    assert set(NOT_PAGES) <= portal_url_names(), "NOT_PAGES names a URL that no longer exists"
    missing = portal_url_names() - visited - set(NOT_PAGES)
    assert not missing, (
        f"portal URLs no axe check covers (visit them here or say why in NOT_PAGES): {missing}"
    )
