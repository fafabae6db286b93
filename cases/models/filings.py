"""What each kind of filing or CBP action holds beyond the case row: protests (protestants,
objections), corrections, 1520(d) claims, CF-28s, CF-29s, and the decision."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .case import Case, CaseEntry, CaseStatus


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
