"""Background work of the reports app: the PDF situation report asked for on the web (a PDF
takes a second or more to render; a worker renders it, the page shows the job, the file is
served from the job). `hbmm sitrep` renders in its own process, synchronously."""

from datetime import date

from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hbmm.jobs.runner import JobError, JobRun, job_task
from hbmm.jobs.services import job_enqueue
from hbmm.places.models import AdminArea
from hbmm.reports import sitrep
from hbmm.reports.registry import Context


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
