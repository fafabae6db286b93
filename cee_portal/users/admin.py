from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import BrokerFirm, SignInEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "center", "broker_firm", "is_active"]
    list_filter = ["role", "center", "is_active", "is_staff"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("CEE Portal", {"fields": ["role", "center", "broker_firm"]}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("CEE Portal", {"fields": ["role", "center"]}))
    # Plain labelled multi-selects: the two-pane filter widget's script adds ARIA labels to bare
    # <span>s, which screen readers are not given (axe "aria-prohibited-attr", serious).
    filter_horizontal = ()


@admin.register(BrokerFirm)
class BrokerFirmAdmin(admin.ModelAdmin):
    list_display = ["name", "filer_code"]
    search_fields = ["name", "filer_code"]


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in audit trail: read only, never edited or deleted by hand."""

    list_display = ["at", "kind", "username", "user", "ip_address"]
    list_filter = ["kind", "at"]
    search_fields = ["=username", "=ip_address"]
    list_select_related = ["user"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# django-axes: the failure counts behind the lockout. Deleting a row lifts that lockout at once; the rows
# are otherwise read only. Its access logs are off (AXES_DISABLE_ACCESS_LOG): SignInEvent is the trail.
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    def has_change_permission(self, request, obj=None):
        return False
