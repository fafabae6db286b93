from django.core.management.base import BaseCommand

from cases import notifications  # noqa: F401  (registers the case notices' outbox handler)
from cee_portal.operations.jobs import recorded_run
from cee_portal.operations.outbox import drain
from importers.accounts import notifications as account_notifications  # noqa: F401  (account moves)


class Command(BaseCommand):
    help = "Deliver the outbox's pending messages now (beat drains it every 30 seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Most messages per run (default 500)")

    def handle(self, *args, limit: int, **options):
        with recorded_run("drain_outbox") as summary:  # as the beat-driven task records it
            summary.update(drain(limit))
        self.stdout.write(
            f"Outbox: {summary['delivered']} delivered, {summary['failed']} failed (retried later)."
        )
