"""Administration of the health app's records (epidemiological series, capacity, status).

Records normally arrive through the intake pipeline; the admin is for inspection and rare
repairs, so the link to the submission is read-only."""

from django.contrib import admin

from hbmm.health.models import CAPACITY_ITEM_FIELDS, CapacityAssessment, EpiValue, PoeStatus


@admin.register(EpiValue)
class EpiValueAdmin(admin.ModelAdmin):
    list_display = ["day", "area", "metric", "value", "source", "submission"]
    list_filter = ["source", "metric", "area__level"]
    date_hierarchy = "day"
    search_fields = ["area__pcode", "area__name_fr", "area__name_en"]
    raw_id_fields = ["area"]
    readonly_fields = ["submission", "recorded_at"]
    list_select_related = ["area", "submission"]


@admin.register(CapacityAssessment)
class CapacityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["assessed_on", "site", "point_type", *CAPACITY_ITEM_FIELDS[:4]]
    list_filter = ["point_type", *CAPACITY_ITEM_FIELDS]
    date_hierarchy = "assessed_on"
    search_fields = ["site__code", "site__name_fr"]
    raw_id_fields = ["site"]
    readonly_fields = ["submission", "recorded_at"]
    list_select_related = ["site"]


@admin.register(PoeStatus)
class PoeStatusAdmin(admin.ModelAdmin):
    list_display = ["site", "effective_from", "status", "restriction", "daily_inflow"]
    list_filter = ["status", "restriction"]
    date_hierarchy = "effective_from"
    search_fields = ["site__code", "site__name_fr"]
    raw_id_fields = ["site"]
    readonly_fields = ["submission", "recorded_at"]
    list_select_related = ["site"]
