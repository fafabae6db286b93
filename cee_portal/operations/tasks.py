"""Celery tasks of the operations app (found by autodiscovery); the outbox drain lives with the outbox."""

from .outbox import drain_outbox_task  # noqa: F401  (re-exported)
