from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import BrokerFirm, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "center", "broker_firm", "is_active"]
    list_filter = ["role", "center", "is_active", "is_staff"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("CEE Portal", {"fields": ["role", "center", "broker_firm"]}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("CEE Portal", {"fields": ["role", "center"]}))


@admin.register(BrokerFirm)
class BrokerFirmAdmin(admin.ModelAdmin):
    list_display = ["name", "filer_code"]
    search_fields = ["name", "filer_code"]
