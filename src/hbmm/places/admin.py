from django.contrib import admin

from hbmm.places.models import AdminArea, Site, SiteKind


@admin.register(AdminArea)
class AdminAreaAdmin(admin.ModelAdmin):
    list_display = ["pcode", "name_fr", "name_en", "level", "parent", "country_iso3"]
    list_filter = ["level", "country_iso3"]
    search_fields = ["pcode", "name_fr", "name_en"]
    readonly_fields = ["path"]


@admin.register(SiteKind)
class SiteKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "area", "neighbour_country", "active_from", "active_to"]
    list_filter = ["kinds", "area__country_iso3"]
    search_fields = ["code", "name_fr", "name_en", "area__pcode"]
    filter_horizontal = ["kinds"]
    autocomplete_fields = ["area", "neighbour_country"]
