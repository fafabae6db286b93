"""Read-mostly views of cases for administrators (the staff workspace comes later)."""

from django.contrib import admin

from importers.admin import EntryAdmin, ReadOnlyAdminMixin

from .deadlines import DEADLINE_LABELS, DeadlineKind
from .models import Case, CaseDeadline, CaseEntry, CaseEvent, CaseStatus, Decision, Objection


@admin.display(description="deadline", ordering="kind")
def deadline_label(deadline: CaseDeadline) -> str:
    """The deadline's name in words: the stored kind is a code (DeadlineKind)."""
    return DeadlineKind(deadline.kind).label


class DeadlineKindFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.value, label) for kind, label in DEADLINE_LABELS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.display(description="next deadline")
def next_deadline_label(case: Case) -> str:
    return DeadlineKind(case.next_deadline_kind).label if case.next_deadline_kind else "—"


@admin.display(description="change")
def event_change(event: CaseEvent) -> str:
    """Old -> new, with status codes shown as their labels."""
    if not (event.old_value or event.new_value):
        return ""
    labels = dict(CaseStatus.choices)
    old, new = (labels.get(v, v) or "—" for v in (event.old_value, event.new_value))
    return f"{old} → {new}"


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
        deadline_label,
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
        event_change,
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

    def get_fields(self, request, obj=None):
        # Every field, the next deadline's kind shown by its label instead of its code.
        return [
            next_deadline_label if f.name == "next_deadline_kind" else f.name
            for f in Case._meta.fields
            if f.name != "id"
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*(f.name for f in Case._meta.fields), next_deadline_label]

    def has_add_permission(self, request):
        return False  # cases are filed through the services, never typed into the admin

    def has_change_permission(self, request, obj=None):
        return False  # and changed only through them: the page is for reading, with no Save button

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", "kind", event_change, "actor", "visibility"]
    fields = readonly_fields = [
        "case", "created_at", "actor", "on_behalf_of", "kind", event_change, "visibility", "message"
    ]  # fmt: skip
    list_filter = ["kind", "visibility"]
    search_fields = ["=case__reference_number"]
    list_select_related = ["case", "actor"]


@admin.register(CaseDeadline)
class CaseDeadlineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", deadline_label, "due_on", "period_ends_on", "state", "citation", "reminded_on"]
    fields = readonly_fields = [
        "case", deadline_label, "due_on", "period_ends_on", "state", "citation", "rule", "warnings",
        "reminded_on",
    ]  # fmt: skip
    list_filter = [DeadlineKindFilter, "state"]
    search_fields = ["=case__reference_number"]
    list_select_related = ["case"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "outcome", "decided_on", "notice_mailed_on", "refund_amount"]
    list_filter = ["outcome"]


class EntryCasesInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Every case on the entry, of any kind (a protest, a PSC, a CF-28 on it...)."""

    model = CaseEntry
    fk_name = "entry"
    extra = 0
    fields = ["case", "case_kind", "merchandise_category", "protested_decision", "decision_date", "active"]
    readonly_fields = fields
    verbose_name_plural = "cases on this entry"


# The entry's admin page is importers'; cases hangs its inline there, so the arrow points down.
EntryAdmin.inlines = [*EntryAdmin.inlines, EntryCasesInline]
