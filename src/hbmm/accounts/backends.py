from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    """Log in with the username or the e-mail address (case-insensitive)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        User = get_user_model()
        field = "email__iexact" if "@" in username else "username__iexact"
        users = list(User._default_manager.filter(**{field: username})[:2])
        if len(users) != 1:
            User().set_password(password)  # same time as a real check: no user enumeration
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def user_for_login(typed: str):
    """The one user a typed login name or e-mail address names (any case), or None."""
    typed = (typed or "").strip()
    if not typed:
        return None
    User = get_user_model()
    field = "email__iexact" if "@" in typed else "username__iexact"
    users = list(User._default_manager.filter(**{field: typed})[:2])
    return users[0] if len(users) == 1 else None


def axes_username(request, credentials) -> str:
    """The key django-axes counts failures under: the account, however it was typed.

    "Alice", "alice" and "alice@example.org" are one account, so they share one failure
    counter (otherwise changing the case of a name would give unlimited attempts).
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username", "")
    typed = (typed or "").strip()
    if not typed:
        return ""
    # Asked several times per request (each lockout limit): looked up once.
    known = getattr(request, "_hbmm_axes_usernames", None)
    if known is None:
        known = {}
        if request is not None:
            request._hbmm_axes_usernames = known
    if typed not in known:
        user = user_for_login(typed)
        known[typed] = (user.get_username() if user is not None else typed).lower()
    return known[typed]
