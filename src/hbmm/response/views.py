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
from hbmm.presentation.map_svg import web_map
from hbmm.response import selectors, services
from hbmm.response.charts import funding_chart, progress_chart
from hbmm.response.figures import funding_figures, indicator_figures, spending_figures
from hbmm.response.forms import ActivityForm, ActivityReportForm, ContributionForm, TargetForm
from hbmm.response.maps import activity_points
from hbmm.response.models import Activity, Indicator, Organisation, Pillar
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
    spending = None
    if user.has_perm("response.view_expenditure"):
        spending = spending_figures(plan=plan, as_of=as_of)
    spent = {f.key.removeprefix("response.spent."): f for f in spending.pillars} if spending else {}
    pillars = [
        {
            "pillar": p,
            "figures": by_pillar.get(p.code, []),
            "funding": funded.get(p.code),
            "spent": spent.get(p.code),
        }
        for p in selectors.plan_pillars(plan=plan)
    ]
    charts = []
    if any(f.denominator and f.has_data for f in figures):
        charts.append(progress_chart([f for f in figures if f.has_data]))
    if funding is not None:
        charts.append(funding_chart(funding.funding))
    places = selectors.activity_places(
        plan=plan, scope=scope, organisations=organisations, as_of=as_of
    )
    context = {
        "plan": plan,
        "as_of": as_of,
        "area": area,
        "area_pcode": area.pcode if area else None,
        "areas": areas,
        "pillars": pillars,
        "funding": funding,
        "spending": spending,
        "charts": charts,
        "embed_options": embed_options(),
        "where": places.areas,
        "map": _activity_map(places),
        "can_report": user.has_perm("response.add_activityreport"),
        "can_fund": user.has_perm("response.add_contribution"),
        "can_import_expenditure": user.has_perm("response.add_expenditure"),
        "can_lock": user.has_perm("response.lock_reportingperiod"),
        "organisation": selectors.user_organisation(user),
    }
    return render(request, "response/index.html", context)


def _activity_map(places: selectors.ActivityPlaces) -> dict | None:
    """The map of where activities happened (None: nothing to place)."""
    if not places.map:
        return None
    points = activity_points(places.map)
    svg = web_map(points, title=_("Activity reports (4W) by cercle"), level=2)
    return {"id": "response-map", "points": points, "svg": svg, "national": places.national}


@login_required
def plan_detail(request):
    if not request.user.has_perm("response.view_plan"):
        raise PermissionDenied
    plan = _plan_or_404()
    structure = selectors.plan_structure(plan=plan)
    targets = selectors.current_targets(plan=plan, scope=user_scope(request.user))
    for _priority, pillars in structure:
        for _pillar, _activities, indicators in pillars:
            for indicator in indicators:
                indicator.current_target = targets.get(indicator.pk)
    return render(
        request,
        "response/plan.html",
        {
            "plan": plan,
            "structure": structure,
            "can_add_activity": request.user.has_perm("response.add_activity"),
            "can_change_activity": request.user.has_perm("response.change_activity"),
        },
    )


@login_required
def indicator_detail(request, code: str):
    """An indicator: its targets, every version with its date and author; a new version (POST,
    `response.add_target`)."""
    user = request.user
    if not user.has_perm("response.view_indicator"):
        raise PermissionDenied
    plan = _plan_or_404()
    indicator = (
        Indicator.objects.select_related("activity__pillar").filter(plan=plan, code=code).first()
    )
    if indicator is None:
        raise Http404(code)
    can_edit = user.has_perm("response.add_target")
    form = TargetForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        assert form is not None
        if form.is_valid():
            pcode = form.cleaned_data["area"].strip().upper()
            area = AdminArea.objects.filter(pcode=pcode).first() if pcode else None
            if pcode and area is None:
                form.add_error("area", _("Unknown P-code."))
            else:
                try:
                    target = services.target_set(
                        indicator=indicator,
                        value=form.cleaned_data["value"],
                        area=area,
                        note=form.cleaned_data["note"],
                        by=user,
                    )
                except ValidationError as exc:
                    _form_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("Version %(version)s of the target was recorded.")
                        % {"version": target.version},
                    )
                    return redirect("response:indicator", code=indicator.code)
    history = list(selectors.target_history(indicator=indicator))
    current = selectors.current_targets(plan=plan, scope=user_scope(user)).get(indicator.pk)
    return render(
        request,
        "response/indicator.html",
        {
            "plan": plan,
            "indicator": indicator,
            "history": history,
            "current": current,
            "form": form,
        },
    )


def _pillar_or_404(plan, code: str) -> Pillar:
    pillar = Pillar.objects.filter(plan=plan, code=code).first()
    if pillar is None:
        raise Http404(code)
    return pillar


@login_required
def activity_new(request, pillar: str):
    user = request.user
    if not user.has_perm("response.add_activity"):
        raise PermissionDenied
    plan = _plan_or_404()
    found = _pillar_or_404(plan, pillar)
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_create(pillar=found, by=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The activity was added to the plan."))
            return redirect("response:plan")
    title = _("New activity: %(pillar)s") % {"pillar": found.name}
    return render(request, "response/form.html", {"form": form, "title": title})


@login_required
def activity_edit(request, pk: int):
    user = request.user
    if not user.has_perm("response.change_activity"):
        raise PermissionDenied
    plan = _plan_or_404()
    activity = Activity.objects.filter(pillar__plan=plan, pk=pk).first()
    if activity is None:
        raise Http404(str(pk))
    initial = {"text_en": activity.text_en, "text_fr": activity.text_fr}
    form = ActivityForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, by=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The activity was changed."))
            return redirect("response:plan")
    title = _("Activity %(code)s") % {"code": activity.code}
    return render(request, "response/form.html", {"form": form, "title": title})


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
