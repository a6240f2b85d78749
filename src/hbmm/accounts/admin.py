from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hbmm.accounts.models import AuditEvent, User, UserScope
from hbmm.accounts.selectors import user_scope_codes
from hbmm.accounts.services import scope_change_log


class UserScopeInline(admin.TabularInline):
    model = UserScope
    extra = 0
    autocomplete_fields = ["area", "site"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserScopeInline]
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("language",)}))

    def save_related(self, request, form, formsets, change):
        """Save groups, permissions and the scope inline; audit a scope change once.

        The inline writes UserScope rows itself (not through `user_scope_set`), so the
        before/after comparison is made here. Group and permission changes are audited by
        the m2m signal receivers in `hbmm.accounts.signals`.
        """
        user = form.instance
        before = user_scope_codes(user) if change else []
        super().save_related(request, form, formsets, change)
        after = user_scope_codes(user)
        if after != before:
            scope_change_log(user=user, before=before, after=after, by=request.user)


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
