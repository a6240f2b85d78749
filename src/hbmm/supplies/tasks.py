"""Background work of supplies: the daily stock-out digest to logistics.

Each worker's tick calls `digest_schedule` (registered with `hbmm.jobs.registry`): from
HBMM_SUPPLIES_DIGEST_HOUR (UTC) on, the first tick of the day claims the day (a `StockDigest`
row, unique per day), writes one message per recipient — the holders and items under the
threshold of days of stock, and the points of entry with a capacity gap and nothing dispatched
since, in the recipient's scope and language — and queues a job that sends them. Recipients:
active users holding `supplies.receive_digest` with an e-mail address. No personal data: codes,
names of places and items, quantities. A message already sent is counted as the job's
progress, so a run again does not send it twice.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.accounts.scope import user_scope
from hbmm.jobs.presenters import number
from hbmm.jobs.runner import JobRetry, JobRun, job_task
from hbmm.jobs.services import job_enqueue
from hbmm.presentation.figures import format_date
from hbmm.supplies import selectors
from hbmm.supplies.models import StockDigest


@job_task
def digest_emails_send(run: JobRun, *, messages: list[dict]) -> dict:
    sent = run.job.progress_done  # sent by an earlier run of this job
    for index in range(sent, len(messages)):
        message = messages[index]
        try:
            EmailMessage(subject=message["subject"], body=message["body"], to=message["to"]).send()
        except OSError as exc:
            raise JobRetry(
                _("The stock digest to %(to)s could not be sent: %(error)s")
                % {"to": ", ".join(message["to"]), "error": exc}
            ) from exc
        run.progress(index + 1, len(messages))
    return {"sent": len(messages)}


def digest_describe(outcome: dict) -> str:
    sent = outcome.get("sent", 0)
    return ngettext("%(n)s e-mail sent", "%(n)s e-mails sent", sent) % {"n": number(sent)}


def digest_message(*, scope, day: dt.date, language: str) -> tuple[str, str] | None:
    """The digest for a scope on `day`, in `language`: (subject, body), or None when there is
    nothing to report."""
    warnings = selectors.stockout_warnings(scope=scope, as_of=day)
    waiting = selectors.points_without_dispatch(scope=scope, as_of=day)
    if not warnings and not waiting:
        return None
    with translation.override(language):
        lines = [
            _("HBMM stock digest of %(date)s.") % {"date": format_date(day)},
            "",
        ]
        if warnings:
            lines.append(
                _("Stocks under %(days)d days of use (at the last 4 weeks' rate):")
                % {"days": selectors.stockout_threshold_days()}
            )
            lines += [
                _("- %(holder)s (%(name)s): %(item)s, %(quantity)s in stock, %(days)s days left")
                % {
                    "holder": r.holder.code,
                    "name": r.holder.name,
                    "item": r.item.name,
                    "quantity": number(r.quantity),
                    "days": r.days_left,
                }
                for r in warnings
            ]
            lines.append("")
        if waiting:
            lines.append(_("Points of entry with a capacity gap and nothing dispatched since:"))
            labels = selectors.gap_labels()
            lines += [
                _("- %(point)s (%(name)s), checklist of %(date)s: %(gaps)s")
                % {
                    "point": p.site.code,
                    "name": p.site.name,
                    "date": format_date(p.assessed_on),
                    "gaps": ", ".join(str(labels[g]) for g in p.unanswered),
                }
                for p in waiting
            ]
        subject = _(
            "HBMM stock digest — low stocks: %(stock)s; points waiting for supplies: %(points)s"
        ) % {
            "stock": number(len(warnings)),
            "points": number(len(waiting)),
        }
    return subject, "\n".join(lines) + "\n"


def digest_schedule(*, now: dt.datetime | None = None) -> int | None:
    """Queue today's digest if its hour has come and no worker did yet; returns the number of
    messages queued (None when it was not this call's to do)."""
    now = now or timezone.now()
    if now.hour < getattr(settings, "HBMM_SUPPLIES_DIGEST_HOUR", 6):
        return None
    day = now.date()
    try:
        with transaction.atomic():
            digest = StockDigest.objects.create(day=day)
    except IntegrityError:
        return None  # another worker claimed today
    permission = Permission.objects.get(
        content_type__app_label="supplies", codename="receive_digest"
    )
    recipients = (
        get_user_model()
        .objects.filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .filter(is_active=True)
        .exclude(email="")
        .distinct()
    )
    messages = []
    for user in recipients.order_by("pk"):
        written = digest_message(scope=user_scope(user), day=day, language=user.language or "fr")
        if written is not None:
            subject, body = written
            messages.append({"subject": subject, "body": body, "to": [user.email]})
    StockDigest.objects.filter(pk=digest.pk).update(messages=len(messages))
    if messages:
        job_enqueue(
            kind="stock_digest",
            task=digest_emails_send,
            params={"messages": messages},
            label=_("Stock digest of %(date)s") % {"date": day.isoformat()},
            lock_key=f"stock_digest:{day.isoformat()}",
        )
    return len(messages)


def digest_title(job) -> str:
    """In the reader's language (the label is in the language of the worker that queued it)."""
    day = timezone.localdate(job.created_at)
    return _("Stock digest of %(date)s") % {"date": format_date(day)}
