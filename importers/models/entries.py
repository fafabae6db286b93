"""Entries and their lines, as the entry feed delivers them."""

from django.db import models

from ..identifiers import format_entry_number, format_hts, validate_hts
from .accounts import Importer
from .reference import Center, Port


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
    # lookups, and every index slows the bulk ingest of millions of entries. No per-row key checks
    # on PostgreSQL: triggers check a whole statement's entries (migration 0015, as 0007 for lines).
    importer = models.ForeignKey(
        Importer, on_delete=models.PROTECT, related_name="entries", db_index=False, db_constraint=False
    )
    port = models.ForeignKey(
        Port, on_delete=models.PROTECT, related_name="entries", db_index=False, db_constraint=False
    )
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
