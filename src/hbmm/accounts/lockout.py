"""Lockout after failed logins (django-axes), with two limits.

Counting failures per account alone let anyone lock anyone out, for as long as they kept
trying: an account name is easy to guess, and every refused try restarted the cool-off. Here:

- `AXES_FAILURE_LIMIT` failures of one account **from one address** lock that account from
  that address only (`AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]`): the person
  guessing is stopped, the owner logs in from elsewhere;
- `HBMM_LOCKOUT_ACCOUNT_LIMIT` failures of one account **from all addresses together** (much
  higher) lock it everywhere: guessing spread over many addresses is stopped too;
- each lock ends `AXES_COOLOFF_TIME` after the last counted failure, and tries refused during
  a lock are not counted (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False`), so
  retrying does not make a lock last for ever.

The same check runs on every web login, every API and every OpenRosa request (the OpenRosa
credentials cache included, `hbmm.intake.openrosa_auth`).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def account_failures(self, request, credentials: dict | None = None) -> int:
        """Failures of the account from every address, within the cool-off time."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def account_locked(self, request, credentials: dict | None = None) -> bool:
        return self.account_failures(request, credentials) >= settings.HBMM_LOCKOUT_ACCOUNT_LIMIT

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.account_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.account_locked(request, credentials):
            # The failure that reaches the account's ceiling locks it now, as the
            # address limit does (the page says so, the audit entry is marked).
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
