import pytest


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counts live in the cache, keyed by user id, and ids come back after a rollback."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
