"""Administration of the point-of-entry records (inspection and rare repairs: records arrive
through the intake pipeline, so the link to the submission is read-only)."""

from django.contrib import admin

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.poe.models import CAPACITY_ITEM_FIELDS, CapacityAssessment, PoeStatus


@admin.register(CapacityAssessment)
class CapacityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["assessed_on", "site", "point_type", *CAPACITY_ITEM_FIELDS[:4]]
    list_filter = ["point_type", *CAPACITY_ITEM_FIELDS]
    date_hierarchy = "assessed_on"
    search_fields = ["site__code", "site__name_fr"]
    raw_id_fields = ["site"]
    readonly_fields = ["submission", "recorded_at"]
    list_select_related = ["site"]

    def get_queryset(self, request):
        # A staff member of a region sees its records only, as on the pages.
        return restrict_to_scope(super().get_queryset(request), request.user)


@admin.register(PoeStatus)
class PoeStatusAdmin(admin.ModelAdmin):
    list_display = ["site", "effective_from", "status", "restriction", "daily_inflow"]
    list_filter = ["status", "restriction"]
    date_hierarchy = "effective_from"
    search_fields = ["site__code", "site__name_fr"]
    raw_id_fields = ["site"]
    readonly_fields = ["submission", "recorded_at"]
    list_select_related = ["site"]

    def get_queryset(self, request):
        # A staff member of a region sees its records only, as on the pages.
        return restrict_to_scope(super().get_queryset(request), request.user)
