"""The case, entry and account pages in real Chromium (issue 12 items 9-10): claim, request
information, decide, a stale edit from a second browser, the packet download; axe-core and the CSP
on every page (serious or critical findings fail)."""

import datetime as dt
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest

from tests.test_browser import AXE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2026, 11, 2)
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _legal_today(monkeypatch):
    monkeypatch.setattr("web.staff.case.legal_today", lambda: TODAY)


def watch(page) -> list[str]:
    """axe as an init script and the CSP reports of the page (as tests/test_browser.py does)."""
    page.add_init_script(path=str(AXE))
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


@pytest.fixture
def protest():
    from cases import services
    from importers.models import AccountAssignment, Entry, EntryLine, ImporterMonthlyMix
    from importers.services import create_user
    from tests.factories import (
        EntryLineFactory,
        ImporterFactory,
        center,
        liquidated_entry,
        protest_input,
        trade_user,
    )

    for name, role in (("maria", "specialist"), ("li", "specialist"), ("sam", "supervisor")):
        create_user(name, password=PASSWORD, role=role, center_ace_id="CEE010")
    importer = ImporterFactory(name="Keystone Machinery Inc.")
    entry = liquidated_entry(importer, dt.date(2026, 5, 1))
    Entry.objects.filter(pk=entry.pk).update(importation_date=None)  # a feed without it: shown as missing
    EntryLineFactory(entry=entry, line_number=1, center=center("CEE010"))
    EntryLineFactory(entry=entry, line_number=2, hts_number="3004909290", center=center("CEE001"))
    AccountAssignment.objects.create(
        importer=importer, from_center=None, to_center=center("CEE010"), reason="computed",
        effective_on=dt.date(2026, 1, 1),
        figures={"basis": "lines", "volume": "25", "by_center": {"CEE010": "20", "CEE001": "5"},
                 "shares": {"CEE010": "80.0", "CEE001": "20.0"}},
    )  # fmt: skip
    for m in range(6):
        for ace, lines in (("CEE010", 20 + m), ("CEE001", 5)):
            ImporterMonthlyMix.objects.create(
                importer=importer, month=dt.date(2026, m + 1, 1), center=center(ace), line_count=lines,
                entered_value=Decimal(100),
            )  # fmt: skip
    yield services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    # The flush after a transactional test deletes entries before their lines; SQLite's trigger for the
    # line -> entry reference (no database constraint) refuses that, so the lines go first.
    EntryLine.objects.all().delete()


def open_action(page, label: str) -> None:
    page.click(f"details.action summary:text-is('{label}')")


def test_claim_request_information_and_decide(page, live_server, protest):
    from cases.models import Case

    csp = watch(page)
    sign_in(page, live_server.url, "maria", PASSWORD)
    page.wait_for_url("**/queue/")
    page.goto(f"{live_server.url}/cases/{protest.reference_number}/")
    assert page.locator("h1").inner_text() == f"Case {protest.reference_number}"
    check_page(page, "case-page", csp)

    open_action(page, "Claim")
    page.click("#action-claim button[type=submit]")
    assert "You claimed case" in page.locator(".messages").inner_text()
    assert "Claim" not in [s.inner_text() for s in page.locator("details.action summary").all()]

    open_action(page, "Request information (CF-28)")
    page.click("#action-request_information button[type=submit]")  # no questions: refused beside the field
    assert page.locator("#action-request_information .errorlist").count() >= 1
    check_page(page, "case-page-refused-form", csp)
    page.fill("#id_request_information-questions", "Send the commercial invoice.")
    page.click("#action-request_information button[type=submit]")
    assert "Request for information" in page.locator(".messages").inner_text()

    open_action(page, "Decide")
    page.check("input[name='decide-outcome'][value='denied']")
    page.fill("#id_decide-reasons", "Correctly classified in heading 8471.")
    page.click("#action-decide button[type=submit]")
    assert "denied" in page.locator(".messages").inner_text()
    assert page.locator(".lead strong").inner_text() == "Denied"
    check_page(page, "case-page-decided", csp)
    case = Case.objects.get(pk=protest.pk)
    assert (case.status, case.assignee.username, case.children.count()) == ("denied", "maria", 1)

    with page.expect_download() as info:
        page.click("text=Download the case record")
    archive = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))
    for line in archive.read("MANIFEST.sha256").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest


def test_stale_edit_from_a_second_browser_is_refused_with_what_changed(browser, live_server, protest):
    from cases.models import Case

    url = f"{live_server.url}/cases/{protest.reference_number}/"
    pages = []
    for username in ("maria", "li"):
        context = browser.new_context()
        page = context.new_page()
        csp = watch(page)
        sign_in(page, live_server.url, username, PASSWORD)
        page.wait_for_url("**/queue/")
        page.goto(url)
        pages.append((page, csp))
    (first, _), (second, second_csp) = pages
    open_action(first, "Claim")
    first.click("#action-claim button[type=submit]")
    assert "You claimed case" in first.locator(".messages").inner_text()

    open_action(second, "Start review")
    second.fill("#id_start_review-note", "Opening the file")
    second.click("#action-start_review button[type=submit]")
    changed = second.locator(".changed")
    assert "Changed since you loaded this page" in changed.inner_text()
    assert "Assignee" in changed.inner_text() and "maria" in changed.inner_text()
    assert "changed since you loaded it" in second.locator("#action-start_review .form-errors").inner_text()
    assert second.locator("#id_start_review-note").input_value() == "Opening the file"
    check_page(second, "case-page-stale", second_csp)
    case = Case.objects.get(pk=protest.pk)
    assert (case.status, case.assignee.username) == ("received", "maria")
    # Read the change, send again: now it goes through.
    second.click("#action-start_review button[type=submit]")
    assert "under review" in second.locator(".messages").inner_text()


def test_entry_search_entry_page_and_account_page_pass_axe(page, live_server, protest):
    csp = watch(page)
    entry = protest.entry_links.get().entry
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.wait_for_url("**/queue/")
    page.fill("#site-search", entry.entry_number[:5])
    page.click(".site-search button")
    page.wait_for_url("**/entries/?q=*")
    check_page(page, "entry-search", csp)
    page.click(f"text={entry.formatted_number}")
    page.wait_for_url(f"**/entries/{entry.entry_number}/")
    assert "Missing" in page.locator("dl.facts").inner_text()
    check_page(page, "entry-page", csp)
    page.click(f"text={protest.reference_number}")
    page.wait_for_url(f"**/cases/{protest.reference_number}/")
    page.click("text=Keystone Machinery Inc.")
    page.wait_for_url(f"**/importers/{protest.importer.ior_number}/")
    assert page.locator("svg.mix-chart rect").count() == 12
    check_page(page, "account-page", csp)
