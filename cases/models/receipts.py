"""File once: a form's one-time token and an API Idempotency-Key, each with the first answer."""

from django.conf import settings
from django.db import models

from .case import Case


class FilingReceipt(models.Model):
    """One posted form's one-time token and the case it filed or acted on: a retried POST files once.

    The row is written first in the filing's transaction, so a second post of the same form waits on
    the unique token, then answers the first filing's confirmation instead of filing again; a refused
    filing rolls the row back with everything else, so the corrected form may be posted again.
    """

    token = models.CharField(max_length=64, unique=True)
    action = models.CharField(max_length=40)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Null only inside the filing's own transaction, before the service returns its case.
    case = models.ForeignKey(Case, null=True, on_delete=models.CASCADE, related_name="receipts")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.action} → {self.case.reference_number if self.case else '…'}"


class IdempotentRequest(models.Model):
    """An API filing or action made under an Idempotency-Key: a retry answers the stored first result.

    The row is inserted in the same transaction as the filing it guards, so a concurrent retry with
    the same key waits on the unique constraint and then reads the committed answer instead of
    filing twice; a refused request rolls back with its row and may be retried.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path, body and If-Match: the same key with another request is refused (422).
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    etag = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
