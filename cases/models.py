"""Cases: one Case row per filing or CBP action (the queue's table), detail tables per kind,
the entries each case covers, deadlines, decisions and the append-only timeline."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from importers.permissions import restrict_to_accounts

from .deadlines import DeadlineKind


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


class ProtestDetail(models.Model):
    class AfrCriterion(models.TextChoices):
        INCONSISTENT_RULING = "a", "174.24(a): inconsistent with a ruling or decision"
        NOT_RULED = "b", "174.24(b): question of law or fact not ruled on"
        NOT_CONSIDERED = "c", "174.24(c): arguments or facts not previously considered"
        INTERNAL_ADVICE_REFUSED = "d", "174.24(d): Headquarters refused internal advice"

    class AfrStatus(models.TextChoices):
        NOT_REQUESTED = "not_requested", "Not requested"
        REQUESTED = "requested", "Requested"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    class ReviewOffice(models.TextChoices):
        NONE = "", "None"
        HEADQUARTERS = "headquarters", "Headquarters (Regulations & Rulings)"
        CENTER_REVIEWER = "center_reviewer", "Center reviewer not involved in the decision"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="protest")
    merchandise_category = models.CharField(max_length=100, blank=True)
    description = models.TextField(help_text="Description of the merchandise")
    related_protest = models.CharField(max_length=20, blank=True)
    is_exclusion = models.BooleanField(default=False)
    # Recorded by request_accelerated_disposition, a later action on the filed protest (19 CFR 174.22).
    accelerated_disposition_mailed_on = models.DateField(
        null=True, blank=True, help_text="Certified- or registered-mail date of the first timely request"
    )
    afr_filed_on = models.DateField(null=True, blank=True, help_text="Further review filed (with a protest)")
    afr_status = models.CharField(max_length=20, choices=AfrStatus.choices, default=AfrStatus.NOT_REQUESTED)
    afr_criterion = models.CharField(max_length=1, choices=AfrCriterion.choices, blank=True)
    afr_justification = models.TextField(blank=True)
    afr_decided_on = models.DateField(null=True, blank=True)
    review_office = models.CharField(max_length=20, choices=ReviewOffice.choices, blank=True)
    review_center = models.ForeignKey(
        "importers.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # The queue's filters "further review pending" and "accelerated disposition requested" pick a
        # few protests out of many: partial indexes hold only those rows.
        indexes = [
            models.Index(fields=["case"], name="protest_afr_requested", condition=Q(afr_status="requested")),
            models.Index(
                fields=["case"],
                name="protest_accelerated_requested",
                condition=Q(accelerated_disposition_mailed_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Protest details of {self.case.reference_number}"


class Protestant(models.Model):
    """A person who filed (or joined) a protest; several filers of one entry and category are one protest."""

    class Role(models.TextChoices):
        IMPORTER = "importer", "Importer of record or consignee"
        SURETY = "surety", "Surety"
        PAYER = "payer", "Person who paid the charges"
        DRAWBACK_CLAIMANT = "drawback_claimant", "Drawback claimant"
        EXPORTER_PRODUCER = "exporter_producer", "Exporter or producer (certificate of origin)"
        OTHER = "other", "Other person seeking entry or delivery"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="protestants")
    identifier = models.CharField(
        max_length=40, help_text="IOR, EIN or other number identifying the protestant"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices)
    agent_name = models.CharField(max_length=200, blank=True)
    filed_on = models.DateField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # A surety's protest may run from the mailing of the demand on its bond (19 U.S.C. 1514(c)(3)).
    bond_demand_mailed_on = models.DateField(null=True, blank=True)
    joined = models.BooleanField(default=False, help_text="Deemed part of an existing protest (174.15)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "identifier"], name="uniq_protestant_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"


class Objection(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "", "Pending"
        ALLOWED = "allowed", "Allowed"
        DENIED = "denied", "Denied"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="objections")
    number = models.PositiveSmallIntegerField()
    protested_decision = models.CharField(max_length=20, choices=CaseEntry.Decision.choices)
    text = models.TextField()
    justification = models.TextField()
    added_on = models.DateField()
    added_by = models.ForeignKey(Protestant, null=True, on_delete=models.PROTECT, related_name="objections")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="uniq_objection_number")]

    def __str__(self) -> str:
        return f"Objection {self.number}: {self.get_protested_decision_display()}"


class PscDetail(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="psc")
    entry = models.ForeignKey("importers.Entry", on_delete=models.PROTECT, related_name="+")
    reason_code = models.CharField(max_length=10)
    explanation = models.TextField()

    class Meta:
        verbose_name = "post summary correction detail"

    def __str__(self) -> str:
        return f"Post summary correction details of {self.case.reference_number}"


class PscLine(models.Model):
    psc = models.ForeignKey(PscDetail, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField()
    hts_number = models.CharField(max_length=10)
    entered_value = models.DecimalField(max_digits=14, decimal_places=2)
    duty = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["psc", "line_number"]
        constraints = [models.UniqueConstraint(fields=["psc", "line_number"], name="uniq_psc_line")]
        verbose_name = "post summary correction line"

    def __str__(self) -> str:
        return f"Line {self.line_number}: HTS {self.hts_number}"


class PicDetail(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="pic")
    entry = models.ForeignKey("importers.Entry", on_delete=models.PROTECT, related_name="+")
    # Only the agreements of the reference table provide 1520(d) claims; the column keeps the code.
    agreement = models.ForeignKey(
        "importers.PreferenceAgreement",
        to_field="code",
        db_column="agreement",
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate_of_origin = models.TextField(help_text="Certification of origin: reference and statement")

    class Meta:
        verbose_name = "1520(d) claim detail"

    def __str__(self) -> str:
        return f"1520(d) claim details of {self.case.reference_number}"


class InformationRequest(models.Model):
    """CBP Form 28 (19 U.S.C. 1509; 19 CFR 151.11)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="cf28")
    entry = models.ForeignKey("importers.Entry", on_delete=models.PROTECT, related_name="+")
    questions = models.TextField()
    due_on = models.DateField()
    answer = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)
    overdue_flagged_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "request for information (CF-28)"
        verbose_name_plural = "requests for information (CF-28)"

    def __str__(self) -> str:
        return f"CF-28 {self.case.reference_number}, due {self.due_on}"


class NoticeOfAction(models.Model):
    """CBP Form 29, proposed or taken (19 CFR 152.2)."""

    class ActionKind(models.TextChoices):
        PROPOSED = "proposed", "Proposed action"
        TAKEN = "taken", "Action taken"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="cf29")
    entry = models.ForeignKey("importers.Entry", on_delete=models.PROTECT, related_name="+")
    action_kind = models.CharField(max_length=10, choices=ActionKind.choices)
    action = models.TextField()
    due_on = models.DateField(null=True, blank=True, help_text="Answer due (proposed actions only)")
    answer = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "notice of action (CF-29)"
        verbose_name_plural = "notices of action (CF-29)"

    def __str__(self) -> str:
        return f"CF-29 {self.case.reference_number} ({self.get_action_kind_display().lower()})"


class Decision(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="decision")
    outcome = models.CharField(max_length=20, choices=CaseStatus.choices)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField()
    refund_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # For a denial in whole or in part: the date of mailing of the notice of denial, from which the
    # Court of International Trade's 180 days run (19 CFR 174.30(a), 174.31(a)).
    notice_mailed_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.decided_on}"


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


class ReferenceCounter(models.Model):
    """Serial numbers per kind, port and year; incremented under a row lock, never max()+1."""

    key = models.CharField(max_length=30, primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


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


# --- Documents and messages (issue 13 items 4 and 5) ------------------------------------------------------


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


# --- The dashboard's precomputed figures (cases.services.dashboards, cases.selectors.dashboards) --------


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

    snapshot = models.ForeignKey(
        DashboardSnapshot, on_delete=models.CASCADE, related_name="decision_counts"
    )
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
