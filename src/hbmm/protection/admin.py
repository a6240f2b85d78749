"""Admin pages of protection: the registries (service providers and the services they offer,
their focal points; protection teams). Cases are not in the admin: they are read and written
only through the protection pages, where the record rules and the audit apply."""

from django.contrib import admin

from hbmm.protection.models import (
    ProtectionTeam,
    ReferralPathway,
    ServiceProvider,
    SiteMonitoring,
)


@admin.register(ServiceProvider)
class ServiceProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "service_types", "area", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["focal_users"]


@admin.register(ProtectionTeam)
class ProtectionTeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    filter_horizontal = ["members"]


@admin.register(ReferralPathway)
class ReferralPathwayAdmin(admin.ModelAdmin):
    list_display = ["site", "need", "provider"]
    list_filter = ["need"]
    list_select_related = True


@admin.register(SiteMonitoring)
class SiteMonitoringAdmin(admin.ModelAdmin):
    """Visits come from the site monitoring form; corrected through the intake review."""

    list_display = ["date", "site", "population", "isolation_capacity", "distancing"]
    list_select_related = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
