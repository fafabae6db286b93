"""Reference data (Centers, ports, HTS rules), importer accounts, and the entries they file."""

from django.conf import settings
from django.db import models

from .identifiers import IorKind, format_entry_number, format_hts, validate_hts, validate_ior

# --- Reference data -----------------------------------------------------------------------------------


class Center(models.Model):
    """One of CBP's ten Centers of Excellence and Expertise."""

    ace_id = models.CharField("ACE centre id", max_length=6, unique=True)
    short_code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100)
    management_office = models.CharField(max_length=100)

    class Meta:
        ordering = ["ace_id"]

    def __str__(self) -> str:
        return f"{self.ace_id} {self.short_code}"


class District(models.Model):
    class Kind(models.TextChoices):
        CUSTOMS_DISTRICT = "customs_district", "Customs district"
        STATISTICAL = "statistical_pseudo_district", "Statistical pseudo-district"
        ACE_ADMINISTRATIVE = "ace_administrative", "ACE administrative prefix"

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PortQuerySet(models.QuerySet):
    def ports_of_entry(self) -> "PortQuerySet":
        """Current ports of entry: where entries may be filed."""
        return self.filter(kind=Port.Kind.PORT, active=True)


class Port(models.Model):
    class Kind(models.TextChoices):
        PORT = "port", "Port of entry"
        AIRPORT = "airport_or_user_fee_airport", "Airport or user-fee airport"
        COURIER = "courier_or_eccf_facility", "Courier / ECCF facility"
        ADMIN = "cbp_admin_or_preclearance", "CBP administrative or preclearance code"
        STATISTICAL = "statistical_aggregate", "Statistical aggregate"

    code = models.CharField(max_length=4, primary_key=True)
    name = models.CharField(max_length=100)
    state = models.CharField(max_length=2, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="ports")
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    source_status = models.CharField(max_length=60)
    in_census_schedule_d = models.BooleanField()
    # Ports of entry in the current Census Schedule D; delisted and ACE-only codes stay, inactive.
    active = models.BooleanField(default=False, db_index=True)
    note = models.CharField(max_length=200, blank=True)

    objects = PortQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Basis(models.TextChoices):
    """How sure a mapping row is (see importers/reference/data/README.md)."""

    CONFIRMED = "confirmed", "Confirmed (Federal Register or CBP notice)"
    CONFIRMED_PARTIAL = "confirmed_partial", "Confirmed in part"
    PER_BRIEF = "per_brief", "Per the Center's published brief"
    PER_BRIEF_PARTIAL = "per_brief_partial", "Per brief, in part"
    ASSUMED = "assumed", "Assumed (administrator to confirm)"
    ASSUMED_PARTIAL = "assumed_partial", "Assumed, in part"
    NOT_APPLICABLE = "n/a", "No Center of its own"


class HtsChapter(models.Model):
    code = models.CharField(max_length=2, primary_key=True)
    title = models.TextField()
    section = models.CharField(max_length=5)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "HTS chapter"

    def __str__(self) -> str:
        return f"{self.code} {self.title[:60]}"


class HtsRule(models.Model):
    """HTS prefix (chapter or heading) -> Center; the longest matching prefix wins."""

    prefix = models.CharField(
        "HTS prefix", max_length=4, unique=True, help_text="2 digits (chapter) or 4 digits (heading)"
    )
    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="hts_rules")
    basis = models.CharField(max_length=20, choices=Basis.choices, default=Basis.ASSUMED)
    source = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["prefix"]
        verbose_name = "HTS → Center rule"
        constraints = [
            models.CheckConstraint(
                name="htsrule_prefix_chapter_or_heading",
                condition=models.Q(prefix__regex=r"^([0-9]{2}|[0-9]{4})$"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} → {self.center.ace_id}"


class HtsRuleChange(models.Model):
    """Who changed an HTS rule, when, and from which Center to which (append-only history)."""

    class Action(models.TextChoices):
        CREATED = "created"
        CHANGED = "changed"
        DELETED = "deleted"

    prefix = models.CharField(max_length=4, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    old_center = models.ForeignKey(Center, null=True, on_delete=models.PROTECT, related_name="+")
    new_center = models.ForeignKey(Center, null=True, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    changed_at = models.DateTimeField(auto_now_add=True)
    headings_changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "HTS rule change"

    def __str__(self) -> str:
        return f"HTS {self.prefix} {self.get_action_display().lower()} on {self.changed_at:%Y-%m-%d %H:%M}"


class HeadingCenter(models.Model):
    """Derived table: every 4-digit heading -> its Center, rebuilt from HtsRule on every change.

    SQL joins on it (ingest, mix aggregation); Python looks it up. The longest-prefix logic lives
    only in importers.reference.resolver.rebuild_heading_table.
    """

    heading = models.CharField(max_length=4, primary_key=True)
    center = models.ForeignKey(Center, null=True, on_delete=models.PROTECT, related_name="+")
    rule_prefix = models.CharField(max_length=4, blank=True)

    class Meta:
        ordering = ["heading"]
        verbose_name = "HTS heading → Center"
        verbose_name_plural = "HTS headings → Centers"

    def __str__(self) -> str:
        return f"Heading {self.heading}"


class PreferenceAgreement(models.Model):
    """A trade agreement whose implementing act provides post-importation claims (19 U.S.C. 1520(d)).

    Only these agreements allow a 1520(d) claim; a late preference claim under any other program
    (Singapore, Australia, Morocco, Bahrain, Israel, Jordan, GSP, AGOA, CBERA/CBTPA) is a PSC or
    post-entry amendment before liquidation, or a protest after it (CBP guidance of Aug 2014; CSMS
    17-000110). Shipped in data/preference_agreements.csv; an administrator may correct a citation
    or stop claims under an agreement (active=False).
    """

    code = models.CharField(max_length=10, unique=True, help_text="Code used in filings, e.g. USMCA")
    name = models.CharField(max_length=120)
    regulation = models.CharField(
        max_length=120, help_text="The CFR sections on post-importation claims under this agreement"
    )
    implementing_act = models.CharField(max_length=200, blank=True)
    basis = models.CharField(max_length=20, choices=Basis.choices, default=Basis.ASSUMED)
    active = models.BooleanField(default=True, help_text="1520(d) claims under it may be filed")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "1520(d) agreement"

    def __str__(self) -> str:
        return f"{self.code} ({self.regulation})"


# --- Importer accounts --------------------------------------------------------------------------------


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


# --- Entries ----------------------------------------------------------------------------------------------


class LiquidationStatus(models.TextChoices):
    UNLIQUIDATED = "unliquidated", "Unliquidated"
    LIQUIDATED = "liquidated", "Liquidated"
    EXTENDED = "extended", "Extended (19 U.S.C. 1504(b))"
    SUSPENDED = "suspended", "Suspended (19 U.S.C. 1504(c))"
    DEEMED_LIQUIDATED = "deemed_liquidated", "Deemed liquidated (19 U.S.C. 1504(a))"


class Entry(models.Model):
    # Unique through a constraint, not unique=True: that also builds a second, pattern-matching
    # index on PostgreSQL, which nothing uses (entries are found by their exact number) and every
    # entry of the feed paid for.
    entry_number = models.CharField(max_length=11, help_text="Normalised: filer code, 7 digits, check")
    filer_code = models.CharField(max_length=3)
    # No single-column indexes: the (importer, date) and (port, date) indexes below serve these
    # lookups, and every index slows the bulk ingest of millions of entries.
    importer = models.ForeignKey(Importer, on_delete=models.PROTECT, related_name="entries", db_index=False)
    port = models.ForeignKey(Port, on_delete=models.PROTECT, related_name="entries", db_index=False)
    entry_type = models.CharField(max_length=2, default="01")
    entry_date = models.DateField()
    # Carried by the feed; never defaulted to the entry date. Without it the 1520(d) year cannot be
    # counted, so the entry (and any claim against it) is flagged for the specialist.
    importation_date = models.DateField(null=True, blank=True)
    scheduled_liquidation_date = models.DateField(null=True, blank=True)
    liquidation_date = models.DateField(null=True, blank=True)
    liquidation_status = models.CharField(
        max_length=20, choices=LiquidationStatus.choices, default=LiquidationStatus.UNLIQUIDATED
    )
    # 19 CFR 159.12 extensions granted at the importer's request lift the PSC 300-day cap.
    extension_requested_by_importer = models.BooleanField(default=False)
    reliquidation_date = models.DateField(null=True, blank=True)
    # The entry summary is under CBP review: no post summary correction may be filed (101.9(b)).
    summary_under_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["-entry_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["entry_number"], name="uniq_entry_number")]
        indexes = [
            models.Index(fields=["importer", "-entry_date"]),
            models.Index(fields=["port", "-entry_date"]),
        ]

    def __str__(self) -> str:
        return self.formatted_number

    @property
    def formatted_number(self) -> str:
        return format_entry_number(self.entry_number)

    @property
    def lacks_importation_date(self) -> bool:
        """No date of importation: the 1520(d) one-year window cannot be counted."""
        return self.importation_date is None


class EntryLine(models.Model):
    # The unique (entry, line_number) index serves lookups by entry; a second index would only slow
    # the ingest of the biggest table.
    # The key is checked by statement-level triggers (migration 0007), one set-based check per
    # insert or COPY, where a foreign-key constraint ran one query per line at commit: 28 % of the
    # time to import a million lines.
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="lines", db_index=False, db_constraint=False
    )
    line_number = models.PositiveSmallIntegerField()
    hts_number = models.CharField("HTS number", max_length=10, validators=[validate_hts])
    entered_value = models.DecimalField(max_digits=14, decimal_places=2)
    duty = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Resolved through importers.reference.resolver at ingest, re-resolved when the HTS rules change.
    # A copy of the resolver's answer (HeadingCenter, which has the key constraint) kept without one: the
    # database checked it line by line at every commit, 40 % of the ingest's database time, for ten
    # reference rows that are never deleted (PROTECT still refuses it in Django).
    center = models.ForeignKey(
        Center, null=True, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        ordering = ["entry", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "line_number"], name="uniq_entry_line"),
            models.CheckConstraint(
                name="entryline_value_not_negative", condition=models.Q(entered_value__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"Line {self.line_number}: HTS {self.formatted_hts}"

    @property
    def formatted_hts(self) -> str:
        return format_hts(self.hts_number)


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

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.importer}"


# The case kinds a delegation may name: cases.models.CaseKind's values (importers may not import
# cases; tests/importers/test_people.py fails if the two drift apart).
DELEGABLE_KINDS = ("protest", "psc", "pic", "cf28", "cf29")


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

    objects = BrokerDelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["broker_firm", "importer"])]

    def __str__(self) -> str:
        return f"Delegation {self.pk}: {self.broker_firm} for {self.importer}"

    @property
    def kinds(self) -> list[str]:
        return [k for k in self.case_kinds.split(",") if k]

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
