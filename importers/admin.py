from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from cee_portal.legal_time import legal_today

from . import services
from .identifiers import normalize_ior
from .models import (
    AccountAssignment,
    Center,
    District,
    Entry,
    EntryLine,
    HeadingCenter,
    HtsChapter,
    HtsRule,
    HtsRuleChange,
    Importer,
    ImporterMembership,
    PinChange,
    Port,
    PreferenceAgreement,
    ReassignmentJob,
    ScheduledMove,
)
from .reference import resolver


class ReadOnlyAdminMixin:
    """History and derived tables: visible, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ["ace_id", "short_code", "name", "management_office"]
    search_fields = ["ace_id", "short_code", "name"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Port)
class PortAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "state", "district", "kind", "in_census_schedule_d", "active"]
    list_filter = ["active", "kind", "in_census_schedule_d", "district"]
    search_fields = ["code", "name"]
    list_select_related = ["district"]


@admin.register(HtsChapter)
class HtsChapterAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "section", "basis"]
    list_filter = ["section", "basis"]
    search_fields = ["code", "title"]


@admin.register(HtsRule)
class HtsRuleAdmin(admin.ModelAdmin):
    """The HTS -> Center rule editor; every save rebuilds the heading table and is recorded."""

    list_display = ["prefix", "center", "basis", "source", "updated_at"]
    list_filter = ["center", "basis"]
    search_fields = ["prefix", "source"]
    list_select_related = ["center"]

    def save_model(self, request, obj, form, change):
        old_center_id = form.initial.get("center") if change else None
        resolver.save_hts_rule(obj, actor=request.user, is_new=not change, old_center_id=old_center_id)

    def delete_model(self, request, obj):
        resolver.delete_hts_rule(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            resolver.delete_hts_rule(rule, actor=request.user)


@admin.register(HtsRuleChange)
class HtsRuleChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "changed_at",
        "prefix",
        "action",
        "old_center",
        "new_center",
        "changed_by",
        "headings_changed",
    ]
    list_filter = ["action", "new_center"]
    search_fields = ["prefix"]


@admin.register(HeadingCenter)
class HeadingCenterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["heading", "center", "rule_prefix"]
    list_filter = ["center"]
    search_fields = ["heading"]
    list_select_related = ["center"]


@admin.register(PreferenceAgreement)
class PreferenceAgreementAdmin(admin.ModelAdmin):
    """The agreements under which 1520(d) claims lie; `active` stops new claims under one."""

    list_display = ["code", "name", "regulation", "basis", "active"]
    list_filter = ["active", "basis"]
    search_fields = ["code", "name", "regulation"]

    def get_readonly_fields(self, request, obj=None):
        # Claims refer to the code: it is fixed once the row exists.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # claims keep their agreement; mark it inactive instead


class MembershipInline(admin.StackedInline):
    # Stacked, not tabular: a tabular row's inputs have no <label>, which screen readers need (axe "label").
    model = ImporterMembership
    extra = 0
    raw_id_fields = ["user"]


# The figures behind an assignment (importers.accounts.mix.Mix.figures and reassignment.decide), in words.
FIGURE_LABELS = {
    "basis": "Counted by",
    "volume": "Volume in the window",
    "window_days": "Window (days)",
    "margin_points": "Margin (points)",
    "minimum_volume": "Minimum volume",
    "lead_points": "Lead (points)",
}


@admin.display(description="figures")
def figures_table(obj) -> str:
    """The assignment figures as a small table: the totals, then each Center's volume and share."""
    figures = obj.figures or {}
    if not figures:
        return "—"
    by_center, shares = figures.get("by_center", {}), figures.get("shares", {})
    totals = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td></tr>",
        ((FIGURE_LABELS.get(key, key.replace("_", " ").capitalize()), value)
         for key, value in figures.items() if key not in ("by_center", "shares")),
    )  # fmt: skip
    centers = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td><td>{} %</td></tr>",
        ((center, by_center.get(center, "—"), shares.get(center, "—"))
         for center in sorted(set(by_center) | set(shares))),
    )  # fmt: skip
    table = format_html("<table class='figures'><tbody>{}</tbody></table>", totals)
    if centers:
        table += format_html(
            "<table class='figures'><thead><tr><th scope='col'>Center</th><th scope='col'>Volume</th>"
            "<th scope='col'>Share</th></tr></thead><tbody>{}</tbody></table>",
            centers,
        )
    return table


class AssignmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AccountAssignment
    extra = 0
    fields = ["effective_on", "from_center", "to_center", "reason", "decided_by", figures_table, "note"]
    readonly_fields = fields


class ImporterAdminForm(forms.ModelForm):
    # Typed forms (12-3456789-00, lower case, spaces) are longer than the stored canonical form: the
    # field takes them and clean_ior_number stores the canonical one, with the feed's messages.
    ior_number = forms.CharField(label="Importer number", max_length=40, help_text="Canonical form")

    class Meta:
        model = Importer
        fields = [
            "ior_number",
            "name",
            "address",
            "center",
            "account_manager",
            "needs_account_manager",
            "pin_reason",
            "pin_note",
        ]

    def clean_ior_number(self):
        # The one rule (importers.identifiers), as the feed applies it.
        return normalize_ior(self.cleaned_data["ior_number"])[0]

    def clean(self):
        cleaned = super().clean()
        previous = self.initial.get("center")
        center = cleaned.get("center")
        if self.instance.pk and previous and center is None and "center" in cleaned:
            self.add_error("center", "An account always has a Center: move it to another one instead.")
        if (
            self.instance.pk
            and previous
            and center
            and center.pk != previous
            and not cleaned.get("pin_reason")
        ):
            self.add_error(
                "pin_reason",
                "A manual move of the account needs a pin reason, or the next "
                "automatic run would move it back (81 FR 92978).",
            )
        return cleaned


@admin.display(description="IOR kind")
def ior_kind_label(importer: Importer) -> str:
    return importer.get_ior_kind_display()


@admin.register(Importer)
class ImporterAdmin(admin.ModelAdmin):
    form = ImporterAdminForm
    list_display = ["ior_number", "name", "center", "account_manager", "pin_reason", "needs_account_manager"]
    list_filter = [
        "center",
        ("pin_reason", admin.EmptyFieldListFilter),
        "pin_reason",
        "needs_account_manager",
    ]
    search_fields = ["=ior_number", "name"]
    list_select_related = ["center", "account_manager"]
    raw_id_fields = ["account_manager", "pinned_by"]
    readonly_fields = [ior_kind_label, "pinned_by", "pinned_at", "created_at"]
    inlines = [MembershipInline, AssignmentInline]
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin.css"]}

    def save_model(self, request, obj, form, change):
        # Through the move services: a new Center takes the open cases along, with history.
        services.save_importer_from_admin(obj, form=form, actor=request.user, today=legal_today())


class EntryLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = EntryLine
    extra = 0
    fields = ["line_number", "hts_number", "entered_value", "duty", "center"]
    readonly_fields = fields


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = [
        "formatted_number",
        "importer",
        "port",
        "entry_date",
        "importation",
        "liquidation_status",
        "liquidation_date",
    ]
    list_filter = [
        ("importation_date", admin.EmptyFieldListFilter),
        "liquidation_status",
        "port__district",
        "port",
    ]
    search_fields = ["=entry_number"]
    list_select_related = ["importer", "port"]
    raw_id_fields = ["importer", "port"]
    readonly_fields = ["created_at", "updated_at"]
    # cases/admin.py adds the cases on the entry (importers does not import cases).
    inlines = [EntryLineInline]
    show_full_result_count = False

    @admin.display(description="importation date", ordering="importation_date")
    def importation(self, obj: Entry) -> str:
        if obj.lacks_importation_date:
            return "MISSING: the 1520(d) year cannot be counted"
        return obj.importation_date.isoformat()

    def get_search_results(self, request, queryset, search_term):
        # Staff paste entry numbers formatted (ABC-1234567-6); the table holds them normalised.
        return super().get_search_results(request, queryset, search_term.replace("-", "").upper().strip())


@admin.register(ReassignmentJob)
class ReassignmentJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "scope",
        "dry_run",
        "as_of",
        "state",
        "started_at",
        "finished_at",
        "examined",
        "planned",
        "moved",
        "scheduled",
        "errors",
    ]
    list_filter = ["scope", "state", "dry_run"]


@admin.register(ScheduledMove)
class ScheduledMoveAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["importer", "from_center", "to_center", "announced_on", "effective_on", "state"]
    fields = readonly_fields = [
        "importer", "from_center", "to_center", "announced_on", "effective_on", "state", figures_table
    ]  # fmt: skip

    class Media:
        css = {"all": ["css/admin.css"]}

    list_filter = ["state", "to_center"]
    search_fields = ["=importer__ior_number", "importer__name"]
    list_select_related = ["importer", "from_center", "to_center"]


@admin.register(PinChange)
class PinChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Pins set and lifted, with their reason (the account-move pages and the admin both record them)."""

    list_display = ["importer", "action", "pin_reason", "changed_by", "changed_at"]
    list_filter = ["action", "pin_reason"]
    search_fields = ["=importer__ior_number", "importer__name"]
    list_select_related = ["importer", "changed_by"]
