"""The dashboard's precomputed figures (cases.services.dashboards, cases.selectors.dashboards)."""

from django.conf import settings
from django.db import models

from .case import CaseEntry, CaseKind, CaseStatus


class DashboardSnapshot(models.Model):
    """One set-based refresh of the dashboard's counts, as of `computed_at`.

    Ages and due dates are counted from `today` (the legal date of the refresh). A reader takes the
    newest snapshot and reads only its rows, so a refresh committing meanwhile never mixes two.
    """

    computed_at = models.DateTimeField()
    today = models.DateField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Dashboard figures as of {self.computed_at:%Y-%m-%d %H:%M}"


class DashboardOpenCount(models.Model):
    """Open cases of a snapshot per Center, kind, status, assignee, age bucket and due band."""

    class Due(models.TextChoices):
        OVERDUE = "overdue", "Overdue"
        WEEK = "week", "Due within 7 days"
        MONTH = "month", "Due in 8 to 30 days"
        LATER = "later", "Due after 30 days"
        NONE = "none", "No running deadline"

    snapshot = models.ForeignKey(DashboardSnapshot, on_delete=models.CASCADE, related_name="open_counts")
    # None: every Center (the national figures, summed from the Centers' rows by the refresh).
    center = models.ForeignKey("importers.Center", null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    status = models.CharField(max_length=20, choices=CaseStatus.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    # Index into cases.selectors.dashboards.AGING_BUCKETS; None: filed after the snapshot's today.
    age = models.PositiveSmallIntegerField(null=True)
    due = models.CharField(max_length=8, choices=Due.choices)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "center"], name="dash_open_snapshot_center")]

    def __str__(self) -> str:
        return f"{self.n} open {self.kind} {self.status} of Center {self.center_id}"


class DashboardDecisionCount(models.Model):
    """Decisions of a snapshot's last UNIFORMITY_DAYS per Center, kind, decision protested, port and
    outcome (the uniformity view); a protest of two categories counts once in each."""

    snapshot = models.ForeignKey(DashboardSnapshot, on_delete=models.CASCADE, related_name="decision_counts")
    # None: every Center (the national figures, summed from the Centers' rows by the refresh).
    center = models.ForeignKey("importers.Center", null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    protested_decision = models.CharField(max_length=20, choices=CaseEntry.Decision.choices, blank=True)
    filing_port = models.ForeignKey("importers.Port", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=20, choices=CaseStatus.choices)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "center"], name="dash_decision_snapshot_center")]

    def __str__(self) -> str:
        return f"{self.n} {self.outcome} at port {self.filing_port_id}"


class DashboardWeekCount(models.Model):
    """Decisions of a snapshot per Center and week (from Monday), the last THROUGHPUT_WEEKS weeks."""

    snapshot = models.ForeignKey(DashboardSnapshot, on_delete=models.CASCADE, related_name="week_counts")
    # None: every Center (the national figures, summed from the Centers' rows by the refresh).
    center = models.ForeignKey("importers.Center", null=True, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "center"], name="dash_week_snapshot_center")]

    def __str__(self) -> str:
        return f"{self.n} decisions in the week of {self.week}"
