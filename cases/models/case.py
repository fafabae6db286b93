"""The case itself: its kinds, statuses and moves, the queue's queryset, the entries it covers,
its deadlines and its reference numbers."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from importers.permissions import restrict_to_accounts

from ..deadlines import DeadlineKind


class CaseKind(models.TextChoices):
    PROTEST = "protest", "Protest (CBP Form 19)"
    PSC = "psc", "Post summary correction"
    PIC = "pic", "Post-importation claim (19 U.S.C. 1520(d))"
    CF28 = "cf28", "Request for information (CBP Form 28)"
    CF29 = "cf29", "Notice of action (CBP Form 29)"


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    UNDER_REVIEW = "under_review", "Under review"
    SUSPENDED = "suspended", "Suspended"
    ALLOWED = "allowed", "Allowed"
    ALLOWED_IN_PART = "allowed_in_part", "Allowed in part"
    DENIED = "denied", "Denied"
    DEEMED_DENIED = "deemed_denied", "Deemed denied"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    ISSUED = "issued", "Issued"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


class Actor(models.TextChoices):
    """Who may make a move: the owning Center's staff, the filer side, or the system (sweeps)."""

    STAFF = "staff"
    FILER = "filer"
    SYSTEM = "system"


S, A = CaseStatus, Actor
_DECIDED = {S.ALLOWED: A.STAFF, S.ALLOWED_IN_PART: A.STAFF, S.DENIED: A.STAFF}

# The one table of allowed moves: kind -> from -> {to: who may make the move}.
TRANSITIONS: dict[str, dict[str, dict[str, str]]] = {
    CaseKind.PROTEST: {
        S.RECEIVED: {S.UNDER_REVIEW: A.STAFF, **_DECIDED, S.DEEMED_DENIED: A.SYSTEM, S.WITHDRAWN: A.FILER},
        S.UNDER_REVIEW: {S.SUSPENDED: A.STAFF, **_DECIDED, S.DEEMED_DENIED: A.SYSTEM, S.WITHDRAWN: A.FILER},
        S.SUSPENDED: {S.UNDER_REVIEW: A.STAFF, S.DEEMED_DENIED: A.SYSTEM, S.WITHDRAWN: A.FILER},
        S.ALLOWED: {S.CLOSED: A.STAFF},
        S.ALLOWED_IN_PART: {S.CLOSED: A.STAFF},
        S.DENIED: {S.CLOSED: A.STAFF},
        S.DEEMED_DENIED: {S.CLOSED: A.STAFF},
    },
    CaseKind.PSC: {
        S.RECEIVED: {S.UNDER_REVIEW: A.STAFF, S.ACCEPTED: A.STAFF, S.REJECTED: A.STAFF, S.WITHDRAWN: A.FILER},
        S.UNDER_REVIEW: {S.ACCEPTED: A.STAFF, S.REJECTED: A.STAFF, S.WITHDRAWN: A.FILER},
        S.ACCEPTED: {S.CLOSED: A.STAFF},
        S.REJECTED: {S.CLOSED: A.STAFF},
    },
    CaseKind.PIC: {
        S.RECEIVED: {S.UNDER_REVIEW: A.STAFF, **_DECIDED, S.WITHDRAWN: A.FILER},
        S.UNDER_REVIEW: {S.SUSPENDED: A.STAFF, **_DECIDED, S.WITHDRAWN: A.FILER},
        S.SUSPENDED: {S.UNDER_REVIEW: A.STAFF, S.WITHDRAWN: A.FILER},
        S.ALLOWED: {S.CLOSED: A.STAFF},
        S.ALLOWED_IN_PART: {S.CLOSED: A.STAFF},
        S.DENIED: {S.CLOSED: A.STAFF},
    },
    # A CF-28 closes once answered and reviewed, or unanswered: CBP then decides on what it has.
    CaseKind.CF28: {
        S.ISSUED: {S.ANSWERED: A.FILER, S.CLOSED: A.STAFF, S.WITHDRAWN: A.STAFF},
        S.ANSWERED: {S.CLOSED: A.STAFF},
    },
    CaseKind.CF29: {
        S.ISSUED: {S.ANSWERED: A.FILER, S.CLOSED: A.STAFF, S.WITHDRAWN: A.STAFF},
        S.ANSWERED: {S.CLOSED: A.STAFF},
    },
}
# Statuses in which a case is still awaiting its outcome: the queue's "open".
OPEN_STATUSES = frozenset({S.RECEIVED, S.UNDER_REVIEW, S.SUSPENDED, S.ISSUED, S.ANSWERED})
DECISION_STATUSES = frozenset(
    {S.ALLOWED, S.ALLOWED_IN_PART, S.DENIED, S.DEEMED_DENIED, S.ACCEPTED, S.REJECTED}
)


class CaseQuerySet(models.QuerySet):
    """The queue's vocabulary: small chainable filters that selectors and the FilterSet compose."""

    def open(self) -> "CaseQuerySet":
        """Cases still awaiting their outcome."""
        return self.filter(is_open=True)

    def closed(self) -> "CaseQuerySet":
        """Cases decided, withdrawn or closed."""
        return self.filter(is_open=False)

    def for_importer(self, importer) -> "CaseQuerySet":
        return self.filter(importer=importer)

    def for_center(self, center) -> "CaseQuerySet":
        return self.filter(center=center)

    def for_entry(self, entry) -> "CaseQuerySet":
        """Every case that covers an entry, of any kind."""
        return self.filter(entry_links__entry=entry).distinct()

    def unassigned(self) -> "CaseQuerySet":
        return self.filter(assignee__isnull=True)

    def assigned_to(self, user) -> "CaseQuerySet":
        return self.filter(assignee=user)

    def due_within(self, days: int, *, today: date) -> "CaseQuerySet":
        """Open cases whose next deadline falls within `days` days of today (overdue included)."""
        return self.open().filter(next_deadline_on__lte=today + timedelta(days=days))

    def overdue(self, today: date) -> "CaseQuerySet":
        """Open cases whose next deadline has passed."""
        return self.open().filter(next_deadline_on__lt=today)

    def by_deadline(self) -> "CaseQuerySet":
        """Nearest statutory deadline first; cases without one last (served by the queue indexes)."""
        return self.order_by(models.F("next_deadline_on").asc(nulls_last=True), "id")

    def visible_to(self, user) -> "CaseQuerySet":
        """The one visibility rule for cases: those of the accounts the user may see, and for a
        broker only the case kinds its live delegations cover."""
        return restrict_to_accounts(self, user, importer_path="importer", kind_path="kind")


class Case(models.Model):
    reference_number = models.CharField(max_length=24, unique=True)
    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    status = models.CharField(max_length=20, choices=CaseStatus.choices)
    is_open = models.BooleanField(default=True)
    center = models.ForeignKey("importers.Center", on_delete=models.PROTECT, related_name="cases")
    filing_port = models.ForeignKey("importers.Port", on_delete=models.PROTECT, related_name="cases")
    importer = models.ForeignKey("importers.Importer", on_delete=models.PROTECT, related_name="cases")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    filed_on = models.DateField(help_text="Legal date of filing or issue (legal time zone)")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="filed_cases"
    )
    next_deadline_on = models.DateField(null=True, blank=True)
    next_deadline_kind = models.CharField(max_length=40, blank=True)
    flagged_for_specialist = models.BooleanField(default=False)
    flag_reason = models.TextField(blank=True)
    # Incremented by every write through cases.services, to refuse edits made on a stale page.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The queue: open cases of a Center by nearest deadline (keyset on deadline, id).
            models.Index(
                fields=["center", "next_deadline_on", "id"],
                name="case_open_center_deadline",
                condition=Q(is_open=True),
            ),
            models.Index(
                fields=["next_deadline_on", "id"], name="case_open_deadline", condition=Q(is_open=True)
            ),
            models.Index(
                fields=["assignee", "next_deadline_on", "id"],
                name="case_open_assignee_deadline",
                condition=Q(is_open=True),
            ),
            models.Index(
                fields=["filing_port", "next_deadline_on", "id"],
                name="case_open_port_deadline",
                condition=Q(is_open=True),
            ),
            # The unassigned queue of a Center, its busiest view (queue filter assignee=unassigned).
            models.Index(
                fields=["center", "next_deadline_on", "id"],
                name="case_open_unassigned_deadline",
                condition=Q(is_open=True, assignee__isnull=True),
            ),
            models.Index(fields=["center", "kind", "status"], name="case_center_kind_status"),
            # The queue's counts per kind and status (open cases of a Center, or of all Centers): an
            # index-only scan (the id is counted, so it is included). Without it PostgreSQL read
            # ~17,000 table pages for one Center's 78,000 open cases of the 1M-case seed (200-500 ms).
            models.Index(
                fields=["center", "kind", "status"],
                include=["id"],
                name="case_open_center_kind_status",
                condition=Q(is_open=True),
            ),
            models.Index(fields=["importer", "is_open"], name="case_importer_open"),
            # An account's open cases by nearest deadline (the API list of a token scoped to one
            # account): read in index order to the page's end instead of sorting every open case
            # of the account (23 ms for the 1,065 of the seed's busiest account; 1-2 ms with it).
            models.Index(
                fields=["importer", "next_deadline_on", "id"],
                name="case_open_importer_deadline",
                condition=Q(is_open=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="case_open_matches_status",
                condition=Q(is_open=True, status__in=sorted(OPEN_STATUSES))
                | Q(is_open=False) & ~Q(status__in=sorted(OPEN_STATUSES)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference_number} ({self.get_kind_display()})"

    def allowed_moves(self) -> dict[str, str]:
        """The moves the transition table allows from the current status: {to: who}."""
        return TRANSITIONS[self.kind].get(self.status, {})

    def can_move_to(self, status: str) -> bool:
        return status in self.allowed_moves()


class CaseEntry(models.Model):
    """An entry a case covers. For protests: the protested decision, its date and the category."""

    class Decision(models.TextChoices):
        LIQUIDATION = "liquidation", "Liquidation or reliquidation"
        APPRAISEMENT = "appraisement", "Appraised value"
        CLASSIFICATION = "classification", "Classification and rate of duty"
        CHARGES = "charges", "Charges or exactions assessed in liquidation"
        CHARGES_OUTSIDE = "charges_outside", "Charges or exactions outside liquidation"
        EXCLUSION = "exclusion", "Exclusion of merchandise"
        DRAWBACK = "drawback", "Refusal to pay drawback"
        REFUSAL_1520D = "refusal_1520d", "Refusal to reliquidate under 1520(d)"

    class Act(models.TextChoices):
        """The act a protest runs from (19 U.S.C. 1514(c)(3)); one protest of it per entry and category."""

        LIQUIDATION = "liquidation", "Liquidation"
        RELIQUIDATION = "reliquidation", "Reliquidation"
        SEPARATE = "separate", "Decision outside liquidation"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entry_links")
    entry = models.ForeignKey("importers.Entry", on_delete=models.PROTECT, related_name="case_links")
    case_kind = models.CharField(max_length=10, choices=CaseKind.choices)
    merchandise_category = models.CharField(max_length=100, blank=True)
    protested_decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    # Liquidation-merged decisions run from the liquidation or reliquidation that made them; the others
    # from their own decision. Stored at filing and never re-read from the entry: a later
    # reliquidation opens its own window and leaves this one alone.
    protested_act = models.CharField(max_length=20, choices=Act.choices, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    # Withdrawn protests and closed PSCs release the entry for a new filing.
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "entry"], name="uniq_case_entry"),
            # One protest per entry, category of merchandise and protested decision (19 U.S.C.
            # 1514(c)(1); 19 CFR 174.13): a reliquidation or a separate decision is protested anew.
            models.UniqueConstraint(
                fields=["entry", "merchandise_category", "protested_act", "decision_date"],
                name="uniq_protest_entry_category_decision",
                condition=Q(case_kind="protest", active=True),
            ),
            # One post summary correction in progress per entry.
            models.UniqueConstraint(
                fields=["entry"], name="uniq_open_psc_entry", condition=Q(case_kind="psc", active=True)
            ),
            # One 1520(d) claim in progress per entry, like a PSC (released when the claim closes).
            models.UniqueConstraint(
                fields=["entry"], name="uniq_open_pic_entry", condition=Q(case_kind="pic", active=True)
            ),
        ]
        indexes = [models.Index(fields=["entry", "case_kind"])]
        verbose_name = "case entry"
        verbose_name_plural = "case entries"

    def __str__(self) -> str:
        return f"Entry {self.entry} on {self.case.reference_number}"


class CaseDeadline(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", "Running"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        VOID = "void", "No longer applies"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=40, choices=[(k.value, k.value) for k in DeadlineKind])
    due_on = models.DateField()
    citation = models.CharField(max_length=200)
    rule = models.TextField()
    warnings = models.TextField(blank=True)
    # The last day of the period itself when a rule carried due_on past it (USCIT Rule 6(a)(1)(C)).
    period_ends_on = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="uniq_case_deadline")]
        indexes = [
            models.Index(
                fields=["kind", "due_on"], name="deadline_running_due", condition=Q(state="running")
            ),
        ]

    def __str__(self) -> str:
        return f"{DeadlineKind(self.kind).label}: {self.due_on}"


class ReferenceCounter(models.Model):
    """Serial numbers per kind, port and year; incremented under a row lock, never max()+1."""

    key = models.CharField(max_length=30, primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"
