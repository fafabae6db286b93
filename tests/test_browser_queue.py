"""The staff queue in real Chromium (issue 12 items 2, 9, 10): filter it, claim from it, export it,
drive it from the keyboard; axe (serious or critical findings fail) and the CSP on every state of it:
full, filtered, refused, empty and with the shortcut help open."""

import csv

import pytest

from tests import test_browser
from tests.test_browser import check_page, sign_in

csp_violations = test_browser.csp_violations  # the fixture, shared with the other browser tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-queue-password"


@pytest.fixture
def queue_world():
    from importers.services import create_user
    from tests.factories import ImporterFactory
    from tests.web.test_queue import make_case

    specialist = create_user("maria", password=PASSWORD, role="specialist", center_ace_id="CEE010")
    create_user("sam", password=PASSWORD, role="supervisor", center_ace_id="CEE010")
    machinery = ImporterFactory(center_ace_id="CEE010", name="Keystone Machinery Inc.")
    other = ImporterFactory(center_ace_id="CEE010", name="=Formula Looking Corp")
    cases = [
        make_case(machinery, days=-3),
        make_case(machinery, days=0),
        make_case(other, days=5, kind="psc"),
        make_case(machinery, days=21, assignee=specialist),
        make_case(other, days=90),
        make_case(machinery),
    ]
    return {"specialist": specialist, "cases": [c.reference_number for c in cases]}


def row_refs(page) -> list[str]:
    return page.locator("#queue-table tbody th a").all_inner_texts()


def test_filter_the_queue_with_counts_and_axe_on_every_state(page, live_server, csp_violations, queue_world):
    refs = queue_world["cases"]
    sign_in(page, live_server.url, "maria", PASSWORD)
    page.wait_for_url("**/queue/")
    assert page.locator("h1").inner_text() == "Queue: Machinery"
    assert row_refs(page) == refs
    # The counts arrive by htmx after the rows.
    page.wait_for_selector("#queue-counts .counts-total")
    assert page.locator("#queue-counts .counts-total").inner_text() == "6 cases match these filters."
    first = page.locator("#queue-table tbody tr").first
    assert first.locator(".days").inner_text() == "3 days overdue"
    assert "days-overdue" in first.locator(".days").get_attribute("class")
    check_page(page, "queue-full", csp_violations)

    # Filter: protests due within 5 days, through the labelled fields (the panel opens first).
    assert not page.get_by_label("Deadline within (days)").is_visible()
    page.click("summary:has-text('Filters')")
    page.get_by_label("Protest (CBP Form 19)").check()
    page.get_by_label("Deadline within (days)").fill("5")
    page.click("button:has-text('Apply filters')")
    page.wait_for_url("**kind=protest**")
    assert row_refs(page) == refs[:2]
    page.wait_for_selector("#queue-counts .counts-total")
    assert page.locator("#queue-counts .counts-total").inner_text() == "2 cases match these filters."
    check_page(page, "queue-filtered", csp_violations)

    # A refused value shows its message beside the field.
    page.goto(live_server.url + "/queue/?center=CEE999&due_within=-4")
    assert "No Center 'CEE999'" in page.locator(".field-invalid").first.inner_text()
    assert page.locator(".field-invalid").count() >= 1
    check_page(page, "queue-refused", csp_violations)

    # Nothing matches: say so, and offer to clear.
    page.goto(live_server.url + "/queue/?kind=cf28")
    assert "No open cases match these filters." in page.locator(".empty-state").inner_text()
    check_page(page, "queue-empty", csp_violations)
    page.click(".empty-state >> text=Clear filters")
    page.wait_for_url("**/queue/")
    assert row_refs(page) == refs


def test_claim_selected_cases_and_export_the_filter_as_csv(
    page, live_server, csp_violations, queue_world, tmp_path
):
    refs = queue_world["cases"]
    sign_in(page, live_server.url, "maria", PASSWORD)
    page.wait_for_url("**/queue/")
    page.get_by_label(f"Select {refs[0]}").check()
    page.get_by_label(f"Select {refs[2]}").check()
    page.click("#bulk-claim")
    page.wait_for_selector(".messages")
    assert f"Claimed: 2 of 2 cases ({refs[0]}, {refs[2]})" in page.locator(".messages").inner_text()
    assignees = page.locator("#queue-table tbody tr td:nth-child(7)").all_inner_texts()
    assert assignees[0] == "maria" and assignees[2] == "maria" and assignees[1] == "Unassigned"
    check_page(page, "queue-claimed", csp_violations)

    with page.expect_download() as download:
        page.click("text=Export all matching cases (CSV)")
    path = tmp_path / "queue.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("queue-")
    table = list(csv.reader(path.open(encoding="utf-8")))
    assert table[0][0] == "Reference" and [r[0] for r in table[1:]] == refs
    assert table[3][5] == "'=Formula Looking Corp"  # CSV injection: quoted


def test_keyboard_shortcuts_move_open_claim_search_and_show_help(
    page, live_server, csp_violations, queue_world
):
    refs = queue_world["cases"]
    sign_in(page, live_server.url, "maria", PASSWORD)
    page.wait_for_url("**/queue/")
    current = "#queue-table tbody tr.is-current th a"
    page.keyboard.press("j")
    assert page.locator(current).inner_text() == refs[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator(current).inner_text() == refs[2]
    page.keyboard.press("k")
    assert page.locator(current).inner_text() == refs[1]
    page.get_by_label(f"Select {refs[3]}").focus()  # a row's checkbox takes no letters: keys still work
    page.keyboard.press("j")
    assert page.locator(current).inner_text() == refs[4]
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert page.locator(current).inner_text() == refs[2]

    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    assert help_dialog.is_visible()
    assert "Claim the current case" in help_dialog.inner_text()
    check_page(page, "queue-help", csp_violations)
    page.keyboard.press("Escape")
    assert not help_dialog.is_visible()
    page.click("#shortcut-help-open")  # the visible button opens it too
    assert help_dialog.is_visible()
    page.click("#shortcut-help button:has-text('Close')")
    assert not help_dialog.is_visible()

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("j")  # typing in a field is not a shortcut
    assert page.locator("#site-search").input_value() == "j"
    page.locator("#site-search").fill("")

    page.locator("#queue-table tbody tr").nth(1).locator("th a").focus()
    page.keyboard.press("c")  # claims the focused row
    page.wait_for_selector(".messages")
    assert f"Claimed: 1 of 1 cases ({refs[1]})" in page.locator(".messages").inner_text()

    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"**/cases/{refs[0]}/")
