from django.db import models


class OutboxMessage(models.Model):
    """A side effect (notification, follow-up task) written in the same transaction as its cause.

    A Celery task drains the table, so a broker outage delays side effects but never loses them.
    """

    topic = models.CharField(max_length=60, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], name="outbox_pending_idx", condition=models.Q(dispatched_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class PeriodicJobRun(models.Model):
    """When each periodic job last ran (shown by /healthz)."""

    name = models.CharField(max_length=60, primary_key=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_status = models.CharField(max_length=10, default="never")
    last_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
