"""Importer accounts: the account and its members, its Center (history, mix, moves, runs, pins),
and the people who act for it (invitations, broker delegations; issue 13 item 2)."""

import uuid

from django.conf import settings
from django.db import models

from ..identifiers import IorKind, validate_ior
from .reference import Center


class AssignmentReason(models.TextChoices):
    INITIAL = "initial", "Initial assignment"
    COMPUTED = "computed", "Computed from the commodity mix"
    BUSINESS_PRACTICE = "business_practice", "Business practice"
    INTENDED_USE = "intended_use", "Intended use"
    HIGH_VALUE = "high_value", "High relative value"
    APPEAL = "appeal", "Appeal in writing to OFO"


PIN_REASONS = [
    (r.value, r.label)
    for r in (
        AssignmentReason.BUSINESS_PRACTICE,
        AssignmentReason.INTENDED_USE,
        AssignmentReason.HIGH_VALUE,
        AssignmentReason.APPEAL,
    )
]


class Importer(models.Model):
    """An importer of record's account; it belongs to exactly one Center."""

    ior_number = models.CharField(
        "importer number", max_length=12, unique=True, validators=[validate_ior], help_text="Canonical form"
    )
    ior_kind = models.CharField(max_length=3, choices=[(k.value, k.name) for k in IorKind])
    name = models.CharField(max_length=200, db_index=True)
    address = models.TextField(blank=True)
    center = models.ForeignKey(
        Center, null=True, blank=True, on_delete=models.PROTECT, related_name="importers"
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    # Set when the account moved and the new Center has yet to name an account manager.
    needs_account_manager = models.BooleanField(default=False)
    # A manual assignment that automatic moves must respect until a supervisor lifts it.
    pin_reason = models.CharField(max_length=20, choices=PIN_REASONS, blank=True)
    pin_note = models.TextField(blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pinned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ImporterMembership", related_name="importer_accounts"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["center", "name"])]

    def __str__(self) -> str:
        return f"{self.ior_number} {self.name}"

    @property
    def is_pinned(self) -> bool:
        return bool(self.pin_reason)


class ImporterMembership(models.Model):
    """An importer-side user's access to an importer account."""

    importer = models.ForeignKey(Importer, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    is_account_admin = models.BooleanField(default=False, help_text="May invite and remove colleagues")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["importer", "user"], name="uniq_importer_membership")]

    def __str__(self) -> str:
        return f"{self.user} for {self.importer}"


class AccountAssignment(models.Model):
    """One move of an account between Centers, with the figures behind it (append-only)."""

    importer = models.ForeignKey(Importer, on_delete=models.CASCADE, related_name="assignments")
    from_center = models.ForeignKey(Center, null=True, on_delete=models.PROTECT, related_name="+")
    to_center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=AssignmentReason.choices)
    effective_on = models.DateField()
    decided_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # Shares by Center, volume, basis, margin: enough to explain the decision later.
    figures = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["importer", "-effective_on"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}, effective {self.effective_on}"


class ImporterMonthlyMix(models.Model):
    """Rollup of an importer's lines by month of entry and Center, maintained by the ingest.

    The commodity mix over any window is a sum over a few of these rows, and a chart draws the
    history straight from them.
    """

    # The unique (importer, month, center) index serves lookups by importer.
    importer = models.ForeignKey(
        Importer, on_delete=models.CASCADE, related_name="monthly_mix", db_index=False
    )
    month = models.DateField(help_text="First day of the month of entry")
    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="+")
    line_count = models.PositiveIntegerField()
    entered_value = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["importer", "month", "center"], name="uniq_importer_month_center")
        ]
        indexes = [models.Index(fields=["month"])]
        verbose_name = "importer monthly mix"
        verbose_name_plural = "importer monthly mixes"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.line_count} lines"


class MonthlyMixDelta(models.Model):
    """Lines already added to the entry tables but not yet to ImporterMonthlyMix (mix.fold_deltas).

    The ingest writes what each chunk's new lines add here, in the chunk's transaction, as plain
    inserts; updating the rollup itself cost far more per row. Every reader of the rollup folds these
    in first, and the ingest folds them at the end of each file, so they live minutes. Without key
    constraints for the same reason: the fold writes them into the rollup, which has them.
    """

    importer = models.ForeignKey(
        Importer, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    month = models.DateField()
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    line_count = models.PositiveIntegerField()
    entered_value = models.DecimalField(max_digits=16, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: +{self.line_count} lines"


class ScheduledMove(models.Model):
    """An announced account move that takes effect after the notice period (ACCOUNT_MIX NOTICE_DAYS)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPLIED = "applied", "Applied"
        CANCELLED = "cancelled", "Cancelled (the mix changed back, or the account was pinned)"

    importer = models.ForeignKey(Importer, on_delete=models.CASCADE, related_name="scheduled_moves")
    from_center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="+")
    to_center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="+")
    announced_on = models.DateField()
    effective_on = models.DateField()
    figures = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)

    class Meta:
        ordering = ["effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["importer"],
                name="uniq_pending_move_per_importer",
                condition=models.Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"Move effective {self.effective_on} ({self.state})"


class ReassignmentJob(models.Model):
    """One run of the account reassignment: what it looked at, what it moved, what failed."""

    class Scope(models.TextChoices):
        FULL = "full", "Full recompute"
        INCREMENTAL = "incremental", "Importers touched by an import"
        SINGLE = "single", "One importer"

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    scope = models.CharField(max_length=12, choices=Scope.choices)
    dry_run = models.BooleanField(default=False)
    as_of = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    examined = models.PositiveIntegerField(default=0)
    planned = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    scheduled = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    error_log = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        dry = ", dry run" if self.dry_run else ""
        return f"{self.get_scope_display()} as of {self.as_of}{dry} ({self.get_state_display().lower()})"


# --- People and authority (issue 13 item 2) -------------------------------------------------------------


class Invitation(models.Model):
    """An importer administrator's invitation of a colleague: an expiring, single-use link.

    Only the SHA-256 of the token is stored; the token itself exists once, in the email.
    """

    importer = models.ForeignKey(Importer, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    as_account_admin = models.BooleanField(default=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the outbox handler sent the email (None: not yet, or never: cancelled or expired first).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.importer}"


# The case kinds a delegation may name, with the labels people read: cases.models.CaseKind's values
# and labels (importers may not import cases; tests/importers/test_people.py fails if the two drift
# apart). Pages and emails show the labels, never the stored codes.
DELEGABLE_KIND_LABELS = {
    "protest": "Protest (CBP Form 19)",
    "psc": "Post summary correction",
    "pic": "Post-importation claim (19 U.S.C. 1520(d))",
    "cf28": "Request for information (CBP Form 28)",
    "cf29": "Notice of action (CBP Form 29)",
}
DELEGABLE_KINDS = tuple(DELEGABLE_KIND_LABELS)


def delegable_kind_label(kind: str) -> str:
    """The label of a delegable case kind (an unknown code is shown as stored, never hidden)."""
    return DELEGABLE_KIND_LABELS.get(kind, kind)


class BrokerDelegationQuerySet(models.QuerySet):
    def live(self, today) -> "BrokerDelegationQuerySet":
        """Delegations in force on a legal date: begun, not ended, not revoked (the dates are inclusive)."""
        return self.filter(revoked_at__isnull=True, starts_on__lte=today).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today)
        )

    def covering(self, kind: str) -> "BrokerDelegationQuerySet":
        """Delegations whose scope includes a case kind (kinds are stored ",protest,psc,")."""
        return self.filter(case_kinds__contains=f",{kind},")


class BrokerDelegation(models.Model):
    """An importer's grant to a broker firm to act for it (19 CFR 141.46: a customs power of attorney).

    Scoped by case kinds and a date range; revocation ends it at once. A delegation is never
    deleted: every broker act names the delegation it was made under.
    """

    importer = models.ForeignKey(Importer, on_delete=models.PROTECT, related_name="delegations")
    broker_firm = models.ForeignKey("users.BrokerFirm", on_delete=models.PROTECT, related_name="delegations")
    # Case kinds (cases.models.CaseKind values) between commas: ",protest,psc,".
    case_kinds = models.CharField(max_length=80)
    power_of_attorney = models.CharField("power of attorney reference", max_length=100)
    starts_on = models.DateField()
    # None: until revoked (only for delegations carried over from broker memberships).
    ends_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The delegation's public identifier (the API's, issue 14): random, so it tells nothing of how
    # many delegations exist, unlike the database id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = BrokerDelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["broker_firm", "importer"])]

    def __str__(self) -> str:
        return f"Delegation {self.pk}: {self.broker_firm} for {self.importer}"

    @property
    def kinds(self) -> list[str]:
        return [k for k in self.case_kinds.split(",") if k]

    @property
    def kind_labels(self) -> list[str]:
        """The delegated kinds as people read them ("Protest (CBP Form 19)", not "protest"), in the
        order the kinds are offered (the stored codes are sorted alphabetically)."""
        order = {kind: n for n, kind in enumerate(DELEGABLE_KINDS)}
        return [delegable_kind_label(k) for k in sorted(self.kinds, key=lambda k: order.get(k, len(order)))]

    def is_live(self, today) -> bool:
        return (
            self.revoked_at is None
            and self.starts_on <= today
            and (self.ends_on is None or today <= self.ends_on)
        )


class PinChange(models.Model):
    """A pin set or lifted on an account, with who, when and why (append-only).

    The pin itself lives on Importer (what automatic moves read); this is its history, so a lifted
    pin's reason is not lost (81 FR 92978: a manual assignment is a recorded supervisory decision).
    """

    class Action(models.TextChoices):
        PINNED = "pinned", "Pinned"
        UNPINNED = "unpinned", "Pin lifted"

    importer = models.ForeignKey(Importer, on_delete=models.CASCADE, related_name="pin_changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    # The pin reason (one of PIN_REASONS) when pinning; empty when lifting.
    pin_reason = models.CharField(max_length=20, choices=PIN_REASONS, blank=True)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "pin change"

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.changed_at:%Y-%m-%d}"
