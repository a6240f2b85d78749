from django.contrib import admin

from hbmm.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs change through the workers."""

    list_display = ["pk", "kind", "label", "status", "attempts", "requested_by", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["label", "target"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
