"""Background work of the archive: a published report's figures and PDFs, made by a worker
for the web's publish button (a PDF takes seconds; `hbmm sitrep --publish` makes them at
once). The same job machinery as the PDF report (`hbmm.reports.tasks`), no queue of its own."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hbmm.jobs.presenters import number
from hbmm.jobs.runner import JobError, JobRun, job_task
from hbmm.jobs.services import job_enqueue
from hbmm.reports.archive.services import report_archive, report_archive_failed
from hbmm.reports.models import PublishedReport

PUBLISH_KIND = "sitrep_publish"


@job_task
def published_report_render(run: JobRun, *, report_id: int) -> dict:
    """Complete a published report's archive (its figures and PDFs), as its publisher sees it."""
    report = PublishedReport.objects.select_related("area", "published_by").get(pk=report_id)
    reader = report.published_by
    if reader is None or not reader.is_active:
        report_archive_failed(report=report, error=_("The publisher is no longer active."))
        raise JobError(_("The user who published this report no longer exists or is inactive."))
    run.progress(0, 1)
    try:
        report_archive(report=report, reader=reader)
    except Exception as exc:
        report_archive_failed(report=report, error=str(exc))
        raise
    run.progress(1, 1)
    return {"report": report.pk, "figures": report.figures.count()}


def published_report_enqueue(*, report: PublishedReport, by):
    """Queue the archive of `report` (published by `by` through the web): (job, created)."""
    return job_enqueue(
        kind=PUBLISH_KIND,
        task=published_report_render,
        params={"report_id": report.pk},
        label=_("Published situation report of %(date)s") % {"date": report.as_of.isoformat()},
        requested_by=by,
        target=f"reports.publishedreport:{report.pk}",
        lock_key=f"{PUBLISH_KIND}:{report.pk}",
    )


def published_describe(outcome: dict) -> str:
    n = outcome.get("figures", 0)
    return ngettext("%(n)s figure archived", "%(n)s figures archived", n) % {"n": number(n)}
