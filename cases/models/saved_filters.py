"""The queue's saved filters, private or shared with a Center."""

from django.conf import settings
from django.db import models


class SavedQueueFilter(models.Model):
    """A queue filter a user saved by name; shared ones appear to every colleague of the same Center.

    `query` is the queue's query string (CaseQueueFilter's names, public identifiers only), so a
    saved filter is exactly a queue URL. Written only through cases.services.saved_filters.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    # The Center it is shared with (the owner's when saved), or None: private to the owner.
    shared_with = models.ForeignKey(
        "importers.Center", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "saved queue filter"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="uniq_saved_filter_name")]
        indexes = [models.Index(fields=["shared_with", "name"], name="saved_filter_shared")]

    def __str__(self) -> str:
        return self.name
