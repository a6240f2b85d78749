from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from hbmm.accounts import selectors
from hbmm.accounts.scope import user_scope


@login_required
def me(request):
    """The signed-in user's roles, geographic scope and recent sessions."""
    user = request.user
    return render(
        request,
        "accounts/me.html",
        {
            "roles": selectors.user_roles(user),
            "scopes": selectors.user_scopes(user),
            "scope": user_scope(user),
            "events": selectors.user_recent_events(user),
        },
    )
