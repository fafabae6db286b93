"""Documents and messages of a case (issue 13 items 4 and 5)."""

from django.conf import settings
from django.db import models

from .case import Case


def _document_storage():
    """The documents' storage (settings.STORAGES["documents"]): never served at a public URL."""
    from django.core.files.storage import storages

    return storages["documents"]


def _document_path(document, filename: str) -> str:
    # Named by the content's hash, never by the uploader's file name.
    return f"cases/{document.case_id}/{document.sha256}"


class CaseChildQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseChildQuerySet":
        """A document or message is visible exactly when its case is (Case.objects.visible_to)."""
        return self.filter(case__in=Case.objects.visible_to(user))


class Message(models.Model):
    """One message of a case's thread between the importer side and the Center (never internal)."""

    class Side(models.TextChoices):
        IMPORTER = "importer", "Importer side"
        CENTER = "center", "Center"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    body = models.TextField()
    delegation = models.ForeignKey(
        "importers.BrokerDelegation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "id"], name="message_case_id")]

    def __str__(self) -> str:
        return f"Message {self.pk} on {self.case.reference_number}"


class Document(models.Model):
    """A file attached to a case (and perhaps to a message), stored through the storage API."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(storage=_document_storage, upload_to=_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the content, not the name")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delegation = models.ForeignKey(
        "importers.BrokerDelegation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "id"], name="document_case_id")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"
