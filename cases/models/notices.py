"""Case notices by email: what they are about, who wants which, and which were sent."""

from django.conf import settings
from django.db import models


class NoticeEvent(models.TextChoices):
    """What a case notice is about; the first six are the ones a user may turn off (issue 13 item 6)."""

    STATUS = "status", "Every change of a case's status"
    INFORMATION_REQUEST = "information_request", "A request for information (CBP Form 28)"
    PROPOSED_ACTION = "proposed_action", "A notice of action (CBP Form 29)"
    DECISION = "decision", "A decision on a protest, claim or correction"
    DEEMED_DENIAL = "deemed_denial", "A protest deemed denied by law (19 U.S.C. 1515(b), 1499(c)(5)(A))"
    REMINDER = "reminder", "A reminder that a deadline is near"
    # Always sent: filings received, messages, amendments, further-review rulings.
    OTHER = "other", "Other notices"


class NotificationPreference(models.Model):
    """Which case notices a user receives by email; a user without a row receives every one.

    Kept with the cases, not the users: the events it names are case events (CF-28, CF-29, deemed
    denial, deadline reminders) and the handler that reads it is cases/notifications.py; the users
    app stays free of case vocabulary. Written by cases.services.set_notification_preferences.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    status = models.BooleanField(default=True)
    information_request = models.BooleanField(default=True)
    proposed_action = models.BooleanField(default=True)
    decision = models.BooleanField(default=True)
    deemed_denial = models.BooleanField(default=True)
    reminder = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"

    def wants(self, event: str) -> bool:
        """Notices outside the six optional events (filings, messages) are always sent."""
        return event not in self.optional_fields() or getattr(self, event)

    @staticmethod
    def optional_fields() -> list[str]:
        return [e.value for e in NoticeEvent if e != NoticeEvent.OTHER]


class NoticeDelivery(models.Model):
    """One case notice emailed to one user: an outbox message drained twice sends nothing twice.

    The key is written into the outbox payload when the notice is queued (cases.services.common
    .notify); the handler skips every (key, user) already here and records each email it sends.
    """

    key = models.CharField(max_length=36)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "notice deliveries"
        constraints = [models.UniqueConstraint(fields=["key", "user"], name="uniq_notice_delivery")]

    def __str__(self) -> str:
        return f"{self.key} to {self.user_id}"
