"""Read-mostly views of cases for administrators (the staff workspace comes later)."""

from django.contrib import admin

from importers.admin import ReadOnlyAdminMixin

from .models import Case, CaseDeadline, CaseEntry, CaseEvent, Decision, Objection


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EntryInline(ReadOnlyInline):
    model = CaseEntry
    fields = readonly_fields = [
        "entry",
        "merchandise_category",
        "protested_decision",
        "protested_act",
        "decision_date",
        "active",
    ]


class DeadlineInline(ReadOnlyInline):
    model = CaseDeadline
    fields = readonly_fields = [
        "kind",
        "due_on",
        "period_ends_on",
        "state",
        "citation",
        "warnings",
        "reminded_on",
    ]


class ObjectionInline(ReadOnlyInline):
    model = Objection
    fields = readonly_fields = ["number", "protested_decision", "text", "justification", "outcome"]


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = readonly_fields = [
        "created_at",
        "actor",
        "on_behalf_of",
        "kind",
        "old_value",
        "new_value",
        "visibility",
        "message",
    ]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference_number",
        "kind",
        "status",
        "center",
        "filing_port",
        "importer",
        "assignee",
        "next_deadline_on",
        "flagged_for_specialist",
    ]
    list_filter = ["kind", "status", "is_open", "center", "flagged_for_specialist"]
    search_fields = ["=reference_number", "=importer__ior_number"]
    list_select_related = ["center", "filing_port", "importer", "assignee"]
    inlines = [EntryInline, ObjectionInline, DeadlineInline, EventInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False  # cases are filed through the services, never typed into the admin

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", "kind", "old_value", "new_value", "actor", "visibility"]
    list_filter = ["kind", "visibility"]
    search_fields = ["=case__reference_number"]
    list_select_related = ["case", "actor"]


@admin.register(CaseDeadline)
class CaseDeadlineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "kind", "due_on", "period_ends_on", "state", "citation", "reminded_on"]
    list_filter = ["kind", "state"]
    search_fields = ["=case__reference_number"]
    list_select_related = ["case"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "outcome", "decided_on", "notice_mailed_on", "refund_amount"]
    list_filter = ["outcome"]
