from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hbmm.accounts import selectors
from hbmm.accounts.models import ApiToken
from hbmm.accounts.scope import user_scope
from hbmm.accounts.services import API_TOKEN_MAX_DAYS, api_token_create, api_token_revoke


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=API_TOKEN_MAX_DAYS,
        initial=90,
    )
    read_only = forms.BooleanField(label=gettext_lazy("Read-only"), required=False, initial=True)


def _me_page(request, *, form=None, new_token: str = ""):
    user = request.user
    return render(
        request,
        "accounts/me.html",
        {
            "roles": selectors.user_roles(user),
            "scopes": selectors.user_scopes(user),
            "scope": user_scope(user),
            "events": selectors.user_recent_events(user),
            "tokens": selectors.user_api_tokens(user),
            "token_form": form or ApiTokenForm(),
            "new_token": new_token,
        },
    )


@login_required
def me(request):
    """The signed-in user's roles, geographic scope, recent sessions and API tokens."""
    return _me_page(request)


@login_required
@require_POST
def api_token_new(request):
    """Create a personal access token: its text is shown once, on this response only."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _me_page(request, form=form)
    try:
        _token, text = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            read_only=form.cleaned_data["read_only"],
            request=request,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _me_page(request, form=form)
    response = _me_page(request, new_token=text)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    """Revoke one of one's own tokens (another user's is not found)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, actor=request.user, request=request)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:me")
