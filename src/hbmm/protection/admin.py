"""Admin pages of protection: the registries (service providers and the services they offer,
their focal points; protection teams). Cases are not in the admin: they are read and written
only through the protection pages, where the record rules and the audit apply."""

from django.contrib import admin

from hbmm.protection.models import ProtectionTeam, ServiceProvider


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
