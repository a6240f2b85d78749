"""Background work of the API: reminding a token's owner that it expires soon.

Each worker's tick calls `token_reminders_schedule` (registered with `hbmm.jobs.registry`, as
the supplies digest is): the tokens in use that expire within HBMM_API_TOKEN_REMINDER_DAYS
(7 by default) and whose owner was not told yet are claimed one by one (`expiry_reminded_at`,
so that of several workers one writes each reminder), and one job sends the e-mails, in each
owner's language. A message already sent counts as the job's progress: a run again does not
send it twice. The message names the token and its key id, never its secret.
"""

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.accounts.selectors import api_tokens_expiring
from hbmm.accounts.services import api_token_reminder_claim
from hbmm.jobs.presenters import number
from hbmm.jobs.runner import JobRetry, JobRun, job_task
from hbmm.jobs.services import job_enqueue
from hbmm.presentation.figures import format_date


@job_task
def token_reminders_send(run: JobRun, *, messages: list[dict]) -> dict:
    sent = run.job.progress_done  # sent by an earlier run of this job
    for index in range(sent, len(messages)):
        message = messages[index]
        try:
            EmailMessage(subject=message["subject"], body=message["body"], to=message["to"]).send()
        except OSError as exc:
            raise JobRetry(
                _("The token reminder to %(to)s could not be sent: %(error)s")
                % {"to": ", ".join(message["to"]), "error": exc}
            ) from exc
        run.progress(index + 1, len(messages))
    return {"sent": len(messages)}


def token_reminders_describe(outcome: dict) -> str:
    sent = outcome.get("sent", 0)
    return ngettext("%(n)s e-mail sent", "%(n)s e-mails sent", sent) % {"n": number(sent)}


def reminder_message(token, *, language: str) -> tuple[str, str]:
    """(subject, body) of the reminder of `token`, in `language`."""
    with translation.override(language):
        values = {
            "name": token.name,
            "key": token.key_id,
            "date": format_date(timezone.localdate(token.expires_at)),
            "url": settings.BASE_URL + reverse("accounts:me"),
        }
        subject = _("Your HBMM API token “%(name)s” expires on %(date)s") % values
        body = (
            _(
                "Your API token “%(name)s” (key %(key)s) expires on %(date)s: from then on, "
                "the programs that use it can no longer read HBMM."
            )
            % values
            + "\n\n"
            + _(
                "To keep them working, create a new token in My account (%(url)s), put it in "
                "their place, then revoke the old one."
            )
            % values
            + "\n"
        )
    return subject, body


def token_reminders_schedule(*, now: dt.datetime | None = None) -> int:
    """Queue the reminders of the tokens expiring soon; returns the number queued."""
    now = now or timezone.now()
    days = getattr(settings, "HBMM_API_TOKEN_REMINDER_DAYS", 7)
    messages = []
    for token in api_tokens_expiring(now=now, within=dt.timedelta(days=days)):
        if not api_token_reminder_claim(token=token, now=now):
            continue  # another worker took it
        subject, body = reminder_message(token, language=token.user.language or "fr")
        messages.append({"subject": subject, "body": body, "to": [token.user.email]})
    if messages:
        job_enqueue(
            kind="token_reminder",
            task=token_reminders_send,
            params={"messages": messages},
            label=_("API token reminders of %(date)s") % {"date": now.date().isoformat()},
            lock_key=f"token_reminder:{now.isoformat()}",
        )
    return len(messages)


def token_reminders_title(job) -> str:
    """In the reader's language (the label is in the language of the worker that queued it)."""
    day = timezone.localdate(job.created_at)
    return _("API token reminders of %(date)s") % {"date": format_date(day)}
