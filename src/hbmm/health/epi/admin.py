"""Administration of the epidemiological series (inspection and rare repairs: values arrive
through the intake pipeline, so the link to the submission is read-only)."""

from django.contrib import admin

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.epi.models import EpiValue


@admin.register(EpiValue)
class EpiValueAdmin(admin.ModelAdmin):
    list_display = ["day", "area", "metric", "value", "source", "submission"]
    list_filter = ["source", "metric", "area__level"]
    date_hierarchy = "day"
    search_fields = ["area__pcode", "area__name_fr", "area__name_en"]
    raw_id_fields = ["area"]
    readonly_fields = ["submission", "recorded_at"]
    list_select_related = ["area", "submission"]

    def get_queryset(self, request):
        # A staff member of a region sees its records only, as on the pages.
        return restrict_to_scope(super().get_queryset(request), request.user)
