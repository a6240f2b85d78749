"""/healthz: what a load balancer, nginx or a monitor asks to know whether this instance can
serve. 200 with {"status": "ok", ...} when the database answers (and Redis, when REDIS_URL is
set); 503 with the failing part otherwise. No sign-in, no personal data, no cache; exempt
from the HTTPS redirect (SECURE_REDIRECT_EXEMPT) so a local probe can ask over HTTP."""

import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database(alias: str) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is the answer, not a 500
        return f"error: {type(exc).__name__}"
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not used"
    try:
        import redis  # noqa: PLC0415  (installed with django-tasks-rq, only with REDIS_URL)

        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    started = time.monotonic()
    checks = {alias: _database(alias) for alias in settings.DATABASES}
    checks["redis"] = _redis()
    healthy = all(v in ("ok", "not used") for v in checks.values())
    body = {
        "status": "ok" if healthy else "error",
        "checks": checks,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)
