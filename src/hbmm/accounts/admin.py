from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hbmm.accounts.models import AuditEvent, User, UserScope


class UserScopeInline(admin.TabularInline):
    model = UserScope
    extra = 0
    autocomplete_fields = ["area", "site"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserScopeInline]
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("language",)}))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_username", "action", "target", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_username", "target"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
