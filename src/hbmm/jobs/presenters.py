"""A job in words, for the Jobs page, the import page and `hbmm jobs` (in the active
language): its status, its progress and its outcome."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from hbmm.jobs.models import Job
from hbmm.jobs.registry import get_kind


def title(job: Job) -> str:
    kind = get_kind(job.kind)
    return kind.title(job) if kind and kind.title else job.label


def kind_label(job: Job) -> str:
    kind = get_kind(job.kind)
    return str(kind.label) if kind else job.kind


def status_label(job: Job) -> str:
    if job.status == Job.Status.QUEUED and job.attempts:
        return _("queued again (run %(n)s of %(max)s)") % {
            "n": job.attempts + 1,
            "max": job.max_attempts,
        }
    if job.status == Job.Status.QUEUED:
        return _("waiting for a worker")
    if job.status == Job.Status.RUNNING and job.attempts > 1:
        return _("running (run %(n)s of %(max)s)") % {"n": job.attempts, "max": job.max_attempts}
    return str(job.get_status_display())


def number(n: int) -> str:
    return number_format(n, force_grouping=True)


def progress_text(job: Job) -> str:
    if job.progress_total:
        done, total = number(job.progress_done), number(job.progress_total)
        return _("%(done)s / %(total)s (%(percent)s%%)") % {
            "done": done,
            "total": total,
            "percent": job.percent,
        }
    if job.progress_done:
        return number(job.progress_done)
    return ""


def outcome_text(job: Job) -> str:
    if job.status == Job.Status.FAILED:
        return job.error
    if job.status != Job.Status.SUCCEEDED:
        return ""
    kind = get_kind(job.kind)
    if kind and kind.describe:
        return kind.describe(job.outcome)
    return ""


def link(job: Job) -> str | None:
    kind = get_kind(job.kind)
    return kind.link(job) if kind and kind.link else None
