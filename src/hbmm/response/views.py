"""The response pages: the plan dashboard (each indicator against its target, by pillar, the
funding by pillar, where activities happened), the plan as written, a 4W row entered on the web,
the reporting periods (locked after review) and a contribution entered on the web. The 4W
matrix, the funding table and the contributions are table pages (`hbmm.response.tables`).

Thin: parse, call one service or selectors, render.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.accounts.scope import user_scope
from hbmm.places.models import AdminArea, Site
from hbmm.places.selectors import area_choices, area_narrowing
from hbmm.presentation.as_of import request_as_of
from hbmm.presentation.charts import embed_options
from hbmm.presentation.figures import format_month
from hbmm.response import selectors, services
from hbmm.response.charts import funding_chart, progress_chart
from hbmm.response.figures import funding_figures, indicator_figures
from hbmm.response.forms import ActivityReportForm, ContributionForm
from hbmm.response.models import Organisation
from hbmm.response.xlsx_template import template_bytes


def _plan_or_404():
    plan = selectors.current_plan()
    if plan is None:
        raise Http404("no response plan is loaded (hbmm load_reference)")
    return plan


def _as_of(request, plan) -> dt.date:
    text = request.GET.get("as_of") or ""
    try:
        day = dt.date.fromisoformat(text) if text else request_as_of(request)
    except ValueError:
        day = request_as_of(request)
    return min(max(day, plan.start), plan.end)


@login_required
def index(request):
    user = request.user
    if not user.has_perm("response.view_indicator"):
        raise PermissionDenied
    plan = _plan_or_404()
    as_of = _as_of(request, plan)
    scope, area = user_scope(user), None
    areas = area_choices(scope=scope)
    if request.GET.get("area"):
        area, scope = area_narrowing(scope=scope, pcode=request.GET["area"])
    organisations = selectors.reader_organisations(user)
    figures = indicator_figures(plan=plan, scope=scope, organisations=organisations, as_of=as_of)
    by_pillar: dict[str, list] = {}
    for f in figures:
        by_pillar.setdefault(f.parts["pillar"], []).append(f)
    funding = None
    if user.has_perm("response.view_contribution"):
        funding = funding_figures(plan=plan, as_of=as_of)
    funded = {f.key.removeprefix("response.funded."): f for f in funding.pillars} if funding else {}
    pillars = [
        {"pillar": p, "figures": by_pillar.get(p.code, []), "funding": funded.get(p.code)}
        for p in selectors.plan_pillars(plan=plan)
    ]
    charts = []
    if any(f.denominator and f.has_data for f in figures):
        charts.append(progress_chart([f for f in figures if f.has_data]))
    if funding is not None:
        charts.append(funding_chart(funding.funding))
    context = {
        "plan": plan,
        "as_of": as_of,
        "area": area,
        "area_pcode": area.pcode if area else None,
        "areas": areas,
        "pillars": pillars,
        "funding": funding,
        "charts": charts,
        "embed_options": embed_options(),
        "where": selectors.activity_areas(
            plan=plan, scope=scope, organisations=organisations, as_of=as_of
        ),
        "can_report": user.has_perm("response.add_activityreport"),
        "can_fund": user.has_perm("response.add_contribution"),
        "can_lock": user.has_perm("response.lock_reportingperiod"),
        "organisation": selectors.user_organisation(user),
    }
    return render(request, "response/index.html", context)


@login_required
def plan_detail(request):
    if not request.user.has_perm("response.view_plan"):
        raise PermissionDenied
    plan = _plan_or_404()
    return render(
        request,
        "response/plan.html",
        {"plan": plan, "structure": selectors.plan_structure(plan=plan)},
    )


def _report_organisations(user):
    own = selectors.reader_organisations(user)
    queryset = Organisation.objects.exclude(kind=Organisation.Kind.DONOR)
    return queryset if own is None else queryset.filter(pk__in=own)


@login_required
def report_new(request):
    user = request.user
    if not user.has_perm("response.add_activityreport"):
        raise PermissionDenied
    plan = _plan_or_404()
    form = ActivityReportForm(
        request.POST or None, plan=plan, organisations=_report_organisations(user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        area = AdminArea.objects.filter(pcode=data.pop("area").strip().upper()).first()
        site_code = data.pop("site").strip().upper()
        site = (
            Site.objects.select_related("area").filter(code=site_code).first()
            if site_code
            else None
        )
        month = data.pop("month")
        if area is None:
            form.add_error("area", _("Unknown P-code."))
        elif site_code and site is None:
            form.add_error("site", _("Unknown site code."))
        else:
            try:
                period = services.period_get_or_create(plan=plan, month=month)
                services.activity_report_create(
                    by=user, period=period, area=area, site=site, **data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The activity report was recorded."))
                return redirect("response:reports")
    return render(
        request,
        "response/form.html",
        {"form": form, "title": _("New activity report (4W)"), "import_kind": "activity_report"},
    )


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = field if field in form.fields else None
            if field == "period":
                name = "month"
            for message in errors:
                form.add_error(name, message)
    else:
        form.add_error(None, exc)


@login_required
def periods(request):
    user = request.user
    if not user.has_perm("response.view_reportingperiod"):
        raise PermissionDenied
    plan = _plan_or_404()
    rows = []
    organisations = selectors.reader_organisations(user)
    scope = user_scope(user)
    counts = {
        r["period_id"]: r["n"]
        for r in selectors.period_row_counts(plan=plan, scope=scope, organisations=organisations)
    }
    for period in selectors.reporting_periods(plan=plan):
        rows.append((period, counts.get(period.pk, 0), format_month(period.month)))
    return render(
        request,
        "response/periods.html",
        {"plan": plan, "rows": rows, "can_lock": user.has_perm("response.lock_reportingperiod")},
    )


@login_required
@require_POST
def period_lock_toggle(request, month: str):
    user = request.user
    if not user.has_perm("response.lock_reportingperiod"):
        raise PermissionDenied
    plan = _plan_or_404()
    try:
        year, number = month.split("-")
        period = selectors.period_of(plan=plan, month=dt.date(int(year), int(number), 1))
    except ValueError:
        period = None
    if period is None:
        raise Http404(month)
    if request.POST.get("action") == "unlock":
        services.period_unlock(period=period, by=user)
        messages.success(request, _("The period %(month)s is open again.") % {"month": month})
    else:
        services.period_lock(period=period, by=user)
        messages.success(request, _("The period %(month)s is locked.") % {"month": month})
    return redirect("response:periods")


@login_required
def contribution_new(request):
    user = request.user
    if not user.has_perm("response.add_contribution"):
        raise PermissionDenied
    plan = _plan_or_404()
    form = ContributionForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_create(plan=plan, by=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The contribution was recorded."))
            return redirect("response:contributions")
    return render(request, "response/form.html", {"form": form, "title": _("New contribution")})


@login_required
def template(request):
    """The 4W template of the current plan for a month (?month=YYYY-MM, default this one)."""
    user = request.user
    if not user.has_perm("response.add_activityreport"):
        raise PermissionDenied
    plan = _plan_or_404()
    text = request.GET.get("month") or dt.date.today().strftime("%Y-%m")
    try:
        year, number = text.split("-")
        month = dt.date(int(year), int(number), 1)
    except ValueError:
        return HttpResponse(
            _("month: “%(value)s” is not a month (YYYY-MM).") % {"value": text},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    body = template_bytes(plan=plan, month=month, organisation=selectors.user_organisation(user))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="4W-{plan.code}-{text}.xlsx"'
    return response
