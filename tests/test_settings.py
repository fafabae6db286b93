import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x7#kq" * 12,
        ALLOWED_HOSTS="cee.example.gov",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="cee.example.gov")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_custom_user_model_and_legal_time_zone(settings):
    assert settings.AUTH_USER_MODEL == "users.User"
    assert settings.LEGAL_TIME_ZONE == "America/New_York"


def test_production_settings_secure_cookies_hsts_and_https():
    script = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'unsafe-inline' in str(s.SECURE_CSP))"
    )
    result = _manage(
        "shell", "-c", script, DEBUG="0", SECRET_KEY="x7#kq" * 12, ALLOWED_HOSTS="cee.example.gov"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-7:] == ["True", "True", "True", "True", "31536000", "True", "False"]
