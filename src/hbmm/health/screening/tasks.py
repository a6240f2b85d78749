"""Background work of the screening module: the suspect-case alert e-mails.

The messages are written when the suspect is notified (in the recipients' languages, with no
personal identifiers: `workflow._alert_message`) and sent by a worker after the record
commits. A message already sent is counted as the job's progress, so a run again (worker
killed, SMTP server down then back) does not send it twice; an unreachable SMTP server is
tried again five minutes later, three times in all.
"""

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.jobs.presenters import number
from hbmm.jobs.runner import JobRetry, JobRun, job_task
from hbmm.jobs.services import job_enqueue


@job_task
def alert_emails_send(run: JobRun, *, messages: list[dict]) -> dict:
    sent = run.job.progress_done  # sent by an earlier run of this job
    for index in range(sent, len(messages)):
        message = messages[index]
        try:
            EmailMessage(subject=message["subject"], body=message["body"], to=message["to"]).send()
        except OSError as exc:
            raise JobRetry(
                _("The alert e-mail to %(to)s could not be sent: %(error)s")
                % {"to": ", ".join(message["to"]), "error": exc}
            ) from exc
        run.progress(index + 1, len(messages))
    return {"sent": len(messages), "recipients": sum(len(m["to"]) for m in messages)}


def alert_emails_enqueue(*, messages: list[dict], references: list[str], by=None):
    """Queue the alert e-mails (dicts of subject, body, to) of the screenings `references`."""
    label = _("Alert e-mails: %s") % ", ".join(references[:5])
    if len(references) > 5:
        label += " …"
    return job_enqueue(
        kind="alert_email",
        task=alert_emails_send,
        params={"messages": messages},
        label=label,
        requested_by=by,
    )


def alert_describe(outcome: dict) -> str:
    sent = outcome.get("sent", 0)
    return ngettext("%(n)s e-mail sent", "%(n)s e-mails sent", sent) % {"n": number(sent)}
