"""What happened to a case and who looked at it: the append-only timeline and staff page openings."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .case import Case, CaseStatus


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("The case timeline is append-only: events are never changed.")

    def delete(self):
        raise ValidationError("The case timeline is append-only: events are never deleted.")

    def shared(self) -> "CaseEventQuerySet":
        """Events the importer side may see."""
        return self.filter(visibility=CaseEvent.Visibility.SHARED)


class CaseEvent(models.Model):
    """One change to a case: who, on behalf of whom, when, what, old -> new. Append-only."""

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal (CBP only)"
        SHARED = "shared", "Shared with the importer"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        "importers.Importer", null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=30)
    old_value = models.CharField(max_length=100, blank=True)
    new_value = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.SHARED)
    # A broker's act: the delegation it was made under ("broker X for importer Y under delegation Z").
    delegation = models.ForeignKey(
        "importers.BrokerDelegation", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "id"])]

    # Kinds whose old value means something ("Assignee: — → mgr": no one before); the other kinds
    # name only what they added ("Filed: Received", "Document: invoice.pdf").
    CHANGE_KINDS = frozenset({"status", "assignee", "center", "entry_changed", "further_review"})

    def __str__(self) -> str:
        labels = dict(CaseStatus.choices)  # status values read as their labels
        old, new = (labels.get(v, v) or "—" for v in (self.old_value, self.new_value))
        if self.kind in self.CHANGE_KINDS and (self.old_value or self.new_value):
            change = f": {old} → {new}"
        else:
            change = f": {new}" if self.new_value else ""
        return f"{self.kind.replace('_', ' ').capitalize()}{change}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("The case timeline is append-only: events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The case timeline is append-only: events are never deleted.")


class CaseOpening(models.Model):
    """One opening of a case's page by CBP staff: who looked at the case, and when (an access record)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["case", "-opened_at"], name="case_opening_case_time")]
        verbose_name = "case page opening"
        verbose_name_plural = "case page openings"

    def __str__(self) -> str:
        return f"{self.case.reference_number} opened by {self.user} at {self.opened_at:%Y-%m-%d %H:%M}"
