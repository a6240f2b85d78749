"""The Jobs pages: a user's jobs (every job for administrators), one job's progress and
outcome, the file it produced. Thin: selectors to read, services to write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.jobs import presenters, selectors, services
from hbmm.jobs.models import Job
from hbmm.jobs.registry import kinds


def _row(job: Job) -> dict:
    return {
        "job": job,
        "title": presenters.title(job),
        "kind": presenters.kind_label(job),
        "status": presenters.status_label(job),
        "progress": presenters.progress_text(job),
        "outcome": presenters.outcome_text(job),
        "link": presenters.link(job),
    }


@login_required
@permission_required("jobs.view_job", raise_exception=True)
def job_list(request):
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    jobs = selectors.job_list(user=request.user, kind=kind, status=status)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/job_list.html",
        {
            "page": page,
            "rows": [_row(job) for job in page],
            "kinds": [(k.code, k.label) for k in kinds()],
            "statuses": Job.Status.choices,
            "current": {"kind": kind, "status": status},
            "all_users": request.user.has_perm("jobs.view_all_jobs"),
        },
    )


@login_required
def job_detail(request, pk: int):
    job = selectors.job_get_or_404(user=request.user, pk=pk)
    return render(request, "jobs/job_detail.html", _row(job))


@login_required
def job_status(request, pk: int):
    job = selectors.job_get_or_404(user=request.user, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": presenters.status_label(job),
            "attempts": job.attempts,
            "progress_done": job.progress_done,
            "progress_total": job.progress_total,
            "percent": job.percent,
            "progress": presenters.progress_text(job),
            "outcome": presenters.outcome_text(job),
            "file": bool(job.result_file),
        }
    )


@login_required
def job_file(request, pk: int):
    """The file a job produced (a PDF report), for the user who asked for it."""
    job = selectors.job_get_or_404(user=request.user, pk=pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404("this job has no file")
    name = job.outcome.get("filename") or job.result_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def job_rerun(request, pk: int):
    job = selectors.job_get_or_404(user=request.user, pk=pk)
    if job.status != Job.Status.FAILED:
        messages.info(request, _("Only a failed job is run again."))
        return redirect("jobs:detail", pk=job.pk)
    again, queued = services.job_rerun(job=job)
    if not queued:
        messages.info(request, _("The same work is already queued or running."))
    return redirect("jobs:detail", pk=again.pk)
