"""Tasks travel through Redis to a real Celery worker and their results come back."""

import pytest
from celery.contrib.testing.worker import start_worker

from cee_portal.celery import app, ping_task
from cee_portal.operations import outbox
from cee_portal.operations.models import OutboxMessage
from cee_portal.operations.tasks import drain_outbox_task

pytestmark = pytest.mark.celery_live

# A private queue: a worker started elsewhere on the same Redis must not take these tasks.
QUEUE = "cee-portal-live-test"

DELIVERED: list[dict] = []


@outbox.handles("test.live")
def _record(payload: dict) -> None:
    DELIVERED.append(payload)


@pytest.fixture
def live_worker():
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[QUEUE]):
        yield


@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_redis_and_a_real_worker(live_worker):
    assert ping_task.apply_async((42,), queue=QUEUE).get(timeout=20) == 42


@pytest.mark.django_db(transaction=True)
def test_worker_drains_the_outbox_from_the_test_database(live_worker):
    OutboxMessage.objects.create(topic="test.live", payload={"case": 7})
    result = drain_outbox_task.apply_async(queue=QUEUE).get(timeout=20)
    assert result == {"delivered": 1, "failed": 0}
    assert DELIVERED == [{"case": 7}]
    assert OutboxMessage.objects.get().dispatched_at is not None
