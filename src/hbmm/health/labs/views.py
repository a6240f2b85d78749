"""Pages of the laboratories: the turnaround figures, the registry (list, new, edit), the
samples (list, new, a sample with its steps)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from hbmm.accounts.scope import user_scope
from hbmm.health.labs import figures, selectors, services
from hbmm.health.labs.forms import LaboratoryForm, ResultForm, SampleNewForm, ShipForm
from hbmm.health.labs.models import STATUS_LABELS, Sample
from hbmm.health.pages import BadParameter, bad_request, date_param
from hbmm.health.step_forms import StepForm
from hbmm.health.workflow_views import workflow_action
from hbmm.places.models import Site
from hbmm.presentation.as_of import request_as_of
from hbmm.presentation.figures import format_percent


def _errors_add(form, exc: ValidationError) -> None:
    """A service's refusal on the form: by field when it names one the form has."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _site_names(codes) -> dict[str, str]:
    return {s.code: s.name for s in Site.objects.filter(code__in=[c for c in codes if c])}


@login_required
@permission_required("health.view_lab_figures", raise_exception=True)
def dashboard(request):
    try:
        start = date_param(request, "start", None)
    except BadParameter as exc:
        return bad_request(exc)
    end = request_as_of(request)
    scope = user_scope(request.user)
    period = figures.lab_period(scope=scope, start=start, end=end)
    names = _site_names(
        [r["key"] for r in period.by_lab] + [r["key"] for r in period.positivity_by_point]
    )
    for row in period.by_lab + period.positivity_by_point:
        row["label"] = (
            f"{names.get(row['key'], row['key'])} ({row['key']})" if row["key"] else _("no lab yet")
        )
    for row in period.by_lab + period.by_week:
        row["cells"] = [row[key] for key in figures.INTERVALS]
    for row in period.positivity_by_week + period.positivity_by_point:
        row["share_display"] = format_percent(row["share"], decimals=1)
    return render(
        request,
        "health/labs/dashboard.html",
        {
            "period": period,
            "start": start,
            "end": end,
            "intervals": [(key, label) for key, (_f, label) in figures.INTERVALS.items()],
            "can_list": request.user.has_perm("health.view_sample"),
            "can_registry": request.user.has_perm("health.view_laboratory"),
        },
    )


@login_required
@permission_required("health.view_laboratory", raise_exception=True)
def registry(request):
    return render(
        request,
        "health/labs/registry.html",
        {
            "labs": selectors.laboratories(),
            "can_add": request.user.has_perm("health.add_laboratory"),
            "can_change": request.user.has_perm("health.change_laboratory"),
        },
    )


def _laboratory_form_page(request, form, *, laboratory=None):
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.laboratory_save(
                site=laboratory.site if laboratory is not None else data["site"],
                kind=data["kind"],
                status=data["status"],
                point=data["point"],
                since=data["since"],
                daily_capacity=data["daily_capacity"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors_add(form, exc)
        else:
            messages.success(request, _("Laboratory saved."))
            return redirect("health:lab_registry")
    title = str(laboratory) if laboratory is not None else _("Register a laboratory")
    return render(request, "health/form.html", {"form": form, "title": title})


@login_required
@permission_required("health.add_laboratory", raise_exception=True)
def laboratory_new(request):
    form = LaboratoryForm(request.POST or None, scope=user_scope(request.user))
    return _laboratory_form_page(request, form)


@login_required
@permission_required("health.change_laboratory", raise_exception=True)
def laboratory_edit(request, pk: int):
    scope = user_scope(request.user)
    laboratory = selectors.laboratory_get(scope=scope, pk=pk)
    initial = {
        "site": laboratory.site,
        "kind": laboratory.kind,
        "point": laboratory.point,
        "since": laboratory.since,
        "status": laboratory.status,
        "daily_capacity": laboratory.daily_capacity,
        "note": laboratory.note,
    }
    form = LaboratoryForm(request.POST or None, initial=initial, scope=scope)
    form.fields["site"].disabled = True  # a record stays the one of its site
    return _laboratory_form_page(request, form, laboratory=laboratory)


@login_required
@permission_required("health.view_sample", raise_exception=True)
def sample_list(request):
    scope = user_scope(request.user)
    lab = request.GET.get("lab", "").strip().upper()
    status = request.GET.get("status", "")
    week = request.GET.get("week", "")
    queryset = selectors.sample_list(scope=scope, lab=lab, status=status, week=week)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "health/labs/sample_list.html",
        {
            "page": page,
            "labs": selectors.lab_sites(),
            "statuses": [("waiting", _("waiting for a result")), *STATUS_LABELS.items()],
            "weeks": selectors.sample_weeks(scope=scope),
            "current": {"lab": lab, "status": status, "week": week},
            "can_add": request.user.has_perm("health.add_sample"),
        },
    )


@login_required
@permission_required("health.add_sample", raise_exception=True)
def sample_new(request):
    form = SampleNewForm(request.POST or None, scope=user_scope(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sample = services.sample_take(
                sample_id=data["sample_id"],
                sample_type=data["sample_type"],
                point=data["point"],
                taken_at=data["taken_at"],
                taken_by_name=data["taken_by_name"],
                lab=data["lab"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors_add(form, exc)
        else:
            messages.success(request, _("Sample recorded."))
            return redirect("health:sample_detail", pk=sample.pk)
    return render(request, "health/form.html", {"form": form, "title": _("Record a sample")})


@login_required
@permission_required("health.view_sample", raise_exception=True)
def sample_detail(request, pk: int):
    sample = selectors.sample_get(scope=user_scope(request.user), pk=pk)
    steps = [
        ("", pgettext("sample step", "Taken"), sample.taken_at, None),
        ("ship", pgettext("sample step", "Shipped"), sample.shipped_at, ShipForm()),
        ("receive", pgettext("sample step", "Received"), sample.received_at, StepForm()),
        ("result", pgettext("sample step", "Tested"), sample.tested_at, ResultForm()),
        (
            "communicate",
            pgettext("sample step", "Result communicated"),
            sample.communicated_at,
            StepForm() if sample.result else None,  # communicated once there is a result
        ),
    ]
    # A step can be added only while no later one is recorded (services.step_problems).
    last = max((i for i, step in enumerate(steps) if step[2]), default=0)
    steps = [
        (action, label, at, form if i > last else None)
        for i, (action, label, at, form) in enumerate(steps)
    ]
    return render(
        request,
        "health/labs/sample_detail.html",
        {
            "sample": sample,
            "steps": steps,
            "can_change": request.user.has_perm("health.change_sample"),
            "can_view_screening": request.user.has_perm("health.view_screening"),
        },
    )


ACTIONS = {
    "ship": ("health.change_sample", ShipForm),
    "receive": ("health.change_sample", StepForm),
    "result": ("health.change_sample", ResultForm),
    "communicate": ("health.change_sample", StepForm),
}


def _run(action: str, sample: Sample, data: dict, user):
    at = data.get("at")
    if action == "ship":
        return services.sample_ship(
            sample=sample, by=user, lab=data["lab"], transport=data["transport"], at=at
        )
    if action == "receive":
        return services.sample_receive(sample=sample, by=user, at=at)
    if action == "result":
        return services.sample_result(
            sample=sample,
            by=user,
            result=data["result"],
            rejection_reason=data["rejection_reason"],
            at=at,
        )
    return services.sample_communicate(sample=sample, by=user, at=at)


@login_required
@require_POST
def sample_action(request, pk: int, action: str):
    return workflow_action(
        request,
        pk=pk,
        action=action,
        actions=ACTIONS,
        get_record=selectors.sample_get,
        run=_run,
        detail_url="health:sample_detail",
    )
