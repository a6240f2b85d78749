"""Pages of the reports app: the situation overview (home page), drill-downs, the report."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.scope import user_scope
from hbmm.accounts.services import audit_log
from hbmm.places.selectors import area_choices, area_narrowing
from hbmm.presentation import charts
from hbmm.presentation.figures import format_date, scope_label
from hbmm.presentation.map_svg import web_map
from hbmm.reports import maps, sitrep
from hbmm.reports.registry import Context, build_sections
from hbmm.reports.tasks import sitrep_pdf_enqueue

VIEW_PERMISSION = "reports.view_situation"


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _context(request) -> tuple[Context, list[str], list]:
    """The reader, date and area asked for in the query string (errors named by field)."""
    user = request.user
    errors: list[str] = []
    scope = user_scope(user)
    areas = area_choices(scope=scope)
    area = None
    pcode = request.GET.get("area") or ""
    if pcode:
        area, scope = area_narrowing(scope=scope, pcode=pcode)
    # The one as-of date of every page (hbmm.presentation.as_of): chosen once, else the latest
    # data the reader sees.
    chosen = request.as_of
    if chosen.error:
        errors.append(chosen.error)
    as_of = chosen.date
    return Context(user=user, scope=scope, as_of=as_of, area=area), errors, areas


@login_required
@require_GET
def overview(request):
    """The situation overview: every section with data, for a date and a scope."""
    _require(request.user, VIEW_PERMISSION)
    ctx, errors, areas = _context(request)
    outputs = build_sections(ctx)
    shown, empty = [], []
    for index, output in enumerate(outputs):
        if not output.result.has_data:
            empty.append(output)
            continue
        shown.append(
            {
                "output": output,
                "charts": [
                    {"id": f"chart-{index}-{n}", "chart": chart}
                    for n, chart in enumerate(output.result.charts)
                ],
                "map": (
                    {
                        "id": f"map-{index}",
                        "title": output.result.map_title or output.title,
                        "svg": web_map(
                            output.result.map_points, title=output.result.map_title or output.title
                        ),
                    }
                    if output.result.map_points
                    else None
                ),
            }
        )
    query = {"as_of": ctx.as_of.isoformat()}
    if ctx.area is not None:
        query["area"] = ctx.area.pcode
    return render(
        request,
        "reports/overview.html",
        {
            "ctx": ctx,
            "as_of_text": format_date(ctx.as_of),
            "area_pcode": ctx.area_pcode,
            "areas": areas,
            "errors": errors,
            "shown": shown,
            "empty": empty,
            "embed_options": charts.embed_options(),
            "scope_label": scope_label(ctx.area),
            "report_query": query,
            "can_publish": request.user.has_perm("reports.publish_report"),
            "lang": "en" if (get_language() or "fr").startswith("en") else "fr",
        },
    )


@login_required
@require_GET
def report(request):
    """The situation report to download (?format=pdf|html|md&lang=en|fr)."""
    _require(request.user, VIEW_PERMISSION)
    ctx, errors, _areas = _context(request)
    if errors:
        return HttpResponse("; ".join(errors), status=400, content_type="text/plain; charset=utf-8")
    fmt = request.GET.get("format") or "pdf"
    lang = request.GET.get("lang") or ("en" if (get_language() or "fr").startswith("en") else "fr")
    try:
        sitrep.check_options(fmt=fmt, lang=lang)
        # A PDF is rendered by a worker: the job's page shows its progress, then the file.
        body = None if fmt == "pdf" else sitrep.render(ctx, fmt=fmt, lang=lang)
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    audit_log(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        target="reports.sitrep",
        details={
            "format": fmt,
            "lang": lang,
            "as_of": ctx.as_of.isoformat(),
            "area": ctx.area_pcode,
        },
        request=request,
    )
    if fmt == "pdf":
        job, _created = sitrep_pdf_enqueue(ctx=ctx, lang=lang, by=request.user)
        return redirect("jobs:detail", pk=job.pk)
    response = HttpResponse(body, content_type=sitrep.CONTENT_TYPES[fmt])
    # The HTML report opens in the browser; Markdown is a file to keep.
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{sitrep.filename(ctx, fmt, lang)}"'
    return response


@login_required
@require_GET
def boundaries(request, level: int):
    """The admin boundaries shipped with HBMM, as GeoJSON, for the page's map."""
    if level not in maps.BOUNDARY_FILES:
        raise Http404
    response = HttpResponse(maps.boundaries_text(level), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response
