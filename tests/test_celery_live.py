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
    # Tasks that tasks send (chunks, outbox drains) must reach this worker's private queue too.
    # Routes per job kind (settings.CELERY_TASK_ROUTES) would send them to the shared named queues.
    default_queue, routes = app.conf.task_default_queue, app.conf.task_routes
    app.conf.task_default_queue = QUEUE
    _route(routes={})
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[QUEUE]):
            yield
    finally:
        app.conf.task_default_queue = default_queue
        _route(routes)


def _route(routes) -> None:
    """Set the task routes, in the configuration and in the router Celery already built from it."""
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.router.routes = app.amqp.routes


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


@pytest.mark.django_db(transaction=True)
def test_reassignment_job_fans_out_to_a_real_worker(live_worker):
    import time

    from importers.models import Importer, ReassignmentJob
    from importers.tasks import reassign_accounts_task
    from tests.factories import ImporterFactory
    from tests.importers.test_reassignment import TODAY, add_lines

    importer = ImporterFactory(center_ace_id="CEE009")
    add_lines(importer, "8429510000", 30)
    result = reassign_accounts_task.apply_async(([importer.pk], TODAY.isoformat()), queue=QUEUE)
    job_id = result.get(timeout=30)
    for _ in range(100):
        job = ReassignmentJob.objects.get(pk=job_id)
        if job.state == "finished":
            break
        time.sleep(0.2)
    assert (job.state, job.examined, job.planned, job.moved, job.errors) == ("finished", 1, 1, 1, 0)
    assert Importer.objects.get(pk=importer.pk).center.ace_id == "CEE010"
