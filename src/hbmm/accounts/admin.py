from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hbmm.accounts.models import ApiToken, AuditEvent, User, UserScope
from hbmm.accounts.selectors import user_scope_codes
from hbmm.accounts.services import (
    API_TOKEN_MAX_DAYS,
    api_token_create,
    api_token_revoke,
    scope_change_log,
)


class UserScopeInline(admin.TabularInline):
    model = UserScope
    extra = 0
    autocomplete_fields = ["area", "site"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users are deactivated, never deleted: the audit log keeps who did what (its actor is a
    protected reference), and a deactivated account can neither log in nor submit."""

    inlines = [UserScopeInline]
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("language",)}))
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Deactivate the selected users"), permissions=["change"])
    def deactivate(self, request, queryset):
        """Each deactivation is audited by the flag receivers (hbmm.accounts.signals)."""
        count = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            user.is_active = False
            user.save(update_fields=["is_active"])
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, _("You cannot deactivate yourself."), messages.WARNING)

    def save_related(self, request, form, formsets, change):
        """Save groups, permissions and the scope inline; audit a scope change once.

        The inline writes UserScope rows itself (not through `user_scope_set`), so the
        before/after comparison is made here. Group and permission changes are audited by
        the m2m signal receivers in `hbmm.accounts.signals`.
        """
        user = form.instance
        before = user_scope_codes(user) if change else []
        super().save_related(request, form, formsets, change)
        after = user_scope_codes(user)
        if after != before:
            scope_change_log(user=user, before=before, after=after, by=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_username", "action", "target", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_username", "target"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiTokenAddForm(forms.ModelForm):
    """An administrator's new token for a user (a service account of a ministry's system)."""

    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=API_TOKEN_MAX_DAYS, initial=90
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "read_only"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.fields["user"]
        assert isinstance(user, forms.ModelChoiceField)
        user.queryset = User.objects.filter(is_active=True).order_by("username")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see every token (never its secret: only a hash is stored) and revoke
    them. Users create their own tokens in *My account*; an administrator (superuser) may
    create one for another user here (a service account): its text is shown once, on the
    page that follows, and the creation is audited with who made it for whom."""

    list_display = [
        "user",
        "name",
        "key_id",
        "read_only",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "last_used_ip",
    ]
    list_filter = ["read_only"]
    search_fields = ["user__username", "name", "key_id"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
            kwargs["fields"] = ["user", "name", "days", "read_only"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["user", "name", "days", "read_only"]})]
        return super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field of a token is read-only
        token, text = api_token_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            read_only=form.cleaned_data["read_only"],
            by=request.user,
            request=request,
        )
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if k != "_state"})
        obj._state.adding = False
        request._hbmm_new_token = text  # shown once, by response_add

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(
            request,
            "admin/accounts/apitoken/created.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Token created"),
                "token": obj,
                "text": request._hbmm_new_token,
                "opts": self.model._meta,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            api_token_revoke(token=token, actor=request.user, request=request)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
