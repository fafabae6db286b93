"""The notice preferences pages in real Chromium: axe and CSP on both sides, a choice saved and shown."""

import pytest

from tests.test_browser import check_page, csp_violations, sign_in, sign_out  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Notices-pages-42"


@pytest.fixture
def people():
    from importers.services import create_user
    from tests.factories import ImporterFactory

    importer = ImporterFactory(name="Keystone Machinery Inc.", center_ace_id="CEE010")
    create_user(
        "imelda",
        password=PASSWORD,
        role="importer",
        importer_iors=[importer.ior_number],
        email="i@example.com",
    )
    create_user(
        "sam", password=PASSWORD, role="specialist", center_ace_id="CEE010", email="s@cbp.example.gov"
    )


def test_both_sides_choose_their_notices(page, live_server, csp_violations, people):  # noqa: F811
    from cases.models import NotificationPreference

    sign_in(page, live_server.url, "imelda", PASSWORD)
    page.wait_for_url("**/portal/")
    page.click("a:has-text('Notifications')")
    page.wait_for_url("**/portal/notifications/")
    assert page.locator("h1").inner_text() == "Notifications"
    check_page(page, "notifications-portal", csp_violations)
    page.uncheck("#notice_reminder")
    page.click("button:has-text('Save preferences')")
    page.wait_for_selector("text=Your notification preferences are saved.")
    assert not page.is_checked("#notice_reminder") and page.is_checked("#notice_decision")
    check_page(page, "notifications-portal-saved", csp_violations)
    assert NotificationPreference.objects.get(user__username="imelda").reminder is False
    sign_out(page)

    sign_in(page, live_server.url, "sam", PASSWORD)
    page.wait_for_url("**/queue/")
    page.goto(f"{live_server.url}/notifications/")
    check_page(page, "notifications-staff", csp_violations)
    assert page.is_checked("#notice_reminder")
