"""Browser checks in real Chromium (Playwright)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_and_admin_sign_in(page, live_server, django_user_model):
    django_user_model.objects.create_superuser(
        "root", "root@example.gov", "a-long-test-password", role="admin"
    )
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "CEE Portal"
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("text=Administration")
    page.fill("#id_username", "root")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.click("text=Ports")
    page.fill("#searchbar", "2304")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=2304**")
    assert "LAREDO, TX" in page.locator("#result_list").inner_text()
