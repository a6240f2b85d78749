"""Administration of focal points, signals and events (imported by ebs.setup.ready)."""

from django.contrib import admin

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.ebs.models import FocalPoint, HealthEvent, Signal


@admin.register(FocalPoint)
class FocalPointAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "area", "site", "is_active")
    list_filter = ("is_active",)
    search_fields = ("key", "name")
    autocomplete_fields = ()

    def get_queryset(self, request):
        return restrict_to_scope(super().get_queryset(request), request.user)


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "area", "reported_at", "status")
    list_filter = ("status", "kind")
    date_hierarchy = "reported_at"
    readonly_fields = [f.name for f in Signal._meta.get_fields() if f.concrete and f.name != "id"]

    def get_queryset(self, request):
        return restrict_to_scope(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HealthEvent)
class HealthEventAdmin(admin.ModelAdmin):
    list_display = ("pk", "signal", "risk", "status", "opened_at", "response_at")
    list_filter = ("status", "risk")
    readonly_fields = [
        f.name for f in HealthEvent._meta.get_fields() if f.concrete and f.name != "id"
    ]

    def get_queryset(self, request):
        return restrict_to_scope(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
