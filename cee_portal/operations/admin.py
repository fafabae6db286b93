from django.contrib import admin

from .models import OutboxMessage, PeriodicJobRun


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "created_at", "dispatched_at", "attempts", "last_error"]
    list_filter = ["topic", ("dispatched_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["topic", "payload", "created_at", "dispatched_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # written and drained by the outbox only: a page to read, without a Save button


@admin.register(PeriodicJobRun)
class PeriodicJobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "last_started_at", "last_finished_at", "last_status"]
    readonly_fields = ["name", "last_started_at", "last_finished_at", "last_status", "last_summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # written by the periodic jobs only
