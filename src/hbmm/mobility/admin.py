"""Admin pages of the mobility records. The records come from submissions (forms, files): they
are read-only here, corrected through the intake review (which keeps the raw data and the
trail). The mobility settings (land border closure date) are edited here."""

from django.contrib import admin

from hbmm.accounts.scope import restrict_to_scope
from hbmm.mobility.models import (
    DisplacementFigure,
    DisplacementRound,
    FlowCount,
    MobilityEvent,
    MobilitySettings,
    MrrcOccupancy,
    StrandedMigrants,
)
from hbmm.mobility.services import border_closure_date_set


class ReadOnlyAdmin(admin.ModelAdmin):
    list_select_related = True
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # A staff member of a region sees its records only, as on the pages (the rounds of
        # displacement, national, have no place to scope by).
        queryset = super().get_queryset(request)
        model = self.model
        if getattr(model, "scope_site_lookup", None) or getattr(model, "scope_area_lookup", None):
            queryset = restrict_to_scope(queryset, request.user)
        return queryset


@admin.register(FlowCount)
class FlowCountAdmin(ReadOnlyAdmin):
    list_display = [
        "observation_date",
        "site",
        "direction",
        "total",
        "men",
        "women",
        "boys",
        "girls",
        "nationality",
        "transport",
        "reason",
        "submission",
    ]
    list_filter = ["direction", "reason", "transport", "site"]
    date_hierarchy = "observation_date"
    search_fields = ["site__code", "nationality"]


@admin.register(DisplacementRound)
class DisplacementRoundAdmin(ReadOnlyAdmin):
    list_display = ["number", "reporting_date", "title", "source"]


@admin.register(DisplacementFigure)
class DisplacementFigureAdmin(ReadOnlyAdmin):
    list_display = ["round", "area", "site", "households", "total", "returnees", "submission"]
    list_filter = ["round"]
    search_fields = ["area__pcode", "area__name_fr"]


@admin.register(MrrcOccupancy)
class MrrcOccupancyAdmin(ReadOnlyAdmin):
    list_display = ["date", "site", "total", "men", "women", "boys", "girls", "submission"]
    list_filter = ["site"]
    date_hierarchy = "date"


@admin.register(StrandedMigrants)
class StrandedMigrantsAdmin(ReadOnlyAdmin):
    list_display = ["date", "site", "count", "nationalities", "needs", "submission"]
    list_filter = ["site"]
    date_hierarchy = "date"


@admin.register(MobilityEvent)
class MobilityEventAdmin(ReadOnlyAdmin):
    list_display = ["event_date", "event_type", "area", "site", "households", "individuals"]
    list_filter = ["event_type"]
    date_hierarchy = "event_date"


@admin.register(MobilitySettings)
class MobilitySettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "border_closure_date", "updated_at"]
    fields = ["border_closure_date"]

    def has_add_permission(self, request):
        return not MobilitySettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service, so the change is audited.
        border_closure_date_set(day=obj.border_closure_date, by=request.user)
