"""Hardening: lockout after repeated failed sign-ins, password reset by email, CSP, audit of sign-ins.

Lockout: NIST SP 800-53 AC-7 (limit consecutive invalid sign-in attempts per account, then lock it
for a period), with django-axes; AXES_FAILURE_LIMIT failures in a row lock the username.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.urls import reverse

from cee_portal.users.models import SignInEvent
from importers.services import create_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "Correct-horse-42"


@pytest.fixture
def specialist_user(db):
    return create_user(
        "maria", password=PASSWORD, role="specialist", center_ace_id="CEE010", email="maria@cbp.example.gov"
    )


def sign_in(client, username="maria", password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def fail(client, times, username="maria"):
    return [sign_in(client, username, "wrong-password").status_code for _ in range(times)]


def test_lockout_limit_is_five_failures_by_default():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)


def test_one_failure_short_of_the_limit_still_signs_in(client, specialist_user):
    assert fail(client, settings.AXES_FAILURE_LIMIT - 1) == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    response = sign_in(client)
    assert response.status_code == 302 and response.url == "/queue/"


def test_at_the_limit_the_account_is_locked_even_with_the_right_password(client, specialist_user):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = fail(client, limit)
    assert statuses[:-1] == [200] * (limit - 1) and statuses[-1] == 429
    response = sign_in(client)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Sign-in locked" in text and f"({limit} in a row)" in text and "reset it by email" in text
    assert client.get("/queue/").status_code == 302  # not signed in


def test_a_success_resets_the_count(client, specialist_user):
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, limit - 1)
    assert sign_in(client).status_code == 302
    client.post(reverse("logout"))
    fail(client, limit - 1)
    assert sign_in(client).status_code == 302


def test_the_lock_is_per_account_not_per_address(client, specialist_user):
    create_user("li", password=PASSWORD, role="specialist", center_ace_id="CEE010")
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "li").status_code == 302  # same address, another account


@pytest.mark.parametrize(
    ("elapsed", "locked"),
    [(dt.timedelta(minutes=14, seconds=50), True), (dt.timedelta(minutes=15, seconds=10), False)],
)
def test_the_lock_lifts_after_the_cool_off_period(client, specialist_user, elapsed, locked):
    fail(client, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - elapsed)
    assert sign_in(client).status_code == (429 if locked else 302)


def _reset_link(client, email):
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email] and message.subject == "CEE Portal: reset your password"
    return re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)


def test_password_reset_by_email_sets_a_new_password_once(client, specialist_user):
    link = _reset_link(client, "maria@cbp.example.gov")
    form_url = client.get(link).url  # Django swaps the token for a session-held one
    response = client.post(form_url, {"new_password1": "Brand-new-pw-77", "new_password2": "Brand-new-pw-77"})
    assert response.status_code == 302 and response.url == reverse("password_reset_complete")
    assert sign_in(client, password=PASSWORD).status_code == 200  # the old password no longer works
    assert sign_in(client, password="Brand-new-pw-77").url == "/queue/"
    client.post(reverse("logout"))
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, specialist_user):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.gov"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_password_reset_lifts_the_lockout(client, specialist_user):
    fail(client, settings.AXES_FAILURE_LIMIT)
    link = _reset_link(client, "maria@cbp.example.gov")
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": "Brand-new-pw-77", "new_password2": "Brand-new-pw-77"})
    assert sign_in(client, password="Brand-new-pw-77").status_code == 302


# --- Audit ------------------------------------------------------------------------------------------


def test_sign_in_failure_lockout_and_sign_out_are_recorded(client, specialist_user):
    fail(client, 1)
    sign_in(client, "nobody-by-that-name", "x")
    assert sign_in(client).status_code == 302
    client.post(reverse("logout"))
    fail(client, settings.AXES_FAILURE_LIMIT)
    rows = list(SignInEvent.objects.order_by("id").values_list("kind", "username", "user", "ip_address"))
    uid = specialist_user.pk
    assert rows[:4] == [
        ("failed", "maria", None, "127.0.0.1"),
        ("failed", "nobody-by-that-name", None, "127.0.0.1"),
        ("signed_in", "maria", uid, "127.0.0.1"),
        ("signed_out", "maria", uid, "127.0.0.1"),
    ]
    # The lockout is recorded while the failure that caused it is being handled: order within is free.
    assert sorted(kind for kind, *_ in rows[4:]) == ["failed"] * settings.AXES_FAILURE_LIMIT + ["locked_out"]


def test_the_audit_records_the_client_address_the_trusted_proxy_saw(client, specialist_user, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    client.post(
        LOGIN,
        {"username": "maria", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",  # the client wrote the first hop, the proxy the last
        HTTP_USER_AGENT="TestBrowser/1.0",
    )
    event = SignInEvent.objects.get()
    assert (event.ip_address, event.user_agent) == ("203.0.113.7", "TestBrowser/1.0")


# --- Headers and templates --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LOGIN, "/queue/", "/admin/", reverse("password_reset")])
def test_every_page_carries_a_csp_without_unsafe_inline_and_the_security_headers(admin_client, client, path):
    response = (admin_client if path in ("/queue/", "/admin/") else client).get(path)
    assert response.status_code in (200, 302, 403), path
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style_the_csp_would_block():
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in TEMPLATES.rglob("*.html")
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_the_api_docs_page_is_served_by_the_site_under_its_csp_with_no_cdn(client):
    """drf-spectacular-sidecar serves Swagger UI: the page works offline and needs no CSP exception."""
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == client.get(LOGIN)["Content-Security-Policy"]
    assert "cdn.jsdelivr.net" not in page["Content-Security-Policy"] and "cdn.jsdelivr.net" not in html
    assert re.search(r'<script src="/api/docs/\?script=[^"]*">', html)
    assert '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">' in html
    assert not any(pattern.search(html) for pattern, _ in INLINE)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
