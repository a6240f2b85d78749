"""The API's authentication by personal access token (`Authorization: Bearer hbmm_…`), the
throttle per token, and the rule that a read-only token only reads.

A token authenticates as its user: the API then checks the same permissions and applies the
same scope as the pages. Session authentication keeps working for the pages' own calls.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling

from hbmm.accounts.models import ApiToken
from hbmm.accounts.services import api_token_authenticate


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            text = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        token = api_token_authenticate(text, request=request._request)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def request_token(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class ReadOnlyTokenPermission(permissions.BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS)."""

    message = _("This token is read-only.")

    def has_permission(self, request, view):
        token = request_token(request)
        return token is None or not token.read_only or request.method in permissions.SAFE_METHODS


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (HBMM_API_RATE, e.g. 600/min); session calls by user."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = request_token(request)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
