"""Reference data: Centers, districts, ports, HTS chapters and rules, the heading table, agreements."""

from django.conf import settings
from django.db import models


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
