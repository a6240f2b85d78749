"""Background work of the reports app: the PDF situation report asked for on the web (a PDF
takes a second or more to render; a worker renders it, the page shows the job, the file is
served from the job; `hbmm sitrep` renders in its own process, synchronously); and the daily
reminders of late reports (`reporting_reminders_schedule`, a periodic step of every worker:
to each site's users and their supervisors, the reports of the schedules in
`reports/data/reporting_schedules.json` whose deadline has just passed without them)."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.accounts.scope import EVERYTHING
from hbmm.jobs.models import Job
from hbmm.jobs.presenters import number
from hbmm.jobs.runner import JobError, JobRetry, JobRun, job_task
from hbmm.jobs.services import job_enqueue
from hbmm.places.models import AdminArea
from hbmm.presentation.figures import format_date
from hbmm.reports import sitrep
from hbmm.reports.registry import Context
from hbmm.reports.reporting.completeness import Schedule, SiteReporting, schedules, site_reporting


@job_task
def sitrep_pdf_render(run: JobRun, *, user_id: int, as_of: str, area: str, lang: str) -> dict:
    """The report as the user sees it (their scope now, narrowed to `area`)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise JobError(_("The user who asked for this report no longer exists or is inactive."))
    chosen = AdminArea.objects.get(pcode=area) if area else None
    ctx = Context.of(user, as_of=date.fromisoformat(as_of), area=chosen)
    run.progress(0, 1)
    body = sitrep.render(ctx, fmt="pdf", lang=lang)
    name = sitrep.filename(ctx, "pdf", lang)
    run.save_file(name, body)
    run.progress(1, 1)
    return {"filename": name, "bytes": len(body)}


def sitrep_pdf_enqueue(*, ctx: Context, lang: str, by):
    """Queue the PDF report of `ctx` for `by`: (job, created). The same report asked again
    while it is being made is not made twice."""
    area = ctx.area_pcode or ""
    return job_enqueue(
        kind="sitrep_pdf",
        task=sitrep_pdf_render,
        params={"user_id": by.pk, "as_of": ctx.as_of.isoformat(), "area": area, "lang": lang},
        label=sitrep.filename(ctx, "pdf", lang),
        requested_by=by,
        lock_key=f"sitrep:{by.pk}:{ctx.as_of.isoformat()}:{area}:{lang}",
    )


def sitrep_describe(outcome: dict) -> str:
    """The file's size ("PDF, 312.4 KB"): its name is the job's label."""
    return f"PDF, {filesizeformat(outcome.get('bytes', 0))}"


# --- Reminders of late reports ---------------------------------------------------------------

REMINDER_KIND = "reporting_reminder"


@job_task
def reporting_reminders_send(run: JobRun, *, messages: list[dict]) -> dict:
    """Send the reminders written by `reporting_reminders_schedule`; a message already sent
    (counted as the job's progress) is not sent again by a run again."""
    sent = run.job.progress_done
    for index in range(sent, len(messages)):
        message = messages[index]
        try:
            EmailMessage(subject=message["subject"], body=message["body"], to=message["to"]).send()
        except OSError as exc:
            raise JobRetry(
                _("The reminder to %(to)s could not be sent: %(error)s")
                % {"to": ", ".join(message["to"]), "error": exc}
            ) from exc
        run.progress(index + 1, len(messages))
    return {"sent": len(messages)}


def reminders_describe(outcome: dict) -> str:
    sent = outcome.get("sent", 0)
    return ngettext("%(n)s e-mail sent", "%(n)s e-mails sent", sent) % {"n": number(sent)}


def late_reports(*, day: date) -> list[tuple[Schedule, SiteReporting]]:
    """The reports whose deadline was the start of `day` and that had not arrived: for each
    schedule, the period ending `due_days` + 1 days before (a week only when that is a
    Sunday), every site that was expected and sent nothing."""
    late = []
    for schedule in schedules():
        period_end = day - timedelta(days=1 + schedule.due_days)
        if schedule.frequency == "weekly" and period_end.weekday() != 6:
            continue
        start = period_end if schedule.frequency == "daily" else period_end - timedelta(days=6)
        for row in site_reporting(
            scope=EVERYTHING, schedule=schedule, start=start, end=period_end, today=day
        ):
            if row.missing:
                late.append((schedule, row))
    return late


def reminder_recipients(site, area_path: str, schedule: Schedule, users) -> list:
    """The site's users (scoped to the site itself, holding the form's permission) and their
    supervisors (a supervisor role of the schedule, with a scope that holds the site's area,
    `area_path`)."""
    chosen = []
    for user in users:
        roles = {g.name for g in user.groups.all()}
        for scope in user.scopes.all():
            own = scope.site_id == site.pk
            holds = own or (scope.area_id and area_path.startswith(scope.area.path))
            if (own and user.has_perm(schedule.permission)) or (
                holds and roles & set(schedule.supervisor_roles)
            ):
                chosen.append(user)
                break
    return chosen


def reminder_message(items: list[tuple[Schedule, SiteReporting]], language: str) -> tuple[str, str]:
    """Subject and body of one recipient's reminder, in `language`."""
    with translation.override(language):
        subject = ngettext(
            "[HBMM] %(n)s report not received", "[HBMM] %(n)s reports not received", len(items)
        ) % {"n": len(items)}
        lines = [_("These reports have not reached HBMM and are now late:"), ""]
        for schedule, row in items:
            period = row.missing[0]
            when = (
                period.start.isoformat()
                if period.start == period.end
                else _("week %(week)s (%(start)s to %(end)s)")
                % {
                    "week": period.start.isocalendar()[1],
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                }
            )
            lines.append(
                _("- %(site)s (%(code)s): %(form)s, %(when)s")
                % {
                    "site": row.site.name,
                    "code": row.site.code,
                    "form": schedule.label,
                    "when": when,
                }
            )
        lines += [
            "",
            _("Send them as soon as possible (ODK Collect, or the web forms)."),
            _("Who has not reported: %s") % (settings.BASE_URL + reverse("reports:reporting")),
        ]
    return subject, "\n".join(lines) + "\n"


def reporting_reminders_schedule(*, now: datetime | None = None) -> int | None:
    """From HBMM_REPORTING_REMINDER_HOUR (UTC) on, the first worker tick of the day queues the
    day's reminders (one job per day: its lock and its row claim the day, even with nothing to
    send); returns the number of messages queued, None when it was not this call's to do."""
    now = now or timezone.now()
    if now.hour < settings.HBMM_REPORTING_REMINDER_HOUR:
        return None
    day = now.date()
    lock = f"{REMINDER_KIND}:{day.isoformat()}"
    if Job.objects.filter(kind=REMINDER_KIND, lock_key=lock).exists():
        return None
    late = late_reports(day=day)
    users = list(
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .prefetch_related("groups", "scopes__area")
        .order_by("pk")
    )
    paths = dict(
        AdminArea.objects.filter(pcode__in={row.site.area_pcode for _s, row in late}).values_list(
            "pcode", "path"
        )
    )
    by_user: dict[int, list[tuple[Schedule, SiteReporting]]] = {}
    for schedule, row in late:
        for user in reminder_recipients(row.site, paths[row.site.area_pcode], schedule, users):
            by_user.setdefault(user.pk, []).append((schedule, row))
    messages = []
    for user in users:
        if user.pk in by_user:
            subject, body = reminder_message(by_user[user.pk], user.language or "fr")
            messages.append({"subject": subject, "body": body, "to": [user.email]})
    _job, created = job_enqueue(
        kind=REMINDER_KIND,
        task=reporting_reminders_send,
        params={"messages": messages},
        label=_("Reminders of late reports, %(date)s") % {"date": day.isoformat()},
        lock_key=lock,
    )
    return len(messages) if created else None


def reminders_title(job) -> str:
    """In the reader's language (the label is in the language of the worker that queued it)."""
    day = timezone.localdate(job.created_at)
    return _("Reminders of late reports, %(date)s") % {"date": format_date(day)}
