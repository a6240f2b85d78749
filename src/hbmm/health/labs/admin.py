"""Administration of the laboratory registry (imported by labs.setup.ready). Samples are
personal health data: they are read on their scoped pages, not here."""

from django.contrib import admin

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.labs.models import Laboratory


@admin.register(Laboratory)
class LaboratoryAdmin(admin.ModelAdmin):
    list_display = ("site", "kind", "point", "since", "status", "daily_capacity")
    list_filter = ("kind", "status")
    raw_id_fields = ("site", "point", "updated_by")

    def get_queryset(self, request):
        # A staff member sees the laboratories of their scope only, as on the registry's
        # edit page.
        return restrict_to_scope(super().get_queryset(request), request.user).select_related(
            "site", "point"
        )
