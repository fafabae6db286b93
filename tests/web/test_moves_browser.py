"""Browser checks of the account-move pages and the dashboard (issue 12, items 7-10), in Chromium.

A supervisor pins an account through the page; every move page and the dashboard pass axe (no serious
or critical finding) with no CSP violation; a running job's progress updates itself by htmx polling
and stops once finished. SCREENSHOT_DIR keeps a screenshot of every page checked.
"""

import datetime as dt

import pytest

from tests.test_browser import AXE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    """As tests/test_browser.py's: axe as an init script, CSP reports from the console collected."""
    page.add_init_script(path=str(AXE))
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


PASSWORD = "Correct-horse-42"


def person(username: str, role: str, center: str | None = None):
    from importers.services import create_user

    return create_user(username, password=PASSWORD, role=role, center_ace_id=center)


def some_cases():
    """Open cases of two Centers and a few decisions, so every chart has bars."""
    from cases.models import CaseEntry, Decision
    from cee_portal.legal_time import legal_today
    from tests.cases.test_selectors import make_case
    from tests.factories import EntryFactory, ImporterFactory

    today = legal_today()
    machinery = ImporterFactory(name="Keystone Machinery Inc.")
    pharma = ImporterFactory(center_ace_id="CEE001", name="Pinewood Pharma LLC")
    maria = person("maria", "specialist", "CEE010")
    for n in range(8):
        make_case(
            machinery if n % 3 else pharma,
            kind=("protest", "psc", "cf28")[n % 3],
            status=("received", "under_review", "issued")[n % 3],
            deadline=today + dt.timedelta(days=n * 6 - 10),
            filed_on=today - dt.timedelta(days=n * 97),
            assignee=maria if n % 2 else None,
            port=("2304", "5301")[n % 2],
        )
    for n, outcome in enumerate(["allowed", "denied", "denied", "allowed_in_part", "allowed"]):
        case = make_case(machinery, status=outcome, port=("2304", "5301")[n % 2])
        Decision.objects.create(
            case=case, outcome=outcome, decided_on=today - dt.timedelta(days=n * 9), reasons="r"
        )
        CaseEntry.objects.create(
            case=case,
            entry=EntryFactory(importer=machinery),
            case_kind="protest",
            protested_decision="classification",
        )
    return machinery


def test_a_supervisor_pins_an_account_and_lifts_the_pin(page, live_server, csp_violations):
    machinery = some_cases()
    person("sam", "supervisor", "CEE010")
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.wait_for_url("**/queue/")
    page.click(".site-nav >> text=Moves")
    page.wait_for_url("**/moves/")
    assert page.locator("h1").inner_text() == "Account moves"
    check_page(page, "moves-home", csp_violations)

    page.fill("#id_ior", machinery.ior_number)
    page.click("text=Open the account")
    page.wait_for_url(f"**/moves/accounts/{machinery.ior_number}/")
    check_page(page, "moves-account", csp_violations)
    # Bad input first: the message stands beside the field, nothing pinned.
    page.click("button:has-text('Pin the account')")
    assert "Choose the reason for the pin" in page.locator(".field-invalid").first.inner_text()
    check_page(page, "moves-account-pin-error", csp_violations)

    page.select_option("#pin_pin_reason", "business_practice")
    page.fill("#pin_note", "Agreed with OFO on 2 November")
    page.click("button:has-text('Pin the account')")
    assert "is pinned to its Center" in page.locator(".messages").inner_text()
    assert page.locator("#pin-state").inner_text().startswith("Pinned: Business practice, by sam")
    machinery.refresh_from_db()
    assert machinery.pin_reason == "business_practice"

    page.fill("#unpin_note", "The practice ended")
    page.click("button:has-text('Lift the pin')")
    assert "The pin on" in page.locator(".messages").inner_text()
    machinery.refresh_from_db()
    assert not machinery.is_pinned


def test_a_move_by_hand_confirms_its_open_cases(page, live_server, csp_violations):
    machinery = some_cases()
    person("nat", "supervisor")
    sign_in(page, live_server.url, "nat", PASSWORD)
    page.goto(f"{live_server.url}/moves/accounts/{machinery.ior_number}/")
    page.select_option("#move_to_center", "CEE001")
    page.select_option("#move_pin_reason", "intended_use")
    page.fill("#move_note", "Sold as pharmaceutical equipment")
    page.click("text=Review the move")
    assert "open cases move with the account" in page.locator("#open-cases-moving").inner_text()
    check_page(page, "moves-confirm", csp_violations)
    page.click("button:has-text('Move the account')")
    assert "moved to CEE001" in page.locator(".messages").inner_text()
    machinery.refresh_from_db()
    assert machinery.center.ace_id == "CEE001"
    assert machinery.cases.filter(is_open=True).exclude(center__ace_id="CEE001").count() == 0


def test_the_preview_runs_and_rule_pages_pass_axe_and_progress_polls_until_finished(
    page, live_server, csp_violations
):
    from importers.models import ReassignmentJob
    from tests.factories import ImporterFactory
    from tests.importers.test_reassignment import add_lines

    shifting = ImporterFactory(center_ace_id="CEE009", name="Shifting Plastics Co.")
    add_lines(shifting, "8429510000", 30, on=dt.date.today() - dt.timedelta(days=30))
    job = ReassignmentJob.objects.create(
        scope="full", as_of=dt.date.today(), planned=900, chunks_total=3, chunks_done=1
    )
    person("ada", "admin")
    sign_in(page, live_server.url, "ada", PASSWORD)
    page.goto(live_server.url + "/moves/preview/")
    assert "Shifting Plastics Co." in page.locator("table").inner_text()
    check_page(page, "moves-preview", csp_violations)
    page.goto(live_server.url + "/moves/runs/")
    check_page(page, "moves-runs", csp_violations)
    page.goto(f"{live_server.url}/moves/runs/{job.pk}/")
    assert "Chunks done: 1 of 3" in page.locator(".run-progress").inner_text()
    check_page(page, "moves-run-running", csp_violations)
    ReassignmentJob.objects.filter(pk=job.pk).update(state="finished", chunks_done=3, moved=900)
    page.wait_for_selector(".run-progress:has-text('Finished')", timeout=10_000)  # htmx polled
    assert page.locator(".run-progress[hx-trigger]").count() == 0  # and stopped polling
    check_page(page, "moves-run-finished", csp_violations)

    page.goto(live_server.url + "/moves/hts-rules/")
    check_page(page, "moves-hts-rule", csp_violations)
    page.fill("#id_prefix", "8")
    page.click("text=Show what it would move")
    assert "Give an HTS chapter" in page.locator(".field-invalid").first.inner_text()
    check_page(page, "moves-hts-rule-error", csp_violations)
    page.fill("#id_prefix", "8429")
    page.select_option("#id_center", "CEE001")
    page.click("text=Show what it would move")
    assert page.locator("#lines").inner_text() == "30"
    check_page(page, "moves-hts-rule-confirm", csp_violations)


@pytest.mark.parametrize("center", ["", "all"])
def test_the_dashboard_renders_its_charts_and_passes_axe(page, live_server, csp_violations, center):
    some_cases()
    if center:  # the national page from a snapshot three refreshes late: its warning passes axe too
        from datetime import timedelta

        from django.utils import timezone

        from cases.services.dashboards import refresh_dashboard

        refresh_dashboard(now=timezone.now() - timedelta(minutes=20))
    person("sam", "supervisor", "CEE010")
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.wait_for_url("**/queue/")
    page.click(".site-nav >> text=Dashboard")
    page.wait_for_url("**/dashboard/")
    if center:
        page.select_option("#id_center", center)
        page.click("button:has-text('Show')")
        page.wait_for_url("**/dashboard/?center=all")
    assert page.locator("h1").inner_text() == (
        "Dashboard: all Centers" if center else "Dashboard: CEE010 Machinery"
    )
    assert page.locator("svg.chart").count() == 6
    assert page.locator("svg.chart rect").count() > 10
    assert page.locator(".site-nav a[aria-current=page]").inner_text() == "Dashboard"
    assert page.locator("#refresh-overdue").count() == (1 if center else 0)
    check_page(page, f"dashboard{'-national' if center else ''}", csp_violations)
