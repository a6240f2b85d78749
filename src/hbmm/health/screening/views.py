"""Pages of traveller screening: dashboard, list, web form, record with its workflow."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hbmm.accounts.scope import user_scope
from hbmm.health.labs import selectors as lab_selectors
from hbmm.health.screening import figures, followup, selectors, services, workflow
from hbmm.health.screening.charts import weekly_chart
from hbmm.health.screening.forms import (
    DecisionForm,
    FollowUpCloseForm,
    FollowUpStartForm,
    OutcomeForm,
    PeriodForm,
    ReferForm,
    ResultForm,
    SampleForm,
    ScreeningForm,
    StepForm,
    VisitForm,
    WorklistForm,
)
from hbmm.health.screening.intake_mappers import FORM_ID
from hbmm.health.screening.models import AgeGroup, Screening, Sex
from hbmm.health.workflow_views import workflow_action
from hbmm.intake.channels.web import form_errors_add, web_submit
from hbmm.places.models import Site
from hbmm.presentation.charts import embed_options


def _period(request) -> tuple[dt.date | None, dt.date | None, str, PeriodForm]:
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return data["start"], data["end"], data["point"].strip().upper(), form
    return None, None, "", PeriodForm()


def _label(key: str, value, points: dict) -> str:
    if key == "sex":
        return Sex(value).label
    if key == "age_group":
        return AgeGroup(value).label
    if key == "point":
        return f"{points.get(value, value)} ({value})"
    return value


@login_required
@permission_required("health.view_screening_figures", raise_exception=True)
def dashboard(request):
    start, end, _point, form = _period(request)
    user = request.user
    scope = user_scope(user)
    weekly = selectors.screening_figures(scope=scope, start=start, end=end, by=("week",))
    points = {s.code: s.name for s in Site.objects.filter(screenings__isnull=False).distinct()}
    tables = []
    for title, dimensions in (
        (_("By ISO week"), (("week", _("Week")),)),
        (_("By point of entry"), (("point", _("Point")),)),
        (_("By sex and age group"), (("sex", _("Sex")), ("age_group", _("Age group")))),
        (_("By nationality"), (("nationality", _("Nationality")),)),
    ):
        keys = tuple(key for key, _label in dimensions)
        rows = (
            weekly
            if keys == ("week",)
            else selectors.screening_figures(scope=scope, start=start, end=end, by=keys)
        )
        for row in rows:
            row["cells"] = [_label(key, row[key], points) for key in keys]
        tables.append({"title": title, "columns": dimensions, "rows": rows})
    context = {
        "form": form,
        "figures": figures.screening_period(scope=scope, start=start, end=end).figures,
        "tables": tables,
        "weekly_chart": weekly_chart(weekly) if weekly else None,
        "embed_options": embed_options(),
        "can_list": user.has_perm("health.view_screening"),
    }
    return render(request, "health/screening/dashboard.html", context)


@login_required
@permission_required("health.view_screening", raise_exception=True)
def screening_list(request):
    start, end, point, form = _period(request)
    queryset = selectors.screening_list(
        scope=user_scope(request.user),
        start=start,
        end=end,
        point=point,
        suspect_only=request.GET.get("suspect") == "1",
        step=request.GET.get("step", ""),
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "health/screening/list.html",
        {"page": page, "form": form, "can_add": request.user.has_perm("health.add_screening")},
    )


@login_required
@permission_required("health.add_screening", raise_exception=True)
def screening_new(request):
    form = ScreeningForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        sent = web_submit(form_id=FORM_ID, data=form.as_data(), user=request.user)
        if sent.accepted:
            screening = Screening.objects.get(submission=sent.submission)
            if screening.is_suspect:
                messages.warning(
                    request,
                    _(
                        "Suspect case: isolate the traveller. The supervisor and the district "
                        "surveillance officer have been alerted."
                    ),
                )
            else:
                messages.success(request, _("Screening recorded."))
            if request.POST.get("next") == "another":
                return redirect("health:screening_new")
            return redirect("health:screening_detail", pk=screening.pk)
        form_errors_add(form, sent.errors)
    return render(request, "health/screening/form.html", {"form": form})


@login_required
@permission_required("health.view_screening", raise_exception=True)
def screening_detail(request, pk: int):
    screening = selectors.screening_get(scope=user_scope(request.user), pk=pk)
    identifiers = None
    if request.GET.get("identifiers") == "1":
        identifiers = selectors.screening_identifiers_read(
            user=request.user, screening=screening, request=request
        )
    can_change = request.user.has_perm("health.change_screening")
    return render(
        request,
        "health/screening/detail.html",
        {
            "screening": screening,
            "criteria": [
                screening.case_definition.clause_label(c) for c in screening.matched_clauses
            ],
            "identifiers": identifiers,
            "can_view_identifiers": selectors.can_view_identifiers(request.user),
            "can_change": can_change,
            "visits": selectors.screening_visits(screening=screening),
            "steps_from_forms": selectors.screening_steps_from_forms(screening=screening),
            "decision_form": DecisionForm(),
            "step_form": StepForm(),
            "refer_form": ReferForm(),
            "sample_form": SampleForm(),
            "result_form": ResultForm(),
            "outcome_form": OutcomeForm(),
            "visit_form": VisitForm(),
            "follow_up_form": FollowUpStartForm(),
            "follow_up_close_form": FollowUpCloseForm(),
            "delays": {
                "notification": screening.hours_between("screened_at", "notified_at"),
                "referral": screening.hours_between("screened_at", "referred_at"),
            },
            "samples": (
                lab_selectors.screening_samples(screening=screening)
                if request.user.has_perm("health.view_sample")
                else []
            ),
        },
    )


ACTIONS = {
    "decide": ("health.change_screening", DecisionForm),
    "isolate": ("health.change_screening", StepForm),
    "notify": ("health.change_screening", StepForm),
    "refer": ("health.change_screening", ReferForm),
    "sample": ("health.change_screening", SampleForm),
    "result": ("health.change_screening", ResultForm),
    "close": ("health.change_screening", OutcomeForm),
    "follow_up": ("health.add_followupvisit", FollowUpStartForm),
    "visit": ("health.add_followupvisit", VisitForm),
    "follow_up_close": ("health.add_followupvisit", FollowUpCloseForm),
}


def _run(action: str, screening: Screening, data: dict, user):
    at = data.get("at")
    if action == "decide":
        return services.screening_decide(
            screening=screening, by=user, decision=data["decision"], reason=data["reason"]
        )
    if action == "isolate":
        return workflow.screening_isolate(screening=screening, by=user, at=at)
    if action == "notify":
        return workflow.screening_notify(screening=screening, by=user, at=at)
    if action == "refer":
        return workflow.screening_refer(
            screening=screening,
            by=user,
            facility=data["facility"],
            transport=data["transport"],
            at=at,
        )
    if action == "sample":
        return workflow.screening_sample(
            screening=screening,
            by=user,
            lab=data["lab"],
            at=at,
            sample_id=data.get("sample_id", ""),
        )
    if action == "result":
        return workflow.screening_result(screening=screening, by=user, result=data["result"], at=at)
    if action == "close":
        return workflow.screening_close(
            screening=screening, by=user, outcome=data["outcome"], at=at
        )
    if action == "follow_up":
        return followup.followup_start(screening=screening, by=user, team=data.get("team", ""))
    if action == "follow_up_close":
        return followup.followup_close(
            screening=screening, by=user, outcome=data["outcome"], on=data["on"], note=data["note"]
        )
    return followup.followup_visit_add(
        screening=screening,
        by=user,
        visited_on=data["visited_on"],
        reached=data["reached"],
        symptoms=data["symptoms"],
        temperature=data["temperature"],
        note=data["note"],
    )


@login_required
@require_POST
def screening_action(request, pk: int, action: str):
    return workflow_action(
        request,
        pk=pk,
        action=action,
        actions=ACTIONS,
        get_record=selectors.screening_get,
        run=_run,
        detail_url="health:screening_detail",
    )


@login_required
@permission_required("health.view_casedefinition", raise_exception=True)
def case_definitions(request):
    return render(
        request,
        "health/screening/definitions.html",
        {"definitions": selectors.case_definitions()},
    )


@login_required
@permission_required("health.view_followupvisit", raise_exception=True)
def followup_worklist(request):
    """The day's follow-up worklist of a team and area, and the follow-up figures."""
    form = WorklistForm(request.GET or None)
    on, area, team = timezone.now().date(), "", ""
    if form.is_bound and form.is_valid():
        on = form.cleaned_data["on"] or on
        area = form.cleaned_data["area"].strip().upper()
        team = form.cleaned_data["team"].strip()
    start, end, _point, period_form = _period(request)
    scope = user_scope(request.user)
    rows = selectors.followup_worklist(scope=scope, on=on, area=area, team=team)
    counts = {status: 0 for status in selectors.DUE_STATUSES}
    for row in rows:
        counts[row.status] += 1
    return render(
        request,
        "health/screening/followup.html",
        {
            "form": form if form.is_bound else WorklistForm(initial={"on": on}),
            "on": on,
            "rows": rows,
            "counts": counts,
            "missed_limit": selectors.missed_limit(),
            "teams": selectors.followup_teams(scope=scope),
            "period_form": period_form,
            "figures": figures.followup_period(scope=scope, start=start, end=end).figures,
            "by_point": figures.followup_breakdown(scope=scope, start=start, end=end, by="point"),
            "by_week": figures.followup_breakdown(scope=scope, start=start, end=end, by="week"),
        },
    )
