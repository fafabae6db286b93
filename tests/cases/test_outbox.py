"""The transactional outbox: filings commit while the broker is down, and every notice goes out once.

Only the outside world is simulated: the broker (the Celery app pointed at a port nobody listens
on) and email (Django's locmem backend, `mail.outbox`).
"""

import datetime as dt
import logging
import smtplib

import pytest
from django.core import mail

from cases import services
from cases.exceptions import CaseError
from cases.models import Case
from cee_portal.celery import app
from cee_portal.operations import outbox
from cee_portal.operations.models import OutboxMessage, PeriodicJobRun
from cee_portal.operations.tasks import drain_outbox_task
from tests.factories import liquidated_entry, protest_input, staff_user

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
LIQUIDATED = dt.date(2026, 6, 1)
FILED = dt.date(2026, 6, 10)


class BrokerOutage:
    """Points the Celery app at a dead broker, not eagerly; restore() is the broker coming back."""

    def __init__(self, settings):
        self._saved = (
            app.conf.task_always_eager,
            app.conf.broker_url,
            app._pool,
            app.amqp._producer_pool,
        )
        settings.REDIS_URL = DEAD_BROKER
        app.conf.task_always_eager = False
        app.conf.broker_url = DEAD_BROKER
        # Connection pools are cached on the app: drop them so the dead URL is really used.
        app._pool = None
        app.amqp._producer_pool = None
        self.down = True

    def restore(self) -> None:
        if self.down:
            eager, broker_url, pool, producer_pool = self._saved
            app.conf.task_always_eager = eager
            app.conf.broker_url = broker_url
            app._pool, app.amqp._producer_pool = pool, producer_pool
            self.down = False


@pytest.fixture
def broker_down(settings):
    outage = BrokerOutage(settings)
    yield outage
    outage.restore()


@pytest.fixture
def supervisor():
    """Without an assignee, the owning Center's notices go to its supervisors."""
    return staff_user("CEE010", role="supervisor")


def _file_protest(importer, filer) -> Case:
    entry = liquidated_entry(importer, LIQUIDATED)
    return services.file_protest(
        actor=filer, importer=importer, **protest_input([entry]), filed_on=FILED
    ).case


def _pending() -> list[tuple[str, int, str]]:
    return list(
        OutboxMessage.objects.filter(dispatched_at__isnull=True)
        .order_by("id")
        .values_list("payload__audience", "attempts", "last_error")
    )


def test_filing_while_the_broker_is_down_commits_with_its_notices_pending(
    broker_down, importer, filer, supervisor, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.WARNING, logger="cee_portal.operations.outbox"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            case = _file_protest(importer, filer)

    assert Case.objects.get() == case
    # Every drain kick the commit ran was tried against the dead broker and swallowed.
    assert callbacks
    assert [r.getMessage() for r in caplog.records if r.name == "cee_portal.operations.outbox"] == [
        "outbox drain not queued; broker unavailable"
    ] * len(callbacks)
    assert _pending() == [("center", 0, ""), ("importer", 0, "")]
    assert mail.outbox == []


def test_drain_after_the_broker_returns_delivers_every_pending_notice_once(
    broker_down, importer, filer, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _file_protest(importer, filer)
    assert len(_pending()) == 2
    broker_down.restore()

    assert drain_outbox_task() == {"delivered": 2, "failed": 0}

    assert _pending() == []
    assert OutboxMessage.objects.filter(attempts=1, last_error="").count() == 2
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (supervisor.email, f"New protest {case.reference_number}"),
            (filer.email, f"Protest {case.reference_number} received"),
        ]
    )
    assert PeriodicJobRun.objects.get(name="drain_outbox").last_status == "ok"

    assert drain_outbox_task() == {"delivered": 0, "failed": 0}
    assert len(mail.outbox) == 2


def test_commit_kicks_a_drain_and_every_notice_is_emailed_once(
    importer, filer, supervisor, django_capture_on_commit_callbacks
):
    # The broker is up (tasks run eagerly): every kick runs a drain, later ones find nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = _file_protest(importer, filer)

    assert callbacks
    assert _pending() == []
    assert sorted(m.subject for m in mail.outbox) == sorted(
        [f"New protest {case.reference_number}", f"Protest {case.reference_number} received"]
    )


def test_nothing_is_enqueued_or_kicked_when_the_filing_rolls_back(
    importer, filer, django_capture_on_commit_callbacks
):
    entry = liquidated_entry(importer, LIQUIDATED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(CaseError):
        services.file_protest(
            actor=filer,
            importer=importer,
            **protest_input([entry]),
            filed_on=LIQUIDATED + dt.timedelta(days=181),
        )

    assert callbacks == []
    assert OutboxMessage.objects.count() == 0


def test_failed_delivery_stays_pending_and_a_later_drain_delivers_it(
    importer, filer, supervisor, monkeypatch
):
    case = _file_protest(importer, filer)  # the test transaction never commits: nothing is kicked
    assert len(_pending()) == 2

    def smtp_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("421 mail relay unavailable")

    monkeypatch.setattr("cases.notifications.EmailMultiAlternatives.send", smtp_down)
    assert outbox.drain() == {"delivered": 0, "failed": 2}
    assert _pending() == [
        ("center", 1, "421 mail relay unavailable"),
        ("importer", 1, "421 mail relay unavailable"),
    ]
    assert mail.outbox == []

    monkeypatch.undo()  # the mail relay is back
    assert outbox.drain() == {"delivered": 2, "failed": 0}
    assert _pending() == []
    assert list(OutboxMessage.objects.values_list("attempts", "last_error")) == [(2, ""), (2, "")]
    assert sorted(m.subject for m in mail.outbox) == sorted(
        [f"New protest {case.reference_number}", f"Protest {case.reference_number} received"]
    )
    assert outbox.drain() == {"delivered": 0, "failed": 0}
    assert len(mail.outbox) == 2


def test_message_without_a_handler_stays_pending_with_the_reason():
    message = OutboxMessage.objects.create(topic="nobody.listens", payload={})

    assert outbox.drain() == {"delivered": 0, "failed": 1}

    message.refresh_from_db()
    assert (message.dispatched_at, message.attempts) == (None, 1)
    assert message.last_error == "no handler registered for topic 'nobody.listens'"


def test_messages_that_keep_failing_do_not_block_newer_ones(importer, filer, supervisor):
    OutboxMessage.objects.bulk_create(OutboxMessage(topic="nobody.listens") for _ in range(2))
    _file_protest(importer, filer)
    outbox.drain(limit=2)

    assert outbox.drain(limit=2)["delivered"] == 2
