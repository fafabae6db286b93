from django import forms
from django.contrib import admin

from cases.models import CaseEntry

from . import resolver
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
    Port,
    ReassignmentJob,
    ScheduledMove,
)


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


class MembershipInline(admin.TabularInline):
    model = ImporterMembership
    extra = 0
    raw_id_fields = ["user"]


class AssignmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AccountAssignment
    extra = 0
    fields = ["effective_on", "from_center", "to_center", "reason", "decided_by", "figures", "note"]
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
    readonly_fields = ["ior_kind", "pinned_by", "pinned_at", "created_at"]
    inlines = [MembershipInline, AssignmentInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        from . import services

        services.save_importer_from_admin(obj, form=form, actor=request.user)


class EntryLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = EntryLine
    extra = 0
    fields = ["line_number", "hts_number", "entered_value", "duty", "center"]
    readonly_fields = fields


class EntryCasesInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Every case on the entry, of any kind (a protest, a PSC, a CF-28 on it...)."""

    model = CaseEntry
    fk_name = "entry"
    extra = 0
    fields = ["case", "case_kind", "merchandise_category", "protested_decision", "decision_date", "active"]
    readonly_fields = fields
    verbose_name_plural = "cases on this entry"


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = [
        "formatted_number",
        "importer",
        "port",
        "entry_date",
        "liquidation_status",
        "liquidation_date",
    ]
    list_filter = ["liquidation_status", "port__district", "port"]
    search_fields = ["=entry_number"]
    list_select_related = ["importer", "port"]
    raw_id_fields = ["importer", "port"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [EntryLineInline, EntryCasesInline]
    show_full_result_count = False

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
    list_filter = ["state", "to_center"]
    search_fields = ["=importer__ior_number", "importer__name"]
    list_select_related = ["importer", "from_center", "to_center"]
