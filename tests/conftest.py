"""Shared fixtures. Tests run on the database DATABASE_URL names (SQLite when unset)."""

import os
import shutil

import pytest
from django.db import connection
from rest_framework.test import APIClient

# Playwright's sync API leaves an event loop running; Django's ORM would refuse to run next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    require_browser = os.environ.get("REQUIRE_BROWSER") == "1"
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); running on SQLite"))
        if "celery_live" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis for a live Celery worker (set REDIS_URL)"))
        if "browser" in item.keywords and not CHROMIUM and not require_browser:
            item.add_marker(pytest.mark.skip(reason="Chromium not found (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM:
        pytest.fail("REQUIRE_BROWSER=1 but no Chromium is installed")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Run tasks in-process, except in tests that prove the trip through a real broker and worker."""
    from cee_portal.celery import app

    if "celery_live" in request.keywords:
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once, committed, for all tests that roll back."""
    from importers.reference.reference_data import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()
    if connection.vendor == "sqlite":
        _flush_lines_before_entries(connection.ops)


def _flush_lines_before_entries(ops):
    """Empty entry lines before entries when a transactional test flushes SQLite.

    Django deletes the tables in set order (random per PYTHONHASHSEED); the trigger that stands in
    for the lines' foreign key (importers migration 0007) refuses to delete an entry that still has
    lines, so an unlucky order failed the teardown. PostgreSQL truncates and fires no trigger.
    """
    flush = ops.sql_flush

    def sql_flush(style, tables, **kwargs):
        statements = flush(style, tables, **kwargs)
        return sorted(statements, key=lambda sql: '"importers_entryline"' not in sql)

    ops.sql_flush = sql_flush


@pytest.fixture(autouse=True)
def reference_data(request):
    """Reference data for every database test; reloaded after a transactional test flushed it.

    pytest-django runs transactional tests after the others, so this reload is rare.
    """
    if not any(m.name == "django_db" for m in request.node.iter_markers()) and not {
        "db",
        "transactional_db",
        "live_server",
        "admin_client",
    } & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from importers.models import Center
    from importers.reference.reference_data import load_reference_data

    if not Center.objects.exists():
        load_reference_data()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def admin_user_(db):
    from tests.factories import UserFactory

    return UserFactory(role="admin", is_staff=True, is_superuser=True, username="root")


@pytest.fixture
def specialist(db):
    """An import specialist of Machinery (CEE010), the Center of ImporterFactory's default account."""
    from tests.factories import staff_user

    return staff_user("CEE010")


@pytest.fixture
def importer(db):
    """An importer account owned by Machinery (CEE010)."""
    from tests.factories import ImporterFactory

    return ImporterFactory()


@pytest.fixture
def filer(importer):
    """An importer-side user who belongs to the `importer` account."""
    from tests.factories import trade_user

    return trade_user(importer)


@pytest.fixture(autouse=True)
def _documents_in_tmp(tmp_path, monkeypatch):
    """Case documents go to a fresh folder per test, through the same storage API (issue 13 item 4)."""
    from django.core.files.storage import FileSystemStorage

    from cases.models import Document

    storage = FileSystemStorage(location=tmp_path / "documents")
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storage)
    return storage
