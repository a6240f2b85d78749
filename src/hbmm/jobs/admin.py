from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hbmm.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs change through the workers."""

    list_display = ["pk", "kind", "label", "status", "attempts", "requested_by", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["label", "target"]
    # The result file through the jobs page's download (its owner's), never MEDIA_URL.
    exclude = ["result_file"]
    readonly_fields = [f.name for f in Job._meta.fields if f.name != "result_file"] + [
        "stored_file"
    ]

    @admin.display(description=_("result file"))
    def stored_file(self, obj):
        if obj is None or obj.pk is None or not obj.result_file:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("jobs:file", kwargs={"pk": obj.pk}),
            obj.result_file.name.rsplit("/", 1)[-1],
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
