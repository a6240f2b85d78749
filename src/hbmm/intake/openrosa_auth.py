"""HTTP Basic authentication for the OpenRosa endpoints (ODK Collect, Enketo).

Why Basic and not Digest: Digest needs the server to hold a password-equivalent secret (HA1 =
MD5(user:realm:password)), while HBMM stores only Argon2 hashes; Digest would need a second,
weaker stored secret per user. Basic sends the password itself, so it MUST travel over TLS
(ODK Collect only sends Basic credentials over HTTPS); ODK Central made the same choice.

An Argon2 check costs tens of milliseconds and tens of megabytes, and Collect sends the
credentials with every request; a successful check is therefore remembered for a few minutes,
in process memory, under a keyed hash of the credentials (never the password), and only while
the user's stored password hash is unchanged. Failed attempts go through django-axes, and the
lockout is checked on every request, before the cache: a locked account (from this address,
or everywhere: hbmm.accounts.lockout) is refused even with credentials checked a minute ago.
"""

import base64
import binascii
import hashlib
import hmac

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache

REALM = "HBMM"
CACHE_SECONDS = 300


def _cache_key(username: str, password: str) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), f"{username}\0{password}".encode(), hashlib.sha256)
    return f"hbmm:openrosa-auth:{mac.hexdigest()}"


def credentials(request) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep and username else None


def plain_http_refused(request) -> bool:
    """True when Basic credentials would travel in clear: a plain HTTP request, in production
    (HBMM_OPENROSA_ALLOW_HTTP off). Checked before the credentials are even read."""
    return not request.is_secure() and not settings.HBMM_OPENROSA_ALLOW_HTTP


def basic_user(request):
    """The active user named by the request's Basic credentials, or None."""
    given = credentials(request)
    if given is None:
        return None
    username, password = given
    if not AxesProxyHandler.is_allowed(request, {"username": username}):
        # AxesMiddleware answers with the lockout page, as for a web login.
        request.axes_locked_out = True
        request.axes_credentials = {"username": username}
        return None
    key = _cache_key(username, password)
    remembered = cache.get(key)
    if remembered is not None:
        user_pk, password_hash = remembered
        user = get_user_model().objects.filter(pk=user_pk, is_active=True).first()
        if user is not None and user.password == password_hash:
            return user
        cache.delete(key)
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    cache.set(key, (user.pk, user.password), CACHE_SECONDS)
    return user
