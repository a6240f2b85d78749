"""Administration of case definitions and screenings (imported by screening.setup.ready).

Identifiers are never shown here: they are read on the screening page, which logs each read.
"""

from django.contrib import admin

from hbmm.accounts.scope import restrict_to_scope
from hbmm.health.screening.models import CaseDefinition, FollowUpVisit, Screening


@admin.register(CaseDefinition)
class CaseDefinitionAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "name_en", "valid_from", "is_active")
    list_filter = ("is_active",)

    def get_readonly_fields(self, request, obj=None):
        # A definition used by screenings is history: only its activity can change.
        if obj is not None and obj.screenings.exists():
            return ("code", "version", "name_fr", "name_en", "valid_from", "rules", "source")
        return ()


class VisitInline(admin.TabularInline):
    model = FollowUpVisit
    extra = 0
    fields = ("visited_on", "temperature", "symptoms", "note", "by")
    readonly_fields = fields
    can_delete = False


@admin.register(Screening)
class ScreeningAdmin(admin.ModelAdmin):
    list_display = ("pk", "point", "screened_at", "person_key", "is_suspect", "step")
    list_filter = ("is_suspect", "classification_status", "point")
    date_hierarchy = "screened_at"
    exclude = ("name", "phone", "document_number")
    readonly_fields = [
        f.name
        for f in Screening._meta.get_fields()
        if f.concrete and f.name not in ("id", "name", "phone", "document_number")
    ]
    inlines = [VisitInline]

    def get_queryset(self, request):
        return restrict_to_scope(super().get_queryset(request), request.user).select_related(
            "point"
        )

    def has_add_permission(self, request):
        return False  # screenings come through the forms and the intake pipeline

    def has_delete_permission(self, request, obj=None):
        return False
