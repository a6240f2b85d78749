"""The request being served, for audit entries written from signals (permission changes made
in the Django admin, for instance) that do not receive the request themselves."""

from contextvars import ContextVar

_request: ContextVar = ContextVar("hbmm_current_request", default=None)


def current_request():
    return _request.get()


def current_user():
    request = _request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
