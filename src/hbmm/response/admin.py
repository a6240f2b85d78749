from django.contrib import admin

from hbmm.response.models import Organisation, Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "start", "end", "currency")
    readonly_fields = ("imported_at",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "acronym", "kind")
    search_fields = ("code", "name", "acronym")
