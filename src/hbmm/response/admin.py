from django.contrib import admin

from hbmm.response.models import Membership, Organisation, Plan
from hbmm.response.services import membership_set


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "start", "end", "currency")
    readonly_fields = ("imported_at",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "acronym", "kind")
    search_fields = ("code", "name", "acronym")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who reports for which organisation (a partner then sees only its rows)."""

    list_display = ("user", "organisation")
    autocomplete_fields = ("organisation",)
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):
        membership_set(user=obj.user, organisation=obj.organisation, by=request.user)

    def delete_model(self, request, obj):
        membership_set(user=obj.user, organisation=None, by=request.user)
