from django.conf import settings

from hbmm.accounts.scope import user_scope
from hbmm.presentation.as_of import as_of_for_request
from hbmm.reports.registry import latest_data_date

# Everything is served from our own origin (no CDN); map tiles, when configured, are images.
# No 'unsafe-eval': charts are drawn with vega-embed's expression interpreter (`ast: true` in
# every vegaEmbed call), which never compiles code from strings.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


def _latest_data_date(user):
    """The default as-of date of `user`: the newest data of the overview's sections they see."""

    def latest():
        return latest_data_date(user, user_scope(user))

    return latest


class AsOfMiddleware:
    """Gives every request its as-of date (`hbmm.presentation.as_of`): `?as_of=` kept in the
    session, else the reader's latest data, computed only when a page reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.as_of = as_of_for_request(request, default=_latest_data_date(user))
        return self.get_response(request)
