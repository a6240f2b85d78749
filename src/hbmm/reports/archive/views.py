"""Pages of the archive of published reports: the list (with the publish button for the roles
allowed), one report's figures beside their value now, and its PDF."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from hbmm.accounts.models import AuditEvent
from hbmm.accounts.services import audit_log
from hbmm.places.models import AdminArea
from hbmm.presentation.figures import format_date, format_number, scope_label
from hbmm.reports.archive.selectors import published_get, published_reports, report_changes
from hbmm.reports.archive.services import PUBLISH_PERMISSION, report_publish
from hbmm.reports.archive.tasks import published_report_enqueue
from hbmm.reports.known import format_moment
from hbmm.reports.sitrep import parse_date

VIEW_PERMISSION = "reports.view_situation"


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


@login_required
@require_GET
def published_list(request):
    _require(request.user, VIEW_PERMISSION)
    reports = published_reports(user=request.user)
    rows = [
        {
            "report": r,
            "as_of_text": format_date(r.as_of),
            "scope_label": scope_label(r.area),
            "moment": format_moment(r.published_at),
        }
        for r in reports
    ]
    return render(
        request,
        "reports/published_list.html",
        {
            "rows": rows,
            "can_publish": request.user.has_perm(PUBLISH_PERMISSION),
            "as_of": request.as_of.date,
            "as_of_text": format_date(request.as_of.date),
        },
    )


@login_required
@require_POST
def publish(request):
    """The publish button: the report of the date (and area) asked, archived by a worker."""
    _require(request.user, PUBLISH_PERMISSION)
    try:
        as_of = parse_date(request.POST.get("as_of"))
    except ValueError:
        as_of = None
    if as_of is None:
        return HttpResponse("as_of: a date (YYYY-MM-DD) is needed", status=400)
    area = None
    if request.POST.get("area"):
        area = AdminArea.objects.filter(pcode=request.POST["area"]).first()
        if area is None:
            raise Http404
    report = report_publish(by=request.user, as_of=as_of, area=area)
    published_report_enqueue(report=report, by=request.user)
    return redirect("reports:published_detail", pk=report.pk)


def _plain(value) -> str:
    """A stored value as a number in the reader's language (one decimal when it has some)."""
    if value is None:
        return ""
    return format_number(value, decimals=0 if value == value.to_integral() else 1)


def _signed(value) -> str:
    text = _plain(value)
    return f"+{text}" if value is not None and value > 0 else text


@login_required
@require_GET
def published_detail(request, pk: int):
    _require(request.user, VIEW_PERMISSION)
    report = published_get(user=request.user, pk=pk)
    changes = (
        report_changes(user=request.user, report=report)
        if report.status == report.Status.DONE
        else []
    )
    lang = (get_language() or "fr")[:2]
    rows = [
        {
            "change": c,
            "label": c.label(),
            "published": c.figure.displays.get(lang) or next(iter(c.figure.displays.values()), ""),
            "live": _plain(c.live),
            "difference": _signed(c.difference),
        }
        for c in changes
    ]
    changed = [r for r, c in zip(rows, changes, strict=True) if c.changed]
    return render(
        request,
        "reports/published_detail.html",
        {
            "report": report,
            "as_of_text": format_date(report.as_of),
            "scope_label": scope_label(report.area),
            "moment": format_moment(report.published_at),
            "rows": rows,
            "changed": changed,
            "no_drilldown": [
                r for r, c in zip(rows, changes, strict=True) if c.changed and not c.drillable
            ],
            "languages": [lang_ for lang_ in report.languages if report.pdf(lang_)],
        },
    )


@login_required
@require_GET
def published_pdf(request, pk: int, lang: str):
    """A published report's PDF, as it was sent (readers whose scope holds its area)."""
    _require(request.user, VIEW_PERMISSION)
    report = published_get(user=request.user, pk=pk)
    if lang not in report.languages or not report.pdf(lang):
        raise Http404
    audit_log(
        action=AuditEvent.Action.EXPORT,
        actor=request.user,
        target=f"reports.publishedreport:{report.pk}",
        details={"lang": lang, "pdf": True},
        request=request,
    )
    field = report.pdf(lang)
    return FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=field.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
