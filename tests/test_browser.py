"""Browser checks in real Chromium (Playwright): sign-in per role, the admin, accessibility with axe.

axe-core (tests/vendor/axe.min.js) runs on each page; a serious or critical violation fails the test.
A Content Security Policy violation reported by the browser fails it too: the CSP forbids inline
script and style, so a template that slips one in shows up here as well as in the template scan.
Set SCREENSHOT_DIR to keep a screenshot of every page visited.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
LANDING = {"admin": "/queue/", "supervisor": "/queue/", "account_manager": "/queue/", "specialist": "/queue/",
           "importer": "/portal/", "broker": "/portal/"}  # fmt: skip


@pytest.fixture
def csp_violations(page):
    """Console reports of Content Security Policy violations on the pages this test opens.

    axe is loaded as an init script (through the DevTools protocol, which the page's CSP does not
    govern); a script tag added to the page would be refused by the CSP, as it should be.
    """
    page.add_init_script(path=str(AXE))
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


def check_page(page, name: str, csp_violations: list[str]) -> None:
    """No serious or critical axe violation, no CSP violation; keep a screenshot when asked."""
    violations = page.evaluate(
        "async () => (await axe.run()).violations.map("
        "v => [v.id, v.impact, v.help, v.nodes.slice(0, 5).map(n => n.target.join(' '))])"
    )
    serious = [v for v in violations if v[1] in ("serious", "critical")]
    assert not serious, f"{name}: {serious}"
    assert not csp_violations, f"{name}: {csp_violations}"
    if shots := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def sign_out(page) -> None:
    page.click(".site-header button:has-text('Sign out')")
    page.wait_for_url("**/accounts/login/")


def test_every_demo_login_signs_in_and_lands_where_its_role_works(page, live_server, csp_violations):
    from cee_portal.users.models import User
    from demo import seed as demo
    from tests.factories import ImporterFactory

    ImporterFactory(name=f"Keystone Machinery Inc.{demo.DEMO_MARKER}")
    demo.ensure_demo_users()

    page.goto(live_server.url + "/")
    page.wait_for_url("**/accounts/login/?next=/")
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator("html").get_attribute("lang") == "en"
    check_page(page, "sign-in", csp_violations)

    for username, role, center in demo.DEMO_USERS:
        sign_in(page, live_server.url, username, demo.demo_password(username))
        page.wait_for_url(f"**{LANDING[role]}")
        heading = page.locator("h1").inner_text()
        queue = "Queue: Machinery" if center == "CEE010" else "Queue: all Centers"
        assert heading == (queue if LANDING[role] == "/queue/" else "My accounts"), username
        assert page.locator(".site-header .role").inner_text().startswith(User.Role(role).label)
        assert page.locator("text=Administration").count() == (1 if role == "admin" else 0)
        check_page(page, f"landing-{username}", csp_violations)
        if username == "manager":
            page.click("text=Change password")
            assert page.locator("h1").inner_text() == "Change password"
            check_page(page, "password-change", csp_violations)
        if role != "admin":
            page.goto(live_server.url + "/admin/")
            assert page.locator("h1").inner_text() == "Administration is for administrators"
            assert page.locator(f"main a[href='{LANDING[role]}']").count() == 1
            if username == "specialist":
                check_page(page, "admin-refused", csp_violations)
        sign_out(page)


def test_sign_in_pages_pass_axe_with_errors_and_the_lockout(page, live_server, csp_violations, settings):
    from django.core import mail

    from importers.services import create_user

    create_user(
        "maria",
        password="Correct-horse-42",
        role="specialist",
        center_ace_id="CEE010",
        email="maria@cbp.example.gov",
    )
    sign_in(page, live_server.url, "maria", "wrong")
    assert "Please enter a correct username and password" in page.locator(".form-errors").inner_text()
    check_page(page, "sign-in-error", csp_violations)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(page, live_server.url, "maria", "wrong")
    assert page.locator("h1").inner_text() == "Sign-in locked"
    check_page(page, "locked-out", csp_violations)
    page.click("text=reset it by email")
    assert page.locator("h1").inner_text() == "Reset your password"
    check_page(page, "password-reset", csp_violations)
    page.fill("#id_email", "maria@cbp.example.gov")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Check your email"
    check_page(page, "password-reset-sent", csp_violations)
    link = re.search(r"http://\S+/accounts/reset/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Choose a new password"
    check_page(page, "password-reset-confirm", csp_violations)
    page.fill("#id_new_password1", "Brand-new-pw-77")
    page.fill("#id_new_password2", "Brand-new-pw-77")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Password set"
    sign_in(page, live_server.url, "maria", "Brand-new-pw-77")  # the reset also lifted the lockout
    page.wait_for_url("**/queue/")


def test_admin_pages_administrators_use_pass_axe_without_csp_violations(page, live_server, csp_violations):
    from cases import services
    from importers.models import AccountAssignment, HtsRule
    from importers.services import create_user
    from tests.factories import ImporterFactory, liquidated_entry, protest_input, trade_user

    admin = create_user("root", password="a-long-test-password", role="admin")
    importer = ImporterFactory(center_ace_id="CEE009")
    entry = liquidated_entry(importer, dt.date(2026, 6, 1))
    case = services.file_protest(
        actor=trade_user(importer), importer=importer, **protest_input([entry]), filed_on=dt.date(2026, 6, 2)
    ).case
    AccountAssignment.objects.create(
        importer=importer,
        from_center=None,
        to_center=importer.center,
        reason="initial",
        effective_on=dt.date(2026, 6, 1),
        decided_by=admin,
        figures={
            "basis": "lines",
            "volume": "25",
            "by_center": {"CEE009": "20", "CEE010": "5"},
            "shares": {"CEE009": "80.0", "CEE010": "20.0"},
            "margin_points": 10.0,
            "minimum_volume": "20",
            "window_days": 365,
        },
    )
    sign_in(page, live_server.url, "root", "a-long-test-password")
    page.wait_for_url("**/queue/")
    page.click("text=Administration")
    pages = {
        "admin-index": "/admin/",
        "admin-importers": "/admin/importers/importer/",
        "admin-importer": f"/admin/importers/importer/{importer.pk}/change/",
        "admin-entries": "/admin/importers/entry/",
        "admin-entry": f"/admin/importers/entry/{entry.pk}/change/",
        "admin-cases": "/admin/cases/case/",
        "admin-case": f"/admin/cases/case/{case.pk}/change/",
        "admin-deadlines": "/admin/cases/casedeadline/",
        "admin-hts-rules": "/admin/importers/htsrule/",
        "admin-hts-rule": f"/admin/importers/htsrule/{HtsRule.objects.get(prefix='8511').pk}/change/",
        "admin-ports": "/admin/importers/port/?q=2304",
        "admin-users": "/admin/users/user/",
        "admin-user": f"/admin/users/user/{admin.pk}/change/",
        "admin-sign-in-events": "/admin/users/signinevent/",
        "admin-access-attempts": "/admin/axes/accessattempt/",
        "admin-hts-rule-changes": "/admin/importers/htsrulechange/",
        "admin-centers": "/admin/importers/center/",
        "admin-reassignment-jobs": "/admin/importers/reassignmentjob/",
        "admin-scheduled-moves": "/admin/importers/scheduledmove/",
        "admin-events": "/admin/cases/caseevent/",
        "admin-decisions": "/admin/cases/decision/",
        "admin-outbox": "/admin/operations/outboxmessage/",
        "admin-hts-rule-add": "/admin/importers/htsrule/add/",
        "admin-user-add": "/admin/users/user/add/",
        "admin-importer-add": "/admin/importers/importer/add/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        check_page(page, name, csp_violations)
    page.goto(live_server.url + "/admin/importers/port/")
    page.fill("#searchbar", "2304")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=2304**")
    assert "LAREDO, TX" in page.locator("#result_list").inner_text()


def test_api_docs_page_renders_from_the_site_itself_without_csp_violations(page, live_server, csp_violations):
    """Swagger UI from drf-spectacular-sidecar: no CDN, no CSP exception, the operations listed."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/cases/{reference}/claim/" in p.replace("\u200b", "") for p in paths)
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert not csp_violations, csp_violations
    if shots := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{shots}/api-docs.png")
